package org.moebatch.engine;

/**
 * Counters of an engine since it started, for progress lines, reports and the benchmark. Written by
 * the engine thread, read by anyone through {@link #snapshot()}.
 */
public final class EngineStats {
    /** A consistent copy of the counters. */
    public record Snapshot(long steps, long prefillTokens, long decodeTokens, double prefillSeconds,
            double decodeSeconds, long promptTokens, long cachedPromptTokens, long finished, long preemptions,
            int peakRunning, long[][] expertTokens) {
        public double prefillTokensPerSecond() {
            return prefillSeconds == 0 ? 0 : prefillTokens / prefillSeconds;
        }

        public double decodeTokensPerSecond() {
            return decodeSeconds == 0 ? 0 : decodeTokens / decodeSeconds;
        }

        /** Share of prompt tokens served from the prefix cache. */
        public double prefixHitRate() {
            return promptTokens == 0 ? 0 : (double) cachedPromptTokens / promptTokens;
        }
    }

    private long steps;
    private long prefillTokens;
    private long decodeTokens;
    private double prefillSeconds;
    private double decodeSeconds;
    private long promptTokens;
    private long cachedPromptTokens;
    private long finished;
    private long preemptions;
    private int peakRunning;

    synchronized void step(int prefill, int decode, double seconds, int running) {
        steps++;
        prefillTokens += prefill;
        decodeTokens += decode;
        // A mixed step's time is split by token count; a pure step's goes to its kind.
        double total = prefill + decode;
        if (total > 0) {
            prefillSeconds += seconds * prefill / total;
            decodeSeconds += seconds * decode / total;
        }
        peakRunning = Math.max(peakRunning, running);
    }

    synchronized void admitted(int prompt, int cached) {
        promptTokens += prompt;
        cachedPromptTokens += cached;
    }

    synchronized void finished() {
        finished++;
    }

    synchronized void preempted() {
        preemptions++;
    }

    public synchronized Snapshot snapshot(long[][] expertTokens) {
        return new Snapshot(steps, prefillTokens, decodeTokens, prefillSeconds, decodeSeconds, promptTokens,
                cachedPromptTokens, finished, preemptions, peakRunning, expertTokens);
    }
}
