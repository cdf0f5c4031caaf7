package org.moebatch.tools.constrain;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.moebatch.engine.GenerationRequest;
import org.moebatch.engine.LogitsProcessor;

/**
 * Constrained decoding of Hermes / Qwen tool calls for one turn. Free text is untouched; once the
 * model writes the {@code <tool_call>} token, the call must read
 * {@code \n{"name": "NAME", "arguments": ARGS}} then optional whitespace and the {@code </tool_call>}
 * token, as Qwen3's chat template asks, with NAME one of the offered tools and ARGS a prefix of JSON
 * its schema accepts. After a call only whitespace, another {@code <tool_call>} or the end of the
 * turn may follow. Tokens that break this get -infinity before sampling.
 *
 * <p>The state is a value ({@link State}): whether a candidate token fits is {@link State#after}
 * its bytes, the same step that {@link #onToken} takes, so masking and tracking cannot disagree.
 */
final class HermesConstraint implements GenerationRequest.TokenObserver, LogitsProcessor {
    private static final int CANDIDATES = 256;
    private static final int KEEP = 16;
    /** Whitespace tokens allowed in a row between a call's JSON and its close, or between calls. */
    private static final int MAX_BLANKS = 4;
    private static final byte[] TAIL = "}".getBytes(StandardCharsets.UTF_8);

    private enum Phase { FREE, HEAD, ARGS, TAIL, CLOSE, AFTER_CALL }

    /**
     * Where the turn is. HEAD: matching {@code heads} (one per tool: {@code \n{"name": "NAME", "arguments": })
     * at byte {@code at}; ARGS: {@code args}; TAIL: the object's closing brace at byte {@code at};
     * CLOSE and AFTER_CALL: {@code at} whitespace tokens so far.
     */
    private record State(Phase phase, List<byte[]> heads, int at, String name, JsonPrefix args) {
        static final State FREE = new State(Phase.FREE, List.of(), 0, null, null);
    }

    private final Vocabulary vocabulary;
    private final Map<String, JsonShape> shapes;
    private final int open;
    private final int close;
    private final int[] endOfTurn;
    private final int[] candidates = new int[CANDIDATES];
    private final int[] kept = new int[KEEP];
    private State state = State.FREE;

    HermesConstraint(Vocabulary vocabulary, Map<String, JsonShape> shapes, int open, int close, int[] endOfTurn) {
        this.vocabulary = vocabulary;
        this.shapes = shapes;
        this.open = open;
        this.close = close;
        this.endOfTurn = endOfTurn;
    }

    @Override
    public void process(float[] logits, int offset, int vocab) {
        if (state.phase == Phase.FREE) {
            return;
        }
        int n = Vocabulary.top(logits, offset, vocab, CANDIDATES, candidates);
        int keep = 0;
        for (int i = 0; i < n && keep < KEEP; i++) {
            if (after(state, candidates[i]) != null) {
                kept[keep++] = candidates[i];
            }
        }
        if (keep == 0) {
            // nothing among the likely tokens fits: look through the whole vocabulary
            for (int id = 0; id < vocab && keep < KEEP; id++) {
                if (after(state, id) != null) {
                    kept[keep++] = id;
                }
            }
        }
        KimiConstraint.only(logits, offset, vocab, Arrays.copyOf(kept, keep));
    }

    @Override
    public boolean onToken(int token) {
        State next = after(state, token);
        // null only when the mask was not applied (another processor chose); the parser reports the call
        state = next == null ? State.FREE : next;
        return false;
    }

    /** The state after token {@code id}, or null when the token cannot come next. */
    private State after(State s, int id) {
        boolean special = id < vocabulary.special.length && vocabulary.special[id];
        byte[] bytes = id < vocabulary.bytes.length ? vocabulary.bytes[id] : null;
        switch (s.phase) {
            case FREE:
                return id == open ? head() : s;
            case CLOSE:
                if (id == close) {
                    return new State(Phase.AFTER_CALL, List.of(), 0, null, null);
                }
                return !special && blank(bytes) && s.at < MAX_BLANKS ? new State(Phase.CLOSE, List.of(), s.at + 1, null, null) : null;
            case AFTER_CALL:
                if (id == open) {
                    return head();
                }
                for (int end : endOfTurn) {
                    if (id == end) {
                        return State.FREE;
                    }
                }
                return !special && blank(bytes) && s.at < MAX_BLANKS ? new State(Phase.AFTER_CALL, List.of(), s.at + 1, null, null) : null;
            default:
                if (special || bytes == null || bytes.length == 0) {
                    return null;
                }
                State t = s;
                for (int i = 0; i < bytes.length && t != null; i++) {
                    t = afterByte(t, bytes[i]);
                }
                return t;
        }
    }

    private State head() {
        List<byte[]> heads = new ArrayList<>();
        for (String tool : shapes.keySet()) {
            heads.add(("\n{\"name\": \"" + tool + "\", \"arguments\": ").getBytes(StandardCharsets.UTF_8));
        }
        return heads.isEmpty() ? State.FREE : new State(Phase.HEAD, heads, 0, null, null);
    }

    /** HEAD, ARGS and TAIL, one byte at a time; null when the byte cannot come next. */
    private State afterByte(State s, byte b) {
        switch (s.phase) {
            case HEAD: {
                List<byte[]> still = new ArrayList<>();
                for (byte[] h : s.heads) {
                    if (h[s.at] == b) {
                        still.add(h);
                    }
                }
                if (still.isEmpty()) {
                    return null;
                }
                int at = s.at + 1;
                // No head is a prefix of another (each ends in the name's closing quote and the same
                // suffix), so a finished head is the only one left.
                if (still.size() == 1 && still.get(0).length == at) {
                    String h = new String(still.get(0), StandardCharsets.UTF_8);
                    String name = h.substring("\n{\"name\": \"".length(), h.length() - "\", \"arguments\": ".length());
                    return new State(Phase.ARGS, List.of(), 0, name, JsonPrefix.start(shapes.getOrDefault(name, JsonShape.any())));
                }
                return new State(Phase.HEAD, still, at, null, null);
            }
            case ARGS: {
                JsonPrefix next = s.args.feed(new byte[] {b});
                if (next != null) {
                    return new State(Phase.ARGS, List.of(), 0, s.name, next);
                }
                // the arguments are a whole value: what follows is the object's closing brace
                return s.args.complete() ? afterByte(new State(Phase.TAIL, List.of(), 0, s.name, s.args), b) : null;
            }
            case TAIL: {
                if (TAIL[s.at] != b) {
                    return null;
                }
                return s.at + 1 == TAIL.length ? new State(Phase.CLOSE, List.of(), 0, null, null)
                        : new State(Phase.TAIL, List.of(), s.at + 1, s.name, s.args);
            }
            default:
                return null; // a closed call's whitespace comes as whole tokens, handled in after()
        }
    }

    private static boolean blank(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return false;
        }
        for (byte x : bytes) {
            if (x != ' ' && x != '\n' && x != '\t' && x != '\r') {
                return false;
            }
        }
        return true;
    }
}
