package org.moebatch.model;

/**
 * Reads an OLMoE {@code config.json}: a missing key takes the default of transformers'
 * {@code OlmoeConfig} (OLMoE-1B-7B). Multi-head attention (as many key/value heads as query heads
 * unless told otherwise) with RMSNorm over the whole q and k projections, every layer an MoE block
 * of experts {@code intermediate_size} wide.
 */
final class OlmoeConfig {
    private OlmoeConfig() {}

    static ModelSpec read(ConfigJson c) {
        int hidden = c.integer("hidden_size", 2048);
        int heads = c.integer("num_attention_heads", 16);
        AttentionSpec attention = GroupedQueryKeys.attention(c, hidden, heads, c.integer("num_key_value_heads", heads),
                QkNorm.WHOLE);
        int layers = c.integer("num_hidden_layers", 16);
        int experts = c.integer("num_experts", 64);
        int expertIntermediate = c.integer("intermediate_size", 2048);
        if (c.hasValue("clip_qkv")) {
            throw new ModelException("clip_qkv " + c.get("clip_qkv") + " is not supported (OLMoE checkpoints ship null)");
        }
        int maxPositions = c.integer("max_position_embeddings", 4096);
        return new ModelSpec(
                c.text("model_type", ""),
                ModelFamily.OLMOE,
                c.integer("vocab_size", 50304),
                hidden,
                layers,
                attention,
                DenseMlpSpec.NONE,
                MoeSpec.routedOnly(expertIntermediate, experts, c.integer("num_experts_per_tok", 8),
                        RouterSpec.softmaxTopK(c.bool("norm_topk_prob", false))),
                RopeSpec.fromConfig(c, 10000.0, false, maxPositions),
                c.number("rms_norm_eps", 1e-5),
                maxPositions,
                c.bool("tie_word_embeddings", false),
                c.bosTokenId(1),
                c.eosTokenIds(),
                c.quantization());
    }
}
