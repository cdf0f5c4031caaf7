package org.moebatch.tools.constrain;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.moebatch.engine.GenerationRequest;
import org.moebatch.engine.LogitsProcessor;
import org.moebatch.tools.KimiToolCalls;

/**
 * Constrained decoding of Kimi K2 tool calls for one turn. Free text is untouched; once the model
 * opens a tool-call section, every token must keep the call well-formed:
 * {@code <|tool_call_begin|>functions.NAME:IDX<|tool_call_argument_begin|>ARGS<|tool_call_end|>}
 * with NAME one of the offered tools and ARGS a prefix of JSON that the tool's schema accepts,
 * then another call or {@code <|tool_calls_section_end|>} and the end of the turn. Tokens that break
 * this get -infinity before sampling, so a malformed call cannot be written.
 */
final class KimiConstraint implements GenerationRequest.TokenObserver, LogitsProcessor {
    private static final int CANDIDATES = 256;
    private static final int KEEP = 16;
    private static final int MAX_INDEX_DIGITS = 3;

    private enum Phase { FREE, CALL_BEGIN, NAME, INDEX, ARGS, AFTER_CALL, END_OF_TURN }

    private final Vocabulary vocabulary;
    private final Map<String, JsonShape> shapes;
    private final int sectionBegin;
    private final int sectionEnd;
    private final int callBegin;
    private final int argumentBegin;
    private final int callEnd;
    private final int[] endOfTurn;
    private final int[] candidates = new int[CANDIDATES];
    private final int[] kept = new int[KEEP + 4];

    private Phase phase = Phase.FREE;
    private List<byte[]> names;       // "functions.NAME:" still possible, during NAME
    private int nameAt;
    private String name;
    private int indexDigits;
    private JsonPrefix arguments;

    KimiConstraint(Vocabulary vocabulary, Map<String, JsonShape> shapes, Map<String, Integer> specials, int[] endOfTurn) {
        this.vocabulary = vocabulary;
        this.shapes = shapes;
        this.sectionBegin = specials.get(KimiToolCalls.SECTION_BEGIN);
        this.sectionEnd = specials.get(KimiToolCalls.SECTION_END);
        this.callBegin = specials.get(KimiToolCalls.CALL_BEGIN);
        this.argumentBegin = specials.get(KimiToolCalls.ARGUMENT_BEGIN);
        this.callEnd = specials.get(KimiToolCalls.CALL_END);
        this.endOfTurn = endOfTurn;
    }

    @Override
    public void process(float[] logits, int offset, int vocab) {
        switch (phase) {
            case FREE:
                return;
            case CALL_BEGIN:
                only(logits, offset, vocab, callBegin);
                return;
            case AFTER_CALL:
                only(logits, offset, vocab, callBegin, sectionEnd);
                return;
            case END_OF_TURN:
                only(logits, offset, vocab, endOfTurn);
                return;
            default:
                byBytes(logits, offset, vocab);
        }
    }

    /** NAME, INDEX and ARGS: the best candidates whose bytes continue the call, plus the special that may close it. */
    private void byBytes(float[] logits, int offset, int vocab) {
        int n = Vocabulary.top(logits, offset, vocab, CANDIDATES, candidates);
        int keep = 0;
        for (int i = 0; i < n && keep < KEEP; i++) {
            if (accepts(candidates[i])) {
                kept[keep++] = candidates[i];
            }
        }
        if (keep == 0) {
            // nothing among the likely tokens fits: look through the whole vocabulary
            for (int id = 0; id < vocab && keep < KEEP; id++) {
                if (accepts(id)) {
                    kept[keep++] = id;
                }
            }
        }
        only(logits, offset, vocab, Arrays.copyOf(kept, keep));
    }

    private boolean accepts(int id) {
        if (id >= vocabulary.bytes.length) {
            return false;
        }
        if (vocabulary.special[id]) {
            return (phase == Phase.INDEX && id == argumentBegin && indexDigits > 0)
                    || (phase == Phase.ARGS && id == callEnd && arguments.complete());
        }
        byte[] b = vocabulary.bytes[id];
        if (b == null || b.length == 0) {
            return false;
        }
        switch (phase) {
            case NAME:
                return nameContinues(b) != null;
            case INDEX:
                return digits(b) && indexDigits + b.length <= MAX_INDEX_DIGITS;
            case ARGS:
                return arguments.feed(b) != null;
            default:
                return false;
        }
    }

    /** The name candidates still possible after {@code b}, or null when none; may carry into the index digits. */
    private List<byte[]> nameContinues(byte[] b) {
        List<byte[]> still = names;
        int at = nameAt;
        for (int i = 0; i < b.length; i++) {
            List<byte[]> next = new ArrayList<>();
            boolean finished = false;
            for (byte[] c : still) {
                if (at < c.length && c[at] == b[i]) {
                    next.add(c);
                } else if (at == c.length) {
                    finished = true;
                }
            }
            if (next.isEmpty()) {
                // "functions.NAME:" is complete: the rest of the token must be index digits
                return finished && digits(Arrays.copyOfRange(b, i, b.length)) && b.length - i <= MAX_INDEX_DIGITS ? still : null;
            }
            still = next;
            at++;
        }
        return still;
    }

    private static boolean digits(byte[] b) {
        for (byte x : b) {
            if (x < '0' || x > '9') {
                return false;
            }
        }
        return b.length > 0;
    }

    /** Masks every logit but those of {@code allowed} (kept finite, however unlikely). */
    static void only(float[] logits, int offset, int vocab, int... allowed) {
        float[] keep = new float[allowed.length];
        for (int i = 0; i < allowed.length; i++) {
            keep[i] = allowed[i] < vocab ? logits[offset + allowed[i]] : Float.NEGATIVE_INFINITY;
        }
        Arrays.fill(logits, offset, offset + vocab, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < allowed.length; i++) {
            if (allowed[i] < vocab) {
                // a token the model finds very unlikely still stays possible
                logits[offset + allowed[i]] = Float.isInfinite(keep[i]) ? -1e30f : keep[i];
            }
        }
    }

    @Override
    public boolean onToken(int token) {
        switch (phase) {
            case FREE:
                if (token == sectionBegin) {
                    phase = Phase.CALL_BEGIN;
                }
                return false;
            case CALL_BEGIN:
            case AFTER_CALL:
                if (token == callBegin) {
                    startName();
                } else if (token == sectionEnd) {
                    phase = Phase.END_OF_TURN;
                } else {
                    phase = Phase.FREE;
                }
                return false;
            case NAME:
                advanceName(token);
                return false;
            case INDEX:
                if (token == argumentBegin) {
                    arguments = JsonPrefix.start(shapes.getOrDefault(name, JsonShape.any()));
                    phase = Phase.ARGS;
                } else if (token < vocabulary.bytes.length && vocabulary.bytes[token] != null && digits(vocabulary.bytes[token])) {
                    indexDigits += vocabulary.bytes[token].length;
                } else {
                    phase = Phase.FREE;
                }
                return false;
            case ARGS:
                if (token == callEnd) {
                    phase = Phase.AFTER_CALL;
                } else {
                    JsonPrefix next = token < vocabulary.bytes.length && vocabulary.bytes[token] != null
                            ? arguments.feed(vocabulary.bytes[token]) : null;
                    if (next == null) {
                        phase = Phase.FREE; // only when the mask was not applied; the parser reports the call
                    } else {
                        arguments = next;
                    }
                }
                return false;
            default:
                return false;
        }
    }

    private void startName() {
        names = new ArrayList<>();
        for (String tool : shapes.keySet()) {
            names.add(("functions." + tool + ":").getBytes(StandardCharsets.UTF_8));
        }
        nameAt = 0;
        indexDigits = 0;
        phase = names.isEmpty() ? Phase.FREE : Phase.NAME;
    }

    private void advanceName(int token) {
        byte[] b = token < vocabulary.bytes.length ? vocabulary.bytes[token] : null;
        if (b == null || vocabulary.special[token]) {
            phase = Phase.FREE;
            return;
        }
        for (int i = 0; i < b.length; i++) {
            byte[] finished = null;
            List<byte[]> next = new ArrayList<>();
            for (byte[] c : names) {
                if (nameAt < c.length && c[nameAt] == b[i]) {
                    next.add(c);
                } else if (nameAt == c.length) {
                    finished = c;
                }
            }
            if (next.isEmpty()) {
                if (finished == null) {
                    phase = Phase.FREE;
                    return;
                }
                enterIndex(finished);
                indexDigits += b.length - i;
                return;
            }
            names = next;
            nameAt++;
        }
        for (byte[] c : names) {
            if (c.length == nameAt && names.size() == 1) {
                enterIndex(c);
            }
        }
    }

    private void enterIndex(byte[] full) {
        String text = new String(full, StandardCharsets.UTF_8);
        name = text.substring("functions.".length(), text.length() - 1);
        phase = Phase.INDEX;
    }
}
