package org.moebatch.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.moebatch.engine.Engine;
import org.moebatch.engine.GenerationRequest;
import org.moebatch.engine.LogitsProcessor;
import org.moebatch.tokenizer.Tokenizer;

/**
 * A conversation in, the assistant's reply out: renders the model's chat template, tokenizes,
 * generates on the engine, decodes, applies stop strings. A row that cannot run (a template that
 * rejects it, a prompt longer than the context) comes back with {@code error} set, never as an
 * exception: a bad row never fails the job.
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

    /** Extra decoding for one turn: a token observer and a logits processor, either may be null. */
    public record Decoding(GenerationRequest.TokenObserver observer, LogitsProcessor processor) {
        public static final Decoding NONE = new Decoding(null, null);
    }

    /** Renders and tokenizes a conversation with the generation prompt: what the engine will see. */
    public int[] promptTokens(List<ChatMessage> messages, List<JsonNode> tools) {
        return tokenizer.encode(template.render(messages, tools, true));
    }

    /** Generates one assistant turn for {@code messages}, with the request's tools, sampling and stops. */
    public CompletableFuture<ChatTurn> generate(ChatRequest request, List<ChatMessage> messages, Decoding decoding) {
        int[] prompt;
        try {
            prompt = promptTokens(messages, request.tools());
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(ChatTurn.failed(e.getMessage()));
        }
        if (prompt.length == 0) {
            return CompletableFuture.completedFuture(ChatTurn.failed("the rendered prompt is empty"));
        }
        GenerationRequest.TokenObserver stops = request.stop().isEmpty() ? null : new StopStrings(tokenizer, request.stop());
        GenerationRequest.TokenObserver observer = both(stops, decoding.observer());
        return engine.submit(new GenerationRequest(request.id(), prompt, request.params(), observer, decoding.processor()))
                .handle((r, failure) -> {
                    if (failure != null) {
                        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure;
                        return ChatTurn.failed(cause.getMessage());
                    }
                    int[] tokens = r.tokens();
                    boolean endedOnEos = tokens.length > 0 && eosTokenIds.contains(tokens[tokens.length - 1])
                            && !request.params().ignoreEos();
                    String text = tokenizer.decode(endedOnEos ? Arrays.copyOf(tokens, tokens.length - 1) : tokens);
                    return new ChatTurn(StopStrings.cut(text, request.stop()), tokens.length, r.finishReason(),
                            r.promptTokens(), r.cachedPromptTokens(), r.queueMs(), r.prefillMs(), r.decodeMs(), null);
                });
    }

    private static GenerationRequest.TokenObserver both(GenerationRequest.TokenObserver a, GenerationRequest.TokenObserver b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return token -> a.onToken(token) | b.onToken(token); // both must see every token
    }

    /** A single turn without tools, as a row result. */
    public CompletableFuture<ChatResult> run(ChatRequest request) {
        long start = System.nanoTime();
        return generate(request, request.messages(), Decoding.NONE).thenApply(turn -> turn.error() != null
                ? ChatResult.failed(request.id(), turn.error())
                : new ChatResult(request.id(), turn.text(), turn.finishReason(), List.of(), turn.promptTokens(),
                        turn.completionTokens(), turn.cachedPromptTokens(), turn.queueMs(), turn.prefillMs(),
                        turn.decodeMs(), 0, (System.nanoTime() - start) / 1e6, null));
    }

    @Override
    public void close() {
        engine.close();
        tokenizer.close();
    }
}
