package org.moebatch.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.moebatch.backend.CpuBackend;
import org.moebatch.backend.ReferenceBackend;
import org.moebatch.engine.LogitsProbe;
import org.moebatch.testing.RandomCheckpoint;
import org.moebatch.testing.Specs;

/**
 * The forward pass on checkpoints of other shapes than the golden ones: random configs written as
 * real checkpoints, the Vector API backend against the reference backend (which the golden tests tie
 * to PyTorch), prefill and decode.
 */
class AnyCheckpointTest {
    @TempDir
    Path dir;

    static Stream<Arguments> shapes() {
        // name, hidden, layers, heads, qLora, kvRank, nope, rope, v, experts, perToken, groups, kept, shared, dense, bf16
        return Stream.of(
                Arguments.of("wide K2-like", 96, 3, 4, 32, 48, 16, 16, 24, 24, 6, 1, 1, 1, 1, true),
                Arguments.of("no q-LoRA, grouped", 80, 2, 2, 0, 24, 8, 8, 8, 16, 4, 4, 2, 2, 0, false),
                Arguments.of("one head, many experts", 40, 4, 1, 24, 16, 4, 4, 12, 64, 8, 8, 3, 0, 2, true),
                Arguments.of("all dense", 64, 2, 2, 16, 32, 8, 4, 8, 8, 2, 1, 1, 1, 2, false),
                Arguments.of("odd widths", 52, 2, 3, 20, 18, 6, 10, 14, 12, 3, 2, 1, 3, 1, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void vectorBackendMatchesReferenceBackend(String name, int hidden, int layers, int heads, int qLora, int kvRank,
            int nope, int rope, int v, int experts, int perToken, int groups, int kept, int shared, int dense,
            boolean bf16) {
        ObjectNode c = Specs.config();
        c.put("model_type", name.contains("K2") ? "kimi_k2" : "deepseek_v3");
        c.put("vocab_size", 97);
        c.put("hidden_size", hidden);
        c.put("intermediate_size", hidden * 2 + 3);
        c.put("moe_intermediate_size", hidden / 2 + 1);
        c.put("num_hidden_layers", layers);
        c.put("num_attention_heads", heads);
        if (qLora == 0) {
            c.putNull("q_lora_rank");
        } else {
            c.put("q_lora_rank", qLora);
        }
        c.put("kv_lora_rank", kvRank);
        c.put("qk_nope_head_dim", nope);
        c.put("qk_rope_head_dim", rope);
        c.put("v_head_dim", v);
        c.put("n_routed_experts", experts);
        c.put("num_experts_per_tok", perToken);
        c.put("n_group", groups);
        c.put("topk_group", kept);
        c.put("n_shared_experts", shared);
        c.put("first_k_dense_replace", dense);
        ObjectNode yarn = c.putObject("rope_scaling");
        yarn.put("type", "yarn");
        yarn.put("factor", 4.0);
        yarn.put("original_max_position_embeddings", 32);
        yarn.put("mscale", 1.0);
        yarn.put("mscale_all_dim", 1.0);
        Path model = dir.resolve("model");
        RandomCheckpoint.write(model, c, bf16, hidden * 31L + layers);

        int[] prompt = {5, 1, 90, 33, 33, 2, 71, 18, 64, 3, 9, 40, 12, 77, 8, 50, 21};
        LogitsProbe.Result expected;
        LogitsProbe.Result actual;
        try (ReferenceBackend reference = new ReferenceBackend()) {
            expected = LogitsProbe.run(MoeModel.load(model, reference), reference, prompt, 5);
        }
        try (CpuBackend cpu = new CpuBackend(2)) {
            actual = LogitsProbe.run(MoeModel.load(model, cpu), cpu, prompt, 5);
        }
        assertArrayEquals(expected.greedy(), actual.greedy(), "greedy tokens");
        for (int s = 0; s < expected.logits().length; s++) {
            for (int i = 0; i < expected.logits()[s].length; i++) {
                float e = expected.logits()[s][i];
                float a = actual.logits()[s][i];
                assertTrue(Math.abs(e - a) <= 1e-4, name + " step " + s + " logit " + i + ": " + e + " vs " + a);
            }
        }
    }
}
