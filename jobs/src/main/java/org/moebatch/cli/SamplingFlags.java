package org.moebatch.cli;

import java.util.List;
import org.moebatch.spark.GenerateOptions;
import org.moebatch.spark.ToolOptions;
import picocli.CommandLine.Option;

/** How rows are sampled when their own columns do not say: greedy and 256 tokens unless told otherwise. */
final class SamplingFlags {
    @Option(names = "--max-tokens", defaultValue = "256", converter = OptionChecks.Positive.class, description = "Tokens to generate per row at most (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0", converter = OptionChecks.Temperature.class, description = "0 for greedy (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1", converter = OptionChecks.Mass.class, description = "Nucleus sampling mass (default: ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--top-k", defaultValue = "0", converter = OptionChecks.NonNegative.class, description = "Sample among the k most likely tokens, 0 for all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--seed", defaultValue = "0", description = "Job seed; each row's seed derives from it and the row id (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--system", paramLabel = "TEXT", description = "System prompt for rows without one.")
    String system;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop string for rows without their own (repeatable).")
    List<String> stop;

    /** The job's engine and row defaults: these flags on {@code engine}, with {@code tools}. */
    GenerateOptions options(EngineFlags engine, ToolOptions tools) {
        return engine.options().withSampling(maxTokens, temperature, topP, topK, seed).withPrompting(system, stop)
                .withTools(tools);
    }
}
