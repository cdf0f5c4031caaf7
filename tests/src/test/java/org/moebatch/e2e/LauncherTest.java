package org.moebatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bin/moe-batch} itself, the way a user starts it: the JVM flags it reads out of the pom,
 * the classpath it assembles, and every command's help, which picocli renders from format strings
 * (an unescaped % in a description shows up here as a warning).
 */
class LauncherTest {

    @ParameterizedTest(name = "bin/moe-batch {0} --help")
    @ValueSource(strings = {"generate", "eval", "eval-compare", "datagen", "show", "logits", "bench"})
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
    }
}
