package org.moebatch.spark;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.moebatch.chat.ChatMessage;
import org.moebatch.chat.ChatRequest;
import org.moebatch.chat.ChatMessages;
import org.moebatch.engine.SamplingParams;

/**
 * Turns an input row into a chat request, or into the reason it cannot be one. Recognised columns:
 * {@code id}, {@code prompt} or {@code messages} (an array of role/content structs, or the same as
 * JSON text), {@code system}, {@code tools} (OpenAI function declarations, as structs or JSON text),
 * {@code max_tokens}, {@code temperature}, {@code top_p}, {@code top_k}, {@code seed}, {@code stop}
 * (text or an array of texts), and {@code input_error} (set by readers that could not parse a line).
 * Every other column passes through to the output untouched.
 *
 * <p>Numbers may arrive as text (CSV): "0.7" is a temperature, "hot" is an error naming the column.
 */
public final class RowParser implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final Set<String> RECOGNIZED = Set.of("id", "prompt", "messages", "system", "tools", "max_tokens",
            "temperature", "top_p", "top_k", "seed", "stop", "input_error");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A parsed row: a request to run, or an error to report; {@code seed} is the one the row uses. */
    public record Parsed(String id, long seed, ChatRequest request, String error) {}

    private final GenerateOptions defaults;
    private final StructType schema;

    public RowParser(StructType schema, GenerateOptions defaults) {
        this.schema = schema;
        this.defaults = defaults;
    }

    /** The seed of a row without a seed column: a stable function of the job seed and the row id. */
    public static long derivedSeed(long jobSeed, String id) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest((jobSeed + ":" + id).getBytes(StandardCharsets.UTF_8));
            long seed = 0;
            for (int i = 0; i < 8; i++) {
                seed = (seed << 8) | (digest[i] & 0xFF);
            }
            return seed;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Parsed parse(Row row) {
        String id = String.valueOf(value(row, "id"));
        long seed = derivedSeed(defaults.seed(), id);
        try {
            Object inputError = value(row, "input_error");
            if (inputError != null) {
                return new Parsed(id, seed, null, inputError.toString());
            }
            Object seedValue = value(row, "seed");
            if (seedValue != null) {
                seed = seed(seedValue);
            }
            List<ChatMessage> messages = messages(row);
            SamplingParams params = new SamplingParams(
                    intOr("max_tokens", value(row, "max_tokens"), defaults.maxTokens()),
                    (float) numberOr("temperature", value(row, "temperature"), defaults.temperature()),
                    (float) numberOr("top_p", value(row, "top_p"), defaults.topP()),
                    intOr("top_k", value(row, "top_k"), defaults.topK()),
                    seed, false);
            List<JsonNode> tools = tools(value(row, "tools"));
            List<String> stop = stop(value(row, "stop"));
            return new Parsed(id, seed, new ChatRequest(id, messages, tools, params, stop), null);
        } catch (IllegalArgumentException e) {
            return new Parsed(id, seed, null, e.getMessage());
        }
    }

    private Object value(Row row, String column) {
        int i = indexOf(column);
        return i < 0 || row.isNullAt(i) ? null : row.get(i);
    }

    private int indexOf(String column) {
        for (int i = 0; i < schema.fields().length; i++) {
            if (schema.fields()[i].name().equals(column)) {
                return i;
            }
        }
        return -1;
    }

    private DataType typeOf(String column) {
        return schema.fields()[indexOf(column)].dataType();
    }

    private List<ChatMessage> messages(Row row) {
        Object prompt = value(row, "prompt");
        Object raw = value(row, "messages");
        Object system = value(row, "system");
        List<ChatMessage> messages = new ArrayList<>();
        if (raw != null) {
            messages.addAll(parseMessages(raw, typeOf("messages")));
            if (messages.isEmpty()) {
                throw new IllegalArgumentException("messages is empty");
            }
        } else if (prompt != null) {
            if (!(prompt instanceof String)) {
                throw new IllegalArgumentException("prompt must be text, is " + prompt.getClass().getSimpleName());
            }
            if (((String) prompt).isBlank()) {
                throw new IllegalArgumentException("prompt is empty");
            }
            messages.add(ChatMessage.of("user", (String) prompt));
        } else {
            throw new IllegalArgumentException(indexOf("prompt") < 0 && indexOf("messages") < 0
                    ? "the input has neither a prompt nor a messages column"
                    : "prompt is empty (null)");
        }
        String systemPrompt = system != null ? system.toString() : defaults.system();
        if (systemPrompt != null && !messages.get(0).role().equals("system")) {
            messages.add(0, ChatMessage.of("system", systemPrompt));
        }
        return messages;
    }

    private static List<ChatMessage> parseMessages(Object raw, DataType type) {
        if (raw instanceof String) {
            try {
                return ChatMessages.fromJson(JSON.readTree((String) raw));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("messages is not valid JSON: " + e.getOriginalMessage());
            }
        }
        if (!(type instanceof ArrayType) || !(((ArrayType) type).elementType() instanceof StructType)) {
            throw new IllegalArgumentException("messages must be an array of {role, content} structs or JSON text");
        }
        return ChatMessages.fromJson(SparkJson.toJson(raw, type));
    }

    private List<JsonNode> tools(Object raw) {
        List<JsonNode> out = new ArrayList<>();
        if (raw == null) {
            return out;
        }
        if (raw instanceof String) {
            out.addAll(toolList((String) raw, "tools"));
            return out;
        }
        JsonNode node = SparkJson.toJson(raw, typeOf("tools"));
        if (!node.isArray()) {
            throw new IllegalArgumentException("tools must be an array of tool declarations or JSON text");
        }
        for (int i = 0; i < node.size(); i++) {
            out.add(checkedTool(node.get(i), "tools[" + i + "]"));
        }
        return out;
    }

    private static List<JsonNode> toolList(String json, String where) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(where + " is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isArray()) {
            throw new IllegalArgumentException(where + " must be a JSON array of tool declarations");
        }
        List<JsonNode> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            out.add(checkedTool(node.get(i), where + "[" + i + "]"));
        }
        return out;
    }

    private static JsonNode checkedTool(JsonNode tool, String where) {
        if (!tool.path("function").path("name").isTextual()) {
            throw new IllegalArgumentException(where + " is not an OpenAI function declaration "
                    + "({\"type\": \"function\", \"function\": {\"name\": ..., \"parameters\": ...}})");
        }
        return tool;
    }

    private List<String> stop(Object raw) {
        if (raw == null) {
            return defaults.stop();
        }
        if (raw instanceof String) {
            String s = (String) raw;
            if (s.startsWith("[")) {
                try {
                    JsonNode node = JSON.readTree(s);
                    List<String> out = new ArrayList<>();
                    node.forEach(n -> out.add(n.asText()));
                    return out;
                } catch (JsonProcessingException e) {
                    return List.of(s); // a stop string that happens to start with a bracket
                }
            }
            return s.isEmpty() ? List.of() : List.of(s);
        }
        List<String> out = new ArrayList<>();
        for (Object o : SparkJson.elements(raw)) {
            out.add(String.valueOf(o));
        }
        return out;
    }

    private static double number(String column, Object raw, boolean integral) {
        double v;
        if (raw instanceof Number) {
            v = ((Number) raw).doubleValue();
        } else if (raw instanceof String) {
            try {
                v = Double.parseDouble(((String) raw).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(column + ": \"" + raw + "\" is not a number");
            }
        } else {
            throw new IllegalArgumentException(column + ": " + raw + " is not a number");
        }
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(column + ": " + raw + " is not a finite number");
        }
        if (integral && v != Math.rint(v)) {
            throw new IllegalArgumentException(column + ": " + raw + " is not a whole number");
        }
        return v;
    }

    /** A row's seed, exact over all 64 bits: through a double, seeds past 2^53 would collide. */
    static long seed(Object raw) {
        if (raw instanceof Long || raw instanceof Integer || raw instanceof Short || raw instanceof Byte) {
            return ((Number) raw).longValue();
        }
        if (raw instanceof String) {
            try {
                return Long.parseLong(((String) raw).trim());
            } catch (NumberFormatException e) {
                // "12.0" or "1e3" from a CSV: whole numbers in another spelling
            }
        }
        double v = number("seed", raw, true);
        if (Math.abs(v) >= 0x1p63) {
            throw new IllegalArgumentException("seed: " + raw + " is outside the 64-bit range");
        }
        return (long) v;
    }

    private static double numberOr(String column, Object raw, double fallback) {
        return raw == null ? fallback : number(column, raw, false);
    }

    private static int intOr(String column, Object raw, int fallback) {
        if (raw == null) {
            return fallback;
        }
        double v = number(column, raw, true);
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw new IllegalArgumentException(column + ": " + raw + " is out of range");
        }
        return (int) v;
    }
}
