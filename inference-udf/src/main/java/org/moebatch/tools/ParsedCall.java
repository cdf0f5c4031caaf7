package org.moebatch.tools;

/**
 * A tool call as read from the model's output: its id, the tool's name, the arguments as written
 * (JSON text), and what was wrong with it, if anything (then it is not run; the error is traced and
 * shown to the model).
 */
public record ParsedCall(String id, String name, String arguments, String error) {
    public boolean ok() {
        return error == null;
    }
}
