package org.moebatch.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;

/**
 * The {@code calculator} tool: exact decimal arithmetic with a parser of its own (no script engine):
 * {@code + - * / % ^}, parentheses, unary signs, decimals and exponents ({@code 1.5e3}). Sums,
 * differences and products are exact; a quotient that does not terminate keeps 34 significant
 * digits. Errors name the position: {@code unexpected ')' at 7}. What it computes is bounded (see
 * {@link BoundedArithmetic}): no value may have more than 10,000 digits written out, nesting is at most
 * {@value #MAX_DEPTH} deep, and an interrupted call stops between two operations.
 *
 * <pre>
 * expression := term (('+' | '-') term)*
 * term       := power (('*' | '/' | '%') power)*
 * power      := unary ('^' power)?          right-associative, integer exponents
 * unary      := ('+' | '-') unary | atom
 * atom       := number | '(' expression ')'
 * </pre>
 */
public final class Calculator implements Tool {
    private static final int MAX_EXPONENT = 10_000;
    private static final int MAX_LENGTH = 10_000;
    /** Parentheses, signs and exponents nested deeper than this are an error, not a StackOverflowError on the tool's thread. */
    static final int MAX_DEPTH = 256;

    @Override
    public String name() {
        return "calculator";
    }

    @Override
    public String description() {
        return "Evaluates an arithmetic expression exactly: + - * / % ^ and parentheses, e.g. \"(17*23 - 1) / 4\".";
    }

    @Override
    public JsonNode parameters() {
        try {
            return new ObjectMapper().readTree("{\"type\":\"object\",\"properties\":{\"expression\":{\"type\":\"string\","
                    + "\"description\":\"the arithmetic expression\"}},\"required\":[\"expression\"]}");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String call(JsonNode arguments) {
        return format(evaluate(arguments.path("expression").asText()));
    }

    /** The value of {@code expression}; an {@link IllegalArgumentException} says what is wrong and where. */
    public static BigDecimal evaluate(String expression) {
        if (expression.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("expression longer than " + MAX_LENGTH + " characters");
        }
        Parser p = new Parser(expression);
        BigDecimal value = p.expression();
        p.skipSpaces();
        if (p.at < expression.length()) {
            throw p.unexpected();
        }
        return value;
    }

    public static String format(BigDecimal value) {
        BigDecimal v = BoundedArithmetic.stripTrailingZeros(value);
        return v.scale() < 0 && v.precision() - v.scale() > 40 ? v.toString() : v.toPlainString();
    }

    private static final class Parser {
        private final String s;
        private int at;
        private int depth;

        Parser(String s) {
            this.s = s;
        }

        void skipSpaces() {
            while (at < s.length() && Character.isWhitespace(s.charAt(at))) {
                at++;
            }
        }

        boolean take(char c) {
            skipSpaces();
            if (at < s.length() && s.charAt(at) == c) {
                at++;
                return true;
            }
            return false;
        }

        /** Enters one level of nesting for the token just taken, which ends at {@code at}. */
        void nest() {
            if (++depth > MAX_DEPTH) {
                throw new IllegalArgumentException("expression nested deeper than " + MAX_DEPTH + " levels at " + at);
            }
        }

        IllegalArgumentException unexpected() {
            skipSpaces();
            return at >= s.length()
                    ? new IllegalArgumentException("unexpected end of expression")
                    : new IllegalArgumentException("unexpected '" + s.charAt(at) + "' at " + (at + 1));
        }

        BigDecimal expression() {
            BigDecimal v = term();
            while (true) {
                if (take('+')) {
                    int op = at;
                    v = BoundedArithmetic.add(v, term(), op);
                } else if (take('-')) {
                    int op = at;
                    v = BoundedArithmetic.subtract(v, term(), op);
                } else {
                    return v;
                }
            }
        }

        BigDecimal term() {
            BigDecimal v = power();
            while (true) {
                if (take('*')) {
                    int op = at;
                    v = BoundedArithmetic.multiply(v, power(), op);
                } else if (take('/')) {
                    int op = at;
                    v = BoundedArithmetic.divide(v, power(), op);
                } else if (take('%')) {
                    int op = at;
                    v = BoundedArithmetic.remainder(v, power(), op);
                } else {
                    return v;
                }
            }
        }

        BigDecimal power() {
            BigDecimal base = unary();
            if (!take('^')) {
                return base;
            }
            int op = at;
            nest();
            BigDecimal exponent = power();
            depth--;
            // the magnitude first: it is cheap, and stripping a huge exponent's zeros is not
            if (exponent.abs().compareTo(BigDecimal.valueOf(MAX_EXPONENT)) > 0) {
                throw new IllegalArgumentException("exponent " + format(exponent) + " is too large (limit " + MAX_EXPONENT + ")");
            }
            if (BoundedArithmetic.stripTrailingZeros(exponent).scale() > 0) {
                throw new IllegalArgumentException("exponent at " + (op + 1) + " must be a whole number, is " + format(exponent));
            }
            return BoundedArithmetic.power(base, exponent.intValueExact(), op);
        }

        BigDecimal unary() {
            BoundedArithmetic.checkInterrupted(at + 1);
            if (take('-') || take('+')) {
                boolean negate = s.charAt(at - 1) == '-';
                nest();
                BigDecimal v = unary();
                depth--;
                return negate ? v.negate() : v;
            }
            return atom();
        }

        BigDecimal atom() {
            if (take('(')) {
                nest();
                BigDecimal v = expression();
                if (!take(')')) {
                    throw at >= s.length() ? new IllegalArgumentException("missing ')'") : unexpected();
                }
                depth--;
                return v;
            }
            skipSpaces();
            int start = at;
            while (at < s.length() && (Character.isDigit(s.charAt(at)) || s.charAt(at) == '.')) {
                at++;
            }
            if (at < s.length() && (s.charAt(at) == 'e' || s.charAt(at) == 'E') && at > start) {
                int mark = at;
                at++;
                if (at < s.length() && (s.charAt(at) == '+' || s.charAt(at) == '-')) {
                    at++;
                }
                int digits = at;
                while (at < s.length() && Character.isDigit(s.charAt(at))) {
                    at++;
                }
                if (at == digits) {
                    at = mark; // not an exponent after all
                }
            }
            if (at == start) {
                throw unexpected();
            }
            BigDecimal literal;
            try {
                literal = new BigDecimal(s.substring(start, at));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("malformed number \"" + s.substring(start, at) + "\" at " + (start + 1));
            }
            return BoundedArithmetic.literal(literal, s.substring(start, at), start + 1);
        }
    }
}
