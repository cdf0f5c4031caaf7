package org.moebatch.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuInit;

import jcuda.driver.CUresult;

/**
 * Whether this JVM can use a CUDA device. JCuda's native library links against the driver's
 * {@code libcuda.so.1}; where there is none, loading it throws {@link UnsatisfiedLinkError}, which
 * here simply means "no GPU here" and never escapes. The probe runs once per JVM.
 */
public final class CudaDevices {
    /**
     * @param available a device can be opened
     * @param count     devices the driver reports (0 when unavailable)
     * @param reason    a sentence for logs and error messages: why not, or what was found
     */
    public record Probe(boolean available, int count, String reason) {}

    private static volatile Probe probe;

    private CudaDevices() {}

    /** The (cached) result of looking for a driver and devices. Never throws. */
    public static Probe probe() {
        Probe p = probe;
        if (p == null) {
            synchronized (CudaDevices.class) {
                p = probe;
                if (p == null) {
                    p = run();
                    probe = p;
                }
            }
        }
        return p;
    }

    /** Whether at least one CUDA device can be used. Never throws. */
    public static boolean available() {
        return probe().available();
    }

    private static Probe run() {
        try {
            int result = cuInit(0);
            if (result != CUresult.CUDA_SUCCESS) {
                return new Probe(false, 0, "the CUDA driver did not initialise (cuInit: " + Cuda.errorName(result) + ")");
            }
            int[] count = new int[1];
            result = cuDeviceGetCount(count);
            if (result != CUresult.CUDA_SUCCESS) {
                return new Probe(false, 0, "cuDeviceGetCount failed: " + Cuda.errorName(result));
            }
            if (count[0] == 0) {
                return new Probe(false, 0, "the CUDA driver reports no device");
            }
            return new Probe(true, count[0], count[0] + " CUDA device" + (count[0] == 1 ? "" : "s"));
        } catch (LinkageError e) {
            // UnsatisfiedLinkError on first use, NoClassDefFoundError after a failed static initialiser
            return new Probe(false, 0, "the NVIDIA driver (libcuda.so.1) or JCuda's native library could not be loaded ("
                    + firstLine(e) + ")");
        } catch (RuntimeException e) {
            return new Probe(false, 0, "probing for CUDA devices failed: " + firstLine(e));
        }
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl);
        return m.length() > 300 ? m.substring(0, 300) + "..." : m;
    }
}
