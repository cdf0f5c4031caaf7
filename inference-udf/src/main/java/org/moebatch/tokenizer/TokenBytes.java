package org.moebatch.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.moebatch.model.ModelException;

/**
 * The bytes behind each entry of a {@code tokenizer.json} vocabulary. Byte-level BPE (GPT-2,
 * Qwen, DeepSeek) spells bytes with printable stand-in characters; SentencePiece-style vocabularies
 * write spaces as U+2581 and raw bytes as {@code <0xNN>}.
 */
final class TokenBytes {
    private TokenBytes() {}

    static byte[][] read(Path tokenizerJson, Map<String, Integer> specials) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(tokenizerJson));
        } catch (IOException e) {
            throw new ModelException(tokenizerJson + ": cannot read: " + e.getMessage(), e);
        }
        JsonNode vocab = root.path("model").path("vocab");
        boolean byteLevel = mentions(root.path("pre_tokenizer"), "ByteLevel") || mentions(root.path("decoder"), "ByteLevel");
        int[] alphabet = byteAlphabetInverse();
        int size = 0;
        for (var it = vocab.fields(); it.hasNext();) {
            size = Math.max(size, it.next().getValue().asInt() + 1);
        }
        for (int id : specials.values()) {
            size = Math.max(size, id + 1);
        }
        byte[][] table = new byte[size][];
        for (var it = vocab.fields(); it.hasNext();) {
            var e = it.next();
            table[e.getValue().asInt()] = byteLevel ? fromAlphabet(e.getKey(), alphabet) : fromPieces(e.getKey());
        }
        specials.forEach((text, id) -> table[id] = text.getBytes(StandardCharsets.UTF_8));
        return table;
    }

    private static boolean mentions(JsonNode node, String type) {
        return node.toString().contains("\"" + type + "\"");
    }

    private static byte[] fromAlphabet(String token, int[] inverse) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            int b = c < inverse.length ? inverse[c] : -1;
            if (b < 0) {
                return token.getBytes(StandardCharsets.UTF_8); // not a byte-level spelling
            }
            out.write(b);
        }
        return out.toByteArray();
    }

    private static byte[] fromPieces(String token) {
        if (token.length() == 6 && token.startsWith("<0x") && token.endsWith(">")) {
            try {
                return new byte[] {(byte) Integer.parseInt(token.substring(3, 5), 16)};
            } catch (NumberFormatException e) {
                return token.getBytes(StandardCharsets.UTF_8);
            }
        }
        return token.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
    }

    /** GPT-2's byte-to-unicode table, inverted: stand-in character -> byte. */
    static int[] byteAlphabetInverse() {
        int[] inverse = new int[512];
        java.util.Arrays.fill(inverse, -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            if (printable) {
                inverse[b] = b;
            } else {
                inverse[256 + n] = b;
                n++;
            }
        }
        return inverse;
    }
}
