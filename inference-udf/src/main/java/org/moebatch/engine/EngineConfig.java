package org.moebatch.engine;

/**
 * How an engine uses its memory and batches its steps.
 *
 * @param kvCacheBytes  bytes of KV cache pages; when they run out, admission waits (and running
 *                      rows may be preempted and recomputed), never an OutOfMemoryError
 * @param pageSize      positions per cache page, also the granularity of prefix sharing
 * @param maxStepTokens tokens per forward step; long prompts are prefilled in chunks of this size
 * @param maxRunning    sequences in flight at once
 * @param prefixSharing reuse the cache pages of identical prompt prefixes across rows
 */
public record EngineConfig(long kvCacheBytes, int pageSize, int maxStepTokens, int maxRunning, boolean prefixSharing) {
    public EngineConfig {
        if (kvCacheBytes <= 0) {
            throw new IllegalArgumentException("kv cache budget must be positive, is " + kvCacheBytes);
        }
        if (pageSize < 1 || maxStepTokens < 1 || maxRunning < 1) {
            throw new IllegalArgumentException("page size, step tokens and running sequences must be positive");
        }
    }

    /** 512 MiB of cache, pages of 16 positions, steps of up to 512 tokens, 64 rows in flight. */
    public static EngineConfig defaults() {
        return new EngineConfig(512L << 20, 16, 512, 64, true);
    }

    public EngineConfig withKvCacheBytes(long bytes) {
        return new EngineConfig(bytes, pageSize, maxStepTokens, maxRunning, prefixSharing);
    }

    public EngineConfig withMaxRunning(int n) {
        return new EngineConfig(kvCacheBytes, pageSize, maxStepTokens, n, prefixSharing);
    }

    public EngineConfig withMaxStepTokens(int n) {
        return new EngineConfig(kvCacheBytes, pageSize, n, maxRunning, prefixSharing);
    }

    public EngineConfig withPrefixSharing(boolean on) {
        return new EngineConfig(kvCacheBytes, pageSize, maxStepTokens, maxRunning, on);
    }
}
