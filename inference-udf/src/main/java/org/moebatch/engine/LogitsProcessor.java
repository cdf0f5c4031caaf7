package org.moebatch.engine;

/**
 * Changes a row's logits before its next token is sampled: constrained decoding masks the tokens
 * that would break a tool call's JSON schema. Runs on the engine thread, once per generated token,
 * for this row only; {@link GenerationRequest.TokenObserver#onToken} tells it which token was chosen.
 */
@FunctionalInterface
public interface LogitsProcessor {
    /** Edits {@code logits[offset .. offset + vocab)} in place; -infinity removes a token. */
    void process(float[] logits, int offset, int vocab);
}
