package org.moebatch.tools;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * Hermes / Qwen tool calls: {@code <tool_call>{"name": ..., "arguments": {...}}</tool_call>},
 * several per turn. Ids are made up here ({@code call_STEP_INDEX}): the format has none.
 */
public final class HermesToolCalls implements ToolCallFormat {
    public static final String OPEN = "<tool_call>";
    public static final String CLOSE = "</tool_call>";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String callStart() {
        return OPEN;
    }

    @Override
    public AssistantTurn parse(String text, int step) {
        int first = text.indexOf(OPEN);
        if (first < 0) {
            return new AssistantTurn(text, List.of());
        }
        List<ParsedCall> calls = new ArrayList<>();
        int at = first;
        int index = 0;
        while (at >= 0) {
            String id = "call_" + step + "_" + index;
            int close = text.indexOf(CLOSE, at);
            int next = text.indexOf(OPEN, at + OPEN.length());
            if (close < 0 || (next >= 0 && next < close)) {
                String body = text.substring(at + OPEN.length(), next < 0 ? text.length() : next).strip();
                calls.add(new ParsedCall(id, null, body, "tool call " + (index + 1) + " is not terminated by " + CLOSE));
            } else {
                calls.add(call(id, text.substring(at + OPEN.length(), close).strip()));
            }
            index++;
            at = next;
        }
        return new AssistantTurn(text.substring(0, first), calls);
    }

    private static ParsedCall call(String id, String body) {
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return new ParsedCall(id, null, body, "tool call is not valid JSON (" + e.getOriginalMessage() + "): "
                    + KimiToolCalls.JsonArguments.abbreviate(body));
        }
        if (node == null || !node.isObject() || !node.path("name").isTextual()) {
            return new ParsedCall(id, null, body, "tool call must be {\"name\": ..., \"arguments\": {...}}");
        }
        JsonNode arguments = node.get("arguments");
        String text;
        if (arguments == null || arguments.isNull()) {
            text = "{}";
        } else if (arguments.isTextual()) {
            text = arguments.asText(); // some models write the arguments as a JSON string
        } else {
            text = rawArguments(body, arguments);
        }
        return new ParsedCall(id, node.get("name").asText(), text, KimiToolCalls.JsonArguments.check(text));
    }

    /**
     * The arguments exactly as the model wrote them. Not the parsed tree written out again: that
     * would turn a number too large for a double, such as {@code 1e999}, into the string "Infinity".
     */
    private static String rawArguments(String body, JsonNode parsed) {
        try (JsonParser p = JSON.getFactory().createParser(body)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.getCurrentName();
                p.nextToken();
                int start = (int) p.getTokenLocation().getCharOffset();
                p.skipChildren();
                if (field.equals("arguments")) {
                    return body.substring(start, (int) p.getCurrentLocation().getCharOffset());
                }
            }
        } catch (java.io.IOException e) {
            // readTree accepted the body, so this does not happen; fall through to the tree's text
        }
        return parsed.toString();
    }
}
