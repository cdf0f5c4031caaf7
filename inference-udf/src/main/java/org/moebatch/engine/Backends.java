package org.moebatch.engine;

import java.util.ArrayList;
import java.util.List;
import org.moebatch.engine.cuda.CudaBackend;

/**
 * Backends from a device spec, the {@code --device} option: {@code cpu}, {@code cpu-reference},
 * {@code cuda} (device 0) or {@code cuda:N}, or a comma-separated list of them (e.g. {@code cpu,cpu}
 * or {@code cuda:0,cuda:1}), which spreads the routed experts over one backend per entry
 * ({@link ExpertParallelBackend}); CPU threads are shared out among CPU entries.
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
                if (device.equals("cuda") || device.startsWith("cuda:")) {
                    // "no CUDA device: ..." or "kernels not built: ..." where it cannot open, in one line
                    return CudaBackend.open(CudaBackend.ordinal(device));
                }
                throw new IllegalArgumentException("--device " + spec + ": \"" + device + "\" is not available (cpu, "
                        + "cpu-reference, cuda, cuda:N, or a comma-separated list of them for expert parallelism)");
        }
    }
}
