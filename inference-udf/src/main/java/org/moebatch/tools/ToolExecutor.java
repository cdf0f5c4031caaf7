package org.moebatch.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tool calls off the engine thread, each with a timeout: a call that overruns is cancelled
 * (its thread interrupted) and reported as an error. Validation against the tool's schema comes
 * first; an unknown tool, invalid arguments, an exception or a timeout all become the call's error,
 * which the row's trace records and the model sees.
 *
 * <p>Cancelling stops the work only if the tool notices the interrupt: Java cannot stop a thread from
 * outside (Thread.stop is unsafe and gone in newer JDKs). The built-in tools are short or check for
 * it ({@link Calculator} between operations); an MCP call waits interruptibly, and an interrupted one
 * closes that server's process, which ends the work there, and starts a fresh one for the next call
 * (see {@link McpServer}). A tool that ignores the interrupt keeps its thread until it returns: such
 * calls are counted by {@link #overrunning()} and logged once, naming the tool.
 */
public final class ToolExecutor implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(ToolExecutor.class);
    /** How long a cancelled tool may take to notice before it is reported as ignoring the interrupt. */
    private static final long GRACE_MS = 1_000;

    // a call's life: the tool returns first (DONE), or the timeout does (TIMED_OUT) and the tool may return later (LATE)
    private static final int RUNNING = 0;
    private static final int DONE = 1;
    private static final int TIMED_OUT = 2;
    private static final int LATE = 3;

    /** What a call produced: a result or an error, and how long it took. */
    public record Outcome(String result, String error, double latencyMs) {}

    private final ExecutorService pool;
    private final ScheduledExecutorService timer;
    private final AtomicInteger overrunning = new AtomicInteger();

    public ToolExecutor() {
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newCachedThreadPool(r -> daemon(r, "moe-tool-" + n.incrementAndGet()));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "moe-tool-timer"));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    public CompletableFuture<Outcome> call(ToolRegistry registry, ParsedCall call, long timeoutMs) {
        long start = System.nanoTime();
        if (!call.ok()) {
            return CompletableFuture.completedFuture(new Outcome(null, call.error(), 0));
        }
        Tool tool = registry.tool(call.name());
        if (tool == null) {
            return CompletableFuture.completedFuture(new Outcome(null, "unknown tool \"" + call.name() + "\""
                    + (registry.declarations().stream().anyMatch(d -> call.name().equals(d.path("function").path("name").asText()))
                            ? " (declared, but this job has no implementation of it)" : ""), 0));
        }
        JsonNode arguments;
        try {
            arguments = JSON.readTree(call.arguments());
        } catch (java.io.IOException e) {
            return CompletableFuture.completedFuture(new Outcome(null, "arguments are not valid JSON", 0));
        }
        String invalid = registry.validator(call.name()).check(arguments);
        if (invalid != null) {
            return CompletableFuture.completedFuture(new Outcome(null, invalid, 0));
        }
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        // whoever moves the call out of RUNNING first, the tool or the timer, gives the outcome
        AtomicInteger state = new AtomicInteger(RUNNING);
        Future<?> task = pool.submit(() -> {
            Outcome o;
            try {
                o = new Outcome(tool.call(arguments), null, millis(start));
            } catch (Throwable e) {
                String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
                o = new Outcome(null, message, millis(start));
            }
            if (state.compareAndSet(RUNNING, DONE)) {
                outcome.complete(o);
            } else {
                state.set(LATE);
                overrunning.decrementAndGet();
            }
        });
        timer.schedule(() -> {
            if (state.compareAndSet(RUNNING, TIMED_OUT)) {
                overrunning.incrementAndGet();
                outcome.complete(new Outcome(null, call.name() + " timed out after " + timeoutMs + " ms", millis(start)));
                task.cancel(true);
                timer.schedule(() -> warnIfStillRunning(state, call.name(), timeoutMs), GRACE_MS, TimeUnit.MILLISECONDS);
            }
        }, timeoutMs, TimeUnit.MILLISECONDS);
        return outcome;
    }

    private void warnIfStillRunning(AtomicInteger state, String tool, long timeoutMs) {
        if (state.get() == TIMED_OUT) {
            LOG.warn("tool {} ignored its cancellation: still running {} ms after its {} ms timeout ({} timed-out calls still running)",
                    tool, GRACE_MS, timeoutMs, overrunning.get());
        }
    }

    /**
     * Calls that timed out and whose tool has not returned yet, each holding a thread. Cooperative
     * tools bring this back to 0 within moments of their timeout.
     */
    public int overrunning() {
        return overrunning.get();
    }

    private static double millis(long start) {
        return (System.nanoTime() - start) / 1e6;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        timer.shutdownNow();
    }
}
