package org.moebatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moebatch.datagen.DatagenConfig;
import org.moebatch.datagen.DatagenJob;
import org.moebatch.jobs.ResultRows;
import org.moebatch.report.CostModel;
import org.moebatch.spark.GenerateOptions;
import org.moebatch.spark.ToolOptions;
import org.moebatch.tools.AgentLimits;

/**
 * {@code datagen} end to end on local Spark with the default random-weight model: two generation
 * stages with tools, every filter, train.jsonl, the Parquet copy, the rejected rows and the report.
 */
class DatagenJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void everyAskedRowEndsAsAnExampleOrARejectionWithItsReason() throws Exception {
        Path seedsFile = E2e.repo().resolve("data-samples/datagen/seeds.jsonl");
        int seeds = Files.readAllLines(seedsFile).size();
        int asked = seeds + 8;
        Path tools = E2e.repo().resolve("data-samples/tools/tools.json");
        GenerateOptions o = E2e.options(24);
        // Greedy, and one example per prompt (the row's own seed): rows i and i + seeds get the same
        // prompt, so the same task, which the near-duplicate filter must catch.
        GenerateOptions options = o.withSampling(o.maxTokens(), 0.0, 1.0, 0, 5L).withPrompting("Answer carefully.", List.of())
                .withTools(new ToolOptions(Files.readString(tools), tools.getParent().toString(),
                        new AgentLimits(2, 4000, 60_000), false, null));
        Path out = tmp.resolve("datagen");
        DatagenConfig config = new DatagenConfig(seedsFile, out.toString(), asked, null, 1, 1, 8000, 0.7, true, 2, false,
                options, CostModel.load(null, Map.of()));
        DatagenJob.Result result = new DatagenJob(E2e.spark(), config).run();

        List<String> lines = Files.readAllLines(out.resolve("train.jsonl"));
        Set<String> kept = new HashSet<>();
        for (String line : lines) {
            JsonNode example = JSON.readTree(line);
            kept.add(example.get("id").asText());
            JsonNode messages = example.get("messages");
            assertEquals("system", messages.get(0).get("role").asText());
            assertEquals("Answer carefully.", messages.get(0).get("content").asText());
            assertEquals("user", messages.get(1).get("role").asText());
            assertEquals("assistant", messages.get(messages.size() - 1).get("role").asText());
            for (JsonNode m : messages) {
                if (m.get("role").asText().equals("tool")) {
                    assertTrue(m.hasNonNull("tool_call_id"), "a tool result names its call: " + line);
                }
            }
        }
        assertEquals(result.kept(), lines.size());
        if (!lines.isEmpty()) {
            assertEquals(lines.size(), E2e.spark().read().parquet(out.resolve("parquet").toString()).count());
        }

        Map<String, Row> rejected = new HashMap<>();
        for (Row r : E2e.spark().read().parquet(out.resolve("rejected").toString()).collectAsList()) {
            assertTrue(r.getAs("reason") != null && !((String) r.getAs("reason")).isBlank());
            assertEquals(null, rejected.put(r.getAs("id"), r), "a row is rejected once: " + r);
        }
        // nothing lost, nothing counted twice
        Set<String> all = new HashSet<>(kept);
        all.addAll(rejected.keySet());
        assertEquals(asked, all.size());
        assertEquals(asked, kept.size() + rejected.size());

        // rows past the first round repeat an earlier row's prompt: each is dropped, as a near-duplicate of
        // that earlier row or by the same filter that dropped it
        for (int i = seeds; i < asked; i++) {
            String id = String.format("gen-%08d", i);
            String earlier = String.format("gen-%08d", i - seeds);
            Row r = rejected.get(id);
            assertTrue(r != null, id + " repeats " + earlier + " and must be rejected");
            if (r.getAs("filter").equals("near-duplicate")) {
                assertTrue(((String) r.getAs("reason")).startsWith("near-duplicate of gen-"), r.toString());
            } else {
                assertEquals((String) rejected.get(earlier).getAs("filter"), (String) r.getAs("filter"), id + " vs " + earlier);
            }
        }
        assertTrue(rejected.values().stream().anyMatch(r -> r.getAs("filter").equals("near-duplicate")));
        // what datagen suggests, "show OUT/rejected", reads these rows (it used to fail on finish_reason)
        for (Row r : E2e.spark().read().parquet(out.resolve("rejected").toString()).collectAsList()) {
            String shown = ResultRows.describe(r, 400);
            assertTrue(shown.startsWith("── " + r.getAs("id") + "  [rejected: " + r.getAs("stage") + " " + r.getAs("filter") + "]"), shown);
            assertTrue(shown.contains((String) r.getAs("reason")), shown);
        }

        JsonNode report = JSON.readTree(out.resolve("_report/report.json").toFile());
        assertEquals("datagen", report.get("job").asText());
        assertEquals("Datagen filters", report.at("/tables/0/title").asText());
    }
}
