package org.moebatch.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.moebatch.spark.ToolOptions;
import org.moebatch.tools.AgentLimits;
import org.moebatch.tools.ToolRegistry;
import picocli.CommandLine.Option;

/** Tool calling inside a job: which tools, and the limits on their use. */
final class ToolFlags {
    @Option(names = "--tools", paramLabel = "FILE", converter = OptionChecks.ExistingFile.class,
            description = "JSON list of tools for every row: built-ins, MCP servers, declarations (see README).")
    Path tools;

    @Option(names = "--max-tool-steps", defaultValue = "8", converter = OptionChecks.Positive.class, description = "Tool-calling turns per row (default: ${DEFAULT-VALUE}).")
    int maxToolSteps;

    @Option(names = "--tool-timeout-ms", defaultValue = "10000", converter = OptionChecks.PositiveLong.class, description = "Time one tool call may take (default: ${DEFAULT-VALUE}).")
    long toolTimeoutMs;

    @Option(names = "--row-deadline-s", defaultValue = "300", converter = OptionChecks.PositiveLong.class, description = "Time one row may take with all its tool calls (default: ${DEFAULT-VALUE}).")
    long rowDeadlineS;

    @Option(names = "--constrained", description = "Constrain tool-call decoding so arguments always match the tool's schema.")
    boolean constrained;

    /** The tools and limits, the tools file checked here so a mistake stops the job before Spark starts. */
    ToolOptions toolOptions() throws IOException {
        return toolOptions(tools, new AgentLimits(maxToolSteps, toolTimeoutMs, rowDeadlineS * 1000), constrained);
    }

    static ToolOptions toolOptions(Path tools, AgentLimits limits, boolean constrained) throws IOException {
        if (tools == null) {
            return new ToolOptions(null, null, limits, constrained, null);
        }
        if (!Files.isRegularFile(tools)) {
            throw new IllegalArgumentException("--tools " + tools + ": no such file");
        }
        String json = Files.readString(tools);
        Path base = tools.toAbsolutePath().getParent();
        try {
            ToolRegistry.check(json, base);
        } catch (IllegalArgumentException e) {
            throw new BadUsage(tools + ": " + e.getMessage(), e);
        }
        return new ToolOptions(json, base.toString(), limits, constrained, null);
    }
}
