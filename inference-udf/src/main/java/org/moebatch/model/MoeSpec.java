package org.moebatch.model;

/**
 * The MoE block of the layers that have one: routed experts, shared experts that every token
 * passes through, and the router that chooses among the routed ones.
 *
 * @param intermediate    width of one expert's MLP ({@code moe_intermediate_size}; Mixtral's and
 *                        OLMoE's {@code intermediate_size})
 * @param routedExperts   experts the router chooses from
 * @param sharedExperts   experts every token passes through (DeepSeek-V3, Kimi K2), fused into one MLP
 * @param expertsPerToken experts chosen per token ({@code num_experts_per_tok})
 * @param router          how they are chosen and weighted
 */
public record MoeSpec(int intermediate, int routedExperts, int sharedExperts, int expertsPerToken, RouterSpec router) {
    /** An MoE block of routed experts only, as in Qwen3-MoE, Mixtral and OLMoE. */
    public static MoeSpec routedOnly(int intermediate, int routedExperts, int expertsPerToken, RouterSpec router) {
        return new MoeSpec(intermediate, routedExperts, 0, expertsPerToken, router);
    }

    /** Width of the shared experts' MLP, all shared experts fused into one. */
    public int sharedIntermediate() {
        return intermediate * sharedExperts;
    }
}
