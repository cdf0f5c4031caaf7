package org.moebatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moebatch.jobs.InputFormat;
import org.moebatch.jobs.OpenAiBatchSchema;
import org.moebatch.jobs.OutputFormat;
import org.moebatch.report.JobSummary;
import org.moebatch.spark.GenerateOptions;
import org.moebatch.spark.MoeFunctions;
import org.moebatch.spark.ToolOptions;
import org.moebatch.tools.AgentLimits;

class OpenAiBatchAndSqlTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /**
     * Every line of an openai-batch output, each checked against OpenAI's published schema; the
     * directory holds output-NNNNN.jsonl files and the job's own _-files, nothing of Spark's naming.
     */
    private static List<JsonNode> resultLines(Path dir) throws IOException {
        OpenAiBatchSchema schema = new OpenAiBatchSchema();
        List<JsonNode> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith("_") || name.startsWith(".")) {
                    continue;
                }
                assertTrue(name.matches("output-\\d{5}\\.jsonl"), "an output file named " + name);
                for (String line : Files.readAllLines(f)) {
                    assertEquals(List.of(), schema.errors(line), name + ": " + line);
                    out.add(JSON.readTree(line));
                }
            }
        }
        return out;
    }

    @Test
    void openAiBatchFileRoundTrip() throws IOException {
        Path requests = tmp.resolve("requests.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(E2e.sample("openai-batch.jsonl")));
        lines.add("{\"custom_id\": \"broken\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\"}");
        lines.add("not json at all");
        Files.write(requests, lines);
        Path out = tmp.resolve("results");
        JobSummary summary = E2e.generate(requests, out, InputFormat.OPENAI_BATCH, OutputFormat.OPENAI_BATCH,
                E2e.options(50), 2, false, 10_000);
        assertEquals(8, summary.rows());
        assertEquals(6, summary.ok());

        Map<String, JsonNode> byId = new HashMap<>();
        for (JsonNode line : resultLines(out)) {
            assertTrue(line.has("id") && line.has("custom_id") && line.has("response") && line.has("error"), line.toString());
            byId.put(line.get("custom_id").asText(), line);
        }
        JsonNode ok = byId.get("req-0");
        assertTrue(ok.get("error").isNull());
        JsonNode body = ok.get("response").get("body");
        assertEquals(200, ok.get("response").get("status_code").asInt());
        assertEquals("chat.completion", body.get("object").asText());
        assertEquals("assistant", body.get("choices").get(0).get("message").get("role").asText());
        assertNotNull(body.get("choices").get(0).get("message").get("content").asText());
        assertEquals("length", body.get("choices").get(0).get("finish_reason").asText(), "max_tokens 20 from the body");
        assertEquals(20, body.get("usage").get("completion_tokens").asInt());
        assertEquals(body.get("usage").get("prompt_tokens").asInt() + 20, body.get("usage").get("total_tokens").asInt());

        assertTrue(body.get("created").asLong() > 1_700_000_000L, "created is Unix seconds of this run");
        assertTrue(ok.get("id").asText().matches("batch_req_[0-9a-f]{32}"), ok.get("id").asText());
        assertEquals(8, byId.values().stream().map(l -> l.get("id").asText()).distinct().count(), "ids are unique");

        JsonNode broken = byId.get("broken");
        assertTrue(broken.get("response").isNull());
        assertTrue(broken.get("error").get("message").asText().contains("has no body"), broken.toString());
        assertTrue(byId.get("requests.jsonl:8").get("error").path("message").asText().startsWith("requests.jsonl:8 is not valid JSON"),
                "a broken line is named, and identified, by its file and line");

        // the results file is itself readable for resume: a second run skips every request
        JobSummary again = E2e.generate(requests, out, InputFormat.OPENAI_BATCH, OutputFormat.OPENAI_BATCH,
                E2e.options(50), 2, true, 10_000);
        assertEquals(0, again.rowsThisRun());
        assertEquals(8, again.skipped());
        assertEquals(8, again.rows());
    }

    /**
     * A model that ends on a tool call, with no --tools: the call goes back to the client as
     * structured tool_calls with finish_reason tool_calls, as OpenAI returns it. What the model says
     * is scripted ({@link ScriptedDecoder}); tokenizer, engine, Spark and the writer are real.
     */
    @Test
    void aCallTheJobDoesNotRunIsReturnedAsToolCalls() throws IOException {
        String call = "Let me check.<|tool_calls_section_begin|><|tool_call_begin|>functions.get_weather:0"
                + "<|tool_call_argument_begin|>{\"city\": \"Lima\"}<|tool_call_end|><|tool_calls_section_end|>";
        Map<String, String> scripts = Map.of("weather", call, "Aa", "Sunny.", "BB", "Cloudy.");
        ObjectNode all = JSON.createObjectNode();
        List<String> requests = new ArrayList<>();
        for (Map.Entry<String, String> e : scripts.entrySet()) {
            all.putArray(e.getKey()).add(e.getValue());
            ObjectNode request = JSON.createObjectNode().put("custom_id", e.getKey()).put("method", "POST")
                    .put("url", "/v1/chat/completions");
            request.putObject("body").put("model", "kimi-k2").putArray("messages").addObject()
                    .put("role", "user").put("content", "What is the weather in Lima?");
            requests.add(request.toString());
        }
        Path scriptFile = tmp.resolve("scripts.json");
        Files.writeString(scriptFile, all.toString());
        System.setProperty("moe.test.scripts", scriptFile.toString());
        Path input = tmp.resolve("weather.jsonl");
        Files.write(input, requests);
        GenerateOptions o = E2e.options(200);
        ToolOptions noTools = new ToolOptions(null, tmp.toString(), AgentLimits.defaults(), false, ScriptedDecoder.class.getName());
        GenerateOptions options = new GenerateOptions(o.modelDir(), o.device(), o.threads(), o.kvCacheMb(), o.maxRunning(),
                o.maxStepTokens(), o.maxTokens(), o.temperature(), o.topP(), o.topK(), o.seed(), o.system(), o.stop(),
                noTools, o.window());
        Path out = tmp.resolve("weather-results");
        // one row per wave: three waves, each renamed on from the files before it
        JobSummary summary = E2e.generate(input, out, InputFormat.OPENAI_BATCH, OutputFormat.OPENAI_BATCH, options, 2,
                false, 1);
        assertEquals(3, summary.ok());

        Map<String, JsonNode> byId = new HashMap<>();
        for (JsonNode line : resultLines(out)) {
            byId.put(line.get("custom_id").asText(), line);
        }
        assertEquals(3, byId.size());
        JsonNode choice = byId.get("weather").get("response").get("body").get("choices").get(0);
        assertEquals("tool_calls", choice.get("finish_reason").asText());
        assertEquals("Let me check.", choice.get("message").get("content").asText());
        JsonNode toolCall = choice.get("message").get("tool_calls").get(0);
        assertEquals("function", toolCall.get("type").asText());
        assertEquals("functions.get_weather:0", toolCall.get("id").asText());
        assertEquals("get_weather", toolCall.get("function").get("name").asText());
        assertEquals("{\"city\": \"Lima\"}", toolCall.get("function").get("arguments").asText());
        JsonNode sunny = byId.get("Aa").get("response").get("body").get("choices").get(0);
        assertEquals("stop", sunny.get("finish_reason").asText());
        assertEquals("Sunny.", sunny.get("message").get("content").asText());
        assertFalse(sunny.get("message").has("tool_calls"));
        assertNotEquals(byId.get("Aa").get("id").asText(), byId.get("BB").get("id").asText(),
                "\"Aa\" and \"BB\" share a String.hashCode, not an id");
    }

    @Test
    void sqlFunctionUsesTheResidentEngine() {
        MoeFunctions.register(E2e.spark(), E2e.options(6));
        E2e.spark().read().json(E2e.sample("sample.jsonl").toString()).createOrReplaceTempView("docs");
        List<Row> rows = E2e.spark().sql(
                "SELECT id, moe_generate(prompt) AS r, moe_generate(prompt, map('max_tokens', '3', 'temperature', '0.5')) AS s "
                        + "FROM docs WHERE prompt IS NOT NULL ORDER BY id LIMIT 4").collectAsList();
        assertEquals(4, rows.size());
        for (Row row : rows) {
            Row r = row.getAs("r");
            assertNull(r.getAs("error"));
            assertEquals("length", r.getAs("finish_reason"));
            assertEquals(6, r.<Row>getAs("usage").getInt(1));
            assertEquals(3, row.<Row>getAs("s").<Row>getAs("usage").getInt(1));
        }
        Row again = E2e.spark().sql("SELECT moe_generate(prompt) AS r FROM docs WHERE id = '" + rows.get(0).getAs("id") + "'")
                .first();
        assertEquals(rows.get(0).<Row>getAs("r").<String>getAs("completion"), again.<Row>getAs("r").getAs("completion"),
                "the same prompt gives the same completion");
        Row bad = E2e.spark().sql("SELECT moe_generate('hi', map('temperature', 'hot')) AS r").first();
        assertEquals("error", bad.<Row>getAs("r").getAs("finish_reason"));
        assertTrue(bad.<Row>getAs("r").<String>getAs("error").contains("temperature: \"hot\" is not a number"));
        Row unknown = E2e.spark().sql("SELECT moe_generate('hi', map('colour', 'red')) AS r").first();
        assertTrue(unknown.<Row>getAs("r").<String>getAs("error").contains("unknown parameter \"colour\""));
    }
}
