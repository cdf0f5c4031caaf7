package org.moebatch.cuda;

import static jcuda.driver.JCudaDriver.cuMemFree;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the model's weights live on the device: slabs of 512 MiB filled in order, 256-byte aligned
 * (every row of a bf16 matrix whose width is a multiple of 8 is then 16-byte aligned, which the
 * vector loads of the kernels need). Weights stay until the backend closes.
 */
public final class WeightArena implements AutoCloseable {
    static final long SLAB_BYTES = 512L << 20;
    static final long ALIGNMENT = 256;

    private final CudaContext context;
    private final ArenaCursor cursor = new ArenaCursor(SLAB_BYTES, ALIGNMENT);
    private final List<DeviceBuffer> slabs = new ArrayList<>();
    private DeviceBuffer current;
    private long usedBytes;
    private long slabBytes;

    public WeightArena(CudaContext context) {
        this.context = context;
    }

    /** Room for {@code bytes} of {@code name}; an out-of-memory error names the weight and the totals. */
    public DeviceBuffer allocate(long bytes, String name) {
        ArenaCursor.Placement p = cursor.place(bytes);
        DeviceBuffer slab = current;
        if (p.newSlab()) {
            slab = DeviceBuffer.allocate(p.slabBytes(), "weights");
            if (slab == null) {
                long[] info = context.memoryInfo();
                throw new CudaException(String.format(
                        "the model does not fit on cuda:%d: out of memory at weight %s after %.2f GiB of weights "
                                + "(%.2f of %.2f GiB free)", context.ordinal(), name, usedBytes / (double) (1L << 30),
                        info[0] / (double) (1L << 30), info[1] / (double) (1L << 30)),
                        jcuda.driver.CUresult.CUDA_ERROR_OUT_OF_MEMORY);
            }
            slabs.add(slab);
            slabBytes += p.slabBytes();
            if (p.slabBytes() == SLAB_BYTES) {
                current = slab; // a dedicated slab for one large weight does not become the current one
            }
        }
        usedBytes += bytes;
        return slab.slice(p.offset(), bytes);
    }

    /** Bytes of weights placed. */
    public long usedBytes() {
        return usedBytes;
    }

    /** Bytes taken from the device for them. */
    public long reservedBytes() {
        return slabBytes;
    }

    @Override
    public void close() {
        for (DeviceBuffer s : slabs) {
            cuMemFree(s.allocation());
        }
        slabs.clear();
        current = null;
    }
}
