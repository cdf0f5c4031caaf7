package org.moebatch.cli;

import org.moebatch.engine.Backend;
import org.moebatch.engine.CpuBackend;
import org.moebatch.engine.ReferenceBackend;
import org.moebatch.engine.cuda.CudaBackend;

/** The {@code --device} option of every command: cpu, cpu-reference, cuda or cuda:N. */
final class Backends {
    private Backends() {}

    static Backend create(String device, int threads) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        switch (device) {
            case "cpu":
                return new CpuBackend(n);
            case "cpu-reference":
                return new ReferenceBackend();
            default:
                if (device.equals("cuda") || device.startsWith("cuda:")) {
                    // "no CUDA device: ..." or "kernels not built: ..." where it cannot open, in one line
                    return CudaBackend.open(CudaBackend.ordinal(device));
                }
                throw new IllegalArgumentException("--device " + device
                        + " is not available (choose cpu, cpu-reference, cuda or cuda:N)");
        }
    }
}
