package org.moebatch.cli;

/**
 * A job-wide mistake found before any Spark work (a checkpoint that does not open, a tools file that
 * does not parse): the command stops with exit code 2 and this one line, like a bad option.
 */
final class BadUsage extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadUsage(String message, Throwable cause) {
        super(message, cause);
    }
}
