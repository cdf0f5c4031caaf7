package org.moebatch.engine;

import org.moebatch.backend.KvCache;

/**
 * Which cache pages are free and how many sequences hold each one. A page shared by sequences with
 * a common prefix has a count above one and returns to the free list when the last holder lets go.
 * Driven by the engine thread only.
 */
public final class KvPagePool {
    private final KvCache cache;
    private final int[] holders;
    private final int[] freeList;
    private int freeCount;

    public KvPagePool(KvCache cache) {
        this.cache = cache;
        this.holders = new int[cache.pageCount()];
        this.freeList = new int[cache.pageCount()];
        // Hand out low page numbers first: easier to read in a debugger, no other reason.
        for (int p = 0; p < freeList.length; p++) {
            freeList[p] = freeList.length - 1 - p;
        }
        this.freeCount = freeList.length;
    }

    public KvCache cache() {
        return cache;
    }

    public int pageSize() {
        return cache.pageSize();
    }

    public int freePages() {
        return freeCount;
    }

    public int totalPages() {
        return holders.length;
    }

    /** Pages needed to hold {@code tokens} positions. */
    public int pagesFor(int tokens) {
        return (tokens + cache.pageSize() - 1) / cache.pageSize();
    }

    /** A free page, now held once; or -1 when none is free. */
    public int allocate() {
        if (freeCount == 0) {
            return -1;
        }
        int page = freeList[--freeCount];
        holders[page] = 1;
        return page;
    }

    /** One more holder of a page already held (prefix sharing). */
    public void retain(int page) {
        if (holders[page] <= 0) {
            throw new IllegalStateException("page " + page + " is free");
        }
        holders[page]++;
    }

    /** One holder fewer; the page is free again when none is left. */
    public void release(int page) {
        if (holders[page] <= 0) {
            throw new IllegalStateException("page " + page + " released twice");
        }
        if (--holders[page] == 0) {
            freeList[freeCount++] = page;
        }
    }

    public int holders(int page) {
        return holders[page];
    }
}
