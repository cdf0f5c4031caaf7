package org.moebatch.tensor;

/**
 * Conversions between float and the 16-bit float formats of checkpoints. Java 17 has no
 * {@code Float.float16ToFloat}, so IEEE half precision is decoded here.
 */
public final class Floats {
    private Floats() {}

    /** bfloat16 is the high half of a float32: widening is a shift. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** Rounds to the nearest bfloat16, ties to even, as PyTorch's {@code .to(torch.bfloat16)} does. */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    /** Decodes an IEEE 754 binary16 value, subnormals and infinities included. */
    public static float f16ToFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            if (mantissa == 0) {
                return Float.intBitsToFloat(sign);
            }
            // Subnormal half: value = mantissa * 2^-24.
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /**
     * Decodes an FP8 E4M3 code as the OCP 8-bit Floating Point Specification (OFP8, rev. 1.0, 2023)
     * defines E4M3 (PyTorch's {@code float8_e4m3fn}): 1 sign, 4 exponent bits of bias 7, 3 mantissa
     * bits, subnormals, no infinities, {@code S.1111.111} is NaN, the largest finite value 448.
     *
     * <p>A normal code's exponent and mantissa, shifted left by 20, line up with float32's; adding
     * 120 (= 127 - 7) to the exponent field rebias it. A subnormal code (exponent field 0) is
     * {@code m * 2^-9}, which float32 holds as a normal number. No float arithmetic on subnormals
     * either way (which x86 cores run through slow microcode). {@link Panel} does the same lane by
     * lane.
     */
    public static float e4m3ToFloat(byte code) {
        int magnitude = code & 0x7F;
        if (magnitude == 0x7F) {
            return Float.NaN;
        }
        float value = magnitude < 8 ? magnitude * 0x1p-9f : Float.intBitsToFloat((magnitude << 20) + (120 << 23));
        return code < 0 ? -value : value;
    }

    /** Rounds a float to the nearest binary16, ties to even (used by tests that write checkpoints). */
    public static short floatToF16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = ((bits >>> 23) & 0xFF) - 127 + 15;
        int mantissa = bits & 0x7FFFFF;
        if (((bits >>> 23) & 0xFF) == 0xFF) {
            return (short) (sign | 0x7C00 | (mantissa != 0 ? 0x200 : 0));
        }
        if (exponent >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (exponent <= 0) {
            if (exponent < -10) {
                return (short) sign;
            }
            mantissa |= 0x800000;
            int shift = 14 - exponent;
            int half = mantissa >>> shift;
            int remainder = mantissa & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (remainder > halfway || (remainder == halfway && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (exponent << 10) | (mantissa >>> 13);
        int remainder = mantissa & 0x1FFF;
        if (remainder > 0x1000 || (remainder == 0x1000 && (half & 1) != 0)) {
            half++;
        }
        return (short) (sign | half);
    }
}
