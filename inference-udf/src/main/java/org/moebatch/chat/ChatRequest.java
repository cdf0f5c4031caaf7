package org.moebatch.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.moebatch.engine.SamplingParams;

/**
 * A conversation to continue: the messages (system prompt included), the tools it may call
 * (OpenAI function format), how to sample, and stop strings that end the completion.
 */
public record ChatRequest(String id, List<ChatMessage> messages, List<JsonNode> tools, SamplingParams params,
        List<String> stop) {
    public ChatRequest {
        if (messages == null || messages.isEmpty()) {
            throw new IllegalArgumentException("no messages");
        }
        messages = List.copyOf(messages);
        tools = tools == null ? List.of() : List.copyOf(tools);
        stop = stop == null ? List.of() : List.copyOf(stop);
    }
}
