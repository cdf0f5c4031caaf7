package org.moebatch.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The calculator refuses values too large to compute or print before computing them, and stops when
 * its thread is interrupted. Every refusal must come fast: the preemptive timeouts below are what the
 * old code failed (it ran out of heap or computed for minutes).
 */
class CalculatorBoundsTest {
    private static final Duration FAST = Duration.ofSeconds(5);

    private static String refusal(String expression) {
        return assertTimeoutPreemptively(FAST,
                () -> assertThrows(IllegalArgumentException.class, () -> Calculator.evaluate(expression)).getMessage());
    }

    private static String eval(String expression) {
        return assertTimeoutPreemptively(FAST, () -> Calculator.format(Calculator.evaluate(expression)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        // literals whose exponent alone makes them enormous written out
        "1e-999999999 | number \"1e-999999999\" at 1 has 999999999 digits written out (limit 10000 digits)",
        "2 + 1e999999999 | number \"1e999999999\" at 5 has 1000000000 digits written out (limit 10000 digits)",
        "1E+10000 | number \"1E+10000\" at 1 has 10001 digits written out (limit 10000 digits)",
        // powers refused from the operands' sizes, before BigDecimal computes them
        "(9^10000)^10000 | '^' at 10 would give about 95424251 digits (limit 10000 digits)",
        "99^10000 | '^' at 3 would give about 19957 digits (limit 10000 digits)",
        "1.5^10000 | '^' at 4 would give about 11761 digits (limit 10000 digits)",
        "1.01^-10000 | '^' at 5 would give about 20044 digits (limit 10000 digits)",
        "1e5000^3 | '^' at 7 would give about 15001 digits (limit 10000 digits)",
        // sums, products and quotients are computed (their size is bounded by their operands') and then checked
        "9^10000 * 9^10000 | '*' at 9 gives 19085 digits (limit 10000 digits)",
        "1e9999 + 1e-5000 | '+' at 8 gives 15000 digits (limit 10000 digits)",
        "1e-9999 / 7e5000 | '/' at 9 gives 15033 digits (limit 10000 digits)"})
    void oversizedValuesAreRefusedNamingTheLimit(String expression, String message) {
        assertEquals(message, refusal(expression));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // at the limit, and values whose written-out form is short once trailing zeros go
        "1e9999 - 1e9999 | 0", "0e-999999999 + 1 | 1", "1.0 ^ 10000 | 1", "(10^5000) / (10^4999) | 10",
        "0e999999999 | 0", "1e-9999 * 1e9999 | 1"})
    void valuesThatFitAreComputedExactly(String expression, String expected) {
        assertEquals(expected, eval(expression));
    }

    @Test
    void largestValuesThatFitAreStillComputed() {
        assertEquals(9543, eval("9^10000").length());
        assertEquals(3011, eval("2^10000").length());
        String tiny = eval("2^-10000"); // 5^10000 / 10^10000: exactly 10000 digits after the point
        assertEquals("0." + "0".repeat(3010), tiny.substring(0, 3012));
        assertEquals(10002, tiny.length());
        assertEquals("1E+9999", eval("1e9999"));
        assertEquals("9".repeat(9999), eval("10^9999 - 1"));
    }

    @Test
    void deepNestingIsAnErrorNotAStackOverflow() {
        String nested = "(".repeat(4000) + "1" + ")".repeat(4000);
        assertTrue(refusal(nested).contains("nested deeper than 256 levels at 257"), refusal(nested));
        assertTrue(refusal("-".repeat(9000) + "1").contains("nested deeper than 256 levels"));
        assertTrue(refusal("2" + "^2".repeat(3000)).contains("nested deeper than 256 levels"));
        assertEquals("1", eval("(".repeat(200) + "1" + ")".repeat(200)));
    }

    /** Many operations, each short but together tens of seconds of CPU: an interrupt must end the work between two of them. */
    static String longRunningExpression() {
        return String.join("+", java.util.Collections.nCopies(600, "9^9999/7^9999"));
    }

    @Test
    void anInterruptedCalculationStopsBetweenOperations() throws Exception {
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        Thread worker = new Thread(() -> {
            try {
                Calculator.evaluate(longRunningExpression());
                failure.complete(null);
            } catch (Throwable e) {
                failure.complete(e);
            }
        }, "calculator-under-test");
        worker.setDaemon(true);
        worker.start();
        assertTrue(waitForRunning(worker), "the calculation started");
        worker.interrupt();
        Throwable stopped = failure.get(5, TimeUnit.SECONDS);
        assertTrue(stopped instanceof CancellationException, String.valueOf(stopped));
        assertTrue(stopped.getMessage().contains("interrupted"), stopped.getMessage());
        worker.join(5_000);
        assertTrue(!worker.isAlive(), "the calculator's thread ended");
    }

    private static boolean waitForRunning(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (t.getState() != Thread.State.RUNNABLE && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        // it stays RUNNABLE only while computing: give it a first operation to be inside of
        return t.getState() == Thread.State.RUNNABLE;
    }
}
