package org.moebatch.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class Qwen3MoeConfigTest {
    private static ObjectNode empty() {
        return new ObjectMapper().createObjectNode().put("model_type", "qwen3_moe");
    }

    @Test
    void anEmptyConfigTakesQwen3MoeConfigDefaults() {
        ModelSpec expected = new ModelSpec("qwen3_moe", ModelFamily.QWEN3_MOE, 151936, 2048, 24,
                AttentionSpec.groupedQuery(32, 4, 2048 / 32, QkNorm.PER_HEAD, false),
                new DenseMlpSpec(6144, List.of()),
                MoeSpec.routedOnly(768, 128, 8, RouterSpec.softmaxTopK(false)),
                new RopeSpec(10000.0, RopeScaling.none(), false),
                1e-6, 32768, false, 1, List.of(1), QuantizationConfig.NONE);
        assertEquals(expected, ModelSpec.fromConfig(empty()));
    }

    @Test
    void noExpertsMakesEveryLayerDense() {
        ObjectNode c = empty();
        c.put("num_hidden_layers", 3);
        c.put("num_experts", 0);
        ModelSpec spec = ModelSpec.fromConfig(c);
        assertEquals(List.of(0, 1, 2), spec.denseLayers());
        assertFalse(spec.isMoeLayer(1));
    }

    @Test
    void headDimDefaultsToHiddenOverHeads() {
        ObjectNode c = empty();
        c.put("hidden_size", 1024);
        c.put("num_attention_heads", 16);
        assertEquals(64, ModelSpec.fromConfig(c).headDim());
    }

    private static String rejection(ObjectNode c) {
        return assertThrows(ModelException.class, () -> ModelSpec.fromConfig(c)).getMessage();
    }

    @Test
    void malformedKeysAreRejectedNamingTheKeyAndValue() {
        ObjectNode c = empty();
        c.put("decoder_sparse_step", 0);
        assertEquals("decoder_sparse_step must be positive, is 0", rejection(c));
        c = empty();
        c.putArray("mlp_only_layers").add(1).add("x");
        assertEquals("mlp_only_layers must be a list of layer indices, has \"x\"", rejection(c));
        c = empty();
        c.put("num_key_value_heads", 0);
        assertEquals("num_key_value_heads must be positive, is 0", rejection(c));
        c = empty();
        c.put("num_attention_heads", -2);
        assertEquals("num_attention_heads must be positive, is -2", rejection(c));
        c = empty();
        c.put("use_sliding_window", "false");
        assertEquals("use_sliding_window must be true or false, is \"false\"", rejection(c));
    }
}
