package org.moebatch.jobs;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.hadoop.util.ShutdownHookManager;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * What a job does when it is interrupted (SIGINT, SIGTERM): its cleanup, then one line on stderr
 * ("interrupted after 40 of 84 rows; rerun with --resume"), and nothing else: the stack traces and
 * ERROR lines of tasks killed as Spark stops are silenced, since the line already says what happened.
 *
 * <p>The hook runs in Hadoop's shutdown-hook manager ahead of Spark's own (priority 40, which stops
 * the SparkContext) and of Hadoop's file systems (10), so the cleanup can still use both.
 */
public final class Interrupt {
    private static final int PRIORITY = 50;
    private static final AtomicBoolean HAPPENED = new AtomicBoolean();
    private static volatile Job current;

    private record Job(Supplier<String> status, Runnable cleanup) {}

    static {
        ShutdownHookManager.get().addShutdownHook(Interrupt::onShutdown, PRIORITY);
    }

    private Interrupt() {}

    /** The span of a job during which an interrupt is reported; closing it ends the span. */
    public interface Handle extends AutoCloseable {
        @Override
        void close();
    }

    /** While the returned handle is open, an interrupt runs {@code cleanup} and prints {@code status}. */
    public static Handle during(Supplier<String> status, Runnable cleanup) {
        current = new Job(status, cleanup);
        return () -> current = null;
    }

    /** Whether the JVM is going down on an interrupt that a job has reported. */
    public static boolean happened() {
        return HAPPENED.get();
    }

    private static void onShutdown() {
        Job job = current;
        if (job == null) {
            return; // a normal exit: the job had finished
        }
        HAPPENED.set(true);
        Configurator.setAllLevels(LogManager.getRootLogger().getName(), Level.OFF);
        try {
            job.cleanup().run();
        } catch (RuntimeException e) {
            // the line below is what matters; a cleanup that could not finish leaves what --resume handles
        }
        System.err.println(job.status().get());
        System.err.flush();
    }
}
