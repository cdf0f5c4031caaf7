package org.moebatch.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.moebatch.testing.QuantizedTensors;
import org.moebatch.testing.RandomTensors;

/**
 * Quantised matrices decode to the values the formats define: element by element ({@code get}, the
 * reference kernels' path) and a panel at a time (the vector widening the fast kernels read), both
 * compared exactly with values computed independently in {@link QuantizedTensors}.
 */
class QuantizedWeightMatrixTest {

    private static WeightMatrix f32(String name, int rows, int cols, float... values) {
        return WeightMatrix.ofBytes(name, DType.F32, rows, cols, QuantizedTensors.floatBytes(values, DType.F32));
    }

    /** Every element through get() and through readRows over every panel start, exactly. */
    private static void assertDecodes(QuantizedTensors.Quantized q, WeightMatrix m, String what) {
        for (int r = 0; r < q.rows(); r++) {
            for (int c = 0; c < q.cols(); c++) {
                assertEquals(q.dequantized(r, c), m.get(r, c), what + " get(" + r + ", " + c + ")");
            }
        }
        Panel panel = new Panel();
        for (int start = 0; start < q.rows(); start += 3) {
            int count = Math.min(5, q.rows() - start); // overlapping panels of 5 rows cross chunk and block edges
            m.readRows(start, count, panel);
            for (int i = 0; i < count; i++) {
                for (int c = 0; c < q.cols(); c++) {
                    assertEquals(q.dequantized(start + i, c), panel.get(i, c),
                            what + " panel row " + (start + i) + " col " + c);
                }
            }
        }
    }

    @Test
    void int4UnpacksLowestNibbleFirstStoredPlusEight() {
        // compressed-tensors pack_to_int32: nibble j of word w holds element 8w + j, as value + 8.
        // 0x76543210 holds stored 0..7, i.e. values -8..-1; 0xFEDCBA98 (a negative int) holds 0..7.
        ByteBuffer words = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0x76543210).putInt(0xFEDCBA98);
        WeightMatrix scales = f32("s", 1, 2, 1f, 0.5f);
        WeightMatrix m = WeightMatrix.quantized("w", new Quantization(Quantization.Format.INT4_PACKED, scales, 1, 8),
                1, 16, 1, words.flip());
        Panel panel = new Panel();
        m.readRows(0, 1, panel);
        for (int c = 0; c < 16; c++) {
            float expected = (c - 8) * (c < 8 ? 1f : 0.5f);
            assertEquals(expected, m.get(0, c), "get col " + c);
            assertEquals(expected, panel.get(0, c), "panel col " + c);
        }
        assertEquals(-8, Quantization.int4(0x76543210, 0));
        assertEquals(7, Quantization.int4(0xFEDCBA98, 7));
    }

    @ParameterizedTest(name = "FP8 [{0}, {1}] in {2} x {3} blocks, scales {4}, {5} rows a chunk")
    @CsvSource({
        "200, 72, 128, 128, F32, 200", // grid [2, 1]: partial blocks both ways
        "200, 72, 16, 24, F32, 7",     // grid [13, 3]: a chunk edge inside a block
        "33, 300, 128, 128, BF16, 11", // vector body and scalar tail in each block
        "5, 19, 2, 5, BF16, 5"})       // blocks narrower than a vector
    void fp8ScalesFollowTheirBlocksWithPartialEdges(int rows, int cols, int blockRows, int blockCols, DType scaleDtype,
            int rowsPerChunk) {
        RandomTensors r = new RandomTensors(rows * 7L + cols);
        QuantizedTensors.Quantized q = QuantizedTensors.fp8(r, rows, cols, blockRows, blockCols, 15, 0.01f, scaleDtype);
        assertDecodes(q, q.matrix("w", rowsPerChunk), "fp8");
    }

    @ParameterizedTest(name = "INT4 [{0}, {1}] in groups of {2}, scales {3}, {4} rows a chunk")
    @CsvSource({
        "200, 72, 24, BF16, 200", // 3 groups; each 24 = a vector of 16 and a tail of 8
        "200, 72, 8, F32, 9",     // 9 groups of one word each
        "40, 96, 32, BF16, 6",    // Kimi K2-Thinking's group size, whole vectors
        "9, 60, 12, F16, 4",      // groups that start inside a word
        "7, 20, 32, BF16, 7"})    // a row shorter than one group, its last word half padding
    void int4ScalesFollowTheirGroups(int rows, int cols, int groupSize, DType scaleDtype, int rowsPerChunk) {
        RandomTensors r = new RandomTensors(rows * 13L + cols + groupSize);
        QuantizedTensors.Quantized q = QuantizedTensors.int4(r, rows, cols, groupSize, 0.02f, scaleDtype);
        assertDecodes(q, q.matrix("w", rowsPerChunk), "int4");
    }

    @ParameterizedTest(name = "{0} rows [{1}, {2}) as bfloat16 into a {3} buffer")
    @CsvSource({"FP8_E4M3, 3, 197, LITTLE_ENDIAN", "FP8_E4M3, 0, 200, BIG_ENDIAN", "INT4_PACKED, 5, 39, LITTLE_ENDIAN",
        "INT4_PACKED, 0, 40, BIG_ENDIAN"})
    void quantisedRowsCopyAsBf16OfTheirDecodedValues(Quantization.Format format, int from, int to, String order) {
        // how the CUDA backend holds a quantised matrix: decoded on the host, rounded to bf16, little-endian
        RandomTensors r = new RandomTensors(format.ordinal() * 101L + from);
        QuantizedTensors.Quantized q = format == Quantization.Format.FP8_E4M3
                ? QuantizedTensors.fp8(r, 200, 72, 16, 24, 15, 0.01f, DType.F32)
                : QuantizedTensors.int4(r, 40, 96, 32, 0.02f, DType.BF16);
        WeightMatrix m = q.matrix("w", 7); // chunks of 7 rows: the copy crosses chunk and panel edges
        int count = to - from;
        ByteBuffer out = ByteBuffer.allocate(2 * count * q.cols() + 6)
                .order("BIG_ENDIAN".equals(order) ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[6]); // a destination written at its position, not at 0
        m.copyRowsAsBf16(from, count, out, new Panel());
        assertEquals(out.capacity(), out.position(), "the position advances past the rows");
        ByteBuffer bytes = out.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            for (int c = 0; c < q.cols(); c++) {
                float exact = q.dequantized(from + i, c);
                short bits = bytes.getShort(6 + 2 * (i * q.cols() + c));
                assertEquals(Floats.floatToBf16(exact), bits, "row " + (from + i) + " col " + c);
                assertTrue(Math.abs(Floats.bf16ToFloat(bits) - exact) <= Math.abs(exact) / 256,
                        "within bf16's rounding at row " + (from + i) + " col " + c);
            }
        }
    }

    @Test
    void panelWideningDecodesEveryFp8CodeAsTheScalarDecoderDoes() {
        // Random weights never hold NaN codes; the vector path must still agree on them.
        byte[] codes = new byte[2 * 256];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = (byte) (i * 37); // every code, in a scrambled order, twice
        }
        WeightMatrix m = WeightMatrix.quantized("all-codes", new Quantization(Quantization.Format.FP8_E4M3,
                f32("s", 2, 2, 1f, 0.25f, 1f, 3f), 1, 128), 2, 256, 2, ByteBuffer.wrap(codes));
        Panel panel = new Panel();
        m.readRows(0, 2, panel);
        for (int i = 0; i < codes.length; i++) {
            int row = i / 256;
            int col = i % 256;
            float scale = new float[] {1f, 0.25f, 1f, 3f}[row * 2 + col / 128];
            // 1 and 0.25 are exact scalings; 3 rounds, identically in both paths
            float expected = Floats.e4m3ToFloat(codes[i]) * scale;
            assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(panel.get(row, col)),
                    "code 0x" + Integer.toHexString(codes[i] & 0xFF));
        }
    }

    @Test
    void rowsOfAQuantisedMatrixKeepTheirAbsoluteBlockRow() {
        // kv_a_proj_with_mqa is split at kv_lora_rank rows, which need not be a block edge.
        RandomTensors r = new RandomTensors(3);
        QuantizedTensors.Quantized q = QuantizedTensors.fp8(r, 144, 160, 128, 128, 15, 0.01f, DType.F32);
        WeightMatrix full = q.matrix("kv_a", 144);
        WeightMatrix rope = full.rows(136, 8);
        Panel panel = new Panel();
        rope.readRows(0, 8, panel);
        for (int i = 0; i < 8; i++) {
            for (int c = 0; c < 160; c++) {
                assertEquals(q.dequantized(136 + i, c), rope.get(i, c));
                assertEquals(q.dequantized(136 + i, c), panel.get(i, c));
            }
        }
    }

    @Test
    void scaleGridThatDoesNotCoverTheMatrixIsRefused() {
        WeightMatrix scales = f32("w.weight_scale_inv", 1, 1, 1f);
        ByteBuffer codes = ByteBuffer.allocate(200 * 72);
        String message = assertThrows(IllegalArgumentException.class, () -> WeightMatrix.quantized("w.weight",
                new Quantization(Quantization.Format.FP8_E4M3, scales, 128, 128), 200, 72, 200, codes)).getMessage();
        assertTrue(message.contains("w.weight") && message.contains("[1, 1]") && message.contains("[2, 1]"), message);

        WeightMatrix quantizedScales = WeightMatrix.quantized("s", new Quantization(Quantization.Format.FP8_E4M3, scales,
                128, 128), 1, 1, 1, ByteBuffer.allocate(1));
        message = assertThrows(IllegalArgumentException.class,
                () -> new Quantization(Quantization.Format.INT4_PACKED, quantizedScales, 1, 32)).getMessage();
        assertTrue(message.contains("plain matrix"), message);

        message = assertThrows(IllegalArgumentException.class, () -> WeightMatrix.quantized("w", new Quantization(
                Quantization.Format.INT4_PACKED, f32("s", 2, 1, 1f, 1f), 1, 32), 2, 16, 2, ByteBuffer.allocate(8)))
                .getMessage();
        assertTrue(message.contains("holds 8 bytes, needs 16"), message);
    }
}
