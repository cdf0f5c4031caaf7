package org.moebatch.cli;

import java.nio.file.Path;
import org.moebatch.spark.GenerateOptions;
import picocli.CommandLine.Option;

/** Where and how the engine runs: the options every generating job shares. */
final class EngineFlags {
    @Option(names = "--model", paramLabel = "DIR",
            description = "Hugging Face checkpoint directory (default: data-samples/models/k2-tool-demo, a tiny MoE trained to use the built-in tools).")
    Path model;

    @Option(names = "--device", defaultValue = "cpu",
            description = "cpu, cpu-reference, cuda, cuda:N, auto (the task's GPU under Spark), or a comma list "
                    + "that spreads the experts over several (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--threads", defaultValue = "0", description = "Engine CPU threads per executor, 0 for all cores (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--kv-cache-mb", defaultValue = "512", description = "KV cache budget per engine in MiB (default: ${DEFAULT-VALUE}).")
    long kvCacheMb;

    @Option(names = "--max-running", defaultValue = "64", description = "Rows in flight per engine (default: ${DEFAULT-VALUE}).")
    int maxRunning;

    /** The engine these flags describe, with the library's row defaults until a command sets its own. */
    GenerateOptions options() {
        return GenerateOptions.defaults(modelDir()).withEngine(device, threads, kvCacheMb, maxRunning);
    }

    /** The checkpoint to load: {@code --model}, or the default chat model. */
    String modelDir() {
        return (model != null ? model : Defaults.chatModel()).toAbsolutePath().toString();
    }
}
