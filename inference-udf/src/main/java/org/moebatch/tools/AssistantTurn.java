package org.moebatch.tools;

import java.util.List;

/** One assistant turn, parsed: the text it said, and the tool calls it made (maybe none). */
public record AssistantTurn(String content, List<ParsedCall> calls) {
    public AssistantTurn {
        calls = List.copyOf(calls);
    }

    public boolean hasCalls() {
        return !calls.isEmpty();
    }
}
