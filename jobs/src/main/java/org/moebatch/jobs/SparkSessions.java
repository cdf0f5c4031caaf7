package org.moebatch.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.spark.sql.SparkSession;

/** The Spark session of a command: the cluster's under spark-submit, else embedded local Spark. */
public final class SparkSessions {
    static final String LOCAL_PROFILE = "/org/moebatch/jobs/local-cpu.conf";
    /**
     * Spark writes timestamps as INT96 unless told otherwise, a type parquet-cli, DuckDB and pyarrow read
     * as a legacy nanosecond count or not at all; TIMESTAMP_MICROS keeps a passthrough timestamp a
     * TIMESTAMP(MICROS, isAdjustedToUTC=true), as its writer most likely stored it.
     */
    static final Map<String, String> OUTPUT_DEFAULTS = Map.of("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");

    private SparkSessions() {}

    /**
     * A session for {@code appName}. Under spark-submit the master and settings come from there;
     * otherwise the settings of {@code conf/local-cpu.conf} (bundled) and {@code master} (default
     * {@code local[*]}). {@code conf} entries are set last and win.
     */
    /** Sessions this JVM has made: a command that fails before making one is a job that never started. */
    public static long created() {
        return CREATED.get();
    }

    private static final java.util.concurrent.atomic.AtomicLong CREATED = new java.util.concurrent.atomic.AtomicLong();

    public static SparkSession create(String appName, String master, Map<String, String> conf) {
        CREATED.incrementAndGet();
        SparkSession.Builder builder = SparkSession.builder().appName(appName);
        boolean submitted = System.getProperty("spark.master") != null;
        if (!submitted) {
            localProfile().forEach(builder::config);
            builder.master(master == null ? "local[*]" : master);
        } else if (master != null) {
            builder.master(master);
        }
        // a default only: spark-submit's settings arrive as system properties, and --conf entries come next
        OUTPUT_DEFAULTS.forEach((k, v) -> {
            if (System.getProperty(k) == null) {
                builder.config(k, v);
            }
        });
        conf.forEach(builder::config);
        SparkSession spark = builder.getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        return spark;
    }

    /** The embedded profile's settings, in file order. */
    static Map<String, String> localProfile() {
        try (InputStream in = SparkSessions.class.getResourceAsStream(LOCAL_PROFILE)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + LOCAL_PROFILE + " (built without conf/local-cpu.conf?)");
            }
            Properties p = new Properties();
            p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
            Map<String, String> out = new LinkedHashMap<>();
            p.stringPropertyNames().stream().sorted().forEach(k -> out.put(k, p.getProperty(k).trim()));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A spark-defaults style file (whitespace or '=' between key and value) as a map, for --properties-file. */
    public static Map<String, String> readProperties(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--properties-file " + file + ": no such file");
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        Map<String, String> out = new LinkedHashMap<>();
        p.stringPropertyNames().stream().sorted().forEach(k -> out.put(k, p.getProperty(k).trim()));
        return out;
    }
}
