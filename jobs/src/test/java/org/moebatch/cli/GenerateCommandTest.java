package org.moebatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moebatch.jobs.SparkSessions;

/** The README's first command: generate over data-samples with the default model and tools, then show. */
class GenerateCommandTest {
    private static final Path SAMPLES = Defaults.home().resolve("data-samples/prompts");

    @TempDir
    Path tmp;

    @Test
    void generateThenShow() {
        // exactly the README's first command: the default model with the built-in tools
        Path out = tmp.resolve("out");
        CliRunner.Outcome run = CliRunner.run("generate", "--input", SAMPLES.resolve("tool-demo.jsonl").toString(),
                "--tools", Defaults.home().resolve("data-samples/tools/tools.json").toString(),
                "--output", out.toString(), "--master", "local[2]");
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(run.stdout().contains("6 rows (6 ok, 0 error)"), run.stdout());
        assertTrue(run.stdout().contains("bin/moe-batch show " + out), run.stdout());
        assertTrue(run.stderr().contains("generate: 6/6 rows (100%)"), "a final progress line: " + run.stderr());
        assertTrue(Files.exists(out.resolve("_summary.json")));

        CliRunner.Outcome show = CliRunner.run("show", out.toString(), "--limit", "6");
        assertEquals(0, show.exitCode(), show.stderr());
        assertTrue(show.stdout().contains("── calc  [stop]"), show.stdout());
        assertTrue(show.stdout().contains("tool calculator({\"expression\":"), "a real tool trace: " + show.stdout());
        assertTrue(show.stdout().contains("6 of 6 rows in " + out), show.stdout());
    }

    @Test
    void badOptionsAreOneClearLine() {
        CliRunner.Outcome missing = CliRunner.run("generate", "--input", tmp.resolve("nope.jsonl").toString(),
                "--output", tmp.resolve("o").toString());
        assertEquals(2, missing.exitCode());
        assertTrue(missing.stderr().contains("nope.jsonl: no such file or directory"), missing.stderr());

        CliRunner.Outcome format = CliRunner.run("generate", "--input", SAMPLES.resolve("sample.csv").toString(),
                "--output", tmp.resolve("o").toString(), "--input-format", "xml");
        assertEquals(2, format.exitCode());
        assertTrue(format.stderr().contains("--input-format xml is not one of"), format.stderr());

        CliRunner.Outcome both = CliRunner.run("generate", "--input", SAMPLES.resolve("sample.csv").toString(),
                "--output", tmp.resolve("o").toString(), "--resume", "--overwrite");
        assertEquals(2, both.exitCode());
        assertTrue(both.stderr().contains("--resume and --overwrite contradict"), both.stderr());
    }

    /** A job-wide mistake: exit code 2, one line naming the option or file, and no SparkSession made. */
    private void refusedBeforeSpark(String expected, String... options) {
        List<String> args = new ArrayList<>(List.of("generate", "--input", SAMPLES.resolve("sample.jsonl").toString(),
                "--output", tmp.resolve("refused").toString()));
        args.addAll(List.of(options));
        long sessions = SparkSessions.created();
        CliRunner.Outcome run = CliRunner.run(args.toArray(new String[0]));
        assertEquals(2, run.exitCode(), String.join(" ", options) + ": " + run.stderr());
        assertEquals(1, run.stderr().strip().lines().count(), run.stderr());
        assertTrue(run.stderr().contains(expected), run.stderr());
        assertEquals("", run.stdout());
        assertEquals(sessions, SparkSessions.created(), "no SparkSession for a job that cannot run");
        assertFalse(Files.exists(tmp.resolve("refused")), "nothing written");
    }

    @Test
    void badOptionValuesStopBeforeSpark() {
        refusedBeforeSpark("'--max-tokens': 0 must be at least 1", "--max-tokens", "0");
        refusedBeforeSpark("'--max-tokens': -3 must be at least 1", "--max-tokens", "-3");
        refusedBeforeSpark("'--temperature': NaN must be a finite number", "--temperature", "NaN");
        refusedBeforeSpark("'--temperature': -1 must be a finite number of 0 or more", "--temperature", "-1");
        refusedBeforeSpark("'--top-p': 2 must be greater than 0 and at most 1", "--top-p", "2");
        refusedBeforeSpark("'--device': \"gpu\" is not a device", "--device", "gpu");
        refusedBeforeSpark("'--tools': " + tmp.resolve("none.json") + ": no such file", "--tools", tmp.resolve("none.json").toString());
        refusedBeforeSpark("'--model': " + tmp.resolve("no-model") + ": no such directory", "--model", tmp.resolve("no-model").toString());
    }

    /** A copy of the demo model to break one file of. */
    private Path modelCopy(String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        try (var files = Files.list(Defaults.chatModel())) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        return dir;
    }

    @Test
    void brokenCheckpointsStopBeforeSpark() throws IOException {
        Path config = modelCopy("bad-config");
        Files.writeString(config.resolve("config.json"), "{\"model_type\": ");
        refusedBeforeSpark(config.resolve("config.json").toString(), "--model", config.toString());

        Path tokenizer = modelCopy("bad-tokenizer");
        Files.writeString(tokenizer.resolve("tokenizer.json"), "[1, 2");
        refusedBeforeSpark(tokenizer.resolve("tokenizer.json").toString(), "--model", tokenizer.toString());

        Path header = modelCopy("bad-header");
        byte[] weights = Files.readAllBytes(header.resolve("model.safetensors"));
        Files.write(header.resolve("model.safetensors"), java.util.Arrays.copyOf(weights, 100)); // header cut short
        refusedBeforeSpark(header.resolve("model.safetensors").toString(), "--model", header.toString());

        Path template = modelCopy("bad-template");
        Files.writeString(template.resolve("chat_template.jinja"), "{% for m in messages %}{{ m.content }");
        refusedBeforeSpark("chat template", "--model", template.toString());

        Path tools = Files.writeString(tmp.resolve("bad-tools.json"), "[{\"builtin\": \"shell\"}]");
        refusedBeforeSpark("unknown builtin \"shell\"", "--tools", tools.toString());
    }
}
