package org.moebatch.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** For tests tagged {@code gpu}: skipped, with the reason, where there is no device or no kernels. */
final class Gpu {
    private Gpu() {}

    static void assumeDeviceAndKernels() {
        CudaDevices.Probe probe = CudaDevices.probe();
        assumeTrue(probe.available(), "no CUDA device: " + probe.reason());
        PtxResources.Status status = PtxResources.status();
        assumeTrue(status.built(), "kernels not built: " + status.detail());
    }
}
