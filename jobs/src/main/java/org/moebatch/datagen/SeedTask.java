package org.moebatch.datagen;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One seed task of a {@code datagen} run, a line of the seeds JSONL file:
 * {@code {"id": "...", "instruction": "...", "output": "an example answer", "category": "...", "format": "json"}}.
 * Only {@code instruction} is required. {@code format: "json"} asks that the answers to tasks grown
 * from this seed be valid JSON.
 */
public record SeedTask(String id, String instruction, String output, String category, boolean json) implements Serializable {

    /** The seeds of a file, and a message per line that could not be read (line number and why). */
    public record Loaded(List<SeedTask> seeds, List<String> problems) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    public static Loaded read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--seeds " + file + ": no such file");
        }
        List<SeedTask> seeds = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, Integer> ids = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = file.getFileName() + " line " + (i + 1);
            try {
                SeedTask seed = parse(line, "seed-" + (i + 1));
                Integer earlier = ids.putIfAbsent(seed.id(), i + 1);
                if (earlier != null) {
                    problems.add(where + ": id \"" + seed.id() + "\" was used on line " + earlier);
                    continue;
                }
                seeds.add(seed);
            } catch (IllegalArgumentException e) {
                problems.add(where + ": " + e.getMessage());
            }
        }
        return new Loaded(seeds, problems);
    }

    static SeedTask parse(String line, String defaultId) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        JsonNode instruction = node.get("instruction");
        if (instruction == null || !instruction.isTextual() || instruction.asText().isBlank()) {
            throw new IllegalArgumentException("\"instruction\" must be a non-empty string");
        }
        String format = text(node, "format");
        if (format != null && !format.equals("json") && !format.equals("text")) {
            throw new IllegalArgumentException("\"format\" must be \"json\" or \"text\", is \"" + format + "\"");
        }
        String id = text(node, "id");
        return new SeedTask(id == null ? defaultId : id, instruction.asText().strip(), text(node, "output"), text(node, "category"),
                "json".equals(format));
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isValueNode()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a string");
        }
        return v.asText();
    }

    /** The seed as a template sees it: {@code instruction}, {@code output}, {@code category}, {@code id}. */
    Map<String, Object> asTemplateValue() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("instruction", instruction);
        m.put("output", output);
        m.put("category", category);
        return m;
    }
}
