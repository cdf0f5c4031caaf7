package org.moebatch.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.moebatch.tensor.DType;
import org.moebatch.tensor.Floats;
import org.moebatch.tensor.Quantization;
import org.moebatch.tensor.WeightMatrix;

/**
 * Random quantised weights for tests: codes and block scales drawn from a seeded generator, the
 * stored bytes laid out as the checkpoint formats lay them out, and the floats they stand for
 * computed here by the formats' definitions, independently of the engine's decoding.
 */
public final class QuantizedTensors {
    private QuantizedTensors() {}

    /**
     * Stored codes and scales of a {@code [rows, cols]} matrix, and its dequantised values.
     *
     * @param codes       FP8: one byte per element, row-major; INT4: the packed little-endian I32 words
     * @param scales      {@code [scaleRows, scaleCols]}, row-major, already rounded to {@code scaleDtype}
     * @param dequantized {@code [rows, cols]}, row-major
     */
    public record Quantized(Quantization.Format format, int rows, int cols, int blockRows, int blockCols,
            byte[] codes, float[] scales, int scaleRows, int scaleCols, DType scaleDtype, float[] dequantized) {

        /** The engine's matrix over these bytes, in chunks of {@code rowsPerChunk} rows (unaligned direct buffers). */
        public WeightMatrix matrix(String name, int rowsPerChunk) {
            byte[] scaleBytes = floatBytes(scales, scaleDtype);
            WeightMatrix s = WeightMatrix.of(name + ".scales", scaleDtype, scaleRows, scaleCols, scaleRows,
                    RandomTensors.unalignedDirect(scaleBytes, 0, scaleBytes.length));
            long rowBytes = format.rowBytes(cols);
            int chunkCount = (rows + rowsPerChunk - 1) / rowsPerChunk;
            ByteBuffer[] chunks = new ByteBuffer[chunkCount];
            for (int c = 0; c < chunkCount; c++) {
                int first = c * rowsPerChunk;
                int n = Math.min(rowsPerChunk, rows - first);
                chunks[c] = RandomTensors.unalignedDirect(codes, (int) (first * rowBytes), (int) (n * rowBytes));
            }
            return WeightMatrix.quantized(name, new Quantization(format, s, blockRows, blockCols), rows, cols,
                    rowsPerChunk, chunks);
        }

        public float dequantized(int row, int col) {
            return dequantized[row * cols + col];
        }
    }

    /** The OCP OFP8 E4M3 value of a code by the specification's formula, in double precision. */
    public static double e4m3(int code) {
        int sign = (code >> 7) & 1;
        int exponent = (code >> 3) & 0xF;
        int mantissa = code & 7;
        if (exponent == 15 && mantissa == 7) {
            return Double.NaN;
        }
        double magnitude = exponent == 0 ? mantissa / 8.0 * Math.pow(2, -6) : (1 + mantissa / 8.0) * Math.pow(2, exponent - 7);
        return sign == 1 ? -magnitude : magnitude;
    }

    /**
     * FP8 codes drawn uniformly from every finite code whose exponent field is at most
     * {@code maxExponent} (15 allows all but NaN), with positive random block scales of about
     * {@code scale}.
     */
    public static Quantized fp8(RandomTensors r, int rows, int cols, int blockRows, int blockCols, int maxExponent,
            float scale, DType scaleDtype) {
        int scaleRows = (rows + blockRows - 1) / blockRows;
        int scaleCols = (cols + blockCols - 1) / blockCols;
        float[] scales = scales(r, scaleRows * scaleCols, scale, scaleDtype);
        byte[] codes = new byte[rows * cols];
        float[] values = new float[rows * cols];
        for (int i = 0; i < codes.length; i++) {
            int code;
            do {
                code = r.nextInt(256);
            } while ((code & 0x7F) == 0x7F || ((code >> 3) & 0xF) > maxExponent);
            codes[i] = (byte) code;
            int row = i / cols;
            int col = i % cols;
            // One rounding of the exact product, as float32 arithmetic does it (a 4-bit by 24-bit
            // product is exact in double).
            values[i] = (float) (e4m3(code) * scales[(row / blockRows) * scaleCols + col / blockCols]);
        }
        return new Quantized(Quantization.Format.FP8_E4M3, rows, cols, blockRows, blockCols, codes, scales, scaleRows,
                scaleCols, scaleDtype, values);
    }

    /**
     * Signed 4-bit values drawn uniformly from [-8, 7], packed as compressed-tensors packs them (value
     * + 8, eight to an int32, lowest nibble first); a row's padding nibbles are random, so a reader
     * that used them would be caught.
     */
    public static Quantized int4(RandomTensors r, int rows, int cols, int groupSize, float scale, DType scaleDtype) {
        int scaleCols = (cols + groupSize - 1) / groupSize;
        float[] scales = scales(r, rows * scaleCols, scale, scaleDtype);
        int words = (cols + 7) / 8;
        ByteBuffer packed = ByteBuffer.allocate(rows * words * 4).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[rows * cols];
        for (int row = 0; row < rows; row++) {
            for (int w = 0; w < words; w++) {
                int word = 0;
                for (int j = 0; j < 8; j++) {
                    int nibble = r.nextInt(16); // stored value + 8
                    int col = w * 8 + j;
                    if (col < cols) {
                        values[row * cols + col] = (float) ((nibble - 8) * (double) scales[row * scaleCols + col / groupSize]);
                    }
                    word |= nibble << (4 * j);
                }
                packed.putInt(word);
            }
        }
        return new Quantized(Quantization.Format.INT4_PACKED, rows, cols, 1, groupSize, packed.array(), scales, rows,
                scaleCols, scaleDtype, values);
    }

    private static float[] scales(RandomTensors r, int n, float scale, DType dtype) {
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            float v = scale * (0.5f + Math.abs(r.gaussian()) * 0.5f);
            s[i] = dtype == DType.BF16 ? Floats.bf16ToFloat(Floats.floatToBf16(v))
                    : dtype == DType.F16 ? Floats.f16ToFloat(Floats.floatToF16(v)) : v;
        }
        return s;
    }

    /** Little-endian bytes of {@code values} stored as {@code dtype} (F32, BF16 or F16). */
    public static byte[] floatBytes(float[] values, DType dtype) {
        return RandomTensors.bytes(values, dtype);
    }
}
