package org.moebatch.spark;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.moebatch.chat.ChatResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completions for a batch of prompts at once on the executor's resident engine: every prompt is
 * submitted before any is awaited, so the whole batch shares the engine's steps. The columnar
 * (RAPIDS) form of {@code moe_complete} hands it a whole column; the row form, one prompt.
 */
public final class CompletionBatch {
    private static final Logger LOG = LoggerFactory.getLogger(CompletionBatch.class);

    private CompletionBatch() {}

    /**
     * The completion of each prompt, in order; null for a null prompt and for a row that failed (its
     * error is logged with the row's position; {@code moe_generate} returns errors as data).
     */
    public static String[] complete(GenerateOptions options, String[] prompts) {
        @SuppressWarnings("unchecked")
        CompletableFuture<ChatResult>[] running = new CompletableFuture[prompts.length];
        for (int i = 0; i < prompts.length; i++) {
            if (prompts[i] != null) {
                running[i] = MoeFunctions.submit(options, prompts[i], Map.of());
            }
        }
        String[] out = new String[prompts.length];
        int failed = 0;
        for (int i = 0; i < prompts.length; i++) {
            if (running[i] == null) {
                continue;
            }
            ChatResult r = running[i].join();
            if (r.ok()) {
                out[i] = r.completion();
            } else {
                if (failed++ == 0) {
                    LOG.warn("moe_complete: row {} of the batch failed: {}", i, r.error());
                }
            }
        }
        if (failed > 1) {
            LOG.warn("moe_complete: {} of {} rows failed (null results); moe_generate returns each row's error", failed, prompts.length);
        }
        return out;
    }
}
