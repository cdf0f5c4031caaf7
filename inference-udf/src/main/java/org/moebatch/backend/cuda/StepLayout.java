package org.moebatch.backend.cuda;

import java.util.Arrays;
import org.moebatch.backend.Batch;
import org.moebatch.cuda.AttentionPlan;

/**
 * The host side of a step's attention tables, built from a {@link Batch}: each token's position,
 * sequence, and the page and slot its cache entry goes to; each sequence's page table as far as the
 * step reaches, flattened; the query tiles. Pages are checked here, because a page number outside
 * the cache would make a kernel write outside it. Packed into one int array for one upload.
 */
final class StepLayout {
    int tokens;
    int sequences;
    int pageSize;
    int heads;
    int tileCount;
    int longestContext;
    int[] positions = new int[0];
    int[] sequenceOfToken = new int[0];
    int[] pageOfToken = new int[0];
    int[] slotOfToken = new int[0];
    int[] pageTableStart = new int[1];
    int[] pageTable = new int[0];
    int[] tiles = new int[0];
    private int[] lastPosition = new int[0];

    /** Fills the tables for the first {@code tokens} tokens of {@code batch}. */
    void build(Batch batch, int tokens, int pageSize, int pageCount, int heads) {
        if (tokens > batch.tokenCount()) {
            throw new IllegalArgumentException(tokens + " rows for a batch of " + batch.tokenCount() + " tokens");
        }
        this.tokens = tokens;
        this.sequences = batch.sequenceCount();
        this.pageSize = pageSize;
        this.heads = heads;
        positions = grow(positions, tokens);
        sequenceOfToken = grow(sequenceOfToken, tokens);
        pageOfToken = grow(pageOfToken, tokens);
        slotOfToken = grow(slotOfToken, tokens);
        tiles = grow(tiles, 2 * tokens);
        lastPosition = grow(lastPosition, sequences);
        pageTableStart = grow(pageTableStart, sequences + 1);
        Arrays.fill(lastPosition, 0, sequences, -1);
        longestContext = 0;
        for (int t = 0; t < tokens; t++) {
            int position = batch.positions()[t];
            int sequence = batch.sequenceOf(t);
            if (position < 0) {
                throw new IllegalArgumentException("token " + t + " of the step has position " + position);
            }
            positions[t] = position;
            sequenceOfToken[t] = sequence;
            lastPosition[sequence] = Math.max(lastPosition[sequence], position);
            longestContext = Math.max(longestContext, position + 1);
        }
        pageTableStart[0] = 0;
        for (int s = 0; s < sequences; s++) {
            int needed = lastPosition[s] < 0 ? 0 : lastPosition[s] / pageSize + 1;
            pageTableStart[s + 1] = pageTableStart[s] + needed;
        }
        pageTable = grow(pageTable, pageTableStart[sequences]);
        for (int s = 0; s < sequences; s++) {
            int[] table = batch.pageTable(s);
            int needed = pageTableStart[s + 1] - pageTableStart[s];
            if (needed > 0 && (table == null || table.length < needed)) {
                throw new IllegalArgumentException("sequence " + s + " of the step reaches position " + lastPosition[s]
                        + " but its page table has " + (table == null ? 0 : table.length) + " pages of " + pageSize);
            }
            for (int i = 0; i < needed; i++) {
                int page = table[i];
                if (page < 0 || page >= pageCount) {
                    throw new IllegalArgumentException("sequence " + s + " of the step names cache page " + page
                            + ", outside the cache's " + pageCount + " pages");
                }
                pageTable[pageTableStart[s] + i] = page;
            }
        }
        for (int t = 0; t < tokens; t++) {
            int s = sequenceOfToken[t];
            pageOfToken[t] = pageTable[pageTableStart[s] + positions[t] / pageSize];
            slotOfToken[t] = positions[t] % pageSize;
        }
        tileCount = AttentionPlan.tiles(sequenceOfToken, tokens, AttentionPlan.tokensPerTile(heads), tiles);
    }

    private static int[] grow(int[] a, int n) {
        return a.length >= n ? a : new int[Math.max(n, a.length + (a.length >> 1))];
    }

    int pageTableLength() {
        return pageTableStart[sequences];
    }

    /** Ints {@link #pack} writes. */
    int packedLength() {
        return 4 * tokens + (sequences + 1) + pageTableLength() + 2 * tileCount;
    }

    /**
     * Writes [positions | sequenceOfToken | pageOfToken | slotOfToken | pageTableStart | pageTable |
     * tiles] to {@code out}; {@link #offsets()} says where each starts.
     */
    void pack(int[] out) {
        int at = 0;
        for (int[] part : new int[][] {positions, sequenceOfToken, pageOfToken, slotOfToken}) {
            System.arraycopy(part, 0, out, at, tokens);
            at += tokens;
        }
        System.arraycopy(pageTableStart, 0, out, at, sequences + 1);
        at += sequences + 1;
        System.arraycopy(pageTable, 0, out, at, pageTableLength());
        at += pageTableLength();
        System.arraycopy(tiles, 0, out, at, 2 * tileCount);
    }

    /** Start of each packed part, in ints, and the end. */
    int[] offsets() {
        int pageTableAt = 4 * tokens + sequences + 1;
        int tilesAt = pageTableAt + pageTableLength();
        return new int[] {0, tokens, 2 * tokens, 3 * tokens, 4 * tokens, pageTableAt, tilesAt, tilesAt + 2 * tileCount};
    }

    /** Whether {@code other} describes the same step (what is on the device can be reused). */
    boolean sameAs(StepLayout other) {
        return tokens == other.tokens && sequences == other.sequences && pageSize == other.pageSize
                && heads == other.heads && tileCount == other.tileCount
                && Arrays.equals(positions, 0, tokens, other.positions, 0, tokens)
                && Arrays.equals(sequenceOfToken, 0, tokens, other.sequenceOfToken, 0, tokens)
                && Arrays.equals(pageTableStart, 0, sequences + 1, other.pageTableStart, 0, sequences + 1)
                && Arrays.equals(pageTable, 0, pageTableLength(), other.pageTable, 0, other.pageTableLength());
    }
}
