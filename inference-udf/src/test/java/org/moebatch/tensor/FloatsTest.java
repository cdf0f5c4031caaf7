package org.moebatch.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.moebatch.testing.QuantizedTensors;

class FloatsTest {
    @Test
    void bf16RoundsToNearestEven() {
        assertEquals(1.0f, Floats.bf16ToFloat(Floats.floatToBf16(1.0f)));
        // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to even gives 1.
        assertEquals(1.0f, Floats.bf16ToFloat(Floats.floatToBf16(1.0f + 0x1p-8f)));
        // just above halfway rounds up
        assertEquals(1.0f + 0x1p-7f, Floats.bf16ToFloat(Floats.floatToBf16(1.0f + 0x1p-8f + 0x1p-20f)));
        assertTrue(Float.isNaN(Floats.bf16ToFloat(Floats.floatToBf16(Float.NaN))));
        assertEquals(Float.NEGATIVE_INFINITY, Floats.bf16ToFloat(Floats.floatToBf16(Float.NEGATIVE_INFINITY)));
    }

    @Test
    void f16DecodesNormalsSubnormalsAndSpecials() {
        assertEquals(1.0f, Floats.f16ToFloat((short) 0x3C00));
        assertEquals(-2.0f, Floats.f16ToFloat((short) 0xC000));
        assertEquals(65504f, Floats.f16ToFloat((short) 0x7BFF));
        assertEquals(0x1p-24f, Floats.f16ToFloat((short) 0x0001), "smallest subnormal");
        assertEquals(Float.POSITIVE_INFINITY, Floats.f16ToFloat((short) 0x7C00));
        assertTrue(Float.isNaN(Floats.f16ToFloat((short) 0x7E00)));
        assertEquals(-0.0f, Floats.f16ToFloat((short) 0x8000));
    }

    @Test
    void f16RoundTripsEveryHalfValue() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float v = Floats.f16ToFloat((short) bits);
            if (!Float.isNaN(v)) {
                assertEquals((short) bits, Floats.floatToF16(v), "half " + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void e4m3DecodesAll256CodesAsTheOcpFormulaSays() {
        // QuantizedTensors.e4m3 is the OFP8 formula in doubles: (-1)^s 2^(e-7) (1 + m/8), subnormal
        // 2^-6 (m/8) at e = 0, NaN at S.1111.111; the engine shifts bits instead.
        for (int code = 0; code < 256; code++) {
            double expected = QuantizedTensors.e4m3(code);
            float actual = Floats.e4m3ToFloat((byte) code);
            if (Double.isNaN(expected)) {
                assertTrue(Float.isNaN(actual), "code 0x" + Integer.toHexString(code) + " is NaN");
            } else {
                assertEquals(Float.floatToIntBits((float) expected), Float.floatToIntBits(actual),
                        "code 0x" + Integer.toHexString(code) + ": expected " + expected + ", got " + actual);
            }
        }
        assertEquals(448f, Floats.e4m3ToFloat((byte) 0x7E), "largest finite");
        assertEquals(-448f, Floats.e4m3ToFloat((byte) 0xFE));
        assertEquals(0x1p-9f, Floats.e4m3ToFloat((byte) 0x01), "smallest subnormal");
        assertEquals(0x1p-6f, Floats.e4m3ToFloat((byte) 0x08), "smallest normal");
        assertEquals(1f, Floats.e4m3ToFloat((byte) 0x38));
        assertEquals(-0.0f, Floats.e4m3ToFloat((byte) 0x80));
        assertTrue(Float.isNaN(Floats.e4m3ToFloat((byte) 0x7F)) && Float.isNaN(Floats.e4m3ToFloat((byte) 0xFF)));
    }
}
