package org.moebatch.chat;

import java.util.Arrays;
import java.util.List;
import org.moebatch.engine.GenerationRequest;
import org.moebatch.tokenizer.Tokenizer;

/**
 * Watches a row's tokens for its stop strings, decoding only a short tail of recent tokens per
 * step. The completion is later cut before the first stop string, as OpenAI's API cuts it.
 */
final class StopStrings implements GenerationRequest.TokenObserver {
    private final Tokenizer tokenizer;
    private final List<String> stops;
    private final int window;
    private int[] recent = new int[16];
    private int count;

    StopStrings(Tokenizer tokenizer, List<String> stops) {
        this.tokenizer = tokenizer;
        this.stops = stops;
        int longest = stops.stream().mapToInt(String::length).max().orElse(0);
        // a token is at least one byte of text: this many tokens always cover the longest stop
        this.window = 4 * longest + 4;
    }

    @Override
    public boolean onToken(int token) {
        if (count == recent.length) {
            recent = Arrays.copyOf(recent, recent.length * 2);
        }
        recent[count++] = token;
        String tail = tokenizer.decode(Arrays.copyOfRange(recent, Math.max(0, count - window), count));
        for (String stop : stops) {
            if (tail.contains(stop)) {
                return true;
            }
        }
        return false;
    }

    /** {@code text} cut before the earliest stop string, if any occurs. */
    static String cut(String text, List<String> stops) {
        int end = text.length();
        for (String stop : stops) {
            int at = text.indexOf(stop);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        return text.substring(0, end);
    }
}
