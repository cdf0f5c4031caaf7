package org.moebatch.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.moebatch.report.JobReport;

/**
 * {@code eval-compare}: two eval runs over the same set, row by row. The scores are joined by id;
 * ids in only one run, and ids that name several rows in a run, are reported and not paired. Per
 * metric, over the rows both runs scored: the means, the mean difference B - A with its 95% t
 * interval (kept inside [-1, 1]), and McNemar's exact test (0/1 metrics) or a paired t-test (fractions).
 */
public final class EvalCompare {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Ids listed per kind of unpaired row; the counts are always complete. */
    static final int IDS_SHOWN = 20;

    private EvalCompare() {}

    public static ObjectNode compare(SparkSession spark, String runA, String runB, List<Metric> wanted) {
        Dataset<Row> a = scores(spark, runA);
        Dataset<Row> b = scores(spark, runB);
        List<Metric> metrics = new ArrayList<>();
        for (Metric m : wanted.isEmpty() ? Arrays.asList(Metric.values()) : wanted) {
            boolean inA = Arrays.asList(a.columns()).contains(m.column());
            boolean inB = Arrays.asList(b.columns()).contains(m.column());
            if (inA && inB) {
                metrics.add(m);
            } else if (!wanted.isEmpty()) {
                throw new IllegalArgumentException("--metric " + m.column() + ": not scored in " + (inA ? runB : runA));
            }
        }

        ObjectNode out = JSON.createObjectNode();
        out.put("run_a", runA);
        out.put("run_b", runB);
        out.put("rows_a", a.count());
        out.put("rows_b", b.count());
        List<String> duplicates = ids(a.groupBy("id").count().filter("count > 1").select("id")
                .union(b.groupBy("id").count().filter("count > 1").select("id")).distinct());
        Dataset<Row> uniqueA = a.join(listed(spark, duplicates), a.col("id").equalTo(functions.col("dup")), "left_anti");
        Dataset<Row> uniqueB = b.join(listed(spark, duplicates), b.col("id").equalTo(functions.col("dup")), "left_anti");
        putIds(out, "duplicate_ids", duplicates);
        putIds(out, "only_in_a", ids(uniqueA.select("id").except(uniqueB.select("id"))));
        putIds(out, "only_in_b", ids(uniqueB.select("id").except(uniqueA.select("id"))));

        List<org.apache.spark.sql.Column> columns = new ArrayList<>();
        for (Metric m : metrics) {
            columns.add(uniqueA.col(m.column()).as("a_" + m.column()));
            columns.add(uniqueB.col(m.column()).as("b_" + m.column()));
        }
        List<Row> joined = uniqueA.join(uniqueB, uniqueA.col("id").equalTo(uniqueB.col("id")), "inner")
                .select(columns.toArray(new org.apache.spark.sql.Column[0])).collectAsList();
        out.put("paired_rows", joined.size());

        ObjectNode results = out.putObject("metrics");
        for (int k = 0; k < metrics.size(); k++) {
            Metric m = metrics.get(k);
            List<double[]> pairs = new ArrayList<>();
            long onlyOne = 0;
            for (Row r : joined) {
                boolean hasA = !r.isNullAt(2 * k);
                boolean hasB = !r.isNullAt(2 * k + 1);
                if (hasA && hasB) {
                    pairs.add(new double[] {r.getDouble(2 * k), r.getDouble(2 * k + 1)});
                } else if (hasA || hasB) {
                    onlyOne++;
                }
            }
            if (pairs.isEmpty() && onlyOne == 0) {
                continue; // a metric neither run scored on any common row
            }
            double[] va = pairs.stream().mapToDouble(p -> p[0]).toArray();
            double[] vb = pairs.stream().mapToDouble(p -> p[1]).toArray();
            results.set(m.column(), json(PairedTest.compare(va, vb, m.binary()), onlyOne));
        }
        return out;
    }

    private static Dataset<Row> scores(SparkSession spark, String run) {
        String dir = Paths.get(run, EvalJob.SCORES).toString();
        if (!run.contains("://") && !Files.isDirectory(Paths.get(dir))) {
            throw new IllegalArgumentException(run + ": not an eval run (no " + EvalJob.SCORES + "/ directory)");
        }
        return spark.read().parquet(dir);
    }

    private static Dataset<Row> listed(SparkSession spark, List<String> ids) {
        return spark.createDataset(ids, org.apache.spark.sql.Encoders.STRING()).toDF("dup");
    }

    private static List<String> ids(Dataset<Row> ids) {
        return ids.orderBy("id").collectAsList().stream().map(r -> r.isNullAt(0) ? "null" : r.getString(0)).toList();
    }

    private static void putIds(ObjectNode out, String field, List<String> ids) {
        ObjectNode o = out.putObject(field);
        o.put("count", ids.size());
        ArrayNode shown = o.putArray("ids");
        ids.stream().limit(IDS_SHOWN).forEach(shown::add);
    }

    private static ObjectNode json(PairedTest.Result r, long unpaired) {
        ObjectNode o = JSON.createObjectNode();
        o.put("n", r.n());
        o.put("unpaired", unpaired);
        putNumber(o, "mean_a", r.meanA());
        putNumber(o, "mean_b", r.meanB());
        putNumber(o, "difference", r.difference());
        if (r.interval() == null) {
            o.putNull("ci95");
        } else {
            o.putArray("ci95").add(r.interval().lo()).add(r.interval().hi());
            o.put("interval", r.intervalMethod());
        }
        o.put("test", r.test());
        if (r.aOnly() >= 0) {
            o.put("a_only", r.aOnly());
            o.put("b_only", r.bOnly());
        } else {
            putNumber(o, "t", r.statistic());
        }
        putNumber(o, "p", r.p());
        return o;
    }

    private static void putNumber(ObjectNode o, String field, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            o.putNull(field);
        } else {
            o.put(field, v);
        }
    }

    /** The comparison as the table eval-compare prints. */
    public static String table(JsonNode c) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("A = %s (%d rows), B = %s (%d rows): %d paired by id, %d only in A, %d only in B, %d duplicate ids%n",
                c.path("run_a").asText(), c.path("rows_a").asLong(), c.path("run_b").asText(), c.path("rows_b").asLong(),
                c.path("paired_rows").asLong(), c.path("only_in_a").path("count").asLong(),
                c.path("only_in_b").path("count").asLong(), c.path("duplicate_ids").path("count").asLong()));
        for (String kind : List.of("only_in_a", "only_in_b", "duplicate_ids")) {
            if (c.path(kind).path("count").asLong() > 0) {
                out.append("  ").append(kind.replace('_', ' ')).append(": ").append(c.path(kind).path("ids")).append('\n');
            }
        }
        List<List<String>> rows = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = c.path("metrics").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode m = e.getValue();
            String test = m.has("a_only")
                    ? String.format("mcnemar-exact b=%d c=%d", m.path("a_only").asLong(), m.path("b_only").asLong())
                    : "paired-t t=" + EvalSummary.number(m.path("t"));
            String difference = m.path("difference").isNumber() ? String.format("%+.3f", m.path("difference").asDouble()) : "-";
            rows.add(List.of(e.getKey(), String.valueOf(m.path("n").asLong()), EvalSummary.number(m.path("mean_a")),
                    EvalSummary.number(m.path("mean_b")), difference, EvalSummary.interval(m.path("ci95")), test,
                    EvalSummary.number(m.path("p")), String.valueOf(m.path("unpaired").asLong())));
        }
        out.append(TextTable.render(new JobReport.Table("", List.of("metric", "n", "mean A", "mean B", "B - A", "95% CI",
                "test", "p", "unpaired"), rows)));
        return out.toString();
    }
}
