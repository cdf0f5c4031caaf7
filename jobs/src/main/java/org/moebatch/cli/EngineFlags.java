package org.moebatch.cli;

import java.nio.file.Path;
import org.moebatch.model.ModelException;
import org.moebatch.spark.GenerateOptions;
import org.moebatch.spark.ModelPreflight;
import picocli.CommandLine.Option;

/** Where and how the engine runs: the options every generating job shares. */
final class EngineFlags {
    @Option(names = "--model", paramLabel = "DIR", converter = OptionChecks.ExistingDirectory.class,
            description = "Hugging Face checkpoint directory (default: data-samples/models/k2-tool-demo, a tiny MoE trained to use the built-in tools).")
    Path model;

    @Option(names = "--device", defaultValue = "cpu", converter = OptionChecks.Device.class,
            description = "cpu, cpu-reference, cuda, cuda:N, auto (the task's GPU under Spark), or a comma list "
                    + "that spreads the experts over several (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--threads", defaultValue = "0", converter = OptionChecks.NonNegative.class, description = "Engine CPU threads per executor, 0 for all cores (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--kv-cache-mb", defaultValue = "512", converter = OptionChecks.PositiveLong.class, description = "KV cache budget per engine in MiB (default: ${DEFAULT-VALUE}).")
    long kvCacheMb;

    @Option(names = "--max-running", defaultValue = "64", converter = OptionChecks.Positive.class, description = "Rows in flight per engine (default: ${DEFAULT-VALUE}).")
    int maxRunning;

    /** The engine these flags describe, with the library's row defaults until a command sets its own. */
    GenerateOptions options() {
        checkModel(Path.of(modelDir()));
        return GenerateOptions.defaults(modelDir()).withEngine(device, threads, kvCacheMb, maxRunning);
    }

    /**
     * Opens the checkpoint as the driver can, without its weights ({@link ModelPreflight}): a broken
     * one stops the job here, once, before Spark retries it on every executor.
     */
    static void checkModel(Path dir) {
        try (ModelPreflight ignored = ModelPreflight.open(dir)) {
            // opened: config, safetensors headers, tokenizer and template are sound
        } catch (ModelException e) {
            throw new BadUsage(e.getMessage(), e);
        }
    }

    /** The checkpoint to load: {@code --model}, or the default chat model. */
    String modelDir() {
        return (model != null ? model : Defaults.chatModel()).toAbsolutePath().toString();
    }
}
