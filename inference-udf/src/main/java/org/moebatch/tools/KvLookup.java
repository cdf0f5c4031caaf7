package org.moebatch.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code kv_lookup} tool: a key-value table from a file, looked up by exact key (then by key
 * ignoring case). The file is a JSON object, JSON lines of {@code {"key": ..., "value": ...}}, or a
 * CSV with a header whose first two columns are key and value.
 */
public final class KvLookup implements Tool {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> table;
    private final Map<String, String> folded = new HashMap<>();
    private final Path source;

    public KvLookup(Path file) {
        this.source = file;
        this.table = read(file);
        table.forEach((k, v) -> folded.putIfAbsent(k.toLowerCase(java.util.Locale.ROOT), v));
    }

    private static Map<String, String> read(Path file) {
        Map<String, String> t = new HashMap<>();
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        try {
            if (name.endsWith(".json")) {
                JsonNode root = JSON.readTree(Files.readString(file));
                if (root == null || !root.isObject()) {
                    throw new IllegalArgumentException(file + ": a kv_lookup table must be a JSON object");
                }
                root.fields().forEachRemaining(e -> t.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
            } else if (name.endsWith(".jsonl")) {
                int n = 0;
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    n++;
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode row = JSON.readTree(line);
                    if (row == null || !row.has("key") || !row.has("value")) {
                        throw new IllegalArgumentException(file + ": line " + n + " needs \"key\" and \"value\"");
                    }
                    JsonNode v = row.get("value");
                    t.put(row.get("key").asText(), v.isTextual() ? v.asText() : v.toString());
                }
            } else if (name.endsWith(".csv")) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                for (int i = 1; i < lines.size(); i++) {
                    String line = lines.get(i);
                    int comma = line.indexOf(',');
                    if (comma > 0) {
                        t.put(unquote(line.substring(0, comma)), unquote(line.substring(comma + 1)));
                    }
                }
            } else {
                throw new IllegalArgumentException(file + ": kv_lookup reads .json, .jsonl or .csv tables");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the kv_lookup table: " + e.getMessage(), e);
        }
        return t;
    }

    private static String unquote(String s) {
        String t = s.strip();
        return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1).replace("\"\"", "\"") : t;
    }

    @Override
    public String name() {
        return "kv_lookup";
    }

    @Override
    public String description() {
        return "Looks up a key in the table " + source.getFileName() + " (" + table.size() + " entries) and returns its value.";
    }

    @Override
    public JsonNode parameters() {
        try {
            return JSON.readTree("{\"type\":\"object\",\"properties\":{\"key\":{\"type\":\"string\"}},\"required\":[\"key\"]}");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String call(JsonNode arguments) {
        String key = arguments.path("key").asText();
        String value = table.get(key);
        if (value == null) {
            value = folded.get(key.toLowerCase(java.util.Locale.ROOT));
        }
        if (value == null) {
            throw new IllegalArgumentException("no entry for key \"" + key + "\"");
        }
        return value;
    }
}
