package org.moebatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.moebatch.cuda.CudaDevices;
import org.moebatch.cuda.PtxResources;

/** {@code --device cuda}: one clear line where there is no GPU; the golden logits where there is one. */
class CudaDeviceOptionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SAMPLES = Defaults.home().resolve("data-samples");

    @Test
    void withoutAGpuTheCommandFailsWithOneLineSayingSo() {
        assumeTrue(!CudaDevices.available(), "this machine has a CUDA device");
        CliRunner.Outcome run = CliRunner.run("logits", "--device", "cuda");
        assertEquals(1, run.exitCode());
        assertTrue(run.stderr().contains("logits: no CUDA device: "), run.stderr());
        assertEquals("", run.stdout());
    }

    @Test
    void aMalformedDeviceIsRefusedByName() {
        // refused when parsed: a usage error naming the option, before any model is opened
        CliRunner.Outcome run = CliRunner.run("logits", "--device", "cuda:first");
        assertEquals(2, run.exitCode());
        assertTrue(run.stderr().contains("'--device': \"cuda:first\" is not a device (cpu, cpu-reference, cuda, cuda:N"), run.stderr());
        CliRunner.Outcome other = CliRunner.run("logits", "--device", "tpu");
        assertEquals(2, other.exitCode());
        assertTrue(other.stderr().contains("'--device': \"tpu\" is not a device"), other.stderr());
        assertEquals(1, other.stderr().strip().lines().count(), other.stderr());
    }

    @Test
    @Tag("gpu")
    void logitsOnTheGpuMatchTheReference() throws Exception {
        assumeTrue(CudaDevices.available(), "no CUDA device: " + CudaDevices.probe().reason());
        assumeTrue(PtxResources.status().built(), "kernels not built: " + PtxResources.status().detail());
        JsonNode golden = JSON.readTree(Files.readString(SAMPLES.resolve("golden/deepseek-v3-tiny.json")));
        StringBuilder tokens = new StringBuilder();
        golden.get("tokens").forEach(t -> tokens.append(tokens.length() == 0 ? "" : ",").append(t.asInt()));
        CliRunner.Outcome run = CliRunner.run("logits", "--device", "cuda", "--model",
                SAMPLES.resolve("models/deepseek-v3-tiny").toString(), "--tokens", tokens.toString(), "--steps", "8");
        assertEquals(0, run.exitCode(), run.stderr());
        JsonNode out = JSON.readTree(run.stdout());
        assertEquals(golden.get("greedy"), out.get("greedy"));
        for (int s = 0; s < 9; s++) {
            for (int v = 0; v < 384; v++) {
                double e = golden.get("logits").get(s).get(v).asDouble();
                double a = out.get("logits").get(s).get(v).asDouble();
                assertTrue(Math.abs(e - a) <= 2e-2, "step " + s + " logit " + v + ": " + a + " against " + e);
            }
        }
    }
}
