package org.moebatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.moebatch.jobs.JobSummary;
import org.moebatch.jobs.OutputFormat;
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

    @Test
    void aKilledRunFinishesWithResumeEveryIdExactlyOnce() throws Exception {
        Path input = tmp.resolve("many.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            lines.add("{\"id\": \"row-" + i + "\", \"prompt\": \"Question number " + i + ": why?\"}");
        }
        Files.write(input, lines);
        Path out = tmp.resolve("out");

        // A separate JVM runs the job in waves of 6 rows; it is killed once the first waves are committed.
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
        Process child = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("child.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (parquetFiles(out) < 4 && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(child.isAlive(), "the child finished before it could be killed; see " + tmp.resolve("child.log"));
        child.destroyForcibly().waitFor();
        long committed = E2e.spark().read().parquet(out.toString()).count();
        assertTrue(committed > 0 && committed < 60, "a part of the rows was committed before the kill: " + committed);

        JobSummary resumed = E2e.generate(input, out, InputFormat.JSONL, OutputFormat.PARQUET, E2e.options(40), 2, true, 6);
        assertEquals(committed, resumed.skipped());
        assertEquals(60 - committed, resumed.rows());
        Map<String, Long> counts = new HashMap<>();
        for (Row r : E2e.spark().read().parquet(out.toString()).collectAsList()) {
            counts.merge(r.getAs("id"), 1L, Long::sum);
        }
        assertEquals(60, counts.size(), "every id is there");
        assertTrue(counts.values().stream().allMatch(n -> n == 1), "and exactly once: " + counts);

        JobSummary again = E2e.generate(input, out, InputFormat.JSONL, OutputFormat.PARQUET, E2e.options(40), 2, true, 6);
        assertEquals(0, again.rows(), "a second resume on a finished run adds nothing");
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
