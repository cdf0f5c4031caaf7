package org.moebatch.eval;

/**
 * An eval row that cannot be scored for one metric: a pattern that does not compile, an
 * expected_tool_call that is not JSON, a reference that names no choice. The row's other metrics are
 * still scored; the message lands in the row's {@code error} column and the metric is left out of its mean.
 */
public final class BadEvalRow extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BadEvalRow(String message) {
        super(message, null, false, false);
    }
}
