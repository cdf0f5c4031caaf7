package org.moebatch.backend;

/**
 * Rotary position embedding as the backends apply it: how wide the rotated part is, how its elements
 * pair up, a step's cos and sin tables, and the rotation itself. Where the frequencies come from
 * ({@code rope_theta}, YaRN's blending) is the model's reading of its config, in
 * {@code model.RotaryEmbedding}; the seam only needs this much of it.
 */
public interface Rotary {
    /** Elements of a head that rotate. */
    int dim();

    /** Pairs {@code (x[2i], x[2i+1])} (DeepSeek's complex view) rather than {@code (x[i], x[i + dim/2])}. */
    boolean interleaved();

    /**
     * Fills {@code cos} and {@code sin}, each {@code [count, dim / 2]}, with the rotation of frequency
     * {@code i} at each of the first {@code count} positions.
     */
    void tables(int[] positions, int count, float[] cos, float[] sin);

    /** Rotates one vector of {@link #dim()} elements at {@code x[at]} in place by row {@code tableRow} of the tables. */
    void rotate(float[] x, int at, float[] cos, float[] sin, int tableRow, float[] scratch);
}
