package org.moebatch.backend;

import java.util.Arrays;

/** {@link ExpertCounts} in host memory, for the CPU and reference backends. */
final class HostExpertCounts implements ExpertCounts {
    private final int layers;
    private final int experts;
    private final int[] counts;     // [layers, experts]
    private final int[] unrouted;   // [layers]: slots that named no expert

    HostExpertCounts(int layers, int experts) {
        if (layers < 0 || experts < 1) {
            throw new IllegalArgumentException("expert counts of " + layers + " layers x " + experts + " experts");
        }
        this.layers = layers;
        this.experts = experts;
        this.counts = new int[Math.multiplyExact(layers, experts)];
        this.unrouted = new int[layers];
    }

    static HostExpertCounts of(ExpertCounts counts) {
        if (counts instanceof HostExpertCounts h) {
            return h;
        }
        throw new IllegalArgumentException("a " + counts.getClass().getSimpleName()
                + " passed to a host backend (use its expertCounts())");
    }

    @Override
    public int layers() {
        return layers;
    }

    @Override
    public int experts() {
        return experts;
    }

    /**
     * Adds each slot of {@code routing} to row {@code layer}. A slot of expert {@code -1}, or of one
     * past the histogram, was routed to no expert this layer has: counted apart, reported by {@link #drain}.
     */
    void add(int layer, HostRouting routing) {
        checkLayer(layer);
        int n = routing.tokens() * routing.expertsPerToken();
        int[] chosen = routing.experts();
        int row = layer * experts;
        for (int i = 0; i < n; i++) {
            int e = chosen[i];
            if (e >= 0 && e < experts) {
                counts[row + e]++;
            } else {
                unrouted[layer]++;
            }
        }
    }

    /** Writes the counts since the last drain into {@code into[layer][expert]} and clears them. */
    void drain(long[][] into) {
        ExpertCounts.checkInto(into, layers, experts);
        try {
            for (int l = 0; l < layers; l++) {
                long[] row = into[l];
                for (int e = 0; e < experts; e++) {
                    row[e] = counts[l * experts + e];
                }
            }
            ExpertCounts.failIfUnrouted(unrouted);
        } finally {
            Arrays.fill(counts, 0);
            Arrays.fill(unrouted, 0);
        }
    }

    private void checkLayer(int layer) {
        if (layer < 0 || layer >= layers) {
            throw new IllegalArgumentException("layer " + layer + " of expert counts of " + layers + " layers");
        }
    }
}
