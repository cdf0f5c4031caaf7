package org.moebatch.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A failure as the one line a user needs: its cause, not the wrappers around it. Spark wraps a task's
 * exception in a {@code SparkException} whose message carries the whole remote stack trace
 * ("Job aborted due to stage failure: ... most recent failure: Lost task ...: ModelException: ...\n\tat ...");
 * the line keeps only the innermost cause and the first line of its message.
 */
final class Failures {
    /** The exception class and message Spark writes into a stage failure's text when it has no cause object. */
    private static final Pattern SPARK_TASK_FAILURE = Pattern.compile(
            "most recent failure: Lost task [^\\n]*?\\): (?:[\\w$]+\\.)*([\\w$]+(?:Exception|Error)): ([^\\n]*)");

    private Failures() {}

    static String describe(Throwable e) {
        if (e instanceof BadUsage) {
            return firstLine(e); // already the line: the file or option and what is wrong
        }
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause == e) {
            Matcher m = SPARK_TASK_FAILURE.matcher(String.valueOf(e.getMessage()));
            if (m.find()) {
                return m.group(1) + ": " + m.group(2).strip();
            }
            return firstLine(e);
        }
        return cause.getClass().getSimpleName() + ": " + firstLine(cause);
    }

    private static String firstLine(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        return (newline < 0 ? message : message.substring(0, newline)).strip();
    }
}
