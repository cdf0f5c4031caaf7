package org.moebatch.tools.constrain;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.moebatch.chat.ChatRequest;
import org.moebatch.chat.ChatRunner;
import org.moebatch.tokenizer.Tokenizer;
import org.moebatch.tools.AgentLoop;
import org.moebatch.tools.HermesToolCalls;
import org.moebatch.tools.KimiToolCalls;

/**
 * Opt-in constrained decoding of tool calls: for each turn of a row, a constraint that lets the
 * model say anything, but once it starts a tool call only lets it write a well-formed call of an
 * offered tool with arguments that its schema accepts. For Kimi K2's tool-call tokens
 * ({@link KimiConstraint}) and for Hermes / Qwen's {@code <tool_call>} when the tokenizer has it and its
 * close as single tokens ({@link HermesConstraint}); models using another format decode unconstrained
 * (their calls are still validated before running).
 */
public final class ConstrainedDecoding implements AgentLoop.TurnDecoding {
    private final Tokenizer tokenizer;
    private final Vocabulary vocabulary;
    private final int[] endOfTurn;
    private final boolean kimi;
    private final boolean hermes;

    public ConstrainedDecoding(Tokenizer tokenizer, int modelVocabulary, List<Integer> eosTokenIds) {
        this.tokenizer = tokenizer;
        this.kimi = tokenizer.specialTokenId(KimiToolCalls.SECTION_BEGIN).isPresent()
                && tokenizer.specialTokenId(KimiToolCalls.CALL_END).isPresent();
        this.hermes = !kimi && tokenizer.specialTokenId(HermesToolCalls.OPEN).isPresent()
                && tokenizer.specialTokenId(HermesToolCalls.CLOSE).isPresent();
        this.vocabulary = kimi || hermes ? new Vocabulary(tokenizer, modelVocabulary) : null;
        this.endOfTurn = eosTokenIds.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Whether this tokenizer's tool-call format can be constrained at all. */
    public boolean supported() {
        return vocabulary != null;
    }

    @Override
    public ChatRunner.Decoding forTurn(ChatRequest request, int step, List<JsonNode> tools) {
        if (vocabulary == null || tools.isEmpty()) {
            return ChatRunner.Decoding.NONE;
        }
        Map<String, JsonShape> shapes = new LinkedHashMap<>();
        for (JsonNode t : tools) {
            JsonNode f = t.path("function");
            shapes.put(f.path("name").asText(), JsonShape.of(f.get("parameters")));
        }
        if (hermes) {
            HermesConstraint h = new HermesConstraint(vocabulary, shapes, tokenizer.specialTokenId(HermesToolCalls.OPEN).getAsInt(),
                    tokenizer.specialTokenId(HermesToolCalls.CLOSE).getAsInt(), endOfTurn);
            return new ChatRunner.Decoding(h, h);
        }
        KimiConstraint c = new KimiConstraint(vocabulary, shapes, tokenizer.specialTokens(), endOfTurn);
        return new ChatRunner.Decoding(c, c);
    }
}
