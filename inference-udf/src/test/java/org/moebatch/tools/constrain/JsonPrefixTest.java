package org.moebatch.tools.constrain;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.moebatch.tools.ArgumentValidator;

class JsonPrefixTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WEATHER = "{\"type\":\"object\",\"required\":[\"city\"],\"properties\":{"
            + "\"city\":{\"type\":\"string\",\"maxLength\":40},\"days\":{\"type\":\"integer\"},"
            + "\"unit\":{\"type\":\"string\",\"enum\":[\"c\",\"f\"]},\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"maxItems\":3},"
            + "\"where\":{\"type\":\"object\",\"properties\":{\"lat\":{\"type\":\"number\"},\"lon\":{\"type\":\"number\"}},\"required\":[\"lat\",\"lon\"]},"
            + "\"exact\":{\"type\":[\"boolean\",\"null\"]}}}";

    private static JsonPrefix start(String schema) throws Exception {
        return JsonPrefix.start(JsonShape.of(JSON.readTree(schema)));
    }

    @Test
    void acceptsCompleteValidDocumentsByteByByte() throws Exception {
        for (String doc : new String[] {
            "{\"city\":\"Hà Nội\"}", "{\"city\": \"Tokyo\", \"days\": 3, \"unit\": \"c\"}",
            "{\"days\":-12,\"city\":\"a\\\"b\\u00e9\",\"tags\":[\"x\", \"y\"],\"exact\":null}",
            "{\"city\":\"x\",\"where\":{\"lat\":21.03,\"lon\":-105.8e-1},\"exact\":true,\"tags\":[]}"}) {
            JsonPrefix p = start(WEATHER);
            for (byte b : doc.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                assertFalse(p.complete(), doc);
                p = p.feed(new byte[] {b});
                assertNotNull(p, "rejected a byte of " + doc);
            }
            assertTrue(p.complete(), doc);
            assertNull(new ArgumentValidator(JSON.readTree(WEATHER)).check(JSON.readTree(doc)), doc);
        }
    }

    @Test
    void rejectsWhatTheSchemaForbids() throws Exception {
        JsonPrefix p = start(WEATHER);
        assertNull(p.feed("{}"), "city is required");
        assertNull(p.feed("{\"town\""), "undeclared property");
        assertNull(p.feed("{\"days\":1.5"), "integer has no fraction");
        assertNull(p.feed("{\"unit\":\"k"), "enum");
        assertNull(p.feed("{\"city\":\"a\",\"city\""), "a property twice");
        assertNull(p.feed("{\"city\":\"a\",}"), "trailing comma");
        assertNull(p.feed("{\"tags\":[\"a\",\"b\",\"c\",\"d\""), "maxItems");
        assertNull(p.feed("{\"where\":{\"lat\":1}"), "nested required");
        assertNull(p.feed("{\"city\":\"" + "x".repeat(41)), "maxLength");
        assertNull(p.feed("{\"city\":\"a\"}x"), "nothing after the value");
        assertNull(p.feed("{\"city\":\"a\n"), "raw control characters");
        assertNull(p.feed("{\"days\":01"), "leading zero");
        assertNull(p.feed("{\"exact\":1"), "boolean or null");
        assertNull(p.feed("{  \"city\""), "at most compact whitespace");
        assertNotNull(p.feed("{\"city\": \"a\", \"days\": 2"));
    }

    /** Numbers within minimum/maximum and their exclusive forms. */
    private static final String BOUNDED = "{\"type\":\"object\",\"properties\":{"
            + "\"k\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":10},"
            + "\"t\":{\"type\":\"number\",\"minimum\":0.2,\"exclusiveMaximum\":0.8},"
            + "\"n\":{\"type\":\"integer\",\"exclusiveMinimum\":-30,\"maximum\":-5},"
            + "\"x\":{\"type\":\"number\",\"exclusiveMinimum\":-2.5,\"maximum\":1000}}}";

    @Test
    void keepsNumbersWithinTheirBounds() throws Exception {
        JsonPrefix p = start(BOUNDED);
        for (String ok : new String[] {"{\"k\":1}", "{\"k\":10}", "{\"k\":7}", "{\"t\":0.2}", "{\"t\":0.79999}",
            "{\"t\":0.5}", "{\"n\":-29}", "{\"n\":-5}", "{\"x\":-2.4}", "{\"x\":1000}", "{\"x\":999.5}", "{\"x\":-0.0}"}) {
            JsonPrefix q = p.feed(ok);
            assertNotNull(q, ok);
            assertTrue(q.complete(), ok);
            assertNull(new ArgumentValidator(JSON.readTree(BOUNDED)).check(JSON.readTree(ok)), ok);
        }
        for (String bad : new String[] {"{\"k\":0", "{\"k\":11", "{\"k\":100", "{\"k\":-", "{\"k\":1.",
            "{\"t\":0.8", "{\"t\":0.1", "{\"t\":1", "{\"t\":0.2e", "{\"n\":-30", "{\"n\":-4", "{\"n\":4",
            "{\"x\":-2.5", "{\"x\":-3", "{\"x\":1000.1", "{\"x\":10000"}) {
            assertNull(p.feed(bad), bad);
        }
        // a prefix is taken while some number it begins lies in the range, and then must stop there
        assertNotNull(p.feed("{\"k\":1"));
        assertNull(p.feed("{\"k\":1}").feed("x"));
        assertNull(p.feed("{\"n\":-3"), "neither -3 nor -30 .. -39 lie in (-30, -5]");
        assertNotNull(p.feed("{\"n\":-2"), "-20 .. -29 lie in the range");
        assertNotNull(p.feed("{\"t\":0."));
        assertNull(p.feed("{\"t\":0.0"), "no number below 0.1 reaches 0.2");
    }

    @Test
    void randomWalksWithinBoundsEndValidUnderTheValidator() throws Exception {
        assertTrue(randomWalks(BOUNDED, 7) > 50, "enough walks ended to mean something");
    }

    @Test
    void randomWalksThatFollowThePrefixEndValidUnderTheValidator() throws Exception {
        assertTrue(randomWalks(WEATHER, 42) > 50, "enough walks ended to mean something");
    }

    /** From the empty state, random allowed bytes until complete: every result validates. Returns the walks that ended. */
    private static int randomWalks(String schema, long seed) throws Exception {
        byte[] alphabet = "{}[]\":, -0123456789.eE+abcdefghijklmnopqrstuvwxyztrueflsn\\u".getBytes();
        Random r = new Random(seed);
        ArgumentValidator validator = new ArgumentValidator(JSON.readTree(schema));
        int finished = 0;
        for (int walk = 0; walk < 300; walk++) {
            JsonPrefix p = start(schema);
            StringBuilder doc = new StringBuilder();
            for (int step = 0; step < 400 && !p.complete(); step++) {
                JsonPrefix next = null;
                for (int tries = 0; tries < 200 && next == null; tries++) {
                    byte b = alphabet[r.nextInt(alphabet.length)];
                    // bias towards closing once long, so walks end
                    if (step > 60 && r.nextInt(3) == 0) {
                        b = "}]\"".getBytes()[r.nextInt(3)];
                    }
                    next = p.feed(new byte[] {b});
                    if (next != null) {
                        doc.append((char) b);
                    }
                }
                if (next == null) {
                    break;
                }
                p = next;
            }
            if (p.complete()) {
                finished++;
                JsonNode parsed = JSON.readTree(doc.toString());
                assertNull(validator.check(parsed), doc.toString());
            }
        }
        return finished;
    }
}
