package org.moebatch.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.moebatch.chat.ChatResult;
import org.moebatch.chat.ToolTraceEntry;
import org.moebatch.spark.OutputSchema;

/** Output rows, made as the job makes them, written as Batch lines and checked against OpenAI's schema. */
class OpenAiBatchOutputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SB = "<|tool_calls_section_begin|>";
    private static final String SE = "<|tool_calls_section_end|>";
    private static final long CREATED = 1_767_225_600L; // 2026-01-01T00:00:00Z
    private static final OpenAiBatchOutput KIMI = new OpenAiBatchOutput(OpenAiBatchOutput.CallSyntax.KIMI, CREATED);
    private static final OpenAiBatchOutput HERMES = new OpenAiBatchOutput(OpenAiBatchOutput.CallSyntax.HERMES, CREATED);
    private static OpenAiBatchSchema schema;

    @BeforeAll
    static void loadSchema() throws IOException {
        schema = new OpenAiBatchSchema();
    }

    private static String kimiCall(String name, int index, String arguments) {
        return "<|tool_call_begin|>functions." + name + ":" + index + "<|tool_call_argument_begin|>" + arguments + "<|tool_call_end|>";
    }

    private static Row row(String id, String completion, String finishReason, List<ToolTraceEntry> trace, String error) {
        ChatResult r = new ChatResult(id, completion, finishReason, trace, 12, 7, 4, 0, 1, 2, 0, 3, error);
        return OutputSchema.row(r, "k2-tiny-chat", 42L, new Object[0], OutputSchema.CONTRACT);
    }

    private static Row ok(String id, String completion, String finishReason) {
        return row(id, completion, finishReason, List.of(), null);
    }

    /** The line, after checking it against the schema. */
    private static JsonNode valid(OpenAiBatchOutput out, Row row) throws IOException {
        String line = out.line(row);
        assertEquals(List.of(), schema.errors(line), line);
        return JSON.readTree(line);
    }

    private static JsonNode choice(JsonNode line) {
        return line.path("response").path("body").path("choices").path(0);
    }

    @Test
    void aPlainCompletionHasEveryFieldTheSpecRequires() throws IOException {
        JsonNode line = valid(KIMI, ok("req-1", "Black holes bend light.", "stop"));
        JsonNode body = line.path("response").path("body");
        assertEquals(CREATED, body.path("created").asLong());
        assertEquals("chat.completion", body.path("object").asText());
        assertEquals("k2-tiny-chat", body.path("model").asText());
        assertTrue(choice(line).has("logprobs") && choice(line).get("logprobs").isNull());
        JsonNode message = choice(line).path("message");
        assertTrue(message.has("refusal") && message.get("refusal").isNull());
        assertEquals("Black holes bend light.", message.path("content").asText());
        assertFalse(message.has("tool_calls"));
        assertEquals("stop", choice(line).path("finish_reason").asText());
        assertEquals(19, body.path("usage").path("total_tokens").asInt());
        assertEquals(4, body.path("usage").path("prompt_tokens_details").path("cached_tokens").asInt());
        assertTrue(line.get("error").isNull());
    }

    @Test
    void aKimiCallWithNoToolsOfferedIsReturnedAsToolCalls() throws IOException {
        String completion = "Let me check." + SB + kimiCall("get_weather", 0, "{\"city\": \"Lima\"}")
                + kimiCall("get_time", 1, "{\"zone\": \"America/Lima\"}") + SE;
        JsonNode line = valid(KIMI, ok("req-2", completion, "stop"));
        assertEquals("tool_calls", choice(line).path("finish_reason").asText());
        JsonNode message = choice(line).path("message");
        assertEquals("Let me check.", message.path("content").asText());
        JsonNode calls = message.path("tool_calls");
        assertEquals(2, calls.size());
        assertEquals("functions.get_weather:0", calls.get(0).path("id").asText());
        assertEquals("function", calls.get(0).path("type").asText());
        assertEquals("get_weather", calls.get(0).path("function").path("name").asText());
        assertEquals("{\"city\": \"Lima\"}", calls.get(0).path("function").path("arguments").asText());
        assertEquals("get_time", calls.get(1).path("function").path("name").asText());
        assertFalse(line.toString().contains("tool_calls_section"), "no call markup in the content");
    }

    @Test
    void aCallWithNoTextBeforeItHasNullContent() throws IOException {
        JsonNode line = valid(KIMI, ok("req-3", SB + kimiCall("f", 0, "{}") + SE, "stop"));
        assertTrue(choice(line).path("message").get("content").isNull());
        assertEquals("tool_calls", choice(line).path("finish_reason").asText());
    }

    @Test
    void aHermesCallIsReadWithTheHermesSyntax() throws IOException {
        String completion = "<tool_call>{\"name\": \"lookup\", \"arguments\": {\"key\": \"Japan\"}}</tool_call>";
        JsonNode line = valid(HERMES, ok("req-4", completion, "stop"));
        JsonNode call = choice(line).path("message").path("tool_calls").path(0);
        assertEquals("lookup", call.path("function").path("name").asText());
        assertEquals("{\"key\": \"Japan\"}", call.path("function").path("arguments").asText());
        assertEquals("call_0_0", call.path("id").asText());
        // the same text under the other syntax is plain text: the tokenizer decides, not the row
        JsonNode asKimi = valid(KIMI, ok("req-4", completion, "stop"));
        assertEquals(completion, choice(asKimi).path("message").path("content").asText());
        assertEquals("stop", choice(asKimi).path("finish_reason").asText());
    }

    @Test
    void argumentsThatAreNotJsonGoOutAsWrittenForTheClientToCheck() throws IOException {
        JsonNode line = valid(KIMI, ok("req-5", SB + kimiCall("calc", 0, "{\"expression\": }") + SE, "stop"));
        JsonNode call = choice(line).path("message").path("tool_calls").path(0);
        assertEquals("{\"expression\": }", call.path("function").path("arguments").asText());
    }

    @Test
    void aCallCutOffByMaxTokensStaysTextWithFinishLength() throws IOException {
        String cut = "Checking." + SB + "<|tool_call_begin|>functions.get_weather:0<|tool_call_argument_begin|>{\"ci";
        JsonNode line = valid(KIMI, ok("req-6", cut, "length"));
        assertEquals("length", choice(line).path("finish_reason").asText());
        assertEquals(cut, choice(line).path("message").path("content").asText(), "nothing the model wrote is lost");
        assertFalse(choice(line).path("message").has("tool_calls"));
    }

    @Test
    void atTheToolLimitTheLastTurnsUnrunCallsGoToTheClient() throws IOException {
        List<ToolTraceEntry> trace = List.of(
                new ToolTraceEntry(0, "functions.calculator:0", "calculator", "{\"expression\": \"1+1\"}", "2", null, 3),
                new ToolTraceEntry(1, "functions.calculator:1", "calculator", "{\"expression\": \"2+2\"}", null,
                        "not run: the row reached its limit of 1 tool steps", 0));
        JsonNode line = valid(KIMI, row("req-7", "", "tool_limit", trace, null));
        assertEquals("tool_calls", choice(line).path("finish_reason").asText());
        JsonNode calls = choice(line).path("message").path("tool_calls");
        assertEquals(1, calls.size(), calls.toString());
        assertEquals("functions.calculator:1", calls.get(0).path("id").asText());
        assertEquals("{\"expression\": \"2+2\"}", calls.get(0).path("function").path("arguments").asText());
        assertTrue(choice(line).path("message").get("content").isNull());
    }

    @Test
    void aFailedRowHasNullResponseAndAnError() throws IOException {
        JsonNode line = valid(KIMI, row("bad", null, "error", List.of(), "row bad: column prompt: empty prompt"));
        assertTrue(line.get("response").isNull());
        assertEquals("invalid_request", line.path("error").path("code").asText());
        assertEquals("row bad: column prompt: empty prompt", line.path("error").path("message").asText());
    }

    @Test
    void idsAreAHashOfTheCustomIdThatDoesNotCollideWhereHashCodeDoes() throws IOException {
        assertEquals("Aa".hashCode(), "BB".hashCode(), "the premise: String.hashCode collides here");
        JsonNode aa = valid(KIMI, ok("Aa", "x", "stop"));
        JsonNode bb = valid(KIMI, ok("BB", "x", "stop"));
        assertNotEquals(aa.path("id").asText(), bb.path("id").asText());
        assertNotEquals(aa.path("response").path("request_id").asText(), bb.path("response").path("request_id").asText());
        assertNotEquals(aa.path("response").path("body").path("id").asText(),
                bb.path("response").path("body").path("id").asText());
        assertTrue(aa.path("id").asText().matches("batch_req_[0-9a-f]{32}"), aa.path("id").asText());
        assertEquals(aa.path("id"), valid(KIMI, ok("Aa", "y", "length")).path("id"), "the same custom_id, the same id on a re-run");
    }

    @Test
    void theSchemaRejectsWhatTheSpecDoesNotAllow() throws IOException {
        ObjectNode line = (ObjectNode) valid(KIMI, ok("req-8", "hi", "stop"));
        ObjectNode body = (ObjectNode) line.path("response").path("body");
        body.remove("created");
        assertFalse(schema.errors(line.toString()).isEmpty(), "created is required");
        body.put("created", CREATED);
        ((ObjectNode) choice(line)).put("finish_reason", "tool_limit");
        assertFalse(schema.errors(line.toString()).isEmpty(), "finish_reason is OpenAI's enum");
        ((ObjectNode) choice(line)).put("finish_reason", "stop");
        ((ObjectNode) choice(line)).remove("logprobs");
        assertFalse(schema.errors(line.toString()).isEmpty(), "logprobs is required, even when null");
        ((ObjectNode) choice(line)).putNull("logprobs");
        body.put("tool_trace", "[]");
        assertFalse(schema.errors(line.toString()).isEmpty(), "no field the spec does not name");
        body.remove("tool_trace");
        assertEquals(List.of(), schema.errors(line.toString()));
    }
}
