package org.moebatch.cuda;

import jcuda.driver.CUresult;

/**
 * Checks the result of every driver call. JCuda's own exceptions are left off (they are a global
 * switch and name only the error); each call site names the call and what it was doing instead.
 */
public final class Cuda {
    private Cuda() {}

    /** Throws when {@code result} is not {@code CUDA_SUCCESS}: "{@code call} failed: CUDA_ERROR_...". */
    public static void check(int result, String call) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaException(call + " failed: " + errorName(result), result);
        }
    }

    /** The driver's name for a result code; plain Java, usable without the native library. */
    public static String errorName(int result) {
        return CUresult.stringFor(result);
    }
}
