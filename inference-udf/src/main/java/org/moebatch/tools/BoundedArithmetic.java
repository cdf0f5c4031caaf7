package org.moebatch.tools;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.concurrent.CancellationException;

/**
 * The calculator's arithmetic, kept small enough that one operation takes milliseconds and a timed-out
 * call stops. A number's size is the digits it has written out ({@code 1e-5} has 5, {@code 1e5} has 6,
 * {@code 12.5} has 3). Every value of an expression has at most {@link #MAX_DIGITS}. That bounds what a
 * sum, product, quotient or remainder costs, so those are computed and then checked; a power can
 * grow without bound ({@code (9^10000)^10000} has 95 million digits), so it is refused from its
 * operands' sizes before BigDecimal computes it. Each operation first checks whether its thread has
 * been interrupted: the tool executor interrupts a call that overran its timeout, and BigInteger
 * itself never looks.
 */
final class BoundedArithmetic {
    /** Enough for any answer a model reads (2^10000 has 3011 digits); at 10,000 one operation takes milliseconds. */
    static final int MAX_DIGITS = 10_000;
    private static final MathContext NON_TERMINATING = MathContext.DECIMAL128;
    private static final double LOG10_2 = Math.log10(2);
    private static final double LOG10_5 = Math.log10(5);
    private static final BigInteger FIVE = BigInteger.valueOf(5);

    private BoundedArithmetic() {}

    /** A number as written in an expression; refused if written out it would be too long ({@code 1e-999999999}). */
    static BigDecimal literal(BigDecimal v, String text, int position) {
        BigDecimal fit = fit(v);
        if (fit == null) {
            throw new IllegalArgumentException("number \"" + text + "\" at " + position + " has " + writtenDigits(v)
                    + " digits written out" + limit());
        }
        return fit;
    }

    static BigDecimal add(BigDecimal a, BigDecimal b, int position) {
        checkInterrupted(position);
        return checked(a.add(b), '+', position);
    }

    static BigDecimal subtract(BigDecimal a, BigDecimal b, int position) {
        checkInterrupted(position);
        return checked(a.subtract(b), '-', position);
    }

    static BigDecimal multiply(BigDecimal a, BigDecimal b, int position) {
        checkInterrupted(position);
        return checked(a.multiply(b), '*', position);
    }

    static BigDecimal divide(BigDecimal a, BigDecimal b, int position) {
        checkInterrupted(position);
        if (b.signum() == 0) {
            throw new IllegalArgumentException("division by zero");
        }
        BigDecimal exact = exactQuotient(a, b);
        return checked(exact != null ? exact : a.divide(b, NON_TERMINATING), '/', position);
    }

    static BigDecimal remainder(BigDecimal a, BigDecimal b, int position) {
        checkInterrupted(position);
        if (b.signum() == 0) {
            throw new IllegalArgumentException("modulo by zero");
        }
        return checked(a.remainder(b), '%', position);
    }

    /** {@code base^n} for {@code |n|} within the calculator's exponent limit. */
    static BigDecimal power(BigDecimal base, int n, int position) {
        checkInterrupted(position);
        BigDecimal b = stripTrailingZeros(base);
        int magnitude = Math.abs(n);
        long estimate = powerDigits(b, magnitude);
        // +1: the estimate comes from a double logarithm; the exact check below has the last word
        if (estimate > MAX_DIGITS + 1) {
            throw new IllegalArgumentException("'^' at " + position + " would give about " + estimate + " digits" + limit());
        }
        BigDecimal p = checked(b.pow(magnitude), '^', position);
        return n >= 0 ? p : divide(BigDecimal.ONE, p, position);
    }

    /**
     * Written-out digits of {@code b^n} for a base without trailing zeros, whose powers then have none
     * either: the scale of {@code b^n} is exactly {@code n·scale}, its integer digits about
     * {@code n·log10|b|}.
     */
    private static long powerDigits(BigDecimal b, int n) {
        if (b.signum() == 0 || n == 0) {
            return 1;
        }
        double log10 = log10(b.unscaledValue().abs()) - b.scale();
        long integerDigits = log10 < 0 ? 0 : (long) Math.floor(n * log10) + 1;
        return integerDigits + Math.max(0, (long) n * b.scale());
    }

    /** log10 of a positive integer of any length, to double precision. */
    private static double log10(BigInteger u) {
        int shift = Math.max(0, u.bitLength() - 62);
        return Math.log10(u.shiftRight(shift).doubleValue()) + shift * LOG10_2;
    }

    /**
     * {@code a / b} when the quotient terminates, else null. BigDecimal's own exact divide works to
     * {@code precision(a) + 10·precision(b)/3} digits and then strips the surplus zeros one division by
     * ten at a time, which takes seconds at these sizes. A reduced fraction u/v terminates exactly when
     * v = 2^i·5^j, and then u/v = u·2^(k-i)·5^(k-j) / 10^k with k = max(i, j).
     */
    private static BigDecimal exactQuotient(BigDecimal a, BigDecimal b) {
        BigInteger u = a.unscaledValue();
        BigInteger v = b.unscaledValue();
        if (v.signum() < 0) {
            u = u.negate();
            v = v.negate();
        }
        BigInteger g = u.gcd(v);
        u = u.divide(g);
        v = v.divide(g);
        int twos = v.getLowestSetBit();
        BigInteger odd = v.shiftRight(twos);
        int fives = (int) Math.round(log10(odd) / LOG10_5);
        if (!FIVE.pow(fives).equals(odd)) {
            return null;
        }
        int k = Math.max(twos, fives);
        BigInteger unscaled = u.shiftLeft(k - twos).multiply(FIVE.pow(k - fives));
        // a·10^sa / (b·10^sb) = (u/v)·10^(sb-sa): the quotient's scale is k + sa - sb
        long scale = (long) k + a.scale() - b.scale();
        if (scale != (int) scale) {
            return null; // out of int range: far beyond MAX_DIGITS, and the bounded divide will say so
        }
        return new BigDecimal(unscaled, (int) scale);
    }

    private static BigDecimal checked(BigDecimal v, char operator, int position) {
        BigDecimal fit = fit(v);
        if (fit == null) {
            throw new IllegalArgumentException("'" + operator + "' at " + position + " gives " + writtenDigits(stripTrailingZeros(v))
                    + " digits" + limit());
        }
        return fit;
    }

    /** {@code v}, or {@code v} without trailing zeros where only they made it too long ({@code 0e-999999999}); null if too long either way. */
    private static BigDecimal fit(BigDecimal v) {
        if (writtenDigits(v) <= MAX_DIGITS) {
            return v;
        }
        BigDecimal stripped = stripTrailingZeros(v);
        return writtenDigits(stripped) <= MAX_DIGITS ? stripped : null;
    }

    /** Digits of {@code v} written out in plain notation, without sign, point or the 0 before the point of |v| < 1. */
    static long writtenDigits(BigDecimal v) {
        long precision = v.precision();
        long scale = v.scale();
        return Math.max(precision - scale, 0) + Math.max(scale, 0); // an integer (scale <= 0) has precision - scale >= 1
    }

    /**
     * {@link BigDecimal#stripTrailingZeros()} in time linear in the digits: Java 17's removes one zero per
     * division by ten, which takes seconds on a number with thousands of them.
     */
    static BigDecimal stripTrailingZeros(BigDecimal v) {
        if (v.signum() == 0) {
            return BigDecimal.ZERO;
        }
        String digits = v.unscaledValue().abs().toString();
        int end = digits.length();
        while (digits.charAt(end - 1) == '0') {
            end--;
        }
        int zeros = digits.length() - end;
        long scale = (long) v.scale() - zeros;
        if (zeros == 0 || scale != (int) scale) {
            return v;
        }
        BigInteger unscaled = new BigInteger(digits.substring(0, end));
        return new BigDecimal(v.signum() < 0 ? unscaled.negate() : unscaled, (int) scale);
    }

    /** Throws once the calculating thread has been interrupted; the flag stays set for whoever runs the thread. */
    static void checkInterrupted(int position) {
        if (Thread.currentThread().isInterrupted()) {
            throw new CancellationException("calculation interrupted at " + position + " (the tool call was cancelled)");
        }
    }

    private static String limit() {
        return " (limit " + MAX_DIGITS + " digits)";
    }
}
