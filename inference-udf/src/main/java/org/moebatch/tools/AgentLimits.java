package org.moebatch.tools;

import java.io.Serializable;

/**
 * Bounds on a row's tool use.
 *
 * @param maxSteps      assistant turns that may call tools; a row still calling after that ends
 *                      with finish reason {@code tool_limit}
 * @param toolTimeoutMs time one tool call may take
 * @param deadlineMs    time a whole row may take across all its turns and calls
 */
public record AgentLimits(int maxSteps, long toolTimeoutMs, long deadlineMs) implements Serializable {
    public AgentLimits {
        if (maxSteps < 1 || toolTimeoutMs < 1 || deadlineMs < 1) {
            throw new IllegalArgumentException("tool steps, tool timeout and row deadline must be positive");
        }
    }

    public static AgentLimits defaults() {
        return new AgentLimits(8, 10_000, 300_000);
    }
}
