package org.moebatch.tensor;

/**
 * A weight matrix as a backend holds it: {@code [rows, cols]}, each row one output feature of a
 * linear layer (Hugging Face's {@code nn.Linear} layout). The CPU backends read the memory-mapped
 * {@link WeightMatrix} directly; a GPU backend holds a device copy.
 */
public interface Weight {
    String name();

    int rows();

    int cols();

    DType dtype();
}
