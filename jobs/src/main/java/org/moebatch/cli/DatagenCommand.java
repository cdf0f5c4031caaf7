package org.moebatch.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.moebatch.datagen.DatagenConfig;
import org.moebatch.datagen.DatagenJob;
import org.moebatch.spark.GenerateOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code moe-batch datagen}: synthetic fine-tuning data grown from seed tasks. */
@Command(name = "datagen", mixinStandardHelpOptions = true,
        description = "Generate synthetic chat data from seed tasks (self-instruct): new tasks, their answers with tool calls, "
                + "filtered (length, near-duplicates, JSON validity) and written as train.jsonl and Parquet.")
final class DatagenCommand implements Callable<Integer> {
    @Option(names = "--seeds", required = true, paramLabel = "FILE", converter = OptionChecks.ExistingFile.class,
            description = "JSONL of seed tasks: {\"id\", \"instruction\", \"output\", \"category\", \"format\": \"json\"|\"text\"}.")
    Path seeds;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Directory for train.jsonl, parquet/, rejected/ and the report.")
    String output;

    @Option(names = "--n", defaultValue = "100", converter = OptionChecks.Positive.class, description = "Tasks to generate before filtering (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--template", paramLabel = "FILE", converter = OptionChecks.ExistingFile.class,
            description = "Jinja template of the task prompt (variables: examples, seed, category, row; default: built in).")
    Path template;

    @Option(names = "--examples", defaultValue = "3", converter = OptionChecks.Positive.class, description = "Seed tasks shown in each task prompt (default: ${DEFAULT-VALUE}).")
    int examples;

    @Option(names = "--min-chars", defaultValue = "8", description = "Shortest task or answer kept (default: ${DEFAULT-VALUE}).")
    int minChars;

    @Option(names = "--max-chars", defaultValue = "8000", description = "Longest task or answer kept (default: ${DEFAULT-VALUE}).")
    int maxChars;

    @Option(names = "--dedup-threshold", defaultValue = "0.7",
            description = "Estimated Jaccard similarity (word 3-grams) at which a task is a near-duplicate (default: ${DEFAULT-VALUE}).")
    double dedupThreshold;

    @Option(names = "--keep-truncated", description = "Keep answers cut off at --max-tokens.")
    boolean keepTruncated;

    @Option(names = "--max-tokens", defaultValue = "512", converter = OptionChecks.Positive.class, description = "Tokens per task or answer at most (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "1.0", converter = OptionChecks.Temperature.class, description = "Sampling temperature; diversity is the point (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-p", defaultValue = "0.95", converter = OptionChecks.Mass.class, description = "Nucleus sampling mass (default: ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--seed", defaultValue = "0", description = "Job seed; row i's seed derives from it, so a run can be repeated (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--system", paramLabel = "TEXT", description = "System prompt of the answers (and of the written examples).")
    String system;

    @Option(names = "--overwrite", description = "Replace --output.")
    boolean overwrite;

    @Mixin
    JobFlags job = new JobFlags();

    @Override
    public Integer call() throws IOException {
        GenerateOptions options = job.engine.options().withSampling(maxTokens, temperature, topP, 0, seed)
                .withPrompting(system, List.of()).withTools(job.tools.toolOptions());
        DatagenConfig config = new DatagenConfig(seeds, output, n, template, examples, minChars, maxChars, dedupThreshold,
                keepTruncated, job.spark.partitions, overwrite, options, job.report.costs());
        SparkSession spark = job.spark.session("moe-batch datagen");
        try {
            DatagenJob.Result result = new DatagenJob(spark, config).run();
            System.out.println(result.describe());
            System.out.println("rejected rows and why: bin/moe-batch show " + output + "/rejected --limit 5");
            System.out.println("report: " + output + "/_report/report.html");
        } finally {
            spark.stop();
        }
        return 0;
    }
}
