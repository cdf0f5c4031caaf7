package org.moebatch.engine;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * A row inside the engine: its tokens so far (prompt, then generated), how many of them are in the
 * cache, the pages that hold them, and its clocks. Touched only by the engine thread.
 */
final class Sequence {
    final GenerationRequest request;
    final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
    final int promptLength;
    final long submittedNanos;

    int[] tokens;
    int length;            // tokens known: prompt + generated
    int computed;          // tokens whose latent is in the cache: positions [0, computed)
    int[] pages = new int[4];
    int pageCount;
    int cachedPromptTokens;
    int preemptions;
    long admissionOrder;
    long firstScheduledNanos = -1;
    long firstTokenNanos = -1;

    Sequence(GenerationRequest request, long submittedNanos) {
        this.request = request;
        this.promptLength = request.prompt().length;
        this.tokens = Arrays.copyOf(request.prompt(), request.prompt().length + 16);
        this.length = request.prompt().length;
        this.submittedNanos = submittedNanos;
    }

    int generated() {
        return length - promptLength;
    }

    /** Whether the prompt (and any tokens to recompute after a preemption) is fully in the cache. */
    boolean inDecode() {
        return computed == length - 1 && generated() > 0 || computed == length;
    }

    void append(int token) {
        if (length == tokens.length) {
            tokens = Arrays.copyOf(tokens, tokens.length * 2);
        }
        tokens[length++] = token;
    }

    void addPage(int page) {
        if (pageCount == pages.length) {
            pages = Arrays.copyOf(pages, pages.length * 2);
        }
        pages[pageCount++] = page;
    }

    int[] generatedTokens() {
        return Arrays.copyOfRange(tokens, promptLength, length);
    }
}
