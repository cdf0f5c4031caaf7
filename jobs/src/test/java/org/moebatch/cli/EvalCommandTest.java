package org.moebatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The eval commands' wiring: the printed table, eval-compare's table and --json, and one-line errors. */
class EvalCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void evalPrintsItsTableAndEvalCompareOfARunWithItselfFindsNoDifference() throws Exception {
        Path set = tmp.resolve("set.jsonl");
        Files.write(set, List.of(
                "{\"id\": \"a\", \"category\": \"geo\", \"prompt\": \"Capital of France?\", \"reference\": \"Paris\"}",
                "{\"id\": \"b\", \"category\": \"geo\", \"prompt\": \"Capital of Japan?\", \"reference\": \"Tokyo\"}",
                "{\"id\": \"c\", \"category\": \"mc\", \"prompt\": \"2+2? A) 3 B) 4\", \"choices\": [\"3\", \"4\"], \"reference\": \"B\"}"));
        Path out = tmp.resolve("run");
        CliRunner.Outcome run = CliRunner.run("eval", "--input", set.toString(), "--output", out.toString(), "--max-tokens", "3",
                "--master", "local[2]");
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(run.stdout().startsWith("eval: 3 rows (0 generation errors, 0 with problems) -> " + out), run.stdout());
        assertTrue(run.stdout().contains("exact_match"), run.stdout());
        assertTrue(run.stdout().contains("multiple_choice"), run.stdout());
        assertTrue(run.stdout().contains("By category: mean (n)"), run.stdout());
        assertTrue(run.stdout().contains("scored on no row: regex, json_schema, tool_trigger, tool_schema, tool_name, tool_arguments, tool_choice"),
                run.stdout());
        assertTrue(Files.exists(out.resolve("metrics.json")));
        assertTrue(run.stderr().contains("eval: 3/3 rows") || run.stderr().contains("3/3 rows (100%)"), "progress on stderr: " + run.stderr());

        CliRunner.Outcome again = CliRunner.run("eval", "--input", set.toString(), "--output", out.toString());
        assertEquals(1, again.exitCode());
        assertTrue(again.stderr().contains("already holds an eval run; add --resume to finish it or --overwrite"), again.stderr());

        CliRunner.Outcome table = CliRunner.run("eval-compare", out.toString(), out.toString(), "--master", "local[1]");
        assertEquals(0, table.exitCode(), table.stderr());
        assertTrue(table.stdout().contains("3 paired by id, 0 only in A, 0 only in B"), table.stdout());
        CliRunner.Outcome json = CliRunner.run("eval-compare", out.toString(), out.toString(), "--json", "--metric", "exact_match",
                "--master", "local[1]");
        assertEquals(0, json.exitCode(), json.stderr());
        JsonNode c = JSON.readTree(json.stdout());
        assertEquals(1, c.get("metrics").size(), "only the metric asked for");
        assertEquals(2, c.at("/metrics/exact_match/n").asLong());
        assertEquals(0.0, c.at("/metrics/exact_match/difference").asDouble(), 0);
        assertEquals(1.0, c.at("/metrics/exact_match/p").asDouble(), 0);
        assertEquals("mcnemar-exact", c.at("/metrics/exact_match/test").asText());
    }

    @Test
    void badArgumentsAreOneClearLine() {
        CliRunner.Outcome metric = CliRunner.run("eval", "--input", Defaults.home().resolve("data-samples/eval/eval.jsonl").toString(), "--output", tmp.resolve("o").toString(),
                "--metric", "bleu");
        assertEquals(2, metric.exitCode(), "a bad job: it never starts");
        assertTrue(metric.stderr().contains("eval: unknown metric \"bleu\" (exact_match, contains, regex"), metric.stderr());

        CliRunner.Outcome notARun = CliRunner.run("eval-compare", tmp.toString(), tmp.toString());
        assertEquals(1, notARun.exitCode());
        assertTrue(notARun.stderr().contains(tmp + ": not an eval run (no scores/ directory)"), notARun.stderr());

        CliRunner.Outcome missing = CliRunner.run("eval-compare", tmp.toString());
        assertEquals(2, missing.exitCode(), "usage error");
    }
}
