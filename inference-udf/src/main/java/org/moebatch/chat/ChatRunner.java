package org.moebatch.chat;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.moebatch.engine.Engine;
import org.moebatch.engine.GenerationRequest;
import org.moebatch.engine.GenerationResult;
import org.moebatch.tokenizer.Tokenizer;

/**
 * A conversation in, the assistant's reply out: renders the model's chat template, tokenizes,
 * generates on the engine, decodes, applies stop strings. A row that cannot run (a template that
 * rejects it, a prompt longer than the context) comes back as a result with {@code error} set, never
 * as an exception: a bad row never fails the job.
 */
public final class ChatRunner implements AutoCloseable {
    private final Engine engine;
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final List<Integer> eosTokenIds;

    public ChatRunner(Engine engine, Tokenizer tokenizer, ChatTemplate template) {
        this.engine = engine;
        this.tokenizer = tokenizer;
        this.template = template;
        this.eosTokenIds = engine.model().spec().eosTokenIds();
    }

    public Engine engine() {
        return engine;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public ChatTemplate template() {
        return template;
    }

    /** Renders and tokenizes the prompt of a request: what the engine will see. */
    public int[] promptTokens(ChatRequest request) {
        return tokenizer.encode(template.render(request.messages(), request.tools(), true));
    }

    public CompletableFuture<ChatResult> run(ChatRequest request) {
        long start = System.nanoTime();
        int[] prompt;
        try {
            prompt = promptTokens(request);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(ChatResult.failed(request.id(), e.getMessage()));
        }
        if (prompt.length == 0) {
            return CompletableFuture.completedFuture(ChatResult.failed(request.id(), "the rendered prompt is empty"));
        }
        GenerationRequest.TokenObserver observer = request.stop().isEmpty() ? null : new StopStrings(tokenizer, request.stop());
        return engine.submit(new GenerationRequest(request.id(), prompt, request.params(), observer))
                .handle((result, failure) -> {
                    if (failure != null) {
                        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure;
                        return ChatResult.failed(request.id(), cause.getMessage());
                    }
                    return toResult(request, result, (System.nanoTime() - start) / 1e6);
                });
    }

    private ChatResult toResult(ChatRequest request, GenerationResult r, double totalMs) {
        int[] tokens = r.tokens();
        boolean endedOnEos = tokens.length > 0 && eosTokenIds.contains(tokens[tokens.length - 1])
                && !request.params().ignoreEos();
        int[] text = endedOnEos ? Arrays.copyOf(tokens, tokens.length - 1) : tokens;
        String completion = StopStrings.cut(tokenizer.decode(text), request.stop());
        return new ChatResult(request.id(), completion, r.finishReason(), List.of(), r.promptTokens(), tokens.length,
                r.cachedPromptTokens(), r.queueMs(), r.prefillMs(), r.decodeMs(), 0, totalMs, null);
    }

    @Override
    public void close() {
        engine.close();
        tokenizer.close();
    }
}
