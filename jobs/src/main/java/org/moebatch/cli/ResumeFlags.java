package org.moebatch.cli;

import picocli.CommandLine.Option;

/** How a generating job treats an output directory that already holds results, and how often it commits. */
final class ResumeFlags {
    @Option(names = "--resume", description = "Finish an interrupted run in --output: skip the ids it holds, generate the rest.")
    boolean resume;

    @Option(names = "--overwrite", description = "Replace --output if it holds results.")
    boolean overwrite;

    @Option(names = "--checkpoint-rows", defaultValue = "10000", converter = OptionChecks.PositiveLong.class,
            description = "Rows per committed wave: a killed run loses at most this many (default: ${DEFAULT-VALUE}).")
    long checkpointRows;
}
