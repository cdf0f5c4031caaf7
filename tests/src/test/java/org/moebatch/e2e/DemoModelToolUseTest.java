package org.moebatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moebatch.jobs.InputFormat;
import org.moebatch.jobs.OutputFormat;
import org.moebatch.report.JobSummary;
import org.moebatch.spark.GenerateOptions;
import org.moebatch.spark.ToolOptions;
import org.moebatch.tools.AgentLimits;

/**
 * The agent loop with a model's own output, not a script: the demo model (data-samples/models/
 * k2-tool-demo, trained by tools/train-demo) on the first held-out prompt of each kind of
 * data-samples/eval/tool-demo.jsonl, greedy, with the built-in tools of data-samples/tools/tools.json.
 * Each row must call the expected tool first (or none), every call must run without error (valid
 * arguments) and the answer must hold the reference (docs/BENCHMARKS.md has the measured rates over
 * the whole held-out set).
 */
class DemoModelToolUseTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** The first eval row of each category, in file order. */
    private static Map<String, JsonNode> firstOfEachCategory() throws IOException {
        Map<String, JsonNode> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(E2e.repo().resolve("data-samples/eval/tool-demo.jsonl"))) {
            JsonNode row = JSON.readTree(line);
            rows.putIfAbsent(row.get("category").asText(), row);
        }
        return rows;
    }

    @Test
    void demoModelCallsTheRightToolsAndAnswersFromTheirResults() throws IOException {
        Map<String, JsonNode> cases = firstOfEachCategory();
        assertEquals(List.of("arithmetic", "capital", "document", "chain", "no-tool"), new ArrayList<>(cases.keySet()));
        List<String> lines = new ArrayList<>();
        for (JsonNode row : cases.values()) {
            lines.add(JSON.createObjectNode().put("id", row.get("id").asText()).put("prompt", row.get("prompt").asText()).toString());
        }
        Path input = tmp.resolve("heldout.jsonl");
        Files.write(input, lines);
        Path tools = E2e.repo().resolve("data-samples/tools/tools.json");
        GenerateOptions o = E2e.options(160);
        ToolOptions t = new ToolOptions(Files.readString(tools), tools.getParent().toString(), new AgentLimits(4, 10_000, 120_000),
                false, null);
        GenerateOptions demo = new GenerateOptions(E2e.repo().resolve("data-samples/models/k2-tool-demo").toString(), o.device(),
                o.threads(), o.kvCacheMb(), o.maxRunning(), o.maxStepTokens(), o.maxTokens(), 0.0, 1.0, 0, 0L, null, List.of(), t,
                o.window());

        JobSummary summary = E2e.generate(input, tmp.resolve("out"), InputFormat.JSONL, OutputFormat.PARQUET, demo, 1, false, 10_000);
        assertEquals(cases.size(), summary.ok());
        Map<String, Row> out = E2e.byId(tmp.resolve("out"));
        for (JsonNode c : cases.values()) {
            String id = c.get("id").asText();
            Row row = out.get(id);
            List<Row> trace = row.getList(row.fieldIndex("tool_trace"));
            String seen = id + ": completion " + row.getAs("completion") + ", trace " + trace;
            assertEquals("stop", row.getAs("finish_reason"), seen);
            JsonNode expected = c.get("expected_tool_call");
            if (expected.isTextual()) { // "none"
                assertTrue(trace.isEmpty(), seen);
            } else {
                assertTrue(!trace.isEmpty(), seen);
                assertEquals(expected.get("name").asText(), trace.get(0).getString(2), "first tool: " + seen);
                for (Row step : trace) {
                    assertNull(step.getString(5), "every call ran: " + seen);
                }
            }
            String completion = row.<String>getAs("completion").toLowerCase(Locale.ROOT);
            assertTrue(completion.contains(c.get("reference").asText().toLowerCase(Locale.ROOT)), "answer: " + seen);
        }
    }
}
