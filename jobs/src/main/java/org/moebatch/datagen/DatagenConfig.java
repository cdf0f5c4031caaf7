package org.moebatch.datagen;

import java.nio.file.Path;
import org.moebatch.report.CostModel;
import org.moebatch.spark.GenerateOptions;

/**
 * A {@code datagen} run.
 *
 * @param seeds          JSONL file of seed tasks
 * @param output         directory for train.jsonl, the Parquet copy, the rejected rows and the report
 * @param rows           tasks to generate (before filtering)
 * @param template       Jinja template of the task prompts, or null for the built-in one
 * @param examples       seed tasks shown in each task prompt
 * @param minChars       shortest task and answer kept
 * @param maxChars       longest task and answer kept
 * @param dedupThreshold estimated Jaccard similarity at which a task is a near-duplicate of an earlier one or a seed
 * @param keepTruncated  keep answers cut off at --max-tokens (dropped by default: half an answer teaches the wrong thing)
 * @param partitions     Spark partitions, 0 for the default parallelism
 * @param overwrite      replace {@code output}
 * @param options        engine, sampling and tools for both stages (each row's seed derives from the job seed)
 * @param costs          the report's cost model
 */
public record DatagenConfig(Path seeds, String output, int rows, Path template, int examples, int minChars, int maxChars,
        double dedupThreshold, boolean keepTruncated, int partitions, boolean overwrite, GenerateOptions options,
        CostModel costs) {
    public DatagenConfig {
        if (rows < 1) {
            throw new IllegalArgumentException("--n must be at least 1, is " + rows);
        }
        if (minChars < 0 || maxChars < minChars) {
            throw new IllegalArgumentException("--min-chars " + minChars + " and --max-chars " + maxChars + " make an empty range");
        }
        if (!(dedupThreshold > 0 && dedupThreshold <= 1)) {
            throw new IllegalArgumentException("--dedup-threshold must be in (0, 1], is " + dedupThreshold);
        }
    }
}
