package org.moebatch.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.moebatch.chat.ChatMessage;
import org.moebatch.chat.ChatRequest;
import org.moebatch.chat.ChatResult;
import org.moebatch.chat.ChatRunner;
import org.moebatch.chat.ChatTurn;
import org.moebatch.chat.ToolCall;
import org.moebatch.chat.ToolTraceEntry;

/**
 * A row's agent loop: generate, read the tool calls, run them (concurrently when a turn has
 * several), append the results as role {@code tool} messages rendered by the model's template, and
 * generate again, until a turn calls no tool, the step limit or the deadline. Every call lands in
 * the trace. While its tools run the row is out of the engine, so its batch slot serves other rows;
 * its continuation shares the cache pages of everything before it (prefix sharing).
 */
public final class AgentLoop {
    /** Supplies extra decoding (constrained, scripted) for one turn of a row. */
    @FunctionalInterface
    public interface TurnDecoding {
        ChatRunner.Decoding forTurn(ChatRequest request, int step, List<JsonNode> tools);
    }

    private final ChatRunner runner;
    private final ToolRegistry registry;
    private final ToolExecutor executor;
    private final ToolCallFormat format;
    private final AgentLimits limits;
    private final TurnDecoding decoding;

    public AgentLoop(ChatRunner runner, ToolRegistry registry, ToolExecutor executor, AgentLimits limits,
            TurnDecoding decoding) {
        this.runner = runner;
        this.registry = registry;
        this.executor = executor;
        this.format = ToolCallFormat.of(runner.tokenizer());
        this.limits = limits;
        this.decoding = decoding;
    }

    /** Everything a row accumulates over its turns. */
    private static final class RowState {
        final ChatRequest request;
        final List<ChatMessage> messages;
        final List<JsonNode> tools;
        final List<ToolTraceEntry> trace = new ArrayList<>();
        final long start = System.nanoTime();
        int step;
        int promptTokens;
        int completionTokens;
        int cachedPromptTokens;
        double queueMs;
        double prefillMs;
        double decodeMs;
        double toolMs;

        RowState(ChatRequest request, List<JsonNode> tools) {
            this.request = request;
            this.messages = new ArrayList<>(request.messages());
            this.tools = tools;
        }

        double elapsedMs() {
            return (System.nanoTime() - start) / 1e6;
        }

        ChatResult result(String completion, String finishReason, String error) {
            return new ChatResult(request.id(), completion, finishReason, List.copyOf(trace), promptTokens,
                    completionTokens, cachedPromptTokens, queueMs, prefillMs, decodeMs, toolMs, elapsedMs(), error);
        }
    }

    public CompletableFuture<ChatResult> run(ChatRequest request) {
        ChatRequest withTools = offering(request, registry);
        return turn(new RowState(withTools, withTools.tools()));
    }

    /** {@code request} offering the job's tools and the row's own declarations, the row's winning on a name clash. */
    public static ChatRequest offering(ChatRequest request, ToolRegistry registry) {
        Map<String, JsonNode> offered = new LinkedHashMap<>();
        for (JsonNode d : registry.declarations()) {
            offered.put(d.path("function").path("name").asText(), d);
        }
        for (JsonNode d : request.tools()) {
            offered.put(d.path("function").path("name").asText(), d);
        }
        return new ChatRequest(request.id(), request.messages(), List.copyOf(offered.values()), request.params(), request.stop());
    }

    private CompletableFuture<ChatResult> turn(RowState row) {
        ChatRunner.Decoding extra = decoding == null ? ChatRunner.Decoding.NONE : decoding.forTurn(row.request, row.step, row.tools);
        return runner.generate(row.request, row.messages, extra).thenCompose(turn -> afterTurn(row, turn));
    }

    private static ChatResult endWithUnrunCalls(RowState row, AssistantTurn parsed, String finishReason, String why) {
        for (ParsedCall c : parsed.calls()) {
            row.trace.add(new ToolTraceEntry(row.step, c.id(), c.name(), c.arguments(), null,
                    c.error() != null ? c.error() : why, 0));
        }
        return row.result(parsed.content(), finishReason, null);
    }

    private CompletableFuture<ChatResult> afterTurn(RowState row, ChatTurn turn) {
        if (turn.error() != null) {
            return CompletableFuture.completedFuture(row.result(null, "error", turn.error()));
        }
        row.promptTokens += turn.promptTokens();
        row.completionTokens += turn.completionTokens();
        row.cachedPromptTokens += turn.cachedPromptTokens();
        row.queueMs += turn.queueMs();
        row.prefillMs += turn.prefillMs();
        row.decodeMs += turn.decodeMs();
        if (row.tools.isEmpty()) {
            return CompletableFuture.completedFuture(row.result(turn.text(), turn.finishReason(), null)); // no tools offered
        }
        AssistantTurn parsed = format.parse(turn.text(), row.step);
        if (!parsed.hasCalls()) {
            return CompletableFuture.completedFuture(row.result(parsed.content(), turn.finishReason(), null));
        }
        if (parsed.calls().stream().anyMatch(c -> c.error() != null && c.error().contains("not terminated"))) {
            // A call cut off (max tokens, the context) cannot be continued: trace it and end the row.
            return CompletableFuture.completedFuture(endWithUnrunCalls(row, parsed, turn.finishReason(),
                    "not run: the turn ended inside a tool call"));
        }
        if (row.step + 1 > limits.maxSteps()) {
            return CompletableFuture.completedFuture(endWithUnrunCalls(row, parsed, "tool_limit",
                    "not run: the row reached its limit of " + limits.maxSteps() + " tool steps"));
        }
        long remaining = limits.deadlineMs() - (long) row.elapsedMs();
        if (remaining <= 0) {
            return CompletableFuture.completedFuture(endWithUnrunCalls(row, parsed, "tool_limit",
                    "not run: the row passed its deadline of " + limits.deadlineMs() + " ms"));
        }
        long timeout = Math.min(limits.toolTimeoutMs(), remaining);
        long toolsStart = System.nanoTime();
        List<CompletableFuture<ToolExecutor.Outcome>> outcomes = new ArrayList<>();
        for (ParsedCall c : parsed.calls()) {
            outcomes.add(executor.call(registry, c, timeout));
        }
        return CompletableFuture.allOf(outcomes.toArray(new CompletableFuture[0])).thenCompose(done -> {
            row.toolMs += (System.nanoTime() - toolsStart) / 1e6;
            List<ToolCall> calls = new ArrayList<>();
            List<ChatMessage> results = new ArrayList<>();
            for (int i = 0; i < parsed.calls().size(); i++) {
                ParsedCall c = parsed.calls().get(i);
                ToolExecutor.Outcome o = outcomes.get(i).join();
                row.trace.add(new ToolTraceEntry(row.step, c.id(), c.name(), c.arguments(), o.result(), o.error(), o.latencyMs()));
                calls.add(new ToolCall(c.id(), c.name() == null ? "unknown" : c.name(), c.arguments() == null ? "{}" : c.arguments()));
                String content = o.error() != null ? "Error: " + o.error() : o.result();
                results.add(new ChatMessage("tool", content, List.of(), c.id(), c.name()));
            }
            row.messages.add(new ChatMessage("assistant", parsed.content(), calls, null, null));
            row.messages.addAll(results);
            row.step++;
            return turn(row);
        });
    }
}
