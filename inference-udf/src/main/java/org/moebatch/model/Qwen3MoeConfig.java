package org.moebatch.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads a Qwen3-MoE {@code config.json}: a missing key takes the default of transformers'
 * {@code Qwen3MoeConfig}. Grouped-query attention with per-head q/k RMSNorm, a softmax top-k router,
 * and dense layers where {@code mlp_only_layers} and {@code decoder_sparse_step} say.
 */
final class Qwen3MoeConfig {
    private Qwen3MoeConfig() {}

    static ModelSpec read(ConfigJson c) {
        int hidden = c.integer("hidden_size", 2048);
        int heads = c.integer("num_attention_heads", 32);
        AttentionSpec attention = GroupedQueryKeys.attention(c, hidden, heads, c.integer("num_key_value_heads", 4),
                QkNorm.PER_HEAD);
        int layers = c.integer("num_hidden_layers", 24);
        int experts = c.integer("num_experts", 128);
        // The dense layers use intermediate_size, the experts moe_intermediate_size.
        DenseMlpSpec denseMlp = new DenseMlpSpec(c.integer("intermediate_size", 6144), denseLayers(c, layers, experts));
        if (c.bool("use_sliding_window", false)) {
            throw new ModelException("use_sliding_window true is not supported (Qwen3-MoE checkpoints ship false)");
        }
        int maxPositions = c.integer("max_position_embeddings", 32768);
        return new ModelSpec(
                c.text("model_type", ""),
                ModelFamily.QWEN3_MOE,
                c.integer("vocab_size", 151936),
                hidden,
                layers,
                attention,
                denseMlp,
                MoeSpec.routedOnly(c.integer("moe_intermediate_size", 768), experts, c.integer("num_experts_per_tok", 8),
                        RouterSpec.softmaxTopK(c.bool("norm_topk_prob", false))),
                RopeSpec.fromConfig(c, 10000.0, false, maxPositions),
                c.number("rms_norm_eps", 1e-6),
                maxPositions,
                c.bool("tie_word_embeddings", false),
                c.bosTokenId(1),
                c.eosTokenIds(),
                c.quantization());
    }

    /**
     * As Qwen3MoeDecoderLayer: MoE where the layer is not in mlp_only_layers, there are experts, and
     * (layer + 1) is a multiple of decoder_sparse_step.
     */
    private static List<Integer> denseLayers(ConfigJson c, int layers, int experts) {
        int step = ConfigJson.positive("decoder_sparse_step", c.integer("decoder_sparse_step", 1));
        List<Integer> mlpOnly = c.layerIndices("mlp_only_layers");
        List<Integer> dense = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            if (mlpOnly.contains(i) || experts == 0 || (i + 1) % step != 0) {
                dense.add(i);
            }
        }
        return dense;
    }
}
