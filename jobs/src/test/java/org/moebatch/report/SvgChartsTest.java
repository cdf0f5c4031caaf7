package org.moebatch.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The charts' axes read right: counts tick at whole numbers, no two ticks or bars print the same label. */
class SvgChartsTest {
    /** The y axis's tick labels, bottom up: the texts right-aligned against the axis (x = LEFT - 6). */
    static List<String> yTicks(String svg) {
        Matcher m = Pattern.compile("<text x=\"58\\.0\" y=\"[0-9.]+\" text-anchor=\"end\" font-size=\"11\">([^<]*)</text>").matcher(svg);
        List<String> ticks = new ArrayList<>();
        while (m.find()) {
            ticks.add(m.group(1));
        }
        ticks.add(0, ticks.remove(ticks.size() - 1)); // "0" is drawn last
        return ticks;
    }

    private static List<String> barLabels(String svg) {
        Matcher m = Pattern.compile("<text x=\"[0-9.]+\" y=\"230\\.0\" text-anchor=\"middle\" font-size=\"11\">([^<]*)</text>").matcher(svg);
        List<String> labels = new ArrayList<>();
        while (m.find()) {
            labels.add(m.group(1));
        }
        return labels;
    }

    @Test
    void rowCountsTickAtWholeNumbers() {
        // before: 1 row ticked 0.250 0.500 0.750 1, 2 rows 0.500 1 1.5 2, 10 rows 2.5 5 7.5 10
        assertEquals(List.of("0", "1"), yTicks(SvgCharts.countBars("Errors by kind", "rows", List.of("generation"), new double[] {1})));
        assertEquals(List.of("0", "1", "2"), yTicks(SvgCharts.countBars("Finish reasons", "rows", List.of("stop", "error"), new double[] {2, 1})));
        assertEquals(List.of("0", "1", "2", "3"), yTicks(SvgCharts.countBars("t", "rows", List.of("a"), new double[] {3})));
        assertEquals(List.of("0", "2", "4", "6", "8"), yTicks(SvgCharts.countBars("t", "rows", List.of("a"), new double[] {7})));
        assertEquals(List.of("0", "5", "10"), yTicks(SvgCharts.countBars("t", "rows", List.of("a"), new double[] {10})));
        assertEquals(List.of("0", "1"), yTicks(SvgCharts.countBars("t", "rows", List.of("a"), new double[] {0})), "nothing yet");
        assertEquals(List.of("0", "1", "2"), yTicks(SvgCharts.countLine("Rows done", "s", "rows",
                List.of(new double[] {0, 0}, new double[] {0.5, 1}, new double[] {1, 2}))));
        assertEquals(List.of(30.0, 10.0), java.util.Arrays.stream(SvgCharts.countScale(22)).boxed().toList());
        // a continuous axis keeps its fractional steps
        assertEquals(List.of("0", "0.5", "1.0", "1.5", "2.0"), yTicks(SvgCharts.bars("t", "tok/s", List.of("a"), new double[] {2})));
    }

    @Test
    void costAxisTicksAreDistinctAtAnyScale() {
        // a small run's bills: before, the axis read 0.000, 0.000, 0.001 over a 0 (USD steps of 0.00025)
        for (double scale : new double[] {1e-5, 1e-4, 1e-3, 1e-2, 1, 100, 1e4, 3e5, 2e7}) {
            double[] bills = {0.3 * scale, 1.7 * scale, 2.8 * scale, 4.7 * scale};
            List<String> ticks = yTicks(SvgCharts.bars("The same tokens: this run vs APIs (USD)", "USD",
                    List.of("this run", "moonshot-kimi-k2", "openai-gpt-4.1-batch", "anthropic-claude-sonnet-4-batch"), bills));
            assertEquals(ticks.size(), new HashSet<>(ticks).size(), "scale " + scale + ": " + ticks);
            assertTrue(ticks.size() >= 3, ticks.toString());
        }
        assertEquals(List.of("0", "0.00025", "0.00050", "0.00075", "0.00100"),
                yTicks(SvgCharts.bars("t", "USD", List.of("a"), new double[] {0.00093})));
        assertEquals("12.5k", SvgCharts.tick(12500, 2500));
        assertEquals("7500", SvgCharts.tick(7500, 2500));
        assertEquals("1.25M", SvgCharts.tick(1.25e6, 250_000));
    }

    @Test
    void barLabelsThatShareAPrefixStayApart() {
        // ten API bills: 56 px a bar, labels cut at 9 characters; cut at the end the two openai ones read "openai-g…"
        List<String> names = List.of("this run", "moonshot-kimi-k2", "openai-gpt-4.1-batch", "openai-gpt-4o-batch", "a", "b", "c", "d", "e", "f");
        List<String> shown = barLabels(SvgCharts.bars("cost", "USD", names, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
        assertEquals(10, shown.size());
        assertEquals(10, new HashSet<>(shown).size(), shown.toString());
        assertEquals(List.of("this run", "moonshot\u2026", "\u2026.1-batch", "\u2026o-batch"), shown.subList(0, 4));
        // labels that fit are left whole
        assertEquals(List.of("this run", "moonshot-kimi-k2"), barLabels(SvgCharts.bars("cost", "USD", names.subList(0, 2), new double[] {1, 2})));
    }
}
