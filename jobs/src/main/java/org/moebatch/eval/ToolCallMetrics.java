package org.moebatch.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NumericNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.moebatch.tools.ArgumentValidator;

/**
 * Tool-call metrics in the style of Moonshot's K2-Vendor-Verifier: did the row call a tool when it
 * should have (trigger), do the calls' arguments validate against the called tool's schema (schema
 * accuracy), and did the first tool step call the expected tool (name) with the expected arguments
 * (arguments, compared as JSON values).
 */
public final class ToolCallMetrics {
    /** A call the model made, as the {@code tool_trace} column records it. */
    public record Call(int step, String name, String arguments, String error) {}

    /** What an eval row expects: a call of {@code name} with {@code arguments} (a JSON object). */
    public record ExpectedCall(String name, JsonNode arguments) {}

    private ToolCallMetrics() {}

    /**
     * The expected call of a row from its {@code expected_tool_call} text: null when the text is JSON
     * {@code null} or the word {@code none} ("should not call a tool"); else {@code {"name": ..., "arguments": {...}}}, where the
     * arguments may also be an object's JSON text (OpenAI's form) and may be left out for a call without any.
     */
    public static ExpectedCall expected(String json) {
        if (json.strip().equalsIgnoreCase("none")) {
            return null;
        }
        JsonNode node = EvalJson.column(json, "expected_tool_call");
        if (node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (!node.isObject() || !node.path("name").isTextual() || node.get("name").asText().isBlank()) {
            throw new BadEvalRow("expected_tool_call must be {\"name\": ..., \"arguments\": {...}} or null, is " + json);
        }
        JsonNode arguments = node.get("arguments");
        if (arguments == null || arguments.isNull()) {
            arguments = EvalJson.STRICT.createObjectNode();
        } else if (arguments.isTextual()) {
            arguments = argumentsObject(arguments.asText());
            if (arguments == null) {
                throw new BadEvalRow("expected_tool_call.arguments is text that is not a JSON object: " + node.get("arguments"));
            }
        }
        if (!arguments.isObject()) {
            throw new BadEvalRow("expected_tool_call.arguments must be a JSON object, is " + arguments);
        }
        return new ExpectedCall(node.get("name").asText(), arguments);
    }

    /** The calls of the first tool step, the turn in which the model decided what to call. */
    static List<Call> firstStep(List<Call> calls) {
        int first = calls.stream().mapToInt(Call::step).min().orElse(0);
        return calls.stream().filter(c -> c.step() == first).toList();
    }

    /** 1 when the row called a tool exactly when one was expected. */
    public static double trigger(List<Call> calls, ExpectedCall expected) {
        return calls.isEmpty() == (expected == null) ? 1 : 0;
    }

    /**
     * 1 when the row chose right: no call when {@code expected} is null, else a call of the expected tool
     * in the first tool step (a row that should not call and a row that calls the wrong tool both score 0).
     */
    public static double choice(List<Call> calls, ExpectedCall expected) {
        return expected == null ? (calls.isEmpty() ? 1 : 0) : nameMatch(calls, expected);
    }

    /** 1 when a call of the first tool step names the expected tool. */
    public static double nameMatch(List<Call> calls, ExpectedCall expected) {
        return firstStep(calls).stream().anyMatch(c -> expected.name().equals(c.name())) ? 1 : 0;
    }

    /**
     * 1 when a call of the first tool step names the expected tool and its arguments are the same JSON
     * value as the expected ones: key order and number spelling (2, 2.0, 2e0) do not matter, strings
     * and types do.
     */
    public static double argumentsMatch(List<Call> calls, ExpectedCall expected) {
        for (Call c : firstStep(calls)) {
            if (expected.name().equals(c.name())) {
                JsonNode arguments = argumentsObject(c.arguments());
                if (arguments != null && arguments.equals(NUMBERS_BY_VALUE, expected.arguments())) {
                    return 1;
                }
            }
        }
        return 0;
    }

    /** Jackson's tree equality with numbers compared by value: IntNode 2 and DoubleNode 2.0 are equal. */
    static final Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) -> {
        if (a instanceof NumericNode && b instanceof NumericNode) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    /** Parsed arguments when they are a JSON object, else null. */
    static JsonNode argumentsObject(String text) {
        JsonNode node = EvalJson.orNull(text);
        return node instanceof ObjectNode ? node : null;
    }

    /**
     * Schema validity of calls, against the schemas of the tools offered to the row: a call of a tool
     * that was not offered, with arguments that are not a JSON object, or that fail the schema is invalid.
     */
    public static final class SchemaCheck {
        private final Map<String, JsonNode> schemas;
        private final Map<String, ArgumentValidator> validators = new HashMap<>();

        /** {@code schemas}: tool name to its parameters schema. */
        public SchemaCheck(Map<String, JsonNode> schemas) {
            this.schemas = schemas;
        }

        public boolean valid(Call call) {
            if (call.name() == null || !schemas.containsKey(call.name())) {
                return false;
            }
            JsonNode arguments = argumentsObject(call.arguments());
            if (arguments == null) {
                return false;
            }
            ArgumentValidator v = validators.computeIfAbsent(call.name(), n -> new ArgumentValidator(schemas.get(n)));
            return v.check(arguments) == null;
        }

        /** Valid calls out of {@code calls}. */
        public int countValid(List<Call> calls) {
            int valid = 0;
            for (Call c : calls) {
                if (valid(c)) {
                    valid++;
                }
            }
            return valid;
        }
    }
}
