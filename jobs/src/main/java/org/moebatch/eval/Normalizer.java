package org.moebatch.eval;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The answer normalisation of SQuAD's official evaluation script (Rajpurkar et al. 2016,
 * {@code normalize_answer}): lower case, remove punctuation, remove the articles a, an and the, collapse
 * white space, in that order. "The Eiffel Tower." and "eiffel tower" are then the same answer.
 * Punctuation is SQuAD's list (Python's {@code string.punctuation}, ASCII symbols such as + and $ included)
 * and also every Unicode punctuation character: “curly quotes”, «», the dashes a model writes and the
 * ASCII list misses.
 */
public final class Normalizer {
    private static final Pattern PUNCTUATION = Pattern.compile("[\\p{IsPunctuation}!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~]");
    private static final Pattern ARTICLES = Pattern.compile("\\b(a|an|the)\\b", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern SPACES = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    private Normalizer() {}

    public static String normalize(String text) {
        if (text == null) {
            return "";
        }
        String s = text.toLowerCase(Locale.ROOT);
        s = PUNCTUATION.matcher(s).replaceAll("");
        s = ARTICLES.matcher(s).replaceAll(" ");
        return SPACES.matcher(s).replaceAll(" ").strip();
    }
}
