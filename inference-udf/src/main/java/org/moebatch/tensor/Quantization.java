package org.moebatch.tensor;

import java.util.Objects;

/**
 * How a quantised weight matrix's stored codes become floats: {@code W[r, c] = code(r, c) *
 * scales[r / blockRows, c / blockCols]}, the scale grid covering the matrix in blocks of
 * {@code blockRows x blockCols} (the last block of a row or column may be partial).
 *
 * <ul>
 *   <li>{@link Format#FP8_E4M3}: DeepSeek-V3's and Kimi K2's native weights. One E4M3 byte per
 *       element; {@code weight_scale_inv} holds one float per 128 x 128 block, and despite its name
 *       multiplies (DeepSeek-V3's {@code weight_dequant}: {@code y = x * s}).
 *   <li>{@link Format#INT4_PACKED}: compressed-tensors' pack-quantized symmetric int4 (Kimi
 *       K2-Thinking). Blocks are one row by {@code group_size} columns; {@code weight_scale}
 *       multiplies the signed 4-bit value.
 * </ul>
 *
 * @param scales    {@code [ceil(rows / blockRows), ceil(cols / blockCols)]}, a plain F32/BF16/F16 matrix
 * @param blockRows rows of the matrix per scale row
 * @param blockCols columns of the matrix per scale column
 */
public record Quantization(Format format, WeightMatrix scales, int blockRows, int blockCols) {

    /** A stored code format, with the safetensors dtype its tensor has. */
    public enum Format {
        /** OCP E4M3FN codes, one byte per element, row-major. */
        FP8_E4M3(DType.F8_E4M3),
        /**
         * Signed 4-bit integers, eight to a little-endian int32 along the row, element {@code 8w + j}
         * in bits {@code [4j, 4j + 4)} of word {@code w} (lowest nibble first), stored as value + 8 in
         * [0, 15]; a row's last word is padded with zero nibbles. This is compressed-tensors'
         * {@code pack_to_int32} (github.com/vllm-project/compressed-tensors,
         * src/compressed_tensors/compressors/quantized_compressors/pack_quantized.py: the value is
         * offset by {@code 1 << (num_bits - 1)}, the row padded to a multiple of 8, and nibble i of
         * each group of eight shifted left by {@code 4 * i} and summed into an int32); its
         * {@code unpack_from_int32} takes {@code (word >> 4i) & 0xF} and subtracts 8.
         */
        INT4_PACKED(DType.I32);

        private final DType storage;

        Format(DType storage) {
            this.storage = storage;
        }

        /** The safetensors dtype of the tensor that holds the codes. */
        public DType storage() {
            return storage;
        }

        /** Bytes one row of {@code cols} elements takes in storage. */
        public long rowBytes(int cols) {
            return this == FP8_E4M3 ? cols : 4L * words(cols);
        }

        /** Stored elements of one row: bytes for FP8, packed int32 words for INT4. */
        public int storedCols(int cols) {
            return this == FP8_E4M3 ? cols : words(cols);
        }

        private static int words(int cols) {
            return (cols + 7) / 8;
        }
    }

    public Quantization {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(scales, "scales");
        if (scales.quantization() != null) {
            throw new IllegalArgumentException(scales.name() + ": scales must be a plain matrix, not " + scales.dtype());
        }
        if (blockRows <= 0 || blockCols <= 0) {
            throw new IllegalArgumentException(scales.name() + ": block " + blockRows + " x " + blockCols + " is empty");
        }
    }

    /** The scale grid a {@code [rows, cols]} matrix needs: {@code [ceil(rows / blockRows), ceil(cols / blockCols)]}. */
    public int[] gridFor(int rows, int cols) {
        return new int[] {(rows + blockRows - 1) / blockRows, (cols + blockCols - 1) / blockCols};
    }

    /** The signed value of nibble {@code j} of a packed INT4 word. */
    public static int int4(int word, int j) {
        return ((word >>> (4 * j)) & 0xF) - 8;
    }
}
