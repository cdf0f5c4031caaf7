package org.moebatch.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.moebatch.testing.RandomTensors;

class VectorMathTest {
    @Test
    void expMatchesMathExpAndItsVectorFormBitForBit() {
        RandomTensors r = new RandomTensors(3);
        float[] x = r.floats(4096, 20f);
        x[0] = -100f;
        x[1] = 100f;
        x[2] = 0f;
        float[] vector = new float[x.length];
        for (int i = 0; i < x.length; i += MatMul.LANES) {
            VectorMath.exp(FloatVector.fromArray(MatMul.FLOATS, x, i)).intoArray(vector, i);
        }
        for (int i = 0; i < x.length; i++) {
            float scalar = VectorMath.exp(x[i]);
            assertEquals(Float.floatToIntBits(scalar), Float.floatToIntBits(vector[i]), "x = " + x[i]);
            double exact = Math.exp(Math.min(Math.max(x[i], -87.3), 88.0));
            assertTrue(Math.abs(scalar - exact) <= 2e-7 * exact + 1e-38, "x = " + x[i] + ": " + scalar + " vs " + exact);
        }
    }

    @Test
    void siluMulMatchesItsDefinition() {
        RandomTensors r = new RandomTensors(4);
        float[] gate = r.floats(37, 3f);
        float[] up = r.floats(37, 1f);
        float[] expected = new float[37];
        for (int i = 0; i < 37; i++) {
            expected[i] = (float) (gate[i] / (1 + Math.exp(-gate[i])) * up[i]);
        }
        VectorMath.siluMul(gate, 0, up, 0, 37);
        for (int i = 0; i < 37; i++) {
            assertEquals(expected[i], gate[i], 1e-6 * Math.max(1, Math.abs(expected[i])));
        }
    }
}
