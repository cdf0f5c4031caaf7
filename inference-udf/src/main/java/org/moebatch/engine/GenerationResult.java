package org.moebatch.engine;

/**
 * What the engine produced for one row.
 *
 * @param tokens             the generated tokens, the one that ended the row included
 * @param finishReason       "stop" (end-of-sequence token or the observer), "length" (max tokens or
 *                           the model's context)
 * @param promptTokens       tokens in the prompt
 * @param cachedPromptTokens prompt tokens whose cache came from another row's identical prefix
 * @param queueMs            from submission until the row was first scheduled
 * @param prefillMs          from first scheduled until its first token
 * @param decodeMs           from its first token until its last
 * @param preemptions        times the row lost its cache to make room and was recomputed
 */
public record GenerationResult(String id, int[] tokens, String finishReason, int promptTokens, int cachedPromptTokens,
        double queueMs, double prefillMs, double decodeMs, int preemptions) {
    public double totalMs() {
        return queueMs + prefillMs + decodeMs;
    }
}
