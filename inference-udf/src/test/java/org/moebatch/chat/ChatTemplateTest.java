package org.moebatch.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moebatch.testing.Samples;

class ChatTemplateTest {
    @Test
    void defaultModelRendersKimiStyleTurns() {
        ChatTemplate t = ChatTemplate.load(Samples.model("k2-tiny-chat"));
        String rendered = t.render(List.of(ChatMessage.of("system", "Be brief."), ChatMessage.of("user", "Hi")), List.of(), true);
        assertEquals("<|im_system|>system<|im_middle|>Be brief.<|im_end|>"
                + "<|im_user|>user<|im_middle|>Hi<|im_end|>"
                + "<|im_assistant|>assistant<|im_middle|>", rendered);
        assertEquals("<|im_user|>user<|im_middle|>Hi<|im_end|>",
                t.render(List.of(ChatMessage.of("user", "Hi")), List.of(), false));
    }

    @Test
    void toolDeclarationsCallsAndResultsRender() throws Exception {
        ChatTemplate t = ChatTemplate.load(Samples.model("k2-tiny-chat"));
        JsonNode tool = new ObjectMapper().readTree(
                "{\"type\":\"function\",\"function\":{\"name\":\"calculator\",\"parameters\":{\"type\":\"object\"}}}");
        ChatMessage call = new ChatMessage("assistant", "", List.of(new ToolCall("functions.calculator:0", "calculator",
                "{\"expression\":\"2+2\"}")), null, null);
        ChatMessage result = new ChatMessage("tool", "4", List.of(), "functions.calculator:0", "calculator");
        String rendered = t.render(List.of(ChatMessage.of("user", "2+2?"), call, result), List.of(tool), true);
        assertTrue(rendered.startsWith("<|im_system|>tool_declare<|im_middle|>[{"), rendered);
        assertTrue(rendered.contains("\"name\":\"calculator\""), rendered);
        assertTrue(rendered.contains("<|im_assistant|>assistant<|im_middle|><|tool_calls_section_begin|>"
                + "<|tool_call_begin|>functions.calculator:0<|tool_call_argument_begin|>{\"expression\":\"2+2\"}"
                + "<|tool_call_end|><|tool_calls_section_end|><|im_end|>"), rendered);
        assertTrue(rendered.endsWith("<|im_system|>tool<|im_middle|>## Return of functions.calculator:0\n4<|im_end|>"
                + "<|im_assistant|>assistant<|im_middle|>"), rendered);
    }

    @Test
    void checkpointWithoutTemplateGetsChatMl(@TempDir Path dir) {
        ChatTemplate t = ChatTemplate.load(dir);
        assertEquals("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
                t.render(List.of(ChatMessage.of("user", "Hi")), List.of(), true));
    }

    @Test
    void trimAndLstripBlocksAsHuggingFace() {
        ChatTemplate t = new ChatTemplate("{% for m in messages %}\n    {{ m['content'] }}\n{% endfor %}", Map.of());
        assertEquals("    a\n    b\n", t.render(List.of(ChatMessage.of("user", "a"), ChatMessage.of("user", "b")), List.of(), false));
    }

    @Test
    void raiseExceptionRejectsTheRow() {
        ChatTemplate t = new ChatTemplate("{% if messages[0]['role'] != 'user' %}{{ raise_exception('first message must be the user') }}{% endif %}ok", Map.of());
        String message = assertThrows(IllegalArgumentException.class,
                () -> t.render(List.of(ChatMessage.of("assistant", "x")), List.of(), false)).getMessage();
        assertTrue(message.contains("first message must be the user"), message);
    }

    @Test
    void unknownRoleIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ChatMessage.of("robot", "x"));
    }

    // Row text is data: the sandbox's side of it. RealTemplatesTest's "jinja-in-data" case checks
    // that Jinja syntax in every part of a row renders verbatim through real templates.

    @Test
    void messageTextThatLooksLikeJinjaIsNotRenderedAgain() {
        ChatTemplate t = ChatTemplate.load(Samples.model("k2-tiny-chat"));
        for (String text : List.of("{{ 7*7 }}", "{% for i in range(3) %}x{% endfor %}", "Angular: {{ user.name | uppercase }}",
                "Hello {{ .Name }}!", "{{ raise_exception('boom') }}", "{% include '/etc/passwd' %}")) {
            String rendered = t.render(List.of(ChatMessage.of("user", text)), List.of(), false);
            assertEquals("<|im_user|>user<|im_middle|>" + text + "<|im_end|>", rendered);
        }
    }

    @Test
    void templateCannotIncludeFiles(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "SECRET");
        // a file on disk, and a resource Jinjava's default locator would find on the classpath
        for (String name : List.of(secret.toString(), "org/moebatch/chat/chatml.jinja")) {
            for (String tag : List.of("include", "import", "extends")) {
                ChatTemplate t = new ChatTemplate("a{% " + tag + " '" + name + "' %}b", Map.of());
                String message = assertThrows(IllegalArgumentException.class, () -> t.render(List.of(), List.of(), false),
                        tag + " " + name).getMessage();
                assertFalse(message.contains("SECRET") || message.contains("im_start"), message);
            }
        }
    }

    @Test
    void templateCannotRenderValuesAsTemplates() {
        ChatTemplate t = new ChatTemplate("{{ messages[0]['content'] | render }}", Map.of());
        assertThrows(IllegalArgumentException.class, () -> t.render(List.of(ChatMessage.of("user", "{{ 7*7 }}")), List.of(), false));
    }
}
