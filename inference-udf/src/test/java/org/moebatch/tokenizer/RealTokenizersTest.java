package org.moebatch.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moebatch.model.ModelException;
import org.moebatch.testing.Samples;

/**
 * Real tokenizer files (Qwen3's and DeepSeek-V3's tokenizer.json, OpenAI's cl100k_base ranks in
 * the tiktoken.model format of Kimi K2) against ids from independent implementations
 * (@lenml/tokenizers and js-tiktoken on node): CJK, Vietnamese, emoji, code, whitespace runs.
 */
class RealTokenizersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static JsonNode expected;

    @TempDir
    static Path unpacked;

    @BeforeAll
    static void read() throws IOException {
        expected = JSON.readTree(Files.readString(Samples.dir().resolve("tokenizers/expected-ids.json")));
    }

    private static Path unpack(String name) throws IOException {
        Path dir = unpacked.resolve(name);
        Files.createDirectories(dir);
        Path source = Samples.dir().resolve("tokenizers").resolve(name);
        try (InputStream in = new GZIPInputStream(Files.newInputStream(source.resolve("tokenizer.json.gz")));
                OutputStream out = Files.newOutputStream(dir.resolve("tokenizer.json"))) {
            in.transferTo(out);
        }
        return dir;
    }

    private static void assertIds(Tokenizer t, String name) {
        JsonNode texts = expected.get("texts");
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i).asText();
            JsonNode ids = expected.get(name).get(i);
            int[] want = new int[ids.size()];
            for (int j = 0; j < want.length; j++) {
                want[j] = ids.get(j).asInt();
            }
            int[] got = t.encode(text);
            assertArrayEquals(want, got, name + " text " + i + ": " + text);
            assertEquals(text, t.decode(got), name + " round trip of text " + i);
        }
    }

    @Test
    void qwen3TokenizerJson() throws IOException {
        try (Tokenizer t = Tokenizer.load(unpack("qwen3"))) {
            assertIds(t, "qwen3");
            assertEquals(151645, t.specialTokenId("<|im_end|>").getAsInt());
        }
    }

    @Test
    void deepseekV3TokenizerJson() throws IOException {
        try (Tokenizer t = Tokenizer.load(unpack("deepseek-v3"))) {
            assertIds(t, "deepseek-v3");
        }
    }

    @Test
    void tiktokenRanksWithTheirPattern() {
        TiktokenTokenizer t = TiktokenTokenizer.load(Samples.dir().resolve("tokenizers/cl100k"));
        assertIds(t, "cl100k_base");
        assertEquals(100257, t.specialTokenId("<|endoftext|>").getAsInt());
        assertArrayEquals(new int[] {9906, 100257, 1917}, t.encode("Hello<|endoftext|> world"), "specials split first");
    }

    @Test
    void kimiPatternSplitsHanRunsAndContractions() {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile(TiktokenTokenizer.KIMI_PATTERN,
                java.util.regex.Pattern.UNICODE_CHARACTER_CLASS);
        java.util.List<String> pieces = new java.util.ArrayList<>();
        java.util.regex.Matcher m = p.matcher("I'm here:中文文本 12345\n\n  x");
        while (m.find()) {
            pieces.add(m.group());
        }
        assertEquals(java.util.List.of("I'm", " here", ":", "中文文本", " ", "123", "45", "\n\n", " ", " x"), pieces);
    }

    @Test
    void malformedTiktokenFileNamesTheLine(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tiktoken.model"), "IQ== 0\nnot-base64!! 1\n");
        String message = assertThrows(ModelException.class, () -> TiktokenTokenizer.load(dir)).getMessage();
        assertTrue(message.contains("line 2"), message);
        Files.writeString(dir.resolve("tiktoken.model"), "IQ==\n");
        message = assertThrows(ModelException.class, () -> TiktokenTokenizer.load(dir)).getMessage();
        assertTrue(message.contains("line 1 is not \"base64 rank\""), message);
    }
}
