package org.moebatch.spark;

import java.util.function.LongFunction;
import java.util.function.LongPredicate;

/** A strings column read into Java strings, nulls kept: the host side of the columnar UDF, testable without a GPU. */
final class HostStrings {
    private HostStrings() {}

    static String[] read(LongPredicate isNull, LongFunction<String> value, long rows) {
        if (rows > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a batch of " + rows + " rows is more than one Java array holds");
        }
        String[] out = new String[(int) rows];
        for (int i = 0; i < out.length; i++) {
            out[i] = isNull.test(i) ? null : value.apply(i);
        }
        return out;
    }
}
