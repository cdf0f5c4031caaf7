package org.moebatch.cuda;

/** Launchers of rows.cu: embedding gather, RMSNorm, the fused residual add + RMSNorm, add, SwiGLU gate, row gather. */
public final class RowKernels {
    static final int THREADS = 256;
    /** Grid-stride kernels use at most this many blocks per multiprocessor. */
    static final int BLOCKS_PER_SM = 8;

    private final KernelModules modules;

    public RowKernels(KernelModules modules) {
        this.modules = modules;
    }

    /** One block per row. */
    public static Launch perRow(int rows) {
        return Launch.of(rows, THREADS);
    }

    /** A grid-stride loop over {@code n} elements: enough blocks to fill the device, no more. */
    public static Launch elementwise(long n, int multiprocessors) {
        return Launch.of((int) Math.max(1, Math.min(Launch.ceilDiv(n, THREADS), (long) multiprocessors * BLOCKS_PER_SM)), THREADS);
    }

    /** out[t] = table[tokens[t]] as float, {@code cols} wide. */
    public void embed(DeviceBuffer out, DeviceBuffer tokens, DeviceBuffer table, WeightType type, int rows, int cols) {
        modules.launch(KernelName.embed(type), perRow(rows), new KernelArgs().ptr(out).ptr(tokens).ptr(table).i32(cols));
    }

    public void rmsNorm(DeviceBuffer out, DeviceBuffer x, DeviceBuffer gamma, float eps, int rows, int cols) {
        modules.launch(KernelName.RMS_NORM, perRow(rows), new KernelArgs().ptr(out).ptr(x).ptr(gamma).f32(eps).i32(cols));
    }

    public void addRmsNorm(DeviceBuffer residual, DeviceBuffer delta, DeviceBuffer out, DeviceBuffer gamma, float eps,
            int rows, int cols) {
        modules.launch(KernelName.ADD_RMS_NORM, perRow(rows),
                new KernelArgs().ptr(residual).ptr(delta).ptr(out).ptr(gamma).f32(eps).i32(cols));
    }

    public void add(DeviceBuffer residual, DeviceBuffer delta, long n) {
        modules.launch(KernelName.ADD, elementwise(n, multiprocessors()), new KernelArgs().ptr(residual).ptr(delta).i64(n));
    }

    public void siluMul(DeviceBuffer gate, DeviceBuffer up, long n) {
        modules.launch(KernelName.SILU_MUL, elementwise(n, multiprocessors()), new KernelArgs().ptr(gate).ptr(up).i64(n));
    }

    public void gatherRows(DeviceBuffer out, DeviceBuffer x, DeviceBuffer rowIds, int rows, int cols) {
        modules.launch(KernelName.GATHER_ROWS, perRow(rows), new KernelArgs().ptr(out).ptr(x).ptr(rowIds).i32(cols));
    }

    private int multiprocessors() {
        return modules.context().properties().multiprocessors();
    }
}
