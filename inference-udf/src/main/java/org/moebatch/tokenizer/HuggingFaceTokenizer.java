package org.moebatch.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.moebatch.model.ModelException;

/**
 * A {@code tokenizer.json} run by Hugging Face's own tokenizers library (Rust), through DJL's
 * binding, whose native library ships inside its jar: byte-for-byte the tokenization of the
 * model's authors.
 */
public final class HuggingFaceTokenizer implements Tokenizer {
    private final ai.djl.huggingface.tokenizers.HuggingFaceTokenizer delegate;
    private final Map<String, Integer> specials;
    private final Path file;
    private volatile byte[][] tokenBytes;

    private HuggingFaceTokenizer(ai.djl.huggingface.tokenizers.HuggingFaceTokenizer delegate, Map<String, Integer> specials,
            Path file) {
        this.delegate = delegate;
        this.specials = specials;
        this.file = file;
    }

    public static HuggingFaceTokenizer load(Path tokenizerJson) {
        Map<String, Integer> specials = new LinkedHashMap<>();
        try {
            JsonNode root = new ObjectMapper().readTree(Files.readString(tokenizerJson));
            JsonNode added = root == null ? null : root.get("added_tokens");
            if (added != null && added.isArray()) {
                for (JsonNode t : added) {
                    specials.put(t.path("content").asText(), t.path("id").asInt());
                }
            }
        } catch (IOException e) {
            throw new ModelException(tokenizerJson + ": cannot read: " + e.getMessage(), e);
        }
        Map<String, String> options = Map.of(
                "addSpecialTokens", "false",
                "truncation", "false",
                "padding", "false",
                "modelMaxLength", String.valueOf(Integer.MAX_VALUE));
        try {
            var tokenizer = ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.newInstance(tokenizerJson, options);
            return new HuggingFaceTokenizer(tokenizer, Collections.unmodifiableMap(specials), tokenizerJson);
        } catch (IOException | RuntimeException e) {
            throw new ModelException(tokenizerJson + ": not a usable tokenizer: " + e.getMessage(), e);
        }
    }

    @Override
    public int[] encode(String text) {
        long[] ids = delegate.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        long[] wide = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            wide[i] = ids[i];
        }
        return delegate.decode(wide, false);
    }

    @Override
    public byte[] tokenBytes(int id) {
        byte[][] table = tokenBytes;
        if (table == null) {
            synchronized (this) {
                if (tokenBytes == null) {
                    tokenBytes = TokenBytes.read(file, specials);
                }
                table = tokenBytes;
            }
        }
        return id >= 0 && id < table.length ? table[id] : null;
    }

    @Override
    public Map<String, Integer> specialTokens() {
        return specials;
    }

    @Override
    public void close() {
        delegate.close();
    }
}
