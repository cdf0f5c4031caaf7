package org.moebatch.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import org.moebatch.model.ModelException;

/**
 * Text to token ids and back, as the checkpoint's own tokenizer does it. Special tokens written in
 * the text (as chat templates write them) encode to their single ids; nothing is added around the
 * text. Implementations are thread-safe.
 */
public interface Tokenizer extends AutoCloseable {
    int[] encode(String text);

    /** The text of {@code ids}; special tokens are kept as their text. */
    String decode(int[] ids);

    /** The id of a special or added token such as {@code <|im_end|>}. */
    default OptionalInt specialTokenId(String token) {
        Integer id = specialTokens().get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** Every special token, by text. */
    Map<String, Integer> specialTokens();

    /**
     * The bytes token {@code id} stands for (UTF-8 text, possibly part of a character), or null for
     * an id outside the vocabulary. Special tokens give their text. Constrained decoding checks
     * candidate tokens byte by byte with these.
     */
    byte[] tokenBytes(int id);

    @Override
    void close();

    /**
     * The tokenizer of a checkpoint directory: {@code tokenizer.json} (Hugging Face tokenizers), or
     * {@code tiktoken.model} (Kimi K2, Moonlight).
     */
    static Tokenizer load(Path modelDir) {
        Path json = modelDir.resolve("tokenizer.json");
        if (Files.exists(json)) {
            return HuggingFaceTokenizer.load(json);
        }
        if (Files.exists(modelDir.resolve("tiktoken.model"))) {
            return TiktokenTokenizer.load(modelDir);
        }
        throw new ModelException(modelDir + ": no tokenizer.json or tiktoken.model in the model directory");
    }
}
