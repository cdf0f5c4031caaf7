package org.moebatch.backend;

import org.moebatch.tensor.Weight;

/**
 * A linear layer, {@code y = x W^T + b}: a backend's weight and an optional bias ({@code null} when
 * the layer has none, as most of this architecture's layers do).
 */
public record Linear(Weight weight, float[] bias) {
    public int in() {
        return weight.cols();
    }

    public int out() {
        return weight.rows();
    }
}
