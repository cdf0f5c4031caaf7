package org.moebatch.cuda;

/** Launchers of router.cu: DeepSeek-V3's gate, fused, one warp per token; the expert-load histogram. */
public final class RouterKernel {
    static final int WARPS = 4;

    private final KernelModules modules;

    public RouterKernel(KernelModules modules) {
        this.modules = modules;
    }

    /** Four tokens per block; each warp keeps its token's scores, choices and group state in shared memory. */
    public static Launch geometry(int tokens, int experts, int groups) {
        return new Launch(Launch.ceilDiv(tokens, WARPS), 1, 1, WARPS * 32, 4 * WARPS * (2 * experts + 2 * groups));
    }

    /**
     * Routes {@code logits [tokens, experts]}: writes {@code chosen, weights [tokens, k]}.
     * {@code bias} (e_score_correction_bias) may be null.
     */
    public void route(DeviceBuffer logits, DeviceBuffer bias, int tokens, int experts, int k, int groups, int groupsKept,
            boolean sigmoid, boolean normalize, float scalingFactor, DeviceBuffer chosen, DeviceBuffer weights) {
        modules.launch(KernelName.ROUTE, geometry(tokens, experts, groups), new KernelArgs().ptr(logits).ptr(bias)
                .i32(tokens).i32(experts).i32(k).i32(groups).i32(groupsKept).flag(sigmoid).flag(normalize)
                .f32(scalingFactor).ptr(chosen).ptr(weights));
    }

    /**
     * Adds {@code chosen [slots]} to one layer's row of the step's histogram, {@code row} being
     * {@link ExpertHistogram#row} of it: no host round trip.
     */
    public void countExperts(DeviceBuffer chosen, int slots, int experts, DeviceBuffer row) {
        if (slots == 0) {
            return;
        }
        modules.launch(KernelName.COUNT_EXPERTS, ExpertHistogram.launch(slots), new KernelArgs().ptr(chosen).i32(slots)
                .i32(experts).ptr(row));
    }
}
