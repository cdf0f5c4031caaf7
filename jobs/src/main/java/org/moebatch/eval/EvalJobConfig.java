package org.moebatch.eval;

import java.util.List;
import org.moebatch.jobs.InputFormat;
import org.moebatch.spark.GenerateOptions;

/**
 * An {@code eval} run.
 *
 * @param input           the eval set: file or directory (JSONL, Parquet, CSV, Arrow)
 * @param output          directory of the run: eval_input/, generations/, scores/, metrics.json
 * @param inputFormat     the eval set's format, or null to tell it from the file names
 * @param metrics         the metrics to score; empty for all, each where it applies to a row
 * @param partitions      Spark partitions for generation; 0 for the default parallelism
 * @param resume          finish the generations of an interrupted run, then score everything
 * @param overwrite       delete {@code output} first
 * @param checkpointRows  rows per committed wave of generation
 * @param options         engine and per-row defaults, as for {@code generate}
 */
public record EvalJobConfig(String input, String output, InputFormat inputFormat, List<Metric> metrics, int partitions,
        boolean resume, boolean overwrite, long checkpointRows, GenerateOptions options) {
    public EvalJobConfig {
        metrics = metrics == null ? List.of() : List.copyOf(metrics);
        if (resume && overwrite) {
            throw new IllegalArgumentException("--resume and --overwrite contradict each other");
        }
    }

    /** The metrics named, else all of them: the columns of the scores. */
    public List<Metric> effectiveMetrics() {
        return metrics.isEmpty() ? List.of(Metric.values()) : metrics;
    }

    public boolean explicitMetrics() {
        return !metrics.isEmpty();
    }
}
