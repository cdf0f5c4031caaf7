package org.moebatch.engine;

import java.util.Arrays;

/**
 * Chooses the next token from a row of logits: greedy, or temperature with top-k and top-p. The
 * uniform draw for position {@code p} of a row is a pure function of (seed, p) (SplitMix64), so a
 * row samples the same tokens whichever rows share its batch and whenever it runs.
 *
 * <p>Holds scratch for one thread: one sampler per engine loop.
 */
public final class Sampler {
    private static final int SMALL_K = 256;

    private float[] probabilities = new float[0];
    private int[] order = new int[0];
    private long[] keys = new long[0];

    public int sample(float[] logits, int offset, int vocab, SamplingParams params, int position) {
        if (params.isGreedy()) {
            return argmax(logits, offset, vocab);
        }
        if (probabilities.length < vocab) {
            probabilities = new float[vocab];
            order = new int[vocab];
        }
        int candidates = params.topK() > 0 ? Math.min(params.topK(), vocab) : vocab;
        if (candidates == vocab && params.topP() == 1f) {
            return sampleAll(logits, offset, vocab, params, position);
        }
        // Candidates: the top-k (or all, for top-p), most likely first.
        selectTop(logits, offset, vocab, candidates);
        float max = logits[offset + order[0]];
        double total = 0;
        for (int i = 0; i < candidates; i++) {
            double p = Math.exp((logits[offset + order[i]] - max) / params.temperature());
            probabilities[i] = (float) p;
            total += probabilities[i]; // sum what is stored, so the draw below always lands
        }
        // Nucleus: the shortest prefix whose mass reaches top_p.
        int kept = candidates;
        if (params.topP() < 1f) {
            double mass = 0;
            for (int i = 0; i < candidates; i++) {
                mass += probabilities[i] / total;
                if (mass >= params.topP()) {
                    kept = i + 1;
                    break;
                }
            }
        }
        double keptTotal = 0;
        for (int i = 0; i < kept; i++) {
            keptTotal += probabilities[i];
        }
        double u = uniform(params.seed(), position) * keptTotal;
        double cumulative = 0;
        for (int i = 0; i < kept; i++) {
            cumulative += probabilities[i];
            if (u < cumulative) {
                return order[i];
            }
        }
        return order[kept - 1];
    }

    /** Plain temperature sampling over the whole vocabulary, in id order: no sort needed. */
    private int sampleAll(float[] logits, int offset, int vocab, SamplingParams params, int position) {
        float max = logits[offset + argmax(logits, offset, vocab)];
        double total = 0;
        for (int i = 0; i < vocab; i++) {
            double p = Math.exp((logits[offset + i] - max) / params.temperature());
            probabilities[i] = (float) p;
            total += probabilities[i]; // sum what is stored, so the draw below always lands
        }
        double u = uniform(params.seed(), position) * total;
        double cumulative = 0;
        for (int i = 0; i < vocab; i++) {
            cumulative += probabilities[i];
            if (u < cumulative) {
                return i;
            }
        }
        return argmax(logits, offset, vocab);
    }

    /** The first index of the largest logit; ties go to the lower id, as torch.argmax does. */
    public static int argmax(float[] logits, int offset, int vocab) {
        int best = 0;
        for (int i = 1; i < vocab; i++) {
            if (logits[offset + i] > logits[offset + best]) {
                best = i;
            }
        }
        return best;
    }

    /** Fills order[0..k) with the ids of the k largest logits, descending (ties: lower id first). */
    private void selectTop(float[] logits, int offset, int vocab, int k) {
        if (k <= SMALL_K) {
            // A sorted window of k, insertion per candidate: O(vocab) when few beat the window.
            int size = 0;
            for (int id = 0; id < vocab; id++) {
                float v = logits[offset + id];
                if (size == k && !(v > logits[offset + order[k - 1]])) {
                    continue;
                }
                int at = size < k ? size++ : k - 1;
                while (at > 0 && v > logits[offset + order[at - 1]]) {
                    order[at] = order[at - 1];
                    at--;
                }
                order[at] = id;
            }
            return;
        }
        // Everything else: sort (logit descending, id ascending) packed into longs, no boxing.
        if (keys.length < vocab) {
            keys = new long[vocab];
        }
        for (int id = 0; id < vocab; id++) {
            int bits = Float.floatToRawIntBits(logits[offset + id]);
            int ascending = bits ^ ((bits >> 31) & 0x7FFFFFFF); // signed-int order equals float order
            keys[id] = ((long) ~ascending << 32) | id;
        }
        Arrays.sort(keys, 0, vocab);
        for (int i = 0; i < k; i++) {
            order[i] = (int) keys[i];
        }
    }

    /** A uniform double in [0, 1) from (seed, position): SplitMix64 of their combination. */
    static double uniform(long seed, int position) {
        long z = seed + 0x9E3779B97F4A7C15L * (position + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
    }
}
