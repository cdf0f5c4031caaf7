package org.moebatch.datagen;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * MinHash signatures of text (Broder 1997): the share of equal positions in two signatures estimates
 * the Jaccard similarity of the texts' shingle sets. Shingles are word 3-grams of the normalised text
 * (NFKC, lower case, punctuation dropped, whitespace collapsed), so "Write a poem!" and
 * "write a  poem" are the same text. Banding the signature (locality-sensitive hashing) finds the
 * candidate pairs without comparing every row with every other.
 */
public final class MinHash {
    /** Signature length: bands x rows per band. */
    public static final int PERMUTATIONS = 128;
    /** 32 bands of 4: a pair at Jaccard s becomes a candidate with probability 1 - (1 - s^4)^32 (0.99 at s = 0.5, 0.03 at s = 0.2). */
    public static final int BANDS = 32;
    public static final int ROWS_PER_BAND = PERMUTATIONS / BANDS;
    static final int SHINGLE_WORDS = 3;
    private static final long PRIME = (1L << 61) - 1; // Mersenne: (a x + b) mod p is a universal hash family

    private static final long[] A = new long[PERMUTATIONS];
    private static final long[] B = new long[PERMUTATIONS];

    static {
        SplittableRandom random = new SplittableRandom(0x6d696e68617368L); // fixed: signatures must agree across executors
        for (int i = 0; i < PERMUTATIONS; i++) {
            A[i] = 1 + random.nextLong(PRIME - 1);
            B[i] = random.nextLong(PRIME);
        }
    }

    private MinHash() {}

    /** The text as compared: NFKC, lower case, letters and digits only, single spaces. */
    public static String normalise(String text) {
        String s = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        return s.replaceAll("[^\\p{L}\\p{N}]+", " ").trim();
    }

    /** Word 3-grams of the normalised text (a shorter text is one shingle), hashed to 64 bits. */
    static Set<Long> shingles(String text) {
        String[] words = normalise(text).split(" ");
        Set<Long> out = new HashSet<>();
        if (words.length == 1 && words[0].isEmpty()) {
            return out;
        }
        int n = Math.max(1, words.length - SHINGLE_WORDS + 1);
        for (int i = 0; i < n; i++) {
            StringBuilder gram = new StringBuilder();
            for (int w = i; w < Math.min(words.length, i + SHINGLE_WORDS); w++) {
                gram.append(words[w]).append(' ');
            }
            out.add(fnv1a(gram.toString()));
        }
        return out;
    }

    /** The signature: per permutation, the least hash over the shingles. An empty text gets all-max (similar to nothing but itself). */
    public static long[] signature(String text) {
        long[] sig = new long[PERMUTATIONS];
        java.util.Arrays.fill(sig, Long.MAX_VALUE);
        for (long shingle : shingles(text)) {
            long x = Math.floorMod(shingle, PRIME);
            for (int i = 0; i < PERMUTATIONS; i++) {
                long h = mulAddMod(A[i], x, B[i]);
                if (h < sig[i]) {
                    sig[i] = h;
                }
            }
        }
        return sig;
    }

    /** The Jaccard similarity the two signatures estimate. */
    public static double similarity(long[] a, long[] b) {
        int equal = 0;
        for (int i = 0; i < PERMUTATIONS; i++) {
            if (a[i] == b[i]) {
                equal++;
            }
        }
        return (double) equal / PERMUTATIONS;
    }

    /** The band keys of a signature: equal keys in the same band make two texts a candidate pair. */
    public static long[] bands(long[] signature) {
        long[] keys = new long[BANDS];
        for (int b = 0; b < BANDS; b++) {
            long h = 0xcbf29ce484222325L ^ b;
            for (int r = 0; r < ROWS_PER_BAND; r++) {
                h = (h ^ signature[b * ROWS_PER_BAND + r]) * 0x100000001b3L;
            }
            keys[b] = h;
        }
        return keys;
    }

    /** The exact Jaccard similarity of two texts' shingle sets (the quantity MinHash estimates; for tests and small sets). */
    public static double jaccard(String a, String b) {
        Set<Long> x = shingles(a);
        Set<Long> y = shingles(b);
        if (x.isEmpty() && y.isEmpty()) {
            return 1;
        }
        Set<Long> union = new HashSet<>(x);
        union.addAll(y);
        x.retainAll(y);
        return (double) x.size() / union.size();
    }

    /** (a x + b) mod 2^61-1 without overflow: the 128-bit product folded by the Mersenne identity. */
    static long mulAddMod(long a, long x, long b) {
        long hi = Math.multiplyHigh(a, x);
        long lo = a * x;
        // a, x < 2^61, so the product < 2^122: split at bit 61 and fold (2^61 = 1 mod p)
        long low61 = lo & PRIME;
        long high = (lo >>> 61) | (hi << 3);
        long r = low61 + high;
        r = (r & PRIME) + (r >>> 61);
        r += b;
        r = (r & PRIME) + (r >>> 61);
        return r >= PRIME ? r - PRIME : r;
    }

    private static long fnv1a(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte c : s.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (c & 0xff)) * 0x100000001b3L;
        }
        return h;
    }
}
