package org.moebatch.tensor;

import java.util.Arrays;

/** A row-major float matrix on the Java heap: the activations of the CPU backends. */
public final class HostTensor implements Tensor {
    private final int cols;
    private int rows;
    private float[] data;

    public HostTensor(int rows, int cols) {
        if (rows < 0 || cols <= 0) {
            throw new IllegalArgumentException("bad shape [" + rows + ", " + cols + "]");
        }
        this.rows = rows;
        this.cols = cols;
        this.data = new float[Math.max(1, rows) * cols];
    }

    /** A tensor holding a copy of {@code values}, row-major. */
    public static HostTensor of(int rows, int cols, float... values) {
        if (values.length != rows * cols) {
            throw new IllegalArgumentException(values.length + " values for [" + rows + ", " + cols + "]");
        }
        HostTensor t = new HostTensor(rows, cols);
        System.arraycopy(values, 0, t.data, 0, values.length);
        return t;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public void resize(int newRows) {
        if (newRows < 0) {
            throw new IllegalArgumentException("rows " + newRows);
        }
        long needed = (long) newRows * cols;
        if (needed > data.length) {
            if (needed > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("tensor [" + newRows + ", " + cols + "] exceeds 2^31 floats");
            }
            // Grow by half again so a slowly growing step size does not reallocate every time.
            data = new float[(int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, data.length + (data.length >> 1)))];
        }
        rows = newRows;
    }

    /** The backing array; row {@code r} starts at {@code r * cols()}. Longer than rows * cols. */
    public float[] data() {
        return data;
    }

    public float get(int row, int col) {
        return data[row * cols + col];
    }

    public void set(int row, int col, float value) {
        data[row * cols + col] = value;
    }

    /** A copy of row {@code r}. */
    public float[] row(int r) {
        return Arrays.copyOfRange(data, r * cols, (r + 1) * cols);
    }

    /** A copy of the live {@code rows * cols} values. */
    public float[] toArray() {
        return Arrays.copyOf(data, rows * cols);
    }
}
