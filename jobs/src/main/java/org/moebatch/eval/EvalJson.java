package org.moebatch.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** JSON in eval rows and completions, read strictly: one value, nothing after it. */
final class EvalJson {
    static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private EvalJson() {}

    /** The JSON value of an eval row's column, or a {@link BadEvalRow} naming the column. */
    static JsonNode column(String text, String column) {
        try {
            JsonNode node = STRICT.readTree(text);
            return node == null ? STRICT.missingNode() : node;
        } catch (JsonProcessingException e) {
            throw new BadEvalRow(column + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** The JSON value of text the model wrote, or null when it is none. */
    static JsonNode orNull(String text) {
        if (text == null) {
            return null;
        }
        try {
            JsonNode node = STRICT.readTree(text);
            return node == null || node.isMissingNode() ? null : node;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
