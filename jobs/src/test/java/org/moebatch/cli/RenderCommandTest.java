package org.moebatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code render} prints what the model sees: every string of the issue that Jinjava used to evaluate
 * reaches the prompt verbatim, through Kimi K2's template (the demo model), Qwen3's real one and the
 * ChatML fallback, from a user turn, a system prompt, a tool result and a tool declaration.
 */
class RenderCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Each of these was evaluated as Jinja before: 49, xxx, lost text, a failed row, a raised error, an include. */
    static final List<String> JINJA_LOOKALIKES = List.of("{{ 7*7 }}", "{% for i in range(3) %}x{% endfor %}",
            "Angular: {{ user.name | uppercase }}", "Hello {{ .Name }}!", "{{ raise_exception('boom') }}",
            "{% include '/etc/passwd' %}");

    @TempDir
    static Path tmp;
    static Path input;
    static Path toolsFile;

    @BeforeAll
    static void writeInput() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < JINJA_LOOKALIKES.size(); i++) {
            ObjectNode row = JSON.createObjectNode().put("id", "p" + i).put("prompt", JINJA_LOOKALIKES.get(i));
            lines.add(row.toString());
        }
        // a system prompt, an assistant call and a tool result carrying Jinja delimiters
        lines.add("{\"id\": \"conversation\", \"messages\": ["
                + "{\"role\": \"system\", \"content\": \"Sys {{ 1+1 }} {% if true %}t{% endif %}\"},"
                + "{\"role\": \"user\", \"content\": \"2+2?\"},"
                + "{\"role\": \"assistant\", \"content\": \"\", \"tool_calls\": [{\"id\": \"functions.calculator:0\", \"type\": \"function\","
                + " \"function\": {\"name\": \"calculator\", \"arguments\": \"{\\\"expression\\\": \\\"{{ 2+2 }}\\\"}\"}}]},"
                + "{\"role\": \"tool\", \"tool_call_id\": \"functions.calculator:0\", \"name\": \"calculator\", \"content\": \"{% raw %}{{ 4 }}\"}]}");
        input = Files.write(tmp.resolve("jinja.jsonl"), lines);
        toolsFile = Files.writeString(tmp.resolve("tools.json"), "[{\"type\": \"function\", \"function\": "
                + "{\"name\": \"lookup\", \"description\": \"Looks up {{ key }} {% set x = 1 %}\", "
                + "\"parameters\": {\"type\": \"object\", \"properties\": {}}}}]");
    }

    private static Path model(String name) {
        return Defaults.home().resolve("data-samples/models").resolve(name);
    }

    /** A checkpoint without a chat template: Mixtral-tiny's files, its tokenizer_config.json without one. */
    static Path chatMlCheckpoint() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("chatml-model"));
        Path from = model("mixtral-tiny");
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals("tokenizer_config.json") && !Files.exists(dir.resolve(f.getFileName()))) {
                    Files.copy(f, dir.resolve(f.getFileName()));
                }
            }
        }
        ObjectNode config = (ObjectNode) JSON.readTree(from.resolve("tokenizer_config.json").toFile());
        config.remove("chat_template");
        Files.writeString(dir.resolve("tokenizer_config.json"), config.toString());
        return dir;
    }

    private static List<JsonNode> render(Path model, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("render", "--input", input.toString(), "--model", model.toString(),
                "--json", "--limit", "100"));
        args.addAll(List.of(extra));
        CliRunner.Outcome run = CliRunner.run(args.toArray(new String[0]));
        assertEquals(0, run.exitCode(), run.stderr());
        List<JsonNode> rows = new ArrayList<>();
        for (String line : run.stdout().split("\n")) {
            rows.add(JSON.readTree(line));
        }
        return rows;
    }

    private static void assertVerbatim(List<JsonNode> rows, boolean toolsInPrompt) {
        assertEquals(JINJA_LOOKALIKES.size() + 1, rows.size());
        for (int i = 0; i < JINJA_LOOKALIKES.size(); i++) {
            JsonNode row = rows.get(i);
            assertEquals("p" + i, row.get("id").asText());
            assertTrue(row.get("error").isNull(), row.toString());
            assertTrue(row.get("prompt").asText().contains(JINJA_LOOKALIKES.get(i)), row.toString());
            assertTrue(row.get("tokens").asInt() > 0, row.toString());
        }
        String conversation = rows.get(JINJA_LOOKALIKES.size()).get("prompt").asText();
        assertTrue(conversation.contains("Sys {{ 1+1 }} {% if true %}t{% endif %}"), conversation);
        assertTrue(conversation.contains("{% raw %}{{ 4 }}"), conversation);
        if (toolsInPrompt) {
            assertTrue(conversation.contains("Looks up {{ key }} {% set x = 1 %}"), conversation);
            assertTrue(conversation.contains("{{ 2+2 }}"), conversation);
        }
        assertFalse(conversation.contains("49"), conversation);
    }

    @Test
    void kimiK2TemplateRendersRowTextVerbatim() throws Exception {
        assertVerbatim(render(model("k2-tool-demo"), "--tools", toolsFile.toString()), true);
    }

    @Test
    void qwen3TemplateRendersRowTextVerbatim() throws Exception {
        assertVerbatim(render(model("qwen3-moe-tiny"), "--tools", toolsFile.toString()), true);
    }

    @Test
    void chatMlFallbackRendersRowTextVerbatim() throws Exception {
        assertVerbatim(render(chatMlCheckpoint()), false);
    }

    @Test
    void readableOutputShowsIdTokensAndPrompt() throws Exception {
        CliRunner.Outcome run = CliRunner.run("render", "--input", input.toString(), "--limit", "1");
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(run.stdout().startsWith("── p0  "), run.stdout());
        assertTrue(run.stdout().contains(" tokens\n"), run.stdout());
        assertTrue(run.stdout().contains("<|im_user|>user<|im_middle|>{{ 7*7 }}<|im_end|>"), run.stdout());
    }
}
