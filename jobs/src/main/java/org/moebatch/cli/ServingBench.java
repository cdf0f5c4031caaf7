package org.moebatch.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.moebatch.backend.Backend;
import org.moebatch.engine.Engine;
import org.moebatch.engine.EngineConfig;
import org.moebatch.engine.EngineStats;
import org.moebatch.engine.GenerationRequest;
import org.moebatch.engine.GenerationResult;
import org.moebatch.engine.SamplingParams;
import org.moebatch.model.MoeModel;

/**
 * A batch-job workload for the engine: rows that share a system prompt, with prompts and outputs
 * of different lengths, all submitted at once as a Spark task's window would. Run with continuous
 * batching, and one row at a time, on the same model.
 */
final class ServingBench {
    /** One run's outcome. */
    record Outcome(String mode, int rows, double seconds, long completionTokens, double prefixHitRate) {
        double rowsPerSecond() {
            return rows / seconds;
        }

        double tokensPerSecond() {
            return completionTokens / seconds;
        }
    }

    private final MoeModel model;
    private final Backend backend;
    private final List<GenerationRequest> requests = new ArrayList<>();

    ServingBench(MoeModel model, Backend backend, int rows, int systemTokens, long seed) {
        this.model = model;
        this.backend = backend;
        Random random = new Random(seed);
        int vocab = model.spec().vocabSize();
        int[] system = new int[systemTokens];
        for (int i = 0; i < systemTokens; i++) {
            system[i] = random.nextInt(vocab);
        }
        for (int r = 0; r < rows; r++) {
            int user = 16 + random.nextInt(112);
            int[] prompt = new int[systemTokens + user];
            System.arraycopy(system, 0, prompt, 0, systemTokens);
            for (int i = systemTokens; i < prompt.length; i++) {
                prompt[i] = random.nextInt(vocab);
            }
            int maxTokens = 8 + random.nextInt(56);
            requests.add(new GenerationRequest("row-" + r, prompt, SamplingParams.greedy(maxTokens).withIgnoreEos(true)));
        }
    }

    Outcome run(String mode, int maxRunning, boolean prefixSharing) {
        EngineConfig config = EngineConfig.defaults().withMaxRunning(maxRunning).withPrefixSharing(prefixSharing);
        long start = System.nanoTime();
        try (Engine engine = new Engine(model, backend, config)) {
            List<CompletableFuture<GenerationResult>> futures = new ArrayList<>();
            for (GenerationRequest r : requests) {
                futures.add(engine.submit(r));
            }
            long tokens = 0;
            for (CompletableFuture<GenerationResult> f : futures) {
                tokens += f.join().tokens().length;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            EngineStats.Snapshot stats = engine.stats();
            return new Outcome(mode, requests.size(), seconds, tokens, stats.prefixHitRate());
        }
    }
}
