package org.moebatch.cuda;

/** No usable CUDA device (no driver, no such ordinal, too old a GPU) or no kernels to run on one. */
public final class CudaUnavailableException extends CudaException {
    private static final long serialVersionUID = 1L;

    public CudaUnavailableException(String message) {
        super(message, 0);
    }
}
