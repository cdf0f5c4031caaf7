package org.moebatch.jobs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Arrow IPC files, the on-disk cache of Hugging Face {@code datasets} ({@code data-00000-of-00001.arrow},
 * Arrow's streaming format; the random-access file format is read too). Each file is read by one
 * task with Apache Arrow Java; strings, numbers, booleans, lists and structs map to Spark types.
 */
final class ArrowInput {
    private ArrowInput() {}

    /** The rows of {@code files}, typed by the first file's schema. */
    static Dataset<Row> read(SparkSession spark, List<String> files) {
        StructType schema;
        try (BufferAllocator allocator = new RootAllocator(); ArrowReader reader = open(files.get(0), allocator)) {
            schema = sparkType(reader.getVectorSchemaRoot().getSchema());
        } catch (IOException e) {
            throw new IllegalArgumentException("--input " + files.get(0) + ": not an Arrow IPC file: " + e.getMessage());
        }
        JavaRDD<String> paths = JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(files, files.size());
        JavaRDD<Row> rows = paths.flatMap(ArrowInput::rows);
        return spark.createDataFrame(rows, schema);
    }

    /** Hugging Face writes the streaming format; try it first, then the file format. */
    private static ArrowReader open(String file, BufferAllocator allocator) throws IOException {
        InputStream probe = Files.newInputStream(Paths.get(file));
        byte[] magic = probe.readNBytes(6);
        probe.close();
        if (new String(magic, java.nio.charset.StandardCharsets.US_ASCII).equals("ARROW1")) {
            return new ArrowFileReader(Files.newByteChannel(Paths.get(file)), allocator);
        }
        return new ArrowStreamReader(Files.newInputStream(Paths.get(file)), allocator);
    }

    private static Iterator<Row> rows(String file) throws IOException {
        List<Row> out = new ArrayList<>();
        try (BufferAllocator allocator = new RootAllocator(); ArrowReader reader = open(file, allocator)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            while (reader.loadNextBatch()) {
                List<FieldVector> vectors = root.getFieldVectors();
                for (int r = 0; r < root.getRowCount(); r++) {
                    Object[] values = new Object[vectors.size()];
                    for (int c = 0; c < values.length; c++) {
                        values[c] = spark(vectors.get(c).getObject(r), vectors.get(c).getField());
                    }
                    out.add(RowFactory.create(values));
                }
            }
        }
        return out.iterator();
    }

    static StructType sparkType(Schema schema) {
        StructType struct = new StructType();
        for (Field f : schema.getFields()) {
            struct = struct.add(f.getName(), sparkType(f), true);
        }
        return struct;
    }

    private static DataType sparkType(Field f) {
        ArrowType t = f.getType();
        switch (t.getTypeID()) {
            case Utf8:
            case LargeUtf8:
                return DataTypes.StringType;
            case Int:
                return ((ArrowType.Int) t).getBitWidth() > 32 ? DataTypes.LongType : DataTypes.IntegerType;
            case FloatingPoint:
                return ((ArrowType.FloatingPoint) t).getPrecision() == FloatingPointPrecision.DOUBLE
                        ? DataTypes.DoubleType : DataTypes.FloatType;
            case Bool:
                return DataTypes.BooleanType;
            case List:
            case LargeList:
            case FixedSizeList:
                return DataTypes.createArrayType(sparkType(f.getChildren().get(0)), true);
            case Struct: {
                List<StructField> fields = new ArrayList<>();
                for (Field child : f.getChildren()) {
                    fields.add(DataTypes.createStructField(child.getName(), sparkType(child), true));
                }
                return DataTypes.createStructType(fields);
            }
            default:
                return DataTypes.StringType; // dates, binaries and the rest pass through as text
        }
    }

    /** An Arrow Java value (Text, JsonStringArrayList, JsonStringHashMap, boxed numbers) as Spark expects it. */
    private static Object spark(Object value, Field f) {
        if (value == null) {
            return null;
        }
        ArrowType t = f.getType();
        switch (t.getTypeID()) {
            case Utf8:
            case LargeUtf8:
                return value.toString();
            case Int:
                return ((ArrowType.Int) t).getBitWidth() > 32 ? ((Number) value).longValue() : ((Number) value).intValue();
            case FloatingPoint:
                return ((ArrowType.FloatingPoint) t).getPrecision() == FloatingPointPrecision.DOUBLE
                        ? ((Number) value).doubleValue() : ((Number) value).floatValue();
            case Bool:
                return value;
            case List:
            case LargeList:
            case FixedSizeList: {
                List<Object> items = new ArrayList<>();
                for (Object item : (List<?>) value) {
                    items.add(spark(item, f.getChildren().get(0)));
                }
                return CollectionConverters.asScala(items).toSeq();
            }
            case Struct: {
                Map<?, ?> map = (Map<?, ?>) value;
                Object[] fields = new Object[f.getChildren().size()];
                for (int i = 0; i < fields.length; i++) {
                    Field child = f.getChildren().get(i);
                    fields[i] = spark(map.get(child.getName()), child);
                }
                return RowFactory.create(fields);
            }
            default:
                return value.toString();
        }
    }
}
