package org.moebatch.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.moebatch.engine.Backends;
import org.moebatch.engine.LogitsProbe;
import org.moebatch.model.MoeModel;
import org.moebatch.testing.Samples;

/**
 * Experts spread over several devices compute what one device computes: the same code path the GPUs
 * of one executor take, with CPU backends as the shards. Only the order of the combine's sums
 * differs, so logits agree to float32 rounding and greedy tokens exactly.
 */
class ExpertParallelBackendTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0} over devices [{1}] equals one device")
    @CsvSource({
        "kimi-k2-tiny, 'cpu,cpu'",
        "kimi-k2-tiny, 'cpu,cpu-reference,cpu'",
        "deepseek-v3-tiny, 'cpu,cpu'",
        "variant-tiny, 'cpu-reference,cpu-reference,cpu-reference,cpu-reference'"})
    void expertParallelLogitsEqualSingleDeviceLogits(String checkpoint, String devices) throws Exception {
        JsonNode golden = JSON.readTree(Files.readString(Samples.golden(checkpoint)));
        int[] prompt = JSON.convertValue(golden.get("tokens"), int[].class);
        int steps = golden.get("greedy").size();
        LogitsProbe.Result single;
        try (Backend one = new CpuBackend(2)) {
            single = LogitsProbe.run(MoeModel.load(Samples.model(checkpoint), one), one, prompt, steps);
        }
        try (Backend spread = Backends.create(devices, 2)) {
            assertTrue(spread instanceof ExpertParallelBackend);
            assertEquals(devices.split(",").length, ((ExpertParallelBackend) spread).shardCount());
            LogitsProbe.Result parallel = LogitsProbe.run(MoeModel.load(Samples.model(checkpoint), spread), spread, prompt, steps);
            assertArrayEquals(single.greedy(), parallel.greedy());
            double worst = 0;
            for (int s = 0; s < single.logits().length; s++) {
                for (int v = 0; v < single.logits()[s].length; v++) {
                    worst = Math.max(worst, Math.abs(single.logits()[s][v] - parallel.logits()[s][v]));
                }
            }
            // float32 sums in another order: a few ulps of logits of order 1-10
            assertTrue(worst <= 2e-5, checkpoint + " over " + devices + ": max abs difference " + worst);
        }
    }

    @ParameterizedTest(name = "expert {0} of 64 over {1} devices lives on device {2}")
    @CsvSource({"0, 2, 0", "1, 2, 1", "63, 2, 1", "5, 3, 2", "6, 3, 0"})
    void expertsAreDealtRoundRobin(int expert, int devices, int owner) {
        try (ExpertParallelBackend b = new ExpertParallelBackend(java.util.Collections.nCopies(devices, (Backend) null)
                .stream().map(x -> (Backend) new ReferenceBackend()).toList())) {
            assertEquals(owner, b.owner(expert));
        }
    }

    @org.junit.jupiter.api.Test
    void badDeviceSpecsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.create("cpu,tpu", 2));
        assertTrue(e.getMessage().contains("--device cpu,tpu: \"tpu\" is not available"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ExpertParallelBackend(List.of(new ReferenceBackend())));
    }
}
