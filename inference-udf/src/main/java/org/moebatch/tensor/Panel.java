package org.moebatch.tensor;

/**
 * A few weight rows copied out of the mapped file for one kernel call: raw bfloat16 bits, or
 * floats for F32 and F16 weights. Each worker thread owns its panels; they are never shared.
 */
public final class Panel {
    short[] bits = new short[0];
    float[] values = new float[0];
    boolean bf16;
    int rows;
    int cols;

    void reset(WeightMatrix source, int rowCount) {
        bf16 = source.isBf16();
        rows = rowCount;
        cols = source.cols();
        int length = rowCount * cols;
        if (bf16) {
            if (bits.length < length) {
                bits = new short[length];
            }
        } else if (values.length < length) {
            values = new float[length];
        }
    }

    /** Element {@code (row, col)} of the panel, widened. */
    public float get(int row, int col) {
        int index = row * cols + col;
        return bf16 ? Floats.bf16ToFloat(bits[index]) : values[index];
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }
}
