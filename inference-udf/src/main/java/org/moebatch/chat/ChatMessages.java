package org.moebatch.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Conversations in OpenAI's JSON shape, read into {@link ChatMessage}s with errors that name the message. */
public final class ChatMessages {
    private ChatMessages() {}

    /** Reads a JSON array of {role, content, tool_calls?, tool_call_id?, name?} objects. */
    public static List<ChatMessage> fromJson(JsonNode array) {
        if (array == null || !array.isArray()) {
            throw new IllegalArgumentException("messages must be a JSON array of {role, content} objects");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            out.add(message(array.get(i), i));
        }
        return out;
    }

    private static ChatMessage message(JsonNode m, int index) {
        String where = "messages[" + index + "]";
        if (m == null || !m.isObject()) {
            throw new IllegalArgumentException(where + " is not an object");
        }
        JsonNode role = m.get("role");
        if (role == null || !role.isTextual()) {
            throw new IllegalArgumentException(where + " has no role");
        }
        if (!ChatMessage.ROLES.contains(role.asText())) {
            throw new IllegalArgumentException(where + ": unknown role \"" + role.asText()
                    + "\" (expected system, user, assistant or tool)");
        }
        List<ToolCall> calls = new ArrayList<>();
        JsonNode toolCalls = m.get("tool_calls");
        if (toolCalls != null && toolCalls.isArray()) {
            for (JsonNode c : toolCalls) {
                JsonNode f = c.path("function");
                JsonNode args = f.get("arguments");
                calls.add(new ToolCall(c.path("id").asText(null), f.path("name").asText(),
                        args == null || args.isNull() ? "{}" : args.isTextual() ? args.asText() : args.toString()));
            }
        }
        String content = content(m.get("content"), where);
        // OpenAI allows a null content only on an assistant turn that calls tools; elsewhere it is a missing message
        if (content == null && !(role.asText().equals("assistant") && !calls.isEmpty())) {
            throw new IllegalArgumentException(where + ": content is " + (m.has("content") ? "null" : "missing")
                    + "; a " + role.asText() + " message needs text");
        }
        return new ChatMessage(role.asText(), content, calls,
                m.hasNonNull("tool_call_id") ? m.get("tool_call_id").asText() : null,
                m.hasNonNull("name") ? m.get("name").asText() : null);
    }

    /** Text content, or OpenAI content parts of type text joined; other part types are refused. */
    private static String content(JsonNode content, String where) {
        if (content == null || content.isNull()) {
            return null;
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (!"text".equals(part.path("type").asText())) {
                    throw new IllegalArgumentException(where + ": content part of type \"" + part.path("type").asText()
                            + "\" is not supported (text only)");
                }
                text.append(part.path("text").asText());
            }
            return text.toString();
        }
        throw new IllegalArgumentException(where + ": content must be text");
    }
}
