package org.moebatch.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The align reference that moe_align mirrors, against what the grouped GEMM needs from it, checked
 * from first principles on random routings: every slot exactly once, grouped by expert in ascending
 * expert order, ascending slots within an expert (the order ExpertGroups gives the CPU backend),
 * each expert's run padded to whole tiles with the sentinel, one expert per tile, and the capacity
 * bound never exceeded.
 */
class MoeAlignPlanTest {

    @ParameterizedTest(name = "{0} tokens x top-{1} of {2} experts, tiles of {3}, every {4}th slot elsewhere")
    @CsvSource({"1, 1, 1, 8, 0", "1, 6, 64, 8, 0", "7, 4, 16, 8, 0", "64, 6, 64, 64, 0", "300, 8, 384, 64, 0",
        "4096, 8, 384, 64, 0", "5, 2, 1024, 8, 0", "33, 3, 3, 64, 0", "64, 6, 64, 8, 3", "300, 8, 384, 64, 2",
        "7, 4, 16, 8, 1"})
    void alignGroupsSlotsByExpertInWholeTiles(int tokens, int k, int experts, int tile, int maskEvery) {
        Random random = new Random(tokens * 1_000_003L + experts * 31L + tile);
        int slots = tokens * k;
        int[] chosen = route(random, tokens, k, experts);
        // expert parallelism: slots whose expert lives on another device come as -1 and take no tile
        for (int i = 0; maskEvery > 0 && i < slots; i += maskEvery) {
            chosen[i] = -1;
        }
        MoeAlignPlan.Result r = MoeAlignPlan.align(chosen, slots, experts, tile);

        // the expected order, built independently: experts ascending, slots ascending within one
        List<Integer> expected = new ArrayList<>();
        List<Integer> expectedTiles = new ArrayList<>();
        for (int e = 0; e < experts; e++) {
            int count = 0;
            for (int i = 0; i < slots; i++) {
                if (chosen[i] == e) {
                    expected.add(i);
                    count++;
                }
            }
            int padded = (count + tile - 1) / tile * tile;
            for (int p = count; p < padded; p++) {
                expected.add(slots);
            }
            for (int t = 0; t < padded / tile; t++) {
                expectedTiles.add(e);
            }
        }
        assertEquals(expectedTiles.size(), r.tileCount(), "tiles");
        assertTrue(r.tileCount() * tile <= MoeAlignPlan.capacity(slots, experts, tile), "capacity bound");
        assertEquals(r.sorted().length, MoeAlignPlan.capacity(slots, experts, tile));
        for (int i = 0; i < expected.size(); i++) {
            assertEquals((int) expected.get(i), r.sorted()[i], "sorted entry " + i);
        }
        for (int i = expected.size(); i < r.sorted().length; i++) {
            assertEquals(slots, r.sorted()[i], "entries past the last tile hold the sentinel");
        }
        for (int t = 0; t < r.tileCount(); t++) {
            assertEquals((int) expectedTiles.get(t), r.tileExpert()[t], "expert of tile " + t);
            for (int i = t * tile; i < (t + 1) * tile; i++) {
                int s = r.sorted()[i];
                assertTrue(s == slots || chosen[s] == r.tileExpert()[t], "slot " + s + " in a tile of another expert");
                assertTrue(s == slots || chosen[s] >= 0, "slot " + s + " of another device took a place");
            }
        }
    }

    @ParameterizedTest(name = "capacity for {0} slots over {1} experts in tiles of {2}")
    @CsvSource({"1, 384, 64", "48, 64, 8", "32768, 384, 64", "6, 64, 8"})
    void capacityIsTheWorstCaseInWholeTiles(int slots, int experts, int tile) {
        int capacity = MoeAlignPlan.capacity(slots, experts, tile);
        assertEquals(0, capacity % tile);
        // the worst case: as many experts as possible each holding one slot more than whole tiles
        int active = Math.min(experts, slots);
        int worst = 0;
        int remaining = slots;
        for (int e = 0; e < active; e++) {
            int count = e == active - 1 ? remaining : 1;
            remaining -= count;
            worst += (count + tile - 1) / tile * tile;
        }
        assertTrue(capacity >= worst, capacity + " < " + worst);
        assertTrue(capacity <= slots + (long) active * (tile - 1), "no more than the bound");
    }

    @org.junit.jupiter.api.Test
    void anExpertOutsideTheRangeIsRejectedWithItsSlot() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MoeAlignPlan.align(new int[] {0, 5}, 2, 4, 8));
        assertTrue(e.getMessage().contains("slot 1 chose expert 5 of 4"), e.getMessage());
    }

    /** Each token picks k distinct experts, skewed so some experts are hot and some idle. */
    static int[] route(Random random, int tokens, int k, int experts) {
        int[] chosen = new int[tokens * k];
        for (int t = 0; t < tokens; t++) {
            for (int j = 0; j < k; j++) {
                int e;
                boolean repeated;
                do {
                    double u = random.nextDouble();
                    e = (int) (experts * u * u); // low experts are hotter
                    repeated = false;
                    for (int i = 0; i < j; i++) {
                        repeated |= chosen[t * k + i] == e;
                    }
                } while (repeated && k <= experts);
                chosen[t * k + j] = e;
            }
        }
        return chosen;
    }

    @org.junit.jupiter.api.Test
    void routeGivesDistinctExpertsPerToken() {
        int[] chosen = route(new Random(1), 50, 8, 16);
        for (int t = 0; t < 50; t++) {
            int[] mine = java.util.Arrays.copyOfRange(chosen, t * 8, t * 8 + 8);
            assertEquals(8, java.util.Arrays.stream(mine).distinct().count());
        }
        assertArrayEquals(chosen, route(new Random(1), 50, 8, 16), "seeded");
    }
}
