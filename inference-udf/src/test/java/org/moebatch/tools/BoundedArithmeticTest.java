package org.moebatch.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** BoundedArithmetic's own exact division and zero stripping against BigDecimal's, which they replace for speed. */
class BoundedArithmeticTest {
    private static BigDecimal random(Random r, boolean terminatingFriendly) {
        BigInteger u = new BigInteger(1 + r.nextInt(120), r).add(BigInteger.ONE);
        if (terminatingFriendly) {
            u = u.shiftLeft(r.nextInt(40)).multiply(BigInteger.valueOf(5).pow(r.nextInt(30)));
        }
        u = u.multiply(BigInteger.TEN.pow(r.nextInt(6))); // trailing zeros in the unscaled value
        return new BigDecimal(r.nextBoolean() ? u : u.negate(), r.nextInt(81) - 40);
    }

    private static BigDecimal reference(BigDecimal a, BigDecimal b) {
        try {
            return a.divide(b);
        } catch (ArithmeticException nonTerminating) {
            return a.divide(b, MathContext.DECIMAL128);
        }
    }

    @Test
    void quotientsEqualBigDecimalsExactOrDecimal128Division() {
        Random r = new Random(16);
        for (int i = 0; i < 3000; i++) {
            BigDecimal a = random(r, false);
            // a divisor of only 2s and 5s times a random part of a: both terminating and non-terminating quotients
            BigDecimal b = r.nextBoolean() ? random(r, true) : random(r, true).multiply(a.abs().add(BigDecimal.ONE));
            BigDecimal expected = reference(a, b);
            BigDecimal actual = BoundedArithmetic.divide(a, b, 1);
            assertEquals(0, expected.compareTo(actual), a + " / " + b + ": expected " + expected + ", got " + actual);
            assertEquals(Calculator.format(expected), Calculator.format(actual), a + " / " + b);
        }
        assertEquals(0, BigDecimal.ZERO.compareTo(BoundedArithmetic.divide(BigDecimal.ZERO, new BigDecimal("-3e7"), 1)));
    }

    @Test
    void strippingEqualsBigDecimalsIncludingTheScale() {
        Random r = new Random(17);
        for (int i = 0; i < 3000; i++) {
            BigDecimal v = random(r, r.nextBoolean());
            assertEquals(v.stripTrailingZeros(), BoundedArithmetic.stripTrailingZeros(v), v.toString());
        }
        assertEquals(BigDecimal.ZERO, BoundedArithmetic.stripTrailingZeros(new BigDecimal("0e-999999999")));
    }

    @Test
    void writtenDigitsCountWhatPlainNotationPrints() {
        assertEquals(1, BoundedArithmetic.writtenDigits(BigDecimal.ZERO));
        assertEquals(3, BoundedArithmetic.writtenDigits(new BigDecimal("12.5")));
        assertEquals(5, BoundedArithmetic.writtenDigits(new BigDecimal("1e-5")));
        assertEquals(6, BoundedArithmetic.writtenDigits(new BigDecimal("1e5")));
        // the extremes of BigDecimal's scale, counted without int overflow
        assertEquals(2147483648L, BoundedArithmetic.writtenDigits(new BigDecimal("1e2147483647")));
        assertEquals(2147483647L, BoundedArithmetic.writtenDigits(new BigDecimal("1e-2147483647")));
    }

    @Test
    void operationsAtTheLimitTakeAFractionOfASecond() {
        // the slow cases of BigDecimal's own code: few significant digits in a quotient worked to many, and long zero runs
        for (String e : new String[] {"(3*7^8000)/7^8000", "(10^5000)/(10^4999)", "1/2^10000", "(10^9999-1) % 7^8000",
                "10^9999 / 3", "(2^9000*5^9000) / 10^8999"}) {
            assertTimeoutPreemptively(Duration.ofSeconds(3), () -> Calculator.format(Calculator.evaluate(e)), e);
        }
    }
}
