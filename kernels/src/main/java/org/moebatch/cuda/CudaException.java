package org.moebatch.cuda;

/** A CUDA driver call failed; the message names the call, what it was for, and the driver's error. */
public class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int result;

    public CudaException(String message, int result) {
        super(message);
        this.result = result;
    }

    /** The driver's {@code CUresult}, or 0 when the failure was not a driver error. */
    public int result() {
        return result;
    }
}
