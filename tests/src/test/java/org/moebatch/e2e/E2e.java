package org.moebatch.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.moebatch.jobs.GenerateJob;
import org.moebatch.jobs.GenerateJobConfig;
import org.moebatch.jobs.InputFormat;
import org.moebatch.jobs.OutputFormat;
import org.moebatch.jobs.SparkSessions;
import org.moebatch.report.JobSummary;
import org.moebatch.spark.GenerateOptions;

/** Shared pieces of the end-to-end tests: one local[2] Spark session, the samples, a job runner. */
final class E2e {
    private static SparkSession spark;

    private E2e() {}

    static synchronized SparkSession spark() {
        if (spark == null) {
            spark = SparkSessions.create("moe-batch e2e", "local[2]", Map.of());
        }
        return spark;
    }

    static Path repo() {
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("data-samples/prompts"))) {
                return p;
            }
        }
        throw new IllegalStateException("data-samples/ not found");
    }

    static Path sample(String name) {
        return repo().resolve("data-samples/prompts").resolve(name);
    }

    static GenerateOptions options(int maxTokens) {
        return new GenerateOptions(repo().resolve("data-samples/models/k2-tiny-chat").toString(), "cpu", 2, 64, 16, 256,
                maxTokens, 0.0, 1.0, 0, 0L, null, List.of(), null, 8);
    }

    static JobSummary generate(Path input, Path output, InputFormat format, GenerateOptions options, int partitions)
            throws IOException {
        return generate(input, output, format, OutputFormat.PARQUET, options, partitions, false, 10_000);
    }

    static JobSummary generate(Path input, Path output, InputFormat format, OutputFormat outputFormat,
            GenerateOptions options, int partitions, boolean resume, long checkpointRows) throws IOException {
        return generate(input, output, format, outputFormat, options, partitions, resume, checkpointRows, null);
    }

    /** A run over one split of a DatasetDict ({@code split} null: all). */
    static JobSummary generate(Path input, Path output, InputFormat format, OutputFormat outputFormat,
            GenerateOptions options, int partitions, boolean resume, long checkpointRows, String split) throws IOException {
        GenerateJobConfig config = new GenerateJobConfig(input.toString(), output.toString(), format, outputFormat,
                partitions, resume, false, checkpointRows, options, split);
        return new GenerateJob(spark(), config).run();
    }

    /** id -> row of a Parquet output. */
    static Map<String, Row> byId(Path output) {
        Map<String, Row> rows = new HashMap<>();
        for (Row r : spark().read().parquet(output.toString()).collectAsList()) {
            rows.put(r.getAs("id"), r);
        }
        return rows;
    }
}
