package org.moebatch.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ConfigJsonTest {
    private static ConfigJson parse(String json) throws Exception {
        return new ConfigJson(new ObjectMapper().readTree(json));
    }

    private static String rejection(Executable read) {
        return assertThrows(ModelException.class, read).getMessage();
    }

    @Test
    void absentAndNullKeysTakeTheFallback() throws Exception {
        ConfigJson c = parse("{\"n\": null}");
        assertEquals(7, c.integer("n", 7));
        assertEquals(7, c.integer("missing", 7));
        assertEquals(0.5, c.number("n", 0.5));
        assertTrue(c.bool("n", true));
        assertEquals("dflt", c.text("n", "dflt"));
        assertEquals(List.of(), c.layerIndices("n"));
        assertTrue(c.isExplicitNull("n"));
        assertFalse(c.isExplicitNull("missing"));
        assertFalse(c.hasValue("n"));
    }

    @Test
    void integersMustBeIntegralAndFitAnInt() throws Exception {
        ConfigJson c = parse("{\"a\": 3.5, \"b\": \"3\", \"c\": 4294967296, \"d\": 3.0, \"e\": 12}");
        assertEquals("a must be an integer, is 3.5", rejection(() -> c.integer("a", 0)));
        assertEquals("b must be an integer, is \"3\"", rejection(() -> c.integer("b", 0)));
        assertEquals("c must be an integer, is 4294967296", rejection(() -> c.integer("c", 0)));
        assertEquals("d must be an integer, is 3.0", rejection(() -> c.integer("d", 0)));
        assertEquals(12, c.integer("e", 0));
    }

    @Test
    void numbersAndBooleansAreNotReadFromStrings() throws Exception {
        ConfigJson c = parse("{\"eps\": \"1e-6\", \"flag\": \"true\", \"one\": 1, \"small\": 1e-6}");
        assertEquals("eps must be a number, is \"1e-6\"", rejection(() -> c.number("eps", 0)));
        assertEquals("flag must be true or false, is \"true\"", rejection(() -> c.bool("flag", false)));
        assertEquals("one must be true or false, is 1", rejection(() -> c.bool("one", false)));
        assertEquals(1.0, c.number("one", 0));
        assertEquals(1e-6, c.number("small", 0));
    }

    @Test
    void layerIndicesMustBeAListOfIntegers() throws Exception {
        ConfigJson c = parse("{\"ok\": [0, 5], \"word\": \"all\", \"mixed\": [1, 2.5]}");
        assertEquals(List.of(0, 5), c.layerIndices("ok"));
        assertEquals("word must be a list of layer indices, is \"all\"", rejection(() -> c.layerIndices("word")));
        assertEquals("mixed must be a list of layer indices, has 2.5", rejection(() -> c.layerIndices("mixed")));
    }

    @Test
    void eosTokenIdsAreOneOrMany() throws Exception {
        assertEquals(List.of(2), parse("{\"eos_token_id\": 2}").eosTokenIds());
        assertEquals(List.of(2, 7), parse("{\"eos_token_id\": [2, 7]}").eosTokenIds());
        assertEquals(List.of(1), parse("{\"eos_token_id\": null}").eosTokenIds());
        assertEquals(5, parse("{\"bos_token_id\": 5}").bosTokenId(0));
        assertEquals(3, parse("{}").bosTokenId(3));
    }

    @Test
    void positiveNamesTheKeyAndTheValue() {
        assertEquals(4, ConfigJson.positive("n_group", 4));
        assertEquals("n_group must be positive, is 0", rejection(() -> ConfigJson.positive("n_group", 0)));
    }
}
