package org.moebatch.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.moebatch.eval.EvalCompare;
import org.moebatch.eval.Metric;
import org.moebatch.jobs.SparkSessions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code moe-batch eval-compare RUN_A RUN_B}: paired per-row differences of two eval runs with a significance test. */
@Command(name = "eval-compare", mixinStandardHelpOptions = true,
        description = "Compare two eval runs over the same set, row by row (joined by id): per metric the means, the mean "
                + "difference B - A with its 95%% interval, and McNemar's exact test (0/1 metrics) or a paired t-test.")
final class EvalCompareCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_A", description = "Output directory of the first eval run.")
    String runA;

    @Parameters(index = "1", paramLabel = "RUN_B", description = "Output directory of the second eval run.")
    String runB;

    @Option(names = "--metric", paramLabel = "NAME", description = "Metric to compare (repeatable; default: every metric both runs scored).")
    List<String> metrics = new ArrayList<>();

    @Option(names = "--json", description = "Print the comparison as one JSON object instead of a table.")
    boolean json;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: local[*], or spark-submit's).")
    String master;

    @Override
    public Integer call() {
        List<Metric> chosen = Metric.parseAll(metrics);
        SparkSession spark = SparkSessions.create("moe-batch eval-compare", master, java.util.Map.of());
        try {
            ObjectNode comparison = EvalCompare.compare(spark, runA, runB, chosen);
            System.out.print(json ? comparison.toPrettyString() + "\n" : EvalCompare.table(comparison));
        } finally {
            spark.stop();
        }
        return 0;
    }
}
