package org.moebatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The JSON contract of {@code moe-batch logits}, checked against the PyTorch reference's golden file. */
class LogitsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SAMPLES = Defaults.home().resolve("data-samples");

    @Test
    void printsOneJsonObjectMatchingTheReference() throws Exception {
        JsonNode golden = JSON.readTree(Files.readString(SAMPLES.resolve("golden/deepseek-v3-tiny.json")));
        StringBuilder tokens = new StringBuilder();
        golden.get("tokens").forEach(t -> tokens.append(tokens.length() == 0 ? "" : ",").append(t.asInt()));
        CliRunner.Outcome run = CliRunner.run("logits", "--model", SAMPLES.resolve("models/deepseek-v3-tiny").toString(),
                "--tokens", tokens.toString(), "--steps", "8");
        assertEquals(0, run.exitCode(), run.stderr());
        JsonNode out = JSON.readTree(run.stdout());
        assertEquals(3, out.size(), "exactly tokens, greedy, logits");
        assertEquals(golden.get("tokens"), out.get("tokens"));
        assertEquals(golden.get("greedy"), out.get("greedy"));
        assertEquals(9, out.get("logits").size(), "steps + 1 logit vectors");
        for (int s = 0; s < 9; s++) {
            for (int v = 0; v < 384; v++) {
                double e = golden.get("logits").get(s).get(v).asDouble();
                double a = out.get("logits").get(s).get(v).asDouble();
                assertTrue(Math.abs(e - a) <= 2e-2, "step " + s + " logit " + v);
            }
        }
        assertEquals(1, run.stdout().strip().lines().count(), "one line on stdout, logs elsewhere");
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} loads with no option")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"kimi-k2-fp8-tiny", "kimi-k2-int4-tiny"})
    void quantisedCheckpointsLoadWithNoOption(String model) throws Exception {
        // FP8 block-scaled and INT4 compressed-tensors: config.json's quantization_config is all it takes.
        JsonNode golden = JSON.readTree(Files.readString(SAMPLES.resolve("golden/" + model + ".json")));
        StringBuilder tokens = new StringBuilder();
        golden.get("tokens").forEach(t -> tokens.append(tokens.length() == 0 ? "" : ",").append(t.asInt()));
        CliRunner.Outcome run = CliRunner.run("logits", "--model", SAMPLES.resolve("models/" + model).toString(),
                "--tokens", tokens.toString(), "--steps", "2");
        assertEquals(0, run.exitCode(), run.stderr());
        JsonNode out = JSON.readTree(run.stdout());
        assertEquals(3, out.get("logits").size());
        for (int s = 0; s < 3; s++) {
            for (int v = 0; v < golden.get("logits").get(s).size(); v++) {
                double e = golden.get("logits").get(s).get(v).asDouble();
                double a = out.get("logits").get(s).get(v).asDouble();
                assertTrue(Math.abs(e - a) <= 1e-4, model + " step " + s + " logit " + v + ": " + a + " vs " + e);
            }
        }
    }

    @Test
    void defaultsWorkWithoutOptions() throws Exception {
        CliRunner.Outcome run = CliRunner.run("logits");
        assertEquals(0, run.exitCode(), run.stderr());
        JsonNode out = JSON.readTree(run.stdout());
        assertEquals(1, out.get("logits").size());
        assertEquals(0, out.get("greedy").size());
    }

    @Test
    void badInputIsOneClearLineAndAFailingExitCode() {
        CliRunner.Outcome outOfVocabulary = CliRunner.run("logits", "--tokens", "1,100000");
        assertEquals(2, outOfVocabulary.exitCode(), "bad input: the command never ran");
        assertTrue(outOfVocabulary.stderr().contains("token 100000 at index 1 is outside the vocabulary"), outOfVocabulary.stderr());
        assertEquals("", outOfVocabulary.stdout());

        CliRunner.Outcome noModel = CliRunner.run("logits", "--model", "/does/not/exist");
        assertEquals(2, noModel.exitCode());
        assertTrue(noModel.stderr().contains("'--model': /does/not/exist: no such directory"), noModel.stderr());

        CliRunner.Outcome negative = CliRunner.run("logits", "--steps", "-1");
        assertEquals(2, negative.exitCode());
        assertTrue(negative.stderr().contains("'--steps': -1 must be 0 or more"), negative.stderr());

        CliRunner.Outcome notANumber = CliRunner.run("logits", "--tokens", "x");
        assertEquals(2, notANumber.exitCode(), "a usage error");
    }
}
