package org.moebatch.cuda.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.moebatch.cuda.CudaContext;
import org.moebatch.cuda.DeviceBuffer;
import org.moebatch.cuda.DevicePool;
import org.moebatch.cuda.ExpertTables;
import org.moebatch.cuda.FillKernels;
import org.moebatch.cuda.GemmPlan;
import org.moebatch.cuda.HostStaging;
import org.moebatch.cuda.KernelModules;
import org.moebatch.cuda.KernelPolicy;
import org.moebatch.cuda.MoeKernels;
import org.moebatch.cuda.MoePlan;
import org.moebatch.cuda.WeightArena;
import org.moebatch.cuda.WeightType;

/**
 * The routed-expert computation of one MoE layer on the GPU (align, gate/up with SwiGLU, down,
 * weighted combine) at a chosen expert shape, for a sweep of token counts: device time per layer,
 * TFLOP/s, and the share of a measured bf16 ceiling. Weights are random bf16 made on the device.
 * Each token picks {@code top-k} distinct experts uniformly at random (a balanced router).
 *
 * <pre>
 *   java -cp ... org.moebatch.cuda.bench.GroupedGemmBench [--experts 384] [--hidden 7168] [--width 2048]
 *       [--top-k 8] [--tokens 1,2,4,...,4096] [--repeat 5] [--ceiling-tflops X] [--device 0]
 * </pre>
 *
 * Prints one JSON object per (token count, kernel path) on stdout; a table on stderr. Both paths run
 * at every size (the row kernels and the tensor cores), marked with which one the default policy picks.
 */
public final class GroupedGemmBench {
    private GroupedGemmBench() {}

    public static void main(String[] args) {
        int experts = 384;
        int hidden = 7168;
        int width = 2048;
        int k = 8;
        int repeat = 5;
        int device = 0;
        double ceiling = 0;
        int[] sizes = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--experts" -> experts = Integer.parseInt(value);
                case "--hidden" -> hidden = Integer.parseInt(value);
                case "--width" -> width = Integer.parseInt(value);
                case "--top-k" -> k = Integer.parseInt(value);
                case "--repeat" -> repeat = Integer.parseInt(value);
                case "--device" -> device = Integer.parseInt(value);
                case "--ceiling-tflops" -> ceiling = Double.parseDouble(value);
                case "--tokens" -> sizes = java.util.Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--experts --hidden --width --top-k --tokens --repeat --ceiling-tflops --device)");
            }
        }
        try {
            run(device, experts, hidden, width, k, sizes, repeat, ceiling);
        } catch (org.moebatch.cuda.CudaException e) {
            System.err.println("grouped-gemm-bench: " + e.getMessage()); // one line: no device, no kernels, out of memory
            System.exit(1);
        }
    }

    private static void run(int device, int experts, int hidden, int width, int k, int[] sizes, int repeat, double ceiling) {
        try (CudaContext context = CudaContext.open(device);
                KernelModules modules = KernelModules.load(context);
                WeightArena arena = new WeightArena(context);
                DevicePool pool = new DevicePool(context);
                HostStaging staging = new HostStaging(context);
                StreamTimer timer = new StreamTimer(context)) {
            System.err.printf("%s: %d experts [%d -> %d -> %d] top-%d, bf16%n", context, experts, hidden, width, hidden, k);
            FillKernels fill = new FillKernels(modules);
            long[][] pointers = new long[3][experts];
            for (int e = 0; e < experts; e++) {
                for (int m = 0; m < 3; m++) {
                    long n = (long) hidden * width;
                    DeviceBuffer w = arena.allocate(2 * n, "expert " + e);
                    // scaled as the reference checkpoints are: 1 / sqrt(fan-in)
                    fill.uniformBf16(w, n, 1000L * e + m, (float) (1 / Math.sqrt(m == 2 ? width : hidden)));
                    pointers[m][e] = w.address();
                }
            }
            DeviceBuffer[] tables = new DeviceBuffer[3];
            for (int m = 0; m < 3; m++) {
                tables[m] = arena.allocate(8L * experts, "pointers");
                staging.upload(pointers[m], experts, tables[m], "expert pointers");
            }
            ExpertTables expertTables = new ExpertTables(tables[0], tables[1], tables[2], experts, WeightType.BF16);
            System.err.printf("%.1f GiB of expert weights on the device%n", arena.usedBytes() / (double) (1L << 30));

            int maxTokens = java.util.Arrays.stream(sizes).max().orElse(1);
            DeviceBuffer x = pool.allocate(4L * maxTokens * hidden, "x");
            DeviceBuffer out = pool.allocate(4L * maxTokens * hidden, "out");
            DeviceBuffer chosen = pool.allocate(4L * maxTokens * k, "chosen");
            DeviceBuffer weights = pool.allocate(4L * maxTokens * k, "weights");
            fill.uniformF32(x, (long) maxTokens * hidden, 7, 1f);
            MoeKernels moe = new MoeKernels(modules);
            List<String> table = new ArrayList<>();
            for (int tokens : sizes) {
                int[] ids = new int[tokens * k];
                float[] w = new float[tokens * k];
                Random random = new Random(tokens);
                boolean[] active = new boolean[experts];
                for (int t = 0; t < tokens; t++) {
                    for (int j = 0; j < k; j++) {
                        int e;
                        boolean taken;
                        do {
                            e = random.nextInt(experts);
                            taken = false;
                            for (int i = 0; i < j; i++) {
                                taken |= ids[t * k + i] == e;
                            }
                        } while (taken);
                        ids[t * k + j] = e;
                        w[t * k + j] = 1f / k;
                        active[e] = true;
                    }
                }
                int activeExperts = 0;
                for (boolean a : active) {
                    activeExperts += a ? 1 : 0;
                }
                staging.upload(ids, ids.length, chosen, "chosen experts");
                staging.upload(w, w.length, weights, "routing weights");
                GemmPlan.Path chosenByPolicy = MoePlan.of(KernelPolicy.defaults(), WeightType.BF16, tokens, k, experts,
                        hidden, width).path();
                for (KernelPolicy policy : new KernelPolicy[] {KernelPolicy.rowKernels(), KernelPolicy.tensorCoresAndSplits()}) {
                    MoePlan plan = MoePlan.of(policy, WeightType.BF16, tokens, k, experts, hidden, width);
                    long[] bytes = MoeKernels.scratchBytes(plan, hidden, width);
                    DeviceBuffer[] s = new DeviceBuffer[bytes.length];
                    for (int i = 0; i < bytes.length; i++) {
                        s[i] = pool.allocate(bytes[i], "scratch");
                    }
                    MoeKernels.Scratch scratch = new MoeKernels.Scratch(s[0], s[1], s[2], s[3], s[4]);
                    Runnable layer = () -> moe.run(plan, out, x, chosen, weights, expertTables, tokens, k, hidden, width, scratch);
                    layer.run(); // warm-up: the driver's JIT of the PTX, caches
                    context.synchronize("warm-up");
                    double ms = timer.millisecondsPerRun(repeat, layer);
                    double tflops = 6.0 * tokens * k * hidden * width / (ms * 1e-3) / 1e12;
                    double weightGBs = 3.0 * activeExperts * hidden * width * 2 / (ms * 1e-3) / 1e9;
                    boolean isDefault = plan.path() == chosenByPolicy;
                    String line = String.format(Locale.ROOT,
                            "{\"tokens\":%d,\"path\":\"%s\",\"default\":%b,\"ms\":%.4f,\"tflops\":%.2f,\"share_of_ceiling\":%s,"
                                    + "\"active_experts\":%d,\"weight_gb_per_s\":%.1f}",
                            tokens, plan.path().name().toLowerCase(Locale.ROOT), isDefault, ms, tflops,
                            ceiling > 0 ? String.format(Locale.ROOT, "%.3f", tflops / ceiling) : "null", activeExperts, weightGBs);
                    System.out.println(line);
                    table.add(String.format(Locale.ROOT, "%6d %-13s %1s %10.3f %9.1f %8s %8d %10.0f", tokens,
                            plan.path().name().toLowerCase(Locale.ROOT), isDefault ? "*" : "", ms, tflops,
                            ceiling > 0 ? String.format(Locale.ROOT, "%.0f%%", 100 * tflops / ceiling) : "-", activeExperts,
                            weightGBs));
                    for (DeviceBuffer b : s) {
                        pool.release(b);
                    }
                }
            }
            System.err.printf("%6s %-13s %1s %10s %9s %8s %8s %10s%n", "tokens", "path", "", "ms/layer", "TFLOP/s", "ceiling",
                    "experts", "weight GB/s");
            table.forEach(System.err::println);
            System.err.println("* the path the default policy takes at that size");
        }
    }
}
