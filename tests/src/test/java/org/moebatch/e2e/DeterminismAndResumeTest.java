package org.moebatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moebatch.jobs.InputFormat;
import org.moebatch.jobs.OutputFormat;
import org.moebatch.jobs.ResultRows;
import org.moebatch.report.JobSummary;
import org.moebatch.spark.GenerateOptions;

class DeterminismAndResumeTest {
    @TempDir
    Path tmp;

    private static GenerateOptions sampled(int maxRunning) {
        GenerateOptions o = E2e.options(20);
        // temperature 0.9 with top-p: every token is a draw, so any batch dependence would show
        return new GenerateOptions(o.modelDir(), o.device(), o.threads(), o.kvCacheMb(), maxRunning, o.maxStepTokens(),
                o.maxTokens(), 0.9, 0.95, 0, 1234L, o.system(), o.stop(), o.tools(), o.window());
    }

    private static Map<String, String> completions(Path output) {
        Map<String, String> out = new HashMap<>();
        E2e.byId(output).forEach((id, row) -> out.put(id, row.getAs("completion")));
        return out;
    }

    @Test
    void completionsAreByteIdenticalWhateverThePartitionsAndBatchSize() throws IOException {
        Path one = tmp.resolve("one");
        Path four = tmp.resolve("four");
        Path small = tmp.resolve("small-batches");
        E2e.generate(E2e.sample("sample.jsonl"), one, InputFormat.JSONL, sampled(16), 1);
        E2e.generate(E2e.sample("sample.jsonl"), four, InputFormat.JSONL, sampled(16), 4);
        E2e.generate(E2e.sample("sample.jsonl"), small, InputFormat.JSONL, sampled(3), 3);
        Map<String, String> a = completions(one);
        Map<String, String> b = completions(four);
        Map<String, String> c = completions(small);
        assertEquals(22, a.size());
        assertEquals(a, b, "1 vs 4 partitions");
        assertEquals(a, c, "16 vs 3 rows in flight");
        long distinct = a.values().stream().distinct().count();
        assertTrue(distinct > 15, "sampled rows differ from each other, so the comparison means something");
    }

    /** 60 rows, each its own id. */
    private Path manyRows(String name) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            lines.add("{\"id\": \"row-" + i + "\", \"prompt\": \"Question number " + i + ": why?\"}");
        }
        return Files.write(tmp.resolve(name), lines);
    }

    /** A separate JVM runs the job in waves of 6 rows; this returns once it has committed 4 part files. */
    private Process childJob(Path input, Path out, Path log) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-modules=jdk.incubator.vector");
        command.add("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
        command.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
        command.add("--add-opens=java.base/java.lang.invoke=ALL-UNNAMED");
        command.add("--add-opens=java.base/java.util=ALL-UNNAMED");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("org.moebatch.cli.Main");
        command.addAll(List.of("generate", "--input", input.toString(), "--output", out.toString(), "--model",
                E2e.options(1).modelDir(), "--max-tokens", "40", "--checkpoint-rows", "6", "--partitions", "2",
                "--master", "local[2]"));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (parquetFiles(out) < 4 && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        return child;
    }

    @Test
    void anInterruptedRunSaysSoInOneLineAndLeavesNoHalfWrittenFiles() throws Exception {
        Path out = tmp.resolve("interrupted");
        Path log = tmp.resolve("interrupted.log");
        Process child = childJob(manyRows("interrupted.jsonl"), out, log);
        assertTrue(child.isAlive(), "the child finished before it could be interrupted; see " + log);
        new ProcessBuilder("kill", "-INT", Long.toString(child.pid())).start().waitFor();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "SIGINT stops the job");
        assertTrue(child.exitValue() != 0, "an interrupted job does not exit 0");
        List<String> printed = Files.readAllLines(log);
        String all = String.join("\n", printed);
        List<String> said = printed.stream().filter(l -> l.startsWith("interrupted after ")).toList();
        assertEquals(1, said.size(), all);
        assertTrue(said.get(0).matches("interrupted after \\d+ of 60 rows; rerun with --resume"), said.get(0));
        assertFalse(all.contains("Exception") || all.contains("\tat "), "no stack traces:\n" + all);
        assertFalse(Files.exists(out.resolve("_SUCCESS")));
        assertFalse(Files.exists(out.resolveSibling("." + out.getFileName() + ".moe-batch-staging")), "the staging of the wave in flight is removed");
        assertTrue(ResultRows.incomplete(out.toString()));
    }

    @Test
    void aKilledRunFinishesWithResumeEveryIdExactlyOnce() throws Exception {
        Path input = manyRows("many.jsonl");
        Path out = tmp.resolve("out");
        // killed (SIGKILL) once the first waves are committed
        Process child = childJob(input, out, tmp.resolve("child.log"));
        assertTrue(child.isAlive(), "the child finished before it could be killed; see " + tmp.resolve("child.log"));
        child.destroyForcibly().waitFor();
        long committed = E2e.spark().read().parquet(out.toString()).count();
        assertTrue(committed > 0 && committed < 60, "a part of the rows was committed before the kill: " + committed);
        // visibly incomplete: no markers of a finished run, no attempt files inside the output
        assertFalse(Files.exists(out.resolve("_SUCCESS")), "_SUCCESS only when the run finished");
        assertFalse(Files.exists(out.resolve("_summary.json")), "_summary.json only when the run finished");
        try (var inside = Files.walk(out)) {
            assertEquals(List.of(), inside.filter(p -> p.toString().contains("_temporary")).toList());
        }
        assertTrue(ResultRows.incomplete(out.toString()), "show says: incomplete run, finish with --resume");

        JobSummary resumed = E2e.generate(input, out, InputFormat.JSONL, OutputFormat.PARQUET, E2e.options(40), 2, true, 6);
        assertEquals(committed, resumed.skipped());
        assertEquals(60 - committed, resumed.rowsThisRun());
        assertEquals(60, resumed.rows(), "the summary covers the whole output, not only the resumed rows");
        assertEquals(60, resumed.ok());
        JsonNode saved = new ObjectMapper().readTree(out.resolve("_summary.json").toFile());
        assertEquals(60, saved.get("rows").asLong());
        assertEquals(60 - committed, saved.get("rows_this_run").asLong());
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        assertFalse(ResultRows.incomplete(out.toString()));
        Map<String, Long> counts = new HashMap<>();
        for (Row r : E2e.spark().read().parquet(out.toString()).collectAsList()) {
            counts.merge(r.getAs("id"), 1L, Long::sum);
        }
        assertEquals(60, counts.size(), "every id is there");
        assertTrue(counts.values().stream().allMatch(n -> n == 1), "and exactly once: " + counts);

        JobSummary again = E2e.generate(input, out, InputFormat.JSONL, OutputFormat.PARQUET, E2e.options(40), 2, true, 6);
        assertEquals(0, again.rowsThisRun(), "a second resume on a finished run adds nothing");
        assertEquals(60, again.rows());
        assertEquals(60, again.skipped());
        assertEquals(60, E2e.spark().read().parquet(out.toString()).count());
    }

    private static long parquetFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".parquet")).count();
        }
    }
}
