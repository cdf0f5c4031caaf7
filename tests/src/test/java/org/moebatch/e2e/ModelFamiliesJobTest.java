package org.moebatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.moebatch.jobs.InputFormat;
import org.moebatch.report.JobSummary;
import org.moebatch.spark.GenerateOptions;
import org.moebatch.spark.ToolOptions;
import org.moebatch.tools.AgentLimits;

/**
 * {@code generate} on a tiny checkpoint of each grouped-query family (random weights, byte-level
 * tokenizer with the family's special tokens and chat template), and Qwen3's {@code <tool_call>}
 * format through the same agent loop as Kimi K2's.
 */
class ModelFamiliesJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static GenerateOptions on(String model) {
        return E2e.options(12).withModel(E2e.repo().resolve("data-samples/models").resolve(model).toString());
    }

    private Path jsonl(String name, List<ObjectNode> rows) throws IOException {
        Path input = tmp.resolve(name + ".jsonl");
        StringBuilder text = new StringBuilder();
        rows.forEach(r -> text.append(r).append('\n'));
        Files.writeString(input, text);
        return input;
    }

    @ParameterizedTest(name = "generate runs on {0}")
    @ValueSource(strings = {"qwen3-moe-tiny", "mixtral-tiny", "olmoe-tiny"})
    void generateRunsOnEveryFamily(String model) throws IOException {
        List<ObjectNode> rows = List.of(
                JSON.createObjectNode().put("id", "a").put("prompt", "Summarise the water cycle."),
                JSON.createObjectNode().put("id", "b").put("prompt", "Name three prime numbers.").put("max_tokens", 5),
                JSON.createObjectNode().put("id", "c").put("prompt", "What is 2 + 2?").put("temperature", 0.8).put("seed", 7));
        Path output = tmp.resolve("out-" + model);
        JobSummary summary = E2e.generate(jsonl(model, rows), output, InputFormat.JSONL, on(model), 2);
        assertEquals(3, summary.rows());
        assertEquals(3, summary.ok());
        Map<String, Row> out = E2e.byId(output);
        for (String id : List.of("a", "b", "c")) {
            Row r = out.get(id);
            assertNull(r.getAs("error"), model + " row " + id);
            assertTrue(List.of("stop", "length").contains(r.<String>getAs("finish_reason")), r.toString());
            assertNotNull(r.getAs("completion"));
            Row usage = r.getAs("usage");
            assertTrue(usage.<Integer>getAs("prompt_tokens") > 5, "the chat template wrapped the prompt: " + usage);
            assertTrue(usage.<Integer>getAs("completion_tokens") >= 1);
            assertTrue(r.<String>getAs("model").endsWith(model));
        }
        assertTrue(out.get("b").<Row>getAs("usage").<Integer>getAs("completion_tokens") <= 5, "per-row max_tokens");
    }

    @Test
    void aTemplateThatRefusesARoleFailsOnlyThatRow() throws IOException {
        // Mixtral-Instruct's template accepts alternating user and assistant turns only, and says so.
        List<ObjectNode> rows = List.of(
                JSON.createObjectNode().put("id", "plain").put("prompt", "Hello."),
                JSON.createObjectNode().put("id", "with-system").put("prompt", "Hello.").put("system", "Be brief."));
        Path output = tmp.resolve("mixtral-system");
        E2e.generate(jsonl("mixtral-system", rows), output, InputFormat.JSONL, on("mixtral-tiny"), 1);
        Map<String, Row> out = E2e.byId(output);
        assertNull(out.get("plain").getAs("error"));
        Row bad = out.get("with-system");
        assertEquals("error", bad.getAs("finish_reason"));
        assertTrue(bad.<String>getAs("error").startsWith("chat template: Conversation roles must alternate"), bad.toString());
    }

    @Test
    void qwen3ToolCallsRunThroughTheAgentLoop() throws IOException {
        ObjectNode scripts = JSON.createObjectNode();
        scripts.putArray("calc")
                .add("<tool_call>\n{\"name\": \"calculator\", \"arguments\": {\"expression\": \"17*23\"}}\n</tool_call>")
                .add("17 times 23 is 391.");
        scripts.putArray("two")
                .add("<tool_call>\n{\"name\": \"kv_lookup\", \"arguments\": {\"key\": \"France\"}}\n</tool_call>\n"
                        + "<tool_call>\n{\"name\": \"calculator\", \"arguments\": {\"expression\": \"2+3\"}}\n</tool_call>")
                .add("Paris, and 5.");
        Path scriptFile = tmp.resolve("qwen3-scripts.json");
        Files.writeString(scriptFile, scripts.toString());
        System.setProperty("moe.test.scripts", scriptFile.toString());

        ArrayNode tools = JSON.createArrayNode();
        tools.addObject().put("builtin", "calculator");
        tools.addObject().put("builtin", "kv_lookup").put("table", E2e.repo().resolve("data-samples/tools/capitals.json").toString());
        ToolOptions toolOptions = new ToolOptions(tools.toString(), tmp.toString(), new AgentLimits(4, 10_000, 60_000), false,
                ScriptedDecoder.class.getName());
        List<ObjectNode> rows = List.of(
                JSON.createObjectNode().put("id", "calc").put("prompt", "What is 17 * 23?"),
                JSON.createObjectNode().put("id", "two").put("prompt", "Capital of France, and 2 + 3?"));
        Path output = tmp.resolve("qwen3-tools");
        E2e.generate(jsonl("qwen3-tools", rows), output, InputFormat.JSONL,
                on("qwen3-moe-tiny").withSampling(256, 0.0, 1.0, 0, 0L).withTools(toolOptions), 1);
        Map<String, Row> out = E2e.byId(output);

        Row calc = out.get("calc");
        assertNull(calc.getAs("error"), calc.toString());
        assertEquals("17 times 23 is 391.", calc.getAs("completion"));
        List<Row> trace = calc.getList(calc.fieldIndex("tool_trace"));
        assertEquals(1, trace.size());
        assertEquals("calculator", trace.get(0).getString(2));
        assertEquals("391", trace.get(0).getString(4));

        Row two = out.get("two");
        List<Row> both = two.getList(two.fieldIndex("tool_trace"));
        assertEquals(2, both.size(), two.toString());
        assertEquals("kv_lookup", both.get(0).getString(2));
        assertTrue(String.valueOf(both.get(0).getString(4)).contains("Paris"), both.get(0).toString());
        assertEquals("calculator", both.get(1).getString(2));
        assertEquals("5", both.get(1).getString(4));
        assertEquals("Paris, and 5.", two.getAs("completion"));
    }
}
