package org.moebatch.backend.cuda;

import java.util.Arrays;
import org.moebatch.backend.Batch;
import org.moebatch.backend.Rotary;
import org.moebatch.cuda.DeviceBuffer;
import org.moebatch.cuda.DevicePool;
import org.moebatch.cuda.HostStaging;

/**
 * The step's rotary tables on the device: {@link Batch#seal} computes cos and sin on the host with
 * YaRN's frequencies and attention factor, exactly as the CPU backends use them, and they are
 * uploaded once per step (queries and keys of every layer rotate by the same tables).
 */
final class RopeTables {
    private final DevicePool pool;
    private final HostStaging staging;
    private Rotary rotary;
    private int tokens = -1;
    private int[] positions = new int[0];
    private DeviceBuffer cos;
    private DeviceBuffer sin;

    RopeTables(DevicePool pool, HostStaging staging) {
        this.pool = pool;
        this.staging = staging;
    }

    /** cos and sin, each {@code [tokens, dim / 2]}. */
    DeviceBuffer[] of(Batch batch, int tokens, Rotary rotary) {
        if (tokens > batch.tokenCount()) {
            throw new IllegalArgumentException(tokens + " rows for a batch of " + batch.tokenCount() + " tokens");
        }
        boolean same = rotary == this.rotary && tokens == this.tokens
                && Arrays.equals(positions, 0, tokens, batch.positions(), 0, tokens);
        if (!same) {
            int n = tokens * (rotary.dim() / 2);
            if (cos == null || cos.bytes() < 4L * n) {
                pool.release(cos);
                pool.release(sin);
                cos = pool.allocate(4L * Math.max(n, 64), "rotary cos");
                sin = pool.allocate(4L * Math.max(n, 64), "rotary sin");
            }
            staging.upload(batch.cos(), n, cos, "rotary cos");
            staging.upload(batch.sin(), n, sin, "rotary sin");
            if (positions.length < tokens) {
                positions = new int[Math.max(tokens, positions.length * 2)];
            }
            System.arraycopy(batch.positions(), 0, positions, 0, tokens);
            this.tokens = tokens;
            this.rotary = rotary;
        }
        return new DeviceBuffer[] {cos, sin};
    }

    void release() {
        pool.release(cos);
        pool.release(sin);
        cos = null;
        sin = null;
        tokens = -1;
    }
}
