package org.moebatch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.moebatch.backend.Backend;
import org.moebatch.chat.ChatRunner;
import org.moebatch.chat.ChatTemplate;
import org.moebatch.engine.Backends;
import org.moebatch.engine.Engine;
import org.moebatch.engine.EngineConfig;
import org.moebatch.engine.EngineStats;
import org.moebatch.engine.GenerationRequest;
import org.moebatch.engine.GenerationResult;
import org.moebatch.engine.SamplingParams;
import org.moebatch.model.MoeModel;
import org.moebatch.tokenizer.Tokenizer;
import org.moebatch.tools.constrain.ToolCallProbe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code moe-batch bench}: prefill and decode throughput of the engine's own scheduler at several
 * batch sizes. With {@code --json}, one object on stdout:
 * {@code {"model", "device", "threads", "results": [{"batch", "prefill_tokens_per_s", "decode_tokens_per_s", ...}]}}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure prefill and decode tokens/s of the engine at several batch sizes.")
final class BenchCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(BenchCommand.class);

    @Option(names = "--model", paramLabel = "DIR", converter = OptionChecks.ExistingDirectory.class, description = "Checkpoint directory (default: the tiny model in data-samples/).")
    Path model;

    @Option(names = "--batch", split = ",", defaultValue = "1,8,32", description = "Batch sizes (default: ${DEFAULT-VALUE}).")
    int[] batches;

    @Option(names = "--prompt-len", defaultValue = "64", converter = OptionChecks.Positive.class, description = "Prompt tokens per row (default: ${DEFAULT-VALUE}).")
    int promptLength;

    @Option(names = "--gen-len", defaultValue = "32", converter = OptionChecks.Positive.class, description = "Generated tokens per row (default: ${DEFAULT-VALUE}).")
    int generateLength;

    @Option(names = "--threads", defaultValue = "0", converter = OptionChecks.NonNegative.class, description = "CPU threads, 0 for one per core (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--device", defaultValue = "cpu", converter = OptionChecks.Device.class, description = "cpu, cpu-reference, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--repeat", defaultValue = "1", converter = OptionChecks.Positive.class, description = "Runs per batch size; the best is reported (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--json", description = "Print one JSON object on stdout instead of a table.")
    boolean json;

    @Option(names = "--warmup-s", defaultValue = "6",
            description = "Seconds of warm-up runs before measuring, so the JIT has compiled the kernels (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Option(names = "--profile", description = "Time each backend operation and print the breakdown on stderr.")
    boolean profile;

    @Option(names = "--serving", paramLabel = "ROWS", defaultValue = "0",
            description = "Instead of the batch sweep: ROWS rows sharing a system prompt, continuous batching against one row at a time.")
    int servingRows;

    @Option(names = "--system-tokens", defaultValue = "256", description = "Shared system prompt length for --serving (default: ${DEFAULT-VALUE}).")
    int systemTokens;

    @Option(names = "--tool-calls", paramLabel = "TURNS", defaultValue = "0",
            description = "Instead of the batch sweep: TURNS turns that must call tools, with and without constrained decoding.")
    int toolCallTurns;

    @Option(names = "--tool-schemas", paramLabel = "FILE", description = "Tool declarations for --tool-calls (default: data-samples/tools/schemas.json).")
    Path toolSchemas;

    @Override
    public Integer call() throws java.io.IOException {
        if (promptLength < 1 || generateLength < 1 || repeat < 1) {
            throw new IllegalArgumentException("--prompt-len, --gen-len and --repeat must be at least 1");
        }
        Path dir = model != null ? model : Defaults.model();
        int threadCount = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode out = mapper.createObjectNode();
        Backend created = Backends.create(device, threadCount);
        org.moebatch.backend.ProfilingBackend profiler = profile ? new org.moebatch.backend.ProfilingBackend(created) : null;
        try (Backend backend = profiler != null ? profiler : created) {
            MoeModel m = MoeModel.load(dir, backend);
            out.put("model", dir.toString());
            out.put("device", device);
            out.put("threads", threadCount);
            java.util.OptionalDouble load = MachineLoad.oneMinute();
            load.ifPresent(l -> out.put("load_average_before", l));
            String busy = MachineLoad.warning(load, threadCount, Runtime.getRuntime().availableProcessors());
            if (busy != null) {
                LOG.warn(busy);
                out.put("warning", busy);
            }
            if (servingRows > 0) {
                return serving(m, backend, out);
            }
            if (toolCallTurns > 0) {
                return toolCalls(m, backend, out);
            }
            out.put("prompt_len", promptLength);
            out.put("gen_len", generateLength);
            ArrayNode results = out.putArray("results");
            // The JIT compiles the vector kernels only after they have run a while (4 s and more on
            // this 2-core machine); until then they run boxed, a hundred times slower. Warm up on the
            // real shapes, prefill and decode, before measuring anything.
            LOG.info("warming up for {} s", warmupSeconds);
            long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
            for (int w = 0; w < 3 || System.nanoTime() < warmupEnd; w++) {
                run(m, backend, Math.min(8, batches[0] == 0 ? 8 : Math.max(4, batches[0])), promptLength, 16, -1 - w);
            }
            if (profiler != null) {
                profiler.reset();
            }
            for (int batch : batches) {
                EngineStats.Snapshot best = null;
                for (int r = 0; r < repeat; r++) {
                    EngineStats.Snapshot s = run(m, backend, batch, promptLength, generateLength, r + 1);
                    if (best == null || s.decodeTokensPerSecond() > best.decodeTokensPerSecond()) {
                        best = s;
                    }
                }
                ObjectNode row = results.addObject();
                row.put("batch", batch);
                row.put("prefill_tokens_per_s", round(best.prefillTokensPerSecond()));
                row.put("decode_tokens_per_s", round(best.decodeTokensPerSecond()));
                row.put("expert_load_max_over_mean", round(maxOverMean(best.expertTokens())));
                LOG.info("batch {}: prefill {} tokens/s, decode {} tokens/s", batch,
                        round(best.prefillTokensPerSecond()), round(best.decodeTokensPerSecond()));
            }
            out.put("peak_rss_mb", ProcessMemory.peakResidentMegabytes());
            if (profiler != null) {
                System.err.print(profiler.report());
            }
        }
        if (json) {
            System.out.println(out.toString());
        } else {
            System.out.printf("%-8s %20s %20s %14s%n", "batch", "prefill tokens/s", "decode tokens/s", "expert max/mean");
            for (var row : out.get("results")) {
                System.out.printf("%-8d %20.1f %20.1f %14.2f%n", row.get("batch").asInt(), row.get("prefill_tokens_per_s").asDouble(),
                        row.get("decode_tokens_per_s").asDouble(), row.get("expert_load_max_over_mean").asDouble());
            }
            System.out.printf("model %s on %s, %d threads, peak RSS %d MB%n", out.get("model").asText(), device, threadCount,
                    out.get("peak_rss_mb").asLong());
        }
        return 0;
    }

    private int serving(MoeModel m, Backend backend, ObjectNode out) {
        ServingBench bench = new ServingBench(m, backend, servingRows, systemTokens, 1);
        LOG.info("warming up");
        new ServingBench(m, backend, 8, systemTokens, 2).run("warm-up", 8, true);
        List<ServingBench.Outcome> outcomes = List.of(
                bench.run("continuous batching, prefix sharing", 64, true),
                bench.run("continuous batching, no sharing", 64, false),
                bench.run("one row at a time", 1, true));
        ArrayNode rows = out.putArray("serving");
        for (ServingBench.Outcome o : outcomes) {
            ObjectNode row = rows.addObject();
            row.put("mode", o.mode());
            row.put("rows", o.rows());
            row.put("seconds", round(o.seconds()));
            row.put("rows_per_s", round(o.rowsPerSecond()));
            row.put("completion_tokens_per_s", round(o.tokensPerSecond()));
            row.put("prefix_hit_rate", round(o.prefixHitRate()));
        }
        if (json) {
            System.out.println(out.toString());
        } else {
            System.out.printf("%-40s %10s %12s %12s%n", "mode", "rows/s", "tokens/s", "prefix hits");
            for (ServingBench.Outcome o : outcomes) {
                System.out.printf("%-40s %10.2f %12.1f %11.0f%%%n", o.mode(), o.rowsPerSecond(), o.tokensPerSecond(),
                        100 * o.prefixHitRate());
            }
        }
        return 0;
    }

    private int toolCalls(MoeModel m, Backend backend, ObjectNode out) throws java.io.IOException {
        Path schemas = toolSchemas != null ? toolSchemas : Defaults.home().resolve("data-samples/tools/schemas.json");
        List<com.fasterxml.jackson.databind.JsonNode> tools = new ArrayList<>();
        new ObjectMapper().readTree(java.nio.file.Files.readString(schemas)).forEach(tools::add);
        Engine engine = new Engine(m, backend, EngineConfig.defaults());
        ChatRunner runner = new ChatRunner(engine, Tokenizer.load(m.dir()), ChatTemplate.load(m.dir()));
        try {
            ToolCallProbe.run(runner, tools, 8, 100, true, 99); // warm-up
            ToolCallProbe.Outcome free = ToolCallProbe.run(runner, tools, toolCallTurns, 400, false, 1);
            ToolCallProbe.Outcome constrained = ToolCallProbe.run(runner, tools, toolCallTurns, 400, true, 1);
            ArrayNode rows = out.putArray("tool_calls");
            for (var e : java.util.Map.of("unconstrained", free, "constrained", constrained).entrySet()) {
                ObjectNode row = rows.addObject();
                row.put("mode", e.getKey());
                row.put("turns", e.getValue().turns());
                row.put("calls", e.getValue().calls());
                row.put("schema_valid", e.getValue().valid());
                row.put("schema_valid_share", round(e.getValue().validShare()));
                row.put("tokens_per_s", round(e.getValue().tokensPerSecond()));
            }
            if (json) {
                System.out.println(out.toString());
            } else {
                System.out.printf("%-15s %8s %8s %12s %12s%n", "mode", "calls", "valid", "valid share", "tokens/s");
                for (var row : rows) {
                    System.out.printf("%-15s %8d %8d %11.1f%% %12.1f%n", row.get("mode").asText(), row.get("calls").asInt(),
                            row.get("schema_valid").asInt(), 100 * row.get("schema_valid_share").asDouble(),
                            row.get("tokens_per_s").asDouble());
                }
            }
        } finally {
            runner.close();
        }
        return 0;
    }

    /** One run: {@code batch} rows submitted together, all prompts in one prefill step, then decode. */
    private static EngineStats.Snapshot run(MoeModel m, Backend backend, int batch, int promptLength,
            int generateLength, long seed) {
        int vocab = m.spec().vocabSize();
        long cacheBytes = 4L * m.spec().layers() * m.spec().cacheEntryFloats()
                * (long) batch * (promptLength + generateLength + 32);
        EngineConfig config = EngineConfig.defaults()
                .withMaxRunning(batch)
                .withMaxStepTokens(Math.max(512, batch * promptLength))
                .withKvCacheBytes(Math.max(cacheBytes, 64L << 20))
                .withPrefixSharing(false);
        Random random = new Random(seed);
        try (Engine engine = new Engine(m, backend, config)) {
            List<CompletableFuture<GenerationResult>> futures = new ArrayList<>();
            for (int b = 0; b < batch; b++) {
                int[] prompt = new int[promptLength];
                for (int i = 0; i < promptLength; i++) {
                    prompt[i] = random.nextInt(vocab);
                }
                futures.add(engine.submit(new GenerationRequest("bench-" + b, prompt,
                        SamplingParams.greedy(generateLength).withIgnoreEos(true))));
            }
            for (CompletableFuture<GenerationResult> f : futures) {
                f.join();
            }
            return engine.stats();
        }
    }

    /** Mean over MoE layers of (busiest expert's tokens / mean tokens per expert): 1 is perfect balance. */
    static double maxOverMean(long[][] expertTokens) {
        double sum = 0;
        int layers = 0;
        for (long[] layer : expertTokens) {
            if (layer.length == 0) {
                continue;
            }
            long max = 0;
            long total = 0;
            for (long n : layer) {
                max = Math.max(max, n);
                total += n;
            }
            if (total > 0) {
                sum += max / ((double) total / layer.length);
                layers++;
            }
        }
        return layers == 0 ? 0 : sum / layers;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
