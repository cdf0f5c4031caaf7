package org.moebatch.chat;

/**
 * One generation of a conversation: the assistant's text (special tokens kept, the final
 * end-of-turn token dropped, stop strings cut), why it ended, and what it cost. {@code error} is set
 * instead when the turn could not run (template, context length).
 */
public record ChatTurn(String text, int completionTokens, String finishReason, int promptTokens, int cachedPromptTokens,
        double queueMs, double prefillMs, double decodeMs, String error) {
    static ChatTurn failed(String error) {
        return new ChatTurn(null, 0, "error", 0, 0, 0, 0, 0, error);
    }
}
