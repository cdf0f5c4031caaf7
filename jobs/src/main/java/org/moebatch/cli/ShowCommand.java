package org.moebatch.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.moebatch.jobs.ResultRows;
import org.moebatch.jobs.SparkSessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code moe-batch show DIR}: output rows, readably, on stdout. */
@Command(name = "show", mixinStandardHelpOptions = true, description = "Print rows of a generate output directory readably.")
final class ShowCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "An output directory of generate (Parquet or OpenAI batch lines).")
    String dir;

    @Option(names = "--limit", defaultValue = "10", converter = OptionChecks.Positive.class, description = "Rows to print (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--width", defaultValue = "400", converter = OptionChecks.Positive.class, description = "Characters of each completion to show (default: ${DEFAULT-VALUE}).")
    int width;

    @Override
    public Integer call() {
        SparkSession spark = SparkSessions.create("moe-batch show", "local[1]", java.util.Map.of());
        try {
            Dataset<Row> rows = ResultRows.read(spark, dir);
            long total = rows.count();
            List<Row> shown = rows.orderBy("id").limit(limit).collectAsList();
            for (Row row : shown) {
                System.out.println(ResultRows.describe(row, width));
            }
            System.out.printf("%d of %d rows in %s%n", shown.size(), total, dir);
            if (ResultRows.incomplete(dir)) {
                System.out.printf("incomplete run: %d rows so far; finish with --resume%n", total);
            }
        } finally {
            spark.stop();
        }
        return 0;
    }
}
