package org.moebatch.cuda;

/** Launchers of fill.cu: reproducible random device memory for benchmarks. */
public final class FillKernels {
    private final KernelModules modules;

    public FillKernels(KernelModules modules) {
        this.modules = modules;
    }

    /** {@code n} bf16 values uniform in [-scale, scale), a function of (seed, index). */
    public void uniformBf16(DeviceBuffer p, long n, long seed, float scale) {
        modules.launch(KernelName.FILL_UNIFORM_BF16, RowKernels.elementwise(n, modules.context().properties().multiprocessors()),
                new KernelArgs().ptr(p).i64(n).i64(seed).f32(scale));
    }

    /** {@code n} float values uniform in [-scale, scale). */
    public void uniformF32(DeviceBuffer p, long n, long seed, float scale) {
        modules.launch(KernelName.FILL_UNIFORM_F32, RowKernels.elementwise(n, modules.context().properties().multiprocessors()),
                new KernelArgs().ptr(p).i64(n).i64(seed).f32(scale));
    }
}
