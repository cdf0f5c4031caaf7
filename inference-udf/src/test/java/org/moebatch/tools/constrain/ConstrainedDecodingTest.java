package org.moebatch.tools.constrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.moebatch.backend.CpuBackend;
import org.moebatch.chat.ChatRunner;
import org.moebatch.chat.ChatTemplate;
import org.moebatch.engine.Engine;
import org.moebatch.engine.EngineConfig;
import org.moebatch.model.MoeModel;
import org.moebatch.testing.Samples;
import org.moebatch.tokenizer.Tokenizer;

/**
 * Constrained decoding on real random-weight models: sampled at temperature 1, a model writes
 * noise, yet every tool call it finishes has arguments that validate against the tool's schema.
 * Without the constraint, the same turns write almost no valid call. Kimi K2's format
 * (k2-tiny-chat) and Hermes / Qwen's {@code <tool_call>} (qwen3-moe-tiny, Qwen3's real template).
 */
class ConstrainedDecodingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static CpuBackend backend;

    @BeforeAll
    static void load() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    private static ChatRunner runner(String name) {
        MoeModel model = MoeModel.load(Samples.model(name), backend);
        return new ChatRunner(new Engine(model, backend, EngineConfig.defaults()), Tokenizer.load(model.dir()),
                ChatTemplate.load(model.dir()));
    }

    static List<JsonNode> tools() throws Exception {
        return List.of(
                JSON.readTree("{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\","
                        + "\"required\":[\"city\",\"unit\"],\"properties\":{\"city\":{\"type\":\"string\",\"maxLength\":12},"
                        + "\"unit\":{\"enum\":[\"c\",\"f\"]},\"days\":{\"type\":\"integer\"}}}}}"),
                JSON.readTree("{\"type\":\"function\",\"function\":{\"name\":\"calculator\",\"parameters\":{\"type\":\"object\","
                        + "\"required\":[\"expression\"],\"properties\":{\"expression\":{\"type\":\"string\",\"maxLength\":16}}}}}"),
                JSON.readTree("{\"type\":\"function\",\"function\":{\"name\":\"book\",\"parameters\":{\"type\":\"object\","
                        + "\"required\":[\"guests\",\"where\"],\"properties\":{\"guests\":{\"type\":\"array\",\"maxItems\":2,"
                        + "\"items\":{\"type\":\"object\",\"required\":[\"name\"],\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":6},"
                        + "\"vip\":{\"type\":\"boolean\"}}}},\"where\":{\"type\":[\"string\",\"null\"],\"maxLength\":8},"
                        + "\"budget\":{\"type\":\"number\"}}}}}"));
    }

    /**
     * 32 turns of at most 160 tokens: enough for 40 finished calls on each model (96 turns of 400
     * gave 170 to 280, the same properties seven times over) and, checked below, for valid calls to
     * every tool the model reaches at all, so the schemas' arrays, nested objects, nullable types,
     * enums and length limits all stay exercised. k2-tiny-chat's noise never finishes a get_weather
     * call, not even in 96 turns of 400.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"k2-tiny-chat, 30, book calculator", "qwen3-moe-tiny, 30, book calculator get_weather"})
    void everyFinishedCallValidatesUnderItsSchema(String model, int minimumCalls, String toolsCalled) throws Exception {
        try (ChatRunner runner = runner(model)) {
            ToolCallProbe.Outcome constrained = ToolCallProbe.run(runner, tools(), 32, 160, true, 7);
            assertTrue(constrained.calls() >= minimumCalls, "enough finished calls to mean something: " + constrained.calls());
            assertEquals(constrained.calls(), constrained.valid(), "invalid: " + constrained.invalid());
            assertEquals(Set.of(toolsCalled.split(" ")), constrained.validByTool().keySet(),
                    "the tools with valid calls: " + constrained.validByTool());
            assertTrue(constrained.cutOff() <= 2 * constrained.turns(), "at most the call and section a turn ends in are cut off");

            ToolCallProbe.Outcome free = ToolCallProbe.run(runner, tools(), 24, 60, false, 7);
            assertTrue(free.validShare() < 0.2, "unconstrained noise is rarely a valid call: " + free.validShare());
        }
    }
}
