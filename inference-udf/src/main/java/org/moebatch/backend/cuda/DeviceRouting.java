package org.moebatch.backend.cuda;

import org.moebatch.backend.Routing;
import org.moebatch.cuda.DeviceBuffer;
import org.moebatch.cuda.DevicePool;

/**
 * A routing in device memory: {@code [capacity]} chosen experts, then {@code [capacity]} weights, in
 * one buffer. The router kernel writes it and the MoE kernels read it where it is; nothing of it
 * crosses to the host in a forward pass. Grows like a {@link DeviceTensor} (contents not kept) and
 * goes back to the pool once collected.
 *
 * <p>{@link #expertBound()} is what the host knows of the experts named without reading them: the
 * router's expert count after {@code route}, one past the largest after a host copy. The MoE call
 * checks it against its layer, so a routing never indexes past the expert tables.
 */
final class DeviceRouting implements Routing {
    private final DevicePool pool;
    private final int expertsPerToken;
    private final Reclaimer.Holder storage;
    private int capacity; // slots the buffer holds
    private int tokens;
    private int expertBound;

    DeviceRouting(DevicePool pool, Reclaimer reclaimer, int expertsPerToken) {
        if (expertsPerToken < 1) {
            throw new IllegalArgumentException("routing of top-" + expertsPerToken);
        }
        this.pool = pool;
        this.expertsPerToken = expertsPerToken;
        this.capacity = 64 * expertsPerToken;
        this.storage = reclaimer.track(this, pool.allocate(8L * capacity, "routing of " + capacity + " slots"));
    }

    @Override
    public int tokens() {
        return tokens;
    }

    @Override
    public int expertsPerToken() {
        return expertsPerToken;
    }

    /** Sets the token count for the coming layer, growing the buffer (contents lost) if needed. */
    void resize(int tokenCount, int bound) {
        int n = Math.multiplyExact(tokenCount, expertsPerToken);
        if (n > capacity) {
            int grown = Math.max(n, capacity + (capacity >> 1));
            DeviceBuffer next = pool.allocate(8L * grown, "routing of " + grown + " slots");
            pool.release(storage.buffer);
            storage.buffer = next;
            capacity = grown;
        }
        tokens = tokenCount;
        expertBound = bound;
    }

    int slots() {
        return tokens * expertsPerToken;
    }

    /** Every expert named is below this (or {@code -1}). */
    int expertBound() {
        return expertBound;
    }

    /** {@code [slots]} ints. */
    DeviceBuffer chosen() {
        return storage.buffer.slice(0, 4L * Math.max(1, slots()));
    }

    /** {@code [slots]} floats. */
    DeviceBuffer weights() {
        return storage.buffer.slice(4L * capacity, 4L * Math.max(1, slots()));
    }

    @Override
    public String toString() {
        return "device routing [" + tokens + ", " + expertsPerToken + "]";
    }
}
