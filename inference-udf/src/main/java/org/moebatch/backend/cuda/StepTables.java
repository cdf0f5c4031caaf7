package org.moebatch.backend.cuda;

import org.moebatch.backend.Batch;
import org.moebatch.cuda.AttentionTables;
import org.moebatch.cuda.DeviceBuffer;
import org.moebatch.cuda.DevicePool;
import org.moebatch.cuda.HostStaging;

/**
 * A step's attention tables on the device. Every layer's cache write and attention read the same
 * tables, so they are uploaded once per step: each call rebuilds the layout on the host (cheap, a
 * few ints per token) and uploads only when it differs from the one on the device. Comparing
 * contents rather than trusting the Batch object means a refilled Batch can never be served stale
 * tables.
 */
final class StepTables {
    private final DevicePool pool;
    private final HostStaging staging;
    private StepLayout current = new StepLayout();
    private StepLayout next = new StepLayout();
    private boolean valid;
    private int[] packed = new int[0];
    private DeviceBuffer buffer;
    private AttentionTables tables;

    StepTables(DevicePool pool, HostStaging staging) {
        this.pool = pool;
        this.staging = staging;
    }

    AttentionTables of(Batch batch, int tokens, DeviceKvCache cache) {
        next.build(batch, tokens, cache.pageSize(), cache.pageCount(), cache.layout().heads());
        if (valid && next.sameAs(current)) {
            return tables;
        }
        StepLayout swap = current;
        current = next;
        next = swap;
        int length = current.packedLength();
        if (packed.length < length) {
            packed = new int[Math.max(length, packed.length * 2)];
        }
        current.pack(packed);
        if (buffer == null || buffer.bytes() < 4L * length) {
            pool.release(buffer);
            buffer = pool.allocate(4L * Math.max(length, 64), "step tables");
        }
        staging.upload(packed, length, buffer, "step tables");
        int[] at = current.offsets();
        tables = new AttentionTables(part(at, 0), part(at, 1), part(at, 2), part(at, 3), part(at, 4), part(at, 5),
                part(at, 6), current.tokens, current.tileCount, current.longestContext);
        valid = true;
        return tables;
    }

    private DeviceBuffer part(int[] offsets, int i) {
        return buffer.slice(4L * offsets[i], 4L * (offsets[i + 1] - offsets[i]));
    }

    void release() {
        pool.release(buffer);
        buffer = null;
        valid = false;
    }
}
