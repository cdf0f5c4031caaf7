package org.moebatch.tools;

import org.moebatch.tokenizer.Tokenizer;

/**
 * How a model writes tool calls into its output, and how to read them back. Parsing never throws:
 * a malformed call (unterminated, broken JSON, no name) comes back as a {@link ParsedCall} with its
 * error set.
 */
public interface ToolCallFormat {
    /** Reads an assistant turn's decoded text, special tokens included. */
    AssistantTurn parse(String text, int step);

    /** The text that opens a tool call (what a decoder watches for). */
    String callStart();

    /** Kimi K2's tokens when the tokenizer has them, else Hermes / Qwen's {@code <tool_call>} tags. */
    static ToolCallFormat of(Tokenizer tokenizer) {
        return tokenizer.specialTokenId(KimiToolCalls.SECTION_BEGIN).isPresent() ? new KimiToolCalls() : new HermesToolCalls();
    }
}
