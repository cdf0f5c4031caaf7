package org.moebatch.jobs;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.moebatch.spark.OutputSchema;
import org.moebatch.tools.AssistantTurn;
import org.moebatch.tools.ParsedCall;
import org.moebatch.tools.ToolCallFormat;

/**
 * The assistant message of a row as an OpenAI client receives it: text, the tool calls the job did
 * not run (the client runs them, as with OpenAI), and OpenAI's finish_reason.
 *
 * <p>Two ways a row ends on calls the job did not run:
 * <ul>
 * <li>no tools were offered to the row, so the engine did not read the turn: its completion still
 *     holds the model's call markup ({@code <|tool_calls_section_begin|>…}, {@code <tool_call>…}),
 *     read here with the same {@link ToolCallFormat} the engine uses for the model's tokenizer;
 * <li>the job ran tools but the row hit its step limit or deadline ({@code tool_limit}, which OpenAI
 *     does not have): the calls of its last turn are in the trace, not run.
 * </ul>
 * A call OpenAI's format cannot express (no name, no arguments) leaves the completion as written,
 * so nothing the model said is lost. Arguments go out as the model wrote them, even when they are
 * not valid JSON: OpenAI documents that clients must check them.
 *
 * @param content      the text before the calls; null when there is none (as OpenAI sends it)
 * @param toolCalls    calls for the client to run, in the model's order
 * @param finishReason one of OpenAI's: stop, length, tool_calls
 */
record ReturnedMessage(String content, List<ParsedCall> toolCalls, String finishReason) {
    private static final int STEP = OutputSchema.TOOL_CALL.fieldIndex("step");
    private static final int CALL_ID = OutputSchema.TOOL_CALL.fieldIndex("call_id");
    private static final int NAME = OutputSchema.TOOL_CALL.fieldIndex("name");
    private static final int ARGUMENTS = OutputSchema.TOOL_CALL.fieldIndex("arguments");

    static ReturnedMessage of(String completion, String finishReason, List<Row> trace, ToolCallFormat format) {
        if ("tool_limit".equals(finishReason)) {
            return lastTurnNotRun(completion, trace);
        }
        AssistantTurn turn = format.parse(completion == null ? "" : completion, 0);
        if (!turn.hasCalls() || !turn.calls().stream().allMatch(ReturnedMessage::expressible)) {
            return new ReturnedMessage(completion, List.of(), openAiReason(finishReason));
        }
        // A call cut off by max_tokens stays "length", as OpenAI reports a truncated call.
        return new ReturnedMessage(textOrNull(turn.content()), turn.calls(),
                "length".equals(finishReason) ? "length" : "tool_calls");
    }

    /** The calls of the trace's last step: at tool_limit the loop stopped before running them. */
    private static ReturnedMessage lastTurnNotRun(String completion, List<Row> trace) {
        int last = -1;
        for (Row e : trace) {
            last = Math.max(last, e.getInt(STEP));
        }
        List<ParsedCall> calls = new ArrayList<>();
        for (Row e : trace) {
            ParsedCall c = new ParsedCall(e.getString(CALL_ID), e.getString(NAME), e.getString(ARGUMENTS), null);
            if (e.getInt(STEP) == last && expressible(c)) {
                calls.add(c);
            }
        }
        return calls.isEmpty() ? new ReturnedMessage(completion, List.of(), "stop")
                : new ReturnedMessage(textOrNull(completion), calls, "tool_calls");
    }

    private static boolean expressible(ParsedCall c) {
        return c.id() != null && c.name() != null && c.arguments() != null;
    }

    private static String textOrNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }

    /** The engine's stop and length are OpenAI's; anything else here would be a new engine reason. */
    private static String openAiReason(String engineReason) {
        if ("stop".equals(engineReason) || "length".equals(engineReason)) {
            return engineReason;
        }
        throw new IllegalStateException("finish_reason \"" + engineReason + "\" has no OpenAI equivalent");
    }
}
