package org.moebatch.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ToolCallParsingTest {
    private static final String B = KimiToolCalls.SECTION_BEGIN;
    private static final String E = KimiToolCalls.SECTION_END;
    private static final String CB = KimiToolCalls.CALL_BEGIN;
    private static final String AB = KimiToolCalls.ARGUMENT_BEGIN;
    private static final String CE = KimiToolCalls.CALL_END;
    private final KimiToolCalls kimi = new KimiToolCalls();
    private final HermesToolCalls hermes = new HermesToolCalls();

    @Test
    void kimiSeveralCallsAfterContent() {
        AssistantTurn t = kimi.parse("Let me check." + B + CB + "functions.get_weather:0" + AB + "{\"city\": \"Hà Nội\"}" + CE
                + CB + "functions.calculator:1" + AB + " {\"expression\":\"17*23\"} " + CE + E, 0);
        assertEquals("Let me check.", t.content());
        assertEquals(2, t.calls().size());
        ParsedCall first = t.calls().get(0);
        assertEquals("functions.get_weather:0", first.id());
        assertEquals("get_weather", first.name());
        assertEquals("{\"city\": \"Hà Nội\"}", first.arguments());
        assertNull(first.error());
        assertEquals("calculator", t.calls().get(1).name());
        assertTrue(t.calls().get(1).ok());
    }

    @Test
    void kimiPlainTextHasNoCalls() {
        AssistantTurn t = kimi.parse("Just an answer.", 0);
        assertFalse(t.hasCalls());
        assertEquals("Just an answer.", t.content());
    }

    @Test
    void kimiMalformedCallsBecomeErrorsNotExceptions() {
        // unterminated section
        AssistantTurn t = kimi.parse(B + CB + "functions.f:0" + AB + "{\"a\": 1}" + CE, 0);
        assertTrue(t.calls().get(0).ok());
        assertTrue(t.calls().get(1).error().contains("section is not terminated"));
        // unterminated call
        t = kimi.parse(B + CB + "functions.f:0" + AB + "{\"a\": 1" + E, 0);
        assertTrue(t.calls().get(0).error().contains("not terminated by " + CE));
        // broken JSON, arrays instead of objects, ids of another shape, no argument marker, empty section
        t = kimi.parse(B + CB + "functions.f:0" + AB + "{\"a\": }" + CE + CB + "functions.g:1" + AB + "[1]" + CE
                + CB + "weather" + AB + "{}" + CE + CB + "functions.h:3" + CE + E, 0);
        assertTrue(t.calls().get(0).error().contains("not valid JSON"), t.calls().get(0).error());
        assertTrue(t.calls().get(1).error().contains("must be a JSON object"));
        assertTrue(t.calls().get(2).error().contains("is not functions.NAME:INDEX"));
        assertTrue(t.calls().get(3).error().contains("has no " + AB));
        assertTrue(kimi.parse(B + E, 0).calls().get(0).error().contains("empty tool-call section"));
        // markers out of order (seen in the output of a random-weight model)
        t = kimi.parse(B + CB + "functions.f:0" + CE + "{\"a\": 1}" + AB + "x" + CB + AB + CE + E, 0);
        assertTrue(t.calls().get(0).error().contains("has no " + AB), t.calls().get(0).error());
        assertEquals("functions.f:0", t.calls().get(0).id());
    }

    @Test
    void randomMarkerSoupNeverThrows() {
        // Strings built from markers and JSON fragments in random order: parsing must always return.
        String[] pieces = {B, E, CB, AB, CE, "functions.calc:0", "functions.", ":", "{", "}", "\"a\"", ": 1", ",", "[",
            "]", "text ", "<tool_call>", "</tool_call>", "{\"name\": \"f\", \"arguments\": {}}", "\\", "\""};
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder();
            for (int n = r.nextInt(12); n >= 0; n--) {
                text.append(pieces[r.nextInt(pieces.length)]);
            }
            AssistantTurn k = kimi.parse(text.toString(), 0);
            AssistantTurn h = hermes.parse(text.toString(), 0);
            for (ParsedCall c : k.calls()) {
                assertTrue(c.ok() || c.error() != null);
            }
            assertTrue(h.content() != null && k.content() != null);
        }
    }

    @Test
    void hermesCalls() {
        AssistantTurn t = hermes.parse("Sure.\n<tool_call>\n{\"name\": \"calculator\", \"arguments\": {\"expression\": \"2+2\"}}\n</tool_call>"
                + "<tool_call>{\"name\": \"kv_lookup\", \"arguments\": \"{\\\"key\\\": \\\"Japan\\\"}\"}</tool_call>", 3);
        assertEquals("Sure.\n", t.content());
        assertEquals(2, t.calls().size());
        assertEquals("call_3_0", t.calls().get(0).id());
        assertEquals("{\"expression\": \"2+2\"}", t.calls().get(0).arguments(), "as written");
        assertEquals("{\"key\": \"Japan\"}", t.calls().get(1).arguments(), "string arguments are unwrapped");
        assertTrue(t.calls().get(1).ok());

        // a number beyond a double stays the number written, not the string "Infinity"
        AssistantTurn big = hermes.parse("<tool_call>{\"arguments\": {\"budget\": 1e999, \"tags\": [{\"a\": [1, 2]}]}, "
                + "\"name\": \"book\"}</tool_call>", 0);
        assertEquals("{\"budget\": 1e999, \"tags\": [{\"a\": [1, 2]}]}", big.calls().get(0).arguments());
        assertEquals("book", big.calls().get(0).name());
    }

    @Test
    void hermesMalformed() {
        assertTrue(hermes.parse("<tool_call>{\"name\": \"f\"", 0).calls().get(0).error().contains("not terminated"));
        assertTrue(hermes.parse("<tool_call>{\"name\": }</tool_call>", 0).calls().get(0).error().contains("not valid JSON"));
        assertTrue(hermes.parse("<tool_call>{\"arguments\": {}}</tool_call>", 0).calls().get(0).error().contains("\"name\""));
        assertTrue(hermes.parse("<tool_call>{\"name\": \"f\", \"arguments\": 5}</tool_call>", 0).calls().get(0).error()
                .contains("must be a JSON object"));
        AssistantTurn t = hermes.parse("<tool_call>{\"name\": \"f\", \"arguments\": {}}<tool_call>{\"name\": \"g\"}</tool_call>", 0);
        assertTrue(t.calls().get(0).error().contains("not terminated"));
        assertTrue(t.calls().get(1).ok());
    }
}
