package org.moebatch.datagen;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.moebatch.chat.ToolTraceEntry;
import org.moebatch.jobs.GenerateJob;
import org.moebatch.jobs.GenerateJobConfig;
import org.moebatch.jobs.InputFormat;
import org.moebatch.jobs.OutputFormat;
import org.moebatch.report.JobReport;
import org.moebatch.report.JobSummary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code datagen} job: synthetic fine-tuning data from seed tasks, self-instruct style.
 *
 * <pre>
 * seeds -> task prompts (a seed per row, examples drawn with the row's seed) -> generate: new tasks
 *   -> filters: generation error, length bounds, near-duplicates (MinHash LSH, against earlier tasks and the seeds)
 *   -> generate: answers, with tools when given (calls and results land in the messages)
 *   -> filters: generation error, cut off at max tokens, length bounds, JSON validity where the seed asks
 *   -> train.jsonl (chat format) + parquet/ (the same rows) + rejected/ (every dropped row and why) + report
 * </pre>
 *
 * Both stages run through {@link GenerateJob}, so they get its engine, batching, tool loop and report;
 * their raw outputs stay under {@code _work/} for inspection.
 */
public final class DatagenJob {
    private static final Logger LOG = LoggerFactory.getLogger(DatagenJob.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String TRAIN_FILE = "train.jsonl";

    private static final StructType REJECTED = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("stage", DataTypes.StringType, false)
            .add("filter", DataTypes.StringType, false)
            .add("reason", DataTypes.StringType, false)
            .add("text", DataTypes.StringType, true);

    /** What a run produced: rows asked for, kept, and dropped per filter. */
    public record Result(int requested, long kept, Map<String, Long> rejectedByFilter, String output) {
        public String describe() {
            return String.format("%d tasks asked, %d examples kept, rejected %s -> %s/%s", requested, kept,
                    rejectedByFilter.isEmpty() ? "none" : rejectedByFilter, output, TRAIN_FILE);
        }
    }

    private final SparkSession spark;
    private final DatagenConfig config;

    public DatagenJob(SparkSession spark, DatagenConfig config) {
        this.spark = spark;
        this.config = config;
    }

    public Result run() throws IOException {
        SeedTask.Loaded loaded = SeedTask.read(config.seeds());
        if (loaded.seeds().isEmpty()) {
            throw new IllegalArgumentException("--seeds " + config.seeds() + ": no usable seed task"
                    + (loaded.problems().isEmpty() ? "" : " (" + loaded.problems().get(0) + ")"));
        }
        loaded.problems().forEach(p -> LOG.warn("seed skipped: {}", p));
        TaskPrompts prompts = new TaskPrompts(TaskPrompts.template(config.template()), loaded.seeds(), config.examples());

        FileSystem fs = new Path(config.output()).getFileSystem(spark.sparkContext().hadoopConfiguration());
        Path output = new Path(config.output());
        prepare(fs, output);
        Path work = new Path(output, "_work");

        // Stage 1: new tasks.
        Path taskPrompts = new Path(work, "task-prompts.jsonl");
        writeTaskPrompts(fs, taskPrompts, prompts, loaded.seeds());
        generate(taskPrompts.toString(), new Path(work, "tasks").toString(), InputFormat.JSONL, "datagen tasks");
        Dataset<Row> tasks = spark.read().parquet(new Path(work, "tasks").toString())
                .withColumn("task", functions.udf((UDF1<String, String>) TaskPrompts::extractTask, DataTypes.StringType)
                        .apply(functions.col("completion")))
                .cache();

        List<Dataset<Row>> rejected = new ArrayList<>();
        rejected.add(seedProblems(loaded.problems()));
        Column failed1 = functions.col("error").isNotNull();
        rejected.add(reject(tasks.filter(failed1), "task", "generation",
                functions.concat(functions.lit("task generation failed: "), functions.col("error")), "completion"));
        Dataset<Row> generated = tasks.filter(functions.not(failed1));
        Column taskLength = functions.length(functions.col("task"));
        Column badLength = taskLength.lt(config.minChars()).or(taskLength.gt(config.maxChars()));
        rejected.add(reject(generated.filter(badLength), "task", "length", lengthReason("task", taskLength), "task"));
        generated = generated.filter(functions.not(badLength));

        Dataset<Row> duplicates = NearDuplicates.find(dedupInput(generated, loaded.seeds()), config.dedupThreshold());
        Dataset<Row> dup = generated.join(duplicates, "id");
        rejected.add(reject(dup, "task", "near-duplicate", functions.format_string("near-duplicate of %s (estimated Jaccard %.2f)",
                functions.col("duplicate_of"), functions.col("similarity")), "task"));
        Dataset<Row> duplicateIds = duplicates.select("id");
        Dataset<Row> accepted = generated.join(duplicateIds, generated.col("id").equalTo(duplicateIds.col("id")), "left_anti")
                .cache();
        long acceptedTasks = accepted.count();

        // Stage 2: answers, through the tool loop when tools are given.
        Path answerInput = new Path(work, "answer-prompts");
        accepted.select(functions.col("id"), functions.col("task").as("prompt"), functions.col("seed"),
                        functions.col("task"), functions.col("seed_id"), functions.col("category"), functions.col("json"))
                .write().mode("overwrite").parquet(answerInput.toString());
        GenerateJob answering = generate(answerInput.toString(), new Path(work, "answers").toString(), InputFormat.PARQUET, "datagen");
        Dataset<Row> answers = spark.read().parquet(new Path(work, "answers").toString()).cache();

        Column failed2 = functions.col("error").isNotNull();
        rejected.add(reject(answers.filter(failed2), "answer", "generation",
                functions.concat(functions.lit("answer generation failed: "), functions.col("error")), "completion"));
        Dataset<Row> answered = answers.filter(functions.not(failed2));
        if (!config.keepTruncated()) {
            Column cut = functions.col("finish_reason").equalTo("length");
            rejected.add(reject(answered.filter(cut), "answer", "truncated",
                    functions.lit("answer cut off at --max-tokens " + config.options().maxTokens() + " (add --keep-truncated to keep such rows)"),
                    "completion"));
            answered = answered.filter(functions.not(cut));
        }
        Column answerLength = functions.length(functions.col("completion"));
        Column badAnswer = answerLength.lt(config.minChars()).or(answerLength.gt(config.maxChars()));
        rejected.add(reject(answered.filter(badAnswer), "answer", "length", lengthReason("answer", answerLength), "completion"));
        answered = answered.filter(functions.not(badAnswer));
        Column jsonProblem = functions.udf((UDF2<String, Boolean, String>) (text, wantJson) -> Boolean.TRUE.equals(wantJson) ? jsonProblem(text) : null,
                DataTypes.StringType).apply(functions.col("completion"), functions.col("json"));
        answered = answered.withColumn("json_problem", jsonProblem).cache();
        Column notJson = functions.col("json_problem").isNotNull();
        rejected.add(reject(answered.filter(notJson), "answer", "json",
                functions.concat(functions.lit("answer is not valid JSON: "), functions.col("json_problem")), "completion"));
        Dataset<Row> kept = answered.filter(functions.not(notJson));

        long keptRows = writeExamples(fs, output, kept);
        Dataset<Row> allRejected = rejected.stream().reduce(Dataset::unionByName).orElseThrow();
        allRejected.write().mode("overwrite").parquet(new Path(output, "rejected").toString());
        Map<String, Long> byFilter = new TreeMap<>();
        for (Row r : spark.read().parquet(new Path(output, "rejected").toString()).groupBy("stage", "filter").count().collectAsList()) {
            byFilter.put(r.getString(0) + "/" + r.getString(1), r.getLong(2));
        }
        long asked = config.rows();
        JobReport report = answering.report().with(new JobReport.Table("Datagen filters",
                List.of("stage / filter", "rows dropped", "share of tasks asked"), filterRows(byFilter, asked)))
                .with(new JobReport.Table("Datagen stages", List.of("stage", "rows in", "rows out"), List.of(
                        List.of("tasks (stage 1)", Long.toString(asked), Long.toString(acceptedTasks)),
                        List.of("answers (stage 2)", Long.toString(acceptedTasks), Long.toString(keptRows)))));
        report.write(fs, output);
        tasks.unpersist();
        accepted.unpersist();
        answers.unpersist();
        answered.unpersist();
        return new Result(config.rows(), keptRows, byFilter, config.output());
    }

    private GenerateJob generate(String input, String output, InputFormat format, String name) throws IOException {
        GenerateJobConfig stage = new GenerateJobConfig(input, output, format, OutputFormat.PARQUET, config.partitions(),
                false, true, Long.MAX_VALUE, config.options());
        GenerateJob job = new GenerateJob(spark, stage).reportAs(name, config.costs());
        JobSummary summary = job.run();
        LOG.info("{}: {}", name, summary.describe());
        return job;
    }

    /** Row i: id gen-00000i, the prompt grown from seed i mod seeds, the row's sampling seed. */
    private void writeTaskPrompts(FileSystem fs, Path file, TaskPrompts prompts, List<SeedTask> seeds) throws IOException {
        try (BufferedWriter out = new BufferedWriter(new OutputStreamWriter(fs.create(file, true), StandardCharsets.UTF_8))) {
            for (int i = 0; i < config.rows(); i++) {
                long rowSeed = rowSeed(config.options().seed(), i);
                SeedTask seed = prompts.seedOf(i);
                ObjectNode row = JSON.createObjectNode();
                row.put("id", id(i));
                row.put("prompt", prompts.render(i, rowSeed));
                row.put("seed", rowSeed);
                row.put("seed_id", seed.id());
                row.put("category", seed.category());
                row.put("json", seed.json());
                out.write(row.toString());
                out.write('\n');
            }
        }
    }

    /** Zero-padded so that the ids sort as the rows were asked for. */
    static String id(int row) {
        return String.format("gen-%08d", row);
    }

    /** SplitMix64 of the job seed and the row: independent streams for neighbouring rows. */
    static long rowSeed(long jobSeed, int row) {
        long z = jobSeed + 0x9e3779b97f4a7c15L * (row + 1);
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Generated tasks ranked by row, after every seed: a task too close to a seed or an earlier task goes. */
    private Dataset<Row> dedupInput(Dataset<Row> generated, List<SeedTask> seeds) {
        List<Row> seedRows = new ArrayList<>();
        for (int i = 0; i < seeds.size(); i++) {
            seedRows.add(RowFactory.create("seed " + seeds.get(i).id(), (long) (i - seeds.size()), seeds.get(i).instruction()));
        }
        StructType schema = new StructType().add("id", DataTypes.StringType).add("rank", DataTypes.LongType).add("text", DataTypes.StringType);
        Dataset<Row> fromSeeds = spark.createDataFrame(seedRows, schema);
        Dataset<Row> fromTasks = generated.select(functions.col("id"),
                functions.regexp_extract(functions.col("id"), "(\\d+)$", 1).cast(DataTypes.LongType).as("rank"),
                functions.col("task").as("text"));
        return fromSeeds.unionByName(fromTasks);
    }

    private Dataset<Row> reject(Dataset<Row> rows, String stage, String filter, Column reason, String textColumn) {
        return rows.select(functions.col("id"), functions.lit(stage).as("stage"), functions.lit(filter).as("filter"),
                reason.as("reason"), functions.col(textColumn).cast(DataTypes.StringType).as("text"));
    }

    private Dataset<Row> seedProblems(List<String> problems) {
        List<Row> rows = new ArrayList<>();
        for (String p : problems) {
            rows.add(RowFactory.create(p.substring(0, p.indexOf(':')), "seed", "seed", p, null));
        }
        return spark.createDataFrame(rows, REJECTED);
    }

    private Column lengthReason(String what, Column length) {
        return functions.format_string(what + " of %d characters is outside [" + config.minChars() + ", " + config.maxChars() + "]", length);
    }

    static String jsonProblem(String text) {
        if (text == null) {
            return "no text";
        }
        try {
            JSON.readTree(text.strip());
            return text.isBlank() ? "empty" : null;
        } catch (IOException e) {
            String message = e.getMessage();
            int newline = message.indexOf('\n');
            return newline < 0 ? message : message.substring(0, newline);
        }
    }

    /** train.jsonl (one chat example per line, in row order) and the same rows as Parquet. */
    private long writeExamples(FileSystem fs, Path output, Dataset<Row> kept) throws IOException {
        String system = config.options().system();
        Path train = new Path(output, TRAIN_FILE);
        long n = 0;
        Dataset<Row> ordered = kept.select("id", "seed_id", "category", "seed", "task", "completion", "tool_trace").orderBy("id");
        try (BufferedWriter out = new BufferedWriter(new OutputStreamWriter(fs.create(train, true), StandardCharsets.UTF_8))) {
            Iterator<Row> rows = ordered.toLocalIterator();
            while (rows.hasNext()) {
                Row r = rows.next();
                ObjectNode line = JSON.createObjectNode();
                line.put("id", r.getString(0));
                line.put("seed_id", r.getString(1));
                line.put("category", r.getString(2));
                line.put("seed", r.getLong(3));
                line.set("messages", ChatExample.messages(system, r.getString(4), trace(r.getList(6)), r.getString(5)));
                out.write(line.toString());
                out.write('\n');
                n++;
            }
        }
        // The Parquet copy is read back from the JSONL, so the two cannot disagree.
        if (n > 0) {
            spark.read().json(train.toString()).write().mode("overwrite").parquet(new Path(output, "parquet").toString());
        }
        return n;
    }

    private static List<ToolTraceEntry> trace(List<Row> rows) {
        List<ToolTraceEntry> out = new ArrayList<>();
        if (rows != null) {
            for (Row t : rows) {
                out.add(new ToolTraceEntry(t.getInt(0), t.getString(1), t.getString(2), t.getString(3), t.getString(4),
                        t.getString(5), t.getDouble(6)));
            }
        }
        return out;
    }

    private static List<List<String>> filterRows(Map<String, Long> byFilter, long asked) {
        List<List<String>> rows = new ArrayList<>();
        byFilter.forEach((k, v) -> rows.add(List.of(k, Long.toString(v), String.format("%.1f%%", 100.0 * v / asked))));
        return rows;
    }

    private void prepare(FileSystem fs, Path output) throws IOException {
        if (fs.exists(output)) {
            if (!config.overwrite() && fs.listStatus(output).length > 0) {
                throw new IllegalArgumentException("--output " + output + " is not empty; add --overwrite to replace it");
            }
            fs.delete(output, true);
        }
        fs.mkdirs(output);
    }
}
