package org.moebatch.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.moebatch.backend.Batch;

/**
 * The step tables the attention and cache-write kernels read, built on the host from a Batch: the
 * page and slot of every token, each sequence's pages as far as the step reaches, the query tiles,
 * and the checks that keep a bad page number from becoming a write outside the cache.
 */
class StepLayoutTest {

    private static Batch twoSequences() {
        // A: a prefill of 40 tokens over pages 7, 2, 9 (of 16 positions); B: one decode token at 20, pages 4, 0, 5
        Batch b = new Batch();
        int a = b.addSequence(new int[] {7, 2, 9, 11});
        int c = b.addSequence(new int[] {4, 0, 5});
        for (int p = 0; p < 40; p++) {
            b.addToken(a, 1, p, p == 39);
        }
        b.addToken(c, 1, 20, true);
        return b;
    }

    @Test
    void everyTokenWritesToThePageAndSlotOfItsPosition() {
        StepLayout s = new StepLayout();
        s.build(twoSequences(), 41, 16, 12, 4);
        assertEquals(41, s.tokens);
        assertEquals(40, s.longestContext, "A reaches position 39");
        for (int t = 0; t < 40; t++) {
            assertEquals(new int[] {7, 2, 9}[t / 16], s.pageOfToken[t], "token " + t);
            assertEquals(t % 16, s.slotOfToken[t]);
            assertEquals(0, s.sequenceOfToken[t]);
        }
        assertEquals(0, s.pageOfToken[40], "B's position 20 is in its second page");
        assertEquals(4, s.slotOfToken[40]);
        // only the pages the step reaches: A's fourth page and B's third are not needed
        assertArrayEquals(new int[] {0, 3, 5}, Arrays.copyOf(s.pageTableStart, 3));
        assertArrayEquals(new int[] {7, 2, 9, 4, 0}, Arrays.copyOf(s.pageTable, s.pageTableLength()));
    }

    @Test
    void tilesFollowTheHeadCountAndNeverMixSequences() {
        StepLayout s = new StepLayout();
        s.build(twoSequences(), 41, 16, 12, 4); // 4 heads: tiles of 4 tokens
        assertEquals(11, s.tileCount);
        assertArrayEquals(new int[] {36, 4, 40, 1}, Arrays.copyOfRange(s.tiles, 18, 22));
        s.build(twoSequences(), 41, 16, 12, 64); // 64 heads: one token a tile
        assertEquals(41, s.tileCount);
    }

    @Test
    void packedTablesSitWhereTheOffsetsSay() {
        StepLayout s = new StepLayout();
        s.build(twoSequences(), 41, 16, 12, 4);
        int[] packed = new int[s.packedLength()];
        s.pack(packed);
        int[] at = s.offsets();
        assertEquals(packed.length, at[7]);
        assertArrayEquals(Arrays.copyOf(s.positions, 41), Arrays.copyOfRange(packed, at[0], at[1]));
        assertArrayEquals(Arrays.copyOf(s.sequenceOfToken, 41), Arrays.copyOfRange(packed, at[1], at[2]));
        assertArrayEquals(Arrays.copyOf(s.pageOfToken, 41), Arrays.copyOfRange(packed, at[2], at[3]));
        assertArrayEquals(Arrays.copyOf(s.slotOfToken, 41), Arrays.copyOfRange(packed, at[3], at[4]));
        assertArrayEquals(new int[] {0, 3, 5}, Arrays.copyOfRange(packed, at[4], at[5]));
        assertArrayEquals(new int[] {7, 2, 9, 4, 0}, Arrays.copyOfRange(packed, at[5], at[6]));
        assertArrayEquals(Arrays.copyOf(s.tiles, 22), Arrays.copyOfRange(packed, at[6], at[7]));
    }

    @Test
    void aRefilledBatchIsTheSameStepOnlyIfItsContentIs() {
        StepLayout first = new StepLayout();
        StepLayout second = new StepLayout();
        first.build(twoSequences(), 41, 16, 12, 4);
        second.build(twoSequences(), 41, 16, 12, 4);
        assertTrue(first.sameAs(second));
        Batch moved = twoSequences();
        moved.positions()[40] = 21; // the next decode step of B
        second.build(moved, 41, 16, 12, 4);
        assertFalse(first.sameAs(second));
        Batch otherPage = new Batch();
        int a = otherPage.addSequence(new int[] {7, 2, 10});
        int c = otherPage.addSequence(new int[] {4, 0, 5});
        for (int p = 0; p < 40; p++) {
            otherPage.addToken(a, 1, p, false);
        }
        otherPage.addToken(c, 1, 20, true);
        second.build(otherPage, 41, 16, 12, 4);
        assertFalse(first.sameAs(second), "a sequence moved to another page");
    }

    @Test
    void pagesOutsideTheCacheOrMissingAreRefusedWithTheSequence() {
        StepLayout s = new StepLayout();
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                () -> s.build(twoSequences(), 41, 16, 9, 4));
        assertTrue(outside.getMessage().contains("sequence 0 of the step names cache page 9, outside the cache's 9 pages"),
                outside.getMessage());
        Batch shortTable = new Batch();
        int seq = shortTable.addSequence(new int[] {0});
        shortTable.addToken(seq, 1, 16, true);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> s.build(shortTable, 1, 16, 4, 4));
        assertTrue(missing.getMessage().contains("reaches position 16 but its page table has 1 pages"), missing.getMessage());
    }
}
