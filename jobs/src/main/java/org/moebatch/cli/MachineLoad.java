package org.moebatch.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;

/**
 * The one-minute load average, from /proc/loadavg (Linux). A benchmark taken while other processes
 * want the cores says little: the CPU backend's helpers spin between operations and a descheduled
 * one holds up the whole step for a scheduler time slice (milliseconds, against operations of tens
 * of microseconds), so decode on a busy machine can run several times slower than on an idle one.
 */
final class MachineLoad {
    private MachineLoad() {}

    static OptionalDouble oneMinute() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return OptionalDouble.of(Double.parseDouble(fields[0]));
        } catch (IOException | RuntimeException e) {
            return OptionalDouble.empty();
        }
    }

    /**
     * A warning when the load before the run exceeded the cores left for the engine by one and a half;
     * else null. The one-minute average lags: a benchmark that ended a moment ago still counts about 1.
     */
    static String warning(OptionalDouble load, int threads, int cores) {
        if (load.isEmpty() || load.getAsDouble() <= cores - threads + 1.5) {
            return null;
        }
        return String.format(java.util.Locale.ROOT, "the machine was busy before the run (load average %.2f on %d cores, "
                + "%d engine threads): its numbers are not comparable with an idle machine's", load.getAsDouble(), cores, threads);
    }
}
