package org.moebatch.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.moebatch.chat.ChatMessage;
import org.moebatch.chat.ChatTemplate;
import org.moebatch.chat.ToolCall;
import org.moebatch.testing.Samples;
import org.moebatch.tokenizer.HuggingFaceTokenizer;

/**
 * The demo model (data-samples/models/k2-tool-demo) was trained on dialogues that tools/train-demo
 * rendered, tokenized and answered in Python. Those must be exactly what moe-batch produces at
 * inference, or the model meets text it never saw: the fixture k2-tool-demo-chat.json, written by
 * the training script, holds conversations with their text and ids and tool calls with their results,
 * and here the Java template, tokenizer and built-in tools reproduce each of them.
 */
class DemoTrainingDialoguesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path MODEL = Samples.model("k2-tool-demo");

    private static JsonNode fixture() throws IOException {
        return JSON.readTree(Files.readString(Samples.dir().resolve("golden/k2-tool-demo-chat.json")));
    }

    private static ToolRegistry registry() throws IOException {
        Path tools = Samples.dir().resolve("tools/tools.json");
        return ToolRegistry.fromJson(Files.readString(tools), tools.getParent());
    }

    @Test
    void templateAndTokenizerReproduceTheTrainingTextAndIds() throws IOException {
        JsonNode conversations = fixture().get("conversations");
        assertTrue(conversations.size() >= 6, "the fixture covers every kind of dialogue");
        ChatTemplate template = ChatTemplate.load(MODEL);
        try (ToolRegistry registry = registry(); HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.load(MODEL.resolve("tokenizer.json"))) {
            for (int i = 0; i < conversations.size(); i++) {
                JsonNode c = conversations.get(i);
                String text = template.render(messages(c.get("messages")), registry.declarations(),
                        c.get("add_generation_prompt").asBoolean());
                assertEquals(c.get("text").asText(), text, "conversation " + i + ": rendered text");
                int[] expected = new int[c.get("ids").size()];
                for (int t = 0; t < expected.length; t++) {
                    expected[t] = c.get("ids").get(t).asInt();
                }
                assertArrayEquals(expected, tokenizer.encode(text), "conversation " + i + ": token ids");
            }
        }
    }

    @Test
    void builtinToolsReturnTheTrainingResults() throws Exception {
        JsonNode calls = fixture().get("tool_calls");
        assertTrue(calls.size() >= 100, "the fixture holds the calls of a few hundred dialogues");
        try (ToolRegistry registry = registry()) {
            for (JsonNode call : calls) {
                String name = call.get("name").asText();
                String result = registry.tool(name).call(JSON.readTree(call.get("arguments").asText()));
                assertEquals(call.get("result").asText(), result, name + " " + call.get("arguments").asText());
            }
        }
    }

    private static List<ChatMessage> messages(JsonNode array) {
        List<ChatMessage> out = new ArrayList<>();
        for (JsonNode m : array) {
            List<ToolCall> calls = new ArrayList<>();
            for (JsonNode c : m.path("tool_calls")) {
                calls.add(new ToolCall(c.get("id").asText(), c.path("function").get("name").asText(),
                        c.path("function").get("arguments").asText()));
            }
            out.add(new ChatMessage(m.get("role").asText(), m.path("content").asText(null), calls,
                    m.path("tool_call_id").asText(null), m.path("name").asText(null)));
        }
        return out;
    }
}
