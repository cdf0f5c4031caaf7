package org.moebatch.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.moebatch.tensor.DType;
import org.moebatch.tensor.Floats;
import org.moebatch.tensor.HostTensor;
import org.moebatch.tensor.WeightMatrix;

/** Random tensors and weight matrices from a seeded generator: never zeros, never the same twice. */
public final class RandomTensors {
    private final Random random;

    public RandomTensors(long seed) {
        this.random = new Random(seed);
    }

    public float gaussian() {
        return (float) random.nextGaussian();
    }

    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    public float[] floats(int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian() * scale;
        }
        return v;
    }

    public HostTensor tensor(int rows, int cols) {
        return HostTensor.of(rows, cols, floats(rows * cols, 1f));
    }

    public WeightMatrix matrix(String name, DType dtype, int rows, int cols) {
        return matrix(name, dtype, rows, cols, rows);
    }

    /** A matrix stored in chunks of {@code rowsPerChunk} rows, as a tensor over 2 GiB is. */
    public WeightMatrix matrix(String name, DType dtype, int rows, int cols, int rowsPerChunk) {
        float[] values = floats(rows * cols, (float) (1 / Math.sqrt(cols)));
        int chunkCount = (rows + rowsPerChunk - 1) / rowsPerChunk;
        ByteBuffer[] chunks = new ByteBuffer[chunkCount];
        for (int c = 0; c < chunkCount; c++) {
            int first = c * rowsPerChunk;
            int n = Math.min(rowsPerChunk, rows - first);
            // direct buffers, like mapped files, with a byte of offset to make the views unaligned
            ByteBuffer b = ByteBuffer.allocateDirect(n * cols * dtype.bytes() + 1).order(ByteOrder.LITTLE_ENDIAN);
            b.position(1);
            ByteBuffer slice = b.slice().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n * cols; i++) {
                float v = values[first * cols + i];
                switch (dtype) {
                    case F32:
                        slice.putFloat(v);
                        break;
                    case BF16:
                        slice.putShort(Floats.floatToBf16(v));
                        break;
                    case F16:
                        slice.putShort(Floats.floatToF16(v));
                        break;
                    default:
                        throw new IllegalArgumentException(dtype.toString());
                }
            }
            slice.flip();
            chunks[c] = slice;
        }
        return WeightMatrix.of(name, dtype, rows, cols, rowsPerChunk, chunks);
    }
}
