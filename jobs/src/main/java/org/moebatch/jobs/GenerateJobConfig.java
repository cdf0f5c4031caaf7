package org.moebatch.jobs;

import org.moebatch.spark.GenerateOptions;

/**
 * A {@code generate} run.
 *
 * @param input          file or directory of prompts
 * @param output         directory for results
 * @param inputFormat    the input's format, or null to tell it from the file names
 * @param outputFormat   Parquet or OpenAI Batch result lines
 * @param partitions     Spark partitions for generation; 0 for the default parallelism
 * @param resume         skip ids already in {@code output} and append the rest
 * @param overwrite      delete {@code output} first
 * @param checkpointRows rows per committed wave: a killed run loses at most one wave
 * @param options        engine and per-row defaults
 * @param split          the one split of a Hugging Face DatasetDict to read, or null for all (each row keeps its split)
 */
public record GenerateJobConfig(String input, String output, InputFormat inputFormat, OutputFormat outputFormat,
        int partitions, boolean resume, boolean overwrite, long checkpointRows, GenerateOptions options, String split) {
    /** A run over every split of its input. */
    public GenerateJobConfig(String input, String output, InputFormat inputFormat, OutputFormat outputFormat,
            int partitions, boolean resume, boolean overwrite, long checkpointRows, GenerateOptions options) {
        this(input, output, inputFormat, outputFormat, partitions, resume, overwrite, checkpointRows, options, null);
    }

    public GenerateJobConfig {
        if (resume && overwrite) {
            throw new IllegalArgumentException("--resume and --overwrite contradict each other");
        }
        if (checkpointRows < 1) {
            throw new IllegalArgumentException("--checkpoint-rows must be at least 1, is " + checkpointRows);
        }
        if (partitions < 0) {
            throw new IllegalArgumentException("--partitions must not be negative, is " + partitions);
        }
    }
}
