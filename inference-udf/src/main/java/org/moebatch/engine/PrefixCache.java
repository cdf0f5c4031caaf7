package org.moebatch.engine;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Cache pages of full prompt pages, found again by content: rows that share a system prompt and
 * tool declarations (the common case of a batch job) prefill them once. A page is keyed by a hash of
 * its tokens chained with the key of the page before it, so a match always covers a whole prefix;
 * tokens and parent are compared too, so a hash collision cannot return wrong cache.
 *
 * <p>The cache holds each page once (one holder in the {@link KvPagePool}); pages that no running
 * row holds are evicted least recently used first when the pool runs dry.
 */
final class PrefixCache {
    private record Entry(long key, long parent, int[] tokens, int page) {}

    private final KvPagePool pool;
    private final int pageSize;
    private final LinkedHashMap<Long, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);

    PrefixCache(KvPagePool pool) {
        this.pool = pool;
        this.pageSize = pool.pageSize();
    }

    private static long chain(long parent, int[] tokens, int from, int count) {
        long h = parent ^ 0xCBF29CE484222325L;
        for (int i = 0; i < count; i++) {
            h = (h ^ tokens[from + i]) * 0x100000001B3L;
            h ^= h >>> 29;
        }
        return h * 0x9E3779B97F4A7C15L + count;
    }

    /**
     * Finds the longest run of cached full pages that starts {@code tokens} and ends at or before
     * {@code limit} tokens, appends them to {@code seq}'s page table, held once more for it, and
     * returns how many tokens they cover.
     */
    int attach(Sequence seq, int[] tokens, int limit) {
        long parent = 0;
        int matched = 0;
        while (matched + pageSize <= limit) {
            long key = chain(parent, tokens, matched, pageSize);
            Entry e = entries.get(key);
            if (e == null || e.parent() != parent
                    || !Arrays.equals(e.tokens(), 0, pageSize, tokens, matched, matched + pageSize)) {
                break;
            }
            pool.retain(e.page());
            seq.addPage(e.page());
            parent = key;
            matched += pageSize;
        }
        return matched;
    }

    /** Offers the full pages of {@code seq}'s first {@code tokenCount} computed tokens to the cache. */
    void register(Sequence seq, int tokenCount) {
        long parent = 0;
        int fullPages = Math.min(tokenCount / pageSize, seq.pageCount);
        for (int p = 0; p < fullPages; p++) {
            long key = chain(parent, seq.tokens, p * pageSize, pageSize);
            Entry existing = entries.get(key);
            if (existing == null) {
                int[] pageTokens = Arrays.copyOfRange(seq.tokens, p * pageSize, (p + 1) * pageSize);
                entries.put(key, new Entry(key, parent, pageTokens, seq.pages[p]));
                pool.retain(seq.pages[p]);
            } else if (existing.page() != seq.pages[p]) {
                // Same content computed twice (two rows prefilled it in the same step): keep the first.
                break;
            }
            parent = key;
        }
    }

    /** Frees the least recently used page that only the cache holds; false when there is none. */
    boolean evictOne() {
        for (Iterator<Map.Entry<Long, Entry>> it = entries.entrySet().iterator(); it.hasNext();) {
            Entry e = it.next().getValue();
            if (pool.holders(e.page()) == 1) {
                it.remove();
                pool.release(e.page());
                return true;
            }
        }
        return false;
    }

    int size() {
        return entries.size();
    }

    /** Pages held only by the cache: free for the taking if needed. Each entry has a page of its own. */
    int evictablePages() {
        int n = 0;
        for (Entry e : entries.values()) {
            if (pool.holders(e.page()) == 1) {
                n++;
            }
        }
        return n;
    }
}
