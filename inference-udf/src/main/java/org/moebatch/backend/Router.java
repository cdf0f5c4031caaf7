package org.moebatch.backend;

import org.moebatch.tensor.Weight;

/**
 * The MoE gate: which experts a token goes to, and with what weight. One rule covers the families:
 * DeepSeek-V3 / Kimi K2 (sigmoid scores, a correction bias, group-limited choice, a scaling factor)
 * and the softmax top-k routers of Qwen3-MoE, Mixtral and OLMoE (one group, no bias, factor 1).
 *
 * <p>Scores are {@code sigmoid(logits)} or softmax. For choosing, and only for choosing,
 * {@code e_score_correction_bias} is added: the auxiliary-loss-free balancing of DeepSeek-V3 steers
 * which experts are picked without changing how much they count. Experts are chosen group-limited:
 * each of {@code n_group} groups is scored by the sum of its two best biased scores (the plain best
 * without a bias), only the best {@code topk_group} groups stay eligible, and the
 * {@code num_experts_per_tok} best eligible experts are chosen. Their unbiased scores are normalised
 * to sum to one when {@code norm_topk_prob}, then multiplied by {@code routed_scaling_factor}.
 */
public final class Router {
    /**
     * How a token's experts are chosen, as the model's config says.
     *
     * @param experts         {@code n_routed_experts}
     * @param expertsPerToken {@code num_experts_per_tok}
     * @param groups          {@code n_group} (1: no group limit)
     * @param groupsKept      {@code topk_group}
     * @param sigmoid         {@code scoring_func: sigmoid}; softmax otherwise
     * @param normalize       {@code norm_topk_prob}
     * @param scalingFactor   {@code routed_scaling_factor}
     */
    public record TopK(int experts, int expertsPerToken, int groups, int groupsKept, boolean sigmoid,
            boolean normalize, float scalingFactor) {}

    private final Linear gate;
    private final float[] correctionBias; // [experts], null when the top-k method uses none
    private final int experts;
    private final int expertsPerToken;
    private final int groups;
    private final int groupsKept;
    private final boolean sigmoid;
    private final boolean normalize;
    private final float scalingFactor;

    public Router(Weight gateWeight, float[] correctionBias, TopK topK) {
        this.gate = new Linear(gateWeight, null);
        this.correctionBias = correctionBias;
        this.experts = topK.experts();
        this.expertsPerToken = topK.expertsPerToken();
        this.groups = topK.groups();
        this.groupsKept = topK.groupsKept();
        this.sigmoid = topK.sigmoid();
        this.normalize = topK.normalize();
        this.scalingFactor = topK.scalingFactor();
    }

    /** The gate projection; its output, one logit per expert, is what {@link #select} reads. */
    public Linear gate() {
        return gate;
    }

    public int experts() {
        return experts;
    }

    public int expertsPerToken() {
        return expertsPerToken;
    }

    /** {@code e_score_correction_bias}, added to the scores for choosing only; null when the model has none. */
    public float[] correctionBias() {
        return correctionBias;
    }

    /** {@code n_group}: experts are chosen from the best {@link #groupsKept()} of this many groups. */
    public int groups() {
        return groups;
    }

    /** {@code topk_group}. */
    public int groupsKept() {
        return groupsKept;
    }

    /** Sigmoid scores ({@code scoring_func: sigmoid}); softmax otherwise. */
    public boolean sigmoid() {
        return sigmoid;
    }

    /** {@code norm_topk_prob}. */
    public boolean normalize() {
        return normalize;
    }

    /** {@code routed_scaling_factor}. */
    public float scalingFactor() {
        return scalingFactor;
    }

    /**
     * Routes one token: reads {@code experts} logits at {@code logits[at]}, writes the chosen experts
     * and their weights at {@code chosen[outAt]} and {@code weights[outAt]}, best first.
     * {@code scratch} needs {@link #scratchSize()} floats and belongs to the caller.
     */
    public void select(float[] logits, int at, int[] chosen, float[] weights, int outAt, float[] scratch) {
        int scoresAt = 0;
        int choiceAt = experts;
        int groupAt = 2 * experts;
        if (sigmoid) {
            for (int e = 0; e < experts; e++) {
                scratch[scoresAt + e] = (float) (1.0 / (1.0 + Math.exp(-logits[at + e])));
            }
        } else {
            float max = Float.NEGATIVE_INFINITY;
            for (int e = 0; e < experts; e++) {
                max = Math.max(max, logits[at + e]);
            }
            float sum = 0;
            for (int e = 0; e < experts; e++) {
                float v = (float) Math.exp(logits[at + e] - max);
                scratch[scoresAt + e] = v;
                sum += v;
            }
            for (int e = 0; e < experts; e++) {
                scratch[scoresAt + e] /= sum;
            }
        }
        for (int e = 0; e < experts; e++) {
            scratch[choiceAt + e] = scratch[scoresAt + e] + (correctionBias == null ? 0f : correctionBias[e]);
        }
        if (groups > 1 && groupsKept < groups) {
            keepBestGroups(scratch, choiceAt, groupAt);
        }
        float sum = 0;
        for (int j = 0; j < expertsPerToken; j++) {
            int best = -1;
            float bestChoice = Float.NEGATIVE_INFINITY;
            for (int e = 0; e < experts; e++) {
                float c = scratch[choiceAt + e];
                if (c > bestChoice || (best < 0 && c == bestChoice && c != Float.NEGATIVE_INFINITY)) {
                    best = e;
                    bestChoice = c;
                }
            }
            if (best < 0) {
                throw new IllegalStateException("router found no eligible expert for slot " + j);
            }
            scratch[choiceAt + best] = Float.NEGATIVE_INFINITY;
            chosen[outAt + j] = best;
            weights[outAt + j] = scratch[scoresAt + best];
            sum += scratch[scoresAt + best];
        }
        float denominator = normalize ? sum + 1e-20f : 1f;
        for (int j = 0; j < expertsPerToken; j++) {
            weights[outAt + j] = weights[outAt + j] / denominator * scalingFactor;
        }
    }

    /** Masks (to -inf) the choice scores of every expert outside the {@code topk_group} best groups. */
    private void keepBestGroups(float[] scratch, int choiceAt, int groupAt) {
        int perGroup = experts / groups;
        for (int g = 0; g < groups; g++) {
            float first = Float.NEGATIVE_INFINITY;
            float second = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < perGroup; i++) {
                float c = scratch[choiceAt + g * perGroup + i];
                if (c > first) {
                    second = first;
                    first = c;
                } else if (c > second) {
                    second = c;
                }
            }
            // DeepSeek-V3 scores a group by its top two biased scores; without a bias, by its best.
            boolean topTwo = correctionBias != null && perGroup >= 2;
            scratch[groupAt + g] = topTwo ? first + second : first;
        }
        int keptAt = groupAt + groups;
        for (int g = 0; g < groups; g++) {
            scratch[keptAt + g] = 0f;
        }
        for (int kept = 0; kept < groupsKept; kept++) {
            int best = -1;
            for (int g = 0; g < groups; g++) {
                if (scratch[keptAt + g] == 0f && (best < 0 || scratch[groupAt + g] > scratch[groupAt + best])) {
                    best = g;
                }
            }
            scratch[keptAt + best] = 1f;
        }
        for (int g = 0; g < groups; g++) {
            if (scratch[keptAt + g] == 0f) {
                for (int i = 0; i < perGroup; i++) {
                    scratch[choiceAt + g * perGroup + i] = Float.NEGATIVE_INFINITY;
                }
            }
        }
    }

    /** Scratch floats {@link #select} needs. */
    public int scratchSize() {
        return 2 * experts + 2 * groups;
    }
}
