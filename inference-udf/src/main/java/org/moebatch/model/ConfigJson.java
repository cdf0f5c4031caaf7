package org.moebatch.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed reads of one object of a checkpoint's {@code config.json} (the root, or a block such as
 * {@code rope_scaling}). A key that is absent or null takes the default the caller names, as
 * Hugging Face's config classes do; a value of the wrong type is an error naming the key and the
 * value found, never read as something else.
 */
final class ConfigJson {
    private final JsonNode node;

    ConfigJson(JsonNode node) {
        this.node = node;
    }

    /** {@code value}, read from {@code key}, when it is positive; otherwise an error naming the key. */
    static int positive(String key, int value) {
        if (value <= 0) {
            throw new ModelException(key + " must be positive, is " + value);
        }
        return value;
    }

    /** The raw value of {@code key}: null when absent, a JSON null node when written as null. */
    JsonNode get(String key) {
        return node.get(key);
    }

    /** Whether {@code key} is present with a value other than null. */
    boolean hasValue(String key) {
        return node.hasNonNull(key);
    }

    /** Whether {@code key} is written as an explicit null (which some config classes read as "none"). */
    boolean isExplicitNull(String key) {
        return node.has(key) && node.get(key).isNull();
    }

    String text(String key, String fallback) {
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? fallback : v.asText();
    }

    int integer(String key, int fallback) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new ModelException(key + " must be an integer, is " + v);
        }
        return v.asInt();
    }

    double number(String key, double fallback) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw new ModelException(key + " must be a number, is " + v);
        }
        return v.asDouble();
    }

    boolean bool(String key, boolean fallback) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw new ModelException(key + " must be true or false, is " + v);
        }
        return v.asBoolean();
    }

    /** A list of layer indices; empty when absent or null. */
    List<Integer> layerIndices(String key) {
        JsonNode v = node.get(key);
        List<Integer> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (!v.isArray()) {
            throw new ModelException(key + " must be a list of layer indices, is " + v);
        }
        for (JsonNode n : v) {
            if (!n.isIntegralNumber()) {
                throw new ModelException(key + " must be a list of layer indices, has " + n);
            }
            out.add(n.asInt());
        }
        return out;
    }

    /** {@code bos_token_id}, or {@code fallback} when absent or null. */
    int bosTokenId(int fallback) {
        return node.hasNonNull("bos_token_id") ? node.get("bos_token_id").asInt() : fallback;
    }

    /** {@code eos_token_id}: one id or a list of them (generation stops at any); [1] when absent or null. */
    List<Integer> eosTokenIds() {
        JsonNode v = node.get("eos_token_id");
        if (v == null || v.isNull()) {
            return List.of(1);
        }
        if (v.isArray()) {
            List<Integer> ids = new ArrayList<>();
            v.forEach(n -> ids.add(n.asInt()));
            return ids;
        }
        return List.of(v.asInt());
    }

    /** {@code quantization_config}, {@link QuantizationConfig#NONE} when absent. */
    QuantizationConfig quantization() {
        return QuantizationConfig.fromConfig(node.get("quantization_config"));
    }
}
