package org.moebatch.engine;

/**
 * One row for the engine: its prompt as token ids, how to sample, an optional observer that sees
 * each generated token and may end the row (stop strings, tool-call markers), and an optional
 * processor of its logits (constrained decoding).
 */
public record GenerationRequest(String id, int[] prompt, SamplingParams params, TokenObserver observer,
        LogitsProcessor processor) {
    public GenerationRequest {
        if (prompt == null || prompt.length == 0) {
            throw new IllegalArgumentException("row " + id + ": empty prompt");
        }
    }

    public GenerationRequest(String id, int[] prompt, SamplingParams params) {
        this(id, prompt, params, null, null);
    }

    public GenerationRequest(String id, int[] prompt, SamplingParams params, TokenObserver observer) {
        this(id, prompt, params, observer, null);
    }

    /** Sees a row's tokens as they are generated. Called on the engine thread: keep it short. */
    @FunctionalInterface
    public interface TokenObserver {
        /** Returns true to end the row after {@code token} (finish reason "stop"). */
        boolean onToken(int token);
    }
}
