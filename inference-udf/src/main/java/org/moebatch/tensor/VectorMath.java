package org.moebatch.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Element-wise and reduction kernels over float rows, with the Java Vector API. */
public final class VectorMath {
    private static final VectorSpecies<Float> FLOATS = MatMul.FLOATS;
    private static final int LANES = MatMul.LANES;

    private VectorMath() {}

    /** {@code sum_i a[aAt + i] * b[bAt + i]} for {@code i < n}. */
    public static float dot(float[] a, int aAt, float[] b, int bAt, int n) {
        int vectorEnd = n - n % LANES;
        FloatVector acc = FloatVector.zero(FLOATS);
        for (int i = 0; i < vectorEnd; i += LANES) {
            acc = FloatVector.fromArray(FLOATS, a, aAt + i).fma(FloatVector.fromArray(FLOATS, b, bAt + i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (int i = vectorEnd; i < n; i++) {
            sum += a[aAt + i] * b[bAt + i];
        }
        return sum;
    }

    /** {@code y[yAt + i] += alpha * x[xAt + i]} for {@code i < n}. */
    public static void axpy(float alpha, float[] x, int xAt, float[] y, int yAt, int n) {
        int vectorEnd = n - n % LANES;
        FloatVector a = FloatVector.broadcast(FLOATS, alpha);
        for (int i = 0; i < vectorEnd; i += LANES) {
            FloatVector.fromArray(FLOATS, x, xAt + i).fma(a, FloatVector.fromArray(FLOATS, y, yAt + i))
                    .intoArray(y, yAt + i);
        }
        for (int i = vectorEnd; i < n; i++) {
            y[yAt + i] += alpha * x[xAt + i];
        }
    }

    /** {@code y[yAt + i] *= alpha} for {@code i < n}. */
    public static void scale(float alpha, float[] y, int yAt, int n) {
        int vectorEnd = n - n % LANES;
        for (int i = 0; i < vectorEnd; i += LANES) {
            FloatVector.fromArray(FLOATS, y, yAt + i).mul(alpha).intoArray(y, yAt + i);
        }
        for (int i = vectorEnd; i < n; i++) {
            y[yAt + i] *= alpha;
        }
    }

    /** {@code y[yAt + i] += x[xAt + i]} for {@code i < n}. */
    public static void add(float[] x, int xAt, float[] y, int yAt, int n) {
        int vectorEnd = n - n % LANES;
        for (int i = 0; i < vectorEnd; i += LANES) {
            FloatVector.fromArray(FLOATS, y, yAt + i).add(FloatVector.fromArray(FLOATS, x, xAt + i))
                    .intoArray(y, yAt + i);
        }
        for (int i = vectorEnd; i < n; i++) {
            y[yAt + i] += x[xAt + i];
        }
    }

    /**
     * RMSNorm of one row: {@code out = gamma * x / sqrt(mean(x^2) + eps)}, as
     * {@code DeepseekV3RMSNorm} computes it in float32. {@code out} may alias {@code x}.
     */
    public static void rmsNorm(float[] x, int xAt, float[] gamma, float eps, float[] out, int outAt, int n) {
        float inverseRms = (float) (1.0 / Math.sqrt(dot(x, xAt, x, xAt, n) / n + eps));
        int vectorEnd = n - n % LANES;
        for (int i = 0; i < vectorEnd; i += LANES) {
            FloatVector.fromArray(FLOATS, x, xAt + i).mul(inverseRms)
                    .mul(FloatVector.fromArray(FLOATS, gamma, i))
                    .intoArray(out, outAt + i);
        }
        for (int i = vectorEnd; i < n; i++) {
            out[outAt + i] = gamma[i] * (x[xAt + i] * inverseRms);
        }
    }

    /**
     * SwiGLU's gate: {@code gate[i] = silu(gate[i]) * up[i]}, with {@code silu(g) = g / (1 + e^-g)}.
     */
    public static void siluMul(float[] gate, int gateAt, float[] up, int upAt, int n) {
        int vectorEnd = n - n % LANES;
        for (int i = 0; i < vectorEnd; i += LANES) {
            FloatVector g = FloatVector.fromArray(FLOATS, gate, gateAt + i);
            FloatVector sig = g.neg().lanewise(VectorOperators.EXP).add(1f);
            g.div(sig).mul(FloatVector.fromArray(FLOATS, up, upAt + i)).intoArray(gate, gateAt + i);
        }
        for (int i = vectorEnd; i < n; i++) {
            float g = gate[gateAt + i];
            gate[gateAt + i] = g / (1f + (float) Math.exp(-g)) * up[upAt + i];
        }
    }
}
