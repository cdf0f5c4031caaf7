package org.moebatch.backend;

/**
 * A SwiGLU feed-forward network, {@code down(silu(gate(x)) * up(x))}: the dense MLP of the first
 * layers, each routed expert, and the shared experts (whose width is
 * {@code moe_intermediate_size * n_shared_experts}).
 */
public record Mlp(Linear gate, Linear up, Linear down) {
    public int width() {
        return gate.out();
    }
}
