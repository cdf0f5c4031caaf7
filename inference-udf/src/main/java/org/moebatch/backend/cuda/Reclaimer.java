package org.moebatch.backend.cuda;

import java.lang.ref.Cleaner;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.moebatch.cuda.DeviceBuffer;
import org.moebatch.cuda.DevicePool;

/**
 * Gives device memory back when the Java object that owned it is gone. The Backend seam has no
 * close for tensors or caches (the host backends leave them to the garbage collector), yet an
 * engine's workspace and KV pages can be gigabytes of device memory, so each is registered here:
 * once its owner is unreachable, the cleaner thread queues the buffer, and the backend returns
 * queued buffers to its pool on the thread that drives it (the pool is single-threaded). Work
 * already queued on the stream that still uses such a buffer runs before any reuse, in stream order.
 */
final class Reclaimer {
    private static final Cleaner CLEANER = Cleaner.create();

    /** The buffer an owner holds now; an owner that reallocates updates it. */
    static final class Holder {
        volatile DeviceBuffer buffer;

        Holder(DeviceBuffer buffer) {
            this.buffer = buffer;
        }
    }

    private final ConcurrentLinkedQueue<DeviceBuffer> collected = new ConcurrentLinkedQueue<>();

    /** Tracks {@code owner}; the returned holder must not reference it. */
    Holder track(Object owner, DeviceBuffer buffer) {
        Holder holder = new Holder(buffer);
        ConcurrentLinkedQueue<DeviceBuffer> queue = collected;
        CLEANER.register(owner, () -> {
            DeviceBuffer b = holder.buffer;
            if (b != null) {
                queue.add(b);
            }
        });
        return holder;
    }

    /** Returns the buffers of collected owners to the pool. Call from the backend's thread. */
    void drain(DevicePool pool) {
        DeviceBuffer b;
        while ((b = collected.poll()) != null) {
            pool.release(b);
        }
    }
}
