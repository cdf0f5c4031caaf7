package org.moebatch.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkSessionsTest {
    @Test
    void theBundledLocalProfileIsConfLocalCpu() throws Exception {
        Map<String, String> bundled = SparkSessions.localProfile();
        Path repoFile = Path.of("..", "conf", "local-cpu.conf");
        assertEquals(SparkSessions.readProperties(repoFile), bundled, "the jar carries conf/local-cpu.conf as it is");
        assertEquals("2s", bundled.get("spark.executor.heartbeatInterval"));
    }

    @Test
    void everyProfileInConfReads(@TempDir Path dir) throws Exception {
        for (String name : new String[] {"gpu-box.conf", "standalone-gpu.conf", "kubernetes-gpu.conf", "rapids.conf"}) {
            Map<String, String> p = SparkSessions.readProperties(Path.of("..", "conf", name));
            assertTrue(p.size() >= 5, name);
            p.forEach((k, v) -> assertTrue(k.startsWith("spark.") && !v.isBlank(), name + ": " + k + " = " + v));
        }
        Path file = dir.resolve("x.conf");
        Files.writeString(file, "# comment\nspark.a   1\nspark.b=two words\n");
        assertEquals(Map.of("spark.a", "1", "spark.b", "two words"), SparkSessions.readProperties(file));
        assertThrows(IllegalArgumentException.class, () -> SparkSessions.readProperties(dir.resolve("missing.conf")));
    }
}
