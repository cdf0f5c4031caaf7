package org.moebatch.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.moebatch.spark.JobStats;
import org.moebatch.spark.LogHistogram;

/** {@code report.json}: the report's numbers for programs (dashboards, regression checks). */
final class ReportJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReportJson() {}

    static ObjectNode of(JobReport r) {
        JobSummary s = r.summary();
        ObjectNode o = JSON.createObjectNode();
        o.put("job", r.job());
        o.put("model", s.model());
        o.put("device", r.device());
        o.put("output", s.output());
        o.put("started_at", r.startedAt().toString());
        o.put("wall_s", round(s.wallSeconds()));
        ObjectNode rows = o.putObject("rows");
        rows.put("total", s.rows());
        rows.put("ok", s.ok());
        rows.put("error", s.errors());
        rows.put("skipped_resume", s.skipped());
        ObjectNode tokens = o.putObject("tokens");
        tokens.put("prompt", s.promptTokens());
        tokens.put("completion", s.completionTokens());
        tokens.put("completion_per_s", round(s.completionTokensPerSecond()));

        ArrayNode throughput = o.putArray("throughput");
        for (Timeline.Point p : r.timeline().points()) {
            throughput.addObject().put("t_s", round(p.seconds())).put("rows", p.rows()).put("completion_tokens", p.completionTokens());
        }
        JobStats st = r.stats();
        o.set("latency_ms", distribution(st.latencyMs()));
        o.set("prompt_tokens", distribution(st.promptTokens()));
        o.set("completion_tokens", distribution(st.completionTokens()));
        o.set("finish_reasons", counts(st.finishReasons()));
        o.set("errors_by_kind", counts(st.errorsByKind()));
        // beside errors_by_kind, not in it, so that readers of its {kind: count} shape keep working
        ObjectNode errorIds = o.putObject("error_ids_by_kind");
        st.errorsByKind().forEach((kind, n) -> {
            ObjectNode k = errorIds.putObject(kind);
            k.put("count", n);
            ArrayNode ids = k.putArray("ids");
            st.errorIds().getOrDefault(kind, List.of()).forEach(ids::add);
        });

        ArrayNode tools = o.putArray("tools");
        st.tools().forEach((name, use) -> {
            ObjectNode t = tools.addObject();
            t.put("name", name);
            t.put("calls", use.calls());
            t.put("failures", use.failures());
            t.put("failure_rate", use.calls() == 0 ? 0 : round((double) use.failures() / use.calls()));
            t.put("latency_ms_mean", round(use.latencyMs().mean()));
            t.put("latency_ms_p50", round(use.latencyMs().quantile(0.5)));
            t.put("latency_ms_p95", round(use.latencyMs().quantile(0.95)));
        });

        ArrayNode layers = o.putObject("expert_load").putArray("layers");
        long[][] load = st.expertLoad();
        for (int l = 0; l < load.length; l++) {
            if (load[l].length > 0) {
                ObjectNode layer = layers.addObject();
                layer.put("layer", l);
                layer.put("max_over_mean", round(maxOverMean(load[l])));
                ArrayNode tokensPerExpert = layer.putArray("tokens");
                for (long n : load[l]) {
                    tokensPerExpert.add(n);
                }
            }
        }

        CostModel.Ledger c = r.cost();
        ObjectNode cost = o.putObject("cost");
        cost.put("device_kind", c.deviceKind());
        cost.put("devices", c.devices());
        cost.put("device_hours", c.deviceHours());
        cost.put("energy_kwh", c.energyKwh());
        cost.put("electricity_usd", c.electricityUsd());
        cost.put("depreciation_usd", c.depreciationUsd());
        cost.put("total_usd", c.totalUsd());
        cost.put("usd_per_million_tokens", c.usdPerMillionTokens());
        ArrayNode apis = cost.putArray("api_equivalent");
        for (CostModel.ApiBill bill : c.apis()) {
            apis.addObject().put("api", bill.name()).put("usd", bill.usd());
        }

        ArrayNode tables = o.putArray("tables");
        for (JobReport.Table table : r.tables()) {
            ObjectNode t = tables.addObject();
            t.put("title", table.title());
            ArrayNode header = t.putArray("header");
            table.header().forEach(header::add);
            ArrayNode body = t.putArray("rows");
            for (List<String> row : table.rows()) {
                ArrayNode cells = body.addArray();
                row.forEach(cells::add);
            }
        }
        return o;
    }

    private static ObjectNode distribution(LogHistogram h) {
        ObjectNode d = JSON.createObjectNode();
        d.put("count", h.count());
        d.put("mean", round(h.mean()));
        d.put("p50", round(h.quantile(0.5)));
        d.put("p90", round(h.quantile(0.9)));
        d.put("p99", round(h.quantile(0.99)));
        d.put("max", round(h.max()));
        ArrayNode buckets = d.putArray("histogram");
        long[] counts = h.nonEmptyRange();
        int first = h.firstBucket();
        for (int i = 0; i < counts.length; i++) {
            buckets.addObject().put("from", round(LogHistogram.lowerEdge(first + i)))
                    .put("to", round(LogHistogram.lowerEdge(first + i + 1))).put("count", counts[i]);
        }
        return d;
    }

    private static ObjectNode counts(Map<String, Long> counts) {
        ObjectNode o = JSON.createObjectNode();
        counts.forEach(o::put);
        return o;
    }

    /** The hottest expert's tokens over the layer's mean: 1 is perfectly even, {@code experts} is total collapse. */
    static double maxOverMean(long[] tokens) {
        long max = 0;
        long sum = 0;
        for (long n : tokens) {
            max = Math.max(max, n);
            sum += n;
        }
        return sum == 0 ? 0 : (double) max * tokens.length / sum;
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
