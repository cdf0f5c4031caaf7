package org.moebatch.model;

/**
 * The attention keys that Qwen3-MoE, Mixtral and OLMoE read alike; each family's reader passes its
 * own head counts, read with its own defaults.
 */
final class GroupedQueryKeys {
    private GroupedQueryKeys() {}

    /** Heads {@code head_dim} wide, by default {@code hidden / heads} as in every one of these config classes. */
    static AttentionSpec attention(ConfigJson c, int hidden, int heads, int kvHeads, QkNorm qkNorm) {
        ConfigJson.positive("num_attention_heads", heads);
        ConfigJson.positive("num_key_value_heads", kvHeads);
        return AttentionSpec.groupedQuery(heads, kvHeads, c.integer("head_dim", hidden / heads), qkNorm,
                c.bool("attention_bias", false));
    }
}
