package org.moebatch.jobs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.moebatch.report.CostModel;
import org.moebatch.report.DeviceCount;
import org.moebatch.report.JobReport;
import org.moebatch.report.JobSummary;
import org.moebatch.report.Timeline;
import org.moebatch.spark.JobStats;
import org.moebatch.spark.JobStatsAccumulator;
import org.moebatch.spark.OutputSchema;
import org.moebatch.spark.PartitionGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code generate} job: prompts in, completions and tool traces out.
 *
 * <pre>
 * read (Parquet | JSONL | CSV | OpenAI batch | Arrow) -> ids (given, or a hash of the row) -> flag
 * duplicate ids -> drop ids already in the output (resume) -> in waves of checkpoint-rows:
 * range-partition by prompt prefix -> each task streams its rows through the executor's engine ->
 * append the wave to the output (Spark's commit protocol: a failed task leaves nothing behind)
 * </pre>
 *
 * A wave is committed before the next starts, so a killed run loses at most one wave and
 * {@code --resume} finishes it with every id exactly once.
 */
public final class GenerateJob {
    private static final Logger LOG = LoggerFactory.getLogger(GenerateJob.class);
    public static final String SUMMARY_FILE = "_summary.json";
    /** Written last, after the summary: the run finished. Spark's own marker is off (it would follow every wave). */
    public static final String SUCCESS_FILE = "_SUCCESS";
    /** Written first: the directory is a moe-batch output, which {@code --overwrite} may replace. */
    public static final String MARKER_FILE = "_moe-batch";
    private static final String TEMPORARY = "_temporary";
    private static final String SPARK_SUCCESS_MARKER = "mapreduce.fileoutputcommitter.marksuccessfuljobs";

    private final SparkSession spark;
    private final GenerateJobConfig config;
    private String jobName = "generate";
    private CostModel costs;
    private JobReport report;
    private OpenAiBatchOutput.CallSyntax callSyntax; // read from the model's tokenizer at the first openai-batch write

    public GenerateJob(SparkSession spark, GenerateJobConfig config) {
        this.spark = spark;
        this.config = config;
    }

    /** Names the job in its report ({@code eval} and {@code datagen} run generation through this class) and sets its cost model. */
    public GenerateJob reportAs(String name, CostModel costModel) {
        this.jobName = name;
        this.costs = costModel;
        return this;
    }

    /** The report of the last {@link #run()}: jobs built on this one add their tables and write it again. */
    public JobReport report() {
        return report;
    }

    public JobSummary run() throws IOException {
        // Spark's committer would write _SUCCESS after every wave; this job writes its own at the end.
        org.apache.hadoop.conf.Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        String marksSuccess = hadoop.get(SPARK_SUCCESS_MARKER);
        hadoop.setBoolean(SPARK_SUCCESS_MARKER, false);
        Path output = new Path(config.output());
        try {
            return runWaves();
        } finally {
            // the waves are in the output or lost with the failure that stopped the run: none is half there
            output.getFileSystem(hadoop).delete(OutputFiles.staging(output), true);
            if (marksSuccess == null) {
                hadoop.unset(SPARK_SUCCESS_MARKER);
            } else {
                hadoop.set(SPARK_SUCCESS_MARKER, marksSuccess);
            }
        }
    }

    private JobSummary runWaves() throws IOException {
        long start = System.nanoTime();
        Instant startedAt = Instant.now();
        Dataset<Row> rows = flagDuplicates(withIds(InputReader.read(spark, config.input(), config.inputFormat(),
                config.split())));
        FileSystem fs = new Path(config.output()).getFileSystem(spark.sparkContext().hadoopConfiguration());
        Path output = new Path(config.output());
        prepareOutput(fs, output);
        fs.delete(OutputFiles.staging(output), true); // a killed run's wave that never joined the output
        fs.mkdirs(output);
        try (OutputStream out = fs.create(new Path(output, MARKER_FILE), true)) {
            out.write((jobName + " " + startedAt + "\n").getBytes(StandardCharsets.UTF_8));
        }

        rows = rows.persist(StorageLevel.MEMORY_AND_DISK());
        long total = rows.count();
        long skipped = 0;
        if (config.resume() && hasResults(fs, output)) {
            Dataset<Row> done = existingIds().distinct();
            Dataset<Row> remaining = rows.join(done, rows.col("id").equalTo(done.col("done_id")), "left_anti");
            remaining = remaining.persist(StorageLevel.MEMORY_AND_DISK());
            long left = remaining.count();
            skipped = total - left;
            rows.unpersist();
            rows = remaining;
            total = left;
            LOG.info("resume: {} rows already in {}, {} to go", skipped, config.output(), total);
        }

        String model = Paths.get(config.options().modelDir()).getFileName().toString();
        StructType inputSchema = rows.schema();
        PartitionGenerator.Counters counters = new PartitionGenerator.Counters(
                spark.sparkContext().longAccumulator("rows"), spark.sparkContext().longAccumulator("errors"),
                spark.sparkContext().longAccumulator("prompt_tokens"), spark.sparkContext().longAccumulator("completion_tokens"),
                new JobStatsAccumulator());
        spark.sparkContext().register(counters.stats(), "job_stats");
        PartitionGenerator generator = new PartitionGenerator(config.options(), inputSchema, model, counters);
        StructType outputSchema = OutputSchema.forInput(inputSchema);
        int partitions = config.partitions() > 0 ? config.partitions() : spark.sparkContext().defaultParallelism();
        long waves = Math.max(1, (total + config.checkpointRows() - 1) / config.checkpointRows());

        Timeline timeline;
        long alreadyDone = skipped;
        long allRows = skipped + total;
        AtomicLong committed = new AtomicLong();
        try (Progress progress = new Progress(spark.sparkContext(), counters.rows(), counters.completionTokens(), total,
                line -> System.err.println(line));
                Interrupt.Handle onInterrupt = Interrupt.during(
                        () -> String.format("interrupted after %d of %d rows; rerun with --resume", alreadyDone + committed.get(), allRows),
                        () -> stopAndClean(fs, output))) {
            for (long wave = 0; wave < waves; wave++) {
                Dataset<Row> part = waves == 1 ? rows
                        : rows.filter(functions.pmod(functions.xxhash64(functions.col("id")), functions.lit(waves))
                                .equalTo(functions.lit(wave)));
                Dataset<Row> ordered = byPrefix(part, partitions);
                Dataset<Row> results = ordered.mapPartitions(generator, Encoders.row(outputSchema));
                write(results, fs, output);
                committed.set(counters.rows().value());
                if (waves > 1) {
                    LOG.info("wave {}/{} committed", wave + 1, waves);
                }
            }
            System.err.println(progress.line());
            timeline = progress.timeline();
        }
        rows.unpersist();

        JobSummary summary = summarise(fs, output, counters.rows().value(), counters.completionTokens().value(),
                (System.nanoTime() - start) / 1e9, model);
        try (OutputStream out = fs.create(new Path(output, SUMMARY_FILE), true)) {
            out.write(summary.toJson().toPrettyString().getBytes(StandardCharsets.UTF_8));
        }
        report = report(summary, startedAt, timeline, counters.stats().value());
        Path html = report.write(fs, output);
        LOG.info("report: {}", html);
        fs.create(new Path(output, SUCCESS_FILE), true).close(); // last: everything the run writes is there
        return summary;
    }

    /** The whole output's rows and tokens (earlier runs' too, after a resume), and this run's share. */
    private JobSummary summarise(FileSystem fs, Path output, long rowsThisRun, long completionTokensThisRun,
            double wallSeconds, String model) throws IOException {
        if (!hasResults(fs, output)) {
            return new JobSummary(config.output(), 0, 0, 0, 0, 0, 0, 0, wallSeconds, model); // an empty input
        }
        Dataset<Row> all = ResultRows.read(spark, config.output());
        Row totals = all.agg(functions.count(functions.lit(1)), functions.count(functions.col("error")),
                functions.coalesce(functions.sum(functions.col("usage.prompt_tokens")), functions.lit(0L)),
                functions.coalesce(functions.sum(functions.col("usage.completion_tokens")), functions.lit(0L))).first();
        long rows = totals.getLong(0);
        long errors = totals.getLong(1);
        return new JobSummary(config.output(), rows, rows - errors, errors, rowsThisRun, totals.getLong(2),
                totals.getLong(3), completionTokensThisRun, wallSeconds, model);
    }

    /**
     * On an interrupt: stop Spark (its tasks are killed, nothing more is committed), then remove the
     * staging directory of the wave in flight.
     */
    private void stopAndClean(FileSystem fs, Path output) {
        spark.stop();
        try {
            fs.delete(OutputFiles.staging(output), true);
        } catch (IOException e) {
            // --resume deletes it too
        }
    }

    private JobReport report(JobSummary summary, Instant startedAt, Timeline timeline, JobStats stats) throws IOException {
        CostModel model = costs != null ? costs : CostModel.load(null, java.util.Map.of());
        String device = config.options().device();
        CostModel.Ledger ledger = model.ledger(DeviceCount.kind(device),
                DeviceCount.count(spark.sparkContext(), device, config.options().threads()), summary.wallSeconds(),
                summary.promptTokens(), summary.completionTokens());
        return new JobReport(jobName, summary, device, startedAt, timeline, stats, ledger, List.of());
    }

    /** The input's rows in their order, each with the id the job gives it (for {@code render}). */
    public static Dataset<Row> inputRows(SparkSession spark, String input, InputFormat format) {
        return withIds(InputReader.read(spark, input, format));
    }

    /**
     * Every row gets an id: its own (as text); where it has none, or an empty one, a hash of its content;
     * a line that could not be read, or whose id is empty, its file and line ({@code prompts.jsonl:17}),
     * so that its error row names it. An empty id is an error: it cannot name a row.
     */
    static Dataset<Row> withIds(Dataset<Row> rows) {
        List<String> columns = Arrays.asList(rows.columns());
        List<Column> content = new ArrayList<>();
        for (String c : columns) {
            if (!c.equals("id") && !c.equals("input_error") && !c.equals(InputReader.SOURCE)) {
                content.add(functions.col(c));
            }
        }
        Column hash = functions.substring(functions.sha2(functions.to_json(functions.struct(content.toArray(new Column[0]))), 256), 1, 24);
        Column given = columns.contains("id") ? functions.col("id").cast(DataTypes.StringType) : functions.lit(null).cast(DataTypes.StringType);
        Column empty = given.isNotNull().and(functions.trim(given).equalTo(""));
        Column error = columns.contains("input_error") ? functions.col("input_error") : functions.lit(null).cast(DataTypes.StringType);
        Column emptyError = functions.when(empty, functions.concat(functions.lit("id: expected non-empty text, got \""), given,
                functions.lit("\"")));
        Column unusable = given.isNull().or(empty);
        Column fallback = columns.contains(InputReader.SOURCE)
                ? functions.when(error.isNotNull().or(empty), functions.col(InputReader.SOURCE)).otherwise(hash) : hash;
        List<Column> ordered = new ArrayList<>();
        ordered.add(functions.when(unusable, fallback).otherwise(given).as("id"));
        for (String c : columns) {
            if (!c.equals("id") && !c.equals("input_error") && !c.equals(InputReader.SOURCE)) {
                ordered.add(functions.col(c));
            }
        }
        ordered.add(functions.coalesce(error, emptyError).as("input_error"));
        return rows.select(ordered.toArray(new Column[0]));
    }

    /** Rows that share an id are all kept, each flagged in its error: an id must name one row. */
    static Dataset<Row> flagDuplicates(Dataset<Row> rows) {
        Column count = functions.count(functions.lit(1)).over(Window.partitionBy("id"));
        Column flagged = functions.when(count.gt(1), functions.concat(functions.lit("duplicate id: "),
                count.cast(DataTypes.StringType), functions.lit(" input rows share id "), functions.col("id")));
        return rows.withColumn("input_error", functions.coalesce(functions.col("input_error"), flagged));
    }

    /**
     * Range-partitions by a prompt-prefix key, then sorts within partitions, so rows that share a
     * system prompt or a conversation start run next to each other (prefix-cache hits) and partitions
     * hold about the same number of rows.
     */
    private static Dataset<Row> byPrefix(Dataset<Row> rows, int partitions) {
        List<Column> parts = new ArrayList<>();
        for (String c : List.of("system", "tools", "messages", "prompt")) {
            if (Arrays.asList(rows.columns()).contains(c)) {
                DataType type = rows.schema().apply(c).dataType();
                Column text = type instanceof StructType || type instanceof org.apache.spark.sql.types.ArrayType
                        || type instanceof org.apache.spark.sql.types.MapType
                        ? functions.to_json(functions.col(c)) : functions.col(c).cast(DataTypes.StringType);
                parts.add(functions.coalesce(functions.substring(text, 1, 256), functions.lit("")));
            }
        }
        Column key = parts.isEmpty() ? functions.lit("") : functions.concat_ws("\u0001", parts.toArray(new Column[0]));
        String[] columns = rows.columns();
        return rows.withColumn("_prefix", key)
                .repartitionByRange(partitions, functions.col("_prefix"), functions.col("id"))
                .sortWithinPartitions("_prefix", "id")
                .select(Arrays.stream(columns).map(functions::col).toArray(Column[]::new));
    }

    private void prepareOutput(FileSystem fs, Path output) throws IOException {
        if (!fs.exists(output)) {
            return;
        }
        if (!fs.getFileStatus(output).isDirectory()) {
            throw new IllegalArgumentException("--output " + config.output() + " is a file, not a directory");
        }
        if (config.overwrite()) {
            if (!isOurs(fs, output)) {
                throw new IllegalArgumentException("--output " + config.output() + " holds files that are not a moe-batch "
                        + "output; --overwrite replaces only an output directory (or an empty one): choose another --output");
            }
            fs.delete(output, true);
            return;
        }
        if (config.resume()) {
            // A killed run's uncommitted task output must not be committed by this one; the markers
            // of a finished run are written again when this one finishes.
            fs.delete(new Path(output, TEMPORARY), true); // where earlier versions wrote their waves
            fs.delete(OutputFiles.staging(output), true);
            fs.delete(new Path(output, SUCCESS_FILE), false);
            fs.delete(new Path(output, SUMMARY_FILE), false);
            return;
        }
        if (hasResults(fs, output)) {
            throw new IllegalArgumentException("--output " + config.output()
                    + " already holds results; add --resume to finish it or --overwrite to replace it");
        }
        if (!isOurs(fs, output)) {
            throw new IllegalArgumentException("--output " + config.output() + " holds files that are not a moe-batch "
                    + "output: choose another --output");
        }
        fs.delete(output, true); // nothing but leftovers (a marker, _temporary) of a run that wrote no rows
    }

    /** Empty, or a directory a moe-batch run (or Spark's writer) made: its marker, summary or commit files. */
    private static boolean isOurs(FileSystem fs, Path output) throws IOException {
        FileStatus[] entries = fs.listStatus(output);
        if (entries.length == 0) {
            return true;
        }
        for (FileStatus s : entries) {
            String name = s.getPath().getName();
            if (name.equals(MARKER_FILE) || name.equals(SUMMARY_FILE) || name.equals(SUCCESS_FILE) || name.equals(TEMPORARY)) {
                return true;
            }
        }
        return false;
    }

    private boolean hasResults(FileSystem fs, Path output) throws IOException {
        if (!fs.exists(output)) {
            return false;
        }
        for (FileStatus s : fs.listStatus(output)) {
            String name = s.getPath().getName();
            if (!name.startsWith("_") && !name.startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private Dataset<Row> existingIds() {
        if (config.outputFormat() == OutputFormat.OPENAI_BATCH) {
            return spark.read().json(config.output()).select(functions.col("custom_id").as("done_id"));
        }
        return spark.read().parquet(config.output()).select(functions.col("id").as("done_id"));
    }

    /**
     * Appends a wave: new files beside those of earlier waves (and earlier runs, on resume); for
     * openai-batch, Spark's part files are then renamed output-NNNNN.jsonl ({@link OutputFiles}).
     */
    /**
     * Writes a wave through Spark's commit protocol into the staging directory, then moves its
     * committed files into the output ({@link OutputFiles#staging}).
     */
    private void write(Dataset<Row> results, FileSystem fs, Path output) throws IOException {
        Path wave = new Path(OutputFiles.staging(output), "wave");
        if (config.outputFormat() == OutputFormat.OPENAI_BATCH) {
            if (callSyntax == null) {
                callSyntax = OpenAiBatchOutput.CallSyntax.of(Paths.get(config.options().modelDir()));
            }
            // created: when the wave was written, in Unix seconds
            OpenAiBatchOutput lines = new OpenAiBatchOutput(callSyntax, Instant.now().getEpochSecond());
            results.map(lines, Encoders.STRING()).write().mode(SaveMode.Overwrite).text(wave.toString());
        } else {
            results.write().mode(SaveMode.Overwrite).parquet(wave.toString());
        }
        OutputFiles.moveWave(fs, wave, output, config.outputFormat() == OutputFormat.OPENAI_BATCH);
        fs.delete(wave, true);
    }
}
