package org.moebatch.cli;

import org.moebatch.engine.Backend;
import org.moebatch.engine.CpuBackend;
import org.moebatch.engine.ReferenceBackend;

/** The {@code --device} option of every command. */
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
                throw new IllegalArgumentException("--device " + device + " is not available (choose cpu or cpu-reference)");
        }
    }
}
