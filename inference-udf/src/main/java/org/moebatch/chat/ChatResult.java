package org.moebatch.chat;

import java.util.List;

/**
 * What a row produced: the final assistant text, why it ended ({@code stop}, {@code length},
 * {@code tool_limit} or {@code error}), every tool call, token counts, timings; {@code error} is null
 * when the row succeeded.
 */
public record ChatResult(String id, String completion, String finishReason, List<ToolTraceEntry> toolTrace,
        int promptTokens, int completionTokens, int cachedPromptTokens, double queueMs, double prefillMs,
        double decodeMs, double toolMs, double totalMs, String error) {

    public static ChatResult failed(String id, String error) {
        return new ChatResult(id, null, "error", List.of(), 0, 0, 0, 0, 0, 0, 0, 0, error);
    }

    public boolean ok() {
        return error == null;
    }
}
