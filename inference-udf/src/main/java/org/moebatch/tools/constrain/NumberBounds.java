package org.moebatch.tools.constrain;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The range a schema's {@code minimum}, {@code maximum}, {@code exclusiveMinimum} and
 * {@code exclusiveMaximum} allow a number (the numeric exclusive form, draft 6 on, as the validator
 * reads schemas), in exact decimals: the validator compares exactly too, so a double's rounding
 * must not let through a number it rejects.
 */
final class NumberBounds {
    private final BigDecimal low;       // null: no lower bound
    private final boolean lowInclusive;
    private final BigDecimal high;      // null: no upper bound
    private final boolean highInclusive;
    private final BigDecimal lowestInteger;   // the integers the range holds; null: no end
    private final BigDecimal highestInteger;

    private NumberBounds(BigDecimal low, boolean lowInclusive, BigDecimal high, boolean highInclusive) {
        this.low = low;
        this.lowInclusive = lowInclusive;
        this.high = high;
        this.highInclusive = highInclusive;
        this.lowestInteger = low == null ? null
                : lowInclusive ? low.setScale(0, RoundingMode.CEILING) : low.setScale(0, RoundingMode.FLOOR).add(BigDecimal.ONE);
        this.highestInteger = high == null ? null
                : highInclusive ? high.setScale(0, RoundingMode.FLOOR) : high.setScale(0, RoundingMode.CEILING).subtract(BigDecimal.ONE);
    }

    /** The bounds of {@code schema}, or null when it sets none. */
    static NumberBounds of(JsonNode schema) {
        BigDecimal low = null;
        BigDecimal high = null;
        boolean lowInclusive = true;
        boolean highInclusive = true;
        if (schema.path("minimum").isNumber()) {
            low = schema.get("minimum").decimalValue();
        }
        if (schema.path("maximum").isNumber()) {
            high = schema.get("maximum").decimalValue();
        }
        // an exclusive bound is a bound of its own: the tighter one wins
        if (schema.path("exclusiveMinimum").isNumber()) {
            BigDecimal m = schema.get("exclusiveMinimum").decimalValue();
            if (low == null || m.compareTo(low) >= 0) {
                low = m;
                lowInclusive = false;
            }
        }
        if (schema.path("exclusiveMaximum").isNumber()) {
            BigDecimal m = schema.get("exclusiveMaximum").decimalValue();
            if (high == null || m.compareTo(high) <= 0) {
                high = m;
                highInclusive = false;
            }
        }
        return low == null && high == null ? null : new NumberBounds(low, lowInclusive, high, highInclusive);
    }

    boolean holds(BigDecimal v) {
        return aboveLow(v) && belowHigh(v);
    }

    /**
     * Whether an integer {@code from <= |v| <= to} of the given sign lies in the range;
     * {@code to} null: no end.
     */
    boolean reachesInteger(boolean negative, BigDecimal from, BigDecimal to) {
        // the signed integers [lo, hi] the magnitudes stand for
        BigDecimal lo = negative ? (to == null ? null : to.negate()) : from;
        BigDecimal hi = negative ? from.negate() : to;
        BigDecimal a = max(lo, lowestInteger);
        BigDecimal b = min(hi, highestInteger);
        return a == null || b == null || a.compareTo(b) <= 0;
    }

    /**
     * Whether a decimal {@code from <= |v| < to} of the given sign lies in the range: finite
     * decimals are dense, so any overlap with room in it, or the one point {@code |v| = from}.
     */
    boolean reachesDecimal(boolean negative, BigDecimal from, BigDecimal to) {
        BigDecimal point = negative ? from.negate() : from;
        if (holds(point)) {
            return true;
        }
        // the open interval of the other values: (from, to) signed
        BigDecimal lo = negative ? to.negate() : from;
        BigDecimal hi = negative ? from.negate() : to;
        BigDecimal a = low == null ? lo : lo.max(low);
        BigDecimal b = high == null ? hi : hi.min(high);
        return a.compareTo(b) < 0;
    }

    private boolean aboveLow(BigDecimal v) {
        return low == null || (lowInclusive ? v.compareTo(low) >= 0 : v.compareTo(low) > 0);
    }

    private boolean belowHigh(BigDecimal v) {
        return high == null || (highInclusive ? v.compareTo(high) <= 0 : v.compareTo(high) < 0);
    }

    private static BigDecimal max(BigDecimal a, BigDecimal b) {
        return a == null ? b : b == null ? a : a.max(b);
    }

    private static BigDecimal min(BigDecimal a, BigDecimal b) {
        return a == null ? b : b == null ? a : a.min(b);
    }
}
