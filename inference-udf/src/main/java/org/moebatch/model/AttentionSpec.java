package org.moebatch.model;

/**
 * The shape of a model's attention. Grouped-query attention (Qwen3-MoE, Mixtral, OLMoE) has
 * {@code kvHeads} key/value heads, each serving a group of query heads, all {@code headDim} wide
 * with RoPE over the whole head. Multi-head Latent Attention (DeepSeek-V3, Kimi K2) shares one
 * latent across heads instead, so it has no key/value head groups: {@code kvHeads} is the query
 * head count, {@code headDim} 0, and its widths are in {@link #latent()}.
 *
 * @param heads   query heads
 * @param kvHeads key/value heads of grouped-query attention (MLA: the query heads)
 * @param headDim query/key/value head width of grouped-query attention (MLA: 0)
 * @param qkNorm  where grouped-query attention normalises queries and keys (MLA: none)
 * @param bias    whether the q, k, v and o projections carry biases ({@code attention_bias})
 * @param latent  MLA's widths; {@link LatentAttentionSpec#NONE} for grouped-query attention
 */
public record AttentionSpec(int heads, int kvHeads, int headDim, QkNorm qkNorm, boolean bias, LatentAttentionSpec latent) {
    public static AttentionSpec multiHeadLatent(int heads, LatentAttentionSpec latent, boolean bias) {
        return new AttentionSpec(heads, heads, 0, QkNorm.NONE, bias, latent);
    }

    public static AttentionSpec groupedQuery(int heads, int kvHeads, int headDim, QkNorm qkNorm, boolean bias) {
        return new AttentionSpec(heads, kvHeads, headDim, qkNorm, bias, LatentAttentionSpec.NONE);
    }
}
