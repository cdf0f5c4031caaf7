package org.moebatch.model;

/**
 * A checkpoint that cannot be served: a missing or malformed file, a lying header, an unsupported
 * architecture or dtype. The message names the file and, where there is one, the tensor or key.
 */
public class ModelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
