package org.moebatch.engine.cuda;

import org.moebatch.cuda.DeviceBuffer;
import org.moebatch.cuda.HostStaging;
import org.moebatch.cuda.WeightArena;
import org.moebatch.cuda.WeightType;
import org.moebatch.model.ModelException;
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
            default -> throw new ModelException("tensor " + m.name() + " has dtype " + m.dtype()
                    + ", which the CUDA backend cannot compute with (bf16, f16, f32)");
        };
    }

    DeviceWeight upload(WeightMatrix m) {
        if (m.quantization() != null) {
            return uploadDecoded(m);
        }
        WeightType type = typeOf(m);
        long rowBytes = (long) m.cols() * m.dtype().bytes();
        long total = rowBytes * m.rows();
        DeviceBuffer buffer = arena.allocate(total, m.name());
        int rowsPerPiece = (int) Math.max(1, PIECE_BYTES / rowBytes);
        for (int row = 0; row < m.rows(); row += rowsPerPiece) {
            int first = row;
            int count = Math.min(rowsPerPiece, m.rows() - row);
            staging.upload(count * rowBytes, b -> m.copyStoredRows(first, count, b),
                    buffer.slice(first * rowBytes, count * rowBytes), m.name());
        }
        return new DeviceWeight(m.name(), m.rows(), m.cols(), m.dtype(), type, buffer);
    }

    /**
     * A quantised matrix (FP8 block-scaled, INT4 packed) decoded on the host, piece by piece, and
     * held as bfloat16: twice FP8's bytes, four times INT4's, but every kernel reads it.
     */
    private DeviceWeight uploadDecoded(WeightMatrix m) {
        long rowBytes = 2L * m.cols();
        DeviceBuffer buffer = arena.allocate(rowBytes * m.rows(), m.name());
        int rowsPerPiece = (int) Math.max(1, PIECE_BYTES / rowBytes);
        Panel panel = new Panel();
        for (int row = 0; row < m.rows(); row += rowsPerPiece) {
            int first = row;
            int count = Math.min(rowsPerPiece, m.rows() - row);
            staging.upload(count * rowBytes, b -> m.copyRowsAsBf16(first, count, b, panel),
                    buffer.slice(first * rowBytes, count * rowBytes), m.name());
        }
        return new DeviceWeight(m.name(), m.rows(), m.cols(), DType.BF16, WeightType.BF16, buffer);
    }

    static DType dtypeOf(WeightType type) {
        return switch (type) {
            case BF16 -> DType.BF16;
            case F16 -> DType.F16;
            case F32 -> DType.F32;
        };
    }
}
