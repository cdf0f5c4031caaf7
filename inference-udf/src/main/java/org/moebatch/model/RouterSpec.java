package org.moebatch.model;

/**
 * How the router turns a token's expert scores into its chosen experts and their weights, in the
 * terms of DeepSeek-V3's gate, which the other families' routers are special cases of.
 *
 * @param scoringFunc         "sigmoid" (V3, K2) or "softmax"
 * @param topkMethod          "noaux_tc" uses {@code e_score_correction_bias} to choose experts; "greedy" does not
 * @param nGroup              groups the experts are split into ({@code n_group})
 * @param topkGroup           groups a token's experts may come from ({@code topk_group})
 * @param normTopkProb        whether the chosen experts' weights are renormalised to sum to 1
 * @param routedScalingFactor factor on the routed experts' weights
 */
public record RouterSpec(String scoringFunc, String topkMethod, int nGroup, int topkGroup, boolean normTopkProb,
        double routedScalingFactor) {

    /**
     * The plain softmax top-k of Qwen3-MoE, Mixtral and OLMoE (their SparseMoeBlock): one group of all
     * experts, no correction bias, nothing scaled.
     */
    public static RouterSpec softmaxTopK(boolean normTopkProb) {
        return new RouterSpec("softmax", "greedy", 1, 1, normTopkProb, 1.0);
    }

    /** Whether expert scores get {@code e_score_correction_bias} added for selection. */
    public boolean usesCorrectionBias() {
        return topkMethod.equals("noaux_tc");
    }
}
