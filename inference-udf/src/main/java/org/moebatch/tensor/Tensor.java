package org.moebatch.tensor;

/**
 * An activation matrix {@code [rows, cols]} owned by one backend: host floats for the CPU
 * backends, device memory for the GPU. Its row count changes from step to step (the number of
 * tokens in the step) up to a capacity that grows when needed; its width is fixed.
 */
public interface Tensor {
    int rows();

    int cols();

    /** Sets the row count for the coming step, growing the storage if it is too small. */
    void resize(int rows);
}
