package org.moebatch.cuda;

/** Element types of weights on the device: kept as the checkpoint stores them, widened in the kernels. */
public enum WeightType {
    BF16(2),
    F16(2),
    F32(4);

    private final int bytes;

    WeightType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }
}
