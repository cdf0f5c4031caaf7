package org.moebatch.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.moebatch.jobs.GenerateJob;
import org.moebatch.jobs.GenerateJobConfig;
import org.moebatch.jobs.InputFormat;
import org.moebatch.jobs.InputReader;
import org.moebatch.jobs.OutputFormat;
import org.moebatch.report.CostModel;
import org.moebatch.report.JobSummary;
import org.moebatch.spark.ToolOptions;
import org.moebatch.tools.ToolRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code eval} job: the generate job over an eval set, then scoring in Spark.
 *
 * <pre>
 * eval set -> eval columns as text -> OUTPUT/eval_input (Parquet)
 *          -> generate job       -> OUTPUT/generations (Parquet, the generate contract + eval columns)
 *          -> score each row     -> OUTPUT/scores (Parquet: id, category, one column per metric, problems)
 *          -> aggregate          -> OUTPUT/metrics.json (means, 95% intervals, per category)
 * </pre>
 *
 * Every input row has one row in the scores: a row whose generation failed is scored 0 on its
 * metrics and counted, a row that cannot be scored says why in its error column.
 */
public final class EvalJob {
    private static final Logger LOG = LoggerFactory.getLogger(EvalJob.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String EVAL_INPUT = "eval_input";
    public static final String GENERATIONS = "generations";
    public static final String SCORES = "scores";
    public static final String METRICS_FILE = "metrics.json";

    private final SparkSession spark;
    private final EvalJobConfig config;
    private CostModel costs;

    public EvalJob(SparkSession spark, EvalJobConfig config) {
        this.spark = spark;
        this.config = config;
    }

    /** The cost model of the run's report (default: conf/costs.properties). */
    public EvalJob withCosts(CostModel costModel) {
        this.costs = costModel;
        return this;
    }

    /** Runs generation and scoring; returns metrics.json's content. */
    public ObjectNode run() throws IOException {
        long start = System.nanoTime();
        // the tools' schemas first: a --tools file that cannot be read stops the job before any generation
        Map<String, String> toolSchemas = toolSchemas(config.options().tools());
        InputFormat format = config.inputFormat() != null ? config.inputFormat() : InputReader.detect(config.input());
        Path output = new Path(config.output());
        FileSystem fs = output.getFileSystem(spark.sparkContext().hadoopConfiguration());
        prepareOutput(fs, output);

        String evalInput = new Path(output, EVAL_INPUT).toString();
        EvalInput.read(spark, config.input(), format).write().mode(SaveMode.Overwrite).parquet(evalInput);
        String generations = new Path(output, GENERATIONS).toString();
        GenerateJob generate = new GenerateJob(spark, new GenerateJobConfig(evalInput, generations, InputFormat.PARQUET,
                OutputFormat.PARQUET, config.partitions(), config.resume(), false, config.checkpointRows(), config.options()))
                .reportAs("eval", costs);
        JobSummary generated = generate.run();
        LOG.info("generated: {}", generated.describe());

        ScoreFunction score = new ScoreFunction(new RowScorer(config.effectiveMetrics(), config.explicitMetrics(), toolSchemas));
        String scores = new Path(output, SCORES).toString();
        spark.read().parquet(generations).map(score, Encoders.row(score.schema()))
                .write().mode(SaveMode.Overwrite).parquet(scores);

        Dataset<Row> scored = spark.read().parquet(scores);
        ObjectNode summary = JSON.createObjectNode();
        summary.put("input", config.input());
        summary.put("output", config.output());
        summary.put("model", Paths.get(config.options().modelDir()).getFileName().toString());
        summary.setAll(EvalSummary.aggregate(scored, config.effectiveMetrics()));
        summary.set("generation", generated.toJson());
        summary.put("wall_s", Math.round((System.nanoTime() - start) / 1e7) / 100.0);
        try (OutputStream out = fs.create(new Path(output, METRICS_FILE), true)) {
            out.write(summary.toPrettyString().getBytes(StandardCharsets.UTF_8));
        }
        // the generation report with the scores added, beside the run rather than inside generations/
        Path report = generate.report().with(EvalSummary.metricsTable(summary)).with(EvalSummary.categoriesTable(summary))
                .write(fs, output);
        LOG.info("report: {}", report);
        return summary;
    }

    /**
     * Name to parameters schema (JSON text) of every tool of {@code --tools}: the built-ins, the MCP
     * servers' tools (started here once, then stopped) and the declared ones, for schema accuracy.
     */
    static Map<String, String> toolSchemas(ToolOptions tools) {
        Map<String, String> schemas = new LinkedHashMap<>();
        if (tools.toolsJson() == null) {
            return schemas;
        }
        try (ToolRegistry registry = ToolRegistry.fromJson(tools.toolsJson(),
                tools.baseDir() == null ? null : Paths.get(tools.baseDir()))) {
            for (JsonNode d : registry.declarations()) {
                JsonNode parameters = d.path("function").get("parameters");
                schemas.put(d.path("function").path("name").asText(),
                        parameters == null || parameters.isNull() ? "{}" : parameters.toString());
            }
        }
        return schemas;
    }

    /** --overwrite clears the run; --resume keeps it for the generate job to finish; otherwise it must be empty. */
    private void prepareOutput(FileSystem fs, Path output) throws IOException {
        boolean exists = fs.exists(output);
        if (exists && config.overwrite()) {
            fs.delete(output, true);
        } else if (exists && !config.resume() && fs.listStatus(output).length > 0) {
            throw new IllegalArgumentException("--output " + config.output()
                    + " already holds an eval run; add --resume to finish it or --overwrite to replace it");
        }
    }
}
