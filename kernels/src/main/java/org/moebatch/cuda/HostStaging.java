package org.moebatch.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jcuda.Pointer;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;

/**
 * Pinned host memory between the Java heap and the device. Copies from pinned memory are truly
 * asynchronous, so uploads (step tables, routing, weights) are queued on the stream and the host
 * goes on. Uploads rotate through a ring of buffers; a buffer is reused only after the event
 * recorded behind its last copy has fired, so nothing is overwritten while the device still reads
 * it. Downloads use one buffer and wait for the stream. One thread at a time.
 */
public final class HostStaging implements AutoCloseable {
    private static final int SLOTS = 8;
    private static final long INITIAL_BYTES = 1L << 16;

    private final CudaContext context;
    private final Slot[] slots = new Slot[SLOTS];
    private final Slot download;
    private int next;

    /** One pinned buffer, and the event that tells when the device is done reading it. */
    private final class Slot {
        Pointer host;
        ByteBuffer buffer;
        long capacity;
        final CUevent done = new CUevent();
        boolean pending;

        Slot() {
            Cuda.check(cuEventCreate(done, CUevent_flags.CU_EVENT_DISABLE_TIMING), "cuEventCreate(staging)");
            grow(INITIAL_BYTES);
        }

        void grow(long bytes) {
            if (host != null) {
                Cuda.check(cuMemFreeHost(host), "cuMemFreeHost(" + capacity + " bytes of staging)");
                host = null;
            }
            long size = Math.max(bytes, capacity * 2);
            Pointer p = new Pointer();
            Cuda.check(cuMemAllocHost(p, size), "cuMemAllocHost(" + size + " bytes of staging)");
            host = p;
            capacity = size;
            buffer = p.getByteBuffer(0, size).order(ByteOrder.nativeOrder());
        }

        /** Waits for the device to finish with this buffer, then makes room for {@code bytes}. */
        ByteBuffer take(long bytes) {
            if (pending) {
                Cuda.check(cuEventSynchronize(done), "cuEventSynchronize(staging)");
                pending = false;
            }
            if (bytes > capacity) {
                grow(bytes);
            }
            buffer.clear();
            return buffer;
        }
    }

    public HostStaging(CudaContext context) {
        this.context = context;
        for (int i = 0; i < SLOTS; i++) {
            slots[i] = new Slot();
        }
        download = new Slot();
    }

    /** Copies {@code count} ints to {@code destination} (asynchronously, in stream order). */
    public void upload(int[] values, int count, DeviceBuffer destination, String what) {
        upload(4L * count, b -> b.asIntBuffer().put(values, 0, count), destination, what);
    }

    /** Copies {@code count} floats to {@code destination}. */
    public void upload(float[] values, int count, DeviceBuffer destination, String what) {
        upload(4L * count, b -> b.asFloatBuffer().put(values, 0, count), destination, what);
    }

    /** Copies {@code count} longs (device addresses) to {@code destination}. */
    public void upload(long[] values, int count, DeviceBuffer destination, String what) {
        upload(8L * count, b -> b.asLongBuffer().put(values, 0, count), destination, what);
    }

    /**
     * Copies the {@code bytes} that {@code fill} writes into the staging buffer to {@code destination}:
     * for weights, read straight from the mapped checkpoint into pinned memory. A typed view the fill
     * writes through leaves the buffer's position alone; only a fill that moves it is held to it.
     */
    public void upload(long bytes, java.util.function.Consumer<ByteBuffer> fill, DeviceBuffer destination, String what) {
        checkRoom(bytes, destination, what);
        Slot s = slots[next];
        next = (next + 1) % SLOTS;
        ByteBuffer b = s.take(bytes);
        b.limit((int) bytes);
        fill.accept(b);
        if (b.position() != 0 && b.position() != bytes) {
            throw new IllegalStateException(what + ": " + b.position() + " bytes staged, " + bytes + " expected");
        }
        send(s, bytes, destination, what);
    }

    /**
     * Copies {@code bytes} from {@code source + at} to the host and waits for them (and so for every
     * earlier operation on the stream). The returned buffer is valid until the next download.
     */
    public ByteBuffer download(DeviceBuffer source, long at, long bytes, String what) {
        if (at < 0 || at + bytes > source.bytes()) {
            throw new IndexOutOfBoundsException(what + ": bytes [" + at + ", " + (at + bytes) + ") of a buffer of "
                    + source.bytes());
        }
        ByteBuffer b = download.take(bytes);
        Cuda.check(cuMemcpyDtoHAsync(download.host, source.pointer(at), bytes, context.stream()),
                "cuMemcpyDtoHAsync(" + what + ", " + bytes + " bytes)");
        context.synchronize("copying " + what + " to the host");
        b.limit((int) bytes);
        return b;
    }

    private static void checkRoom(long bytes, DeviceBuffer destination, String what) {
        if (bytes > destination.bytes()) {
            throw new IllegalArgumentException(what + ": " + bytes + " bytes into a device buffer of " + destination.bytes());
        }
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(what + ": " + bytes + " bytes in one staged copy; stage in pieces");
        }
    }

    private void send(Slot s, long bytes, DeviceBuffer destination, String what) {
        if (bytes == 0) {
            return;
        }
        Cuda.check(cuMemcpyHtoDAsync(destination.pointer(), s.host, bytes, context.stream()),
                "cuMemcpyHtoDAsync(" + what + ", " + bytes + " bytes)");
        Cuda.check(cuEventRecord(s.done, context.stream()), "cuEventRecord(staging of " + what + ")");
        s.pending = true;
    }

    @Override
    public void close() {
        for (Slot s : slots) {
            free(s);
        }
        free(download);
    }

    private static void free(Slot s) {
        if (s.pending) {
            cuEventSynchronize(s.done);
        }
        if (s.host != null) {
            cuMemFreeHost(s.host);
            s.host = null;
        }
        cuEventDestroy(s.done);
    }
}
