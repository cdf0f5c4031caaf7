package org.moebatch.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.Iterable;
import scala.jdk.javaapi.CollectionConverters;

/** A Spark value of a known type as JSON: how struct columns (messages, tools) become chat data. */
final class SparkJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private SparkJson() {}

    static JsonNode toJson(Object value, DataType type) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (type instanceof StructType) {
            StructType struct = (StructType) type;
            Row row = (Row) value;
            ObjectNode object = NODES.objectNode();
            StructField[] fields = struct.fields();
            for (int i = 0; i < fields.length && i < row.length(); i++) {
                object.set(fields[i].name(), toJson(row.isNullAt(i) ? null : row.get(i), fields[i].dataType()));
            }
            return object;
        }
        if (type instanceof ArrayType) {
            ArrayNode array = NODES.arrayNode();
            for (Object element : elements(value)) {
                array.add(toJson(element, ((ArrayType) type).elementType()));
            }
            return array;
        }
        if (type instanceof MapType) {
            ObjectNode object = NODES.objectNode();
            Map<?, ?> map = value instanceof scala.collection.Map
                    ? CollectionConverters.asJava((scala.collection.Map<?, ?>) value) : (Map<?, ?>) value;
            map.forEach((k, v) -> object.set(String.valueOf(k), toJson(v, ((MapType) type).valueType())));
            return object;
        }
        if (value instanceof Number) {
            return value instanceof Double || value instanceof Float ? NODES.numberNode(((Number) value).doubleValue())
                    : NODES.numberNode(((Number) value).longValue());
        }
        if (value instanceof Boolean) {
            return NODES.booleanNode((Boolean) value);
        }
        return NODES.textNode(value.toString());
    }

    static java.util.List<?> elements(Object value) {
        if (value instanceof java.util.List) {
            return (java.util.List<?>) value;
        }
        if (value instanceof Iterable) {
            return new java.util.ArrayList<>(CollectionConverters.asJavaCollection((Iterable<?>) value));
        }
        if (value instanceof Collection) {
            return new java.util.ArrayList<>((Collection<?>) value);
        }
        if (value instanceof Object[]) {
            return java.util.Arrays.asList((Object[]) value);
        }
        throw new IllegalArgumentException("not an array: " + value.getClass().getSimpleName());
    }
}
