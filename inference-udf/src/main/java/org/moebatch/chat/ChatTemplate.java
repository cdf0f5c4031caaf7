package org.moebatch.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.moebatch.model.ModelException;

/**
 * The checkpoint's own Jinja chat template, rendered with Jinjava the way Hugging Face's
 * {@code apply_chat_template} renders it with Python's Jinja2 ({@link JinjaCompat}): the variables
 * {@code messages}, {@code tools}, {@code add_generation_prompt} and the special tokens of
 * {@code tokenizer_config.json} ({@code bos_token}, {@code eos_token}, ...).
 *
 * <p>The template comes from {@code chat_template.jinja} when the directory has one, else from
 * {@code tokenizer_config.json}'s {@code chat_template}. A checkpoint without either gets
 * {@link #DEFAULT}, a ChatML layout.
 */
public final class ChatTemplate {
    /** For checkpoints that ship no template: ChatML, {@code <|im_start|>role\ncontent<|im_end|>\n}. */
    public static final String DEFAULT = resource("chatml.jinja");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String source;
    private final String compiledSource;
    private final Map<String, Object> specialTokens;
    private final Jinjava jinjava;

    public ChatTemplate(String source, Map<String, Object> specialTokens) {
        this.source = source;
        this.compiledSource = JinjaCompat.rewriteSlices(source);
        this.specialTokens = Map.copyOf(specialTokens);
        this.jinjava = JinjaCompat.create();
    }

    /** Called by templates as {@code raise_exception('...')}: the row is malformed for this model. */
    public static String raiseException(String message) {
        throw new IllegalArgumentException("chat template: " + message);
    }

    private static String resource(String name) {
        try (InputStream in = ChatTemplate.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ChatTemplate load(Path modelDir) {
        Path jinja = modelDir.resolve("chat_template.jinja");
        Path config = modelDir.resolve("tokenizer_config.json");
        Map<String, Object> tokens = new HashMap<>();
        String source = null;
        try {
            if (Files.exists(config)) {
                JsonNode c = JSON.readTree(Files.readString(config));
                for (String key : List.of("bos_token", "eos_token", "pad_token", "unk_token")) {
                    JsonNode v = c.get(key);
                    if (v != null && v.isTextual()) {
                        tokens.put(key, v.asText());
                    } else if (v != null && v.has("content")) {
                        tokens.put(key, v.get("content").asText());
                    }
                }
                JsonNode t = c.get("chat_template");
                if (t != null && t.isTextual()) {
                    source = t.asText();
                } else if (t != null && t.isArray() && t.size() > 0) {
                    // a list of named templates: take "default", else the first
                    source = t.get(0).path("template").asText();
                    for (JsonNode named : t) {
                        if ("default".equals(named.path("name").asText())) {
                            source = named.path("template").asText();
                        }
                    }
                }
            }
            if (Files.exists(jinja)) {
                source = Files.readString(jinja);
            }
        } catch (IOException e) {
            throw new ModelException(modelDir + ": cannot read the chat template: " + e.getMessage(), e);
        }
        return new ChatTemplate(source != null ? source : DEFAULT, tokens);
    }

    public String source() {
        return source;
    }

    /**
     * Renders a conversation. {@code tools} are OpenAI-format tool declarations
     * ({@code {"type": "function", "function": {...}}}) or empty.
     */
    public String render(List<ChatMessage> messages, List<JsonNode> tools, boolean addGenerationPrompt) {
        Map<String, Object> context = new HashMap<>(specialTokens);
        List<Map<String, Object>> values = new ArrayList<>();
        for (ChatMessage m : messages) {
            values.add(m.asTemplateValue());
        }
        context.put("messages", values);
        if (tools != null && !tools.isEmpty()) {
            List<Object> plain = new ArrayList<>();
            for (JsonNode t : tools) {
                plain.add(JSON.convertValue(t, Object.class));
            }
            context.put("tools", plain);
        }
        context.put("add_generation_prompt", addGenerationPrompt);
        RenderResult result = jinjava.renderForResult(compiledSource, context);
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                String message = error.getMessage();
                // raise_exception's own message lies somewhere down the cause chain of Jinjava's wrapper
                for (Throwable t = error.getException(); t != null; t = t.getCause()) {
                    if (t.getMessage() != null && t.getMessage().startsWith("chat template: ")) {
                        throw new IllegalArgumentException(t.getMessage());
                    }
                }
                throw new IllegalArgumentException("chat template failed: " + message);
            }
        }
        return result.getOutput();
    }
}
