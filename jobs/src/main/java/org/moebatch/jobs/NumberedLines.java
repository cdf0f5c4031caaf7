package org.moebatch.jobs;

import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * The lines of text files, each with where it came from ({@code prompts.jsonl:17}): a line that
 * cannot be read is reported, and identified, by its place in its file.
 */
final class NumberedLines {
    private NumberedLines() {}

    /** (source, line) pairs of every non-blank line; line numbers count from 1 within each file. */
    static JavaPairRDD<String, String> read(SparkSession spark, List<InputFiles.InputFile> files) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaPairRDD<String, String> all = null;
        for (InputFiles.InputFile file : files) {
            String name = file.name();
            // Hadoop's text splits come in file order, so zipWithIndex counts lines as an editor does.
            JavaRDD<Tuple2<String, Long>> numbered = jsc.textFile(file.path()).zipWithIndex().rdd().toJavaRDD();
            JavaPairRDD<String, String> lines = numbered
                    .filter(t -> !t._1().isBlank()) // blank lines are not rows
                    .mapToPair(t -> new Tuple2<>(name + ":" + (t._2() + 1), t._1()));
            all = all == null ? lines : all.union(lines);
        }
        return all;
    }
}
