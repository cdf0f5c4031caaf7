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
     * The exponential is {@link #exp}'s polynomial in vector and scalar form alike, so an element's
     * result does not depend on whether it fell in a vector or in the tail.
     */
    public static void siluMul(float[] gate, int gateAt, float[] up, int upAt, int n) {
        int vectorEnd = n - n % LANES;
        for (int i = 0; i < vectorEnd; i += LANES) {
            FloatVector g = FloatVector.fromArray(FLOATS, gate, gateAt + i);
            FloatVector sig = exp(g.neg()).add(1f);
            g.div(sig).mul(FloatVector.fromArray(FLOATS, up, upAt + i)).intoArray(gate, gateAt + i);
        }
        for (int i = vectorEnd; i < n; i++) {
            float g = gate[gateAt + i];
            gate[gateAt + i] = g / (1f + exp(-g)) * up[upAt + i];
        }
    }

    private static final float LOG2E = 1.44269504088896341f;
    private static final float ROUNDER = 12582912f; // 1.5 * 2^23: adding it rounds to an integer in the low bits
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;

    /**
     * e^x for a vector: the exponent split off as a power of two, the rest by a degree-6 polynomial
     * (Cephes' expf coefficients, relative error about 1e-7). The Vector API's own EXP falls back to
     * boxed Java code on some JDKs; this is plain arithmetic, small enough to be inlined, and the
     * integer part is read from the float's bits rather than converted.
     */
    public static FloatVector exp(FloatVector x) {
        FloatVector c = x.max(-87.3f).min(88.0f);
        FloatVector shifted = c.mul(LOG2E).add(ROUNDER);
        FloatVector n = shifted.sub(ROUNDER);
        FloatVector r = n.fma(FloatVector.broadcast(FLOATS, -LN2_HI), c);
        r = n.fma(FloatVector.broadcast(FLOATS, -LN2_LO), r);
        FloatVector p = r.fma(FloatVector.broadcast(FLOATS, P0), FloatVector.broadcast(FLOATS, P1));
        p = p.fma(r, FloatVector.broadcast(FLOATS, P2));
        p = p.fma(r, FloatVector.broadcast(FLOATS, P3));
        p = p.fma(r, FloatVector.broadcast(FLOATS, P4));
        p = p.fma(r, FloatVector.broadcast(FLOATS, P5));
        p = p.fma(r.mul(r), r).add(1f);
        FloatVector twoToN = shifted.reinterpretAsInts().sub(ROUNDER_BITS - 127).lanewise(VectorOperators.LSHL, 23)
                .reinterpretAsFloats();
        return p.mul(twoToN);
    }

    /** e^x by the same steps as {@link #exp(FloatVector)}, for the scalar tails: the same bits. */
    public static float exp(float x) {
        float c = Math.min(Math.max(x, -87.3f), 88.0f);
        float shifted = c * LOG2E + ROUNDER;
        float n = shifted - ROUNDER;
        float r = Math.fma(n, -LN2_HI, c);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, P0, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        p = Math.fma(p, r * r, r) + 1f;
        return p * Float.intBitsToFloat((Float.floatToRawIntBits(shifted) - (ROUNDER_BITS - 127)) << 23);
    }
}
