package org.moebatch.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.moebatch.testing.Samples;

/**
 * {@code moe_complete}, the SQL function the RAPIDS Accelerator runs columnar: its row-wise path in
 * local Spark (no plugin) and its batch path. The columnar path over real cuDF columns is tested in
 * rapids-udf (-Prapids).
 */
class MoeCompleteTest {
    private static SparkSession spark;
    private static GenerateOptions options;
    private static final String[] PROMPTS = {"Summarise: the meeting moved to Thursday.", null, "Xin chào, bạn khỏe không?", ""};

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("moe-complete").config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
        GenerateOptions d = GenerateOptions.defaults(Samples.model("k2-tiny-chat").toString());
        options = new GenerateOptions(d.modelDir(), "cpu", 2, 64, 8, 256, 12, 0, 1, 0, 0L, null, List.of(), null, 8);
        MoeFunctions.register(spark, options);
    }

    @AfterAll
    static void stop() {
        spark.stop();
        EngineCache.closeAll();
    }

    @Test
    void withoutTheRapidsBuildTheRowWiseFunctionIsRegistered() {
        // the default build has neither the plugin's jar nor the columnar class on its classpath
        assertEquals(CompleteUdf.class, MoeFunctions.completeFunction(options).getClass());
    }

    @Test
    void sqlRowsBatchAndMoeGenerateAgree() {
        String[] batch = CompletionBatch.complete(options, PROMPTS);
        assertNotNull(batch[0]);
        assertNull(batch[1], "a null prompt gives null");
        assertNull(batch[3], "an empty prompt is a failed row: null (moe_generate says why)");
        StructType schema = new StructType().add("i", DataTypes.IntegerType).add("p", DataTypes.StringType);
        List<Row> rows = Arrays.asList(RowFactory.create(0, PROMPTS[0]), RowFactory.create(1, PROMPTS[1]),
                RowFactory.create(2, PROMPTS[2]), RowFactory.create(3, PROMPTS[3]));
        spark.createDataFrame(rows, schema).createOrReplaceTempView("prompts");
        List<Row> out = spark.sql("SELECT i, moe_complete(p) AS c, moe_generate(p).completion AS g, moe_generate(p).error AS e "
                + "FROM prompts ORDER BY i").collectAsList();
        for (Row r : out) {
            int i = r.getInt(0);
            assertEquals(batch[i], r.getString(1), "row " + i + ": SQL vs batch");
            if (r.getString(3) == null) {
                assertEquals(r.getString(2), r.getString(1), "row " + i + ": moe_complete vs moe_generate");
            }
        }
        assertNotNull(out.get(3).getString(3), "the failed row's error is in moe_generate");
    }
}
