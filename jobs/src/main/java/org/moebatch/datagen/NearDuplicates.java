package org.moebatch.datagen;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Near-duplicate detection over a dataset of texts with MinHash and banded LSH: rows whose
 * signatures agree on a whole band are candidates, candidates whose estimated Jaccard similarity
 * reaches the threshold are duplicates, and of each duplicate pair the later row (higher rank) is the
 * one reported. No all-pairs comparison: the work grows with the candidates, not with rows squared.
 */
public final class NearDuplicates {
    private static final StructType SIGNED = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("rank", DataTypes.LongType, false)
            .add("sig", DataTypes.createArrayType(DataTypes.LongType, false), false);
    private static final StructType BANDED = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("rank", DataTypes.LongType, false)
            .add("band", DataTypes.IntegerType, false)
            .add("key", DataTypes.LongType, false);
    private static final StructType SCORED = new StructType()
            .add("id", DataTypes.StringType, false)
            .add("earlier_rank", DataTypes.LongType, false)
            .add("earlier_id", DataTypes.StringType, false)
            .add("similarity", DataTypes.DoubleType, false);

    private NearDuplicates() {}

    /**
     * {@code rows} has {@code id} (string), {@code rank} (long: lower is kept) and {@code text}.
     * Returns {@code id, duplicate_of, similarity} for every row with a lower-ranked near-duplicate
     * (the lowest-ranked one it matches).
     */
    public static Dataset<Row> find(Dataset<Row> rows, double threshold) {
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("--dedup-threshold must be in (0, 1], is " + threshold);
        }
        Dataset<Row> signed = rows.select("id", "rank", "text").map((MapFunction<Row, Row>) r -> {
            long[] sig = MinHash.signature(r.getString(2) == null ? "" : r.getString(2));
            Long[] boxed = new Long[sig.length];
            for (int i = 0; i < sig.length; i++) {
                boxed[i] = sig[i];
            }
            return RowFactory.create(r.getString(0), r.getLong(1), boxed);
        }, Encoders.row(SIGNED)).cache();

        Dataset<Row> banded = signed.flatMap((FlatMapFunction<Row, Row>) r -> {
            long[] keys = MinHash.bands(longs(r.getList(2)));
            List<Row> out = new ArrayList<>(keys.length);
            for (int b = 0; b < keys.length; b++) {
                out.add(RowFactory.create(r.getString(0), r.getLong(1), b, keys[b]));
            }
            return out.iterator();
        }, Encoders.row(BANDED));

        Dataset<Row> a = banded.toDF("a_id", "a_rank", "band", "key");
        Dataset<Row> b = banded.toDF("b_id", "b_rank", "band", "key");
        Dataset<Row> candidates = a.join(b, a.col("band").equalTo(b.col("band")).and(a.col("key").equalTo(b.col("key")))
                        .and(a.col("a_rank").lt(b.col("b_rank"))))
                .select("a_id", "a_rank", "b_id").distinct();

        Dataset<Row> sigA = signed.toDF("a_id", "a_rank_", "a_sig");
        Dataset<Row> sigB = signed.toDF("b_id", "b_rank_", "b_sig");
        Dataset<Row> scored = candidates.join(sigA, "a_id").join(sigB, "b_id")
                .select("b_id", "a_rank", "a_id", "a_sig", "b_sig")
                .map((MapFunction<Row, Row>) r -> RowFactory.create(r.getString(0), r.getLong(1), r.getString(2),
                        MinHash.similarity(longs(r.getList(3)), longs(r.getList(4)))), Encoders.row(SCORED))
                .filter(functions.col("similarity").geq(threshold));

        Dataset<Row> earliest = scored.groupBy("id")
                .agg(functions.min(functions.struct("earlier_rank", "earlier_id", "similarity")).as("m"));
        return earliest.select(functions.col("id"), functions.col("m.earlier_id").as("duplicate_of"),
                functions.col("m.similarity").as("similarity"));
    }

    private static long[] longs(List<Long> list) {
        long[] out = new long[list.size()];
        Iterator<Long> it = list.iterator();
        for (int i = 0; i < out.length; i++) {
            out[i] = it.next();
        }
        return out;
    }
}
