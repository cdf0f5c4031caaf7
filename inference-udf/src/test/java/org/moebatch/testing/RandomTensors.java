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
        byte[] all = bytes(floats(rows * cols, (float) (1 / Math.sqrt(cols))), dtype);
        long rowBytes = (long) cols * dtype.bytes();
        int chunkCount = (rows + rowsPerChunk - 1) / rowsPerChunk;
        ByteBuffer[] chunks = new ByteBuffer[chunkCount];
        for (int c = 0; c < chunkCount; c++) {
            int first = c * rowsPerChunk;
            int n = Math.min(rowsPerChunk, rows - first);
            chunks[c] = unalignedDirect(all, (int) (first * rowBytes), (int) (n * rowBytes));
        }
        return WeightMatrix.of(name, dtype, rows, cols, rowsPerChunk, chunks);
    }

    /** Little-endian bytes of {@code values} stored as {@code dtype} (F32, BF16 or F16), rounded to nearest even. */
    public static byte[] bytes(float[] values, DType dtype) {
        ByteBuffer b = ByteBuffer.allocate(values.length * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            switch (dtype) {
                case F32:
                    b.putFloat(v);
                    break;
                case BF16:
                    b.putShort(Floats.floatToBf16(v));
                    break;
                case F16:
                    b.putShort(Floats.floatToF16(v));
                    break;
                default:
                    throw new IllegalArgumentException(dtype.toString());
            }
        }
        return b.array();
    }

    /**
     * {@code length} bytes of {@code bytes} from {@code from} in a direct buffer (like a mapped file),
     * one byte past an aligned start so that the views over it are unaligned.
     */
    public static ByteBuffer unalignedDirect(byte[] bytes, int from, int length) {
        ByteBuffer b = ByteBuffer.allocateDirect(length + 1);
        b.position(1);
        ByteBuffer slice = b.slice();
        slice.put(bytes, from, length).flip();
        return slice.order(ByteOrder.LITTLE_ENDIAN);
    }
}
