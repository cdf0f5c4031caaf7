package org.moebatch.tools.constrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.moebatch.chat.ChatMessage;
import org.moebatch.chat.ChatRequest;
import org.moebatch.chat.ChatRunner;
import org.moebatch.chat.ChatTurn;
import org.moebatch.engine.GenerationRequest;
import org.moebatch.engine.LogitsProcessor;
import org.moebatch.engine.SamplingParams;
import org.moebatch.tools.ArgumentValidator;
import org.moebatch.tools.AssistantTurn;
import org.moebatch.tools.ParsedCall;
import org.moebatch.tools.ToolCallFormat;

/**
 * Makes a model write tool calls and checks them: each turn starts with the token that opens a
 * tool call (forced), the rest is sampled, with or without constrained decoding. Counts the calls, the
 * ones whose arguments validate against the tool's schema, and the decoding rate. How the tests and
 * {@code moe-batch bench --tool-calls} measure constrained decoding, on any model whose tool-call
 * opener is a token (Kimi K2's section, Hermes / Qwen's {@code <tool_call>}), random weights included.
 */
public final class ToolCallProbe {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the turns produced; {@code validByTool}: how many valid calls each tool got, by name. */
    public record Outcome(int turns, int calls, int valid, int cutOff, long tokens, double seconds, List<String> invalid,
            Map<String, Integer> validByTool) {
        public double tokensPerSecond() {
            return tokens / seconds;
        }

        public double validShare() {
            return calls == 0 ? 0 : (double) valid / calls;
        }
    }

    private ToolCallProbe() {}

    public static Outcome run(ChatRunner runner, List<JsonNode> tools, int turns, int maxTokens, boolean constrained, long seed) {
        ConstrainedDecoding constraint = new ConstrainedDecoding(runner.tokenizer(), runner.engine().model().spec().vocabSize(),
                runner.engine().model().spec().eosTokenIds());
        ToolCallFormat format = ToolCallFormat.of(runner.tokenizer());
        int callStart = runner.tokenizer().specialTokenId(format.callStart()).orElseThrow(() ->
                new IllegalArgumentException("the tool-call probe starts each turn with the token " + format.callStart()
                        + ", which the tokenizer of " + runner.engine().model().dir() + " does not have"));
        List<CompletableFuture<ChatTurn>> futures = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < turns; t++) {
            ChatRequest request = new ChatRequest("probe-" + t, List.of(ChatMessage.of("user", "Use a tool, please (" + t + ").")),
                    tools, new SamplingParams(maxTokens, 1.0f, 1.0f, 0, seed + t, false), List.of());
            ChatRunner.Decoding inner = constrained ? constraint.forTurn(request, 0, tools) : ChatRunner.Decoding.NONE;
            StartsWith first = new StartsWith(callStart, inner);
            futures.add(runner.generate(request, request.messages(), new ChatRunner.Decoding(first, first)));
        }
        Map<String, ArgumentValidator> validators = new java.util.HashMap<>();
        for (JsonNode tool : tools) {
            validators.put(tool.path("function").path("name").asText(), new ArgumentValidator(tool.path("function").path("parameters")));
        }
        int calls = 0;
        int valid = 0;
        int cutOff = 0;
        long tokens = 0;
        List<String> invalid = new ArrayList<>();
        Map<String, Integer> validByTool = new java.util.TreeMap<>();
        for (CompletableFuture<ChatTurn> f : futures) {
            ChatTurn turn = f.join();
            tokens += turn.completionTokens();
            AssistantTurn parsed = format.parse(turn.text(), 0);
            List<ParsedCall> written = parsed.calls();
            for (int i = 0; i < written.size(); i++) {
                ParsedCall c = written.get(i);
                boolean last = i == written.size() - 1 || (i == written.size() - 2 && written.get(i + 1).name() == null);
                if (c.error() != null && "length".equals(turn.finishReason()) && (last || c.name() == null)) {
                    cutOff++; // the turn ran out of tokens inside this call: it was never finished
                    continue;
                }
                calls++;
                String problem = c.error();
                if (problem == null) {
                    ArgumentValidator v = validators.get(c.name());
                    try {
                        problem = v == null ? "unknown tool " + c.name() : v.check(JSON.readTree(c.arguments()));
                    } catch (java.io.IOException e) {
                        problem = e.getMessage();
                    }
                }
                if (problem == null) {
                    valid++;
                    validByTool.merge(c.name(), 1, Integer::sum);
                } else if (invalid.size() < 20) {
                    invalid.add(c.id() + " " + c.arguments() + ": " + problem);
                }
            }
        }
        return new Outcome(turns, calls, valid, cutOff, tokens, (System.nanoTime() - start) / 1e9, invalid, validByTool);
    }

    /** Forces the first token, then hands over to another decoding. */
    private static final class StartsWith implements GenerationRequest.TokenObserver, LogitsProcessor {
        private final int first;
        private final ChatRunner.Decoding then;
        private boolean started;

        StartsWith(int first, ChatRunner.Decoding then) {
            this.first = first;
            this.then = then;
        }

        @Override
        public void process(float[] logits, int offset, int vocab) {
            if (!started) {
                java.util.Arrays.fill(logits, offset, offset + vocab, Float.NEGATIVE_INFINITY);
                logits[offset + first] = 0f;
            } else if (then.processor() != null) {
                then.processor().process(logits, offset, vocab);
            }
        }

        @Override
        public boolean onToken(int token) {
            started = true;
            return then.observer() != null && then.observer().onToken(token);
        }
    }
}
