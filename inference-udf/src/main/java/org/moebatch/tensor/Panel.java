package org.moebatch.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * A few weight rows copied out of the mapped file for one kernel call, widened to float32. The
 * widening happens here, once per panel, whatever the checkpoint's dtype (bfloat16 is the high half
 * of a float, so it is a shift; F16 is decoded), and the kernels see only floats: one kernel per
 * operation, the dtype handled in this one step. A panel is used for every token of a tile, so the
 * widening is paid once per weight row and tile. Each worker thread owns its panels.
 */
public final class Panel {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> HALF_SHORTS =
            VectorSpecies.of(short.class, VectorShape.forBitSize(FLOATS.vectorBitSize() / 2));
    private static final int LANES = FLOATS.length();

    short[] raw = new short[0];
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
