package org.moebatch.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.moebatch.tools.ArgumentValidator;

/**
 * The metrics that read a completion's text. Each returns 1 or 0 for a scorable row and throws
 * {@link BadEvalRow} when the row itself is unusable (its reference, choices or schema), so that a
 * broken eval row is reported rather than scored as the model's failure.
 */
public final class TextMetrics {
    /** Characters a regex may read, all backtracking included, before it is given up (catastrophic patterns). */
    static final long REGEX_BUDGET = 20_000_000;

    private TextMetrics() {}

    public static double exactMatch(String prediction, String reference) {
        requireReference(reference);
        return Normalizer.normalize(prediction).equals(Normalizer.normalize(reference)) ? 1 : 0;
    }

    /**
     * The normalised reference occurs in the normalised completion as whole words: "4" is in "it is 4"
     * but not in "it is 42", the way a grader reads "contains the answer".
     */
    public static double contains(String prediction, String reference) {
        requireReference(reference);
        String ref = Normalizer.normalize(reference);
        if (ref.isEmpty()) {
            throw new BadEvalRow("reference \"" + reference + "\" is empty once normalised (only punctuation or articles)");
        }
        return (" " + Normalizer.normalize(prediction) + " ").contains(" " + ref + " ") ? 1 : 0;
    }

    /** The reference is a Java regular expression, searched for (not matched whole) in the raw completion. */
    public static double regex(String prediction, String pattern) {
        requireReference(pattern);
        Pattern compiled;
        try {
            compiled = Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            throw new BadEvalRow("reference is not a valid regex: " + e.getDescription() + " at index " + e.getIndex()
                    + " of \"" + pattern + "\"");
        }
        if (prediction == null) {
            return 0;
        }
        try {
            return compiled.matcher(new BudgetedText(prediction, REGEX_BUDGET)).find() ? 1 : 0;
        } catch (BudgetedText.Exhausted e) {
            throw new BadEvalRow("regex \"" + pattern + "\" gave up after reading " + REGEX_BUDGET
                    + " characters (catastrophic backtracking on a " + prediction.length() + "-character completion)");
        }
    }

    /**
     * 1 when the letter read from the completion ({@link #answerLetter}) is the reference's. The
     * reference is a letter ("B", "(b)") or the text of one of the choices.
     */
    public static double multipleChoice(String prediction, String choicesJson, String reference) {
        List<String> choices = choices(choicesJson);
        char expected = referenceLetter(reference, choices);
        Character got = answerLetter(prediction, choices);
        return got != null && got == expected ? 1 : 0;
    }

    /** The choices of a row: a JSON array of 2 to 26 texts, lettered A, B, C, ... */
    static List<String> choices(String json) {
        if (json == null) {
            throw new BadEvalRow("multiple_choice needs choices (a JSON array of the options' texts)");
        }
        JsonNode node = EvalJson.column(json, "choices");
        if (!node.isArray() || node.size() < 2 || node.size() > 26) {
            throw new BadEvalRow("choices must be a JSON array of 2 to 26 options, is " + json);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode c : node) {
            if (!c.isValueNode() || c.isNull()) {
                throw new BadEvalRow("choices must be texts, has " + c);
            }
            out.add(c.asText());
        }
        return out;
    }

    static char referenceLetter(String reference, List<String> choices) {
        requireReference(reference);
        Matcher letter = ONLY_LETTER.matcher(reference);
        if (letter.matches()) {
            char c = Character.toUpperCase(letter.group(1).charAt(0));
            if (c - 'A' < choices.size()) {
                return c;
            }
            // a one-letter answer that is no letter of these choices may still be a choice's text
        }
        String norm = Normalizer.normalize(reference);
        for (int i = 0; i < choices.size(); i++) {
            if (Normalizer.normalize(choices.get(i)).equals(norm)) {
                return (char) ('A' + i);
            }
        }
        throw new BadEvalRow("reference \"" + reference + "\" is neither a letter A-" + (char) ('A' + choices.size() - 1)
                + " nor the text of one of the " + choices.size() + " choices");
    }

    private static final Pattern ONLY_LETTER = Pattern.compile("^\\s*[(\\[]?([A-Za-z])[)\\].:]?\\s*$");
    private static final Pattern STATED = Pattern.compile(
            "\\b(?i:answer|option|choice)\\b\\s*(?i:is|would be)?\\s*:?\\s*(?:(?i:option|choice)\\s+)?"
                    + "(?:[(\\[]([A-Za-z])[)\\]]|([A-Z])(?![\\p{L}\\p{N}]))");
    private static final Pattern LEADING = Pattern.compile("^\\s*[(\\[]?([A-Z])[)\\].:](?:\\s|$)");
    /** A capital standing as a word: white space, brackets, quotes or the text's ends around it, a full stop or comma after. */
    private static final Pattern LONE_CAPITAL = Pattern.compile("(?<=^|[\\s(\\[*\"])([A-Z])(?=$|[\\s).,:;!?\\]*\"])");

    /**
     * The answer letter of a completion, or null. In order, the first that finds one wins:
     * <ol>
     * <li>the completion is only a letter: "B", "(b)", "C.";</li>
     * <li>a stated answer, the last one when the completion reasons first: "the answer is (C)",
     *     "Answer: B", "option D";</li>
     * <li>a leading letter: "B. Paris", "(B) Paris", unless other options are marked the same way;</li>
     * <li>exactly one choice's text (normalised, as whole words) in the completion: "It is Paris.";</li>
     * <li>exactly one distinct capital letter of the choices standing as a word: "I would say B here"
     *     (bytes of noise around a capital do not make it a word).</li>
     * </ol>
     * Letters beyond the choices ("E" of four options) are not answers. Two different candidates at the
     * same step are no answer: a completion that lists every option has not chosen one.
     */
    public static Character answerLetter(String completion, List<String> choices) {
        if (completion == null || completion.isBlank()) {
            return null;
        }
        int n = choices.size();
        Matcher only = ONLY_LETTER.matcher(completion);
        if (only.matches()) {
            return valid(Character.toUpperCase(only.group(1).charAt(0)), n);
        }
        Matcher stated = STATED.matcher(completion);
        Character last = null;
        while (stated.find()) {
            String g = stated.group(1) != null ? stated.group(1) : stated.group(2);
            Character c = valid(Character.toUpperCase(g.charAt(0)), n);
            if (c != null) {
                last = c;
            }
        }
        if (last != null) {
            return last;
        }
        Matcher leading = LEADING.matcher(completion);
        if (leading.find() && optionMarkers(completion, n) < 2) {
            Character c = valid(leading.group(1).charAt(0), n);
            if (c != null) {
                return c;
            }
        }
        String text = " " + Normalizer.normalize(completion) + " ";
        Set<Character> byText = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            String choice = Normalizer.normalize(choices.get(i));
            if (!choice.isEmpty() && text.contains(" " + choice + " ")) {
                byText.add((char) ('A' + i));
            }
        }
        if (byText.size() == 1) {
            return byText.iterator().next();
        }
        if (byText.size() > 1) {
            return null;
        }
        Set<Character> lone = new LinkedHashSet<>();
        Matcher m = LONE_CAPITAL.matcher(completion);
        while (m.find()) {
            Character c = valid(m.group(1).charAt(0), n);
            if (c != null) {
                lone.add(c);
            }
        }
        return lone.size() == 1 ? lone.iterator().next() : null;
    }

    private static final Pattern OPTION_MARKER = Pattern.compile("(?<![\\p{L}\\p{N}])[(\\[]?([A-Z])[).:](?=\\s|$)");

    /** Distinct option letters written as markers ("A)", "(B)", "C."): more than one means the options were listed. */
    private static int optionMarkers(String completion, int choices) {
        Set<Character> letters = new LinkedHashSet<>();
        Matcher m = OPTION_MARKER.matcher(completion);
        while (m.find()) {
            if (valid(m.group(1).charAt(0), choices) != null) {
                letters.add(m.group(1).charAt(0));
            }
        }
        return letters.size();
    }

    private static Character valid(char letter, int choices) {
        return letter >= 'A' && letter - 'A' < choices ? letter : null;
    }

    /**
     * 1 when the completion is one JSON value (alone, or alone in a ```json fenced block, as chat models
     * write it) that validates against the row's JSON schema (draft 2020-12, the validator the tool calls use).
     */
    public static double jsonSchema(String prediction, String schemaJson) {
        ArgumentValidator validator = validator(schemaJson);
        JsonNode value = parseCompletionJson(prediction);
        if (value == null) {
            return 0;
        }
        try {
            return validator.check(value) == null ? 1 : 0;
        } catch (RuntimeException e) {
            throw new BadEvalRow("schema cannot be applied: " + e.getMessage());
        }
    }

    static ArgumentValidator validator(String schemaJson) {
        if (schemaJson == null) {
            throw new BadEvalRow("json_schema needs a schema (a JSON schema object)");
        }
        JsonNode schema = EvalJson.column(schemaJson, "schema");
        if (!(schema.isObject() || schema.isBoolean())) {
            throw new BadEvalRow("schema must be a JSON object (a JSON schema), is " + schemaJson);
        }
        try {
            return new ArgumentValidator(schema);
        } catch (RuntimeException e) {
            throw new BadEvalRow("schema is not a usable JSON schema: " + e.getMessage());
        }
    }

    private static final Pattern FENCE = Pattern.compile("^```[A-Za-z0-9_-]*\\s*\\n(.*?)\\n?```$", Pattern.DOTALL);

    /** The JSON value of a completion, or null when it is none. */
    static JsonNode parseCompletionJson(String completion) {
        if (completion == null || completion.isBlank()) {
            return null;
        }
        String text = completion.strip();
        Matcher fence = FENCE.matcher(text);
        if (fence.matches()) {
            text = fence.group(1);
        }
        return EvalJson.orNull(text);
    }

    private static void requireReference(String reference) {
        if (reference == null || reference.isBlank()) {
            throw new BadEvalRow("reference is missing or blank");
        }
    }

    /** A completion a regex may read only so many characters of: runaway backtracking ends in an exception. */
    static final class BudgetedText implements CharSequence {
        static final class Exhausted extends RuntimeException {
            private static final long serialVersionUID = 1L;

            Exhausted() {
                super(null, null, false, false);
            }
        }

        private final String text;
        private final long[] left;
        private final int offset;
        private final int length;

        BudgetedText(String text, long budget) {
            this(text, new long[] {budget}, 0, text.length());
        }

        private BudgetedText(String text, long[] left, int offset, int length) {
            this.text = text;
            this.left = left;
            this.offset = offset;
            this.length = length;
        }

        @Override
        public char charAt(int index) {
            if (--left[0] < 0) {
                throw new Exhausted();
            }
            return text.charAt(offset + index);
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new BudgetedText(text, left, offset + start, end - start);
        }

        @Override
        public String toString() {
            return text.substring(offset, offset + length);
        }
    }
}
