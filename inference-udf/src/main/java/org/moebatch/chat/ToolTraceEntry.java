package org.moebatch.chat;

/**
 * One tool call of a row, as the {@code tool_trace} column records it: the agent-loop step it
 * happened in, the call's id, the tool, the arguments (JSON text), what the tool returned or why it
 * failed, and how long it took.
 */
public record ToolTraceEntry(int step, String callId, String name, String arguments, String result, String error,
        double latencyMs) {}
