package org.moebatch.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * Rotary position embedding as {@code config.json} describes it.
 *
 * @param theta      the base of the rotation frequencies ({@code rope_theta})
 * @param scaling    the context extension ({@code rope_scaling}); {@link RopeScaling#none()} for plain RoPE
 * @param interleave whether RoPE pairs are adjacent elements (DeepSeek's official layout) or the two halves
 */
public record RopeSpec(double theta, RopeScaling scaling, boolean interleave) {

    /**
     * Reads {@code rope_theta} and {@code rope_scaling}, or transformers v5's {@code rope_parameters}
     * which carries both; {@code defaultTheta} is the family's when neither names a theta.
     */
    static RopeSpec fromConfig(ConfigJson c, double defaultTheta, boolean interleave, int maxPositions) {
        JsonNode rope = c.hasValue("rope_scaling") ? c.get("rope_scaling") : c.get("rope_parameters");
        double theta = c.number("rope_theta",
                rope != null && rope.has("rope_theta") ? rope.get("rope_theta").asDouble() : defaultTheta);
        return new RopeSpec(theta, scaling(rope, maxPositions), interleave);
    }

    private static RopeScaling scaling(JsonNode node, int maxPositions) {
        if (node == null || node.isNull()) {
            return RopeScaling.none();
        }
        ConfigJson rope = new ConfigJson(node);
        String type = rope.text("rope_type", rope.text("type", "default")).toLowerCase(Locale.ROOT);
        if (type.equals("default")) {
            return RopeScaling.none();
        }
        if (!type.equals("yarn")) {
            throw new ModelException("unsupported rope_scaling type \"" + type + "\" (supported: yarn)");
        }
        return new RopeScaling("yarn",
                rope.number("factor", 1.0),
                rope.integer("original_max_position_embeddings", maxPositions),
                // transformers reads these as `rope_scaling.get("beta_fast") or 32`: a 0 counts as absent
                nonZero(node, "beta_fast", 32),
                nonZero(node, "beta_slow", 1),
                rope.number("mscale", 0.0),
                rope.number("mscale_all_dim", 0.0),
                rope.number("attention_factor", 0.0));
    }

    private static double nonZero(JsonNode rope, String key, double fallback) {
        return rope.hasNonNull(key) && rope.get(key).asDouble() != 0 ? rope.get(key).asDouble() : fallback;
    }
}
