package org.moebatch.tensor;

import java.util.Locale;

/**
 * Element types a checkpoint tensor may have, named as safetensors names them. Only some can be
 * computed with; the rest are recognised so that a checkpoint using them fails with a clear message
 * instead of a parse error.
 */
public enum DType {
    F32(4, true),
    F16(2, true),
    BF16(2, true),
    F64(8, false),
    I64(8, false),
    I32(4, false),
    I16(2, false),
    I8(1, false),
    U8(1, false),
    BOOL(1, false),
    F8_E4M3(1, false),
    F8_E5M2(1, false);

    private final int bytes;
    private final boolean computable;

    DType(int bytes, boolean computable) {
        this.bytes = bytes;
        this.computable = computable;
    }

    public int bytes() {
        return bytes;
    }

    /** Whether the CPU kernels can read weights of this type. */
    public boolean computable() {
        return computable;
    }

    /** The type for a safetensors {@code dtype} string, or {@code null} when the name is unknown. */
    public static DType fromSafetensors(String name) {
        if (name == null) {
            return null;
        }
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            return null;
        }
    }
}
