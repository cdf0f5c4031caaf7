package org.moebatch.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.moebatch.spark.RowParser;

/**
 * JSON lines for {@code generate}. Each line is checked with Jackson first, where its JSON types are
 * still known: a line that is not a JSON object, or whose prompt is a number, becomes a row whose
 * {@code input_error} names its file and line. Then Spark parses the lines with a schema inferred
 * from them, the columns the row parser reads kept as text (it reads numbers from text and names bad
 * ones), passthrough columns as Spark infers them.
 */
final class JsonLineInput {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A line before Spark parses it: where it is, its text, whether it is a JSON object, what is wrong with it. */
    private static final StructType LINES = new StructType()
            .add(InputReader.SOURCE, DataTypes.StringType, false)
            .add("_line", DataTypes.StringType, false)
            .add("_object", DataTypes.BooleanType, false)
            .add("input_error", DataTypes.StringType, true);

    private JsonLineInput() {}

    static Dataset<Row> read(SparkSession spark, List<InputFiles.InputFile> files) {
        JavaRDD<Row> checked = NumberedLines.read(spark, files).map(t -> check(t._1(), t._2()));
        Dataset<Row> lines = spark.createDataFrame(checked, LINES);
        Dataset<String> objects = lines.filter(functions.col("_object")).select("_line").as(Encoders.STRING());
        StructType schema = new StructType();
        for (StructField f : spark.read().json(objects).schema().fields()) {
            schema = schema.add(RowParser.RECOGNIZED.contains(f.name())
                    ? new StructField(f.name(), DataTypes.StringType, true, f.metadata()) : f);
        }
        Dataset<Row> parsed = lines.withColumn("_row", functions.when(functions.col("_object"),
                functions.from_json(functions.col("_line"), schema)));
        List<String> select = new java.util.ArrayList<>();
        for (String c : schema.fieldNames()) {
            select.add("_row.`" + c + "`");
        }
        select.add(InputReader.SOURCE);
        select.add("input_error");
        return parsed.selectExpr(select.toArray(new String[0]));
    }

    /** A line as (source, text, is-an-object, error or null). */
    static Row check(String source, String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            return RowFactory.create(source, line, false, source + " is not valid JSON: " + snippet(line));
        }
        if (node == null || !node.isObject()) {
            return RowFactory.create(source, line, false, source + " is not a JSON object: " + snippet(line));
        }
        String error = JsonRowFields.typeError(node);
        return RowFactory.create(source, line, true, error == null ? null : source + ": " + error);
    }

    private static String snippet(String line) {
        return line.length() > 120 ? line.substring(0, 120) + "…" : line;
    }
}
