package org.moebatch.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.moebatch.report.JobReport;

/**
 * The aggregate of an eval run, computed in Spark from the scores: per metric n, mean and 95% interval
 * inside [0, 1] ({@link MetricInterval}: Wilson for 0/1 scores, Student t clamped for fractions), rows left out because the eval row was unusable,
 * rows counted as failures because generation failed, and the same per category. The trigger metric
 * adds its confusion table with precision, recall and F1; schema accuracy adds the call-level ratio
 * of K2-Vendor-Verifier (valid calls / calls made).
 */
public final class EvalSummary {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Resamples and seed of the F1 bootstrap: fixed, so that the same scores print the same interval. */
    static final int BOOTSTRAP_RESAMPLES = 2000;
    static final long BOOTSTRAP_SEED = 7;
    static final String NO_CATEGORY = "(none)";

    private EvalSummary() {}

    /** The aggregate of {@code scores} as the JSON of metrics.json (without the run's header fields). */
    public static ObjectNode aggregate(Dataset<Row> scores, List<Metric> metrics) {
        List<Column> aggregates = new ArrayList<>();
        aggregates.add(functions.count(functions.lit(1)).as("rows"));
        aggregates.add(functions.count(functions.col("generation_error")).as("generation_errors"));
        aggregates.add(functions.count(functions.col("error")).as("rows_with_problems"));
        for (Metric m : metrics) {
            aggregates.addAll(aggregates(m));
        }
        Column[] rest = aggregates.subList(1, aggregates.size()).toArray(new Column[0]);
        Row all = scores.agg(aggregates.get(0), rest).first();
        List<Row> byCategory = scores
                .groupBy(functions.coalesce(functions.col("category"), functions.lit(NO_CATEGORY)).as("category"))
                .agg(aggregates.get(0), rest).orderBy("category").collectAsList();

        ObjectNode out = JSON.createObjectNode();
        out.put("rows", all.<Long>getAs("rows"));
        out.put("generation_errors", all.<Long>getAs("generation_errors"));
        out.put("rows_with_problems", all.<Long>getAs("rows_with_problems"));
        out.put("confidence", 0.95);
        ObjectNode categories = out.putObject("categories");
        for (Row c : byCategory) {
            categories.put(c.<String>getAs("category"), c.<Long>getAs("rows"));
        }
        ObjectNode ms = out.putObject("metrics");
        for (Metric m : metrics) {
            ObjectNode mj = metric(all, m, true);
            ObjectNode cats = mj.putObject("by_category");
            for (Row c : byCategory) {
                if (c.<Long>getAs(m.column() + "|n") > 0) {
                    cats.set(c.<String>getAs("category"), metric(c, m, false));
                }
            }
            ms.set(m.column(), mj);
        }
        return out;
    }

    private static List<Column> aggregates(Metric m) {
        String k = m.column();
        Column score = functions.col(k);
        List<Column> a = new ArrayList<>();
        a.add(functions.count(score).as(k + "|n"));
        a.add(functions.coalesce(functions.sum(score), functions.lit(0.0)).as(k + "|sum"));
        a.add(functions.stddev_samp(score).as(k + "|sd"));
        // a fraction metric whose scores are all 0 or 1 gets a proportion's interval (MetricInterval)
        a.add(countWhen(score.isNotNull().and(score.notEqual(0)).and(score.notEqual(1))).as(k + "|not_zero_or_one"));
        a.add(countWhen(functions.array_contains(functions.col("error_metrics"), k)).as(k + "|errors"));
        a.add(countWhen(score.isNotNull().and(functions.col("generation_error").isNotNull())).as(k + "|generation_failures"));
        if (m == Metric.TOOL_TRIGGER) {
            // Correct and expected: TP; correct, not expected: TN; wrong and expected: FN; wrong, not
            // expected: FP. Reading the score rather than tool_called counts a failed generation as the
            // wrong prediction either way, so a failure never helps F1.
            Column expected = functions.col("tool_expected");
            a.add(countWhen(expected.and(score.equalTo(1))).as(k + "|tp"));
            a.add(countWhen(functions.not(expected).and(score.equalTo(0))).as(k + "|fp"));
            a.add(countWhen(expected.and(score.equalTo(0))).as(k + "|fn"));
            a.add(countWhen(functions.not(expected).and(score.equalTo(1))).as(k + "|tn"));
        }
        if (m == Metric.TOOL_SCHEMA) {
            a.add(functions.coalesce(functions.sum(functions.when(score.isNotNull(), functions.col("tool_calls"))), functions.lit(0L))
                    .as(k + "|calls"));
            a.add(functions.coalesce(functions.sum(functions.when(score.isNotNull(), functions.col("tool_calls_valid"))), functions.lit(0L))
                    .as(k + "|valid"));
        }
        return a;
    }

    private static Column countWhen(Column condition) {
        return functions.sum(functions.when(condition, 1L).otherwise(0L));
    }

    private static long longOf(Row r, String name) {
        Object v = r.getAs(name);
        return v == null ? 0 : ((Number) v).longValue();
    }

    private static ObjectNode metric(Row r, Metric m, boolean full) {
        String k = m.column();
        ObjectNode o = JSON.createObjectNode();
        long n = longOf(r, k + "|n");
        double sum = r.<Double>getAs(k + "|sum");
        o.put("kind", m.binary() ? "binary" : "fraction");
        o.put("n", n);
        if (n == 0) {
            o.putNull("mean");
            o.putNull("ci95");
        } else {
            Double sd = r.getAs(k + "|sd");
            MetricInterval ci = MetricInterval.of(m.binary(), n, sum, sd, longOf(r, k + "|not_zero_or_one"));
            if (m.binary()) {
                long successes = Math.round(sum);
                o.put("successes", successes);
                o.put("mean", (double) successes / n);
            } else {
                o.put("mean", sum / n);
                if (sd != null) {
                    o.put("sd", sd);
                }
            }
            putInterval(o, "ci95", ci.ci95());
            o.put("interval", ci.method());
        }
        o.put("errors", longOf(r, k + "|errors"));
        o.put("generation_failures", longOf(r, k + "|generation_failures"));
        if (m == Metric.TOOL_TRIGGER) {
            trigger(o, longOf(r, k + "|tp"), longOf(r, k + "|fp"), longOf(r, k + "|fn"), longOf(r, k + "|tn"), full);
        }
        if (m == Metric.TOOL_SCHEMA) {
            long calls = longOf(r, k + "|calls");
            long valid = longOf(r, k + "|valid");
            ObjectNode c = o.putObject("calls");
            c.put("made", calls);
            c.put("valid", valid);
            if (calls > 0) {
                c.put("rate", (double) valid / calls);
                // calls of one row are not independent draws, so this interval is narrower than it should be
                // when rows make several calls; the row-level interval above is the conservative one
                putInterval(c, "ci95", Stats.wilson(valid, calls));
                c.put("interval", "wilson over calls");
            } else {
                c.putNull("rate");
            }
        }
        return o;
    }

    private static void trigger(ObjectNode o, long tp, long fp, long fn, long tn, boolean withBootstrap) {
        ObjectNode t = o.putObject("confusion");
        t.put("tp", tp);
        t.put("fp", fp);
        t.put("fn", fn);
        t.put("tn", tn);
        // precision TP/(TP+FP) and recall TP/(TP+FN) are proportions of rows: Wilson intervals
        putProportion(o.putObject("precision"), tp, tp + fp);
        putProportion(o.putObject("recall"), tp, tp + fn);
        ObjectNode f1 = o.putObject("f1");
        double f = Stats.f1(tp, fp, fn);
        if (Double.isNaN(f)) {
            f1.putNull("value");
        } else {
            f1.put("value", f);
            if (withBootstrap) {
                putInterval(f1, "ci95", Stats.f1Bootstrap(tp, fp, fn, tn, BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED));
                f1.put("interval", "bootstrap percentile, " + BOOTSTRAP_RESAMPLES + " resamples of rows, seed " + BOOTSTRAP_SEED);
            }
        }
    }

    private static void putProportion(ObjectNode o, long k, long n) {
        if (n == 0) {
            o.putNull("value");
            return;
        }
        o.put("value", (double) k / n);
        putInterval(o, "ci95", Stats.wilson(k, n));
    }

    private static void putInterval(ObjectNode o, String field, Stats.Interval interval) {
        if (interval == null) {
            o.putNull(field);
            return;
        }
        ArrayNode a = o.putArray(field);
        a.add(interval.lo());
        a.add(interval.hi());
    }

    /** The per-metric table of metrics.json, as {@code eval} prints it and its report shows it. */
    public static JobReport.Table metricsTable(JsonNode summary) {
        List<List<String>> rows = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = summary.path("metrics").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode m = e.getValue();
            String detail = "";
            if (m.has("confusion")) {
                JsonNode c = m.path("confusion");
                detail = String.format("TP %d FP %d FN %d TN %d; precision %s %s, recall %s %s, F1 %s %s",
                        c.path("tp").asLong(), c.path("fp").asLong(), c.path("fn").asLong(), c.path("tn").asLong(),
                        number(m.path("precision").path("value")), interval(m.path("precision").path("ci95")),
                        number(m.path("recall").path("value")), interval(m.path("recall").path("ci95")),
                        number(m.path("f1").path("value")), interval(m.path("f1").path("ci95")));
            } else if (m.has("calls")) {
                JsonNode c = m.path("calls");
                detail = String.format("%d of %d calls valid: %s %s", c.path("valid").asLong(), c.path("made").asLong(),
                        number(c.path("rate")), interval(c.path("ci95")));
            }
            boolean scored = m.path("n").asLong() > 0;
            if (!applied(m)) {
                continue;
            }
            rows.add(List.of(e.getKey(), String.valueOf(m.path("n").asLong()), number(m.path("mean")), interval(m.path("ci95")),
                    scored ? m.path("interval").asText("") : "", String.valueOf(m.path("errors").asLong()),
                    String.valueOf(m.path("generation_failures").asLong()), detail));
        }
        return new JobReport.Table("Metrics: mean and 95% interval over the rows each metric applies to",
                List.of("metric", "n", "mean", "95% CI", "interval", "bad rows", "gen failed", ""), rows);
    }

    /** Categories down, metrics across: each cell the category's mean and n, "-" where a metric has no row. */
    public static JobReport.Table categoriesTable(JsonNode summary) {
        JsonNode metrics = summary.path("metrics");
        List<String> shown = new ArrayList<>();
        metrics.fields().forEachRemaining(e -> {
            if (e.getValue().path("n").asLong() > 0) {
                shown.add(e.getKey());
            }
        });
        List<String> header = new ArrayList<>(List.of("category", "rows"));
        header.addAll(shown);
        List<List<String>> rows = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = summary.path("categories").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> c = it.next();
            List<String> row = new ArrayList<>(List.of(c.getKey(), String.valueOf(c.getValue().asLong())));
            for (String k : shown) {
                JsonNode cell = metrics.path(k).path("by_category").path(c.getKey());
                row.add(cell.isMissingNode() ? "-" : number(cell.path("mean")) + " (" + cell.path("n").asLong() + ")");
            }
            rows.add(row);
        }
        return new JobReport.Table("By category: mean (n)", header, rows);
    }

    /** Whether a metric met any row: scored it, or found a problem with it. */
    private static boolean applied(JsonNode metric) {
        return metric.path("n").asLong() > 0 || metric.path("errors").asLong() > 0 || metric.path("generation_failures").asLong() > 0;
    }

    /** What {@code eval} prints on stdout. */
    public static String table(JsonNode summary) {
        List<String> unused = new ArrayList<>();
        summary.path("metrics").fields().forEachRemaining(e -> {
            if (!applied(e.getValue())) {
                unused.add(e.getKey());
            }
        });
        return TextTable.render(metricsTable(summary)) + (unused.isEmpty() ? "" : "scored on no row: " + String.join(", ", unused) + "\n")
                + "\n" + categoriesTable(summary).title() + "\n" + TextTable.render(categoriesTable(summary));
    }

    static String number(JsonNode v) {
        return v == null || v.isNull() || v.isMissingNode() ? "-" : String.format("%.3f", v.asDouble());
    }

    static String interval(JsonNode ci) {
        return ci == null || !ci.isArray() ? "-" : String.format("[%.3f, %.3f]", ci.get(0).asDouble(), ci.get(1).asDouble());
    }
}
