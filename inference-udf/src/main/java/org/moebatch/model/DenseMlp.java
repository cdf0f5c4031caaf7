package org.moebatch.model;

import org.moebatch.backend.Backend;
import org.moebatch.backend.Mlp;

/** The SwiGLU MLP of the first {@code first_k_dense_replace} layers. */
final class DenseMlp implements FeedForward {
    private final Mlp mlp;

    DenseMlp(Mlp mlp) {
        this.mlp = mlp;
    }

    @Override
    public void forward(Backend be, Workspace ws) {
        be.linear(ws.denseGate, ws.normed, mlp.gate());
        be.linear(ws.denseUp, ws.normed, mlp.up());
        be.siluMul(ws.denseGate, ws.denseUp);
        be.linear(ws.ffnOut, ws.denseGate, mlp.down());
    }
}
