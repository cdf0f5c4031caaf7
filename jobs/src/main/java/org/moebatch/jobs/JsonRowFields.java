package org.moebatch.jobs;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Checks the JSON types of the columns {@link org.moebatch.spark.RowParser} reads, in a JSON line or
 * an OpenAI request body, before Spark sees them. Spark's JSON reader would turn {@code "prompt": 42}
 * into the text "42" and {@code "prompt": ["a", "b"]} into the text of the array, so a type error has
 * to be caught while the JSON types are still known.
 */
final class JsonRowFields {
    private JsonRowFields() {}

    /** The first type error of {@code row}, as "field: what was expected, what was found", or null. */
    static String typeError(JsonNode row) {
        String error = id(row.get("id"));
        for (String text : new String[] {"prompt", "system"}) {
            if (error == null) {
                error = text(text, row.get(text));
            }
        }
        if (error == null) {
            error = arrayOrJsonText("messages", row.get("messages"));
        }
        if (error == null) {
            error = arrayOrJsonText("tools", row.get("tools"));
        }
        if (error == null) {
            error = stop(row.get("stop"));
        }
        for (String number : new String[] {"temperature", "top_p"}) {
            if (error == null) {
                error = number(number, row.get(number), false);
            }
        }
        for (String whole : new String[] {"max_tokens", "max_completion_tokens", "top_k", "seed"}) {
            if (error == null) {
                error = number(whole, row.get(whole), true);
            }
        }
        return error;
    }

    /** An id is non-empty text or a whole number (written as its digits); absent or null means "make one". */
    static String id(JsonNode id) {
        if (absent(id)) {
            return null;
        }
        if (id.isTextual()) {
            return id.asText().isBlank() ? "id: expected non-empty text, got \"" + id.asText() + "\"" : null;
        }
        if (id.isIntegralNumber()) {
            return null;
        }
        return "id: expected text or a whole number, got " + kind(id);
    }

    private static String text(String field, JsonNode value) {
        if (absent(value) || value.isTextual()) {
            return null;
        }
        String hint = field.equals("prompt") && value.isArray() ? "; a conversation goes in messages" : "";
        return field + ": expected text, got " + kind(value) + hint;
    }

    /** messages and tools: a JSON array, or the same array as JSON text (a CSV cell, an escaped column). */
    private static String arrayOrJsonText(String field, JsonNode value) {
        if (absent(value) || value.isArray() || value.isTextual()) {
            return null;
        }
        return field + ": expected an array, got " + kind(value);
    }

    private static String stop(JsonNode value) {
        if (absent(value) || value.isTextual()) {
            return null;
        }
        if (value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                if (!value.get(i).isTextual()) {
                    return "stop[" + i + "]: expected text, got " + kind(value.get(i));
                }
            }
            return null;
        }
        return "stop: expected text or an array of texts, got " + kind(value);
    }

    /** A number, or text that reads as one (as CSV cells do); "hot" and true are errors. */
    private static String number(String field, JsonNode value, boolean whole) {
        if (absent(value)) {
            return null;
        }
        String expected = whole ? "a whole number" : "a number";
        double v;
        if (value.isNumber()) {
            v = value.asDouble();
        } else if (value.isTextual()) {
            try {
                v = Double.parseDouble(value.asText().trim());
            } catch (NumberFormatException e) {
                return field + ": \"" + value.asText() + "\" is not a number (expected " + expected + ")";
            }
        } else {
            return field + ": expected " + expected + ", got " + kind(value);
        }
        if (whole && v != Math.rint(v)) {
            return field + ": " + value + " is not a whole number";
        }
        return null;
    }

    private static boolean absent(JsonNode value) {
        return value == null || value.isNull() || value.isMissingNode();
    }

    /** The JSON kind of a value with a short sample, for "got ..." in an error. */
    static String kind(JsonNode value) {
        String sample = value.toString();
        sample = sample.length() > 40 ? sample.substring(0, 40) + "…" : sample;
        if (value.isTextual()) {
            return "text " + sample;
        }
        if (value.isNumber()) {
            return "a number (" + sample + ")";
        }
        if (value.isBoolean()) {
            return "a boolean (" + sample + ")";
        }
        if (value.isArray()) {
            return "an array " + sample;
        }
        return "an object " + sample;
    }
}
