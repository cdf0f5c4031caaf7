package org.moebatch.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.moebatch.model.ModelSpec;
import org.moebatch.model.SeamDescriptors;
import org.moebatch.tensor.DType;
import org.moebatch.testing.RandomTensors;
import org.moebatch.testing.Specs;

/** Routing decisions worked out by hand. */
class RouterTest {
    private static final RandomTensors R = new RandomTensors(1);

    private static Router router(ModelSpec spec, float[] bias) {
        return new Router(R.matrix("gate", DType.F32, spec.routedExperts(), spec.hidden()), bias,
                SeamDescriptors.topK(spec));
    }

    private static double logit(double probability) {
        return Math.log(probability / (1 - probability));
    }

    @Test
    void biasChoosesButDoesNotWeigh() {
        // 4 experts, top 2, one group. Scores 0.9, 0.8, 0.3, 0.2; a bias of +1 on expert 3 makes it
        // the first choice, but its weight is its own score 0.2: weights 0.2 and 0.9 normalise to
        // 0.2/1.1 and 0.9/1.1, then scale by 2.5.
        ModelSpec spec = Specs.moe(32, 4, 2, 1, 1, "sigmoid", true);
        Router r = router(spec, new float[] {0, 0, 0, 1});
        float[] logits = {(float) logit(0.9), (float) logit(0.8), (float) logit(0.3), (float) logit(0.2)};
        int[] chosen = new int[2];
        float[] weights = new float[2];
        r.select(logits, 0, chosen, weights, 0, new float[r.scratchSize()]);
        assertArrayEquals(new int[] {3, 0}, chosen);
        assertEquals(0.2 / 1.1 * 2.5, weights[0], 1e-6);
        assertEquals(0.9 / 1.1 * 2.5, weights[1], 1e-6);
    }

    @Test
    void groupsAreRankedByTheirTopTwo() {
        // 8 experts in 4 groups of 2, keep 2 groups, choose 2 experts. Group sums (top two):
        // g0 = 0.9 + 0.1 = 1.0, g1 = 0.6 + 0.6 = 1.2, g2 = 0.55 + 0.5 = 1.05, g3 = 0.2 + 0.2.
        // Kept: g1 and g2. Expert 0 (0.9) is the best single score but its group is out.
        ModelSpec spec = Specs.moe(32, 8, 2, 4, 2, "sigmoid", false);
        Router r = router(spec, new float[8]);
        double[] p = {0.9, 0.1, 0.6, 0.6, 0.55, 0.5, 0.2, 0.2};
        float[] logits = new float[8];
        for (int i = 0; i < 8; i++) {
            logits[i] = (float) logit(p[i]);
        }
        int[] chosen = new int[2];
        float[] weights = new float[2];
        r.select(logits, 0, chosen, weights, 0, new float[r.scratchSize()]);
        assertEquals(java.util.Set.of(2, 3), java.util.Set.of(chosen[0], chosen[1]));
        assertEquals(0.6 * 2.5, weights[0], 1e-6, "not normalised: score times routed_scaling_factor");
    }

    @Test
    void softmaxWithoutBiasRanksGroupsByTheirBest() {
        // Without a correction bias a group counts its single best expert (DeepSeek-V2's rule).
        // Softmax over logits 3, 0, 2, 2: group 0 best = e0, group 1 best = e2/e3; keep 1 group.
        ModelSpec spec = Specs.moe(32, 4, 2, 2, 1, "softmax", true);
        Router r = router(spec, null);
        float[] logits = {3f, 0f, 2.5f, 2.5f};
        int[] chosen = new int[2];
        float[] weights = new float[2];
        r.select(logits, 0, chosen, weights, 0, new float[r.scratchSize()]);
        assertArrayEquals(new int[] {0, 1}, chosen, "group 0 wins on its best (3 > 2.5) though group 1 sums more");
        double e3 = Math.exp(3);
        double total = e3 + 1 + 2 * Math.exp(2.5);
        assertEquals(e3 / total / ((e3 + 1) / total) * 2.5, weights[0], 1e-6);
    }
}
