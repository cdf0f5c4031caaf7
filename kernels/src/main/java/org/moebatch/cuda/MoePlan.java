package org.moebatch.cuda;

/**
 * How one MoE block's routed experts run for a step: the kernel path, the tile the slots are aligned
 * to (64 rows for tensor cores, 8 for the row kernels), and the sizes of the aligned arrays.
 *
 * @param path       tensor cores or row kernels
 * @param tile       rows per tile
 * @param slots      tokens x experts per token
 * @param capacity   entries of the sorted-slot array
 * @param maxTiles   tiles the grids cover (the kernels skip those past the actual count)
 * @param vectorized whether the row kernels read 8 elements per load
 */
public record MoePlan(GemmPlan.Path path, int tile, int slots, int capacity, int maxTiles, boolean vectorized) {
    public static final int ROW_TILE = 8;

    /** Most experts the align kernel's shared memory (9 ints per expert) holds within 48 KiB. */
    public static final int MAX_EXPERTS = 1024;

    public static MoePlan of(KernelPolicy policy, WeightType weights, int tokens, int perToken, int experts, int hidden,
            int width) {
        if (experts < 1 || experts > MAX_EXPERTS) {
            throw new IllegalArgumentException(experts + " routed experts; the align kernel handles 1 to " + MAX_EXPERTS);
        }
        int slots = Math.multiplyExact(tokens, perToken);
        boolean shapesFit = weights == WeightType.BF16 && hidden % 8 == 0 && width % 8 == 0;
        boolean busy = slots >= (long) experts * policy.moeTensorCoreMinRowsPerExpert();
        GemmPlan.Path path = shapesFit && busy ? GemmPlan.Path.TENSOR_CORES : GemmPlan.Path.ROWS;
        int tile = path == GemmPlan.Path.TENSOR_CORES ? GemmPlan.TILE : ROW_TILE;
        int capacity = MoeAlignPlan.capacity(slots, experts, tile);
        return new MoePlan(path, tile, slots, capacity, capacity / tile, hidden % 8 == 0 && width % 8 == 0);
    }

    /** moe_align: one block of 8 warps; shared memory for per-warp counts and the padded starts. */
    public static Launch align(int experts) {
        return new Launch(1, 1, 1, 256, 4 * 9 * experts);
    }

    /** The gate/up product over {@code width} outputs. */
    public Launch gateUp(int width) {
        return grid(width);
    }

    /** The down product over {@code hidden} outputs. */
    public Launch down(int hidden) {
        return grid(hidden);
    }

    private Launch grid(int outputs) {
        if (path == GemmPlan.Path.TENSOR_CORES) {
            return new Launch(Launch.ceilDiv(outputs, GemmPlan.TILE), maxTiles, 1, GemmPlan.TILE_THREADS, 0);
        }
        return new Launch(Launch.ceilDiv(outputs, GemmPlan.OUTPUTS_PER_BLOCK), maxTiles, 1, GemmPlan.ROW_THREADS, 0);
    }
}
