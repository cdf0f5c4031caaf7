package org.moebatch.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The matrix product of the linear layers, {@code out[t, n] = sum_k x[t, k] * W[n, k]}, with the
 * Java Vector API: 512-bit lanes where the CPU has AVX-512.
 *
 * <p>Weights are read four rows at a time into a {@link Panel} and widened in registers (bfloat16
 * is the high half of a float, so widening is a shift). Each panel is used for every token of a
 * tile before the next is read: a register block of 4 rows x 4 tokens does 16 fused multiply-adds
 * per 4 weight loads. Tokens are tiled so the tile of activations stays in L2.
 *
 * <p>Every (row, token) dot product accumulates in one vector register, k ascending, then reduces
 * its lanes and adds the tail in order: the same arithmetic whichever micro-kernel computes it.
 * That makes a token's result independent of which other tokens share the call, which is what lets
 * the scheduler batch rows without changing any row's output.
 */
public final class MatMul {
    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    static final VectorSpecies<Short> SHORTS =
            VectorSpecies.of(short.class, VectorShape.forBitSize(FLOATS.vectorBitSize() / 2));
    static final int LANES = FLOATS.length();

    /** Weight rows per panel: one register block. */
    public static final int PANEL_ROWS = 4;
    private static final int TOKEN_BLOCK = 4;
    /** About this many bytes of activations per token tile, to stay within L2. */
    private static final int TILE_BYTES = 192 * 1024;

    private MatMul() {}

    /**
     * Computes rows {@code [rowFrom, rowTo)} of the product for {@code tokens} tokens. Token
     * {@code t} reads {@code x[xOffset + t * xStride + k]} and writes
     * {@code out[outOffset + t * outStride + n]}. Single-threaded; callers split the rows.
     */
    public static void multiply(float[] x, int xOffset, int xStride, int tokens, WeightMatrix w,
            int rowFrom, int rowTo, float[] out, int outOffset, int outStride, Panel panel) {
        int k = w.cols();
        int tile = Math.max(TOKEN_BLOCK, (TILE_BYTES / (k * 4)) / TOKEN_BLOCK * TOKEN_BLOCK);
        for (int tileStart = 0; tileStart < tokens; tileStart += tile) {
            int tileEnd = Math.min(tokens, tileStart + tile);
            for (int row = rowFrom; row < rowTo; row += PANEL_ROWS) {
                int panelRows = Math.min(PANEL_ROWS, rowTo - row);
                w.readRows(row, panelRows, panel);
                multiplyPanel(panel, panelRows, x, xOffset, xStride, tileStart, tileEnd, out,
                        outOffset + row, outStride);
            }
        }
    }

    private static void multiplyPanel(Panel p, int panelRows, float[] x, int xOffset, int xStride,
            int tokenFrom, int tokenTo, float[] out, int outOffset, int outStride) {
        int t = tokenFrom;
        if (panelRows == PANEL_ROWS) {
            for (; t + TOKEN_BLOCK <= tokenTo; t += TOKEN_BLOCK) {
                block4x4(p, x, xOffset + t * xStride, xStride, out, outOffset + t * outStride, outStride);
            }
            for (; t < tokenTo; t++) {
                block4x1(p, x, xOffset + t * xStride, out, outOffset + t * outStride);
            }
        } else {
            for (; t < tokenTo; t++) {
                for (int r = 0; r < panelRows; r++) {
                    out[outOffset + t * outStride + r] = dot(p, r, x, xOffset + t * xStride);
                }
            }
        }
    }

    /** Weight row {@code row} of the panel, elements {@code [k, k + LANES)}, as floats. */
    private static FloatVector weights(Panel p, int row, int k) {
        int index = row * p.cols + k;
        if (p.bf16) {
            ShortVector bits = ShortVector.fromArray(SHORTS, p.bits, index);
            return ((IntVector) bits.convertShape(VectorOperators.S2I, INTS, 0))
                    .lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats();
        }
        return FloatVector.fromArray(FLOATS, p.values, index);
    }

    private static float dot(Panel p, int row, float[] x, int xAt) {
        int n = p.cols;
        int vectorEnd = n - n % LANES;
        FloatVector acc = FloatVector.zero(FLOATS);
        for (int k = 0; k < vectorEnd; k += LANES) {
            acc = weights(p, row, k).fma(FloatVector.fromArray(FLOATS, x, xAt + k), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (int k = vectorEnd; k < n; k++) {
            sum += p.get(row, k) * x[xAt + k];
        }
        return sum;
    }

    private static void block4x1(Panel p, float[] x, int xAt, float[] out, int outAt) {
        int n = p.cols;
        int vectorEnd = n - n % LANES;
        FloatVector a0 = FloatVector.zero(FLOATS);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int k = 0; k < vectorEnd; k += LANES) {
            FloatVector xv = FloatVector.fromArray(FLOATS, x, xAt + k);
            a0 = weights(p, 0, k).fma(xv, a0);
            a1 = weights(p, 1, k).fma(xv, a1);
            a2 = weights(p, 2, k).fma(xv, a2);
            a3 = weights(p, 3, k).fma(xv, a3);
        }
        out[outAt] = finish(a0, p, 0, x, xAt, vectorEnd);
        out[outAt + 1] = finish(a1, p, 1, x, xAt, vectorEnd);
        out[outAt + 2] = finish(a2, p, 2, x, xAt, vectorEnd);
        out[outAt + 3] = finish(a3, p, 3, x, xAt, vectorEnd);
    }

    private static void block4x4(Panel p, float[] x, int xAt, int xStride, float[] out, int outAt, int outStride) {
        int n = p.cols;
        int vectorEnd = n - n % LANES;
        int x0 = xAt;
        int x1 = xAt + xStride;
        int x2 = xAt + 2 * xStride;
        int x3 = xAt + 3 * xStride;
        FloatVector zero = FloatVector.zero(FLOATS);
        FloatVector a00 = zero, a01 = zero, a02 = zero, a03 = zero;
        FloatVector a10 = zero, a11 = zero, a12 = zero, a13 = zero;
        FloatVector a20 = zero, a21 = zero, a22 = zero, a23 = zero;
        FloatVector a30 = zero, a31 = zero, a32 = zero, a33 = zero;
        for (int k = 0; k < vectorEnd; k += LANES) {
            FloatVector w0 = weights(p, 0, k);
            FloatVector w1 = weights(p, 1, k);
            FloatVector w2 = weights(p, 2, k);
            FloatVector w3 = weights(p, 3, k);
            FloatVector v = FloatVector.fromArray(FLOATS, x, x0 + k);
            a00 = w0.fma(v, a00);
            a10 = w1.fma(v, a10);
            a20 = w2.fma(v, a20);
            a30 = w3.fma(v, a30);
            v = FloatVector.fromArray(FLOATS, x, x1 + k);
            a01 = w0.fma(v, a01);
            a11 = w1.fma(v, a11);
            a21 = w2.fma(v, a21);
            a31 = w3.fma(v, a31);
            v = FloatVector.fromArray(FLOATS, x, x2 + k);
            a02 = w0.fma(v, a02);
            a12 = w1.fma(v, a12);
            a22 = w2.fma(v, a22);
            a32 = w3.fma(v, a32);
            v = FloatVector.fromArray(FLOATS, x, x3 + k);
            a03 = w0.fma(v, a03);
            a13 = w1.fma(v, a13);
            a23 = w2.fma(v, a23);
            a33 = w3.fma(v, a33);
        }
        int o0 = outAt;
        int o1 = outAt + outStride;
        int o2 = outAt + 2 * outStride;
        int o3 = outAt + 3 * outStride;
        out[o0] = finish(a00, p, 0, x, x0, vectorEnd);
        out[o0 + 1] = finish(a10, p, 1, x, x0, vectorEnd);
        out[o0 + 2] = finish(a20, p, 2, x, x0, vectorEnd);
        out[o0 + 3] = finish(a30, p, 3, x, x0, vectorEnd);
        out[o1] = finish(a01, p, 0, x, x1, vectorEnd);
        out[o1 + 1] = finish(a11, p, 1, x, x1, vectorEnd);
        out[o1 + 2] = finish(a21, p, 2, x, x1, vectorEnd);
        out[o1 + 3] = finish(a31, p, 3, x, x1, vectorEnd);
        out[o2] = finish(a02, p, 0, x, x2, vectorEnd);
        out[o2 + 1] = finish(a12, p, 1, x, x2, vectorEnd);
        out[o2 + 2] = finish(a22, p, 2, x, x2, vectorEnd);
        out[o2 + 3] = finish(a32, p, 3, x, x2, vectorEnd);
        out[o3] = finish(a03, p, 0, x, x3, vectorEnd);
        out[o3 + 1] = finish(a13, p, 1, x, x3, vectorEnd);
        out[o3 + 2] = finish(a23, p, 2, x, x3, vectorEnd);
        out[o3 + 3] = finish(a33, p, 3, x, x3, vectorEnd);
    }

    /** Reduces the lanes, then adds the elements past the last full vector, in order. */
    private static float finish(FloatVector acc, Panel p, int row, float[] x, int xAt, int vectorEnd) {
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (int k = vectorEnd; k < p.cols; k++) {
            sum += p.get(row, k) * x[xAt + k];
        }
        return sum;
    }

    /**
     * The transposed product of a panel: {@code out[c] += sum_r a[r] * P[r, c]} over the panel's rows,
     * i.e. {@code a^T P}. MLA uses it to absorb the key up-projection into the query.
     */
    public static void accumulateTransposed(Panel p, int panelRows, float[] a, int aAt, float[] out, int outAt) {
        int n = p.cols;
        int vectorEnd = n - n % LANES;
        for (int r = 0; r < panelRows; r++) {
            FloatVector scale = FloatVector.broadcast(FLOATS, a[aAt + r]);
            for (int c = 0; c < vectorEnd; c += LANES) {
                FloatVector o = FloatVector.fromArray(FLOATS, out, outAt + c);
                weights(p, r, c).fma(scale, o).intoArray(out, outAt + c);
            }
            float ar = a[aAt + r];
            for (int c = vectorEnd; c < n; c++) {
                out[outAt + c] += ar * p.get(r, c);
            }
        }
    }
}
