package org.moebatch.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** SQuAD's normalize_answer, step by step on hand-worked strings. */
class NormalizerTest {
    @Test
    void lowerCaseThenPunctuationThenArticlesThenWhiteSpace() {
        // "The  Cat's, hat!" -> lower "the  cat's, hat!" -> no punctuation "the  cats hat"
        // -> articles to spaces "   cats hat" -> collapsed "cats hat"
        assertEquals("cats hat", Normalizer.normalize("The  Cat's, hat!"));
        assertEquals("eiffel tower", Normalizer.normalize("The Eiffel Tower."));
        assertEquals("amazon", Normalizer.normalize("  the AMAZON  "));
    }

    @Test
    void articlesOnlyAsWholeWords() {
        // "an" in "banana" and "the" in "theory" stay; "A" alone goes
        assertEquals("banana theory", Normalizer.normalize("A banana, an theory"));
        assertEquals("", Normalizer.normalize("The a an."));
    }

    @Test
    void squadsAsciiSymbolsAndUnicodePunctuationGo() {
        // string.punctuation has + $ ^ | ~ < = >; Unicode punctuation adds curly quotes and the en dash
        assertEquals("12 5", Normalizer.normalize("$12 + 5"));
        assertEquals("quoted 19691970", Normalizer.normalize("“quoted” 1969–1970"));
        assertEquals("391", Normalizer.normalize("391."));
        assertEquals("hà nội", Normalizer.normalize("Hà Nội"));
        assertEquals("", Normalizer.normalize(null));
    }
}
