package org.moebatch.engine;

import org.moebatch.model.MlaDims;

/**
 * MLA cache pages on the Java heap, for the CPU backends. Page {@code p} is one float array laid
 * out {@code [layer][slot][latent + rope]}: a token's entries for one layer are contiguous, and
 * consecutive positions of a sequence sit next to each other within a page.
 */
public final class HostKvCache implements KvCache {
    private final int pageSize;
    private final int entry;
    private final int latent;
    private final float[][] pages;

    public HostKvCache(int layers, int pageSize, MlaDims dims, int pageCount) {
        if (pageSize <= 0 || pageCount <= 0) {
            throw new IllegalArgumentException("page size " + pageSize + ", pages " + pageCount);
        }
        this.pageSize = pageSize;
        this.entry = dims.cacheEntry();
        this.latent = dims.latent();
        long floats = (long) layers * pageSize * entry;
        if (floats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a page of " + floats + " floats is too large; use a smaller page size");
        }
        this.pages = new float[pageCount][];
        for (int p = 0; p < pageCount; p++) {
            pages[p] = new float[(int) floats];
        }
    }

    @Override
    public int pageSize() {
        return pageSize;
    }

    @Override
    public int pageCount() {
        return pages.length;
    }

    @Override
    public long pageBytes() {
        return 4L * pages[0].length;
    }

    /** The array of page {@code page}. */
    public float[] page(int page) {
        return pages[page];
    }

    /** Offset, within its page, of the entry for {@code layer} at {@code slot}: latent first, then rope key. */
    public int offset(int layer, int slot) {
        return (layer * pageSize + slot) * entry;
    }

    public int latent() {
        return latent;
    }
}
