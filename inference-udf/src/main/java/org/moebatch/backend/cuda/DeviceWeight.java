package org.moebatch.backend.cuda;

import org.moebatch.cuda.DeviceBuffer;
import org.moebatch.cuda.WeightType;
import org.moebatch.tensor.DType;
import org.moebatch.tensor.Weight;

/** A checkpoint matrix resident on the device, stored as the checkpoint stores it (bf16, f16 or f32). */
public final class DeviceWeight implements Weight {
    private final String name;
    private final int rows;
    private final int cols;
    private final DType dtype;
    private final WeightType type;
    private final DeviceBuffer buffer;

    DeviceWeight(String name, int rows, int cols, DType dtype, WeightType type, DeviceBuffer buffer) {
        this.name = name;
        this.rows = rows;
        this.cols = cols;
        this.dtype = dtype;
        this.type = type;
        this.buffer = buffer;
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

    @Override
    public DType dtype() {
        return dtype;
    }

    /** The element type the kernels read. */
    public WeightType type() {
        return type;
    }

    public DeviceBuffer buffer() {
        return buffer;
    }

    @Override
    public String toString() {
        return name + " " + dtype + " [" + rows + ", " + cols + "] on the device";
    }
}
