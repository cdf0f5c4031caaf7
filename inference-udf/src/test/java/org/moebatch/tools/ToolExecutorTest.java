package org.moebatch.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** A tool call that times out must give its thread back: the CPU stops, the executor can say who did not. */
class ToolExecutorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** The real calculator, remembering which thread ran it so that the test can watch that thread. */
    private static final class WatchedCalculator implements Tool {
        final Calculator calculator = new Calculator();
        final AtomicReference<Thread> thread = new AtomicReference<>();

        public String name() {
            return calculator.name();
        }

        public String description() {
            return calculator.description();
        }

        public JsonNode parameters() {
            return calculator.parameters();
        }

        public String call(JsonNode arguments) {
            thread.set(Thread.currentThread());
            return calculator.call(arguments);
        }
    }

    /** Spins on the CPU until released, checking for interrupts only if told to. */
    private static final class Spinner implements Tool {
        final boolean cooperative;
        final AtomicBoolean release = new AtomicBoolean();
        final AtomicBoolean sawInterrupt = new AtomicBoolean();

        Spinner(boolean cooperative) {
            this.cooperative = cooperative;
        }

        public String name() {
            return cooperative ? "spin_politely" : "spin_regardless";
        }

        public String description() {
            return "busy until released";
        }

        public JsonNode parameters() {
            return JSON.createObjectNode().put("type", "object");
        }

        public String call(JsonNode arguments) {
            while (!release.get()) {
                if (cooperative && Thread.currentThread().isInterrupted()) {
                    sawInterrupt.set(true);
                    throw new IllegalStateException("interrupted");
                }
                Thread.onSpinWait();
            }
            return "released";
        }
    }

    private static boolean within(long millis, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    private static ParsedCall calculate(String id, String expression) throws Exception {
        return new ParsedCall(id, "calculator", JSON.writeValueAsString(JSON.createObjectNode().put("expression", expression)), null);
    }

    @Test
    void aTimedOutCalculationStopsUsingCpuAndItsThreadServesTheNextCall() throws Exception {
        WatchedCalculator calculator = new WatchedCalculator();
        ToolRegistry registry = ToolRegistry.empty();
        registry.add(calculator);
        try (ToolExecutor executor = new ToolExecutor()) {
            // tens of seconds of CPU uninterrupted (600 large exact divisions); the call may have 300 ms
            ToolExecutor.Outcome slow = executor.call(registry, calculate("c0", CalculatorBoundsTest.longRunningExpression()), 300)
                    .get(10, TimeUnit.SECONDS);
            assertEquals("calculator timed out after 300 ms", slow.error());
            Thread worker = calculator.thread.get();
            assertTrue(within(3_000, () -> executor.overrunning() == 0), "the calculation returned after its cancellation");
            assertTrue(within(3_000, () -> worker.getState() != Thread.State.RUNNABLE), "the worker is idle, state " + worker.getState());
            long cpuAtRest = THREADS.getThreadCpuTime(worker.getId());
            // a measuring window, not a wait for something to happen: an idle thread's CPU time stays put
            long windowEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
            while (System.nanoTime() < windowEnd) {
                Thread.onSpinWait();
            }
            long spent = THREADS.getThreadCpuTime(worker.getId()) - cpuAtRest;
            assertTrue(spent < TimeUnit.MILLISECONDS.toNanos(20), "the worker used " + spent / 1e6 + " ms of CPU while idle");
            // the interrupt that stopped it must not leak into the next call on the same pool thread
            ToolExecutor.Outcome next = executor.call(registry, calculate("c1", "6*7"), 5_000).get(10, TimeUnit.SECONDS);
            assertEquals("42", next.result(), next.error());
        }
    }

    @Test
    void aCooperativeToolIsInterruptedOnTimeoutAndReturnsItsThread() throws Exception {
        Spinner polite = new Spinner(true);
        ToolRegistry registry = ToolRegistry.empty();
        registry.add(polite);
        try (ToolExecutor executor = new ToolExecutor()) {
            ToolExecutor.Outcome o = executor.call(registry, new ParsedCall("c0", polite.name(), "{}", null), 200).get(10, TimeUnit.SECONDS);
            assertEquals("spin_politely timed out after 200 ms", o.error());
            assertTrue(within(3_000, () -> executor.overrunning() == 0));
            assertTrue(polite.sawInterrupt.get(), "the tool's thread was interrupted");
        }
    }

    @Test
    void aToolThatIgnoresItsCancellationIsCountedUntilItReturns() throws Exception {
        Spinner stubborn = new Spinner(false);
        ToolRegistry registry = ToolRegistry.empty();
        registry.add(stubborn);
        try (ToolExecutor executor = new ToolExecutor()) {
            ToolExecutor.Outcome o = executor.call(registry, new ParsedCall("c0", stubborn.name(), "{}", null), 200).get(10, TimeUnit.SECONDS);
            assertEquals("spin_regardless timed out after 200 ms", o.error());
            assertEquals(1, executor.overrunning(), "still spinning after its timeout");
            stubborn.release.set(true);
            assertTrue(within(3_000, () -> executor.overrunning() == 0), "counted down once the tool returned");
        }
    }
}
