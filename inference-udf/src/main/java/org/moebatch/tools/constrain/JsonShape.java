package org.moebatch.tools.constrain;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a JSON schema allows, in the form the decoder walks: the kinds of value it accepts and,
 * per kind, the constraints a prefix can be checked against (properties and required ones,
 * item shape, enumerated values, lengths). Covers the schema keywords tool declarations use:
 * {@code type} (one or a list), {@code properties}, {@code required},
 * {@code additionalProperties: false}, {@code items}, {@code minItems}, {@code maxItems},
 * {@code enum}, {@code const}, {@code maxLength}, {@code minimum}/{@code maximum} and their exclusive
 * forms, {@code anyOf}/{@code oneOf} of different types.
 */
final class JsonShape {
    static final int OBJECT = 1;
    static final int ARRAY = 2;
    static final int STRING = 4;
    static final int NUMBER = 8;
    static final int INTEGER = 16;
    static final int BOOLEAN = 32;
    static final int NULL = 64;
    static final int ANY_TYPE = OBJECT | ARRAY | STRING | NUMBER | BOOLEAN | NULL;

    /** Longest string, number and array the decoder lets a call write: generation must end. */
    static final int MAX_STRING_BYTES = 1024;
    static final int MAX_NUMBER_BYTES = 24;
    static final int MAX_ITEMS = 64;
    static final int MAX_DEPTH = 16;

    final int types;
    final Map<String, JsonShape> properties;   // null: any property names
    final List<String> propertyOrder;
    final List<String> required;
    final JsonShape items;                     // null: any items
    final int minItems;
    final int maxItems;
    final int maxLength;
    final List<byte[]> enumLiterals;           // JSON texts of the allowed values, null when unrestricted
    final NumberBounds bounds;                 // null: any number

    private JsonShape(int types, Map<String, JsonShape> properties, List<String> required, JsonShape items,
            int minItems, int maxItems, int maxLength, List<byte[]> enumLiterals, NumberBounds bounds) {
        this.types = types;
        this.properties = properties;
        this.propertyOrder = properties == null ? List.of() : List.copyOf(properties.keySet());
        this.required = required;
        this.items = items;
        this.minItems = minItems;
        this.maxItems = maxItems;
        this.maxLength = maxLength;
        this.enumLiterals = enumLiterals;
        this.bounds = bounds;
    }

    static JsonShape any() {
        return new JsonShape(ANY_TYPE, null, List.of(), null, 0, MAX_ITEMS, MAX_STRING_BYTES, null, null);
    }

    static JsonShape of(JsonNode schema) {
        return of(schema, 0);
    }

    private static JsonShape of(JsonNode schema, int depth) {
        if (schema == null || !schema.isObject() || depth > MAX_DEPTH) {
            return any();
        }
        List<byte[]> literals = null;
        if (schema.has("const")) {
            literals = List.of(schema.get("const").toString().getBytes(StandardCharsets.UTF_8));
        } else if (schema.path("enum").isArray()) {
            literals = new ArrayList<>();
            for (JsonNode v : schema.get("enum")) {
                literals.add(v.toString().getBytes(StandardCharsets.UTF_8));
            }
        }
        int types = 0;
        JsonNode type = schema.get("type");
        if (type != null && type.isTextual()) {
            types = typeBit(type.asText());
        } else if (type != null && type.isArray()) {
            for (JsonNode t : type) {
                types |= typeBit(t.asText());
            }
        }
        Map<String, JsonShape> properties = null;
        List<String> required = new ArrayList<>();
        JsonShape items = null;
        for (String union : new String[] {"anyOf", "oneOf"}) {
            if (schema.path(union).isArray()) {
                // Alternatives of different types: the first byte of a value tells them apart.
                for (JsonNode alternative : schema.get(union)) {
                    JsonShape a = of(alternative, depth + 1);
                    types |= a.types;
                    if (a.properties != null) {
                        properties = a.properties;
                        required = a.required;
                    }
                    if (a.items != null) {
                        items = a.items;
                    }
                }
            }
        }
        if (schema.path("properties").isObject()) {
            properties = new LinkedHashMap<>();
            for (var it = schema.get("properties").fields(); it.hasNext();) {
                var f = it.next();
                properties.put(f.getKey(), of(f.getValue(), depth + 1));
            }
            if (schema.path("required").isArray()) {
                required = new ArrayList<>();
                for (JsonNode r : schema.get("required")) {
                    required.add(r.asText());
                }
            }
            types |= types == 0 ? OBJECT : 0;
        }
        if (schema.has("items")) {
            items = of(schema.get("items"), depth + 1);
            types |= types == 0 ? ARRAY : 0;
        }
        if (types == 0) {
            types = ANY_TYPE;
        }
        int maxLength = schema.path("maxLength").isIntegralNumber()
                ? Math.min(MAX_STRING_BYTES, schema.get("maxLength").asInt()) : MAX_STRING_BYTES;
        int minItems = Math.max(0, schema.path("minItems").asInt(0));
        int maxItems = schema.path("maxItems").isIntegralNumber() ? Math.min(MAX_ITEMS, schema.get("maxItems").asInt()) : MAX_ITEMS;
        return new JsonShape(types, properties, List.copyOf(required), items, minItems, maxItems, maxLength, literals,
                NumberBounds.of(schema));
    }

    private static int typeBit(String type) {
        switch (type) {
            case "object":
                return OBJECT;
            case "array":
                return ARRAY;
            case "string":
                return STRING;
            case "number":
                return NUMBER;
            case "integer":
                return INTEGER;
            case "boolean":
                return BOOLEAN;
            case "null":
                return NULL;
            default:
                return ANY_TYPE;
        }
    }

    boolean allows(int kind) {
        return (types & kind) != 0;
    }

    /** Numbers at all: integers, or numbers with fraction and exponent. */
    boolean allowsNumber() {
        return (types & (NUMBER | INTEGER)) != 0;
    }

    JsonShape propertyShape(String name) {
        if (properties == null) {
            return any();
        }
        JsonShape s = properties.get(name);
        return s == null ? any() : s;
    }
}
