package org.moebatch.engine;

import java.util.ArrayList;
import java.util.List;
import org.moebatch.backend.Backend;
import org.moebatch.backend.CpuBackend;
import org.moebatch.backend.ExpertParallelBackend;
import org.moebatch.backend.ReferenceBackend;
import org.moebatch.backend.cuda.CudaBackend;

/**
 * Backends from a device spec, the {@code --device} option: {@code cpu}, {@code cpu-reference},
 * {@code cuda} (device 0) or {@code cuda:N}, or a comma-separated list of them (e.g. {@code cpu,cpu}
 * or {@code cuda:0,cuda:1}), which spreads the routed experts over one backend per entry
 * ({@link ExpertParallelBackend}); CPU threads are shared out among CPU entries.
 *
 * <p>It sits in engine, above {@code backend} and {@code backend.cuda}: backend.cuda implements the
 * seam, so the seam's own package cannot name it without the two importing each other.
 */
public final class Backends {
    private Backends() {}

    /**
     * {@code spec} when every entry names a device kind this build knows ({@code auto} alone, which a
     * Spark task resolves to its GPU or the CPU, counts too); whether the device is present is known
     * only when it opens. An {@link IllegalArgumentException} says which entry is wrong.
     */
    public static String check(String spec) {
        if (spec.trim().equals("auto")) {
            return spec.trim();
        }
        for (String entry : spec.split(",", -1)) {
            String d = entry.trim();
            boolean known = d.equals("cpu") || d.equals("cpu-reference") || d.equals("cuda") || d.matches("cuda:\\d{1,3}");
            if (!known) {
                throw new IllegalArgumentException("\"" + d + "\" is not a device (cpu, cpu-reference, cuda, cuda:N, auto, "
                        + "or a comma-separated list of cpu and cuda devices for expert parallelism)");
            }
        }
        return spec;
    }

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
                if (device.equals("cuda") || device.startsWith("cuda:")) {
                    // "no CUDA device: ..." or "kernels not built: ..." where it cannot open, in one line
                    return CudaBackend.open(CudaBackend.ordinal(device));
                }
                throw new IllegalArgumentException("--device " + spec + ": \"" + device + "\" is not available (cpu, "
                        + "cpu-reference, cuda, cuda:N, or a comma-separated list of them for expert parallelism)");
        }
    }
}
