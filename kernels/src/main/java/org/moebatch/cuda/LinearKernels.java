package org.moebatch.cuda;

/** Launchers of linear.cu: {@code out = x W^T + b} by the row kernel or on tensor cores. */
public final class LinearKernels {
    private final KernelModules modules;
    private final KernelPolicy policy;

    public LinearKernels(KernelModules modules, KernelPolicy policy) {
        this.modules = modules;
        this.policy = policy;
    }

    /**
     * {@code out [m, n] = x [m, k] W [n, k]^T + bias}; {@code bias} may be null. Picks the kernel by
     * the policy, the weight type and the shape; returns the path taken.
     */
    public GemmPlan.Path linear(DeviceBuffer out, DeviceBuffer x, DeviceBuffer w, WeightType type, DeviceBuffer bias, int m,
            int n, int k) {
        GemmPlan.Path path = GemmPlan.linear(policy, type, m, k, k);
        if (path == GemmPlan.Path.TENSOR_CORES) {
            modules.launch(KernelName.LINEAR_TC_BF16, GemmPlan.tensorCores(m, n),
                    new KernelArgs().ptr(out).ptr(x).ptr(w).ptr(bias).i32(m).i32(n).i32(k).i32(k).i32(n));
        } else {
            rows(out, x, w, type, bias, m, n, k, k, n, 1, 0, 0, 0, 0);
        }
        return path;
    }

    /**
     * The row kernel in full generality: {@code batches} products, product {@code z} reading x at
     * column {@code z * xBatch}, weight rows from {@code wRowBase + z * wBatchRows}, writing out at
     * column {@code z * oBatch}. MLA's value projection is one such product per head.
     */
    public void rows(DeviceBuffer out, DeviceBuffer x, DeviceBuffer w, WeightType type, DeviceBuffer bias, int m, int n,
            int k, int ldx, int ldo, int batches, int xBatch, int wRowBase, int wBatchRows, int oBatch) {
        modules.launch(KernelName.linearRows(type), GemmPlan.rows(m, n, batches),
                new KernelArgs().ptr(out).ptr(x).ptr(w).ptr(bias).i32(m).i32(n).i32(k).i32(ldx).i32(ldo).i32(xBatch)
                        .i32(wRowBase).i32(wBatchRows).i32(oBatch).flag(GemmPlan.vectorized(k, ldx, xBatch)));
    }
}
