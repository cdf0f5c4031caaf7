package org.moebatch.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.moebatch.eval.EvalJob;
import org.moebatch.eval.EvalJobConfig;
import org.moebatch.eval.EvalSummary;
import org.moebatch.eval.Metric;
import org.moebatch.jobs.InputFormat;
import org.moebatch.spark.GenerateOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code moe-batch eval}: generate over an eval set, score every row, print the metrics with their intervals. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Run an eval set through the model, score each row (exact match, contains, regex, multiple choice, "
                + "JSON schema, tool calls) and print each metric's mean with a 95%% interval, overall and per category.")
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--input", required = true, paramLabel = "EVALSET", converter = OptionChecks.Input.class,
            description = "Eval set: rows of id, prompt or messages, reference and/or expected_tool_call, optional choices, "
                    + "schema, category, tools, metric (JSONL, Parquet, CSV or Arrow).")
    String input;

    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "Directory of the run: generations/, scores/ (Parquet), metrics.json, _report/.")
    String output;

    @Option(names = "--metric", paramLabel = "NAME",
            description = "Metric to score (repeatable; default: each where it applies to a row, regex where a row names it): exact_match, contains, regex, "
                    + "multiple_choice, json_schema, tool_trigger, tool_schema, tool_name, tool_arguments, tool_choice.")
    List<String> metrics = new ArrayList<>();

    @Option(names = "--input-format", defaultValue = "auto",
            description = "auto, parquet, jsonl, csv or arrow (default: ${DEFAULT-VALUE}, from the file names).")
    String inputFormat;

    @Mixin
    ResumeFlags runFlags = new ResumeFlags();

    @Mixin
    SamplingFlags sampling = new SamplingFlags();

    @Mixin
    JobFlags job = new JobFlags();

    @Override
    public Integer call() throws IOException {
        List<Metric> chosen = Metric.parseAll(metrics);
        GenerateOptions options = sampling.options(job.engine, job.tools.toolOptions());
        EvalJobConfig config = new EvalJobConfig(input, output,
                inputFormat.equals("auto") ? null : InputFormat.parse(inputFormat), chosen, job.spark.partitions,
                runFlags.resume, runFlags.overwrite, runFlags.checkpointRows, options);
        SparkSession spark = job.spark.session("moe-batch eval");
        try {
            ObjectNode summary = new EvalJob(spark, config).withCosts(job.report.costs()).run();
            System.out.printf("eval: %d rows (%d generation errors, %d with problems) -> %s%n", summary.path("rows").asLong(),
                    summary.path("generation_errors").asLong(), summary.path("rows_with_problems").asLong(), output);
            System.out.print(EvalSummary.table(summary));
            System.out.println("per-row scores: " + output + "/" + EvalJob.SCORES + ", aggregate: " + output + "/"
                    + EvalJob.METRICS_FILE);
        } finally {
            spark.stop();
        }
        return 0;
    }
}
