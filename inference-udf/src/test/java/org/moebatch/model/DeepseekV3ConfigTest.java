package org.moebatch.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.moebatch.testing.Specs;

class DeepseekV3ConfigTest {
    private static ObjectNode only(String modelType) {
        return new ObjectMapper().createObjectNode().put("model_type", modelType);
    }

    /** transformers' DeepseekV3Config() defaults: the full DeepSeek-V3. */
    private static ModelSpec deepseekV3Defaults(String modelType) {
        return new ModelSpec(modelType, ModelFamily.DEEPSEEK_V3, 129280, 7168, 61,
                AttentionSpec.multiHeadLatent(128, new LatentAttentionSpec(1536, 512, 128, 64, 128), false),
                new DenseMlpSpec(18432, List.of(0, 1, 2)),
                new MoeSpec(2048, 256, 1, 8, new RouterSpec("sigmoid", "noaux_tc", 8, 4, true, 2.5)),
                new RopeSpec(10000.0, RopeScaling.none(), true),
                1e-6, 4096, false, 0, List.of(1), QuantizationConfig.NONE);
    }

    @Test
    void anEmptyConfigIsTheFullDeepseekV3ForBothModelTypes() {
        assertEquals(deepseekV3Defaults("deepseek_v3"), ModelSpec.fromConfig(only("deepseek_v3")));
        assertEquals(deepseekV3Defaults("kimi_k2"), ModelSpec.fromConfig(only("kimi_k2")));
    }

    @Test
    void nullMeansNoneWhereAnAbsentKeyTakesTheDefault() {
        ObjectNode c = Specs.config();
        c.remove("q_lora_rank");
        c.remove("n_shared_experts");
        ModelSpec absent = ModelSpec.fromConfig(c);
        assertEquals(1536, absent.qLoraRank());
        assertEquals(1, absent.sharedExperts());
        c.putNull("q_lora_rank");
        c.putNull("n_shared_experts");
        ModelSpec none = ModelSpec.fromConfig(c);
        assertEquals(0, none.qLoraRank(), "queries projected directly, as V2-Lite");
        assertEquals(0, none.sharedExperts());
        assertEquals(0, none.sharedIntermediate());
    }

    @Test
    void denseLayersAreTheFirstKAndThoseOffTheMoeLayerFrequency() {
        ObjectNode c = Specs.config();
        c.put("num_hidden_layers", 6);
        c.put("first_k_dense_replace", 1);
        c.put("moe_layer_freq", 2);
        assertEquals(List.of(0, 1, 3, 5), ModelSpec.fromConfig(c).denseLayers());
        c.remove("first_k_dense_replace");
        c.remove("moe_layer_freq");
        assertEquals(List.of(0, 1, 2), ModelSpec.fromConfig(c).denseLayers(), "first_k_dense_replace 3, every layer after MoE");
    }

    private static String rejection(ObjectNode c) {
        return assertThrows(ModelException.class, () -> ModelSpec.fromConfig(c)).getMessage();
    }

    @Test
    void malformedKeysAreRejectedNamingTheKeyAndValue() {
        ObjectNode c = Specs.config();
        c.put("num_key_value_heads", 1);
        assertEquals("num_key_value_heads 1 differs from num_attention_heads 2; MLA has no key/value head groups",
                rejection(c));
        c = Specs.config();
        c.put("moe_layer_freq", 0);
        assertEquals("moe_layer_freq must be positive, is 0", rejection(c));
        c = Specs.config();
        c.put("n_group", "8");
        assertEquals("n_group must be an integer, is \"8\"", rejection(c));
        c = Specs.config();
        c.put("norm_topk_prob", "yes");
        assertEquals("norm_topk_prob must be true or false, is \"yes\"", rejection(c));
        c = Specs.config();
        c.put("routed_scaling_factor", "2.5");
        assertEquals("routed_scaling_factor must be a number, is \"2.5\"", rejection(c));
        c = Specs.config();
        c.put("q_lora_rank", 1.5);
        assertEquals("q_lora_rank must be an integer, is 1.5", rejection(c));
    }
}
