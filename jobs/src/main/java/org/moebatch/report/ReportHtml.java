package org.moebatch.report;

import static org.moebatch.report.SvgCharts.escape;
import static org.moebatch.report.SvgCharts.number;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.moebatch.spark.JobStats;
import org.moebatch.spark.LogHistogram;

/**
 * {@code report.html}: one self-contained page (inline CSS and SVG, no scripts, nothing fetched) that
 * answers, top to bottom, did it work, how fast, where the time went, what the tools did, how the
 * experts were used, and what it cost against the APIs.
 */
final class ReportHtml {
    private ReportHtml() {}

    static String render(JobReport r) {
        JobSummary s = r.summary();
        JobStats st = r.stats();
        CostModel.Ledger cost = r.cost();
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"/><title>")
                .append(escape("moe-batch " + r.job() + " report: " + s.model())).append("</title><style>").append(CSS)
                .append("</style></head><body>");
        h.append("<h1>moe-batch ").append(escape(r.job())).append("</h1>");
        h.append("<p class=\"meta\">model <b>").append(escape(s.model())).append("</b> on <b>").append(escape(r.device()))
                .append("</b> \u00b7 started ").append(escape(r.startedAt().toString())).append(" \u00b7 ")
                .append(escape(duration(s.wallSeconds()))).append(" \u00b7 output <code>").append(escape(s.output()))
                .append("</code></p>");

        h.append("<div class=\"cards\">");
        card(h, "rows", s.rows() + "", s.ok() + " ok, " + s.errors() + " error" + (s.skipped() > 0 ? ", " + s.skipped() + " done before" : ""));
        card(h, "tokens in / out", number(s.promptTokens()) + " / " + number(s.completionTokens()), "prompt / completion");
        card(h, "throughput", number(s.completionTokensPerSecond()) + " tok/s", "completion tokens per second of wall time");
        card(h, "latency p50 / p99", number(st.latencyMs().quantile(0.5)) + " / " + number(st.latencyMs().quantile(0.99)) + " ms", "per row, queue to last token");
        card(h, "cost", usd(cost.usdPerMillionTokens()) + " / M tokens", usd(cost.totalUsd()) + " for this run");
        h.append("</div>");

        section(h, "Throughput over time");
        h.append("<div class=\"row\">");
        h.append(SvgCharts.line("Completion tokens per second", "s", "tokens/s", r.timeline().tokenRate()));
        List<double[]> rowsDone = new ArrayList<>();
        for (Timeline.Point p : r.timeline().points()) {
            rowsDone.add(new double[] {p.seconds(), p.rows()});
        }
        h.append(SvgCharts.countLine("Rows done", "s", "rows", rowsDone));
        h.append("</div>");

        section(h, "Latency and tokens per row");
        h.append("<div class=\"row\">");
        h.append(histogram("Row latency (ms)", "rows", st.latencyMs()));
        h.append(histogram("Prompt tokens per row", "rows", st.promptTokens()));
        h.append(histogram("Completion tokens per row", "rows", st.completionTokens()));
        h.append("</div>");
        table(h, List.of("", "mean", "p50", "p90", "p99", "max"), List.of(
                quantiles("latency (ms)", st.latencyMs()), quantiles("prompt tokens", st.promptTokens()),
                quantiles("completion tokens", st.completionTokens())));

        section(h, "Outcomes and errors");
        h.append("<div class=\"row\">");
        h.append(countBars("Finish reasons", st.finishReasons()));
        h.append(countBars("Errors by kind", st.errorsByKind()));
        h.append("</div>");
        if (!st.errorsByKind().isEmpty()) {
            List<List<String>> kinds = new ArrayList<>();
            st.errorsByKind().forEach((kind, n) -> kinds.add(List.of(kind, n + "", rowIds(st.errorIds().getOrDefault(kind, List.of()), n))));
            table(h, List.of("error kind", "rows", "row ids (first " + JobStats.ERROR_IDS_KEPT + " in id order)"), kinds);
        }

        section(h, "Tool use");
        if (st.tools().isEmpty()) {
            h.append("<p class=\"note\">No tool was called in this run.</p>");
        } else {
            List<String> names = new ArrayList<>(st.tools().keySet());
            double[] calls = new double[names.size()];
            double[] failureRates = new double[names.size()];
            List<List<String>> rows = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                JobStats.ToolUse use = st.tools().get(names.get(i));
                calls[i] = use.calls();
                failureRates[i] = use.calls() == 0 ? 0 : 100.0 * use.failures() / use.calls();
                rows.add(List.of(names.get(i), use.calls() + "", use.failures() + "", String.format(Locale.ROOT, "%.1f%%", failureRates[i]),
                        number(use.latencyMs().mean()), number(use.latencyMs().quantile(0.5)), number(use.latencyMs().quantile(0.95))));
            }
            h.append("<div class=\"row\">");
            h.append(SvgCharts.countBars("Calls per tool", "calls", names, calls));
            h.append(SvgCharts.bars("Failure rate per tool (%)", "% failed", names, failureRates));
            h.append("</div>");
            table(h, List.of("tool", "calls", "failures", "failure rate", "latency mean (ms)", "p50", "p95"), rows);
        }

        section(h, "Expert load per layer");
        long[][] load = st.expertLoad();
        List<String> layerNames = new ArrayList<>();
        List<long[]> moeLayers = new ArrayList<>();
        List<List<String>> balance = new ArrayList<>();
        for (int l = 0; l < load.length; l++) {
            if (load[l].length > 0) {
                layerNames.add("layer " + l);
                moeLayers.add(load[l]);
                balance.add(List.of("layer " + l, String.format(Locale.ROOT, "%.2f", ReportJson.maxOverMean(load[l]))));
            }
        }
        if (moeLayers.isEmpty()) {
            h.append("<p class=\"note\">No MoE layer ran in this run.</p>");
        } else {
            h.append("<p class=\"note\">Tokens routed to each expert. An even row is healthy; a few dark cells in a pale row "
                    + "are hot experts, a mostly white row is routing collapse.</p>");
            h.append(SvgCharts.heatmap("Tokens per expert", "expert", layerNames, moeLayers.toArray(new long[0][])));
            table(h, List.of("layer", "hottest expert / mean"), balance);
        }

        section(h, "Cost ledger");
        table(h, List.of("item", "value"), List.of(
                List.of("devices", cost.devices() + " " + cost.deviceKind() + (cost.devices() == 1 ? "" : "s")),
                List.of("device-hours", String.format(Locale.ROOT, "%.4f", cost.deviceHours())),
                List.of("energy", cost.energyKwh() < 1 ? String.format(Locale.ROOT, "%.2f Wh", cost.energyKwh() * 1000)
                        : String.format(Locale.ROOT, "%.2f kWh", cost.energyKwh())),
                List.of("electricity", usd(cost.electricityUsd())),
                List.of("depreciation", usd(cost.depreciationUsd())),
                List.of("total", usd(cost.totalUsd())),
                List.of("per million tokens (in + out)", usd(cost.usdPerMillionTokens()))));
        List<String> who = new ArrayList<>();
        who.add("this run");
        List<Double> bills = new ArrayList<>();
        bills.add(cost.totalUsd());
        List<List<String>> apiRows = new ArrayList<>();
        for (CostModel.ApiBill bill : cost.apis()) {
            who.add(bill.name());
            bills.add(bill.usd());
            apiRows.add(List.of(bill.name(), usd(bill.usd()), cost.totalUsd() == 0 ? "-"
                    : String.format(Locale.ROOT, "%.1fx", bill.usd() / cost.totalUsd())));
        }
        h.append(SvgCharts.bars("The same tokens: this run vs APIs (USD)", "USD", who, bills.stream().mapToDouble(Double::doubleValue).toArray()));
        table(h, List.of("API", "cost of the same tokens", "vs this run"), apiRows);
        h.append("<p class=\"note\">Assumptions from conf/costs.properties (override with --cost KEY=VALUE): watts per device, "
                + "purchase price over the depreciation period at full use, electricity price and PUE.</p>");

        for (JobReport.Table t : r.tables()) {
            section(h, t.title());
            table(h, t.header(), t.rows());
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    private static String histogram(String title, String yLabel, LogHistogram hist) {
        long[] counts = hist.nonEmptyRange();
        int first = hist.firstBucket();
        List<String> labels = new ArrayList<>();
        double[] values = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            labels.add(number(LogHistogram.lowerEdge(first + i)) + "\u2013" + number(LogHistogram.lowerEdge(first + i + 1)));
            values[i] = counts[i];
        }
        return SvgCharts.countBars(title, yLabel, labels, values);
    }

    private static String countBars(String title, Map<String, Long> counts) {
        return SvgCharts.countBars(title, "rows", new ArrayList<>(counts.keySet()),
                counts.values().stream().mapToDouble(Long::doubleValue).toArray());
    }

    /** The kept ids, then how many more rows of the kind there are: "a, b and 12 more". */
    static String rowIds(List<String> ids, long rows) {
        String shown = String.join(", ", ids);
        long more = rows - ids.size();
        return more > 0 ? shown + " and " + more + " more" : shown;
    }

    private static List<String> quantiles(String name, LogHistogram h) {
        return List.of(name, number(h.mean()), number(h.quantile(0.5)), number(h.quantile(0.9)), number(h.quantile(0.99)), number(h.max()));
    }

    private static void card(StringBuilder h, String label, String value, String detail) {
        h.append("<div class=\"card\"><div class=\"label\">").append(escape(label)).append("</div><div class=\"value\">")
                .append(escape(value)).append("</div><div class=\"detail\">").append(escape(detail)).append("</div></div>");
    }

    private static void section(StringBuilder h, String title) {
        h.append("<h2>").append(escape(title)).append("</h2>");
    }

    private static void table(StringBuilder h, List<String> header, List<List<String>> rows) {
        h.append("<table><thead><tr>");
        header.forEach(c -> h.append("<th>").append(escape(c)).append("</th>"));
        h.append("</tr></thead><tbody>");
        for (List<String> row : rows) {
            h.append("<tr>");
            row.forEach(c -> h.append("<td>").append(escape(c == null ? "" : c)).append("</td>"));
            h.append("</tr>");
        }
        h.append("</tbody></table>");
    }

    static String usd(double v) {
        return v != 0 && Math.abs(v) < 0.01 ? String.format(Locale.ROOT, "$%.5f", v) : String.format(Locale.ROOT, "$%,.2f", v);
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s % 3600 / 60)
                : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : String.format(Locale.ROOT, "%.1f s", seconds);
    }

    private static final String CSS = "body{font-family:system-ui,-apple-system,'DejaVu Sans',sans-serif;margin:24px auto;max-width:1360px;"
            + "color:#1d2330;padding:0 16px}h1{margin:0 0 4px}h2{margin:28px 0 8px;border-bottom:1px solid #dde;padding-bottom:4px}"
            + ".meta{color:#555;margin:0 0 16px}.cards{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid #dde;border-radius:8px;"
            + "padding:10px 14px;min-width:180px;background:#f8f9fc}.label{font-size:12px;color:#667;text-transform:uppercase;letter-spacing:.04em}"
            + ".value{font-size:22px;font-weight:600;margin:2px 0}.detail{font-size:12px;color:#667}.row{display:flex;flex-wrap:wrap;gap:8px}"
            + "svg.chart{border:1px solid #eef;border-radius:6px;background:#fff}table{border-collapse:collapse;margin:8px 0;font-size:13px}"
            + "th,td{border:1px solid #dde;padding:4px 10px;text-align:right}th:first-child,td:first-child{text-align:left}"
            + "th{background:#f3f5fa}.note{color:#556;font-size:13px}code{font-size:12px}";
}
