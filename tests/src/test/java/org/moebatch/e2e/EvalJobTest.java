package org.moebatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moebatch.eval.EvalCompare;
import org.moebatch.eval.EvalJob;
import org.moebatch.eval.EvalJobConfig;
import org.moebatch.eval.EvalSummary;
import org.moebatch.eval.Metric;
import org.moebatch.eval.Stats;
import org.moebatch.spark.GenerateOptions;
import org.moebatch.spark.ToolOptions;
import org.moebatch.tools.AgentLimits;

/**
 * The eval job and eval-compare on local Spark: the sample eval set through the default model (noise,
 * so the scores are near zero but every number must still add up), and a set whose answers are
 * scripted ({@link ScriptedDecoder}) so that each row's right score is known in advance.
 */
class EvalJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path EVAL_SET = E2e.repo().resolve("data-samples/eval/eval.jsonl");
    private static final Path TOOLS = E2e.repo().resolve("data-samples/tools/tools.json");

    @TempDir
    Path tmp;

    private static GenerateOptions options(int maxTokens, double temperature, long seed, String decoder) throws IOException {
        GenerateOptions o = E2e.options(maxTokens);
        ToolOptions tools = new ToolOptions(Files.readString(TOOLS), TOOLS.getParent().toString(), new AgentLimits(2, 4000, 60_000),
                false, decoder);
        return o.withSampling(o.maxTokens(), temperature, o.topP(), o.topK(), seed).withTools(tools);
    }

    private static ObjectNode eval(Path input, Path output, GenerateOptions options) throws IOException {
        return new EvalJob(E2e.spark(), new EvalJobConfig(input.toString(), output.toString(), null, List.of(), 2, false, false,
                10_000, options)).run();
    }

    private static Map<String, Row> scores(Path run) {
        Map<String, Row> rows = new HashMap<>();
        for (Row r : E2e.spark().read().parquet(run.resolve(EvalJob.SCORES).toString()).collectAsList()) {
            rows.put(r.getAs("id"), r);
        }
        return rows;
    }

    @Test
    void sampleSetWithTheDefaultModelScoresEveryRowAndTheAggregateAddsUp() throws IOException {
        Path run = tmp.resolve("a");
        ObjectNode summary = eval(EVAL_SET, run, options(8, 0, 0, null));

        List<String> lines = Files.readAllLines(EVAL_SET).stream().filter(l -> !l.isBlank()).toList();
        Set<String> inputIds = new HashSet<>();
        for (String l : lines) {
            inputIds.add(JSON.readTree(l).get("id").asText());
        }
        Dataset<Row> scores = E2e.spark().read().parquet(run.resolve(EvalJob.SCORES).toString());
        assertEquals(lines.size(), scores.count(), "one scores row per eval row");
        assertEquals(inputIds, new HashSet<>(scores.select("id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList()));
        assertEquals(lines.size(), E2e.spark().read().parquet(run.resolve(EvalJob.GENERATIONS).toString()).count());
        assertTrue(Files.exists(run.resolve("_report/report.html")), "the run's report, with its score tables");

        JsonNode saved = JSON.readTree(run.resolve(EvalJob.METRICS_FILE).toFile());
        assertEquals(summary.toString(), saved.toString(), "metrics.json is what run() returned");
        assertEquals(lines.size(), saved.get("rows").asLong());
        assertEquals(0, saved.get("rows_with_problems").asLong(), "the sample set has no broken rows: " + problems(scores));
        // the rows each metric applies to, by construction of the sample set
        Map<String, Integer> applies = Map.of("exact_match", 10, "contains", 10, "regex", 2, "multiple_choice", 6,
                "json_schema", 4, "tool_trigger", 9, "tool_name", 6, "tool_arguments", 6, "tool_choice", 9);
        for (Map.Entry<String, Integer> e : applies.entrySet()) {
            assertEquals((long) e.getValue(), saved.at("/metrics/" + e.getKey() + "/n").asLong(), e.getKey());
        }
        assertEquals(Map.of("arithmetic", 5L, "geography", 5L, "multiple-choice", 6L, "json", 4L, "format", 2L, "tool-use", 9L),
                toMap(saved.get("categories")));

        // every binary mean and interval, overall and per category, recomputed from the Parquet scores
        for (Metric m : Metric.values()) {
            JsonNode mj = saved.at("/metrics/" + m.column());
            if (!m.binary() || mj.get("n").asLong() == 0) {
                continue;
            }
            Row agg = scores.agg(org.apache.spark.sql.functions.count(m.column()), org.apache.spark.sql.functions.sum(m.column())).first();
            long n = agg.getLong(0);
            long successes = Math.round(agg.getDouble(1));
            assertEquals(n, mj.get("n").asLong());
            assertEquals((double) successes / n, mj.get("mean").asDouble(), 1e-12, m.column());
            Stats.Interval ci = Stats.wilson(successes, n);
            assertEquals(ci.lo(), mj.at("/ci95/0").asDouble(), 1e-12);
            assertEquals(ci.hi(), mj.at("/ci95/1").asDouble(), 1e-12);
            assertTrue(mj.at("/ci95/0").asDouble() <= mj.get("mean").asDouble() && mj.get("mean").asDouble() <= mj.at("/ci95/1").asDouble());
            long byCategory = 0;
            for (JsonNode c : mj.get("by_category")) {
                byCategory += c.get("n").asLong();
            }
            assertEquals(n, byCategory, m.column() + ": the categories partition the rows");
        }
        JsonNode tool = saved.at("/metrics/tool_trigger/confusion");
        assertEquals(6, tool.get("tp").asLong() + tool.get("fn").asLong(), "six rows expect a call");
        assertEquals(3, tool.get("tn").asLong() + tool.get("fp").asLong(), "three rows expect none");
        Map<String, Row> byId = scores(run);
        assertEquals(Boolean.TRUE, byId.get("tool-01").getAs("tool_expected"));
        assertEquals(Boolean.FALSE, byId.get("tool-07").getAs("tool_expected"));
        assertNull(byId.get("arith-01").getAs("tool_expected"));
        assertNull(byId.get("arith-01").getAs("multiple_choice"), "a metric that does not apply is null, not 0");
        assertEquals("391", byId.get("arith-01").getAs("reference"));

        String table = EvalSummary.table(saved);
        assertTrue(table.contains("exact_match"), table);
        assertTrue(table.contains("By category: mean (n)") && table.contains("tool-use"), table);

        // a run compared with itself: every difference 0, every p 1
        ObjectNode self = EvalCompare.compare(E2e.spark(), run.toString(), run.toString(), List.of());
        assertEquals(lines.size(), self.get("paired_rows").asLong());
        assertEquals(0, self.at("/only_in_a/count").asLong());
        for (JsonNode m : self.get("metrics")) {
            if (m.get("n").asLong() > 0) {
                assertEquals(0.0, m.get("difference").asDouble(), 0);
                assertEquals(1.0, m.get("p").asDouble(), 0);
                assertEquals(m.get("mean_a"), m.get("mean_b"));
            }
        }

        // another setting: sampled at temperature 1 with another seed
        Path other = tmp.resolve("b");
        eval(EVAL_SET, other, options(8, 1.0, 5, null));
        ObjectNode c = EvalCompare.compare(E2e.spark(), run.toString(), other.toString(), List.of());
        assertEquals(lines.size(), c.get("paired_rows").asLong());
        Map<String, Row> b = scores(other);
        for (Metric m : Metric.values()) {
            JsonNode mj = c.at("/metrics/" + m.column());
            if (mj.isMissingNode() || mj.get("n").asLong() == 0) {
                continue;
            }
            // the discordant pairs and means, counted here from the two scores tables
            long n = 0;
            long aOnly = 0;
            long bOnly = 0;
            double sumA = 0;
            double sumB = 0;
            for (String id : inputIds) {
                Object va = byId.get(id).getAs(m.column());
                Object vb = b.get(id).getAs(m.column());
                if (va == null || vb == null) {
                    continue;
                }
                n++;
                sumA += (Double) va;
                sumB += (Double) vb;
                aOnly += (Double) va > (Double) vb ? 1 : 0;
                bOnly += (Double) vb > (Double) va ? 1 : 0;
            }
            assertEquals(n, mj.get("n").asLong(), m.column());
            assertEquals(sumA / n, mj.get("mean_a").asDouble(), 1e-12);
            assertEquals(sumB / n, mj.get("mean_b").asDouble(), 1e-12);
            assertEquals((sumB - sumA) / n, mj.get("difference").asDouble(), 1e-12);
            if (m.binary()) {
                assertEquals(aOnly, mj.get("a_only").asLong());
                assertEquals(bOnly, mj.get("b_only").asLong());
                assertEquals(Stats.mcnemarExact(aOnly, bOnly), mj.get("p").asDouble(), 1e-15);
            }
        }
        assertTrue(EvalCompare.table(c).contains("mcnemar-exact"), EvalCompare.table(c));
    }

    private static String problems(Dataset<Row> scores) {
        return scores.filter("error is not null").select("error").collectAsList().toString();
    }

    private static Map<String, Long> toMap(JsonNode o) {
        Map<String, Long> m = new LinkedHashMap<>();
        o.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asLong()));
        return m;
    }

    private static final String SB = "<|tool_calls_section_begin|>";
    private static final String SE = "<|tool_calls_section_end|>";

    private static String call(String name, String arguments) {
        return SB + "<|tool_call_begin|>functions." + name + ":0<|tool_call_argument_begin|>" + arguments + "<|tool_call_end|>" + SE;
    }

    @Test
    void scriptedAnswersGetTheirKnownScoresAndBrokenRowsAreReportedNotDropped() throws IOException {
        // id -> (eval row, what the model is made to say, turn by turn)
        Map<String, ObjectNode> rows = new LinkedHashMap<>();
        Map<String, List<String>> scripts = new LinkedHashMap<>();
        rows.put("paris", row("paris", "geo", "Capital of France?").put("reference", "Paris"));
        scripts.put("paris", List.of("The answer is Paris."));
        rows.put("n391", row("n391", "arith", "17*23?").put("reference", "391"));
        scripts.put("n391", List.of("391"));
        rows.put("n12", row("n12", "arith", "144/12?").put("reference", "12"));
        scripts.put("n12", List.of("It is 120."));
        ObjectNode mc = row("mc", "mc", "Largest planet? A) Mars B) Jupiter C) Venus D) Mercury");
        mc.putArray("choices").add("Mars").add("Jupiter").add("Venus").add("Mercury");
        rows.put("mc", mc.put("reference", "B"));
        scripts.put("mc", List.of("Let me think: the answer is (B)."));
        ObjectNode js = row("js", "json", "JSON please");
        js.putObject("schema").put("type", "object").putArray("required").add("a");
        rows.put("js", js);
        scripts.put("js", List.of("{\"a\": 1}"));
        ObjectNode calc = row("calc", "tool", "Use the calculator: 17*23");
        calc.putObject("expected_tool_call").put("name", "calculator").putObject("arguments").put("expression", "17*23");
        rows.put("calc", calc);
        scripts.put("calc", List.of(call("calculator", "{\"expression\": \"17*23\"}"), "It is 391."));
        ObjectNode peru = row("peru", "tool", "Capital of Peru from the table");
        peru.putObject("expected_tool_call").put("name", "kv_lookup").putObject("arguments").put("key", "Peru");
        rows.put("peru", peru);
        scripts.put("peru", List.of(call("kv_lookup", "{\"name\": \"Peru\"}"), "Sorry."));
        ObjectNode hello = row("hello", "tool", "Say hello");
        hello.putNull("expected_tool_call");
        rows.put("hello", hello);
        scripts.put("hello", List.of("Hello."));
        ObjectNode eager = row("eager", "tool", "Say bye");
        eager.put("expected_tool_call", "none");
        rows.put("eager", eager);
        scripts.put("eager", List.of(call("calculator", "{\"expression\": \"1+1\"}"), "Bye."));
        rows.put("bad-regex", row("bad-regex", "broken", "Anything").put("reference", "([a").put("metric", "regex"));
        scripts.put("bad-regex", List.of("a"));
        rows.put("bad-call", row("bad-call", "broken", "Anything").put("expected_tool_call", "{name: calculator"));
        scripts.put("bad-call", List.of("a"));
        rows.put("no-prompt", row("no-prompt", "broken", "").put("reference", "Paris"));

        Path input = tmp.resolve("scripted.jsonl");
        List<String> lines = new ArrayList<>();
        rows.values().forEach(r -> lines.add(r.toString()));
        Files.write(input, lines);
        ObjectNode all = JSON.createObjectNode();
        scripts.forEach((id, turns) -> {
            ArrayNode a = all.putArray(id);
            turns.forEach(a::add);
        });
        Path scriptFile = tmp.resolve("scripts.json");
        Files.writeString(scriptFile, all.toString());
        System.setProperty("moe.test.scripts", scriptFile.toString());

        Path run = tmp.resolve("scripted");
        ObjectNode summary = eval(input, run, options(80, 0, 0, ScriptedDecoder.class.getName()));
        Map<String, Row> s = scores(run);
        assertEquals(rows.size(), s.size(), "every row scored or reported, none dropped");

        assertScores(s.get("paris"), Map.of("exact_match", 0.0, "contains", 1.0));
        assertScores(s.get("n391"), Map.of("exact_match", 1.0, "contains", 1.0));
        assertScores(s.get("n12"), Map.of("exact_match", 0.0, "contains", 0.0));
        assertScores(s.get("mc"), Map.of("multiple_choice", 1.0));
        assertScores(s.get("js"), Map.of("json_schema", 1.0));
        assertScores(s.get("calc"), Map.of("tool_trigger", 1.0, "tool_schema", 1.0, "tool_name", 1.0, "tool_arguments", 1.0,
                "tool_choice", 1.0));
        assertEquals("{\"name\":\"calculator\",\"arguments\":{\"expression\":\"17*23\"}}", s.get("calc").getAs("predicted_tool_call"));
        // right tool, wrong argument name: named right, arguments wrong, and invalid under kv_lookup's schema
        assertScores(s.get("peru"), Map.of("tool_trigger", 1.0, "tool_schema", 0.0, "tool_name", 1.0, "tool_arguments", 0.0,
                "tool_choice", 1.0));
        assertScores(s.get("hello"), Map.of("tool_trigger", 1.0, "tool_choice", 1.0));
        assertScores(s.get("eager"), Map.of("tool_trigger", 0.0, "tool_schema", 1.0, "tool_choice", 0.0));
        assertScores(s.get("bad-regex"), Map.of());
        assertTrue(s.get("bad-regex").<String>getAs("error").startsWith("row bad-regex: regex: reference is not a valid regex"),
                s.get("bad-regex").<String>getAs("error"));
        assertScores(s.get("bad-call"), Map.of());
        assertTrue(s.get("bad-call").<String>getAs("error").contains("row bad-call: tool_trigger, tool_name, tool_arguments, tool_choice: "
                + "expected_tool_call is not valid JSON"), s.get("bad-call").<String>getAs("error"));
        assertScores(s.get("no-prompt"), Map.of("exact_match", 0.0, "contains", 0.0));
        assertNotNull(s.get("no-prompt").getAs("generation_error"));
        assertTrue(s.get("no-prompt").<String>getAs("error").contains("generation failed, scored 0: prompt is empty"));

        // exact_match: 1 of 4 rows (paris 0, n391 1, n12 0, no-prompt 0) -> Wilson(1, 4)
        JsonNode em = summary.at("/metrics/exact_match");
        assertEquals(4, em.get("n").asLong());
        assertEquals(0.25, em.get("mean").asDouble(), 1e-15);
        assertEquals(Stats.wilson(1, 4).lo(), em.at("/ci95/0").asDouble(), 1e-15);
        assertEquals(1, em.get("generation_failures").asLong());
        assertEquals(1, summary.at("/metrics/regex/errors").asLong());
        assertEquals(0, summary.at("/metrics/regex/n").asLong());
        // trigger over calc, peru (expected, called: TP), hello (not expected, not called: TN), eager (not expected, called: FP)
        JsonNode t = summary.at("/metrics/tool_trigger");
        assertEquals(2, t.at("/confusion/tp").asLong());
        assertEquals(1, t.at("/confusion/tn").asLong());
        assertEquals(1, t.at("/confusion/fp").asLong());
        assertEquals(0, t.at("/confusion/fn").asLong());
        assertEquals(1, t.get("errors").asLong(), "bad-call");
        // precision 2/3, recall 2/2, F1 = 4/5
        assertEquals(2.0 / 3, t.at("/precision/value").asDouble(), 1e-15);
        assertEquals(1.0, t.at("/recall/value").asDouble(), 0);
        assertEquals(0.8, t.at("/f1/value").asDouble(), 1e-15);
        // schema accuracy: calc 1/1, peru 0/1, eager 1/1 -> rows mean 2/3, calls 2 of 3
        JsonNode sa = summary.at("/metrics/tool_schema");
        assertEquals(3, sa.get("n").asLong());
        assertEquals(2.0 / 3, sa.get("mean").asDouble(), 1e-15);
        assertEquals(3, sa.at("/calls/made").asLong());
        assertEquals(2, sa.at("/calls/valid").asLong());
        // every row's score is 0 or 1, so a proportion's interval: Wilson(2, 3), not the t interval [-0.768, 2.101]
        assertEquals(Stats.wilson(2, 3).lo(), sa.at("/ci95/0").asDouble(), 1e-12);
        assertEquals(Stats.wilson(2, 3).hi(), sa.at("/ci95/1").asDouble(), 1e-12);
        assertEquals("wilson (every score 0 or 1)", sa.get("interval").asText());
        assertEquals(3, summary.get("rows_with_problems").asLong(), "bad-regex, bad-call and no-prompt");
        assertEquals(1, summary.get("generation_errors").asLong());
        assertEquals(1, summary.at("/metrics/exact_match/by_category/arith/successes").asLong());
        assertEquals(2, summary.at("/metrics/exact_match/by_category/arith/n").asLong());
    }

    private static ObjectNode row(String id, String category, String prompt) {
        return JSON.createObjectNode().put("id", id).put("category", category).put("prompt", prompt);
    }

    private static void assertScores(Row row, Map<String, Double> expected) {
        Map<String, Double> got = new HashMap<>();
        for (Metric m : Metric.values()) {
            Object v = row.getAs(m.column());
            if (v != null) {
                got.put(m.column(), (Double) v);
            }
        }
        assertEquals(expected, got, row.<String>getAs("id") + " (error: " + row.getAs("error") + ", prediction: "
                + row.getAs("prediction") + ")");
    }
}
