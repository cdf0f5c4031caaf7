package org.moebatch.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moebatch.tensor.DType;
import org.moebatch.tensor.Floats;
import org.moebatch.tensor.Panel;
import org.moebatch.tensor.Quantization;
import org.moebatch.tensor.WeightMatrix;
import org.moebatch.testing.QuantizedTensors;
import org.moebatch.testing.RandomTensors;
import org.moebatch.testing.SafetensorsWriter;

/** The safetensors reader trusts nothing in a header, and serves tensors of any size. */
class SafetensorsFileTest {
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("model.safetensors");
    }

    private static float[] sequence(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i * 0.25f - 3f;
        }
        return v;
    }

    private String failure(Path path) {
        return assertThrows(ModelException.class, () -> SafetensorsFile.open(path)).getMessage();
    }

    @Test
    void readsF32AndBf16TensorsAsMatrices() {
        new SafetensorsWriter()
                .f32("a", new long[] {2, 3}, sequence(6))
                .bf16("b", new long[] {2, 2, 4}, sequence(16))
                .f32("scalar", new long[] {}, new float[] {7f})
                .write(file());
        SafetensorsFile f = SafetensorsFile.open(file());
        WeightMatrix a = f.matrix("a");
        assertEquals(2, a.rows());
        assertEquals(3, a.cols());
        assertEquals(sequence(6)[4], a.get(1, 1));
        WeightMatrix b = f.matrix("b");
        assertEquals(4, b.rows(), "leading dimensions fold into rows");
        assertEquals(4, b.cols());
        assertEquals(sequence(16)[13], b.get(3, 1)); // exactly representable in bf16
        assertEquals(7f, f.matrix("scalar").get(0, 0));
    }

    @Test
    void truncatedFileWithoutHeaderLength() throws IOException {
        Files.write(file(), new byte[] {1, 2, 3});
        assertTrue(failure(file()).contains("truncated"), failure(file()));
    }

    @Test
    void headerLengthPastTheEndOfTheFile() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(500);
        Files.write(file(), b.array());
        String message = failure(file());
        assertTrue(message.contains("runs past the end"), message);
        assertTrue(message.contains(file().toString()), message);
    }

    @Test
    void headerLengthOverTheCap() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40);
        Files.write(file(), b.array());
        assertTrue(failure(file()).contains("exceeds the cap"), failure(file()));
        // a negative length (top bit set) is over the cap too, not an allocation of -1 bytes
        b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-8L);
        Files.write(file(), b.array());
        assertTrue(failure(file()).contains("exceeds the cap"), failure(file()));
    }

    @Test
    void headerThatIsNotJson() {
        new SafetensorsWriter().f32("a", new long[] {2}, sequence(2)).write(file(), "{\"a\": {\"dtype\": ");
        assertTrue(failure(file()).contains("not valid JSON"), failure(file()));
    }

    @Test
    void offsetsOutOfRange() {
        SafetensorsWriter w = new SafetensorsWriter().f32("w", new long[] {4}, sequence(4));
        var header = w.header();
        ((com.fasterxml.jackson.databind.node.ArrayNode) header.get("w").get("data_offsets")).removeAll().add(8).add(24);
        w.write(file(), header.toString());
        String message = failure(file());
        assertTrue(message.contains("tensor w") && message.contains("out of range"), message);
    }

    @Test
    void dataCutShortAfterTheHeader() throws IOException {
        new SafetensorsWriter().f32("w", new long[] {64}, sequence(64)).write(file());
        byte[] whole = Files.readAllBytes(file());
        Files.write(file(), Arrays.copyOf(whole, whole.length - 10));
        String message = failure(file());
        assertTrue(message.contains("tensor w") && message.contains("out of range"), message);
    }

    @Test
    void shapeThatDisagreesWithTheByteLength() {
        SafetensorsWriter w = new SafetensorsWriter().f32("w", new long[] {4}, sequence(4));
        var header = w.header();
        ((com.fasterxml.jackson.databind.node.ArrayNode) header.get("w").get("shape")).removeAll().add(5);
        w.write(file(), header.toString());
        String message = failure(file());
        assertTrue(message.contains("tensor w") && message.contains("needs 20"), message);
    }

    @Test
    void unknownDtypeNamesTheTensor() {
        new SafetensorsWriter().raw("model.x", "Q4_K", new long[] {4}, new byte[4]).write(file());
        String message = failure(file());
        assertTrue(message.contains("tensor model.x") && message.contains("unknown dtype"), message);
    }

    @Test
    void overlappingTensors() {
        SafetensorsWriter w = new SafetensorsWriter().f32("a", new long[] {4}, sequence(4)).f32("b", new long[] {4}, sequence(4));
        var header = w.header();
        ((com.fasterxml.jackson.databind.node.ArrayNode) header.get("b").get("data_offsets")).removeAll().add(8).add(24);
        w.write(file(), header.toString());
        assertTrue(failure(file()).contains("overlap"), failure(file()));
    }

    @Test
    void negativeOrFractionalDimensions() {
        SafetensorsWriter w = new SafetensorsWriter().f32("a", new long[] {4}, sequence(4));
        var header = w.header();
        ((com.fasterxml.jackson.databind.node.ArrayNode) header.get("a").get("shape")).removeAll().add(-4);
        w.write(file(), header.toString());
        assertTrue(failure(file()).contains("bad dimension"), failure(file()));
        ((com.fasterxml.jackson.databind.node.ArrayNode) header.get("a").get("shape")).removeAll().add(1.5);
        w.write(file(), header.toString());
        assertTrue(failure(file()).contains("bad dimension"), failure(file()));
    }

    @Test
    void dtypeKnownButNotComputedWith() {
        new SafetensorsWriter().raw("w", "F8_E4M3", new long[] {2, 2}, new byte[4]).write(file());
        SafetensorsFile f = SafetensorsFile.open(file());
        String message = assertThrows(ModelException.class, () -> f.matrix("w")).getMessage();
        assertTrue(message.contains("tensor w") && message.contains("F8_E4M3"), message);
    }

    @Test
    void missingFile() {
        assertTrue(failure(dir.resolve("absent.safetensors")).contains("no such file"));
    }

    @Test
    void tensorsAcrossWindowsAndChunksReadBack() {
        // Tiny windows (stride 256, overlap 96) and chunks (200 bytes) so that small tensors sit in
        // different windows and a large one is mapped in row-aligned chunks, as past 2 GiB.
        RandomTensors r = new RandomTensors(17);
        float[] small = r.floats(20, 1f);
        float[] large = r.floats(50 * 6, 1f);
        float[] after = r.floats(10, 1f);
        new SafetensorsWriter()
                .f32("small", new long[] {4, 5}, small)
                .bf16("large", new long[] {50, 6}, large)
                .f32("after", new long[] {10}, after)
                .write(file());
        SafetensorsFile f = SafetensorsFile.open(file(), 256, 96, 200);
        WeightMatrix s = f.matrix("small");
        WeightMatrix l = f.matrix("large");
        WeightMatrix a = f.matrix("after");
        for (int i = 0; i < 20; i++) {
            assertEquals(small[i], s.get(i / 5, i % 5));
        }
        for (int i = 0; i < large.length; i++) {
            assertEquals(Floats.bf16ToFloat(Floats.floatToBf16(large[i])), l.get(i / 6, i % 6), "large " + i);
        }
        for (int i = 0; i < 10; i++) {
            assertEquals(after[i], a.get(0, i));
        }
    }

    @Test
    void quantisedTensorsAcrossWindowsAndChunksDecode() {
        // FP8 rows of 72 bytes and INT4 rows of 9 words (36 bytes) mapped in 200-byte chunks: a chunk
        // holds 2 or 5 rows, so panels and blocks cross chunk edges.
        RandomTensors r = new RandomTensors(23);
        QuantizedTensors.Quantized fp8 = QuantizedTensors.fp8(r, 40, 72, 16, 24, 15, 0.01f, DType.F32);
        QuantizedTensors.Quantized int4 = QuantizedTensors.int4(r, 30, 72, 24, 0.02f, DType.BF16);
        new SafetensorsWriter()
                .raw("fp8", "F8_E4M3", new long[] {40, 72}, fp8.codes())
                .raw("fp8_scale", "F32", new long[] {3, 3}, QuantizedTensors.floatBytes(fp8.scales(), DType.F32))
                .raw("int4", "I32", new long[] {30, 9}, int4.codes())
                .raw("int4_scale", "BF16", new long[] {30, 3}, QuantizedTensors.floatBytes(int4.scales(), DType.BF16))
                .write(file());
        SafetensorsFile f = SafetensorsFile.open(file(), 256, 96, 200);
        WeightMatrix a = f.quantizedMatrix("fp8", new Quantization(Quantization.Format.FP8_E4M3, f.matrix("fp8_scale"), 16, 24), 72);
        WeightMatrix b = f.quantizedMatrix("int4", new Quantization(Quantization.Format.INT4_PACKED, f.matrix("int4_scale"), 1, 24), 72);
        Panel panel = new Panel();
        for (QuantizedTensors.Quantized q : new QuantizedTensors.Quantized[] {fp8, int4}) {
            WeightMatrix m = q == fp8 ? a : b;
            m.readRows(0, q.rows(), panel);
            for (int row = 0; row < q.rows(); row++) {
                for (int c = 0; c < 72; c++) {
                    assertEquals(q.dequantized(row, c), m.get(row, c), m + " get " + row + ", " + c);
                    assertEquals(q.dequantized(row, c), panel.get(row, c), m + " panel " + row + ", " + c);
                }
            }
        }
    }

    @Test
    void quantisedTensorOfTheWrongDtypeOrSize() {
        new SafetensorsWriter()
                .raw("codes", "U8", new long[] {4, 8}, new byte[32])
                .raw("words", "I32", new long[] {3, 5}, new byte[60])
                .f32("scale", new long[] {4, 1}, new float[] {1, 1, 1, 1})
                .raw("shape", "F32", new long[] {2}, new byte[8])
                .write(file());
        SafetensorsFile f = SafetensorsFile.open(file());
        String message = assertThrows(ModelException.class, () -> f.quantizedMatrix("codes",
                new Quantization(Quantization.Format.FP8_E4M3, f.matrix("scale"), 1, 128), 8)).getMessage();
        assertTrue(message.contains("tensor codes has dtype U8") && message.contains("stored as F8_E4M3"), message);
        // 60 bytes are not whole rows of 16 INT4 values (8 bytes each)... they are 7.5 rows
        message = assertThrows(ModelException.class, () -> f.quantizedMatrix("words",
                new Quantization(Quantization.Format.INT4_PACKED, f.matrix("scale"), 1, 32), 16)).getMessage();
        assertTrue(message.contains("tensor words holds 60 bytes, not whole rows of 16"), message);
        message = assertThrows(ModelException.class, () -> f.integers("shape")).getMessage();
        assertTrue(message.contains("tensor shape has dtype F32; expected I32 or I64"), message);
    }

    @Test
    void tensorLargerThanTwoGibibytesIsServed() throws IOException {
        // A bf16 [140000, 8192] tensor is 2.29 GB, like Kimi K2's embedding (2.35 GB). The file is
        // sparse: only the rows checked here are written.
        int rows = 140_000;
        int cols = 8192;
        long rowBytes = cols * 2L;
        String header = "{\"model.embed_tokens.weight\":{\"dtype\":\"BF16\",\"shape\":[" + rows + "," + cols
                + "],\"data_offsets\":[0," + rows * rowBytes + "]}}";
        byte[] headerBytes = header.getBytes(StandardCharsets.US_ASCII);
        long dataStart = 8 + headerBytes.length;
        int[] probeRows = {0, 131_071, 131_072, 131_073, rows - 1}; // 131072 rows = 2 GiB
        try (RandomAccessFile raf = new RandomAccessFile(file().toFile(), "rw")) {
            raf.setLength(dataStart + rows * rowBytes);
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length);
            raf.write(len.array());
            raf.write(headerBytes);
            for (int row : probeRows) {
                ByteBuffer b = ByteBuffer.allocate((int) rowBytes).order(ByteOrder.LITTLE_ENDIAN);
                for (int c = 0; c < cols; c++) {
                    b.putShort(Floats.floatToBf16(row + c / 8192f));
                }
                raf.seek(dataStart + row * rowBytes);
                raf.write(b.array());
            }
        }
        WeightMatrix m = SafetensorsFile.open(file()).matrix("model.embed_tokens.weight");
        assertEquals(rows, m.rows());
        for (int row : probeRows) {
            float expected = Floats.bf16ToFloat(Floats.floatToBf16(row + 4095 / 8192f));
            assertEquals(expected, m.get(row, 4095), "row " + row);
        }
        assertEquals(0f, m.get(5, 17), "unwritten rows of a sparse file read as zero");
        assertTrue(m.dtype() == DType.BF16);
    }
}
