package org.moebatch.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moebatch.chat.ChatResult;
import org.moebatch.chat.ToolTraceEntry;
import org.moebatch.spark.JobStats;
import org.w3c.dom.Document;

class JobReportTest {
    @Test
    void ledgerByHand() throws Exception {
        CostModel model = CostModel.load(null, Map.of("electricity_usd_per_kwh", "0.10", "pue", "1.5"));
        // 2 GPUs for 1.5 h = 3 device-hours; 3 h x 700 W x PUE 1.5 = 3.15 kWh; x $0.10 = $0.315
        // depreciation: 3 h x $30000 / (4 y x 8760 h) = $2.5685
        CostModel.Ledger l = model.ledger("gpu", 2, 5400, 4_000_000, 1_000_000);
        assertEquals(3.0, l.deviceHours(), 1e-12);
        assertEquals(3.15, l.energyKwh(), 1e-12);
        assertEquals(0.315, l.electricityUsd(), 1e-12);
        assertEquals(3 * 30000.0 / (4 * 8760), l.depreciationUsd(), 1e-12);
        assertEquals((0.315 + 3 * 30000.0 / (4 * 8760)) / 5, l.usdPerMillionTokens(), 1e-12);
        // Kimi K2's API: 4 M in x $0.60 + 1 M out x $2.50 = $4.90
        CostModel.ApiBill kimi = l.apis().stream().filter(b -> b.name().equals("moonshot-kimi-k2")).findFirst().orElseThrow();
        assertEquals(4.90, kimi.usd(), 1e-12);
    }

    @Test
    void badCostSettingsAreNamed() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> CostModel.load(null, Map.of("electricity", "0.1")));
        assertTrue(unknown.getMessage().contains("--cost electricity: unknown key"), unknown.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> CostModel.load(null, Map.of("pue", "-1")));
        assertTrue(negative.getMessage().contains("pue=-1 is not a non-negative number"), negative.getMessage());
        IllegalArgumentException half = assertThrows(IllegalArgumentException.class,
                () -> CostModel.load(null, Map.of("api.mine.input_usd_per_mtok", "1")));
        assertTrue(half.getMessage().contains("api.mine.output_usd_per_mtok is missing"), half.getMessage());
    }

    @Test
    void timelineThinsItselfAndKeepsTheRateCurve() {
        Timeline t = new Timeline();
        for (int s = 0; s <= 2000; s++) {
            t.add(s, s / 2, 10L * s); // 10 tokens/s throughout
        }
        assertTrue(t.points().size() <= Timeline.MAX_POINTS, "points: " + t.points().size());
        assertTrue(t.points().size() > Timeline.MAX_POINTS / 4);
        for (double[] rate : t.tokenRate()) {
            assertEquals(10.0, rate[1], 1e-9);
        }
    }

    @Test
    void niceAxisEnds() {
        assertEquals(1.0, SvgCharts.niceCeiling(0.7), 0);
        assertEquals(250.0, SvgCharts.niceCeiling(201), 0);
        assertEquals(5000.0, SvgCharts.niceCeiling(4321), 0);
        assertEquals(10.0, SvgCharts.niceCeiling(10), 0);
        // 22 rows: a step of 10 (22/4 = 5.5 rounds up to 10), axis to 30; 1400 tok/s: step 500, axis to 1500
        assertEquals(List.of(30.0, 10.0), java.util.Arrays.stream(SvgCharts.scale(22)).boxed().toList());
        assertEquals(List.of(1500.0, 500.0), java.util.Arrays.stream(SvgCharts.scale(1400)).boxed().toList());
        assertEquals("#ffffff", SvgCharts.heat(0));
        assertEquals("#2f6fdf", SvgCharts.heat(1));
        assertEquals("#aa141e", SvgCharts.heat(7));
    }

    @Test
    void reportIsWellFormedAndHoldsEveryChart(@TempDir Path dir) throws Exception {
        JobStats stats = new JobStats();
        for (int i = 0; i < 40; i++) {
            List<ToolTraceEntry> trace = i % 3 == 0 ? List.of(new ToolTraceEntry(1, "c" + i, i % 2 == 0 ? "calculator" : "doc_search",
                    "{}", "r", i % 9 == 0 ? "timed out" : null, 2 + i)) : List.of();
            stats.record(new ChatResult("r" + i, "x", "stop", trace, 20 + i, 5 + i % 7, 0, 1, 2, 3, 0, 50 + 10 * i, null), false);
        }
        stats.record(ChatResult.failed("bad", "row 41: column prompt: missing"), true);
        for (int i = 0; i < 23; i++) {
            stats.record(ChatResult.failed(String.format("dup-%02d", i), "duplicate id: 2 input rows share id dup-" + i), true);
        }
        stats.engineSpan("e", new long[][] {{}, {0, 0, 0, 0}}, new long[][] {{}, {40, 2, 1, 37}});
        Timeline timeline = new Timeline();
        timeline.add(0, 0, 0);
        timeline.add(1, 10, 80);
        timeline.add(2, 41, 250);
        JobSummary summary = new JobSummary(dir.toString(), 64, 40, 24, 64, 1600, 300, 300, 2.0, "tiny <model>");
        CostModel.Ledger ledger = CostModel.load(null, Map.of()).ledger("cpu-core", 2, 2.0, 1600, 300);
        JobReport report = new JobReport("generate", summary, "cpu", Instant.parse("2026-11-29T08:00:00Z"), timeline, stats,
                ledger, List.of()).with(new JobReport.Table("Scores", List.of("metric", "mean"), List.of(List.of("exact_match", "0.5"))));

        org.apache.hadoop.fs.Path html = report.write(FileSystem.getLocal(new Configuration()), new org.apache.hadoop.fs.Path(dir.toString()));
        String page = Files.readString(Path.of(html.toUri().getPath()));
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(page.getBytes(StandardCharsets.UTF_8))); // throws if the markup is broken
        // throughput x2, latency + tokens x3, outcomes x2, tools x2, heatmap, cost
        assertEquals(11, doc.getElementsByTagName("svg").getLength());
        // each error kind names its rows: all of a small kind, the first 20 of a large one and how many more
        assertTrue(page.contains("<td>bad input row</td><td>1</td><td>bad</td>"), "bad input row's ids");
        assertTrue(page.contains("<td>duplicate id</td><td>23</td><td>dup-00, dup-01, "), "duplicate id's ids");
        assertTrue(page.contains("dup-18, dup-19 and 3 more</td>"), "the rest counted");
        assertTrue(!page.contains("dup-20"), "no more than 20 ids");
        // the error chart counts rows: its ticks are whole
        String errorsChart = page.substring(page.indexOf("<title>Errors by kind</title>"));
        errorsChart = errorsChart.substring(0, errorsChart.indexOf("</svg>"));
        for (String tick : SvgChartsTest.yTicks(errorsChart)) {
            assertTrue(tick.matches("[0-9]+"), "tick " + tick + " in " + SvgChartsTest.yTicks(errorsChart));
        }
        assertTrue(page.contains("tiny &lt;model&gt;"), "names are escaped");
        assertTrue(page.contains("<h2>Scores</h2>"));

        JsonNode json = new ObjectMapper().readTree(Path.of(dir.toString(), "_report", "report.json").toFile());
        assertEquals(64, json.at("/rows/total").asLong());
        assertEquals(40, json.at("/latency_ms/count").asLong());
        assertEquals(1, json.at("/errors_by_kind/bad input row").asLong());
        assertEquals("bad", json.at("/error_ids_by_kind/bad input row/ids/0").asText());
        assertEquals(23, json.at("/error_ids_by_kind/duplicate id/count").asLong());
        assertEquals(20, json.at("/error_ids_by_kind/duplicate id/ids").size());
        assertEquals("dup-19", json.at("/error_ids_by_kind/duplicate id/ids/19").asText());
        assertEquals(2.0, json.at("/expert_load/layers/0/max_over_mean").asDouble(), 1e-9); // 40 / mean 20
        assertEquals(3, json.at("/throughput").size());
        assertEquals(2, json.at("/tools").size());
        assertEquals("Scores", json.at("/tables/0/title").asText());
    }
}
