package org.moebatch.spark;

import java.io.Serializable;
import java.util.List;

/**
 * Everything an executor needs to serve rows, shipped with the tasks: which model on which device,
 * how the engine batches, and the job-wide defaults a row's own columns override.
 *
 * @param modelDir      checkpoint directory, readable from every executor
 * @param device        "cpu", "cpu-reference", "cuda" or "cuda:N"
 * @param threads       CPU threads of the engine; 0 for one per core
 * @param kvCacheMb     KV cache budget of the engine in MiB
 * @param maxRunning    rows in flight in the engine at once
 * @param maxStepTokens tokens per forward step
 * @param maxTokens     default max_tokens
 * @param temperature   default temperature (0 = greedy)
 * @param topP          default top_p
 * @param topK          default top_k (0 = off)
 * @param seed          the job seed; a row without a seed column gets one derived from it and its id
 * @param system        default system prompt, or null
 * @param stop          default stop strings
 * @param tools         the job's tools and agent-loop limits
 * @param window        rows a task keeps in flight (submitted, not yet written)
 */
public record GenerateOptions(String modelDir, String device, int threads, long kvCacheMb, int maxRunning,
        int maxStepTokens, int maxTokens, double temperature, double topP, int topK, long seed, String system,
        List<String> stop, ToolOptions tools, int window) implements Serializable {
    private static final long serialVersionUID = 1L;

    public GenerateOptions {
        stop = stop == null ? List.of() : List.copyOf(stop);
        tools = tools == null ? ToolOptions.none() : tools;
    }

    /** Defaults for {@code modelDir}: CPU, 512 MiB of cache, 64 rows in flight, 256 new tokens, greedy. */
    public static GenerateOptions defaults(String modelDir) {
        return new GenerateOptions(modelDir, "cpu", 0, 512, 64, 512, 256, 0.0, 1.0, 0, 0L, null, List.of(),
                ToolOptions.none(), 128);
    }

    /** The same job on the checkpoint in {@code newModelDir}. */
    public GenerateOptions withModel(String newModelDir) {
        return new GenerateOptions(newModelDir, device, threads, kvCacheMb, maxRunning, maxStepTokens, maxTokens, temperature,
                topP, topK, seed, system, stop, tools, window);
    }

    /** The same options served by an engine of these settings; a task keeps twice {@code maxRunning} rows in flight. */
    public GenerateOptions withEngine(String newDevice, int newThreads, long newKvCacheMb, int newMaxRunning) {
        return new GenerateOptions(modelDir, newDevice, newThreads, newKvCacheMb, newMaxRunning, maxStepTokens, maxTokens,
                temperature, topP, topK, seed, system, stop, tools, 2 * newMaxRunning);
    }

    /** The same options with these row defaults for sampling. */
    public GenerateOptions withSampling(int newMaxTokens, double newTemperature, double newTopP, int newTopK, long newSeed) {
        return new GenerateOptions(modelDir, device, threads, kvCacheMb, maxRunning, maxStepTokens, newMaxTokens,
                newTemperature, newTopP, newTopK, newSeed, system, stop, tools, window);
    }

    /** The same options with this default system prompt (null for none) and these default stop strings. */
    public GenerateOptions withPrompting(String newSystem, List<String> newStop) {
        return new GenerateOptions(modelDir, device, threads, kvCacheMb, maxRunning, maxStepTokens, maxTokens, temperature,
                topP, topK, seed, newSystem, newStop, tools, window);
    }

    public GenerateOptions withTools(ToolOptions newTools) {
        return new GenerateOptions(modelDir, device, threads, kvCacheMb, maxRunning, maxStepTokens, maxTokens, temperature,
                topP, topK, seed, system, stop, newTools, window);
    }

    /** The same options on {@code newDevice} (a task's GPU, resolved from {@code auto} or {@code cuda}). */
    public GenerateOptions withDevice(String newDevice) {
        return new GenerateOptions(modelDir, newDevice, threads, kvCacheMb, maxRunning, maxStepTokens, maxTokens, temperature,
                topP, topK, seed, system, stop, tools, window);
    }

    /** What identifies one resident engine: two jobs with equal keys share it. */
    String engineKey() {
        return modelDir + "|" + device + "|" + threads + "|" + kvCacheMb + "|" + maxRunning + "|" + maxStepTokens;
    }
}
