package org.moebatch.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.moebatch.tensor.DType;
import org.moebatch.tensor.HostTensor;
import org.moebatch.testing.RandomTensors;

/** The delegating base of the wrapping backends, and ProfilingBackend built on it. */
class ForwardingBackendTest {
    @Test
    void forwardsEveryOperationOfTheSeamDefaultsIncluded() throws NoSuchMethodException {
        // A default method it did not override would run the seam's default, not the inner backend's.
        List<String> missing = new ArrayList<>();
        for (Method m : Backend.class.getMethods()) {
            Method own;
            try {
                own = ForwardingBackend.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
            } catch (NoSuchMethodException e) {
                missing.add(m.getName());
                continue;
            }
            assertFalse(Modifier.isAbstract(own.getModifiers()), m.getName());
        }
        assertEquals(List.of(), missing, "Backend operations ForwardingBackend does not forward");
    }

    @Test
    void profilingComputesWhatItsInnerBackendComputesAndCountsTheCalls() {
        RandomTensors r = new RandomTensors(21);
        ReferenceBackend reference = new ReferenceBackend();
        ProfilingBackend profiled = new ProfilingBackend(new ReferenceBackend());
        Linear layer = new Linear(reference.weight(r.matrix("w", DType.F32, 3, 4)), r.floats(3, 0.5f));
        HostTensor x = r.tensor(2, 4);
        HostTensor expected = new HostTensor(2, 3);
        reference.linear(expected, x, layer);
        HostTensor actual = (HostTensor) profiled.tensor(2, 3);
        profiled.linear(actual, x, layer);
        profiled.linear(actual, x, layer);
        assertArrayEquals(expected.toArray(), actual.toArray(), "linear through the profiler");
        assertEquals("cpu-reference", profiled.device());
        assertTrue(profiled.deviceFreeBytes().isEmpty(), "the host backend's answer, forwarded");
        String report = profiled.report();
        assertTrue(report.matches("(?s).*\\nlinear 4->3 +[0-9.]+ +2 +100\\.0%.*"), report);
    }

    @Test
    void profilingWaitsForEachOperationBeforeItStopsTheClock() {
        // an asynchronous backend (a GPU) is timed by its work, not by how long a launch takes to return
        int[] waits = {0};
        ProfilingBackend profiled = new ProfilingBackend(new ForwardingBackend(new ReferenceBackend()) {
            @Override
            public void synchronize() {
                waits[0]++;
            }
        });
        RandomTensors r = new RandomTensors(22);
        HostTensor residual = r.tensor(2, 4);
        profiled.add(residual, r.tensor(2, 4));
        profiled.rmsNorm(profiled.tensor(2, 4), residual, r.floats(4, 0.5f), 1e-6f);
        assertEquals(2, waits[0], "one wait per timed operation");
    }
}
