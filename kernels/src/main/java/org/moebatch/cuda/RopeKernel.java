package org.moebatch.cuda;

/** Launcher of rope.cu: rotary embedding (YaRN tables from the host) of each head's rope part, in place. */
public final class RopeKernel {
    static final int THREADS = 128;

    private final KernelModules modules;

    public RopeKernel(KernelModules modules) {
        this.modules = modules;
    }

    /** One block per token, the token's rope parts staged in shared memory. */
    public static Launch geometry(int tokens, int heads, int dim) {
        return new Launch(tokens, 1, 1, THREADS, 4 * heads * dim);
    }

    /**
     * Rotates {@code x [tokens, cols]}: for each of {@code heads} heads of width {@code headWidth},
     * the {@code dim} elements at {@code ropeOffset}, by {@code cos, sin [tokens, dim / 2]}.
     */
    public void rotate(DeviceBuffer x, DeviceBuffer cos, DeviceBuffer sin, int tokens, int cols, int heads, int headWidth,
            int ropeOffset, int dim, boolean interleaved) {
        modules.launch(KernelName.ROPE, geometry(tokens, heads, dim), new KernelArgs().ptr(x).ptr(cos).ptr(sin).i32(cols)
                .i32(heads).i32(headWidth).i32(ropeOffset).i32(dim).flag(interleaved));
    }
}
