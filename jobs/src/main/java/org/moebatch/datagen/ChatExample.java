package org.moebatch.datagen;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.moebatch.chat.ToolTraceEntry;

/**
 * A generated example in the chat format fine-tuning tools read (OpenAI's {@code messages}): the
 * system prompt if any, the task as the user turn, then for each tool-calling step an assistant turn
 * with its {@code tool_calls} followed by one {@code tool} turn per call with the result (or the
 * error the model saw), and the final assistant answer.
 */
public final class ChatExample {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChatExample() {}

    public static ArrayNode messages(String system, String task, List<ToolTraceEntry> trace, String answer) {
        ArrayNode messages = JSON.createArrayNode();
        if (system != null && !system.isBlank()) {
            messages.addObject().put("role", "system").put("content", system);
        }
        messages.addObject().put("role", "user").put("content", task);
        int i = 0;
        while (i < trace.size()) {
            int step = trace.get(i).step();
            ObjectNode assistant = messages.addObject().put("role", "assistant").put("content", "");
            ArrayNode calls = assistant.putArray("tool_calls");
            int end = i;
            while (end < trace.size() && trace.get(end).step() == step) {
                ToolTraceEntry call = trace.get(end++);
                ObjectNode c = calls.addObject().put("id", call.callId()).put("type", "function");
                c.putObject("function").put("name", call.name()).put("arguments", call.arguments());
            }
            for (int j = i; j < end; j++) {
                ToolTraceEntry call = trace.get(j);
                messages.addObject().put("role", "tool").put("tool_call_id", call.callId()).put("name", call.name())
                        .put("content", call.error() != null ? "error: " + call.error() : call.result());
            }
            i = end;
        }
        messages.addObject().put("role", "assistant").put("content", answer == null ? "" : answer);
        return messages;
    }
}
