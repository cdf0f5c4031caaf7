package org.moebatch.backend;

/**
 * Cache pages on the Java heap, for the CPU backends. Page {@code p} is one float array laid out
 * {@code [layer][slot][entry]} (MLA's entry: latent, rope key; grouped-query attention's: keys,
 * values): a token's entries for one layer are contiguous, and consecutive positions of a sequence
 * sit next to each other within a page.
 */
public final class HostKvCache implements KvCache {
    private final int pageSize;
    private final int entry;
    private final float[][] pages; // allocated when first written: the budget is a ceiling, not a reservation
    private final int pageFloats;

    public HostKvCache(int layers, int pageSize, KvLayout layout, int pageCount) {
        if (pageSize <= 0 || pageCount <= 0) {
            throw new IllegalArgumentException("page size " + pageSize + ", pages " + pageCount);
        }
        this.pageSize = pageSize;
        this.entry = layout.entryFloats();
        long floats = (long) layers * pageSize * entry;
        if (floats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a page of " + floats + " floats is too large; use a smaller page size");
        }
        this.pageFloats = (int) floats;
        this.pages = new float[pageCount][];
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
        return 4L * pageFloats;
    }

    /** The array of page {@code page}, which must have been written before. */
    public float[] page(int page) {
        return pages[page];
    }

    /** The array of page {@code page}, created on its first write. Engine thread only. */
    public float[] pageForWrite(int page) {
        float[] a = pages[page];
        if (a == null) {
            a = new float[pageFloats];
            pages[page] = a;
        }
        return a;
    }

    /** Offset, within its page, of the entry for {@code layer} at {@code slot}. */
    public int offset(int layer, int slot) {
        return (layer * pageSize + slot) * entry;
    }
}
