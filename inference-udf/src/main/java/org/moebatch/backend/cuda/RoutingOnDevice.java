package org.moebatch.backend.cuda;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.moebatch.backend.Router;
import org.moebatch.backend.Routing;
import org.moebatch.cuda.DeviceBuffer;
import org.moebatch.cuda.DevicePool;
import org.moebatch.cuda.HostStaging;
import org.moebatch.cuda.RouterKernel;

/**
 * The routing of the current MoE layer, on the device and on the host. The Backend seam hands the
 * routing to the host after {@code route} (the engine counts expert load from it), so the router's
 * output is copied back once per MoE layer; {@code moeExperts} then uses the device copy as long as
 * the host arrays still hold what was copied, and uploads them otherwise (a caller may route on the
 * host, or change the routing).
 */
final class RoutingOnDevice {
    private final DevicePool pool;
    private final HostStaging staging;
    private final RouterKernel kernel;
    private DeviceBuffer both;   // [n] chosen experts, then [n] weights
    private int n;               // slots the device buffers are laid out for
    private int slots = -1;      // slots of the routing the device holds, -1 when none
    private int[] chosen = new int[0];
    private float[] weights = new float[0];

    RoutingOnDevice(DevicePool pool, HostStaging staging, RouterKernel kernel) {
        this.pool = pool;
        this.staging = staging;
        this.kernel = kernel;
    }

    void route(Routing routing, DeviceTensor logits, Router router, DeviceBuffer bias) {
        int tokens = logits.rows();
        int k = routing.expertsPerToken();
        if (router.expertsPerToken() != k || router.experts() != logits.cols()) {
            throw new IllegalArgumentException("router of " + router.experts() + " experts top-" + router.expertsPerToken()
                    + " for logits " + logits + " and routing top-" + k);
        }
        routing.resize(tokens);
        int n = tokens * k;
        if (n == 0) {
            return;
        }
        ensure(n);
        kernel.route(logits.buffer(), bias, tokens, router.experts(), k, router.groups(), router.groupsKept(),
                router.sigmoid(), router.normalize(), router.scalingFactor(), chosenOnDevice(), weightsOnDevice());
        ByteBuffer b = staging.download(both, 0, 8L * n, "routing");
        b.asIntBuffer().get(routing.experts(), 0, n);
        b.position(4 * n);
        b.asFloatBuffer().get(routing.weights(), 0, n);
        for (int i = 0; i < n; i++) {
            if (routing.experts()[i] < 0) {
                throw new IllegalStateException("router found no eligible expert for token " + i / k + " slot " + i % k);
            }
        }
        remember(routing, n);
    }

    /** The routing on the device, uploaded if the host's differs from the last one routed here. */
    DeviceBuffer[] of(Routing routing, int experts) {
        int n = routing.tokens() * routing.expertsPerToken();
        boolean same = n == slots && Arrays.equals(chosen, 0, n, routing.experts(), 0, n)
                && Arrays.equals(weights, 0, n, routing.weights(), 0, n);
        if (!same) {
            for (int i = 0; i < n; i++) {
                int e = routing.experts()[i];
                if (e < -1 || e >= experts) { // -1: the slot's expert lives on another device
                    throw new IllegalArgumentException("routing slot " + i + " names expert " + e + " of " + experts);
                }
            }
            ensure(n);
            staging.upload(routing.experts(), n, chosenOnDevice(), "routing experts");
            staging.upload(routing.weights(), n, weightsOnDevice(), "routing weights");
            remember(routing, n);
        }
        return new DeviceBuffer[] {chosenOnDevice(), weightsOnDevice()};
    }

    private void ensure(int n) {
        if (both == null || both.bytes() < 8L * n) {
            pool.release(both);
            both = pool.allocate(8L * Math.max(n, 64), "routing");
        }
        slots = -1; // the device copy is about to change
        this.n = n;
    }

    private DeviceBuffer chosenOnDevice() {
        return both.slice(0, 4L * n);
    }

    private DeviceBuffer weightsOnDevice() {
        return both.slice(4L * n, 4L * n);
    }

    private void remember(Routing routing, int count) {
        if (chosen.length < count) {
            chosen = new int[Math.max(count, chosen.length * 2)];
            weights = new float[chosen.length];
        }
        System.arraycopy(routing.experts(), 0, chosen, 0, count);
        System.arraycopy(routing.weights(), 0, weights, 0, count);
        slots = count;
    }

    void release() {
        pool.release(both);
        both = null;
        slots = -1;
    }
}
