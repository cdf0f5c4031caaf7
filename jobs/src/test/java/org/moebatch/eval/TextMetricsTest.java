package org.moebatch.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The text metrics on completions whose right score is plain to see, and on eval rows that are broken. */
class TextMetricsTest {
    private static final List<String> PLANETS = List.of("Mars", "Jupiter", "Venus", "Mercury");
    private static final String PLANETS_JSON = "[\"Mars\", \"Jupiter\", \"Venus\", \"Mercury\"]";

    @Test
    void exactMatchAfterNormalisation() {
        assertEquals(1, TextMetrics.exactMatch("The Amazon.", "amazon"));
        assertEquals(1, TextMetrics.exactMatch("  391 ", "391"));
        assertEquals(0, TextMetrics.exactMatch("It is 391", "391"), "exact means nothing else");
        assertEquals(0, TextMetrics.exactMatch(null, "391"), "no completion scores 0");
        BadEvalRow blank = assertThrows(BadEvalRow.class, () -> TextMetrics.exactMatch("x", " "));
        assertTrue(blank.getMessage().contains("reference is missing or blank"));
    }

    @Test
    void containsAtWordBoundaries() {
        assertEquals(1, TextMetrics.contains("I think it is 391, surely.", "391"));
        assertEquals(0, TextMetrics.contains("It is 3912.", "391"), "a number inside a larger one is not it");
        assertEquals(1, TextMetrics.contains("The capital is New Delhi!", "new delhi"));
        assertEquals(0, TextMetrics.contains("Delhi", "New Delhi"));
        BadEvalRow onlyArticle = assertThrows(BadEvalRow.class, () -> TextMetrics.contains("the", "The."));
        assertTrue(onlyArticle.getMessage().contains("empty once normalised"));
    }

    @Test
    void regexIsSearchedInTheRawCompletion() {
        assertEquals(1, TextMetrics.regex("It landed on 1969-07-20.", "\\b1969-07-20\\b"));
        assertEquals(0, TextMetrics.regex("It landed on 1969-7-20.", "\\b1969-07-20\\b"));
        assertEquals(1, TextMetrics.regex("ZIP 90210", "(?<!\\d)\\d{5}(?!\\d)"));
        assertEquals(0, TextMetrics.regex("ZIP 902101", "(?<!\\d)\\d{5}(?!\\d)"));
        assertEquals(0, TextMetrics.regex("PARIS", "Paris"), "case matters unless the pattern says (?i)");
        assertEquals(1, TextMetrics.regex("PARIS", "(?i)paris"));
    }

    @Test
    void aBadPatternIsTheRowsErrorNotACrash() {
        BadEvalRow e = assertThrows(BadEvalRow.class, () -> TextMetrics.regex("anything", "([a-z]+"));
        assertTrue(e.getMessage().startsWith("reference is not a valid regex: Unclosed group"), e.getMessage());
        assertTrue(e.getMessage().contains("\"([a-z]+\""), e.getMessage());
    }

    @Test
    void catastrophicBacktrackingGivesUpInsteadOfHanging() {
        // (.*a){12}b on thirty a's and no b tries every way of cutting the a's into 12 pieces, about
        // C(30, 12) = 8.6e7 ways, each reading characters: past the budget of 2e7 reads. (Java memoises
        // the textbook (a+)+b since JDK 9, a counted group it does not.)
        String completion = "a".repeat(30) + "c";
        long start = System.nanoTime();
        BadEvalRow e = assertThrows(BadEvalRow.class, () -> TextMetrics.regex(completion, "(.*a){12}b"));
        assertTrue(e.getMessage().contains("catastrophic backtracking"), e.getMessage());
        assertTrue(System.nanoTime() - start < 30_000_000_000L, "gave up in bounded time");
    }

    @Test
    void answerLetterReadsTheUsualWaysOfAnswering() {
        assertEquals('B', TextMetrics.answerLetter("B", PLANETS));
        assertEquals('B', TextMetrics.answerLetter("(b)", PLANETS));
        assertEquals('D', TextMetrics.answerLetter("Let me think. Mars is small. The answer is (D).", PLANETS));
        assertEquals('C', TextMetrics.answerLetter("Answer: C", PLANETS));
        assertEquals('C', TextMetrics.answerLetter("A first guess was A, but the answer is C.", PLANETS),
                "the stated answer wins over other letters");
        assertEquals('B', TextMetrics.answerLetter("B. Jupiter, by far.", PLANETS));
        assertEquals('B', TextMetrics.answerLetter("It is Jupiter, the gas giant.", PLANETS), "by the choice's text");
        assertEquals('B', TextMetrics.answerLetter("I would say B here", PLANETS), "a lone capital; I is beyond D");
    }

    @Test
    void answerLetterRefusesToGuess() {
        assertNull(TextMetrics.answerLetter("A) Mars B) Jupiter C) Venus D) Mercury", PLANETS), "listing is not choosing");
        assertNull(TextMetrics.answerLetter("Mars or Venus", PLANETS), "two choices named");
        assertNull(TextMetrics.answerLetter("E", PLANETS), "no option E");
        assertNull(TextMetrics.answerLetter("the answer is a mystery", PLANETS), "the article a is no answer");
        assertNull(TextMetrics.answerLetter("\uFFFDC\uFFFD~G", PLANETS), "a capital inside noise is not a word");
        assertNull(TextMetrics.answerLetter("", PLANETS));
        assertNull(TextMetrics.answerLetter(null, PLANETS));
    }

    @Test
    void multipleChoiceScoresALetterOrAChoiceTextReference() {
        assertEquals(1, TextMetrics.multipleChoice("The answer is B.", PLANETS_JSON, "B"));
        assertEquals(1, TextMetrics.multipleChoice("The answer is B.", PLANETS_JSON, "jupiter"), "reference by text");
        assertEquals(0, TextMetrics.multipleChoice("The answer is C.", PLANETS_JSON, "(b)"));
        assertEquals(0, TextMetrics.multipleChoice(null, PLANETS_JSON, "B"));
    }

    @Test
    void multipleChoiceNamesWhatIsWrongWithTheRow() {
        assertTrue(assertThrows(BadEvalRow.class, () -> TextMetrics.multipleChoice("B", PLANETS_JSON, "Saturn"))
                .getMessage().contains("reference \"Saturn\" is neither a letter A-D nor the text of one of the 4 choices"));
        assertTrue(assertThrows(BadEvalRow.class, () -> TextMetrics.multipleChoice("B", "Mars, Venus", "B"))
                .getMessage().startsWith("choices is not valid JSON"));
        assertTrue(assertThrows(BadEvalRow.class, () -> TextMetrics.multipleChoice("B", "[\"only\"]", "A"))
                .getMessage().contains("2 to 26 options"));
        assertTrue(assertThrows(BadEvalRow.class, () -> TextMetrics.multipleChoice("B", null, "A"))
                .getMessage().contains("needs choices"));
    }

    @Test
    void jsonSchemaValidity() {
        String schema = "{\"type\":\"object\",\"required\":[\"name\",\"age\"],\"properties\":{\"name\":{\"type\":\"string\"},"
                + "\"age\":{\"type\":\"integer\"}},\"additionalProperties\":false}";
        assertEquals(1, TextMetrics.jsonSchema("{\"name\": \"Ada\", \"age\": 36}", schema));
        assertEquals(1, TextMetrics.jsonSchema("```json\n{\"name\": \"Ada\", \"age\": 36}\n```", schema), "a fenced block");
        assertEquals(0, TextMetrics.jsonSchema("{\"name\": \"Ada\", \"age\": \"36\"}", schema), "age as text fails the schema");
        assertEquals(0, TextMetrics.jsonSchema("{\"name\": \"Ada\", \"age\": 36, \"x\": 1}", schema), "no other keys");
        assertEquals(0, TextMetrics.jsonSchema("Here: {\"name\": \"Ada\", \"age\": 36}", schema), "prose around it is not JSON");
        assertEquals(0, TextMetrics.jsonSchema("{\"name\": \"Ada\", \"age\": 36} {}", schema), "two values are not one");
        assertEquals(0, TextMetrics.jsonSchema("", schema));
        assertEquals(1, TextMetrics.jsonSchema(" true ", "{\"type\":\"boolean\"}"));
    }

    @Test
    void aBrokenSchemaIsTheRowsError() {
        assertTrue(assertThrows(BadEvalRow.class, () -> TextMetrics.jsonSchema("{}", "{type: object}"))
                .getMessage().startsWith("schema is not valid JSON"));
        assertTrue(assertThrows(BadEvalRow.class, () -> TextMetrics.jsonSchema("{}", "[1, 2]"))
                .getMessage().startsWith("schema must be a JSON object"));
        assertTrue(assertThrows(BadEvalRow.class, () -> TextMetrics.jsonSchema("{}", null))
                .getMessage().contains("needs a schema"));
    }
}
