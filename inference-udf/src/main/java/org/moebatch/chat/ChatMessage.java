package org.moebatch.chat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One message of a conversation, as chat templates see it.
 *
 * @param role       system, user, assistant or tool
 * @param content    the text; null for an assistant turn that only calls tools, as OpenAI sends it
 * @param toolCalls  the calls an assistant turn made (empty otherwise)
 * @param toolCallId for a tool message, the call it answers
 * @param name       for a tool message, the tool's name
 */
public record ChatMessage(String role, String content, List<ToolCall> toolCalls, String toolCallId, String name) {
    public static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");

    public ChatMessage {
        if (!ROLES.contains(role)) {
            throw new IllegalArgumentException("unknown role \"" + role + "\" (expected one of system, user, assistant, tool)");
        }
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    public static ChatMessage of(String role, String content) {
        return new ChatMessage(role, content, List.of(), null, null);
    }

    /** The message as the Python-style dict a template indexes: role, content, tool_calls, tool_call_id, name. */
    Map<String, Object> asTemplateValue() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        if (!toolCalls.isEmpty()) {
            m.put("tool_calls", toolCalls.stream().map(ToolCall::asTemplateValue).toList());
        }
        if (toolCallId != null) {
            m.put("tool_call_id", toolCallId);
        }
        if (name != null) {
            m.put("name", name);
        }
        return m;
    }
}
