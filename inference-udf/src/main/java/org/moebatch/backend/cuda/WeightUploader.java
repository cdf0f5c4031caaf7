package org.moebatch.backend.cuda;

import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.moebatch.cuda.DeviceBuffer;
import org.moebatch.cuda.HostStaging;
import org.moebatch.cuda.WeightArena;
import org.moebatch.cuda.WeightType;
import org.moebatch.tensor.DType;
import org.moebatch.tensor.Panel;
import org.moebatch.tensor.WeightMatrix;

/**
 * Puts checkpoint matrices on the device, once, as they are stored: bf16 stays bf16 (half the bytes
 * of float32, which decode speed is made of), f32 stays f32 so float32 checkpoints compute as the
 * CPU does, f16 stays f16. Quantised matrices (FP8, INT4) are decoded to bf16 on the way. Bytes go from the memory-mapped file straight into pinned staging in
 * pieces of 16 MiB, each copy queued while the next piece is read.
 */
final class WeightUploader {
    private static final long PIECE_BYTES = 16L << 20;

    private final WeightArena arena;
    private final HostStaging staging;

    WeightUploader(WeightArena arena, HostStaging staging) {
        this.arena = arena;
        this.staging = staging;
    }

    static WeightType typeOf(WeightMatrix m) {
        if (m.quantization() != null) {
            return WeightType.BF16; // decoded once on upload: no kernel reads FP8 or INT4 codes yet
        }
        return switch (m.dtype()) {
            case BF16 -> WeightType.BF16;
            case F16 -> WeightType.F16;
            case F32 -> WeightType.F32;
            default -> throw new IllegalArgumentException("tensor " + m.name() + " has dtype " + m.dtype()
                    + ", which the CUDA backend cannot compute with (bf16, f16, f32)");
        };
    }

    /**
     * The matrix on the device in pieces through pinned staging. A quantised one (FP8 block-scaled,
     * INT4 packed) is decoded on the host on the way and held as bfloat16: twice FP8's bytes, four
     * times INT4's, but every kernel reads it.
     */
    DeviceWeight upload(WeightMatrix m) {
        boolean decode = m.quantization() != null;
        WeightType type = typeOf(m);
        DType held = dtypeOf(type);
        long rowBytes = (long) m.cols() * held.bytes();
        DeviceBuffer buffer = arena.allocate(rowBytes * m.rows(), m.name());
        int rowsPerPiece = (int) Math.max(1, PIECE_BYTES / rowBytes);
        Panel panel = decode ? new Panel() : null;
        for (int row = 0; row < m.rows(); row += rowsPerPiece) {
            int first = row;
            int count = Math.min(rowsPerPiece, m.rows() - row);
            Consumer<ByteBuffer> fill = decode ? b -> m.copyRowsAsBf16(first, count, b, panel)
                    : b -> m.copyStoredRows(first, count, b);
            staging.upload(count * rowBytes, fill, buffer.slice(first * rowBytes, count * rowBytes), m.name());
        }
        return new DeviceWeight(m.name(), m.rows(), m.cols(), held, type, buffer);
    }

    static DType dtypeOf(WeightType type) {
        return switch (type) {
            case BF16 -> DType.BF16;
            case F16 -> DType.F16;
            case F32 -> DType.F32;
        };
    }
}
