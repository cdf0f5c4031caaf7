package org.moebatch.engine;

/**
 * How one row's tokens are chosen. Temperature 0 is greedy. A row's choices depend only on its own
 * logits, these parameters and its seed: the random number for the token at a given position comes
 * from (seed, position), never from a generator shared with other rows.
 *
 * @param maxTokens   tokens to generate at most; the row ends with finish reason "length" there
 * @param temperature 0 for greedy, else logits are divided by it before the softmax
 * @param topP        nucleus: keep the fewest most likely tokens whose probability reaches topP (1 = all)
 * @param topK        keep the topK most likely tokens (0 = all)
 * @param seed        the row's seed
 * @param ignoreEos   keep going past end-of-sequence tokens (benchmarks)
 */
public record SamplingParams(int maxTokens, float temperature, float topP, int topK, long seed, boolean ignoreEos) {
    public SamplingParams {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max_tokens must be at least 1, is " + maxTokens);
        }
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, is " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must lie in (0, 1], is " + topP);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must not be negative, is " + topK);
        }
    }

    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(maxTokens, 0f, 1f, 0, 0L, false);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }

    public SamplingParams withIgnoreEos(boolean ignore) {
        return new SamplingParams(maxTokens, temperature, topP, topK, seed, ignore);
    }
}
