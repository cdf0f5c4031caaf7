package org.moebatch.tools.constrain;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Whether a byte string can still become a JSON value that a {@link JsonShape} accepts: a
 * pushdown automaton over UTF-8 bytes, immutable, so that the decoder can try a candidate token's
 * bytes from the current state without disturbing it ({@link #feed} returns a new state, or null
 * when the bytes cannot continue a valid value).
 *
 * <p>The JSON it allows is compact, the way models write tool arguments: one optional space after
 * {@code :} and {@code ,}, no other whitespace, strings and numbers of bounded length. Every
 * complete value it accepts parses and validates; every state has a way to finish.
 */
public final class JsonPrefix {
    private final Frame top;

    private JsonPrefix(Frame top) {
        this.top = top;
    }

    /** The empty prefix of a value of {@code shape}. */
    static JsonPrefix start(JsonShape shape) {
        return new JsonPrefix(new ValueStart(shape, Done.INSTANCE, 0));
    }

    /** The state after {@code bytes}, or null when they cannot continue a valid value. */
    public JsonPrefix feed(byte[] bytes) {
        Frame f = top;
        for (byte b : bytes) {
            f = f.feed(b & 0xFF);
            if (f == null) {
                return null;
            }
        }
        return new JsonPrefix(f);
    }

    public JsonPrefix feed(String text) {
        return feed(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether the bytes so far form a complete value. */
    public boolean complete() {
        return top.complete();
    }

    // ---- frames: each knows what byte may come next and what follows it ----------------------

    private abstract static class Frame {
        /** The state after byte {@code b}, or null when it cannot come here. */
        abstract Frame feed(int b);

        /** Whether the value has ended (only the root's Done, or a number that could end now). */
        boolean complete() {
            return false;
        }
    }

    /** A value ended; the frame that receives it decides what comes next. */
    private interface Continuation {
        Frame afterValue();
    }

    /** After the top-level value: nothing more. */
    private static final class Done extends Frame implements Continuation {
        static final Done INSTANCE = new Done();

        @Override
        Frame feed(int b) {
            return null;
        }

        @Override
        boolean complete() {
            return true;
        }

        @Override
        public Frame afterValue() {
            return this;
        }
    }

    /** Before a value: its first byte chooses object, array, string, number or literal. */
    private static final class ValueStart extends Frame {
        final JsonShape shape;
        final Continuation next;
        final int depth;

        ValueStart(JsonShape shape, Continuation next, int depth) {
            this.shape = shape;
            this.next = next;
            this.depth = depth;
        }

        @Override
        Frame feed(int b) {
            if (shape.enumLiterals != null) {
                return new Literal(shape.enumLiterals, 0, next).feed(b);
            }
            switch (b) {
                case '{':
                    return shape.allows(JsonShape.OBJECT) && depth < JsonShape.MAX_DEPTH
                            ? ObjectFrame.open(shape, next, depth) : null;
                case '[':
                    return shape.allows(JsonShape.ARRAY) && depth < JsonShape.MAX_DEPTH
                            ? ArrayFrame.open(shape, next, depth) : null;
                case '"':
                    return shape.allows(JsonShape.STRING) ? new StringFrame(shape.maxLength, 0, 0, next) : null;
                case 't':
                    return shape.allows(JsonShape.BOOLEAN) ? Literal.of("true", next).feed(b) : null;
                case 'f':
                    return shape.allows(JsonShape.BOOLEAN) ? Literal.of("false", next).feed(b) : null;
                case 'n':
                    return shape.allows(JsonShape.NULL) ? Literal.of("null", next).feed(b) : null;
                default:
                    if ((b == '-' || (b >= '0' && b <= '9')) && shape.allowsNumber()) {
                        return NumberFrame.begin(shape.allows(JsonShape.NUMBER), shape.bounds, next).feed(b);
                    }
                    return null;
            }
        }
    }

    /** One of a fixed set of JSON texts (true, false, null, enum and const values), by prefix. */
    private static final class Literal extends Frame {
        final List<byte[]> candidates;
        final int at;
        final Continuation next;

        Literal(List<byte[]> candidates, int at, Continuation next) {
            this.candidates = candidates;
            this.at = at;
            this.next = next;
        }

        static Literal of(String text, Continuation next) {
            return new Literal(List.of(text.getBytes(StandardCharsets.US_ASCII)), 0, next);
        }

        @Override
        Frame feed(int b) {
            List<byte[]> still = new ArrayList<>(candidates.size());
            boolean ended = false;
            for (byte[] c : candidates) {
                if (at < c.length && (c[at] & 0xFF) == b) {
                    still.add(c);
                } else if (at == c.length) {
                    ended = true; // c is complete; b belongs to whatever follows the value
                }
            }
            if (!still.isEmpty()) {
                Literal more = new Literal(still, at + 1, next);
                // a literal that is complete and also a prefix of a longer one ("1" of "1", "10") is ambiguous;
                // enum values of JSON text end in a quote, brace, bracket or letter, so numbers are the only case
                return more;
            }
            return ended ? next.afterValue().feed(b) : null;
        }

        @Override
        boolean complete() {
            return false;
        }

        /** Ends a literal at its last byte when no longer candidate exists (called by the feed of the next byte). */
        boolean done() {
            for (byte[] c : candidates) {
                if (c.length == at) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A JSON string after its opening quote. */
    private static final class StringFrame extends Frame {
        final int maxLength;
        final int length;
        final int escape; // 0 none, 1 after backslash, 2..5 reading \\u hex digits
        final Continuation next;

        StringFrame(int maxLength, int length, int escape, Continuation next) {
            this.maxLength = maxLength;
            this.length = length;
            this.escape = escape;
            this.next = next;
        }

        @Override
        Frame feed(int b) {
            if (escape == 1) {
                if (b == 'u') {
                    return new StringFrame(maxLength, length, 2, next);
                }
                return "\"\\/bfnrt".indexOf(b) >= 0 ? new StringFrame(maxLength, length + 1, 0, next) : null;
            }
            if (escape >= 2) {
                boolean hex = (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
                if (!hex) {
                    return null;
                }
                return new StringFrame(maxLength, escape == 5 ? length + 1 : length, escape == 5 ? 0 : escape + 1, next);
            }
            if (b == '"') {
                return next.afterValue();
            }
            if (b < 0x20 || length >= maxLength) {
                return null; // control characters must be escaped; long strings must close
            }
            return b == '\\' ? new StringFrame(maxLength, length, 1, next) : new StringFrame(maxLength, length + 1, 0, next);
        }
    }

    /**
     * A number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, fraction and exponent only for "number".
     * Within bounds, a byte is taken only when some number it begins still lies in them, and a bounded
     * number is written without exponent.
     */
    private static final class NumberFrame extends Frame {
        // phases: 0 start, 1 after '-', 2 after leading 0, 3 in integer digits, 4 after '.', 5 in fraction,
        // 6 after e/E, 7 after exponent sign, 8 in exponent digits
        final int phase;
        final String text;          // the bytes so far
        final boolean fractions;
        final NumberBounds bounds;  // null: any value
        final Continuation next;

        NumberFrame(int phase, String text, boolean fractions, NumberBounds bounds, Continuation next) {
            this.phase = phase;
            this.text = text;
            this.fractions = fractions;
            this.bounds = bounds;
            this.next = next;
        }

        static NumberFrame begin(boolean fractions, NumberBounds bounds, Continuation next) {
            return new NumberFrame(0, "", fractions, bounds, next);
        }

        private NumberFrame to(int phase, int b) {
            if (text.length() + 1 > JsonShape.MAX_NUMBER_BYTES) {
                return null;
            }
            NumberFrame f = new NumberFrame(phase, text + (char) b, fractions, bounds, next);
            return bounds == null || f.canEndInBounds() ? f : null;
        }

        boolean ends() {
            return phase == 2 || phase == 3 || phase == 5 || phase == 8;
        }

        private boolean endsInBounds() {
            return ends() && (bounds == null || bounds.holds(new BigDecimal(text)));
        }

        /** Whether some continuation of the text, within the length limit, is a number in bounds. */
        private boolean canEndInBounds() {
            boolean negative = text.startsWith("-");
            String digits = negative ? text.substring(1) : text;
            int room = JsonShape.MAX_NUMBER_BYTES - text.length();
            switch (phase) {
                case 1: // '-': any negative number (of at most `room` digits)
                    return bounds.reachesInteger(true, BigDecimal.ZERO, BigDecimal.TEN.pow(room).subtract(BigDecimal.ONE))
                            || (fractions && room >= 3 && bounds.reachesDecimal(true, BigDecimal.ZERO, BigDecimal.ONE));
                case 2: // a leading 0 ends the integer part
                    return bounds.holds(BigDecimal.ZERO)
                            || (fractions && room >= 2 && bounds.reachesDecimal(negative, BigDecimal.ZERO, BigDecimal.ONE));
                case 3: // more digits scale the magnitude by ten each, a fraction adds less than one
                    BigDecimal m = new BigDecimal(digits);
                    for (int k = 0; k <= room; k++) {
                        BigDecimal scale = BigDecimal.TEN.pow(k);
                        BigDecimal from = m.multiply(scale);
                        BigDecimal to = m.add(BigDecimal.ONE).multiply(scale);
                        if (bounds.reachesInteger(negative, from, to.subtract(BigDecimal.ONE))
                                || (fractions && room - k >= 2 && bounds.reachesDecimal(negative, from, to))) {
                            return true;
                        }
                    }
                    return false;
                case 4: // after '.': a digit must come; the fraction so far fixes the magnitude within one unit
                case 5: {
                    BigDecimal from = new BigDecimal(phase == 4 ? digits.substring(0, digits.length() - 1) : digits);
                    return bounds.reachesDecimal(negative, from, from.add(BigDecimal.ONE.movePointLeft(from.scale())));
                }
                default:
                    return true;
            }
        }

        @Override
        Frame feed(int b) {
            boolean digit = b >= '0' && b <= '9';
            switch (phase) {
                case 0:
                    return b == '-' ? to(1, b) : b == '0' ? to(2, b) : digit ? to(3, b) : null;
                case 1:
                    return b == '0' ? to(2, b) : digit ? to(3, b) : null;
                case 4:
                    return digit ? to(5, b) : null;
                case 6:
                    return b == '+' || b == '-' ? to(7, b) : digit ? to(8, b) : null;
                case 7:
                    return digit ? to(8, b) : null;
                default:
                    break;
            }
            if (digit && (phase == 3 || phase == 5 || phase == 8)) {
                return to(phase, b);
            }
            if (fractions && b == '.' && (phase == 2 || phase == 3)) {
                return to(4, b);
            }
            if (fractions && bounds == null && (b == 'e' || b == 'E') && (phase == 2 || phase == 3 || phase == 5)) {
                return to(6, b);
            }
            // any other byte ends the number, if it can end here, and belongs to what follows
            return endsInBounds() ? next.afterValue().feed(b) : null;
        }
    }

    /** An object after '{': keys from the shape's properties, each at most once, required ones before '}'. */
    private static final class ObjectFrame extends Frame implements Continuation {
        // phases: 0 after '{' or ',' (a key or, after '{', '}'), 1 after a key's closing quote (':'),
        // 2 after ':' (space or value), 3 after a value (',' or '}'), 4 after ',' (space or '"'),
        // 5 after ": " (value)
        final JsonShape shape;
        final Continuation next;
        final int depth;
        final int phase;
        final long used;          // bit i: property i of the shape is present
        final String key;         // the key just read, for the value's shape
        final boolean first;

        private ObjectFrame(JsonShape shape, Continuation next, int depth, int phase, long used, String key, boolean first) {
            this.shape = shape;
            this.next = next;
            this.depth = depth;
            this.phase = phase;
            this.used = used;
            this.key = key;
            this.first = first;
        }

        static ObjectFrame open(JsonShape shape, Continuation next, int depth) {
            return new ObjectFrame(shape, next, depth, 0, 0L, null, true);
        }

        private boolean requiredDone() {
            for (String r : shape.required) {
                int i = shape.propertyOrder.indexOf(r);
                if (i < 0 || (used & (1L << i)) == 0) {
                    return false;
                }
            }
            return true;
        }

        private boolean freeKeys() {
            return shape.properties == null || shape.propertyOrder.size() > 64;
        }

        private List<byte[]> remainingKeys() {
            List<byte[]> keys = new ArrayList<>();
            for (int i = 0; i < shape.propertyOrder.size(); i++) {
                if ((used & (1L << i)) == 0) {
                    keys.add(shape.propertyOrder.get(i).getBytes(StandardCharsets.UTF_8));
                }
            }
            return keys;
        }

        @Override
        Frame feed(int b) {
            switch (phase) {
                case 0:
                    if (b == '}' && first && requiredDone()) {
                        return next.afterValue();
                    }
                    if (b == '"') {
                        if (freeKeys()) {
                            return new FreeKey(this, 0, 0);
                        }
                        List<byte[]> keys = remainingKeys();
                        return keys.isEmpty() ? null : new KeyFrame(this, keys, 0, new byte[0]);
                    }
                    return null;
                case 1:
                    return b == ':' ? with(2, key) : null;
                case 2:
                    return b == ' ' ? with(5, key) : valueStart().feed(b);
                case 5:
                    return valueStart().feed(b);
                case 3:
                    if (b == '}') {
                        return requiredDone() ? next.afterValue() : null;
                    }
                    if (b == ',') {
                        return (freeKeys() || !remainingKeys().isEmpty()) ? new ObjectFrame(shape, next, depth, 4, used, null, false) : null;
                    }
                    return null;
                case 4:
                    return b == ' ' ? new ObjectFrame(shape, next, depth, 0, used, null, false) : new ObjectFrame(shape, next, depth, 0, used, null, false).feed(b);
                default:
                    return null;
            }
        }

        private Frame valueStart() {
            return new ValueStart(shape.propertyShape(key), with(3, key), depth + 1);
        }

        private ObjectFrame with(int newPhase, String newKey) {
            return new ObjectFrame(shape, next, depth, newPhase, used, newKey, first);
        }

        /** The key is read: mark it used and expect ':'. */
        Frame keyRead(String name) {
            int i = shape.propertyOrder.indexOf(name);
            long newUsed = i >= 0 && i < 64 ? used | (1L << i) : used;
            return new ObjectFrame(shape, next, depth, 1, newUsed, name, first);
        }

        @Override
        public Frame afterValue() {
            return this; // a value frame ends here: this frame already is in phase 3
        }
    }

    /** A declared property name, by prefix over the names not yet used. */
    private static final class KeyFrame extends Frame {
        final ObjectFrame object;
        final List<byte[]> candidates;
        final int at;
        final byte[] read;

        KeyFrame(ObjectFrame object, List<byte[]> candidates, int at, byte[] read) {
            this.object = object;
            this.candidates = candidates;
            this.at = at;
            this.read = read;
        }

        @Override
        Frame feed(int b) {
            if (b == '"') {
                for (byte[] c : candidates) {
                    if (c.length == at) {
                        return object.keyRead(new String(c, StandardCharsets.UTF_8));
                    }
                }
                return null;
            }
            List<byte[]> still = new ArrayList<>();
            for (byte[] c : candidates) {
                if (at < c.length && (c[at] & 0xFF) == b) {
                    still.add(c);
                }
            }
            if (still.isEmpty()) {
                return null;
            }
            byte[] more = Arrays.copyOf(read, read.length + 1);
            more[read.length] = (byte) b;
            return new KeyFrame(object, still, at + 1, more);
        }
    }

    /** Any key (objects without declared properties): a plain string. */
    private static final class FreeKey extends Frame {
        final ObjectFrame object;
        final int length;
        final int escape;

        FreeKey(ObjectFrame object, int length, int escape) {
            this.object = object;
            this.length = length;
            this.escape = escape;
        }

        @Override
        Frame feed(int b) {
            if (escape == 1) {
                return "\"\\/bfnrt".indexOf(b) >= 0 ? new FreeKey(object, length + 1, 0) : null;
            }
            if (b == '"') {
                return length == 0 ? null : object.keyRead("");
            }
            if (b < 0x20 || length >= 128) {
                return null;
            }
            return new FreeKey(object, length + 1, b == '\\' ? 1 : 0);
        }
    }

    /** An array after '[': items of the item shape, separated by commas, within the item bounds. */
    private static final class ArrayFrame extends Frame implements Continuation {
        // phases: 0 after '[' (']' or an item), 1 after an item (',' or ']'), 2 after ',' (space or item)
        final JsonShape shape;
        final Continuation next;
        final int depth;
        final int phase;
        final int count;

        ArrayFrame(JsonShape shape, Continuation next, int depth, int phase, int count) {
            this.shape = shape;
            this.next = next;
            this.depth = depth;
            this.phase = phase;
            this.count = count;
        }

        static ArrayFrame open(JsonShape shape, Continuation next, int depth) {
            return new ArrayFrame(shape, next, depth, 0, 0);
        }

        private Frame item() {
            JsonShape items = shape.items == null ? JsonShape.any() : shape.items;
            return new ValueStart(items, new ArrayFrame(shape, next, depth, 1, count + 1), depth + 1);
        }

        @Override
        Frame feed(int b) {
            switch (phase) {
                case 0:
                    if (b == ']') {
                        return shape.minItems == 0 ? next.afterValue() : null;
                    }
                    return shape.maxItems > 0 ? item().feed(b) : null;
                case 1:
                    if (b == ']') {
                        return count >= shape.minItems ? next.afterValue() : null;
                    }
                    return b == ',' && count < shape.maxItems ? new ArrayFrame(shape, next, depth, 2, count) : null;
                case 2:
                    return b == ' ' ? new ArrayFrame(shape, next, depth, 3, count) : item().feed(b);
                case 3:
                    return item().feed(b);
                default:
                    return null;
            }
        }

        @Override
        public Frame afterValue() {
            return this;
        }
    }
}
