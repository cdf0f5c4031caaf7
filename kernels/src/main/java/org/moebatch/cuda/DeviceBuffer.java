package org.moebatch.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;

import jcuda.driver.CUdeviceptr;

/**
 * A range of device memory: a whole allocation, or a piece of one (a weight inside an arena slab).
 * Holds the allocation's pointer, for the driver's copy calls, and the numeric address, for kernel
 * arguments.
 */
public final class DeviceBuffer {
    private final CUdeviceptr base;
    private final long baseAddress;
    private final long offset;
    private final long bytes;

    private DeviceBuffer(CUdeviceptr base, long baseAddress, long offset, long bytes) {
        this.base = base;
        this.baseAddress = baseAddress;
        this.offset = offset;
        this.bytes = bytes;
    }

    /** cuMemAlloc; returns null when the device is out of memory, throws on any other failure. */
    static DeviceBuffer allocate(long bytes, String purpose) {
        DevicePointer p = new DevicePointer();
        int result = cuMemAlloc(p, bytes);
        if (result == jcuda.driver.CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            return null;
        }
        Cuda.check(result, "cuMemAlloc(" + bytes + " bytes for " + purpose + ")");
        return new DeviceBuffer(p, p.address(), 0, bytes);
    }

    /** The piece {@code [at, at + length)} of this buffer. */
    public DeviceBuffer slice(long at, long length) {
        if (at < 0 || length < 0 || at + length > bytes) {
            throw new IndexOutOfBoundsException("[" + at + ", " + (at + length) + ") of a buffer of " + bytes + " bytes");
        }
        return new DeviceBuffer(base, baseAddress, offset + at, length);
    }

    public long address() {
        return baseAddress + offset;
    }

    /** The address {@code at} bytes in; checked against the buffer's end. */
    public long address(long at) {
        if (at < 0 || at > bytes) {
            throw new IndexOutOfBoundsException("byte " + at + " of a buffer of " + bytes + " bytes");
        }
        return address() + at;
    }

    public long bytes() {
        return bytes;
    }

    /** For the driver's copy and set calls. */
    public CUdeviceptr pointer() {
        return offset == 0 ? base : base.withByteOffset(offset);
    }

    public CUdeviceptr pointer(long at) {
        address(at);
        return base.withByteOffset(offset + at);
    }

    /** The allocation's own pointer (for cuMemFree); only meaningful for whole allocations. */
    CUdeviceptr allocation() {
        return base;
    }

    boolean isWholeAllocation() {
        return offset == 0;
    }
}
