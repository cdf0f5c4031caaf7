package org.moebatch.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.moebatch.backend.CpuBackend;
import org.moebatch.model.MoeModel;
import org.moebatch.testing.Samples;

/**
 * Continuous batching must not change any row's output: whatever else is in flight, however the
 * prompt is chunked, whether its prefix came from the cache, whether it was preempted.
 */
class EngineTest {
    private static CpuBackend backend;
    private static MoeModel model;

    @BeforeAll
    static void load() {
        backend = new CpuBackend(2);
        model = MoeModel.load(Samples.model("kimi-k2-tiny"), backend);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    private static int[] prompt(Random r, int length, int[] prefix) {
        int[] p = new int[length];
        for (int i = 0; i < length; i++) {
            p[i] = i < prefix.length ? prefix[i] : 3 + r.nextInt(500);
        }
        return p;
    }

    private static List<GenerationResult> runAll(EngineConfig config, List<GenerationRequest> requests) throws Exception {
        try (Engine engine = new Engine(model, backend, config)) {
            List<CompletableFuture<GenerationResult>> futures = new ArrayList<>();
            for (GenerationRequest r : requests) {
                futures.add(engine.submit(r));
            }
            List<GenerationResult> results = new ArrayList<>();
            for (CompletableFuture<GenerationResult> f : futures) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        }
    }

    private static List<GenerationRequest> mixedRequests() {
        Random r = new Random(7);
        int[] systemPrompt = prompt(r, 40, new int[0]);
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            int length = 5 + r.nextInt(60);
            int[] tokens = prompt(r, length, i % 2 == 0 ? systemPrompt : new int[0]);
            SamplingParams params = i % 3 == 0
                    ? SamplingParams.greedy(6 + i)
                    : new SamplingParams(6 + i, 0.8f, i % 3 == 1 ? 0.9f : 1f, i % 4 == 0 ? 20 : 0, 1000L + i, true);
            requests.add(new GenerationRequest("row-" + i, tokens, params));
        }
        return requests;
    }

    @Test
    void greedyRowMatchesTheGoldenReference() throws Exception {
        JsonNode golden = new ObjectMapper().readTree(Files.readString(Samples.golden("kimi-k2-tiny")));
        int[] tokens = new int[golden.get("tokens").size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = golden.get("tokens").get(i).asInt();
        }
        int[] greedy = new int[golden.get("greedy").size()];
        for (int i = 0; i < greedy.length; i++) {
            greedy[i] = golden.get("greedy").get(i).asInt();
        }
        GenerationResult result = runAll(EngineConfig.defaults(),
                List.of(new GenerationRequest("g", tokens, SamplingParams.greedy(greedy.length).withIgnoreEos(true)))).get(0);
        assertArrayEquals(greedy, result.tokens());
        assertEquals("length", result.finishReason());
        assertEquals(tokens.length, result.promptTokens());
    }

    @Test
    void everyRowGetsTheSameTokensAloneOrBatchedChunkedShared() throws Exception {
        List<GenerationRequest> requests = mixedRequests();
        // Alone: one row at a time, no prefix sharing, whole prompts in one step.
        List<GenerationResult> alone = new ArrayList<>();
        for (GenerationRequest r : requests) {
            alone.add(runAll(EngineConfig.defaults().withMaxRunning(1).withPrefixSharing(false), List.of(r)).get(0));
        }
        // Together, with prompts cut into chunks of 7 tokens and prefixes shared.
        List<GenerationResult> together = runAll(EngineConfig.defaults().withMaxStepTokens(7), requests);
        int cached = 0;
        for (int i = 0; i < requests.size(); i++) {
            assertArrayEquals(alone.get(i).tokens(), together.get(i).tokens(), "row " + i);
            assertEquals(alone.get(i).finishReason(), together.get(i).finishReason());
            cached += together.get(i).cachedPromptTokens();
        }
        assertTrue(cached >= 32, "rows sharing a 40-token prefix reuse its two full pages, got " + cached);
    }

    @Test
    void aSmallCacheForcesPreemptionButChangesNoOutput() throws Exception {
        List<GenerationRequest> requests = mixedRequests();
        List<GenerationResult> roomy = runAll(EngineConfig.defaults(), requests);
        // Room for 8 pages of 16 positions, no sharing: rows must wait, and rows that grow while
        // others hold the rest of the cache are preempted mid-generation.
        long pageBytes = 4L * model.spec().layers() * 16 * (32 + 8);
        EngineConfig tight = EngineConfig.defaults().withKvCacheBytes(pageBytes * 8).withPrefixSharing(false);
        List<GenerationResult> cramped;
        int preemptions = 0;
        try (Engine engine = new Engine(model, backend, tight)) {
            List<CompletableFuture<GenerationResult>> futures = new ArrayList<>();
            for (GenerationRequest r : requests) {
                futures.add(engine.submit(r));
            }
            cramped = new ArrayList<>();
            for (CompletableFuture<GenerationResult> f : futures) {
                cramped.add(f.get(60, TimeUnit.SECONDS));
            }
            preemptions = (int) engine.stats().preemptions();
        }
        for (int i = 0; i < requests.size(); i++) {
            assertArrayEquals(roomy.get(i).tokens(), cramped.get(i).tokens(), "row " + i);
        }
        assertTrue(preemptions > 0, "the tight cache should have preempted some row");
    }

    @Test
    void rowsThatCannotRunFailAloneWithAReason() throws Exception {
        try (Engine engine = new Engine(model, backend, EngineConfig.defaults())) {
            int[] tooLong = new int[model.spec().maxPositions()];
            CompletableFuture<GenerationResult> longRow = engine.submit(new GenerationRequest("long", tooLong, SamplingParams.greedy(2)));
            CompletableFuture<GenerationResult> badToken = engine.submit(new GenerationRequest("bad", new int[] {1, 99999}, SamplingParams.greedy(2)));
            CompletableFuture<GenerationResult> fine = engine.submit(new GenerationRequest("ok", new int[] {1, 2, 3}, SamplingParams.greedy(3)));
            ExecutionException e = assertThrows(ExecutionException.class, () -> longRow.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("does not fit the model's context of 2048"), e.getCause().getMessage());
            e = assertThrows(ExecutionException.class, () -> badToken.get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("token 99999 at prompt index 1"), e.getCause().getMessage());
            assertTrue(fine.get(10, TimeUnit.SECONDS).tokens().length >= 1);
        }
    }

    @Test
    void observerCanStopARow() throws Exception {
        List<Integer> seen = new ArrayList<>();
        GenerationRequest r = new GenerationRequest("obs", new int[] {1, 2, 3, 4}, SamplingParams.greedy(50).withIgnoreEos(true),
                token -> {
                    seen.add(token);
                    return seen.size() == 3;
                });
        GenerationResult result = runAll(EngineConfig.defaults(), List.of(r)).get(0);
        assertEquals(3, result.tokens().length);
        assertEquals("stop", result.finishReason());
    }
}
