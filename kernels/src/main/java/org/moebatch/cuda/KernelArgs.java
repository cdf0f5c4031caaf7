package org.moebatch.cuda;

import java.util.Arrays;
import jcuda.Pointer;

/** A kernel's arguments in declaration order, as cuLaunchKernel takes them (pointers to each value). */
public final class KernelArgs {
    private Pointer[] values = new Pointer[16];
    private final StringBuilder signature = new StringBuilder(16);
    private int count;

    private KernelArgs add(Pointer p, char kind) {
        if (count == values.length) {
            values = Arrays.copyOf(values, count * 2);
        }
        values[count++] = p;
        signature.append(kind);
        return this;
    }

    /** A device pointer argument (0 for null). */
    public KernelArgs ptr(long address) {
        return add(Pointer.to(new long[] {address}), 'p');
    }

    public KernelArgs ptr(DeviceBuffer b) {
        return ptr(b == null ? 0L : b.address());
    }

    public KernelArgs i32(int v) {
        return add(Pointer.to(new int[] {v}), 'i');
    }

    public KernelArgs i64(long v) {
        return add(Pointer.to(new long[] {v}), 'l');
    }

    public KernelArgs f32(float v) {
        return add(Pointer.to(new float[] {v}), 'f');
    }

    /** A boolean as the kernels take it, an int. */
    public KernelArgs flag(boolean v) {
        return i32(v ? 1 : 0);
    }

    /** The arguments' kinds so far, in {@link KernelName#signature()}'s letters. */
    public String signature() {
        return signature.toString();
    }

    Pointer pointer() {
        return Pointer.to(Arrays.copyOf(values, count));
    }
}
