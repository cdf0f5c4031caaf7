package org.moebatch.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads a DeepSeek-V3 or Kimi K2 {@code config.json} (Kimi K2 ships the same keys as {@code kimi_k2}):
 * a missing key takes the default of transformers' {@code DeepseekV3Config}, which describes the
 * full DeepSeek-V3 (671B).
 */
final class DeepseekV3Config {
    private DeepseekV3Config() {}

    static ModelSpec read(ConfigJson c) {
        int heads = c.integer("num_attention_heads", 128);
        int kvHeads = c.integer("num_key_value_heads", heads);
        if (kvHeads != heads) {
            // MLA shares one latent across heads; the kv-head count is a leftover of the config class.
            // Values other than the head count have no meaning for this architecture.
            throw new ModelException("num_key_value_heads " + kvHeads + " differs from num_attention_heads "
                    + heads + "; MLA has no key/value head groups");
        }
        int layers = c.integer("num_hidden_layers", 61);
        int maxPositions = c.integer("max_position_embeddings", 4096);
        return new ModelSpec(
                c.text("model_type", ""),
                ModelFamily.DEEPSEEK_V3,
                c.integer("vocab_size", 129280),
                c.integer("hidden_size", 7168),
                layers,
                AttentionSpec.multiHeadLatent(heads,
                        new LatentAttentionSpec(
                                zeroWhenNull(c, "q_lora_rank", 1536),
                                c.integer("kv_lora_rank", 512),
                                c.integer("qk_nope_head_dim", 128),
                                c.integer("qk_rope_head_dim", 64),
                                c.integer("v_head_dim", 128)),
                        c.bool("attention_bias", false)),
                new DenseMlpSpec(c.integer("intermediate_size", 18432), denseLayers(c, layers)),
                new MoeSpec(
                        c.integer("moe_intermediate_size", 2048),
                        c.integer("n_routed_experts", 256),
                        zeroWhenNull(c, "n_shared_experts", 1),
                        c.integer("num_experts_per_tok", 8),
                        new RouterSpec(
                                c.text("scoring_func", "sigmoid"),
                                c.text("topk_method", "noaux_tc"),
                                c.integer("n_group", 8),
                                c.integer("topk_group", 4),
                                c.bool("norm_topk_prob", true),
                                c.number("routed_scaling_factor", 2.5))),
                RopeSpec.fromConfig(c, 10000.0, c.bool("rope_interleave", true), maxPositions),
                c.number("rms_norm_eps", 1e-6),
                maxPositions,
                c.bool("tie_word_embeddings", false),
                c.bosTokenId(0),
                c.eosTokenIds(),
                c.quantization());
    }

    /** As DeepseekV3DecoderLayer: dense below {@code first_k_dense_replace} and off every {@code moe_layer_freq}-th layer. */
    private static List<Integer> denseLayers(ConfigJson c, int layers) {
        int firstDense = c.integer("first_k_dense_replace", 3);
        int moeLayerFreq = ConfigJson.positive("moe_layer_freq", c.integer("moe_layer_freq", 1));
        List<Integer> dense = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            if (i < firstDense || i % moeLayerFreq != 0) {
                dense.add(i);
            }
        }
        return dense;
    }

    /** DeepseekV3Config writes None for "not used": no q-LoRA (V2-Lite), no shared experts. */
    private static int zeroWhenNull(ConfigJson c, String key, int fallback) {
        return c.isExplicitNull(key) ? 0 : c.integer(key, fallback);
    }
}
