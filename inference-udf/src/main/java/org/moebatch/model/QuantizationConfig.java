package org.moebatch.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code config.json}'s {@code quantization_config}: how the checkpoint's linear layers are stored.
 * Anything this engine would compute differently from the checkpoint's own reference semantics
 * (activation quantisation, asymmetric or reordered groups, other bit widths) is refused here,
 * naming the key, rather than loaded wrongly.
 */
public sealed interface QuantizationConfig {
    /** No {@code quantization_config}: every weight is F32, BF16 or F16. */
    QuantizationConfig NONE = new None();

    /** Plain weights. */
    record None() implements QuantizationConfig {}

    /**
     * DeepSeek-V3 / Kimi K2 FP8: {@code {"quant_method": "fp8", "fmt": "e4m3", "activation_scheme":
     * "dynamic", "weight_block_size": [128, 128]}}. Which weights are FP8 is told by their dtype, as in
     * DeepSeek-V3's own fp8_cast_bf16.py (an F8_E4M3 weight has a {@code weight_scale_inv}); the rest
     * stay BF16. Activations are computed in float32 on the dequantised weights.
     */
    record Fp8Blocks(int blockRows, int blockCols) implements QuantizationConfig {}

    /**
     * compressed-tensors {@code pack-quantized} symmetric INT4 weights in groups along the input
     * dimension (Kimi K2-Thinking: group 32, every {@code Linear} but the {@code ignore} list).
     */
    record PackedInt4(List<Group> groups, List<String> ignore) implements QuantizationConfig {
        public PackedInt4 {
            groups = List.copyOf(groups);
            ignore = List.copyOf(ignore);
        }

        /** One of {@code config_groups}: its name, group size and {@code targets}. */
        public record Group(String name, int groupSize, List<String> targets) {
            public Group {
                targets = List.copyOf(targets);
            }
        }

        /** Whether {@code ignore} names the linear module {@code module} (e.g. {@code model.layers.0.mlp.down_proj}). */
        public boolean ignores(String module) {
            for (String target : ignore) {
                if (target.equals("Linear") || matchesName(module, target)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * The group whose {@code targets} take the linear module {@code module}, or {@code null}.
         * As compressed-tensors' match_targets orders them: an exact name first, then a
         * {@code re:} pattern, then the class name {@code Linear} (every module asked about here is
         * an {@code nn.Linear}; an expert MLP's projections included).
         */
        public Group groupOf(String module) {
            for (int kind = 0; kind < 3; kind++) {
                for (Group g : groups) {
                    for (String target : g.targets()) {
                        boolean regex = target.startsWith("re:");
                        boolean hit = switch (kind) {
                            case 0 -> !regex && target.equals(module);
                            case 1 -> regex && matchesName(module, target);
                            default -> target.equals("Linear");
                        };
                        if (hit) {
                            return g;
                        }
                    }
                }
            }
            return null;
        }

        /**
         * compressed-tensors' match_name: {@code "re:PATTERN"} is Python's {@code re.match}, anchored at
         * the start of the name only ({@code lookingAt}); anything else must equal the name.
         */
        static boolean matchesName(String module, String target) {
            if (target.startsWith("re:")) {
                return Pattern.compile(target.substring(3)).matcher(module).lookingAt();
            }
            return target.equals(module);
        }
    }

    /** Parses {@code quantization_config}; absent or null is {@link #NONE}. */
    static QuantizationConfig fromConfig(JsonNode q) {
        if (q == null || q.isNull()) {
            return NONE;
        }
        if (!q.isObject()) {
            throw new ModelException("quantization_config must be an object, is " + q);
        }
        String method = text(q, "quant_method", "");
        switch (method) {
            case "fp8":
                return fp8(q);
            case "compressed-tensors":
                return compressedTensors(q);
            default:
                throw new ModelException("unsupported quantization_config.quant_method \"" + method
                        + "\" (supported: fp8 with weight_block_size, compressed-tensors pack-quantized int4)");
        }
    }

    private static QuantizationConfig fp8(JsonNode q) {
        String fmt = text(q, "fmt", "e4m3");
        if (!fmt.equals("e4m3")) {
            throw new ModelException("unsupported quantization_config.fmt \"" + fmt + "\" (supported: e4m3)");
        }
        String activations = text(q, "activation_scheme", "dynamic");
        if (!activations.equals("dynamic")) {
            throw new ModelException("unsupported quantization_config.activation_scheme \"" + activations
                    + "\": static activation scales are not applied by this engine (supported: dynamic)");
        }
        JsonNode block = q.get("weight_block_size");
        if (block == null || block.isNull()) {
            throw new ModelException("quantization_config has no weight_block_size: only block-scaled FP8 "
                    + "(weight_scale_inv per block, as DeepSeek-V3 and Kimi K2 ship) is supported");
        }
        if (!block.isArray() || block.size() != 2 || !positiveInt(block.get(0)) || !positiveInt(block.get(1))) {
            throw new ModelException("quantization_config.weight_block_size must be two positive integers, is " + block);
        }
        return new Fp8Blocks(block.get(0).asInt(), block.get(1).asInt());
    }

    private static QuantizationConfig compressedTensors(JsonNode q) {
        String where = "quantization_config";
        String format = text(q, "format", null);
        for (String key : List.of("kv_cache_scheme", "sparsity_config", "transform_config")) {
            JsonNode v = q.get(key);
            if (v != null && !v.isNull() && !(v.isObject() && v.isEmpty())) {
                throw new ModelException(where + "." + key + " is set; this engine supports weight-only quantisation");
            }
        }
        JsonNode groups = q.get("config_groups");
        if (groups == null || !groups.isObject() || groups.isEmpty()) {
            throw new ModelException(where + ".config_groups must be a non-empty object, is " + groups);
        }
        List<PackedInt4.Group> parsed = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = groups.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            parsed.add(group(where + ".config_groups." + e.getKey(), e.getKey(), e.getValue(), format));
        }
        List<String> ignore = strings(q.get("ignore"), where + ".ignore", true);
        return new PackedInt4(parsed, ignore);
    }

    private static PackedInt4.Group group(String where, String name, JsonNode g, String topFormat) {
        if (!g.isObject()) {
            throw new ModelException(where + " must be an object, is " + g);
        }
        String format = text(g, "format", topFormat);
        if (format == null || !format.equals("pack-quantized")) {
            throw new ModelException(where + ": unsupported format \"" + format + "\" (supported: pack-quantized)");
        }
        for (String key : List.of("input_activations", "output_activations")) {
            JsonNode v = g.get(key);
            if (v != null && !v.isNull()) {
                throw new ModelException(where + "." + key + " is set; activations are not quantised by this engine");
            }
        }
        JsonNode w = g.get("weights");
        if (w == null || !w.isObject()) {
            throw new ModelException(where + ".weights must be an object, is " + w);
        }
        String wWhere = where + ".weights";
        JsonNode bits = w.get("num_bits");
        if (bits == null || !bits.isIntegralNumber() || bits.asInt() != 4) {
            throw new ModelException(wWhere + ".num_bits is " + bits + " (supported: 4)");
        }
        String type = text(w, "type", "int");
        if (!type.equals("int")) {
            throw new ModelException(wWhere + ".type is \"" + type + "\" (supported: int)");
        }
        JsonNode symmetric = w.get("symmetric");
        if (symmetric != null && !symmetric.isNull() && !(symmetric.isBoolean() && symmetric.asBoolean())) {
            throw new ModelException(wWhere + ".symmetric is " + symmetric
                    + ": asymmetric groups carry zero points this engine does not apply (supported: true)");
        }
        String strategy = text(w, "strategy", "");
        if (!strategy.equals("group")) {
            throw new ModelException(wWhere + ".strategy is \"" + strategy + "\" (supported: group)");
        }
        JsonNode groupSize = w.get("group_size");
        if (!positiveInt(groupSize)) {
            throw new ModelException(wWhere + ".group_size must be a positive integer, is " + groupSize);
        }
        String actorder = text(w, "actorder", "static");
        if (!actorder.equals("static")) {
            throw new ModelException(wWhere + ".actorder is \"" + actorder
                    + "\": reordered groups need weight_g_idx, which this engine does not apply");
        }
        JsonNode dynamic = w.get("dynamic");
        if (dynamic != null && !dynamic.isNull() && !(dynamic.isBoolean() && !dynamic.asBoolean())) {
            throw new ModelException(wWhere + ".dynamic is " + dynamic + " (supported: false)");
        }
        List<String> targets = strings(g.get("targets"), where + ".targets", false);
        if (targets.isEmpty()) {
            throw new ModelException(where + ".targets is empty");
        }
        return new PackedInt4.Group(name, groupSize.asInt(), targets);
    }

    private static List<String> strings(JsonNode node, String where, boolean optional) {
        List<String> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            if (optional) {
                return out;
            }
            throw new ModelException(where + " is missing");
        }
        if (!node.isArray()) {
            throw new ModelException(where + " must be a list of strings, is " + node);
        }
        for (JsonNode n : node) {
            if (!n.isTextual()) {
                throw new ModelException(where + " must be a list of strings; holds " + n);
            }
            String s = n.asText();
            if (s.startsWith("re:")) {
                try {
                    Pattern.compile(s.substring(3));
                } catch (PatternSyntaxException bad) {
                    throw new ModelException(where + ": bad pattern \"" + s + "\": " + bad.getDescription());
                }
            }
            out.add(s);
        }
        return out;
    }

    private static boolean positiveInt(JsonNode n) {
        return n != null && n.isIntegralNumber() && n.canConvertToInt() && n.asInt() > 0;
    }

    private static String text(JsonNode node, String key, String fallback) {
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? fallback : v.asText();
    }
}
