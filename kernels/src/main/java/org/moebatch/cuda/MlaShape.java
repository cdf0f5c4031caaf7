package org.moebatch.cuda;

/**
 * MLA's dimensions as the kernels need them, and the cache's page geometry.
 *
 * @param heads    attention heads
 * @param nope     qk_nope_head_dim
 * @param rope     qk_rope_head_dim
 * @param value    v_head_dim
 * @param latent   kv_lora_rank
 * @param layers   layers (a cache page holds every layer's entries)
 * @param pageSize positions per page
 */
public record MlaShape(int heads, int nope, int rope, int value, int latent, int layers, int pageSize) {
    /** Floats of one position's cache entry in one layer: the latent, then the rope key. */
    public int entry() {
        return latent + rope;
    }

    /** Bytes of one cache page (float32 entries for every layer and slot). */
    public long pageBytes() {
        return 4L * layers * pageSize * entry();
    }
}
