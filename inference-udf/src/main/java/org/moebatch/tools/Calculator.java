package org.moebatch.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.MathContext;

/**
 * The {@code calculator} tool: exact decimal arithmetic with a parser of its own (no script engine):
 * {@code + - * / % ^}, parentheses, unary signs, decimals and exponents ({@code 1.5e3}). Sums,
 * differences and products are exact; a quotient that does not terminate keeps 34 significant
 * digits. Errors name the position: {@code unexpected ')' at 7}.
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
    private static final MathContext DIVISION = MathContext.DECIMAL128;
    private static final int MAX_EXPONENT = 10_000;
    private static final int MAX_LENGTH = 10_000;

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
        BigDecimal v = value.stripTrailingZeros();
        return v.scale() < 0 && v.precision() - v.scale() > 40 ? v.toString() : v.toPlainString();
    }

    private static final class Parser {
        private final String s;
        private int at;

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
                    v = v.add(term());
                } else if (take('-')) {
                    v = v.subtract(term());
                } else {
                    return v;
                }
            }
        }

        BigDecimal term() {
            BigDecimal v = power();
            while (true) {
                if (take('*')) {
                    v = v.multiply(power());
                } else if (take('/')) {
                    v = divide(v, power());
                } else if (take('%')) {
                    BigDecimal d = power();
                    if (d.signum() == 0) {
                        throw new IllegalArgumentException("modulo by zero");
                    }
                    v = v.remainder(d);
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
            int exponentAt = at;
            BigDecimal exponent = power();
            if (exponent.stripTrailingZeros().scale() > 0) {
                throw new IllegalArgumentException("exponent at " + (exponentAt + 1) + " must be a whole number, is " + format(exponent));
            }
            if (exponent.abs().compareTo(BigDecimal.valueOf(MAX_EXPONENT)) > 0) {
                throw new IllegalArgumentException("exponent " + format(exponent) + " is too large (limit " + MAX_EXPONENT + ")");
            }
            int n = exponent.intValueExact();
            if (n >= 0) {
                return base.pow(n);
            }
            return divide(BigDecimal.ONE, base.pow(-n));
        }

        BigDecimal unary() {
            if (take('-')) {
                return unary().negate();
            }
            if (take('+')) {
                return unary();
            }
            return atom();
        }

        BigDecimal atom() {
            if (take('(')) {
                BigDecimal v = expression();
                if (!take(')')) {
                    throw at >= s.length() ? new IllegalArgumentException("missing ')'") : unexpected();
                }
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
            try {
                return new BigDecimal(s.substring(start, at));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("malformed number \"" + s.substring(start, at) + "\" at " + (start + 1));
            }
        }

        private static BigDecimal divide(BigDecimal a, BigDecimal b) {
            if (b.signum() == 0) {
                throw new IllegalArgumentException("division by zero");
            }
            try {
                return a.divide(b); // exact when the quotient terminates
            } catch (ArithmeticException nonTerminating) {
                return a.divide(b, DIVISION);
            }
        }
    }
}
