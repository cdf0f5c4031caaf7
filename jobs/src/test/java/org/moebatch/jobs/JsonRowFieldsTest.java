package org.moebatch.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.apache.spark.sql.Row;

class JsonRowFieldsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String error(String line) throws Exception {
        return JsonRowFields.typeError(JSON.readTree(line));
    }

    @Test
    void eachWrongTypeNamesTheFieldAndWhatWasExpected() throws Exception {
        assertEquals("id: expected non-empty text, got \"\"", error("{\"id\": \"\", \"prompt\": \"hi\"}"));
        assertEquals("id: expected text or a whole number, got a boolean (true)", error("{\"id\": true, \"prompt\": \"hi\"}"));
        assertEquals("prompt: expected text, got a number (42)", error("{\"prompt\": 42}"));
        assertEquals("prompt: expected text, got an array [\"a\",\"b\"]; a conversation goes in messages",
                error("{\"prompt\": [\"a\", \"b\"]}"));
        assertEquals("system: expected text, got an object {\"x\":1}", error("{\"prompt\": \"hi\", \"system\": {\"x\": 1}}"));
        assertEquals("messages: expected an array, got a number (7)", error("{\"messages\": 7}"));
        assertEquals("temperature: \"hot\" is not a number (expected a number)", error("{\"prompt\": \"hi\", \"temperature\": \"hot\"}"));
        assertEquals("max_tokens: \"lots\" is not a number (expected a whole number)",
                error("{\"prompt\": \"hi\", \"max_tokens\": \"lots\"}"));
        assertEquals("max_tokens: 1.5 is not a whole number", error("{\"prompt\": \"hi\", \"max_tokens\": 1.5}"));
        assertEquals("top_p: expected a number, got a boolean (true)", error("{\"prompt\": \"hi\", \"top_p\": true}"));
        assertEquals("stop[1]: expected text, got a number (3)", error("{\"prompt\": \"hi\", \"stop\": [\"x\", 3]}"));
    }

    @Test
    void rightTypesAndNullsPass() throws Exception {
        assertNull(error("{\"id\": 17, \"prompt\": \"hi\", \"temperature\": 0.5, \"max_tokens\": \"16\", \"seed\": 9007199254740993}"));
        assertNull(error("{\"id\": \"a\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"stop\": [\"x\"]}"));
        assertNull(error("{\"id\": null, \"prompt\": null, \"tools\": \"[]\", \"stop\": \"END\", \"colour\": [1, {}]}"));
    }

    @Test
    void aLineIsNamedByItsFileAndNumberWhenItIsNotJsonOrHasATypeError() {
        Row broken = JsonLineInput.check("prompts.jsonl:17", "{this is not json}");
        assertEquals("prompts.jsonl:17 is not valid JSON: {this is not json}", broken.getString(3));
        assertEquals(false, broken.getBoolean(2));
        Row array = JsonLineInput.check("prompts.jsonl:18", "[1, 2]");
        assertEquals("prompts.jsonl:18 is not a JSON object: [1, 2]", array.getString(3));
        Row typed = JsonLineInput.check("prompts.jsonl:19", "{\"prompt\": 42}");
        assertEquals("prompts.jsonl:19: prompt: expected text, got a number (42)", typed.getString(3));
        assertEquals(true, typed.getBoolean(2), "a JSON object still parses, so its id and passthrough columns survive");
        assertNull(JsonLineInput.check("prompts.jsonl:20", "{\"prompt\": \"fine\"}").get(3));
    }
}
