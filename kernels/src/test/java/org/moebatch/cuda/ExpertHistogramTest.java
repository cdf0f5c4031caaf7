package org.moebatch.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The host side of count_experts: the histogram's layout, the launch that covers every slot, the
 * plain count the kernel must match, and the read that splits a downloaded histogram, on values
 * worked out by hand and on malformed shapes.
 */
class ExpertHistogramTest {
    @Test
    void eachLayerHasARowOfExpertsPlusOneForSlotsRoutedToNone() {
        assertEquals(385, ExpertHistogram.rowInts(384));
        assertEquals(61L * 385, ExpertHistogram.ints(61, 384));
        assertEquals(0, ExpertHistogram.rowOffsetBytes(0, 61, 384));
        assertEquals(4L * 60 * 385, ExpertHistogram.rowOffsetBytes(60, 61, 384));
        IllegalArgumentException past = assertThrows(IllegalArgumentException.class,
                () -> ExpertHistogram.rowOffsetBytes(61, 61, 384));
        assertTrue(past.getMessage().contains("layer 61 of an expert histogram of 61 layers"), past.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ExpertHistogram.rowOffsetBytes(-1, 61, 384));
        assertThrows(IllegalArgumentException.class, () -> ExpertHistogram.rowInts(0));
        assertThrows(IllegalArgumentException.class, () -> ExpertHistogram.ints(-1, 8));
    }

    @ParameterizedTest(name = "{0} slots: {1} blocks")
    @CsvSource({"1, 1", "255, 1", "256, 1", "257, 2", "4096, 16", "4097, 17"})
    void theLaunchCoversEverySlotWithOneThreadEach(int slots, int blocks) {
        Launch l = ExpertHistogram.launch(slots);
        assertEquals(blocks, l.gridX());
        assertEquals(256, l.block());
        assertTrue(l.blocks() * l.block() >= slots && (l.blocks() - 1) * l.block() < slots);
    }

    @Test
    void noLaunchForNoSlots() {
        assertThrows(IllegalArgumentException.class, () -> ExpertHistogram.launch(0));
    }

    @Test
    void countAddsEachSlotToItsExpertAndTheRestToTheLastEntry() {
        int experts = 4;
        int[] histogram = new int[(int) ExpertHistogram.ints(2, experts)];
        // layer 1: experts 3, 0, 3, then -1 (no eligible expert) and 4 (past the layer's experts)
        ExpertHistogram.count(new int[] {3, 0, 3, -1, 4}, 5, experts, histogram, 1);
        ExpertHistogram.count(new int[] {2, 2, 9}, 2, experts, histogram, 0); // only the first 2 slots count
        assertArrayEquals(new int[] {0, 0, 2, 0, 0, 1, 0, 0, 2, 2}, histogram);

        long[][] into = new long[2][experts];
        int[] unrouted = ExpertHistogram.read(histogram, 2, experts, into);
        assertArrayEquals(new long[] {0, 0, 2, 0}, into[0]);
        assertArrayEquals(new long[] {1, 0, 0, 2}, into[1]);
        assertArrayEquals(new int[] {0, 2}, unrouted);
    }

    @Test
    void readingAHistogramTooShortForItsShapeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExpertHistogram.read(new int[9], 2, 4, new long[2][4]));
        assertTrue(e.getMessage().contains("9 ints for 2 layers x 5"), e.getMessage());
    }
}
