package org.moebatch.cuda;

/**
 * The routed experts of one MoE layer as the grouped kernels find them: three device arrays of
 * {@code count} pointers, to each expert's gate [width, hidden], up [width, hidden] and down
 * [hidden, width] matrix, all of one weight type. Built once per layer; the matrices stay where they
 * were uploaded.
 */
public record ExpertTables(DeviceBuffer gate, DeviceBuffer up, DeviceBuffer down, int count, WeightType type) {}
