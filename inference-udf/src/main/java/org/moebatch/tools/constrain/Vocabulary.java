package org.moebatch.tools.constrain;

import java.util.Map;
import org.moebatch.tokenizer.Tokenizer;

/** A tokenizer's vocabulary as the constrained decoder needs it: bytes per id, and which ids are special. */
final class Vocabulary {
    final byte[][] bytes;
    final boolean[] special;

    Vocabulary(Tokenizer tokenizer, int size) {
        bytes = new byte[size][];
        special = new boolean[size];
        for (int id = 0; id < size; id++) {
            bytes[id] = tokenizer.tokenBytes(id);
        }
        for (Map.Entry<String, Integer> e : tokenizer.specialTokens().entrySet()) {
            if (e.getValue() < size) {
                special[e.getValue()] = true;
            }
        }
    }

    /** Fills {@code out} with the ids of the {@code m} largest logits, largest first; returns how many. */
    static int top(float[] logits, int offset, int vocab, int m, int[] out) {
        int n = 0;
        for (int id = 0; id < vocab; id++) {
            float v = logits[offset + id];
            if (v == Float.NEGATIVE_INFINITY || (n == m && !(v > logits[offset + out[n - 1]]))) {
                continue;
            }
            int at = n < m ? n++ : m - 1;
            while (at > 0 && v > logits[offset + out[at - 1]]) {
                out[at] = out[at - 1];
                at--;
            }
            out[at] = id;
        }
        return n;
    }
}
