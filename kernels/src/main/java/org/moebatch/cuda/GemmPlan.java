package org.moebatch.cuda;

/**
 * Which matrix-product kernel runs a linear layer, and its geometry (the constants mirror
 * linear.cu, moe.cu and gemm_tc.cuh).
 */
public final class GemmPlan {
    /** The two kinds of product kernel. */
    public enum Path {
        /** Each warp streams one weight row over up to 8 input rows, in float32: decode. */
        ROWS,
        /** bf16 mma.sync tiles of 64 x 64: prefill, large batches. */
        TENSOR_CORES
    }

    public static final int ROWS_PER_PASS = 8;
    public static final int OUTPUTS_PER_BLOCK = 8;
    public static final int ROW_THREADS = 256;
    public static final int TILE = 64;
    public static final int TILE_THREADS = 128;

    private GemmPlan() {}

    /**
     * Whether the row kernel may read eight weights and eight activations per load: rows of {@code k}
     * elements (a multiple of 8 keeps every weight row 16-byte aligned) and activation rows and
     * per-batch offsets on 16-byte boundaries.
     */
    public static boolean vectorized(int k, int ldx, int xBatchOffset) {
        return k % 8 == 0 && ldx % 4 == 0 && xBatchOffset % 4 == 0;
    }

    /** Whether the tensor-core kernel can run the shape: bf16 weights, rows of 16-byte chunks. */
    public static boolean tensorCoresFit(WeightType weights, int k, int ldx) {
        return weights == WeightType.BF16 && k % 8 == 0 && ldx % 4 == 0;
    }

    public static Path linear(KernelPolicy policy, WeightType weights, int rows, int k, int ldx) {
        return rows >= policy.linearTensorCoreMinRows() && tensorCoresFit(weights, k, ldx) ? Path.TENSOR_CORES : Path.ROWS;
    }

    /** The row kernel over {@code m} rows, {@code n} outputs, {@code batches} independent products. */
    public static Launch rows(int m, int n, int batches) {
        return new Launch(Launch.ceilDiv(n, OUTPUTS_PER_BLOCK), rowPasses(m), batches, ROW_THREADS, 0);
    }

    /** The tensor-core kernel over an {@code m x n} output. */
    public static Launch tensorCores(int m, int n) {
        int tilesM = Launch.ceilDiv(m, TILE);
        if (tilesM > Launch.MAX_GRID_YZ) {
            throw new IllegalArgumentException(m + " rows in one product; the engine's step limit keeps steps far smaller");
        }
        return new Launch(Launch.ceilDiv(n, TILE), tilesM, 1, TILE_THREADS, 0);
    }

    private static int rowPasses(int m) {
        int passes = Launch.ceilDiv(m, ROWS_PER_PASS);
        if (passes > Launch.MAX_GRID_YZ) {
            throw new IllegalArgumentException(m + " rows in one product; the engine's step limit keeps steps far smaller");
        }
        return passes;
    }
}
