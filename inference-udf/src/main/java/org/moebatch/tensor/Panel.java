package org.moebatch.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * A few weight rows copied out of the mapped file for one kernel call, widened to float32. The
 * widening happens here, once per panel, whatever the checkpoint's dtype (bfloat16 is the high half
 * of a float, so it is a shift; F16 is decoded), and the kernels see only floats: one kernel per
 * operation, the dtype handled in this one step. A panel is used for every token of a tile, so the
 * widening is paid once per weight row and tile. Each worker thread owns its panels.
 *
 * <p>Quantised weights are widened here too, one step per format: FP8 E4M3 codes and packed INT4
 * nibbles are decoded in vector registers and multiplied by their block's scale on the way in.
 * Every vector path computes exactly what its scalar tail ({@link Floats#e4m3ToFloat},
 * {@link Quantization#int4}) computes, so a value does not depend on where in a row it falls.
 */
public final class Panel {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> HALF_SHORTS =
            VectorSpecies.of(short.class, VectorShape.forBitSize(FLOATS.vectorBitSize() / 2));
    private static final int LANES = FLOATS.length();
    /** A quarter as many bits as a float vector: one byte per float lane (null where no such shape exists). */
    private static final VectorSpecies<Byte> QUARTER_BYTES = FLOATS.vectorBitSize() / 4 >= 64
            ? VectorSpecies.of(byte.class, VectorShape.forBitSize(FLOATS.vectorBitSize() / 4)) : null;
    /** INT4 lanes take their word from lane {@code l / 8} and their nibble from bits {@code 4 (l % 8)}. */
    private static final boolean INT4_VECTORS = LANES % 8 == 0;
    private static final VectorShuffle<Integer> WORD_OF_LANE = INT4_VECTORS ? VectorShuffle.fromOp(INTS, l -> l / 8) : null;
    private static final IntVector NIBBLE_SHIFT = INT4_VECTORS
            ? IntVector.zero(INTS).addIndex(1).and(7).lanewise(VectorOperators.LSHL, 2) : null;

    short[] raw = new short[0];
    byte[] codes = new byte[0];
    int[] words = new int[0];
    float[] scaleRow = new float[0];
    float[] values = new float[0];
    int rows;
    int cols;

    void reset(int rowCount, int columns) {
        rows = rowCount;
        cols = columns;
        int length = rowCount * columns;
        if (values.length < length) {
            values = new float[length];
        }
    }

    /** Room for {@code length} raw 16-bit values, read from the file before widening. */
    short[] raw(int length) {
        if (raw.length < length) {
            raw = new short[length];
        }
        return raw;
    }

    /** Room for {@code length} FP8 codes, read from the file before widening. */
    byte[] codes(int length) {
        if (codes.length < length) {
            codes = new byte[length];
        }
        return codes;
    }

    /**
     * Room for {@code length} packed INT4 words, and a vector's worth more: the vector widening
     * loads whole vectors of words and uses the first few.
     */
    int[] words(int length) {
        if (words.length < length + LANES) {
            words = new int[length + LANES];
        }
        return words;
    }

    /** Room for one row of block scales. */
    float[] scaleRow(int blocks) {
        if (scaleRow.length < blocks) {
            scaleRow = new float[blocks];
        }
        return scaleRow;
    }

    /**
     * Widens one row of {@code cols} FP8 E4M3 codes of {@link #codes}, from {@code from}, into
     * {@link #values} at {@code at}: element {@code c} is {@code e4m3(code) * scales[c / blockCols]}.
     * In registers, as {@link Floats#e4m3ToFloat}: normal codes rebiased in the integer domain,
     * subnormal ones converted from their mantissa and scaled by 2^-9 (both exact), the sign or'ed
     * back, NaN codes made NaN, then one rounding multiply by the scale.
     */
    void widenE4m3(int from, int at, int cols, float[] scales, int blockCols) {
        for (int start = 0, block = 0; start < cols; start += blockCols, block++) {
            int end = Math.min(cols, start + blockCols);
            float scale = scales[block];
            int c = start;
            if (QUARTER_BYTES != null) {
                FloatVector scaleVector = FloatVector.broadcast(FLOATS, scale);
                for (; c + LANES <= end; c += LANES) {
                    IntVector code = (IntVector) ByteVector.fromArray(QUARTER_BYTES, codes, from + c)
                            .convertShape(VectorOperators.B2I, INTS, 0);
                    IntVector low = code.and(0x7F);
                    IntVector normal = low.lanewise(VectorOperators.LSHL, 20).add(120 << 23);
                    IntVector subnormal = ((FloatVector) low.convert(VectorOperators.I2F, 0)).mul(0x1p-9f).reinterpretAsInts();
                    IntVector bits = normal.blend(subnormal, low.lt(8))
                            .or(code.and(0x80).lanewise(VectorOperators.LSHL, 24))
                            .blend(Float.floatToRawIntBits(Float.NaN), low.eq(0x7F));
                    bits.reinterpretAsFloats().mul(scaleVector).intoArray(values, at + c);
                }
            }
            for (; c < end; c++) {
                values[at + c] = Floats.e4m3ToFloat(codes[from + c]) * scale;
            }
        }
    }

    /**
     * Widens one row of {@code cols} packed INT4 values of {@link #words}, from word {@code from},
     * into {@link #values} at {@code at}: element {@code c} is
     * {@code int4(words[from + c / 8], c % 8) * scales[c / blockCols]}. A vector of lanes covers
     * {@code LANES / 8} whole words: each lane picks its word by a shuffle, shifts its nibble down,
     * subtracts the offset 8, converts (exact) and multiplies by the group's scale.
     */
    void widenInt4(int from, int at, int cols, float[] scales, int blockCols) {
        for (int start = 0, block = 0; start < cols; start += blockCols, block++) {
            int end = Math.min(cols, start + blockCols);
            float scale = scales[block];
            int c = start;
            if (INT4_VECTORS) {
                for (; c < end && c % 8 != 0; c++) {
                    values[at + c] = Quantization.int4(words[from + c / 8], c % 8) * scale;
                }
                FloatVector scaleVector = FloatVector.broadcast(FLOATS, scale);
                for (; c + LANES <= end; c += LANES) {
                    IntVector nibbles = IntVector.fromArray(INTS, words, from + c / 8).rearrange(WORD_OF_LANE)
                            .lanewise(VectorOperators.LSHR, NIBBLE_SHIFT).and(0xF).sub(8);
                    ((FloatVector) nibbles.convert(VectorOperators.I2F, 0)).mul(scaleVector).intoArray(values, at + c);
                }
            }
            for (; c < end; c++) {
                values[at + c] = Quantization.int4(words[from + c / 8], c % 8) * scale;
            }
        }
    }

    /** Widens {@code length} bfloat16 values of {@link #raw} into {@link #values} at {@code at}. */
    void widenBf16(int at, int length) {
        int end = length - length % LANES;
        for (int i = 0; i < end; i += LANES) {
            ((IntVector) ShortVector.fromArray(HALF_SHORTS, raw, i).convertShape(VectorOperators.S2I, INTS, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(values, at + i);
        }
        for (int i = end; i < length; i++) {
            values[at + i] = Floats.bf16ToFloat(raw[i]);
        }
    }

    /** Element {@code (row, col)} of the panel. */
    public float get(int row, int col) {
        return values[row * cols + col];
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }
}
