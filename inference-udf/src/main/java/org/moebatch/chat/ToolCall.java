package org.moebatch.chat;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A tool call an assistant made: its id (Kimi K2 writes {@code functions.NAME:IDX}), the tool's name
 * and the arguments as JSON text, in the OpenAI shape templates expect.
 */
public record ToolCall(String id, String name, String arguments) {
    Map<String, Object> asTemplateValue() {
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", name);
        function.put("arguments", arguments);
        Map<String, Object> call = new LinkedHashMap<>();
        call.put("id", id);
        call.put("type", "function");
        call.put("function", function);
        return call;
    }
}
