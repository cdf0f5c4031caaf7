package org.moebatch.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.moebatch.backend.Backend;
import org.moebatch.backend.CpuBackend;
import org.moebatch.cuda.CudaDevices;
import org.moebatch.cuda.PtxResources;
import org.moebatch.engine.Engine;
import org.moebatch.engine.EngineConfig;
import org.moebatch.engine.GenerationRequest;
import org.moebatch.engine.GenerationResult;
import org.moebatch.engine.SamplingParams;
import org.moebatch.model.MoeModel;
import org.moebatch.testing.Samples;

/**
 * The engine's own scheduling on the GPU: rows of different lengths prefilled in chunks beside
 * decoding rows, prompts sharing a prefix (and so cache pages), a cache small enough that rows wait
 * and are preempted. The float32 model computes on the GPU in float32 as on the CPU, so greedy
 * decoding must produce the same tokens for every row.
 */
@Tag("gpu")
class CudaEngineTest {

    @Test
    void continuousBatchingOnTheGpuGeneratesWhatTheCpuGenerates() {
        assumeTrue(CudaDevices.available(), "no CUDA device: " + CudaDevices.probe().reason());
        assumeTrue(PtxResources.status().built(), "kernels not built: " + PtxResources.status().detail());
        List<GenerationRequest> requests = new ArrayList<>();
        Random random = new Random(42);
        int[] shared = new int[40];
        for (int i = 0; i < shared.length; i++) {
            shared[i] = random.nextInt(512);
        }
        for (int r = 0; r < 12; r++) {
            int length = r % 3 == 0 ? shared.length + 5 + r : 3 + random.nextInt(90);
            int[] prompt = new int[length];
            for (int i = 0; i < length; i++) {
                prompt[i] = r % 3 == 0 && i < shared.length ? shared[i] : random.nextInt(512);
            }
            requests.add(new GenerationRequest("row-" + r, prompt, SamplingParams.greedy(10 + r).withIgnoreEos(true)));
        }
        // 48 pages of kimi-k2-tiny (3 layers x 16 positions x (32 + 8) floats): 768 positions, fewer than
        // eight running rows need, so admission waits and rows are preempted; steps of 64 tokens chunk the prefills
        long pageBytes = 4L * 3 * 16 * (32 + 8);
        EngineConfig config = EngineConfig.defaults().withKvCacheBytes(48 * pageBytes).withMaxStepTokens(64)
                .withMaxRunning(8);
        List<GenerationResult> cpu;
        try (Backend be = new CpuBackend(2)) {
            cpu = generate(be, config, requests);
        }
        List<GenerationResult> gpu;
        try (CudaBackend be = CudaBackend.open(0)) {
            gpu = generate(be, config, requests);
        }
        for (int r = 0; r < requests.size(); r++) {
            assertArrayEquals(cpu.get(r).tokens(), gpu.get(r).tokens(), "row " + r);
            assertEquals(cpu.get(r).finishReason(), gpu.get(r).finishReason());
        }
    }

    private static List<GenerationResult> generate(Backend be, EngineConfig config, List<GenerationRequest> requests) {
        MoeModel model = MoeModel.load(Samples.model("kimi-k2-tiny"), be);
        List<GenerationResult> results = new ArrayList<>();
        try (Engine engine = new Engine(model, be, config)) {
            List<CompletableFuture<GenerationResult>> futures = new ArrayList<>();
            for (GenerationRequest r : requests) {
                futures.add(engine.submit(r));
            }
            for (CompletableFuture<GenerationResult> f : futures) {
                results.add(f.join());
            }
        }
        return results;
    }
}
