package org.moebatch.cuda;

/**
 * MLA's dimensions as the kernels need them.
 *
 * @param heads  attention heads
 * @param nope   qk_nope_head_dim
 * @param rope   qk_rope_head_dim
 * @param value  v_head_dim
 * @param latent kv_lora_rank
 */
public record MlaShape(int heads, int nope, int rope, int value, int latent) {
    /** Floats of one position's cache entry in one layer: the latent, then the rope key. */
    public int entry() {
        return latent + rope;
    }
}
