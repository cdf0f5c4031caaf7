package org.moebatch.backend;

import java.util.Arrays;

/**
 * The (token, slot) pairs of a step sorted by expert, so that each expert runs one matrix product
 * over all of its tokens (the "align" step of vLLM's fused_moe). Expert {@code e} owns entries
 * {@code [offsets[e], offsets[e + 1])} of {@code slots}; each entry is {@code t * k + j}, the slot
 * of token {@code t} that chose it. Within an expert, tokens stay in ascending order. A slot whose
 * expert is {@code -1} belongs to another device's shard ({@link ExpertParallelBackend}) and is left out.
 */
public final class ExpertGroups {
    private final int experts;
    private final int[] offsets;
    private final int[] fill;
    private int[] slots = new int[0];
    private int[] activeExperts;
    private int activeCount;

    public ExpertGroups(int experts) {
        this.experts = experts;
        this.offsets = new int[experts + 1];
        this.fill = new int[experts];
        this.activeExperts = new int[experts];
    }

    /**
     * Sorts {@code routing}'s slots by expert: a counting sort, stable in token order. A slot naming
     * an expert past this block's is refused, naming the slot, before anything indexes by it.
     */
    public void group(HostRouting routing) {
        int n = routing.tokens() * routing.expertsPerToken();
        if (slots.length < n) {
            slots = new int[n];
        }
        Arrays.fill(offsets, 0);
        int[] chosen = routing.experts();
        for (int i = 0; i < n; i++) {
            if (chosen[i] >= experts) {
                throw new IllegalArgumentException("routing slot " + i + " (token " + i / routing.expertsPerToken()
                        + ") names expert " + chosen[i] + " of " + experts);
            }
            if (chosen[i] >= 0) {
                offsets[chosen[i] + 1]++;
            }
        }
        activeCount = 0;
        for (int e = 0; e < experts; e++) {
            if (offsets[e + 1] > 0) {
                activeExperts[activeCount++] = e;
            }
            offsets[e + 1] += offsets[e];
        }
        System.arraycopy(offsets, 0, fill, 0, experts);
        for (int i = 0; i < n; i++) {
            if (chosen[i] >= 0) {
                slots[fill[chosen[i]]++] = i;
            }
        }
    }

    public int start(int expert) {
        return offsets[expert];
    }

    public int count(int expert) {
        return offsets[expert + 1] - offsets[expert];
    }

    public int[] slots() {
        return slots;
    }

    /** The experts with at least one token, ascending; valid up to {@link #activeCount()}. */
    public int[] activeExperts() {
        return activeExperts;
    }

    public int activeCount() {
        return activeCount;
    }

    public int experts() {
        return experts;
    }
}
