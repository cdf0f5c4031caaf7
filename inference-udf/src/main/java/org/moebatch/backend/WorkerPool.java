package org.moebatch.backend;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The CPU backend's threads. The submitting thread works too, as worker 0, and helpers
 * {@code 1..threads-1} join each job; chunks of an index range are claimed from a shared counter,
 * so uneven chunks balance themselves. Between jobs that follow each other closely, as the
 * operations of a forward pass do, helpers spin; only after 5 ms without a job do they park. Waking
 * a parked thread takes hundreds of microseconds on a busy virtual machine (measured: 0.4 ms here),
 * more than most operations of a decode step take, so a shorter spin costs more than it saves.
 *
 * <p>One job runs at a time and nothing is allocated per job: the engine submits dozens of jobs per
 * layer and step.
 */
public final class WorkerPool implements AutoCloseable {
    /** Work on indices {@code [from, to)}, done by worker {@code worker} (0 is the caller). */
    @FunctionalInterface
    public interface RangeTask {
        void run(int worker, int from, int to);
    }

    private static final long SPIN_NANOS = 5_000_000;

    private final int threads;
    private final Thread[] helpers;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger pendingHelpers = new AtomicInteger();
    private volatile int generation;
    private volatile boolean closed;
    private volatile Throwable failure;
    private RangeTask task;
    private int size;
    private int grain;

    public WorkerPool(int threads, String name) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads " + threads);
        }
        this.threads = threads;
        this.helpers = new Thread[threads - 1];
        for (int i = 0; i < helpers.length; i++) {
            int worker = i + 1;
            helpers[i] = new Thread(() -> helperLoop(worker), name + "-" + worker);
            helpers[i].setDaemon(true);
            helpers[i].start();
        }
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code task} over {@code [0, n)} in chunks of {@code grain} indices and returns when all are
     * done. A failure in any chunk is rethrown here.
     */
    public void forRange(int n, int grain, RangeTask task) {
        if (n <= 0) {
            return;
        }
        int chunk = Math.max(1, grain);
        if (helpers.length == 0 || n <= chunk) {
            task.run(0, 0, n);
            return;
        }
        this.task = task;
        this.size = n;
        this.grain = chunk;
        this.failure = null;
        next.set(0);
        pendingHelpers.set(helpers.length);
        generation++; // the volatile write that publishes the fields above
        for (Thread helper : helpers) {
            LockSupport.unpark(helper);
        }
        work(0);
        while (pendingHelpers.get() > 0) {
            Thread.onSpinWait();
        }
        this.task = null;
        Throwable error = failure;
        if (error != null) {
            if (error instanceof RuntimeException) {
                throw (RuntimeException) error;
            }
            if (error instanceof Error) {
                throw (Error) error;
            }
            throw new IllegalStateException(error);
        }
    }

    /** Splits {@code [0, n)} into about four chunks per thread, rounded up to {@code multiple}. */
    public int grainFor(int n, int multiple) {
        int chunks = threads * 4;
        int grainSize = (n + chunks - 1) / chunks;
        return Math.max(multiple, (grainSize + multiple - 1) / multiple * multiple);
    }

    private void work(int worker) {
        RangeTask t = task;
        int n = size;
        int g = grain;
        try {
            for (int from = next.getAndAdd(g); from < n; from = next.getAndAdd(g)) {
                t.run(worker, from, Math.min(n, from + g));
            }
        } catch (Throwable e) {
            failure = e;
            next.set(n); // stop handing out chunks
        }
    }

    private void helperLoop(int worker) {
        // Not "seen = generation": a job submitted before this thread first runs must still be joined.
        int seen = 0;
        while (!closed) {
            long spinStart = System.nanoTime();
            while (generation == seen && !closed) {
                if (System.nanoTime() - spinStart < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            work(worker);
            pendingHelpers.decrementAndGet();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread helper : helpers) {
            LockSupport.unpark(helper);
        }
    }
}
