package org.moebatch.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.moebatch.model.ModelException;

/**
 * A tiktoken byte-pair encoder, the tokenizer of Kimi K2 and Moonlight: {@code tiktoken.model} holds
 * one {@code base64(token bytes) rank} line per token, the rank being the token id; special tokens
 * and their ids come from {@code tokenizer_config.json}'s {@code added_tokens_decoder}. Text is split
 * at special tokens, then by the pre-tokenizer pattern, and each piece is merged pairwise, lowest
 * rank first, as OpenAI's tiktoken does.
 */
public final class TiktokenTokenizer implements Tokenizer {
    /**
     * Kimi K2's pre-tokenizer pattern ({@code tokenization_kimi.py}), in Java regex syntax: runs of Han
     * characters, words with their leading punctuation and English contractions, numbers of up to
     * three digits, punctuation runs, newlines, spaces.
     */
    public static final String KIMI_PATTERN = String.join("|",
            "[\\p{IsHan}]+",
            "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}&&[^\\p{IsHan}]]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}&&[^\\p{IsHan}]]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
            "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}&&[^\\p{IsHan}]]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}&&[^\\p{IsHan}]]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
            "\\p{N}{1,3}",
            " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*",
            "\\s*[\\r\\n]+",
            "\\s+(?!\\S)",
            "\\s+");

    /** A byte string usable as a map key. */
    private record Bytes(byte[] b) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes && Arrays.equals(b, ((Bytes) o).b);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(b);
        }
    }

    private final Map<Bytes, Integer> ranks;
    private final byte[][] tokenBytes;
    private final Pattern pattern;
    private final Map<String, Integer> specials;
    private final Pattern specialSplit;

    private TiktokenTokenizer(Map<Bytes, Integer> ranks, Pattern pattern, Map<String, Integer> specials) {
        this.ranks = ranks;
        this.pattern = pattern;
        this.specials = Collections.unmodifiableMap(specials);
        int size = 0;
        for (int id : ranks.values()) {
            size = Math.max(size, id + 1);
        }
        for (int id : specials.values()) {
            size = Math.max(size, id + 1);
        }
        tokenBytes = new byte[size][];
        ranks.forEach((k, id) -> tokenBytes[id] = k.b());
        specials.forEach((text, id) -> tokenBytes[id] = text.getBytes(StandardCharsets.UTF_8));
        List<String> ordered = new ArrayList<>(specials.keySet());
        ordered.sort(Comparator.comparingInt(String::length).reversed()); // longest first
        specialSplit = ordered.isEmpty() ? null
                : Pattern.compile(String.join("|", ordered.stream().map(Pattern::quote).toList()));
    }

    /**
     * Reads {@code dir/tiktoken.model} and the special tokens of {@code dir/tokenizer_config.json};
     * the pattern is Kimi K2's unless the config names another as {@code tiktoken_pattern}.
     */
    public static TiktokenTokenizer load(Path dir) {
        Path model = dir.resolve("tiktoken.model");
        Map<Bytes, Integer> ranks = new HashMap<>();
        try {
            int lineNumber = 0;
            for (String line : Files.readAllLines(model, StandardCharsets.US_ASCII)) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                int space = line.indexOf(' ');
                if (space < 0) {
                    throw new ModelException(model + ": line " + lineNumber + " is not \"base64 rank\"");
                }
                try {
                    ranks.put(new Bytes(Base64.getDecoder().decode(line.substring(0, space))),
                            Integer.parseInt(line.substring(space + 1).trim()));
                } catch (IllegalArgumentException e) {
                    throw new ModelException(model + ": line " + lineNumber + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new ModelException(model + ": cannot read: " + e.getMessage(), e);
        }
        Map<String, Integer> specials = new LinkedHashMap<>();
        String patternText = KIMI_PATTERN;
        Path config = dir.resolve("tokenizer_config.json");
        if (Files.exists(config)) {
            try {
                JsonNode c = new ObjectMapper().readTree(Files.readString(config));
                c.path("added_tokens_decoder").fields().forEachRemaining(
                        e -> specials.put(e.getValue().path("content").asText(), Integer.parseInt(e.getKey())));
                if (c.hasNonNull("tiktoken_pattern")) {
                    patternText = c.get("tiktoken_pattern").asText();
                }
            } catch (IOException | NumberFormatException e) {
                throw new ModelException(config + ": cannot read the special tokens: " + e.getMessage(), e);
            }
        }
        Pattern pattern;
        try {
            pattern = Pattern.compile(patternText, Pattern.UNICODE_CHARACTER_CLASS);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new ModelException(config + ": tiktoken_pattern is not a valid regular expression: " + e.getDescription());
        }
        return new TiktokenTokenizer(ranks, pattern, specials);
    }

    @Override
    public int[] encode(String text) {
        List<Integer> ids = new ArrayList<>();
        int at = 0;
        if (specialSplit != null) {
            Matcher m = specialSplit.matcher(text);
            while (m.find()) {
                encodeOrdinary(text.substring(at, m.start()), ids);
                ids.add(specials.get(m.group()));
                at = m.end();
            }
        }
        encodeOrdinary(text.substring(at), ids);
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    private void encodeOrdinary(String text, List<Integer> ids) {
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            byte[] piece = m.group().getBytes(StandardCharsets.UTF_8);
            Integer whole = ranks.get(new Bytes(piece));
            if (whole != null) {
                ids.add(whole);
            } else {
                bytePairMerge(piece, ids);
            }
        }
    }

    /** tiktoken's merge: join the adjacent pair of lowest rank until no pair is a token. */
    private void bytePairMerge(byte[] piece, List<Integer> ids) {
        List<Integer> bounds = new ArrayList<>();
        for (int i = 0; i <= piece.length; i++) {
            bounds.add(i);
        }
        while (bounds.size() > 2) {
            int bestRank = Integer.MAX_VALUE;
            int best = -1;
            for (int i = 0; i + 2 < bounds.size(); i++) {
                Integer rank = ranks.get(new Bytes(Arrays.copyOfRange(piece, bounds.get(i), bounds.get(i + 2))));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            bounds.remove(best + 1);
        }
        for (int i = 0; i + 1 < bounds.size(); i++) {
            Integer rank = ranks.get(new Bytes(Arrays.copyOfRange(piece, bounds.get(i), bounds.get(i + 1))));
            if (rank == null) {
                throw new IllegalStateException("byte " + (piece[bounds.get(i)] & 0xFF) + " has no token: incomplete ranks");
            }
            ids.add(rank);
        }
    }

    @Override
    public String decode(int[] ids) {
        ByteBuffer bytes = ByteBuffer.allocate(ids.length * 16);
        for (int id : ids) {
            byte[] b = id >= 0 && id < tokenBytes.length ? tokenBytes[id] : null;
            if (b == null) {
                throw new IllegalArgumentException("token id " + id + " is not in the vocabulary");
            }
            if (bytes.remaining() < b.length) {
                ByteBuffer bigger = ByteBuffer.allocate(bytes.capacity() * 2 + b.length);
                bytes.flip();
                bigger.put(bytes);
                bytes = bigger;
            }
            bytes.put(b);
        }
        bytes.flip();
        try {
            // invalid UTF-8 (a multi-byte character cut between tokens) becomes U+FFFD, as tiktoken's errors="replace"
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public byte[] tokenBytes(int id) {
        return id >= 0 && id < tokenBytes.length ? tokenBytes[id] : null;
    }

    @Override
    public Map<String, Integer> specialTokens() {
        return specials;
    }

    @Override
    public void close() {}
}
