package org.moebatch.model;

/**
 * The {@code rope_scaling} (or {@code rope_parameters}) block of {@code config.json}. Only YaRN
 * changes anything for this architecture; {@code none()} stands for plain RoPE.
 *
 * @param type                 "yarn", or "default" for none
 * @param factor               context extension factor (Kimi K2: 32)
 * @param originalMaxPositions the pre-extension context, {@code original_max_position_embeddings}
 * @param betaFast             rotations above which a frequency is kept as is
 * @param betaSlow             rotations below which a frequency is fully interpolated
 * @param mscale               YaRN's magnitude scale for the rotary embedding; 0 when absent
 * @param mscaleAllDim         YaRN's magnitude scale applied to the softmax scale; 0 when absent
 * @param attentionFactor      an explicit {@code attention_factor}; 0 when absent
 */
public record RopeScaling(String type, double factor, int originalMaxPositions, double betaFast,
        double betaSlow, double mscale, double mscaleAllDim, double attentionFactor) {

    public static RopeScaling none() {
        return new RopeScaling("default", 1.0, 0, 32, 1, 0, 0, 0);
    }

    public boolean isYarn() {
        return "yarn".equals(type);
    }
}
