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
 * <p>Weights are read four rows at a time into a {@link Panel}, widened to float32 there whatever
 * the checkpoint's dtype, and used for every token of a tile before the next rows are read: a
 * register block of 4 rows x 4 tokens does 16 fused multiply-adds per 4 weight loads. Tokens are
 * tiled so the tile of activations stays in L2. With fewer than four tokens (decode) each weight is
 * used once or twice, and bfloat16 rows are widened in registers instead, skipping the widened copy.
 *
 * <p>Every (row, token) dot product accumulates in one vector register, k ascending, then reduces
 * its lanes and adds the tail in order: the same arithmetic whichever micro-kernel computes it. A
 * token's result does not depend on which other tokens share the call, which is what lets the
 * scheduler batch rows without changing any row's output.
 */
public final class MatMul {
    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    static final VectorSpecies<Short> HALF_SHORTS =
            VectorSpecies.of(short.class, VectorShape.forBitSize(FLOATS.vectorBitSize() / 2));
    static final int LANES = FLOATS.length();

    /** Weight rows per panel: one register block. */
    public static final int PANEL_ROWS = 4;
    private static final int TOKEN_BLOCK = 4;
    /**
     * Below this many tokens bf16 weights are widened in registers at each use rather than once
     * into a float panel: with few uses per weight the panel's store and reload cost more than the
     * repeated widening (decode, and the few tokens each expert gets in a batched MoE step).
     */
    private static final int RAW_BELOW = 8;
    /** About this many bytes of activations per token tile, to stay within L2. */
    private static final int TILE_BYTES = 192 * 1024;

    private MatMul() {}

    /**
     * Computes rows {@code [rowFrom, rowTo)} of the product for {@code tokens} tokens. Token
     * {@code t} reads {@code x[xOffset + t * xStride + k]} and writes weight row {@code n} to
     * {@code out[outOffset + t * outStride + n]}. Single-threaded; callers split the rows.
     */
    public static void multiply(float[] x, int xOffset, int xStride, int tokens, WeightMatrix w,
            int rowFrom, int rowTo, float[] out, int outOffset, int outStride, Panel panel) {
        int k = w.cols();
        if (tokens < RAW_BELOW && w.dtype() == DType.BF16) {
            for (int row = rowFrom; row < rowTo; row += PANEL_ROWS) {
                int panelRows = Math.min(PANEL_ROWS, rowTo - row);
                w.readRawRows(row, panelRows, panel);
                int t = 0;
                if (panelRows == PANEL_ROWS) {
                    for (; t + TOKEN_BLOCK <= tokens; t += TOKEN_BLOCK) {
                        rawBlock4x4(panel.raw, k, x, xOffset + t * xStride, xStride, out, outOffset + t * outStride + row, outStride);
                    }
                }
                for (; t < tokens; t++) {
                    int xAt = xOffset + t * xStride;
                    int outAt = outOffset + t * outStride + row;
                    if (panelRows == PANEL_ROWS) {
                        rawBlock4x1(panel.raw, k, x, xAt, out, outAt);
                    } else {
                        for (int r = 0; r < panelRows; r++) {
                            out[outAt + r] = rawDot(panel.raw, r * k, x, xAt, k);
                        }
                    }
                }
            }
            return;
        }
        int tile = Math.max(TOKEN_BLOCK, (TILE_BYTES / (k * 4)) / TOKEN_BLOCK * TOKEN_BLOCK);
        for (int tileStart = 0; tileStart < tokens; tileStart += tile) {
            int tileEnd = Math.min(tokens, tileStart + tile);
            for (int row = rowFrom; row < rowTo; row += PANEL_ROWS) {
                int panelRows = Math.min(PANEL_ROWS, rowTo - row);
                w.readRows(row, panelRows, panel);
                multiplyPanel(panel, panelRows, x, xOffset, xStride, tileStart, tileEnd, out, outOffset + row, outStride);
            }
        }
    }

    private static void multiplyPanel(Panel p, int panelRows, float[] x, int xOffset, int xStride,
            int tokenFrom, int tokenTo, float[] out, int outOffset, int outStride) {
        float[] w = p.values;
        int k = p.cols;
        int t = tokenFrom;
        if (panelRows == PANEL_ROWS) {
            for (; t + TOKEN_BLOCK <= tokenTo; t += TOKEN_BLOCK) {
                block4x4(w, k, x, xOffset + t * xStride, xStride, out, outOffset + t * outStride, outStride);
            }
            for (; t < tokenTo; t++) {
                block4x1(w, k, x, xOffset + t * xStride, out, outOffset + t * outStride);
            }
        } else {
            for (; t < tokenTo; t++) {
                for (int r = 0; r < panelRows; r++) {
                    out[outOffset + t * outStride + r] = dot(w, r * k, x, xOffset + t * xStride, k);
                }
            }
        }
    }

    private static float dot(float[] w, int wAt, float[] x, int xAt, int k) {
        int end = k - k % LANES;
        FloatVector acc = FloatVector.zero(FLOATS);
        for (int i = 0; i < end; i += LANES) {
            acc = FloatVector.fromArray(FLOATS, w, wAt + i).fma(FloatVector.fromArray(FLOATS, x, xAt + i), acc);
        }
        return finish(acc.reduceLanes(VectorOperators.ADD), w, wAt, x, xAt, end, k);
    }

    private static void block4x1(float[] w, int k, float[] x, int xAt, float[] out, int outAt) {
        int end = k - k % LANES;
        FloatVector a0 = FloatVector.zero(FLOATS);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int i = 0; i < end; i += LANES) {
            FloatVector v = FloatVector.fromArray(FLOATS, x, xAt + i);
            a0 = FloatVector.fromArray(FLOATS, w, i).fma(v, a0);
            a1 = FloatVector.fromArray(FLOATS, w, k + i).fma(v, a1);
            a2 = FloatVector.fromArray(FLOATS, w, 2 * k + i).fma(v, a2);
            a3 = FloatVector.fromArray(FLOATS, w, 3 * k + i).fma(v, a3);
        }
        out[outAt] = finish(a0.reduceLanes(VectorOperators.ADD), w, 0, x, xAt, end, k);
        out[outAt + 1] = finish(a1.reduceLanes(VectorOperators.ADD), w, k, x, xAt, end, k);
        out[outAt + 2] = finish(a2.reduceLanes(VectorOperators.ADD), w, 2 * k, x, xAt, end, k);
        out[outAt + 3] = finish(a3.reduceLanes(VectorOperators.ADD), w, 3 * k, x, xAt, end, k);
    }

    private static void block4x4(float[] w, int k, float[] x, int xAt, int xStride, float[] out, int outAt, int outStride) {
        int end = k - k % LANES;
        int x0 = xAt;
        int x1 = xAt + xStride;
        int x2 = xAt + 2 * xStride;
        int x3 = xAt + 3 * xStride;
        FloatVector zero = FloatVector.zero(FLOATS);
        FloatVector a00 = zero, a01 = zero, a02 = zero, a03 = zero;
        FloatVector a10 = zero, a11 = zero, a12 = zero, a13 = zero;
        FloatVector a20 = zero, a21 = zero, a22 = zero, a23 = zero;
        FloatVector a30 = zero, a31 = zero, a32 = zero, a33 = zero;
        for (int i = 0; i < end; i += LANES) {
            FloatVector w0 = FloatVector.fromArray(FLOATS, w, i);
            FloatVector w1 = FloatVector.fromArray(FLOATS, w, k + i);
            FloatVector w2 = FloatVector.fromArray(FLOATS, w, 2 * k + i);
            FloatVector w3 = FloatVector.fromArray(FLOATS, w, 3 * k + i);
            FloatVector v = FloatVector.fromArray(FLOATS, x, x0 + i);
            a00 = w0.fma(v, a00);
            a10 = w1.fma(v, a10);
            a20 = w2.fma(v, a20);
            a30 = w3.fma(v, a30);
            v = FloatVector.fromArray(FLOATS, x, x1 + i);
            a01 = w0.fma(v, a01);
            a11 = w1.fma(v, a11);
            a21 = w2.fma(v, a21);
            a31 = w3.fma(v, a31);
            v = FloatVector.fromArray(FLOATS, x, x2 + i);
            a02 = w0.fma(v, a02);
            a12 = w1.fma(v, a12);
            a22 = w2.fma(v, a22);
            a32 = w3.fma(v, a32);
            v = FloatVector.fromArray(FLOATS, x, x3 + i);
            a03 = w0.fma(v, a03);
            a13 = w1.fma(v, a13);
            a23 = w2.fma(v, a23);
            a33 = w3.fma(v, a33);
        }
        int o0 = outAt;
        int o1 = outAt + outStride;
        int o2 = outAt + 2 * outStride;
        int o3 = outAt + 3 * outStride;
        out[o0] = finish(a00.reduceLanes(VectorOperators.ADD), w, 0, x, x0, end, k);
        out[o0 + 1] = finish(a10.reduceLanes(VectorOperators.ADD), w, k, x, x0, end, k);
        out[o0 + 2] = finish(a20.reduceLanes(VectorOperators.ADD), w, 2 * k, x, x0, end, k);
        out[o0 + 3] = finish(a30.reduceLanes(VectorOperators.ADD), w, 3 * k, x, x0, end, k);
        out[o1] = finish(a01.reduceLanes(VectorOperators.ADD), w, 0, x, x1, end, k);
        out[o1 + 1] = finish(a11.reduceLanes(VectorOperators.ADD), w, k, x, x1, end, k);
        out[o1 + 2] = finish(a21.reduceLanes(VectorOperators.ADD), w, 2 * k, x, x1, end, k);
        out[o1 + 3] = finish(a31.reduceLanes(VectorOperators.ADD), w, 3 * k, x, x1, end, k);
        out[o2] = finish(a02.reduceLanes(VectorOperators.ADD), w, 0, x, x2, end, k);
        out[o2 + 1] = finish(a12.reduceLanes(VectorOperators.ADD), w, k, x, x2, end, k);
        out[o2 + 2] = finish(a22.reduceLanes(VectorOperators.ADD), w, 2 * k, x, x2, end, k);
        out[o2 + 3] = finish(a32.reduceLanes(VectorOperators.ADD), w, 3 * k, x, x2, end, k);
        out[o3] = finish(a03.reduceLanes(VectorOperators.ADD), w, 0, x, x3, end, k);
        out[o3 + 1] = finish(a13.reduceLanes(VectorOperators.ADD), w, k, x, x3, end, k);
        out[o3 + 2] = finish(a23.reduceLanes(VectorOperators.ADD), w, 2 * k, x, x3, end, k);
        out[o3 + 3] = finish(a33.reduceLanes(VectorOperators.ADD), w, 3 * k, x, x3, end, k);
    }

    /** LANES raw bfloat16 values at {@code at}, widened: a shift of each into the high half of a float. */
    private static FloatVector widen(short[] raw, int at) {
        return ((IntVector) ShortVector.fromArray(HALF_SHORTS, raw, at).convertShape(VectorOperators.S2I, INTS, 0))
                .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static float rawDot(short[] raw, int wAt, float[] x, int xAt, int k) {
        int end = k - k % LANES;
        FloatVector acc = FloatVector.zero(FLOATS);
        for (int i = 0; i < end; i += LANES) {
            acc = widen(raw, wAt + i).fma(FloatVector.fromArray(FLOATS, x, xAt + i), acc);
        }
        return rawFinish(acc.reduceLanes(VectorOperators.ADD), raw, wAt, x, xAt, end, k);
    }

    /** The same arithmetic as {@link #block4x1} (so results match bit for bit), on raw bf16 rows. */
    private static void rawBlock4x1(short[] raw, int k, float[] x, int xAt, float[] out, int outAt) {
        int end = k - k % LANES;
        FloatVector a0 = FloatVector.zero(FLOATS);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int i = 0; i < end; i += LANES) {
            FloatVector v = FloatVector.fromArray(FLOATS, x, xAt + i);
            a0 = widen(raw, i).fma(v, a0);
            a1 = widen(raw, k + i).fma(v, a1);
            a2 = widen(raw, 2 * k + i).fma(v, a2);
            a3 = widen(raw, 3 * k + i).fma(v, a3);
        }
        out[outAt] = rawFinish(a0.reduceLanes(VectorOperators.ADD), raw, 0, x, xAt, end, k);
        out[outAt + 1] = rawFinish(a1.reduceLanes(VectorOperators.ADD), raw, k, x, xAt, end, k);
        out[outAt + 2] = rawFinish(a2.reduceLanes(VectorOperators.ADD), raw, 2 * k, x, xAt, end, k);
        out[outAt + 3] = rawFinish(a3.reduceLanes(VectorOperators.ADD), raw, 3 * k, x, xAt, end, k);
    }

    /** The same arithmetic as {@link #block4x4}, widening raw bf16 rows in registers once per step. */
    private static void rawBlock4x4(short[] raw, int k, float[] x, int xAt, int xStride, float[] out, int outAt, int outStride) {
        int end = k - k % LANES;
        int x0 = xAt;
        int x1 = xAt + xStride;
        int x2 = xAt + 2 * xStride;
        int x3 = xAt + 3 * xStride;
        FloatVector zero = FloatVector.zero(FLOATS);
        FloatVector a00 = zero, a01 = zero, a02 = zero, a03 = zero;
        FloatVector a10 = zero, a11 = zero, a12 = zero, a13 = zero;
        FloatVector a20 = zero, a21 = zero, a22 = zero, a23 = zero;
        FloatVector a30 = zero, a31 = zero, a32 = zero, a33 = zero;
        for (int i = 0; i < end; i += LANES) {
            FloatVector w0 = widen(raw, i);
            FloatVector w1 = widen(raw, k + i);
            FloatVector w2 = widen(raw, 2 * k + i);
            FloatVector w3 = widen(raw, 3 * k + i);
            FloatVector v = FloatVector.fromArray(FLOATS, x, x0 + i);
            a00 = w0.fma(v, a00);
            a10 = w1.fma(v, a10);
            a20 = w2.fma(v, a20);
            a30 = w3.fma(v, a30);
            v = FloatVector.fromArray(FLOATS, x, x1 + i);
            a01 = w0.fma(v, a01);
            a11 = w1.fma(v, a11);
            a21 = w2.fma(v, a21);
            a31 = w3.fma(v, a31);
            v = FloatVector.fromArray(FLOATS, x, x2 + i);
            a02 = w0.fma(v, a02);
            a12 = w1.fma(v, a12);
            a22 = w2.fma(v, a22);
            a32 = w3.fma(v, a32);
            v = FloatVector.fromArray(FLOATS, x, x3 + i);
            a03 = w0.fma(v, a03);
            a13 = w1.fma(v, a13);
            a23 = w2.fma(v, a23);
            a33 = w3.fma(v, a33);
        }
        int o0 = outAt;
        int o1 = outAt + outStride;
        int o2 = outAt + 2 * outStride;
        int o3 = outAt + 3 * outStride;
        out[o0] = rawFinish(a00.reduceLanes(VectorOperators.ADD), raw, 0, x, x0, end, k);
        out[o0 + 1] = rawFinish(a10.reduceLanes(VectorOperators.ADD), raw, k, x, x0, end, k);
        out[o0 + 2] = rawFinish(a20.reduceLanes(VectorOperators.ADD), raw, 2 * k, x, x0, end, k);
        out[o0 + 3] = rawFinish(a30.reduceLanes(VectorOperators.ADD), raw, 3 * k, x, x0, end, k);
        out[o1] = rawFinish(a01.reduceLanes(VectorOperators.ADD), raw, 0, x, x1, end, k);
        out[o1 + 1] = rawFinish(a11.reduceLanes(VectorOperators.ADD), raw, k, x, x1, end, k);
        out[o1 + 2] = rawFinish(a21.reduceLanes(VectorOperators.ADD), raw, 2 * k, x, x1, end, k);
        out[o1 + 3] = rawFinish(a31.reduceLanes(VectorOperators.ADD), raw, 3 * k, x, x1, end, k);
        out[o2] = rawFinish(a02.reduceLanes(VectorOperators.ADD), raw, 0, x, x2, end, k);
        out[o2 + 1] = rawFinish(a12.reduceLanes(VectorOperators.ADD), raw, k, x, x2, end, k);
        out[o2 + 2] = rawFinish(a22.reduceLanes(VectorOperators.ADD), raw, 2 * k, x, x2, end, k);
        out[o2 + 3] = rawFinish(a32.reduceLanes(VectorOperators.ADD), raw, 3 * k, x, x2, end, k);
        out[o3] = rawFinish(a03.reduceLanes(VectorOperators.ADD), raw, 0, x, x3, end, k);
        out[o3 + 1] = rawFinish(a13.reduceLanes(VectorOperators.ADD), raw, k, x, x3, end, k);
        out[o3 + 2] = rawFinish(a23.reduceLanes(VectorOperators.ADD), raw, 2 * k, x, x3, end, k);
        out[o3 + 3] = rawFinish(a33.reduceLanes(VectorOperators.ADD), raw, 3 * k, x, x3, end, k);
    }

    /**
     * Adds the elements past the last full vector to a reduced sum, in order. Takes the reduced
     * float, not the vector: a vector argument to a method the JIT does not inline is boxed.
     */
    private static float rawFinish(float reduced, short[] raw, int wAt, float[] x, int xAt, int end, int k) {
        float sum = reduced;
        for (int i = end; i < k; i++) {
            sum += Floats.bf16ToFloat(raw[wAt + i]) * x[xAt + i];
        }
        return sum;
    }

    /** Adds the elements past the last full vector to a reduced sum, in order (a float: see {@link #rawFinish}). */
    private static float finish(float reduced, float[] w, int wAt, float[] x, int xAt, int end, int k) {
        float sum = reduced;
        for (int i = end; i < k; i++) {
            sum += w[wAt + i] * x[xAt + i];
        }
        return sum;
    }

    /**
     * The transposed product of a panel: {@code out[t, c] = sum_r a[t, r] * P[r, c]} for every
     * token, i.e. {@code a P}, P being {@code [rows, cols]} in the panel. MLA uses it to absorb the key
     * up-projection into the query. Four tokens at a time share each weight vector load; each
     * (token, column block) accumulates over rows in one register, so a token's result does not
     * depend on the others.
     */
    public static void multiplyTransposed(Panel p, float[] a, int aOffset, int aStride, int tokens,
            float[] out, int outOffset, int outStride) {
        int rows = p.rows;
        int cols = p.cols;
        float[] w = p.values;
        int end = cols - cols % LANES;
        int t = 0;
        for (; t + TOKEN_BLOCK <= tokens; t += TOKEN_BLOCK) {
            int a0 = aOffset + t * aStride;
            int a1 = a0 + aStride;
            int a2 = a1 + aStride;
            int a3 = a2 + aStride;
            for (int c = 0; c < end; c += LANES) {
                FloatVector s0 = FloatVector.zero(FLOATS);
                FloatVector s1 = s0;
                FloatVector s2 = s0;
                FloatVector s3 = s0;
                for (int r = 0; r < rows; r++) {
                    FloatVector v = FloatVector.fromArray(FLOATS, w, r * cols + c);
                    s0 = v.fma(FloatVector.broadcast(FLOATS, a[a0 + r]), s0);
                    s1 = v.fma(FloatVector.broadcast(FLOATS, a[a1 + r]), s1);
                    s2 = v.fma(FloatVector.broadcast(FLOATS, a[a2 + r]), s2);
                    s3 = v.fma(FloatVector.broadcast(FLOATS, a[a3 + r]), s3);
                }
                int o = outOffset + t * outStride + c;
                s0.intoArray(out, o);
                s1.intoArray(out, o + outStride);
                s2.intoArray(out, o + 2 * outStride);
                s3.intoArray(out, o + 3 * outStride);
            }
        }
        for (; t < tokens; t++) {
            int at = aOffset + t * aStride;
            for (int c = 0; c < end; c += LANES) {
                FloatVector s0 = FloatVector.zero(FLOATS);
                for (int r = 0; r < rows; r++) {
                    s0 = FloatVector.fromArray(FLOATS, w, r * cols + c).fma(FloatVector.broadcast(FLOATS, a[at + r]), s0);
                }
                s0.intoArray(out, outOffset + t * outStride + c);
            }
        }
        for (t = 0; t < tokens; t++) {
            int at = aOffset + t * aStride;
            for (int c = end; c < cols; c++) {
                float sum = 0;
                for (int r = 0; r < rows; r++) {
                    sum += a[at + r] * w[r * cols + c];
                }
                out[outOffset + t * outStride + c] = sum;
            }
        }
    }
}
