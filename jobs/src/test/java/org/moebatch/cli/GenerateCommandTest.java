package org.moebatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        assertEquals(1, missing.exitCode());
        assertTrue(missing.stderr().contains("nope.jsonl: no such file or directory"), missing.stderr());

        CliRunner.Outcome format = CliRunner.run("generate", "--input", SAMPLES.resolve("sample.csv").toString(),
                "--output", tmp.resolve("o").toString(), "--input-format", "xml");
        assertEquals(1, format.exitCode());
        assertTrue(format.stderr().contains("--input-format xml is not one of"), format.stderr());

        CliRunner.Outcome both = CliRunner.run("generate", "--input", SAMPLES.resolve("sample.csv").toString(),
                "--output", tmp.resolve("o").toString(), "--resume", "--overwrite");
        assertEquals(1, both.exitCode());
        assertTrue(both.stderr().contains("--resume and --overwrite contradict"), both.stderr());
    }
}
