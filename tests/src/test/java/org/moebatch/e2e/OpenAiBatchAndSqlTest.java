package org.moebatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.moebatch.jobs.JobSummary;
import org.moebatch.jobs.OutputFormat;
import org.moebatch.spark.MoeFunctions;

class OpenAiBatchAndSqlTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static List<JsonNode> resultLines(Path dir) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
                for (String line : Files.readAllLines(f)) {
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

        JsonNode broken = byId.get("broken");
        assertTrue(broken.get("response").isNull());
        assertTrue(broken.get("error").get("message").asText().contains("has no body"), broken.toString());
        assertTrue(byId.get("requests.jsonl:8").get("error").path("message").asText().startsWith("requests.jsonl:8 is not valid JSON"),
                "a broken line is named, and identified, by its file and line");

        // the results file is itself readable for resume: a second run skips every request
        JobSummary again = E2e.generate(requests, out, InputFormat.OPENAI_BATCH, OutputFormat.OPENAI_BATCH,
                E2e.options(50), 2, true, 10_000);
        assertEquals(0, again.rows());
        assertEquals(8, again.skipped());
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
