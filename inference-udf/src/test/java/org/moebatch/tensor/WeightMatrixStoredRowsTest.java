package org.moebatch.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.moebatch.testing.RandomTensors;

/** The stored bytes a GPU upload copies: exactly the file's, across chunk edges, for row views too. */
class WeightMatrixStoredRowsTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = DType.class, names = {"F32", "BF16", "F16"})
    void storedRowsDecodeToTheSameValuesAsGet(DType dtype) {
        // chunks of 5 rows: most ranges below cross a chunk edge
        WeightMatrix m = new RandomTensors(dtype.ordinal()).matrix("w", dtype, 23, 7, 5);
        WeightMatrix view = m.rows(3, 17);
        for (WeightMatrix w : new WeightMatrix[] {m, view}) {
            for (int first = 0; first < w.rows(); first += 3) {
                int count = Math.min(1 + first % 7, w.rows() - first);
                ByteBuffer b = ByteBuffer.allocate(count * w.cols() * dtype.bytes() + 3).order(ByteOrder.LITTLE_ENDIAN);
                b.put((byte) 1); // at the destination's position, not its start
                w.copyStoredRows(first, count, b);
                assertEquals(1 + count * w.cols() * dtype.bytes(), b.position());
                for (int r = 0; r < count; r++) {
                    for (int c = 0; c < w.cols(); c++) {
                        int at = 1 + (r * w.cols() + c) * dtype.bytes();
                        float v = switch (dtype) {
                            case F32 -> b.getFloat(at);
                            case BF16 -> Floats.bf16ToFloat(b.getShort(at));
                            default -> Floats.f16ToFloat(b.getShort(at));
                        };
                        assertEquals(w.get(first + r, c), v, 0f, w.name() + " [" + (first + r) + ", " + c + "]");
                    }
                }
            }
        }
        assertThrows(IndexOutOfBoundsException.class, () -> view.copyStoredRows(10, 8, ByteBuffer.allocate(1000)));
    }
}
