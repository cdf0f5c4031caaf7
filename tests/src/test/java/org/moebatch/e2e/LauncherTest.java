package org.moebatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bin/moe-batch} itself, the way a user starts it: the JVM flags it reads out of the pom,
 * the classpath it assembles, and every command's help, which picocli renders from format strings
 * (an unescaped % in a description shows up here as a warning).
 */
class LauncherTest {

    @ParameterizedTest(name = "bin/moe-batch {0} --help")
    @ValueSource(strings = {"generate", "eval", "eval-compare", "datagen", "show", "render", "logits", "bench"})
    void everyCommandStartsAndExplainsItself(String command) throws IOException, InterruptedException {
        Path repo = E2e.repo();
        Path stdout = Files.createTempFile("launcher", ".out");
        Process p = new ProcessBuilder(repo.resolve("bin/moe-batch").toString(), command, "--help")
                .directory(repo.toFile()).redirectErrorStream(true).redirectOutput(stdout.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "bin/moe-batch " + command + " --help did not finish");
        String out = Files.readString(stdout, StandardCharsets.UTF_8);
        Files.delete(stdout);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("Usage: moe-batch " + command), out);
        assertFalse(out.contains("picocli WARN"), out);
        assertFalse(out.contains("Could not find or load main class"), out);
        assertFalse(out.contains("WARNING"), "help needs no Vector API and warns of nothing: " + out);
    }

    private record Run(int exitCode, String stdout, List<String> stderr) {}

    /** bin/moe-batch with {@code args}; stderr without the JVM's own incubator-module notice of engine commands. */
    private static Run launch(String... args) throws IOException, InterruptedException {
        Path repo = E2e.repo();
        Path stdout = Files.createTempFile("launcher", ".out");
        Path stderr = Files.createTempFile("launcher", ".err");
        List<String> command = new ArrayList<>(List.of(repo.resolve("bin/moe-batch").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(repo.toFile())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "bin/moe-batch " + String.join(" ", args) + " did not finish");
        Run run = new Run(p.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readAllLines(stderr, StandardCharsets.UTF_8).stream()
                        .filter(l -> !l.equals("WARNING: Using incubator modules: jdk.incubator.vector")).toList());
        Files.delete(stdout);
        Files.delete(stderr);
        return run;
    }

    @Test
    void aFailureInsideSparkIsItsCauseInOneLine(@TempDir Path tmp) throws Exception {
        // headers parse, so the driver's check passes; the executor finds the embedding missing when it loads
        Path model = Files.createDirectories(tmp.resolve("renamed-tensor"));
        try (var files = Files.list(E2e.repo().resolve("data-samples/models/k2-tool-demo"))) {
            for (Path f : files.toList()) {
                Files.copy(f, model.resolve(f.getFileName()));
            }
        }
        byte[] weights = Files.readAllBytes(model.resolve("model.safetensors"));
        String header = new String(weights, 0, 4096, StandardCharsets.ISO_8859_1);
        int at = header.indexOf("model.embed_tokens.weight");
        byte[] renamed = "model.embed_tokenz.weight".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(renamed, 0, weights, at, renamed.length);
        Files.write(model.resolve("model.safetensors"), weights);

        Run run = launch("generate", "--input", E2e.repo().resolve("data-samples/prompts/sample.jsonl").toString(),
                "--output", tmp.resolve("out").toString(), "--model", model.toString());
        assertEquals(1, run.exitCode(), String.join("\n", run.stderr()));
        assertEquals(List.of("moe-batch generate: ModelException: " + model + ": missing tensor model.embed_tokens.weight "
                + "(not in any of 1 safetensors file)"), run.stderr());
        assertEquals("", run.stdout());
    }

    @Test
    void aCpuRunWarnsOfNothingMeantForSomeoneElse(@TempDir Path tmp) throws Exception {
        Run run = launch("generate", "--input", E2e.repo().resolve("data-samples/prompts/sample.jsonl").toString(),
                "--output", tmp.resolve("out").toString(), "--device", "cpu", "--max-tokens", "4");
        assertEquals(0, run.exitCode(), String.join("\n", run.stderr()));
        String err = String.join("\n", run.stderr());
        for (String foreign : List.of(" WARN ", "WARNING", "CudaUtils", "VectorizationProvider", "NativeCodeLoader",
                "SPARK_LOCAL_IP", "WindowExec", "ERROR")) {
            assertFalse(err.contains(foreign), foreign + " in:\n" + err);
        }
        // stdout is the result alone: no log line of any framework
        assertFalse(run.stdout().lines().anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d .*")), run.stdout());
        assertTrue(run.stdout().startsWith("22 rows ("), run.stdout());
    }
}
