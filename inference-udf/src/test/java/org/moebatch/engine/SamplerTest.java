package org.moebatch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final float[] LOGITS = {1.0f, 3.0f, 2.0f, -1.0f, 2.5f, 0.0f};

    @Test
    void greedyTakesTheLargestAndTiesTheLowestId() {
        Sampler s = new Sampler();
        assertEquals(1, s.sample(LOGITS, 0, 6, SamplingParams.greedy(1), 0));
        assertEquals(0, Sampler.argmax(new float[] {2f, 2f, 1f}, 0, 3));
    }

    @Test
    void topKOneIsGreedyAndTopKTwoNeverLeavesTheBestTwo() {
        Sampler s = new Sampler();
        for (int position = 0; position < 200; position++) {
            assertEquals(1, s.sample(LOGITS, 0, 6, new SamplingParams(1, 1f, 1f, 1, 7, false), position));
            int t = s.sample(LOGITS, 0, 6, new SamplingParams(1, 5f, 1f, 2, 7, false), position);
            assertTrue(t == 1 || t == 4, "token " + t);
        }
    }

    @Test
    void topPKeepsTheSmallestNucleus() {
        // softmax of LOGITS: p(1) = 0.45, p(4) = 0.27, p(2) = 0.17: top_p 0.5 keeps {1, 4}
        Sampler s = new Sampler();
        for (int position = 0; position < 300; position++) {
            int t = s.sample(LOGITS, 0, 6, new SamplingParams(1, 1f, 0.5f, 0, 3, false), position);
            assertTrue(t == 1 || t == 4, "token " + t);
        }
    }

    @Test
    void temperatureSamplingFollowsTheSoftmax() {
        // Frequencies over 20000 positions against the exact softmax, within 5 standard errors.
        Sampler s = new Sampler();
        int n = 20000;
        int[] counts = new int[6];
        for (int position = 0; position < n; position++) {
            counts[s.sample(LOGITS, 0, 6, new SamplingParams(1, 1f, 1f, 0, 11, false), position)]++;
        }
        double total = 0;
        for (float l : LOGITS) {
            total += Math.exp(l);
        }
        for (int i = 0; i < 6; i++) {
            double p = Math.exp(LOGITS[i]) / total;
            double sd = Math.sqrt(p * (1 - p) / n);
            assertEquals(p, counts[i] / (double) n, 5 * sd, "token " + i);
        }
    }

    @Test
    void theDrawDependsOnlyOnSeedAndPosition() {
        assertEquals(Sampler.uniform(5, 17), Sampler.uniform(5, 17));
        assertTrue(Sampler.uniform(5, 17) != Sampler.uniform(6, 17));
        assertTrue(Sampler.uniform(5, 17) != Sampler.uniform(5, 18));
    }
}
