package org.moebatch.cuda;

/**
 * How mla_attend covers a step (the constants mirror mla.cu). A block takes 16 query rows, (token,
 * head) pairs: up to 16 heads of one token for decode, or a few consecutive tokens of one sequence
 * times fewer heads for prefill, so each chunk of cache it loads serves 16 rows. When the grid
 * would leave the device idle (few sequences, long contexts), each sequence's context is split
 * and mla_attend_combine merges the pieces.
 */
public final class AttentionPlan {
    public static final int ROWS = 16;
    public static final int CHUNK = 16;
    public static final int THREADS = 256;
    public static final int COMBINE_THREADS = 128;

    private AttentionPlan() {}

    public static int headsPerGroup(int heads) {
        return Math.min(heads, ROWS);
    }

    public static int headGroups(int heads) {
        return Launch.ceilDiv(heads, headsPerGroup(heads));
    }

    public static int tokensPerTile(int heads) {
        return Math.max(1, ROWS / headsPerGroup(heads));
    }

    /**
     * Cuts the step's tokens into tiles of at most {@code perTile} consecutive tokens of one sequence,
     * written to {@code out} as (first token, count) pairs; returns the number of tiles. A batch's
     * tokens of one sequence are contiguous and ascend in position, which the kernel relies on.
     */
    public static int tiles(int[] sequenceOfToken, int tokens, int perTile, int[] out) {
        int n = 0;
        int t = 0;
        while (t < tokens) {
            int first = t;
            int sequence = sequenceOfToken[t];
            while (t < tokens && t - first < perTile && sequenceOfToken[t] == sequence) {
                t++;
            }
            out[2 * n] = first;
            out[2 * n + 1] = t - first;
            n++;
        }
        return n;
    }

    /**
     * Splits per sequence: enough that the grid reaches about two blocks per multiprocessor, no more
     * than the longest context has {@code attentionMinSplitLength} positions for, within the policy's cap.
     */
    public static int splits(KernelPolicy policy, int blocks, int longestContext, int multiprocessors) {
        int wanted = Launch.ceilDiv(2L * multiprocessors, Math.max(1, blocks));
        int bySize = longestContext / policy.attentionMinSplitLength();
        return Math.max(1, Math.min(Math.min(wanted, bySize), policy.attentionMaxSplits()));
    }

    /** Positions per split: the longest context divided evenly, in whole chunks. */
    public static int splitLength(int longestContext, int splits) {
        return Launch.ceilDiv(Launch.ceilDiv(longestContext, splits), CHUNK) * CHUNK;
    }

    /** Dynamic shared memory of mla_attend: query rows, a padded cache chunk, scores, accumulators, softmax state. */
    public static int sharedBytes(int latent, int rope) {
        int entry = latent + rope;
        long floats = (long) ROWS * entry + (long) CHUNK * (entry | 1) + ROWS * CHUNK + (long) ROWS * latent + 3 * ROWS;
        return Math.toIntExact(4 * floats);
    }

    public static Launch attend(int tiles, int heads, int splits, int latent, int rope) {
        return new Launch(tiles, headGroups(heads), splits, THREADS, sharedBytes(latent, rope));
    }

    public static Launch combine(int tokens, int heads) {
        return new Launch(tokens, heads, 1, COMBINE_THREADS, 0);
    }
}
