package org.moebatch.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Backends from a device spec, the {@code --device} option: {@code cpu}, {@code cpu-reference}, or
 * a comma-separated list of them (e.g. {@code cpu,cpu}), which spreads the routed experts over one
 * backend per entry ({@link ExpertParallelBackend}); CPU threads are shared out among CPU entries.
 */
public final class Backends {
    private Backends() {}

    public static Backend create(String spec, int threads) {
        int cores = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        String[] devices = spec.split(",");
        if (devices.length == 1) {
            return single(devices[0].trim(), cores, spec);
        }
        int cpus = 0;
        for (String d : devices) {
            cpus += d.trim().equals("cpu") ? 1 : 0;
        }
        List<Backend> shards = new ArrayList<>();
        try {
            for (String d : devices) {
                shards.add(single(d.trim(), Math.max(1, cores / Math.max(1, cpus)), spec));
            }
        } catch (RuntimeException e) {
            shards.forEach(Backend::close);
            throw e;
        }
        return new ExpertParallelBackend(shards);
    }

    private static Backend single(String device, int threads, String spec) {
        switch (device) {
            case "cpu":
                return new CpuBackend(threads);
            case "cpu-reference":
                return new ReferenceBackend();
            default:
                throw new IllegalArgumentException("--device " + spec + ": \"" + device
                        + "\" is not available (cpu, cpu-reference, or a comma-separated list of them for expert parallelism)");
        }
    }
}
