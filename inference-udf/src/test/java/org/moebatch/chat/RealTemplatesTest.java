package org.moebatch.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.moebatch.testing.Samples;

/**
 * Real chat templates (Qwen3's and DeepSeek-V3's as shipped, Kimi K2's format) rendered by Jinjava
 * equal, byte for byte, what Python's Jinja2 renders in Hugging Face's configuration
 * (tools/templates/render_expected.py): tool declarations, tool calls, tool results, unicode.
 */
class RealTemplatesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> renderings() throws IOException {
        JsonNode all = JSON.readTree(Files.readString(Samples.dir().resolve("templates/expected.json")));
        List<Arguments> out = new ArrayList<>();
        for (JsonNode r : all) {
            out.add(Arguments.of(r.get("template").asText(), r.get("case").asText(), r.get("add_generation_prompt").asBoolean(), r));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} generation prompt {2}")
    @MethodSource("renderings")
    void jinjavaRendersAsHuggingFaceJinja2(String template, String testCase, boolean generationPrompt, JsonNode r) {
        ChatTemplate t = ChatTemplate.load(Samples.dir().resolve("tokenizers").resolve(template));
        List<JsonNode> tools = new ArrayList<>();
        if (r.get("tools").isArray()) {
            r.get("tools").forEach(tools::add);
        }
        String rendered = t.render(ChatMessages.fromJson(r.get("messages")), tools, generationPrompt);
        assertEquals(r.get("expected").asText(), rendered);
    }
}
