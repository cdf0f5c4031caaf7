package org.moebatch.model;

/**
 * The widths of Multi-head Latent Attention (DeepSeek-V3, Kimi K2): keys and values are compressed
 * into one latent per position, which is what the cache holds, with a small rope key beside it.
 *
 * @param qLoraRank     the query's compression; 0 when queries are projected directly ({@code q_proj}), as in V2-Lite
 * @param kvLoraRank    the compressed key-value width
 * @param qkNopeHeadDim per-head query/key width without position
 * @param qkRopeHeadDim per-head width that carries RoPE, shared by all heads on the key side
 * @param vHeadDim      per-head value width
 */
public record LatentAttentionSpec(int qLoraRank, int kvLoraRank, int qkNopeHeadDim, int qkRopeHeadDim, int vHeadDim) {
    /** Grouped-query attention has no latent: every width is 0. */
    public static final LatentAttentionSpec NONE = new LatentAttentionSpec(0, 0, 0, 0, 0);
}
