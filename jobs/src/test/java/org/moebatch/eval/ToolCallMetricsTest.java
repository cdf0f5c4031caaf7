package org.moebatch.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.moebatch.eval.ToolCallMetrics.Call;
import org.moebatch.eval.ToolCallMetrics.ExpectedCall;

/** Tool-call metrics on traces written out by hand. */
class ToolCallMetricsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ExpectedCall CALC = ToolCallMetrics.expected("{\"name\":\"calculator\",\"arguments\":{\"expression\":\"17*23\"}}");

    @Test
    void expectedCallForms() {
        assertNull(ToolCallMetrics.expected("null"));
        assertNull(ToolCallMetrics.expected(" none "));
        assertEquals("calculator", CALC.name());
        ExpectedCall asText = ToolCallMetrics.expected("{\"name\":\"kv_lookup\",\"arguments\":\"{\\\"key\\\": \\\"Peru\\\"}\"}");
        assertEquals("Peru", asText.arguments().get("key").asText(), "OpenAI's arguments-as-text form");
        assertEquals(0, ToolCallMetrics.expected("{\"name\":\"now\"}").arguments().size(), "no arguments: {}");
    }

    @Test
    void malformedExpectedCallsSayWhatIsWrong() {
        assertTrue(assertThrows(BadEvalRow.class, () -> ToolCallMetrics.expected("{name: calculator}"))
                .getMessage().startsWith("expected_tool_call is not valid JSON"));
        assertTrue(assertThrows(BadEvalRow.class, () -> ToolCallMetrics.expected("{\"arguments\":{}}"))
                .getMessage().startsWith("expected_tool_call must be {\"name\""));
        assertTrue(assertThrows(BadEvalRow.class, () -> ToolCallMetrics.expected("{\"name\":\"f\",\"arguments\":[1]}"))
                .getMessage().contains("arguments must be a JSON object"));
        assertTrue(assertThrows(BadEvalRow.class, () -> ToolCallMetrics.expected("{\"name\":\"f\",\"arguments\":\"x\"}"))
                .getMessage().contains("not a JSON object"));
    }

    @Test
    void triggerIsWhetherACallWasMadeWhenOneWasExpected() {
        List<Call> called = List.of(new Call(0, "calculator", "{\"expression\":\"1+1\"}", null));
        assertEquals(1, ToolCallMetrics.trigger(called, CALC));
        assertEquals(0, ToolCallMetrics.trigger(List.of(), CALC));
        assertEquals(1, ToolCallMetrics.trigger(List.of(), null));
        assertEquals(0, ToolCallMetrics.trigger(called, null));
        List<Call> malformed = List.of(new Call(0, null, null, "the tool-call section is not terminated"));
        assertEquals(0, ToolCallMetrics.trigger(malformed, null), "an attempted call, even a broken one, is a call");
    }

    @Test
    void choiceIsTheRightToolOrRightlyNone() {
        List<Call> calc = List.of(new Call(0, "calculator", "{\"expression\":\"1+1\"}", null));
        List<Call> lookup = List.of(new Call(0, "kv_lookup", "{\"key\":\"Peru\"}", null));
        assertEquals(1, ToolCallMetrics.choice(calc, CALC), "the expected tool");
        assertEquals(0, ToolCallMetrics.choice(lookup, CALC), "a call, of the wrong tool");
        assertEquals(0, ToolCallMetrics.choice(List.of(), CALC), "no call where one was expected");
        assertEquals(1, ToolCallMetrics.choice(List.of(), null), "rightly no call");
        assertEquals(0, ToolCallMetrics.choice(calc, null), "a call where none was expected");
        List<Call> later = List.of(new Call(0, "kv_lookup", "{\"key\":\"Peru\"}", null),
                new Call(1, "calculator", "{\"expression\":\"1+1\"}", null));
        assertEquals(0, ToolCallMetrics.choice(later, CALC), "the expected tool only in a later step is a wrong first choice");
    }

    @Test
    void nameAndArgumentsLookAtTheFirstToolStep() {
        List<Call> right = List.of(new Call(0, "kv_lookup", "{\"key\":\"Peru\"}", null),
                new Call(0, "calculator", "{ \"expression\" : \"17*23\" }", null));
        assertEquals(1, ToolCallMetrics.nameMatch(right, CALC), "any call of the first step");
        assertEquals(1, ToolCallMetrics.argumentsMatch(right, CALC), "white space in the JSON does not matter");
        List<Call> late = List.of(new Call(0, "kv_lookup", "{\"key\":\"Peru\"}", null),
                new Call(1, "calculator", "{\"expression\":\"17*23\"}", null));
        assertEquals(0, ToolCallMetrics.nameMatch(late, CALC), "a second step is after the decision");
        List<Call> otherArgs = List.of(new Call(0, "calculator", "{\"expression\":\"17 * 23\"}", null));
        assertEquals(1, ToolCallMetrics.nameMatch(otherArgs, CALC));
        assertEquals(0, ToolCallMetrics.argumentsMatch(otherArgs, CALC), "strings compare exactly");
        assertEquals(0, ToolCallMetrics.argumentsMatch(List.of(new Call(0, "calculator", "{\"expression\": ", null)), CALC));
        assertEquals(0, ToolCallMetrics.nameMatch(List.of(), CALC));
    }

    @Test
    void argumentsCompareNumbersByValueAndKeysInAnyOrder() {
        ExpectedCall search = ToolCallMetrics.expected("{\"name\":\"doc_search\",\"arguments\":{\"query\":\"moe\",\"k\":2}}");
        assertEquals(1, ToolCallMetrics.argumentsMatch(List.of(new Call(0, "doc_search", "{\"k\": 2.0, \"query\": \"moe\"}", null)), search));
        assertEquals(1, ToolCallMetrics.argumentsMatch(List.of(new Call(0, "doc_search", "{\"k\": 2e0, \"query\": \"moe\"}", null)), search));
        assertEquals(0, ToolCallMetrics.argumentsMatch(List.of(new Call(0, "doc_search", "{\"k\": \"2\", \"query\": \"moe\"}", null)), search),
                "the string \"2\" is not the number 2");
        assertEquals(0, ToolCallMetrics.argumentsMatch(List.of(new Call(0, "doc_search", "{\"query\": \"moe\"}", null)), search));
    }

    @Test
    void schemaCheckAgainstTheOfferedTools() throws Exception {
        JsonNode weather = JSON.readTree("{\"type\":\"object\",\"required\":[\"city\",\"unit\"],\"properties\":{"
                + "\"city\":{\"type\":\"string\",\"maxLength\":12},\"unit\":{\"enum\":[\"c\",\"f\"]}}}");
        ToolCallMetrics.SchemaCheck check = new ToolCallMetrics.SchemaCheck(Map.of("get_weather", weather));
        assertTrue(check.valid(new Call(0, "get_weather", "{\"city\":\"Lima\",\"unit\":\"c\"}", null)));
        assertFalse(check.valid(new Call(0, "get_weather", "{\"city\":\"Lima\",\"unit\":\"k\"}", null)), "enum");
        assertFalse(check.valid(new Call(0, "get_weather", "{\"city\":\"Lima\"}", null)), "required");
        assertFalse(check.valid(new Call(0, "get_weather", "{\"city\":\"Llanfairpwllgwyngyll\",\"unit\":\"c\"}", null)), "maxLength");
        assertFalse(check.valid(new Call(0, "get_weather", "not json", null)));
        assertFalse(check.valid(new Call(0, "get_time", "{}", null)), "a tool that was not offered");
        assertFalse(check.valid(new Call(0, null, null, "unterminated")));
        // 1 valid of 3 calls
        assertEquals(1, check.countValid(List.of(new Call(0, "get_weather", "{\"city\":\"Lima\",\"unit\":\"f\"}", null),
                new Call(0, "get_weather", "{}", null), new Call(1, "nope", "{}", null))));
    }
}
