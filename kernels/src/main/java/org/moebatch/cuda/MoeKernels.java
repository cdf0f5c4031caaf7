package org.moebatch.cuda;

/**
 * Launchers of moe.cu: align the step's (token, expert) slots by expert, the gate/up product with
 * SwiGLU, the down product, and the weighted combine. Experts' matrices are found through tables of
 * device pointers, {@link ExpertTables}.
 */
public final class MoeKernels {
    static final int COMBINE_THREADS = 256;

    private final KernelModules modules;

    public MoeKernels(KernelModules modules) {
        this.modules = modules;
    }

    /**
     * Device scratch of one MoE call, sized by the caller from {@link MoePlan}.
     *
     * @param sorted     [capacity] ints
     * @param tileExpert [maxTiles] ints
     * @param tileCount  [1] int
     * @param act        [slots, width]: float32 on the row path, bf16 on tensor cores
     * @param y          [slots, hidden] float32: each slot's expert output before weighting
     */
    public record Scratch(DeviceBuffer sorted, DeviceBuffer tileExpert, DeviceBuffer tileCount, DeviceBuffer act,
            DeviceBuffer y) {}

    /** Bytes of each scratch buffer for {@code plan}. */
    public static long[] scratchBytes(MoePlan plan, int hidden, int width) {
        long actElement = plan.path() == GemmPlan.Path.TENSOR_CORES ? 2 : 4;
        return new long[] {4L * plan.capacity(), 4L * plan.maxTiles(), 4, actElement * plan.slots() * width,
            4L * plan.slots() * hidden};
    }

    /**
     * The routed experts: {@code out [tokens, hidden] = sum_j weights[t, j] * expert_{chosen[t, j]}(x[t])}.
     * {@code chosen} and {@code weights} are [tokens * k] on the device; a slot of expert {@code -1}
     * (owned by another device) adds nothing.
     */
    public void run(MoePlan plan, DeviceBuffer out, DeviceBuffer x, DeviceBuffer chosen, DeviceBuffer weights,
            ExpertTables experts, int tokens, int k, int hidden, int width, Scratch s) {
        int slots = plan.slots();
        modules.launch(KernelName.MOE_ALIGN, MoePlan.align(experts.count()), new KernelArgs().ptr(chosen).i32(slots)
                .i32(experts.count()).i32(plan.tile()).ptr(s.sorted()).ptr(s.tileExpert()).ptr(s.tileCount()));
        if (plan.path() == GemmPlan.Path.TENSOR_CORES) {
            modules.launch(KernelName.MOE_GATE_UP_TC_BF16, plan.gateUp(width), new KernelArgs().ptr(s.act()).ptr(x)
                    .ptr(s.sorted()).ptr(s.tileExpert()).ptr(s.tileCount()).ptr(experts.gate()).ptr(experts.up()).i32(k)
                    .i32(slots).i32(hidden).i32(width));
            modules.launch(KernelName.MOE_DOWN_TC_BF16, plan.down(hidden), new KernelArgs().ptr(s.y()).ptr(s.act())
                    .ptr(s.sorted()).ptr(s.tileExpert()).ptr(s.tileCount()).ptr(experts.down()).i32(slots).i32(hidden)
                    .i32(width));
        } else {
            modules.launch(KernelName.gateUpRows(experts.type()), plan.gateUp(width), new KernelArgs().ptr(s.act()).ptr(x)
                    .ptr(s.sorted()).ptr(s.tileExpert()).ptr(s.tileCount()).ptr(experts.gate()).ptr(experts.up()).i32(k)
                    .i32(slots).i32(hidden).i32(width).flag(plan.vectorized()));
            modules.launch(KernelName.downRows(experts.type()), plan.down(hidden), new KernelArgs().ptr(s.y()).ptr(s.act())
                    .ptr(s.sorted()).ptr(s.tileExpert()).ptr(s.tileCount()).ptr(experts.down()).i32(slots).i32(hidden)
                    .i32(width).flag(plan.vectorized()));
        }
        modules.launch(KernelName.MOE_COMBINE, Launch.of(tokens, COMBINE_THREADS),
                new KernelArgs().ptr(out).ptr(s.y()).ptr(chosen).ptr(weights).i32(k).i32(hidden));
    }

    /** Only the align step, for testing it against {@link MoeAlignPlan}. */
    public void align(DeviceBuffer chosen, int slots, int experts, int tile, DeviceBuffer sorted, DeviceBuffer tileExpert,
            DeviceBuffer tileCount) {
        modules.launch(KernelName.MOE_ALIGN, MoePlan.align(experts), new KernelArgs().ptr(chosen).i32(slots).i32(experts)
                .i32(tile).ptr(sorted).ptr(tileExpert).ptr(tileCount));
    }
}
