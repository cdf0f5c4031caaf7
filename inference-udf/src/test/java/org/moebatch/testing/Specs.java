package org.moebatch.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.moebatch.backend.MlaDims;
import org.moebatch.model.ModelSpec;

/** Model specs for tests, built through the same config.json parsing as real checkpoints. */
public final class Specs {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Specs() {}

    /** A small config.json; tests change what they need before parsing it. */
    public static ObjectNode config() {
        ObjectNode c = JSON.createObjectNode();
        c.put("model_type", "deepseek_v3");
        c.put("vocab_size", 64);
        c.put("hidden_size", 32);
        c.put("intermediate_size", 48);
        c.put("moe_intermediate_size", 16);
        c.put("num_hidden_layers", 2);
        c.put("num_attention_heads", 2);
        c.put("q_lora_rank", 16);
        c.put("kv_lora_rank", 16);
        c.put("qk_nope_head_dim", 8);
        c.put("qk_rope_head_dim", 4);
        c.put("v_head_dim", 8);
        c.put("n_routed_experts", 8);
        c.put("n_shared_experts", 1);
        c.put("num_experts_per_tok", 2);
        c.put("n_group", 1);
        c.put("topk_group", 1);
        c.put("first_k_dense_replace", 1);
        c.put("max_position_embeddings", 256);
        return c;
    }

    public static ModelSpec tiny(MlaDims d) {
        return tiny(d, true);
    }

    public static ModelSpec tiny(MlaDims d, boolean interleave) {
        ObjectNode c = config();
        c.put("num_attention_heads", d.heads());
        c.put("qk_nope_head_dim", d.nope());
        c.put("qk_rope_head_dim", d.rope());
        c.put("v_head_dim", d.value());
        c.put("kv_lora_rank", d.latent());
        c.put("rope_interleave", interleave);
        return ModelSpec.fromConfig(c);
    }

    public static ModelSpec moe(int hidden, int experts, int perToken, int groups, int keptGroups, String scoring,
            boolean normalize) {
        ObjectNode c = config();
        c.put("hidden_size", hidden);
        c.put("n_routed_experts", experts);
        c.put("num_experts_per_tok", perToken);
        c.put("n_group", groups);
        c.put("topk_group", keptGroups);
        c.put("scoring_func", scoring);
        c.put("norm_topk_prob", normalize);
        c.put("routed_scaling_factor", 2.5);
        return ModelSpec.fromConfig(c);
    }
}
