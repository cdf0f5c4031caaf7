package org.moebatch.cuda;

/**
 * The thresholds that choose between kernels computing the same thing.
 *
 * @param linearTensorCoreMinRows       a linear layer with at least this many rows of input runs on
 *                                      tensor cores (bf16 weights); fewer rows stream the weights
 *                                      through the row kernel, in float32
 * @param moeTensorCoreMinRowsPerExpert the experts run on tensor cores when the step's (token, expert)
 *                                      pairs average at least this many per expert: tiles of 64 rows
 *                                      then are mostly full; below, tiles of 8 and the row kernel
 * @param attentionMinSplitLength       cache positions each split of a sequence gets at least
 * @param attentionMaxSplits            splits of one sequence at most
 */
public record KernelPolicy(int linearTensorCoreMinRows, int moeTensorCoreMinRowsPerExpert, int attentionMinSplitLength,
        int attentionMaxSplits) {

    public KernelPolicy {
        if (linearTensorCoreMinRows < 1 || moeTensorCoreMinRowsPerExpert < 0 || attentionMinSplitLength < 1
                || attentionMaxSplits < 1) {
            throw new IllegalArgumentException("kernel policy " + linearTensorCoreMinRows + ", "
                    + moeTensorCoreMinRowsPerExpert + ", " + attentionMinSplitLength + ", " + attentionMaxSplits);
        }
    }

    public static KernelPolicy defaults() {
        return new KernelPolicy(32, 8, 256, 32);
    }

    /** Only the float32 row kernels, and no attention splits: the closest to the CPU's arithmetic. */
    public static KernelPolicy rowKernels() {
        return new KernelPolicy(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, 1);
    }

    /** Tensor cores wherever the shapes allow, and attention split as finely as possible (tests). */
    public static KernelPolicy tensorCoresAndSplits() {
        return new KernelPolicy(1, 0, AttentionPlan.CHUNK, 64);
    }
}
