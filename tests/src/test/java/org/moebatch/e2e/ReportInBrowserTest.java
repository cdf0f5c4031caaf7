package org.moebatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moebatch.jobs.InputFormat;
import org.moebatch.spark.GenerateOptions;
import org.moebatch.spark.ToolOptions;
import org.moebatch.tools.AgentLimits;

/**
 * The job report as a person sees it: a real generate run (good rows, bad rows, tool calls) writes
 * {@code _report/report.html}, and headless Chromium (Debian's, installed by .ci/run) loads it from
 * disk, with the network cut off, and paints it.
 */
class ReportInBrowserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHARTS = 11;

    @TempDir
    Path tmp;

    @Test
    void reportOfARealRunRendersInChromiumWithEveryChartAndNoErrors() throws Exception {
        Path chromium = chromium();
        Path input = Files.createDirectories(tmp.resolve("in"));
        Files.copy(E2e.sample("sample.jsonl"), input.resolve("sample.jsonl"));
        Files.copy(E2e.sample("bad-rows.jsonl"), input.resolve("bad-rows.jsonl"));
        Path output = tmp.resolve("out");
        GenerateOptions o = E2e.options(24);
        Path tools = E2e.repo().resolve("data-samples/tools/tools.json");
        ToolOptions toolOptions = new ToolOptions(Files.readString(tools), tools.getParent().toString(),
                new AgentLimits(2, 4000, 60_000), true, null);
        GenerateOptions options = o.withTools(toolOptions);
        E2e.generate(input, output, InputFormat.JSONL, options, 2);

        Path report = output.resolve("_report");
        JsonNode json = JSON.readTree(report.resolve("report.json").toFile());
        long inputRows = Files.readAllLines(input.resolve("sample.jsonl")).size() + Files.readAllLines(input.resolve("bad-rows.jsonl")).size();
        assertEquals(inputRows, json.at("/rows/total").asLong());
        assertTrue(json.at("/errors_by_kind/bad input row").asLong() > 0, "bad rows are counted by kind");
        assertTrue(json.at("/expert_load/layers").size() > 0, "the MoE layers' load is reported");
        long routed = 0;
        for (JsonNode n : json.at("/expert_load/layers/0/tokens")) {
            routed += n.asLong();
        }
        // each token the engine computed went to experts-per-token experts; prompt tokens served from the
        // prefix cache were not computed, so the routed tokens are at most the tokens in and out
        int perToken = JSON.readTree(Path.of(o.modelDir(), "config.json").toFile()).get("num_experts_per_tok").asInt();
        assertEquals(0, routed % perToken, "layer 1 routed " + routed + " token-expert pairs");
        assertTrue(routed > 0 && routed / perToken <= json.at("/tokens/prompt").asLong() + json.at("/tokens/completion").asLong(),
                "layer 1 routed " + routed / perToken + " tokens");
        assertTrue(json.at("/throughput").size() >= 2);

        Path html = report.resolve("report.html");
        String page = Files.readString(html);
        for (String url : List.of("src=\"http", "href=\"http", "url(http", "<script")) {
            assertTrue(!page.contains(url), "the report must open offline with nothing fetched: found " + url);
        }

        // Load and paint it. Name resolution is cut off, so anything the page tried to fetch would fail
        // loudly in the console log that this test reads.
        Path shot = Path.of("target", "report-screenshot.png").toAbsolutePath();
        Files.createDirectories(shot.getParent());
        Result dom = run(chromium, "--dump-dom", html.toUri().toString());
        Result screenshot = run(chromium, "--screenshot=" + shot, "--window-size=1400,3800", "--hide-scrollbars",
                html.toUri().toString());
        assertEquals(0, dom.exit, dom.stderr);
        assertEquals(0, screenshot.exit, screenshot.stderr);
        for (Result r : List.of(dom, screenshot)) {
            for (String line : r.stderr.split("\n")) {
                assertTrue(!line.contains("CONSOLE") && !line.contains("Failed to load"), "browser reported: " + line);
            }
        }
        assertEquals(CHARTS, count(dom.stdout, "<svg class=\"chart\""), "charts in the rendered DOM");
        assertEquals(0, count(dom.stdout, "parsererror"));

        // The charts were painted: the bars, lines and heatmap cells use the accent colour.
        BufferedImage image = ImageIO.read(shot.toFile());
        long accent = 0;
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                if (near(rgb, 0x2f6fdf)) {
                    accent++;
                }
            }
        }
        assertTrue(accent > 2000, "accent-coloured pixels painted: " + accent);
    }

    private static boolean near(int rgb, int target) {
        for (int shift = 0; shift <= 16; shift += 8) {
            if (Math.abs((rgb >> shift & 0xff) - (target >> shift & 0xff)) > 12) {
                return false;
            }
        }
        return true;
    }

    private static int count(String text, String needle) {
        Matcher m = Pattern.compile(Pattern.quote(needle)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static Path chromium() {
        for (String candidate : new String[] {System.getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
            if (candidate != null && Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        Assumptions.abort("no Chromium here (set CHROMIUM or install Debian's chromium, as .ci/run does)");
        return null;
    }

    private record Result(int exit, String stdout, String stderr) {}

    private Result run(Path chromium, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--user-data-dir=" + tmp.resolve("profile"), "--enable-logging=stderr", "--v=0",
                "--host-resolver-rules=MAP * ~NOTFOUND"));
        command.addAll(List.of(args));
        Path out = tmp.resolve("chromium.out");
        Path err = tmp.resolve("chromium.err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 120 s: " + command);
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
