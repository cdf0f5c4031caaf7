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

/**
 * Runs tool calls off the engine thread, each with a timeout: a call that overruns is cancelled
 * (its thread interrupted) and reported as an error. Validation against the tool's schema comes
 * first; an unknown tool, invalid arguments, an exception or a timeout all become the call's error,
 * which the row's trace records and the model sees.
 */
public final class ToolExecutor implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a call produced: a result or an error, and how long it took. */
    public record Outcome(String result, String error, double latencyMs) {}

    private final ExecutorService pool;
    private final ScheduledExecutorService timer;

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
        Future<?> task = pool.submit(() -> {
            try {
                String result = tool.call(arguments);
                outcome.complete(new Outcome(result, null, millis(start)));
            } catch (Throwable e) {
                String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
                outcome.complete(new Outcome(null, message, millis(start)));
            }
        });
        timer.schedule(() -> {
            if (outcome.complete(new Outcome(null, call.name() + " timed out after " + timeoutMs + " ms", millis(start)))) {
                task.cancel(true);
            }
        }, timeoutMs, TimeUnit.MILLISECONDS);
        return outcome;
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
