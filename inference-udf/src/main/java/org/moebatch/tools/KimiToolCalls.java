package org.moebatch.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * Kimi K2's native tool-call tokens:
 * <pre>
 * content&lt;|tool_calls_section_begin|&gt;
 *   &lt;|tool_call_begin|&gt;functions.NAME:IDX&lt;|tool_call_argument_begin|&gt;{json}&lt;|tool_call_end|&gt; ...
 * &lt;|tool_calls_section_end|&gt;
 * </pre>
 * The call id is the {@code functions.NAME:IDX} text itself; results go back as role {@code tool}
 * messages with that id.
 */
public final class KimiToolCalls implements ToolCallFormat {
    public static final String SECTION_BEGIN = "<|tool_calls_section_begin|>";
    public static final String SECTION_END = "<|tool_calls_section_end|>";
    public static final String CALL_BEGIN = "<|tool_call_begin|>";
    public static final String ARGUMENT_BEGIN = "<|tool_call_argument_begin|>";
    public static final String CALL_END = "<|tool_call_end|>";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String callStart() {
        return SECTION_BEGIN;
    }

    @Override
    public AssistantTurn parse(String text, int step) {
        int section = text.indexOf(SECTION_BEGIN);
        if (section < 0) {
            return new AssistantTurn(text, List.of());
        }
        String content = text.substring(0, section);
        int end = text.indexOf(SECTION_END, section);
        String body = text.substring(section + SECTION_BEGIN.length(), end < 0 ? text.length() : end);
        List<ParsedCall> calls = new ArrayList<>();
        int at = 0;
        int index = 0;
        while (true) {
            int begin = body.indexOf(CALL_BEGIN, at);
            if (begin < 0) {
                break;
            }
            int argumentsAt = body.indexOf(ARGUMENT_BEGIN, begin);
            int callEnd = body.indexOf(CALL_END, begin);
            int nextBegin = body.indexOf(CALL_BEGIN, begin + CALL_BEGIN.length());
            String fallbackId = "functions.unknown:" + index;
            boolean markerMissing = argumentsAt < 0 || (nextBegin >= 0 && argumentsAt > nextBegin)
                    || (callEnd >= 0 && callEnd < argumentsAt);
            if (markerMissing) {
                int idEnd = callEnd >= begin && (nextBegin < 0 || callEnd < nextBegin) ? callEnd : nextBegin < 0 ? body.length() : nextBegin;
                String id = body.substring(begin + CALL_BEGIN.length(), idEnd).strip();
                calls.add(new ParsedCall(id.isEmpty() ? fallbackId : id, nameOf(id), null,
                        "tool call " + (index + 1) + " has no " + ARGUMENT_BEGIN));
                at = nextBegin < 0 ? body.length() : nextBegin;
                index++;
                continue;
            }
            String id = body.substring(begin + CALL_BEGIN.length(), argumentsAt).strip();
            boolean terminated = callEnd >= 0 && (nextBegin < 0 || callEnd < nextBegin);
            int argumentsEnd = terminated ? callEnd : (nextBegin < 0 ? body.length() : nextBegin);
            String arguments = body.substring(argumentsAt + ARGUMENT_BEGIN.length(), argumentsEnd).strip();
            String error = null;
            String name = nameOf(id);
            if (!terminated) {
                error = "tool call " + id + " is not terminated by " + CALL_END;
            } else if (name == null) {
                error = "tool call id \"" + id + "\" is not functions.NAME:INDEX";
            } else {
                error = JsonArguments.check(arguments);
            }
            calls.add(new ParsedCall(id.isEmpty() ? fallbackId : id, name, arguments, error));
            at = argumentsEnd;
            index++;
        }
        if (end < 0) {
            calls.add(new ParsedCall("functions.section:" + index, null, null,
                    "the tool-call section is not terminated by " + SECTION_END));
        } else if (calls.isEmpty()) {
            calls.add(new ParsedCall("functions.section:0", null, null, "an empty tool-call section"));
        }
        return new AssistantTurn(content, calls);
    }

    /** NAME of {@code functions.NAME:IDX}; null when the id has another shape. */
    static String nameOf(String id) {
        if (!id.startsWith("functions.")) {
            return null;
        }
        int colon = id.lastIndexOf(':');
        String name = id.substring("functions.".length(), colon > 0 ? colon : id.length());
        return name.isEmpty() ? null : name;
    }

    /** Argument JSON shared by both formats: it must be a JSON object. */
    static final class JsonArguments {
        private JsonArguments() {}

        static String check(String arguments) {
            try {
                JsonNode node = JSON.readTree(arguments);
                if (node == null || !node.isObject()) {
                    return "arguments must be a JSON object, got: " + abbreviate(arguments);
                }
                return null;
            } catch (JsonProcessingException e) {
                return "arguments are not valid JSON (" + e.getOriginalMessage() + "): " + abbreviate(arguments);
            }
        }

        static String abbreviate(String s) {
            return s.length() <= 200 ? s : s.substring(0, 200) + "…";
        }
    }
}
