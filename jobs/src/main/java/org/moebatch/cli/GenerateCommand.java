package org.moebatch.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.moebatch.jobs.GenerateJob;
import org.moebatch.jobs.GenerateJobConfig;
import org.moebatch.jobs.InputFormat;
import org.moebatch.jobs.JobSummary;
import org.moebatch.jobs.OutputFormat;
import org.moebatch.jobs.SparkSessions;
import org.moebatch.spark.GenerateOptions;
import org.moebatch.spark.ToolOptions;
import org.moebatch.tools.AgentLimits;
import org.moebatch.tools.ToolRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code moe-batch generate}: a prompt dataset in, completions and tool traces out. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate completions for every row of a prompt dataset and write them as Parquet.")
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--input", required = true, paramLabel = "PATH",
            description = "Prompt file or directory: Parquet, JSONL, CSV, OpenAI batch JSONL or Arrow (HF datasets).")
    String input;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Directory for the results.")
    String output;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Hugging Face checkpoint directory (default: the tiny random-weight model in data-samples/; its text is noise).")
    Path model;

    @Option(names = "--input-format", defaultValue = "auto",
            description = "auto, parquet, jsonl, csv, openai-batch or arrow (default: ${DEFAULT-VALUE}, from the file names).")
    String inputFormat;

    @Option(names = "--output-format", defaultValue = "parquet",
            description = "parquet or openai-batch (default: ${DEFAULT-VALUE}).")
    String outputFormat;

    @Option(names = "--max-tokens", defaultValue = "256", description = "Tokens to generate per row at most (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "0 for greedy (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1", description = "Nucleus sampling mass (default: ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--top-k", defaultValue = "0", description = "Sample among the k most likely tokens, 0 for all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--seed", defaultValue = "0", description = "Job seed; each row's seed derives from it and the row id (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--system", paramLabel = "TEXT", description = "System prompt for rows without one.")
    String system;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop string for rows without their own (repeatable).")
    List<String> stop;

    @Option(names = "--tools", paramLabel = "FILE",
            description = "JSON list of tools for every row: built-ins, MCP servers, declarations (see README).")
    Path tools;

    @Option(names = "--max-tool-steps", defaultValue = "8", description = "Tool-calling turns per row (default: ${DEFAULT-VALUE}).")
    int maxToolSteps;

    @Option(names = "--tool-timeout-ms", defaultValue = "10000", description = "Time one tool call may take (default: ${DEFAULT-VALUE}).")
    long toolTimeoutMs;

    @Option(names = "--row-deadline-s", defaultValue = "300", description = "Time one row may take with all its tool calls (default: ${DEFAULT-VALUE}).")
    long rowDeadlineS;

    @Option(names = "--constrained", description = "Constrain tool-call decoding so arguments always match the tool's schema.")
    boolean constrained;

    @Option(names = "--partitions", defaultValue = "0", description = "Spark partitions, 0 for the default parallelism (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--resume", description = "Skip ids already in --output and append the rest.")
    boolean resume;

    @Option(names = "--overwrite", description = "Replace --output if it holds results.")
    boolean overwrite;

    @Option(names = "--checkpoint-rows", defaultValue = "10000",
            description = "Rows per committed wave: a killed run loses at most this many (default: ${DEFAULT-VALUE}).")
    long checkpointRows;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cpu-reference, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--threads", defaultValue = "0", description = "Engine CPU threads per executor, 0 for all cores (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--kv-cache-mb", defaultValue = "512", description = "KV cache budget per engine in MiB (default: ${DEFAULT-VALUE}).")
    long kvCacheMb;

    @Option(names = "--max-running", defaultValue = "64", description = "Rows in flight per engine (default: ${DEFAULT-VALUE}).")
    int maxRunning;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: local[*], or spark-submit's).")
    String master;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "Spark configuration (repeatable).")
    Map<String, String> conf = new LinkedHashMap<>();

    @Override
    public Integer call() throws IOException {
        Path dir = model != null ? model : Defaults.chatModel();
        ToolOptions toolOptions = ToolOptions.none();
        AgentLimits limits = new AgentLimits(maxToolSteps, toolTimeoutMs, rowDeadlineS * 1000);
        if (tools != null) {
            if (!Files.isRegularFile(tools)) {
                throw new IllegalArgumentException("--tools " + tools + ": no such file");
            }
            String json = Files.readString(tools);
            Path base = tools.toAbsolutePath().getParent();
            ToolRegistry.check(json, base);
            toolOptions = new ToolOptions(json, base.toString(), limits, constrained, null);
        } else {
            toolOptions = new ToolOptions(null, null, limits, constrained, null);
        }
        GenerateOptions options = new GenerateOptions(dir.toAbsolutePath().toString(), device, threads, kvCacheMb,
                maxRunning, 512, maxTokens, temperature, topP, topK, seed, system, stop, toolOptions, 2 * maxRunning);
        GenerateJobConfig config = new GenerateJobConfig(input, output,
                inputFormat.equals("auto") ? null : InputFormat.parse(inputFormat), OutputFormat.parse(outputFormat),
                partitions, resume, overwrite, checkpointRows, options);
        SparkSession spark = SparkSessions.create("moe-batch generate", master, conf);
        try {
            JobSummary summary = new GenerateJob(spark, config).run();
            System.out.println(summary.describe());
            System.out.println("see the rows with: bin/moe-batch show " + output + " --limit 5");
        } finally {
            spark.stop();
        }
        return 0;
    }
}
