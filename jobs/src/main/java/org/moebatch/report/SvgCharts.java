package org.moebatch.report;

import java.util.List;
import java.util.Locale;

/**
 * The report's charts as inline SVG: a line chart, a bar chart and a heatmap, drawn from numbers
 * alone so the report opens offline with nothing fetched. Every chart is an {@code <svg class="chart">}
 * with a {@code <title>}, axes with round-number ticks, and its values in tooltips.
 */
public final class SvgCharts {
    static final int WIDTH = 640;
    static final int HEIGHT = 260;
    private static final int LEFT = 64;
    private static final int RIGHT = 16;
    private static final int TOP = 28;
    private static final int BOTTOM = 44;
    private static final String ACCENT = "#2f6fdf";

    private SvgCharts() {}

    /** A line through {@code points} ({@code [x, y]} pairs, x ascending). */
    public static String line(String title, String xLabel, String yLabel, List<double[]> points) {
        return line(title, xLabel, yLabel, points, false);
    }

    /** A line whose y counts something whole (rows done): its ticks are whole numbers. */
    public static String countLine(String title, String xLabel, String yLabel, List<double[]> points) {
        return line(title, xLabel, yLabel, points, true);
    }

    private static String line(String title, String xLabel, String yLabel, List<double[]> points, boolean yCounts) {
        StringBuilder svg = open(title);
        if (points.isEmpty()) {
            return empty(svg);
        }
        double[] xScale = scale(points.get(points.size() - 1)[0]);
        double yTop = points.stream().mapToDouble(p -> p[1]).max().orElse(1);
        double[] yScale = yCounts ? countScale(yTop) : scale(yTop);
        double xMax = xScale[0];
        double yMax = yScale[0];
        axes(svg, xLabel, yLabel, xScale, yScale);
        StringBuilder path = new StringBuilder();
        for (double[] p : points) {
            path.append(path.length() == 0 ? "M" : " L").append(fmt(x(p[0], xMax))).append(',').append(fmt(y(p[1], yMax)));
        }
        svg.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"").append(ACCENT)
                .append("\" stroke-width=\"2\"/>");
        for (double[] p : points) {
            svg.append("<circle cx=\"").append(fmt(x(p[0], xMax))).append("\" cy=\"").append(fmt(y(p[1], yMax)))
                    .append("\" r=\"2.5\" fill=\"").append(ACCENT).append("\"><title>")
                    .append(escape(number(p[0]) + " " + xLabel + ": " + number(p[1]) + " " + yLabel))
                    .append("</title></circle>");
        }
        return svg.append("</svg>").toString();
    }

    /** One bar per label. */
    public static String bars(String title, String yLabel, List<String> labels, double[] values) {
        return bars(title, yLabel, labels, values, false);
    }

    /** One bar per label, each a count (rows, calls): the axis ticks are whole numbers. */
    public static String countBars(String title, String yLabel, List<String> labels, double[] counts) {
        return bars(title, yLabel, labels, counts, true);
    }

    private static String bars(String title, String yLabel, List<String> labels, double[] values, boolean counts) {
        StringBuilder svg = open(title);
        if (labels.isEmpty()) {
            return empty(svg);
        }
        double highest = java.util.Arrays.stream(values).max().orElse(1);
        double[] yScale = counts ? countScale(highest) : scale(highest);
        double yMax = yScale[0];
        axes(svg, "", yLabel, null, yScale);
        double slot = (WIDTH - LEFT - RIGHT) / (double) labels.size();
        int labelEvery = Math.max(1, (int) Math.ceil(labels.size() / 12.0));
        List<String> shown = distinctShortLabels(labels, (int) (slot * labelEvery / 6));
        for (int i = 0; i < labels.size(); i++) {
            double top = y(values[i], yMax);
            double x0 = LEFT + i * slot + slot * 0.1;
            svg.append("<rect x=\"").append(fmt(x0)).append("\" y=\"").append(fmt(top)).append("\" width=\"")
                    .append(fmt(slot * 0.8)).append("\" height=\"").append(fmt(HEIGHT - BOTTOM - top))
                    .append("\" fill=\"").append(ACCENT).append("\"><title>").append(escape(labels.get(i) + ": " + number(values[i])))
                    .append("</title></rect>");
            if (i % labelEvery == 0) {
                svg.append(text(x0 + slot * 0.4, HEIGHT - BOTTOM + 14, "middle", shown.get(i)));
            }
        }
        return svg.append("</svg>").toString();
    }

    /**
     * A grid of cells, one row per {@code rowLabels} entry and one column per index, shaded by value
     * relative to the row's mean: white at zero, the accent colour at the mean, dark red at 3x the
     * mean and above. Routing collapse shows as a few dark cells in a pale row.
     */
    public static String heatmap(String title, String columnLabel, List<String> rowLabels, long[][] values) {
        int columns = 0;
        for (long[] row : values) {
            columns = Math.max(columns, row.length);
        }
        int height = TOP + BOTTOM + Math.max(1, rowLabels.size()) * 22;
        StringBuilder svg = open(title, height);
        if (columns == 0) {
            return empty(svg);
        }
        double cell = (WIDTH - LEFT - RIGHT) / (double) columns;
        for (int r = 0; r < values.length; r++) {
            long[] row = values[r];
            double mean = java.util.Arrays.stream(row).average().orElse(0);
            double y0 = TOP + r * 22;
            svg.append(text(LEFT - 6, y0 + 15, "end", rowLabels.get(r)));
            for (int c = 0; c < row.length; c++) {
                double share = mean == 0 ? 0 : row[c] / mean;
                svg.append("<rect x=\"").append(fmt(LEFT + c * cell)).append("\" y=\"").append(fmt(y0))
                        .append("\" width=\"").append(fmt(Math.max(cell - 0.5, 0.5))).append("\" height=\"21\" fill=\"")
                        .append(heat(share)).append("\"><title>").append(escape(rowLabels.get(r) + ", " + columnLabel + " " + c
                                + ": " + row[c] + " tokens (" + String.format(Locale.ROOT, "%.2f", share) + "x mean)"))
                        .append("</title></rect>");
            }
        }
        double axisY = TOP + values.length * 22 + 14;
        int step = Math.max(1, columns / 8);
        for (int c = 0; c < columns; c += step) {
            svg.append(text(LEFT + (c + 0.5) * cell, axisY, "middle", Integer.toString(c)));
        }
        svg.append(text(LEFT + (WIDTH - LEFT - RIGHT) / 2.0, axisY + 16, "middle", columnLabel
                + " (shade: tokens relative to the layer's mean; white 0, blue 1x, red 3x+)"));
        return svg.append("</svg>").toString();
    }

    /** White → accent blue at the mean → dark red at three times the mean. */
    static String heat(double share) {
        double t;
        int[] from;
        int[] to;
        if (share <= 1) {
            t = Math.max(0, share);
            from = new int[] {255, 255, 255};
            to = new int[] {47, 111, 223};
        } else {
            t = Math.min(1, (share - 1) / 2);
            from = new int[] {47, 111, 223};
            to = new int[] {170, 20, 30};
        }
        return String.format(Locale.ROOT, "#%02x%02x%02x", mix(from[0], to[0], t), mix(from[1], to[1], t), mix(from[2], to[2], t));
    }

    private static int mix(int a, int b, double t) {
        return (int) Math.round(a + (b - a) * t);
    }

    private static StringBuilder open(String title) {
        return open(title, HEIGHT);
    }

    private static StringBuilder open(String title, int height) {
        StringBuilder svg = new StringBuilder();
        svg.append("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"").append(WIDTH)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\"><title>").append(escape(title)).append("</title>");
        svg.append(text(LEFT, 18, "start", title).replace("<text ", "<text font-weight=\"600\" "));
        return svg;
    }

    private static String empty(StringBuilder svg) {
        return svg.append(text(WIDTH / 2.0, HEIGHT / 2.0, "middle", "no data")).append("</svg>").toString();
    }

    /** An axis from 0: its end and tick step, both round numbers, with at most five ticks. */
    static double[] scale(double max) {
        return axisTo(max, niceCeiling(Math.max(max, 1e-9) / 4));
    }

    /**
     * An axis from 0 for counts: as {@link #scale} but the step is a whole number, since a tick at
     * half a row counts nothing. Below a step of 1 it is 1 (three rows: 1, 2, 3, not 0.75, 1.5, ...);
     * the one fractional round step at or above 1, 2.5, becomes 5.
     */
    static double[] countScale(double max) {
        double step = niceCeiling(Math.max(max, 1e-9) / 4);
        step = step < 1 ? 1 : step == Math.rint(step) ? step : 2 * step;
        return axisTo(max, step);
    }

    private static double[] axisTo(double max, double step) {
        return new double[] {step * Math.max(1, Math.ceil(max / step - 1e-9)), step};
    }

    /** Axes, grid and tick labels; {@code xScale} null for a bar chart's categorical axis. */
    private static void axes(StringBuilder svg, String xLabel, String yLabel, double[] xScale, double[] yScale) {
        double yMax = yScale[0];
        int bottom = HEIGHT - BOTTOM;
        svg.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(bottom).append("\" x2=\"").append(WIDTH - RIGHT)
                .append("\" y2=\"").append(bottom).append("\" stroke=\"#888\"/>");
        svg.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(TOP).append("\" x2=\"").append(LEFT)
                .append("\" y2=\"").append(bottom).append("\" stroke=\"#888\"/>");
        for (double v = yScale[1]; v <= yMax * (1 + 1e-9); v += yScale[1]) {
            double yy = y(v, yMax);
            svg.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(fmt(yy)).append("\" x2=\"").append(WIDTH - RIGHT)
                    .append("\" y2=\"").append(fmt(yy)).append("\" stroke=\"#eee\"/>");
            svg.append(text(LEFT - 6, yy + 4, "end", tick(v, yScale[1])));
        }
        svg.append(text(LEFT - 6, bottom + 4, "end", "0"));
        if (xScale != null) {
            for (double v = xScale[1]; v <= xScale[0] * (1 + 1e-9); v += xScale[1]) {
                svg.append(text(x(v, xScale[0]), bottom + 14, "middle", tick(v, xScale[1])));
            }
        }
        svg.append(text(LEFT + (WIDTH - LEFT - RIGHT) / 2.0, HEIGHT - 8, "middle", xLabel));
        svg.append("<text x=\"14\" y=\"").append(fmt((TOP + bottom) / 2.0)).append("\" text-anchor=\"middle\" font-size=\"11\" ")
                .append("transform=\"rotate(-90 14 ").append(fmt((TOP + bottom) / 2.0)).append(")\">").append(escape(yLabel)).append("</text>");
    }

    private static double x(double v, double xMax) {
        return LEFT + (WIDTH - LEFT - RIGHT) * v / xMax;
    }

    private static double y(double v, double yMax) {
        return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM) * v / yMax;
    }

    /** The smallest 1, 2, 2.5 or 5 times a power of ten at or above {@code v}: round tick steps. */
    static double niceCeiling(double v) {
        if (!(v > 0)) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * power >= v * (1 - 1e-12)) {
                return m * power;
            }
        }
        return 10 * power;
    }

    private static String text(double x, double y, String anchor, String s) {
        return "<text x=\"" + fmt(x) + "\" y=\"" + fmt(y) + "\" text-anchor=\"" + anchor + "\" font-size=\"11\">" + escape(s) + "</text>";
    }

    private static String shorten(String s, int max) {
        return s.length() <= Math.max(max, 4) ? s : s.substring(0, Math.max(max, 4) - 1) + "\u2026";
    }

    /**
     * Bar labels cut to {@code max} characters and still told apart. Cut at the end, names that share
     * a prefix (API names share their vendor's: openai-gpt-4.1-batch, openai-gpt-4o-batch) read
     * alike; those lose the prefix they share instead, where they differ: "….1-batch", "…o-batch".
     */
    static List<String> distinctShortLabels(List<String> labels, int max) {
        List<String> cut = labels.stream().map(l -> shorten(l, max)).toList();
        List<String> shown = new java.util.ArrayList<>(cut);
        for (int i = 0; i < labels.size(); i++) {
            int shared = -1;
            for (int j = 0; j < labels.size(); j++) {
                if (j != i && cut.get(j).equals(cut.get(i)) && !labels.get(j).equals(labels.get(i))) {
                    shared = Math.max(shared, commonPrefix(labels.get(i), labels.get(j)));
                }
            }
            if (shared >= 0) {
                shown.set(i, shorten("\u2026" + labels.get(i).substring(shared), max));
            }
        }
        return shown;
    }

    private static int commonPrefix(String a, String b) {
        int n = 0;
        while (n < a.length() && n < b.length() && a.charAt(n) == b.charAt(n)) {
            n++;
        }
        return n;
    }

    /**
     * A tick's label with as many decimals as the axis step needs, so that ticks one step apart never
     * print alike (with {@link #number}'s three decimals, a cost axis of $0.00025 steps read 0.000,
     * 0.000, 0.001).
     */
    static String tick(double v, double step) {
        double a = Math.abs(v);
        double unit = a >= 1e6 ? 1e6 : a >= 1e4 ? 1e3 : 1;
        String suffix = unit == 1e6 ? "M" : unit == 1e3 ? "k" : "";
        return String.format(Locale.ROOT, "%." + decimals(step / unit) + "f", v / unit) + suffix;
    }

    /** The fewest decimals that write {@code step} (a round number: 1, 2, 2.5 or 5 times a power of ten) exactly. */
    private static int decimals(double step) {
        for (int d = 0; d < 15; d++) {
            double scaled = step * Math.pow(10, d);
            if (Math.abs(scaled - Math.rint(scaled)) < 1e-6 * scaled) {
                return d;
            }
        }
        return 15;
    }

    static String number(double v) {
        double a = Math.abs(v);
        if (a >= 1e6) {
            return String.format(Locale.ROOT, "%.1fM", v / 1e6);
        }
        if (a >= 1e4) {
            return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        }
        if (a >= 100 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, a >= 1 ? "%.1f" : "%.3f", v);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
