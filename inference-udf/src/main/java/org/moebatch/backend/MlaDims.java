package org.moebatch.backend;

/**
 * The dimensions of Multi-head Latent Attention that its kernels need.
 *
 * @param heads  attention heads
 * @param nope   per-head query/key width without position ({@code qk_nope_head_dim})
 * @param rope   per-head width that carries RoPE, shared by all heads on the key side
 * @param value  per-head value width ({@code v_head_dim})
 * @param latent the compressed key-value width ({@code kv_lora_rank})
 */
public record MlaDims(int heads, int nope, int rope, int value, int latent) {
    /** Width of one head of the query: {@code nope + rope}. */
    public int queryHead() {
        return nope + rope;
    }

    /** Rows of {@code kv_b_proj} per head: the key up-projection, then the value up-projection. */
    public int kvBRowsPerHead() {
        return nope + value;
    }

    /** Floats one token's cache entry holds per layer: the latent and the rope key. */
    public int cacheEntry() {
        return latent + rope;
    }
}
