package org.moebatch.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import org.moebatch.chat.ChatRequest;
import org.moebatch.chat.ChatRunner;
import org.moebatch.engine.GenerationRequest;
import org.moebatch.engine.LogitsProcessor;
import org.moebatch.tools.AgentLoop;

/**
 * A test-only source of the model's output: for row {@code id} at agent step {@code n} it forces the
 * tokens of the n-th scripted text (then the end-of-turn token) by masking every other logit. The
 * model still runs every step, and tokenizer, template, parser, tools, MCP process, Spark and
 * Parquet are all real; only what the random-weight model would say is decided by the script.
 * Scripts are a JSON object {id: [text of turn 0, text of turn 1, ...]} in the file named by the
 * system property {@code moe.test.scripts}.
 */
public final class ScriptedDecoder implements AgentLoop.TurnDecoding {
    private final ChatRunner runner;
    private final JsonNode scripts;

    public ScriptedDecoder(ChatRunner runner) {
        this.runner = runner;
        try {
            this.scripts = new ObjectMapper().readTree(Files.readString(Paths.get(System.getProperty("moe.test.scripts"))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public ChatRunner.Decoding forTurn(ChatRequest request, int step, List<JsonNode> tools) {
        JsonNode turns = scripts.path(request.id());
        String text = step < turns.size() ? turns.get(step).asText() : "";
        int[] body = runner.tokenizer().encode(text);
        int[] forced = Arrays.copyOf(body, body.length + 1);
        forced[body.length] = runner.engine().model().spec().eosTokenIds().get(0);
        Forced f = new Forced(forced);
        return new ChatRunner.Decoding(f, f);
    }

    /** Allows exactly the next scripted token. */
    private static final class Forced implements GenerationRequest.TokenObserver, LogitsProcessor {
        private final int[] tokens;
        private int at;

        Forced(int[] tokens) {
            this.tokens = tokens;
        }

        @Override
        public void process(float[] logits, int offset, int vocab) {
            int next = tokens[Math.min(at, tokens.length - 1)];
            Arrays.fill(logits, offset, offset + vocab, Float.NEGATIVE_INFINITY);
            logits[offset + next] = 0f;
        }

        @Override
        public boolean onToken(int token) {
            at++;
            return false;
        }
    }
}
