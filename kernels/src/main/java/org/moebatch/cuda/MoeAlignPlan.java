package org.moebatch.cuda;

import java.util.Arrays;

/**
 * The reference for moe.cu's moe_align, and the sizes its outputs need. The (token, expert) slots
 * of a step are sorted by expert, stable in slot order (as {@code ExpertGroups} groups them on the
 * CPU); each expert's run is padded with the sentinel {@code slots} to a multiple of the tile, so
 * every tile of the grouped GEMM belongs to one expert.
 */
public final class MoeAlignPlan {
    /**
     * @param sorted     slot ids by expert, padded; {@code tileCount * tile} entries are meaningful
     * @param tileExpert the expert of each tile
     * @param tileCount  tiles in use
     */
    public record Result(int[] sorted, int[] tileExpert, int tileCount) {}

    private MoeAlignPlan() {}

    /**
     * Entries the sorted array can need: every active expert (at most min(experts, slots)) pads at
     * most {@code tile - 1}; a whole number of tiles.
     */
    public static int capacity(int slots, int experts, int tile) {
        long bound = slots + (long) Math.min(experts, slots) * (tile - 1);
        long tiles = bound / tile;
        if (tiles * tile > Integer.MAX_VALUE || tiles > Launch.MAX_GRID_YZ) {
            throw new IllegalArgumentException(slots + " expert slots in tiles of " + tile + " exceed a grid");
        }
        return (int) (tiles * tile);
    }

    /** The tiles a grid must cover. */
    public static int maxTiles(int slots, int experts, int tile) {
        return capacity(slots, experts, tile) / tile;
    }

    /**
     * Aligns {@code chosen[0 .. slots)}, each an expert in {@code [0, experts)} or {@code -1}: a slot
     * whose expert lives on another device (expert parallelism), which no tile takes.
     */
    public static Result align(int[] chosen, int slots, int experts, int tile) {
        int[] counts = new int[experts];
        for (int i = 0; i < slots; i++) {
            int e = chosen[i];
            if (e < -1 || e >= experts) {
                throw new IllegalArgumentException("slot " + i + " chose expert " + e + " of " + experts);
            }
            if (e >= 0) {
                counts[e]++;
            }
        }
        int[] start = new int[experts + 1];
        for (int e = 0; e < experts; e++) {
            start[e + 1] = start[e] + (counts[e] + tile - 1) / tile * tile;
        }
        int[] sorted = new int[capacity(slots, experts, tile)];
        Arrays.fill(sorted, slots);
        int[] fill = Arrays.copyOf(start, experts);
        for (int i = 0; i < slots; i++) {
            if (chosen[i] >= 0) {
                sorted[fill[chosen[i]]++] = i;
            }
        }
        int tileCount = start[experts] / tile;
        int[] tileExpert = new int[Math.max(1, sorted.length / tile)];
        for (int e = 0; e < experts; e++) {
            for (int t = start[e] / tile; t < start[e + 1] / tile; t++) {
                tileExpert[t] = e;
            }
        }
        return new Result(sorted, tileExpert, tileCount);
    }
}
