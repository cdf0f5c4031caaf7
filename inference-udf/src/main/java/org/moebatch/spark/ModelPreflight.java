package org.moebatch.spark;

import java.nio.file.Path;
import java.util.List;
import org.moebatch.chat.ChatMessage;
import org.moebatch.chat.ChatTemplate;
import org.moebatch.model.Checkpoint;
import org.moebatch.model.ModelException;
import org.moebatch.model.ModelSpec;
import org.moebatch.tokenizer.Tokenizer;

/**
 * A checkpoint opened on the driver without its weights: {@code config.json} read into a spec, every
 * safetensors header parsed, the tokenizer loaded and the chat template rendered once. A job opens it
 * before any Spark work, so a broken checkpoint stops the job once, in seconds, with the file and the
 * problem, instead of failing every task on every executor.
 *
 * @param dir       the checkpoint directory
 * @param spec      what {@code config.json} describes
 * @param tokenizer the checkpoint's tokenizer
 * @param template  the checkpoint's chat template (or ChatML)
 */
public record ModelPreflight(Path dir, ModelSpec spec, Tokenizer tokenizer, ChatTemplate template) implements AutoCloseable {

    /** Opens {@code dir}; a {@link ModelException} names the file and what is wrong with it. */
    public static ModelPreflight open(Path dir) {
        ModelSpec spec = ModelSpec.read(dir);
        Checkpoint.open(dir); // headers only: the mapped weights are never touched here
        ChatTemplate template = ChatTemplate.load(dir);
        try {
            template.render(List.of(ChatMessage.of("user", "Hello")), List.of(), true);
        } catch (IllegalArgumentException e) {
            throw new ModelException(dir + ": the chat template cannot render a one-message conversation: "
                    + e.getMessage(), e);
        }
        return new ModelPreflight(dir, spec, Tokenizer.load(dir), template);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
