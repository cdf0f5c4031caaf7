package org.moebatch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * Spark's local-cluster mode for tests that need what local mode lacks: executors in their own JVMs
 * and resource scheduling (GPUs found by a discovery script). Executors start from the test
 * classpath; the surefire configuration points SPARK_HOME at a stub distribution made here.
 */
public final class LocalCluster {
    private LocalCluster() {}

    /** A builder for {@code workers} workers of {@code cores} cores each. */
    public static SparkSession.Builder builder(int workers, int cores) {
        String home = System.getenv("SPARK_HOME");
        if (home == null) {
            throw new IllegalStateException("SPARK_HOME is not set: run through Maven (see the parent pom's surefire configuration)");
        }
        try {
            // The launcher takes a directory with a RELEASE file as a binary distribution and adds its jars/.
            Files.createDirectories(Path.of(home, "jars"));
            if (!Files.exists(Path.of(home, "RELEASE"))) {
                Files.writeString(Path.of(home, "RELEASE"), "stub distribution for Spark's local-cluster mode in tests\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return SparkSession.builder().master("local-cluster[" + workers + "," + cores + ",1024]")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .config("spark.executor.extraJavaOptions", System.getProperty("moe.jvm.flags", ""));
    }
}
