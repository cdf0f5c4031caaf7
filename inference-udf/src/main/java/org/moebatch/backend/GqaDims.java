package org.moebatch.backend;

/**
 * The dimensions of grouped-query attention that its kernels need. Query head {@code h} reads key
 * and value head {@code h / groupSize()}; with as many key/value heads as query heads it is plain
 * multi-head attention (OLMoE).
 *
 * <p>A position's cache entry for one layer is {@code [k head 0 | … | k head G-1 | v head 0 | … | v head G-1]},
 * the rotated keys then the values, {@link #cacheEntry()} floats.
 *
 * @param heads   query heads
 * @param kvHeads key/value heads
 * @param headDim width of every query, key and value head
 */
public record GqaDims(int heads, int kvHeads, int headDim) {
    public GqaDims {
        if (heads <= 0 || kvHeads <= 0 || headDim <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException("grouped-query attention of " + heads + " heads over " + kvHeads
                    + " key/value heads of width " + headDim);
        }
    }

    /** Query heads that share one key/value head. */
    public int groupSize() {
        return heads / kvHeads;
    }

    /** Width of all key heads of a token, and of all value heads. */
    public int kvWidth() {
        return kvHeads * headDim;
    }

    public int cacheEntry() {
        return 2 * kvWidth();
    }
}
