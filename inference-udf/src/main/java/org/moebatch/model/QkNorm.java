package org.moebatch.model;

/** Where grouped-query attention normalises its queries and keys before RoPE. */
public enum QkNorm {
    /** No normalisation (Mixtral). */
    NONE,
    /** RMSNorm over each head's {@code head_dim} values, one weight shared by all heads (Qwen3's q_norm, k_norm). */
    PER_HEAD,
    /** RMSNorm over the whole q and the whole k projection (OLMoE's q_norm, k_norm). */
    WHOLE
}
