package org.moebatch.backend.cuda;

import java.util.IdentityHashMap;
import java.util.Map;
import org.moebatch.cuda.DeviceBuffer;
import org.moebatch.cuda.HostStaging;
import org.moebatch.cuda.WeightArena;

/**
 * Device copies of the model's float vectors (norm weights, biases, the router's correction bias),
 * which the Backend seam passes as {@code float[]}: uploaded the first time an array is seen and
 * reused by identity. Model parameters are never modified after loading, which is what makes
 * identity the right key; an array must not be changed once it has been passed to the backend.
 */
final class HostVectors {
    private final WeightArena arena;
    private final HostStaging staging;
    private final Map<float[], DeviceBuffer> uploaded = new IdentityHashMap<>();

    HostVectors(WeightArena arena, HostStaging staging) {
        this.arena = arena;
        this.staging = staging;
    }

    DeviceBuffer of(float[] values, String what) {
        DeviceBuffer b = uploaded.get(values);
        if (b == null) {
            b = arena.allocate(4L * values.length, what);
            staging.upload(values, values.length, b, what);
            uploaded.put(values, b);
        }
        return b;
    }
}
