package org.moebatch.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class OpenAiBatchInputTest {
    private static final String MESSAGES = "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]";

    private static Row line(String body) {
        return OpenAiBatchInput.row("{\"custom_id\": \"r\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", "
                + "\"body\": {" + MESSAGES + body + "}}", "requests.jsonl:5");
    }

    /** A field of a row made without a schema, by its name in the reader's schema. */
    @SuppressWarnings("unchecked")
    private static <T> T get(Row row, String column) {
        return (T) row.get(OpenAiBatchInput.SCHEMA.fieldIndex(column));
    }

    private static String error(Row row) {
        return get(row, "input_error");
    }

    @Test
    void linesWithoutACustomIdAreNamedByFileAndLine() {
        Row missing = OpenAiBatchInput.row("{\"body\": {" + MESSAGES + "}}", "requests.jsonl:3");
        assertEquals("requests.jsonl:3", get(missing, "id"));
        assertEquals("requests.jsonl:3 has no custom_id", error(missing));
        Row empty = OpenAiBatchInput.row("{\"custom_id\": \"\", \"body\": {" + MESSAGES + "}}", "requests.jsonl:4");
        assertEquals("requests.jsonl:4", get(empty, "id"));
        Row broken = OpenAiBatchInput.row("not json at all", "requests.jsonl:9");
        assertEquals("requests.jsonl:9", get(broken, "id"));
        assertTrue(error(broken).startsWith("requests.jsonl:9 is not valid JSON"), error(broken));
    }

    @Test
    void fieldsThatWouldChangeTheResultAreErrors() {
        assertEquals("requests.jsonl:5: body.n = 3 is not supported (only 1)", error(line(", \"n\": 3")));
        assertTrue(error(line(", \"response_format\": {\"type\": \"json_object\"}")).startsWith(
                "requests.jsonl:5: body.response_format = {\"type\":\"json_object\"} is not supported"));
        assertEquals("requests.jsonl:5: body.logprobs = true is not supported (only false)", error(line(", \"logprobs\": true")));
        assertTrue(error(line(", \"top_logprobs\": 2")).startsWith("requests.jsonl:5: body.top_logprobs is not supported"));
        assertTrue(error(line(", \"max_tokens\": \"lots\"")).contains("body.max_tokens: \"lots\" is not a number"));
        assertTrue(error(line(", \"temperature\": \"hot\"")).contains("body.temperature: \"hot\" is not a number"));
    }

    @Test
    void harmlessFieldsAndDefaultValuesAreAccepted() {
        Row ok = line(", \"model\": \"kimi-k2\", \"user\": \"u-1\", \"metadata\": {\"batch\": \"a\"}, \"n\": 1, "
                + "\"logprobs\": false, \"response_format\": {\"type\": \"text\"}, \"max_tokens\": \"16\", \"seed\": 9007199254740993");
        assertNull(error(ok));
        assertEquals("r", get(ok, "id"));
        assertEquals(16L, (long) get(ok, "max_tokens"));
        assertEquals(9007199254740993L, (long) get(ok, "seed"), "a seed past 2^53 stays exact");
    }
}
