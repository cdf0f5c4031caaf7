package org.moebatch.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.moebatch.spark.JobStats;

/**
 * Everything a job's report shows: the summary, throughput over time, the rows' distributions,
 * tool use, the experts' load, the cost ledger, and any tables the job adds (an eval's scores, a
 * datagen's filters). Written beside the output as {@code _report/report.json} and
 * {@code _report/report.html}; the underscore keeps Spark's readers from taking it for data.
 */
public record JobReport(String job, JobSummary summary, String device, Instant startedAt, Timeline timeline,
        JobStats stats, CostModel.Ledger cost, List<Table> tables) {

    /** A titled table of text cells. */
    public record Table(String title, List<String> header, List<List<String>> rows) {}

    public static final String DIRECTORY = "_report";

    /** Adds a table (the job's own results) to the report. */
    public JobReport with(Table table) {
        List<Table> more = new java.util.ArrayList<>(tables);
        more.add(table);
        return new JobReport(job, summary, device, startedAt, timeline, stats, cost, List.copyOf(more));
    }

    /** Writes {@code report.json} and {@code report.html} under {@code output/_report}; returns the HTML's path. */
    public Path write(FileSystem fs, Path output) throws IOException {
        Path dir = new Path(output, DIRECTORY);
        fs.mkdirs(dir);
        write(fs, new Path(dir, "report.json"), ReportJson.of(this).toPrettyString());
        Path html = new Path(dir, "report.html");
        write(fs, html, ReportHtml.render(this));
        return html;
    }

    private static void write(FileSystem fs, Path file, String text) throws IOException {
        try (OutputStream out = fs.create(file, true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}
