package org.moebatch.cuda;

import static jcuda.driver.JCudaDriver.cuMemFree;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Device memory for activations and step tables, which come and go as step sizes change: freed
 * buffers are kept by {@linkplain SizeClasses size class} and handed out again instead of going
 * back to the driver (cuMemAlloc and cuMemFree synchronise the device). When the driver runs out,
 * the owner's reclaim hook runs, the cached buffers are freed, and the allocation is retried once.
 * One thread at a time.
 */
public final class DevicePool implements AutoCloseable {
    private final CudaContext context;
    private final Runnable reclaim;
    private final Map<Long, ArrayDeque<DeviceBuffer>> cached = new HashMap<>();
    private final Set<DeviceBuffer> live = Collections.newSetFromMap(new IdentityHashMap<>());
    private long liveBytes;
    private long cachedBytes;

    public DevicePool(CudaContext context) {
        this(context, () -> { });
    }

    /** {@code reclaim} runs when the driver is out of memory, before the one retry: it may release buffers. */
    public DevicePool(CudaContext context, Runnable reclaim) {
        this.context = context;
        this.reclaim = reclaim;
    }

    /** A buffer of at least {@code bytes}; {@code purpose} names it in an out-of-memory error. */
    public DeviceBuffer allocate(long bytes, String purpose) {
        long size = SizeClasses.round(bytes);
        ArrayDeque<DeviceBuffer> free = cached.get(size);
        DeviceBuffer b = free == null ? null : free.poll();
        if (b != null) {
            cachedBytes -= size;
        } else {
            b = DeviceBuffer.allocate(size, purpose);
            if (b == null) {
                reclaim.run();
                trim();
                b = DeviceBuffer.allocate(size, purpose);
            }
            if (b == null) {
                long[] info = context.memoryInfo();
                throw new CudaException(String.format(
                        "out of memory on cuda:%d allocating %.1f MiB for %s (%.1f MiB of activations in use, %.1f of %.1f MiB free)",
                        context.ordinal(), size / 1048576.0, purpose, liveBytes / 1048576.0, info[0] / 1048576.0,
                        info[1] / 1048576.0), jcuda.driver.CUresult.CUDA_ERROR_OUT_OF_MEMORY);
            }
        }
        live.add(b);
        liveBytes += size;
        return b;
    }

    /** Gives a buffer back for reuse. The stream may still be using it: reuse is by later work on the same stream. */
    public void release(DeviceBuffer b) {
        if (b == null) {
            return;
        }
        if (!live.remove(b)) {
            throw new IllegalArgumentException("buffer of " + b.bytes() + " bytes was not allocated here or was released twice");
        }
        liveBytes -= b.bytes();
        cachedBytes += b.bytes();
        cached.computeIfAbsent(b.bytes(), k -> new ArrayDeque<>()).push(b);
    }

    /** Returns every cached buffer to the driver. */
    public void trim() {
        context.synchronize("trimming the device pool");
        for (ArrayDeque<DeviceBuffer> q : cached.values()) {
            for (DeviceBuffer b : q) {
                Cuda.check(cuMemFree(b.allocation()), "cuMemFree(" + b.bytes() + " bytes)");
            }
        }
        cached.clear();
        cachedBytes = 0;
    }

    public long liveBytes() {
        return liveBytes;
    }

    public long cachedBytes() {
        return cachedBytes;
    }

    @Override
    public void close() {
        trim();
        for (DeviceBuffer b : live) {
            cuMemFree(b.allocation());
        }
        live.clear();
        liveBytes = 0;
    }
}
