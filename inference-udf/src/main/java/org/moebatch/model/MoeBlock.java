package org.moebatch.model;

import org.moebatch.backend.Backend;
import org.moebatch.backend.Mlp;
import org.moebatch.backend.Router;

/**
 * The DeepSeekMoE block: route each token to its experts, group the step's tokens by expert, one
 * SwiGLU product per active expert, combine by routing weight, then add the shared experts, which
 * every token goes through.
 */
final class MoeBlock implements FeedForward {
    private final int layer;
    private final Router router;
    private final Mlp[] experts;
    private final Mlp shared; // null when the model has no shared experts

    MoeBlock(int layer, Router router, Mlp[] experts, Mlp shared) {
        this.layer = layer;
        this.router = router;
        this.experts = experts;
        this.shared = shared;
    }

    @Override
    public void forward(Backend be, Workspace ws) {
        be.linear(ws.routerLogits, ws.normed, router.gate());
        be.route(ws.routing, ws.routerLogits, router);
        be.countExperts(ws.expertCounts, layer, ws.routing);
        be.moeExperts(ws.ffnOut, ws.normed, ws.routing, experts);
        if (shared != null) {
            be.linear(ws.sharedGate, ws.normed, shared.gate());
            be.linear(ws.sharedUp, ws.normed, shared.up());
            be.siluMul(ws.sharedGate, ws.sharedUp);
            be.linear(ws.sharedOut, ws.sharedGate, shared.down());
            be.add(ws.ffnOut, ws.sharedOut);
        }
    }

    Router router() {
        return router;
    }
}
