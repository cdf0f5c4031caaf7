package org.moebatch.model;

import org.moebatch.backend.Rotary;

/**
 * Rotary position embedding of queries and keys (MLA: their rope part), with YaRN context
 * extension. Follows {@code _compute_yarn_parameters} of Hugging Face transformers: frequencies
 * between the {@code beta_fast} and {@code beta_slow} correction dimensions are blended between
 * original and interpolated ({@code / factor}), and cos and sin carry the attention factor
 * {@code mscale(factor, mscale) / mscale(factor, mscale_all_dim)}. The backends see it as a {@link Rotary}.
 */
public final class RotaryEmbedding implements Rotary {
    private final float[] inverseFrequencies; // [rope / 2]
    private final float attentionFactor;
    private final boolean interleaved;
    private final int dim;

    public RotaryEmbedding(ModelSpec spec) {
        this.dim = spec.ropeDim();
        this.interleaved = spec.ropeInterleave();
        RopeScaling scaling = spec.ropeScaling();
        double base = spec.ropeTheta();
        int half = dim / 2;
        inverseFrequencies = new float[half];
        // pos_freqs = base ** (arange(0, dim, 2) / dim), in float32 as torch computes it.
        float[] posFreqs = new float[half];
        for (int i = 0; i < half; i++) {
            posFreqs[i] = (float) Math.pow(base, (float) (2 * i) / dim);
        }
        if (!scaling.isYarn()) {
            for (int i = 0; i < half; i++) {
                inverseFrequencies[i] = 1.0f / posFreqs[i];
            }
            attentionFactor = 1.0f;
            return;
        }
        double factor = scaling.factor();
        int original = scaling.originalMaxPositions();
        double low = Math.max(Math.floor(correctionDim(scaling.betaFast(), dim, base, original)), 0);
        double high = Math.min(Math.ceil(correctionDim(scaling.betaSlow(), dim, base, original)), dim - 1);
        if (low == high) {
            high += 0.001; // the reference avoids a division by zero the same way
        }
        for (int i = 0; i < half; i++) {
            float extrapolation = 1.0f / posFreqs[i];
            float interpolation = (float) (1.0f / (factor * posFreqs[i]));
            float ramp = (float) Math.min(1, Math.max(0, (i - low) / (high - low)));
            float extrapolationFactor = 1 - ramp;
            inverseFrequencies[i] = interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor;
        }
        if (scaling.attentionFactor() != 0) {
            attentionFactor = (float) scaling.attentionFactor();
        } else if (scaling.mscale() != 0 && scaling.mscaleAllDim() != 0) {
            attentionFactor = (float) (mscale(factor, scaling.mscale()) / mscale(factor, scaling.mscaleAllDim()));
        } else {
            attentionFactor = (float) mscale(factor, 1.0);
        }
    }

    /** YaRN's magnitude correction {@code 0.1 * m * ln(scale) + 1}, 1 when not extending. */
    public static double mscale(double scale, double m) {
        return scale <= 1 ? 1.0 : 0.1 * m * Math.log(scale) + 1.0;
    }

    private static double correctionDim(double rotations, int dim, double base, int maxPositions) {
        return dim * Math.log(maxPositions / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
    }

    /**
     * The softmax scale of MLA: {@code 1 / sqrt(qk_head_dim)}, times {@code mscale(factor,
     * mscale_all_dim)^2} when YaRN names {@code mscale_all_dim}.
     */
    public static float softmaxScale(ModelSpec spec) {
        double scale = 1.0 / Math.sqrt(spec.qkHeadDim());
        RopeScaling scaling = spec.ropeScaling();
        if (scaling.isYarn() && scaling.mscaleAllDim() != 0) {
            double m = mscale(scaling.factor(), scaling.mscaleAllDim());
            scale *= m * m;
        }
        return (float) scale;
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public boolean interleaved() {
        return interleaved;
    }

    /**
     * Fills {@code cos} and {@code sin}, each {@code [positions.length, dim / 2]}, with the rotation of
     * frequency {@code i} at each position, attention factor included.
     */
    @Override
    public void tables(int[] positions, int count, float[] cos, float[] sin) {
        int half = dim / 2;
        for (int t = 0; t < count; t++) {
            float position = positions[t];
            for (int i = 0; i < half; i++) {
                float angle = position * inverseFrequencies[i]; // float32 product, as in the reference
                cos[t * half + i] = (float) Math.cos(angle) * attentionFactor;
                sin[t * half + i] = (float) Math.sin(angle) * attentionFactor;
            }
        }
    }

    /**
     * Rotates one vector of {@code dim} elements at {@code x[at]} in place. Interleaved layout (the
     * official DeepSeek code's complex view) rotates {@code (x[2i], x[2i+1])}; HF transformers'
     * {@code rope_interleave} path computes the same values but returns them de-interleaved, as
     * {@code [x'[0], x'[2], ..., x'[1], x'[3], ...]}, which is what is stored here so that cached keys
     * and the reference agree element by element. The half layout rotates {@code (x[i], x[i + dim/2])}.
     */
    @Override
    public void rotate(float[] x, int at, float[] cos, float[] sin, int tableRow, float[] scratch) {
        int half = dim / 2;
        int c = tableRow * half;
        if (interleaved) {
            for (int i = 0; i < half; i++) {
                float re = x[at + 2 * i];
                float im = x[at + 2 * i + 1];
                scratch[i] = re * cos[c + i] - im * sin[c + i];
                scratch[half + i] = im * cos[c + i] + re * sin[c + i];
            }
            System.arraycopy(scratch, 0, x, at, dim);
        } else {
            for (int i = 0; i < half; i++) {
                float a = x[at + i];
                float b = x[at + half + i];
                x[at + i] = a * cos[c + i] - b * sin[c + i];
                x[at + half + i] = b * cos[c + i] + a * sin[c + i];
            }
        }
    }
}
