package org.moebatch.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.moebatch.jobs.GenerateJob;
import org.moebatch.jobs.GenerateJobConfig;
import org.moebatch.jobs.InputFormat;
import org.moebatch.jobs.OutputFormat;
import org.moebatch.report.JobSummary;
import org.moebatch.spark.GenerateOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code moe-batch generate}: a prompt dataset in, completions and tool traces out. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate completions for every row of a prompt dataset and write them as Parquet.")
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--input", required = true, paramLabel = "PATH", converter = OptionChecks.Input.class,
            description = "Prompt file or directory: Parquet, JSONL, CSV, OpenAI batch JSONL or Arrow (HF datasets).")
    String input;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Directory for the results.")
    String output;

    @Option(names = "--input-format", defaultValue = "auto",
            description = "auto, parquet, jsonl, csv, openai-batch or arrow (default: ${DEFAULT-VALUE}, from the file names).")
    String inputFormat;

    @Option(names = "--split", paramLabel = "NAME",
            description = "Read only this split of a Hugging Face DatasetDict (default: all, each row keeping its split).")
    String split;

    @Option(names = "--output-format", defaultValue = "parquet",
            description = "parquet or openai-batch (default: ${DEFAULT-VALUE}).")
    String outputFormat;

    @Mixin
    ResumeFlags runFlags = new ResumeFlags();

    @Mixin
    SamplingFlags sampling = new SamplingFlags();

    @Mixin
    JobFlags job = new JobFlags();

    @Override
    public Integer call() throws IOException {
        GenerateOptions options = sampling.options(job.engine, job.tools.toolOptions());
        GenerateJobConfig config = new GenerateJobConfig(input, output,
                inputFormat.equals("auto") ? null : InputFormat.parse(inputFormat), OutputFormat.parse(outputFormat),
                job.spark.partitions, runFlags.resume, runFlags.overwrite, runFlags.checkpointRows, options, split);
        SparkSession spark = job.spark.session("moe-batch generate");
        try {
            JobSummary summary = new GenerateJob(spark, config).reportAs("generate", job.report.costs()).run();
            System.out.println(summary.describe());
            System.out.println("see the rows with: bin/moe-batch show " + output + " --limit 5");
            System.out.println("report: " + output + "/_report/report.html");
        } finally {
            spark.stop();
        }
        return 0;
    }
}
