package org.moebatch.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moebatch.model.ModelException;
import org.moebatch.testing.Samples;

/** The default model's byte-level tokenizer, through the real Hugging Face tokenizers library. */
class HuggingFaceTokenizerTest {
    @Test
    void everyUtf8ByteIsOneTokenAndSpecialTokensAreSingleIds() {
        try (Tokenizer t = Tokenizer.load(Samples.model("k2-tiny-chat"))) {
            String text = "Xin chào 👋 日本";
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            int[] ids = t.encode(text);
            assertEquals(bytes.length, ids.length);
            for (int i = 0; i < bytes.length; i++) {
                assertEquals(bytes[i] & 0xFF, ids[i], "byte " + i);
            }
            assertEquals(text, t.decode(ids));
            int imEnd = t.specialTokenId("<|im_end|>").getAsInt();
            assertEquals(258, imEnd);
            assertArrayEquals(new int[] {'a', imEnd, 'b'}, t.encode("a<|im_end|>b"));
            assertEquals("a<|im_end|>b", t.decode(new int[] {'a', imEnd, 'b'}));
            assertTrue(t.specialTokens().containsKey("<|tool_calls_section_begin|>"));
        }
    }

    @Test
    void brokenTokenizerFileIsAClearError(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"Nonsense\"}}");
        String message = assertThrows(ModelException.class, () -> Tokenizer.load(dir)).getMessage();
        assertTrue(message.contains("tokenizer.json"), message);
        Files.delete(dir.resolve("tokenizer.json"));
        message = assertThrows(ModelException.class, () -> Tokenizer.load(dir)).getMessage();
        assertTrue(message.contains("no tokenizer.json"), message);
    }
}
