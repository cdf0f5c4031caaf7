package org.moebatch.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class OlmoeConfigTest {
    private static ObjectNode empty() {
        return new ObjectMapper().createObjectNode().put("model_type", "olmoe");
    }

    @Test
    void anEmptyConfigIsOlmoe1B7B() {
        ModelSpec expected = new ModelSpec("olmoe", ModelFamily.OLMOE, 50304, 2048, 16,
                AttentionSpec.groupedQuery(16, 16, 2048 / 16, QkNorm.WHOLE, false),
                DenseMlpSpec.NONE,
                MoeSpec.routedOnly(2048, 64, 8, RouterSpec.softmaxTopK(false)),
                new RopeSpec(10000.0, RopeScaling.none(), false),
                1e-5, 4096, false, 1, List.of(1), QuantizationConfig.NONE);
        assertEquals(expected, ModelSpec.fromConfig(empty()));
    }

    @Test
    void keyValueHeadsDefaultToTheQueryHeads() {
        ObjectNode c = empty();
        c.put("num_attention_heads", 8);
        assertEquals(8, ModelSpec.fromConfig(c).kvHeads());
        c.put("num_key_value_heads", 2);
        assertEquals(2, ModelSpec.fromConfig(c).kvHeads());
    }

    @Test
    void clipQkvIsRejectedUnlessNull() {
        ObjectNode c = empty();
        c.putNull("clip_qkv");
        assertEquals(ModelFamily.OLMOE, ModelSpec.fromConfig(c).family());
        c.put("clip_qkv", 8.0);
        assertEquals("clip_qkv 8.0 is not supported (OLMoE checkpoints ship null)",
                assertThrows(ModelException.class, () -> ModelSpec.fromConfig(c)).getMessage());
    }
}
