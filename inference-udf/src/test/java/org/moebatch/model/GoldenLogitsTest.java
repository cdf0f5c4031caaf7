package org.moebatch.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.moebatch.backend.Backend;
import org.moebatch.backend.CpuBackend;
import org.moebatch.backend.ReferenceBackend;
import org.moebatch.engine.LogitsProbe;
import org.moebatch.testing.Samples;

/**
 * The engine against logits from the independent PyTorch references (tools/reference/), at the
 * prefill and at every KV-cached greedy decode step, for each checked-in tiny checkpoint: every
 * supported family, its switches, and its weight formats.
 */
class GoldenLogitsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> checkpoints() {
        return Stream.of(
                // name, tolerance: 1e-4 for float32 weights, 2e-2 for bf16 (DESIGN.md)
                Arguments.of("kimi-k2-tiny", 1e-4),
                Arguments.of("deepseek-v3-tiny", 2e-2),
                Arguments.of("variant-tiny", 1e-4),
                // quantised weights dequantise exactly to float32, so the float32 tolerance holds
                Arguments.of("kimi-k2-fp8-tiny", 1e-4),
                Arguments.of("kimi-k2-int4-tiny", 1e-4),
                // the grouped-query families (tools/reference/moe_families_reference.py)
                Arguments.of("qwen3-moe-tiny", 1e-4),
                Arguments.of("mixtral-tiny", 2e-2),
                Arguments.of("olmoe-tiny", 1e-4),
                // the trained demo model, against the training script's own forward pass on its exported bf16 weights
                Arguments.of("k2-tool-demo", 2e-2));
    }

    @ParameterizedTest(name = "{0} on the Vector API backend matches the PyTorch reference")
    @MethodSource("checkpoints")
    void cpuBackendMatchesPyTorchReference(String name, double tolerance) throws IOException {
        try (Backend be = new CpuBackend(2)) {
            assertMatchesGolden(name, tolerance, be);
        }
    }

    @ParameterizedTest(name = "{0} on the reference backend matches the PyTorch reference")
    @MethodSource("checkpoints")
    void referenceBackendMatchesPyTorchReference(String name, double tolerance) throws IOException {
        try (Backend be = new ReferenceBackend()) {
            assertMatchesGolden(name, tolerance, be);
        }
    }

    private static void assertMatchesGolden(String name, double tolerance, Backend be) throws IOException {
        JsonNode golden = JSON.readTree(Files.readString(Samples.golden(name)));
        int[] prompt = ints(golden.get("tokens"));
        int[] expectedGreedy = ints(golden.get("greedy"));
        MoeModel model = MoeModel.load(Samples.model(name), be);
        LogitsProbe.Result result = LogitsProbe.run(model, be, prompt, expectedGreedy.length);

        assertArrayEquals(expectedGreedy, result.greedy(), name + ": greedy tokens");
        JsonNode expected = golden.get("logits");
        assertEquals(expected.size(), result.logits().length);
        double worst = 0;
        for (int step = 0; step < expected.size(); step++) {
            float[] actual = result.logits()[step];
            assertEquals(expected.get(step).size(), actual.length, "vocab size at step " + step);
            for (int v = 0; v < actual.length; v++) {
                double error = Math.abs(actual[v] - expected.get(step).get(v).asDouble());
                worst = Math.max(worst, error);
                assertTrue(error <= tolerance, name + " step " + step + " token " + v + ": got " + actual[v]
                        + ", reference " + expected.get(step).get(v).asDouble());
            }
        }
        System.out.printf("%s on %s: max abs error %.3g over %d steps%n", name, be.device(), worst, expected.size());
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
