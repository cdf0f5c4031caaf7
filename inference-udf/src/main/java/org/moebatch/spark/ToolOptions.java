package org.moebatch.spark;

import java.io.Serializable;
import org.moebatch.tools.AgentLimits;

/**
 * The tool side of a job.
 *
 * @param toolsJson   the {@code --tools} list (built-ins, MCP servers, declarations), or null for none
 * @param baseDir     where relative paths in it are resolved (the tools file's directory)
 * @param limits      steps, per-call timeout and row deadline
 * @param constrained decode tool calls under their schemas ({@code --constrained})
 * @param decoder     class name of an {@link org.moebatch.tools.AgentLoop.TurnDecoding} that replaces the
 *                    built-in decoding extras (an extension point; tests script the model's output with it)
 */
public record ToolOptions(String toolsJson, String baseDir, AgentLimits limits, boolean constrained, String decoder)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    public static ToolOptions none() {
        return new ToolOptions(null, null, AgentLimits.defaults(), false, null);
    }

    String key() {
        return (toolsJson == null ? "" : toolsJson) + "|" + baseDir;
    }
}
