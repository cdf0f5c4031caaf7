package org.moebatch.model;

/**
 * Reads a Mixtral {@code config.json}: a missing key takes the default of transformers'
 * {@code MixtralConfig} (Mixtral-8x7B). Grouped-query attention, every layer an MoE block of
 * {@code num_local_experts} experts {@code intermediate_size} wide, its top 2 always renormalised.
 */
final class MixtralConfig {
    private MixtralConfig() {}

    static ModelSpec read(ConfigJson c) {
        int hidden = c.integer("hidden_size", 4096);
        int heads = c.integer("num_attention_heads", 32);
        AttentionSpec attention = GroupedQueryKeys.attention(c, hidden, heads, c.integer("num_key_value_heads", 8),
                QkNorm.NONE);
        int layers = c.integer("num_hidden_layers", 32);
        int experts = c.integer("num_local_experts", 8);
        int expertIntermediate = c.integer("intermediate_size", 14336);
        int maxPositions = c.integer("max_position_embeddings", 4096 * 32);
        if (c.hasValue("sliding_window") && c.integer("sliding_window", 0) < maxPositions) {
            throw new ModelException("sliding_window " + c.get("sliding_window") + " is not supported (Mixtral "
                    + "checkpoints ship null); set it to null to attend over the whole context");
        }
        return new ModelSpec(
                c.text("model_type", ""),
                ModelFamily.MIXTRAL,
                c.integer("vocab_size", 32000),
                hidden,
                layers,
                attention,
                DenseMlpSpec.NONE,
                // MixtralSparseMoeBlock renormalises its top k whatever norm_topk_prob says
                MoeSpec.routedOnly(expertIntermediate, experts, c.integer("num_experts_per_tok", 2),
                        RouterSpec.softmaxTopK(true)),
                RopeSpec.fromConfig(c, 1e6, false, maxPositions),
                c.number("rms_norm_eps", 1e-5),
                maxPositions,
                c.bool("tie_word_embeddings", false),
                c.bosTokenId(1),
                c.eosTokenIds(),
                c.quantization());
    }
}
