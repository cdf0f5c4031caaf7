package org.moebatch.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.util.Objects;

/**
 * A row-major {@code [rows, cols]} matrix of checkpoint weights that stays in the memory-mapped
 * file: nothing is copied to the Java heap. A tensor of more than two dimensions is seen as
 * {@code [product of leading dims, last dim]}; a vector as one row.
 *
 * <p>The bytes sit in one or more chunks, each a whole number of rows and under 2 GiB (a Java
 * buffer's limit), so that a tensor larger than 2 GiB, like Kimi K2's 2.35 GB embedding, is legal.
 * Kernels copy a few rows at a time into a {@link Panel}, widened to float32 on the way, and compute
 * from there; the copy stays in the L1 cache.
 *
 * <p>A quantised matrix ({@link #quantized}) keeps its FP8 or packed INT4 codes in the file too, with
 * a {@link Quantization} saying how they and their block scales become floats. It is widened in the
 * same place as bf16, a panel at a time, so every kernel reads it unchanged and no float copy of the
 * whole matrix ever exists; {@link #dtype()} is then the storage dtype (F8_E4M3, or I32 for INT4).
 */
public final class WeightMatrix implements Weight {
    private final String name;
    private final DType dtype;
    private final int rows;
    private final int cols;
    private final int firstRow;
    private final int rowsPerChunk;
    private final ByteBuffer[] chunks;
    private final ShortBuffer[] shortViews;
    private final FloatBuffer[] floatViews;
    private final IntBuffer[] intViews;
    private final Quantization quantization; // null for a plain F32/BF16/F16 matrix

    private WeightMatrix(String name, DType dtype, int rows, int cols, int firstRow, int rowsPerChunk,
            ByteBuffer[] chunks, ShortBuffer[] shortViews, FloatBuffer[] floatViews, IntBuffer[] intViews,
            Quantization quantization) {
        this.name = name;
        this.dtype = dtype;
        this.rows = rows;
        this.cols = cols;
        this.firstRow = firstRow;
        this.rowsPerChunk = rowsPerChunk;
        this.chunks = chunks;
        this.shortViews = shortViews;
        this.floatViews = floatViews;
        this.intViews = intViews;
        this.quantization = quantization;
    }

    /**
     * A matrix over {@code chunks}: chunk {@code i} holds rows {@code [i * rowsPerChunk, ...)}; every
     * chunk but the last holds exactly {@code rowsPerChunk} rows.
     */
    public static WeightMatrix of(String name, DType dtype, int rows, int cols, int rowsPerChunk, ByteBuffer... chunks) {
        Objects.requireNonNull(name, "name");
        if (!dtype.computable()) {
            throw new IllegalArgumentException(name + ": dtype " + dtype + " cannot be computed with");
        }
        return build(name, dtype, rows, cols, rowsPerChunk, chunks, null);
    }

    /**
     * A quantised matrix over {@code chunks} of stored codes (laid out as {@link Quantization.Format}
     * says, {@code format.rowBytes(cols)} bytes a row), chunked as in {@link #of}. The scale grid must
     * cover exactly {@code [rows, cols]}.
     */
    public static WeightMatrix quantized(String name, Quantization quantization, int rows, int cols, int rowsPerChunk,
            ByteBuffer... chunks) {
        Objects.requireNonNull(name, "name");
        int[] grid = quantization.gridFor(rows, cols);
        WeightMatrix scales = quantization.scales();
        if (scales.rows() != grid[0] || scales.cols() != grid[1]) {
            throw new IllegalArgumentException(name + ": scales " + scales.name() + " are [" + scales.rows() + ", "
                    + scales.cols() + "] but [" + rows + ", " + cols + "] in blocks of " + quantization.blockRows()
                    + " x " + quantization.blockCols() + " needs [" + grid[0] + ", " + grid[1] + "]");
        }
        return build(name, quantization.format().storage(), rows, cols, rowsPerChunk, chunks, quantization);
    }

    private static WeightMatrix build(String name, DType dtype, int rows, int cols, int rowsPerChunk, ByteBuffer[] chunks,
            Quantization quantization) {
        if (rows <= 0 || cols <= 0 || rowsPerChunk <= 0) {
            throw new IllegalArgumentException(name + ": empty matrix [" + rows + ", " + cols + "]");
        }
        long rowBytes = quantization == null ? (long) cols * dtype.bytes() : quantization.format().rowBytes(cols);
        long expectedChunks = (rows + (long) rowsPerChunk - 1) / rowsPerChunk;
        if (chunks.length != expectedChunks) {
            throw new IllegalArgumentException(name + ": " + chunks.length + " chunks for " + expectedChunks);
        }
        ByteBuffer[] ordered = new ByteBuffer[chunks.length];
        ShortBuffer[] shorts = new ShortBuffer[chunks.length];
        FloatBuffer[] floats = new FloatBuffer[chunks.length];
        IntBuffer[] ints = new IntBuffer[chunks.length];
        for (int i = 0; i < chunks.length; i++) {
            int chunkRows = Math.min(rowsPerChunk, rows - i * rowsPerChunk);
            if (chunks[i].remaining() < chunkRows * rowBytes) {
                throw new IllegalArgumentException(name + ": chunk " + i + " holds " + chunks[i].remaining()
                        + " bytes, needs " + chunkRows * rowBytes);
            }
            ordered[i] = chunks[i].slice().order(ByteOrder.LITTLE_ENDIAN);
            if (dtype == DType.F32) {
                floats[i] = ordered[i].asFloatBuffer();
            } else if (dtype == DType.I32) {
                ints[i] = ordered[i].asIntBuffer();
            } else if (dtype.bytes() == 2) {
                shorts[i] = ordered[i].asShortBuffer();
            }
        }
        return new WeightMatrix(name, dtype, rows, cols, 0, rowsPerChunk, ordered, shorts, floats, ints, quantization);
    }

    /** A matrix over heap bytes, for tests and for small weights built in memory. */
    public static WeightMatrix ofBytes(String name, DType dtype, int rows, int cols, byte[] littleEndian) {
        return of(name, dtype, rows, cols, rows, ByteBuffer.wrap(littleEndian));
    }

    /** The rows {@code [start, start + count)} as a matrix of their own, sharing the bytes. */
    public WeightMatrix rows(int start, int count) {
        if (start < 0 || count <= 0 || start + count > rows) {
            throw new IndexOutOfBoundsException(name + ": rows [" + start + ", " + (start + count)
                    + ") of " + rows);
        }
        // The rows keep their absolute index (firstRow), which is what a quantised matrix's
        // block scales are indexed by: a split inside a 128-row block still finds its scales.
        return new WeightMatrix(name + "[" + start + ":" + (start + count) + "]", dtype, count, cols,
                firstRow + start, rowsPerChunk, chunks, shortViews, floatViews, intViews, quantization);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    /** The stored dtype: F32, BF16, F16, or for a quantised matrix its codes' (F8_E4M3, I32). */
    @Override
    public DType dtype() {
        return dtype;
    }

    /** How the stored codes become floats, or {@code null} for a plain matrix. */
    public Quantization quantization() {
        return quantization;
    }

    /** One element, decoded; for reference kernels and tests, not for hot loops. */
    public float get(int row, int col) {
        int absolute = firstRow + row;
        int chunk = absolute / rowsPerChunk;
        if (quantization != null) {
            int inChunk = absolute % rowsPerChunk;
            float scale = quantization.scales().get(absolute / quantization.blockRows(), col / quantization.blockCols());
            if (quantization.format() == Quantization.Format.FP8_E4M3) {
                return Floats.e4m3ToFloat(chunks[chunk].get(inChunk * cols + col)) * scale;
            }
            int word = intViews[chunk].get(inChunk * quantization.format().storedCols(cols) + col / 8);
            return Quantization.int4(word, col % 8) * scale;
        }
        long index = (long) (absolute % rowsPerChunk) * cols + col;
        switch (dtype) {
            case F32:
                return floatViews[chunk].get((int) index);
            case BF16:
                return Floats.bf16ToFloat(shortViews[chunk].get((int) index));
            case F16:
                return Floats.f16ToFloat(shortViews[chunk].get((int) index));
            default:
                throw new IllegalStateException(name + ": " + dtype);
        }
    }

    /**
     * Copies rows {@code [row, row + count)} into {@code panel} as floats, row {@code i} at
     * {@code i * cols}: F32 as is, BF16 widened in vector registers, F16 decoded, FP8 and INT4
     * decoded and scaled by their blocks' scales.
     */
    public void readRows(int row, int count, Panel panel) {
        panel.reset(count, cols);
        int done = 0;
        while (done < count) {
            int absolute = firstRow + row + done;
            int chunk = absolute / rowsPerChunk;
            int inChunk = absolute % rowsPerChunk;
            int n = Math.min(count - done, rowsPerChunk - inChunk);
            int index = inChunk * cols;
            int length = n * cols;
            int at = done * cols;
            if (quantization != null) {
                readQuantized(chunk, inChunk, absolute, n, at, panel);
                done += n;
                continue;
            }
            switch (dtype) {
                case F32:
                    floatViews[chunk].get(index, panel.values, at, length);
                    break;
                case BF16:
                    shortViews[chunk].get(index, panel.raw(length), 0, length);
                    panel.widenBf16(at, length);
                    break;
                case F16: {
                    short[] raw = panel.raw(length);
                    shortViews[chunk].get(index, raw, 0, length);
                    for (int i = 0; i < length; i++) {
                        panel.values[at + i] = Floats.f16ToFloat(raw[i]);
                    }
                    break;
                }
                default:
                    throw new IllegalStateException(name + ": " + dtype);
            }
            done += n;
        }
    }

    /**
     * Widens {@code n} quantised rows of one chunk, starting at absolute row {@code absolute}, into
     * the panel at {@code at}: the codes are copied out of the file in one bulk read, then each row
     * is decoded and scaled against its row of block scales (read once per block row).
     */
    private void readQuantized(int chunk, int inChunk, int absolute, int n, int at, Panel panel) {
        Quantization q = quantization;
        int stored = q.format().storedCols(cols);
        int blocks = q.scales().cols();
        float[] scaleRow = panel.scaleRow(blocks);
        int scaleRowIndex = -1;
        if (q.format() == Quantization.Format.FP8_E4M3) {
            chunks[chunk].get(inChunk * stored, panel.codes(n * stored), 0, n * stored);
        } else {
            intViews[chunk].get(inChunk * stored, panel.words(n * stored), 0, n * stored);
        }
        for (int i = 0; i < n; i++) {
            int blockRow = (absolute + i) / q.blockRows();
            if (blockRow != scaleRowIndex) {
                q.scales().readRow(blockRow, scaleRow, panel);
                scaleRowIndex = blockRow;
            }
            if (q.format() == Quantization.Format.FP8_E4M3) {
                panel.widenE4m3(i * stored, at + i * cols, cols, scaleRow, q.blockCols());
            } else {
                panel.widenInt4(i * stored, at + i * cols, cols, scaleRow, q.blockCols());
            }
        }
    }

    /**
     * Decodes row {@code row} of a plain matrix into {@code dst[0, cols)}, in one bulk read (the
     * block scales of a quantised matrix: once per weight row for INT4 groups, where an element
     * at a time would cost more than the widening). Uses {@code panel}'s raw storage only.
     */
    void readRow(int row, float[] dst, Panel panel) {
        int absolute = firstRow + row;
        int chunk = absolute / rowsPerChunk;
        int index = (absolute % rowsPerChunk) * cols;
        switch (dtype) {
            case F32:
                floatViews[chunk].get(index, dst, 0, cols);
                break;
            case BF16:
            case F16: {
                short[] raw = panel.raw(cols);
                shortViews[chunk].get(index, raw, 0, cols);
                for (int i = 0; i < cols; i++) {
                    dst[i] = dtype == DType.BF16 ? Floats.bf16ToFloat(raw[i]) : Floats.f16ToFloat(raw[i]);
                }
                break;
            }
            default:
                throw new IllegalStateException(name + ": " + dtype + " is not a plain matrix");
        }
    }

    /**
     * Copies rows {@code [row, row + count)} of a BF16 matrix into {@code panel}'s raw 16-bit
     * storage without widening, for kernels that widen in registers (few tokens per call, where the
     * weights are read once and a widened copy would only cost a round trip through L1).
     */
    public void readRawRows(int row, int count, Panel panel) {
        if (dtype != DType.BF16) {
            throw new IllegalStateException(name + ": raw rows are for BF16, not " + dtype);
        }
        panel.reset(count, cols);
        short[] raw = panel.raw(count * cols);
        int done = 0;
        while (done < count) {
            int absolute = firstRow + row + done;
            int chunk = absolute / rowsPerChunk;
            int inChunk = absolute % rowsPerChunk;
            int n = Math.min(count - done, rowsPerChunk - inChunk);
            shortViews[chunk].get(inChunk * cols, raw, done * cols, n * cols);
            done += n;
        }
    }

    /**
     * Rows {@code [row, row + count)} decoded and rounded to bfloat16 (ties to even), little-endian,
     * into {@code destination} at its position (which advances): how a GPU backend holds a quantised
     * matrix it has no kernels for, at two bytes a weight. {@code panel} is the caller's scratch.
     */
    public void copyRowsAsBf16(int row, int count, ByteBuffer destination, Panel panel) {
        ByteBuffer out = destination.order() == ByteOrder.LITTLE_ENDIAN ? destination
                : destination.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int done = 0; done < count; done += MatMul.PANEL_ROWS) {
            int n = Math.min(MatMul.PANEL_ROWS, count - done);
            readRows(row + done, n, panel);
            for (int i = 0; i < n * cols; i++) {
                out.putShort(Floats.floatToBf16(panel.values[i]));
            }
        }
        if (out != destination) {
            destination.position(out.position());
        }
    }

    /**
     * Copies the stored bytes of rows {@code [row, row + count)}, little-endian as in the file, into
     * {@code destination} at its position (which advances): how a GPU backend uploads a weight
     * without widening or copying it through the Java heap.
     */
    public void copyStoredRows(int row, int count, ByteBuffer destination) {
        if (row < 0 || count < 0 || row + count > rows) {
            throw new IndexOutOfBoundsException(name + ": rows [" + row + ", " + (row + count) + ") of " + rows);
        }
        long rowBytes = (long) cols * dtype.bytes();
        int done = 0;
        while (done < count) {
            int absolute = firstRow + row + done;
            int chunk = absolute / rowsPerChunk;
            int inChunk = absolute % rowsPerChunk;
            int n = Math.min(count - done, rowsPerChunk - inChunk);
            ByteBuffer source = chunks[chunk].duplicate();
            source.limit((int) ((inChunk + n) * rowBytes)).position((int) (inChunk * rowBytes));
            destination.put(source);
            done += n;
        }
    }

    @Override
    public String toString() {
        String stored = quantization == null ? dtype.toString()
                : quantization.format() + " in " + quantization.blockRows() + " x " + quantization.blockCols() + " blocks";
        return name + " " + stored + " [" + rows + ", " + cols + "]";
    }
}
