package org.moebatch.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moebatch.backend.CpuBackend;
import org.moebatch.testing.SafetensorsWriter;
import org.moebatch.testing.Samples;

class CheckpointTest {
    @TempDir
    Path dir;

    private Path copyOf(String model) throws IOException {
        Path target = dir.resolve(model);
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(Samples.model(model))) {
            for (Path f : files.toList()) {
                Files.copy(f, target.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return target;
    }

    @Test
    void shardedCheckpointFindsTensorsInEveryShard() {
        Checkpoint c = Checkpoint.open(Samples.model("deepseek-v3-tiny"));
        assertEquals(2, c.files().size());
        assertTrue(c.has("model.embed_tokens.weight"));
        assertTrue(c.has("lm_head.weight"));
    }

    @Test
    void missingShardIsNamed() throws IOException {
        Path model = copyOf("deepseek-v3-tiny");
        Files.delete(model.resolve("model-00002-of-00002.safetensors"));
        String message = assertThrows(ModelException.class, () -> Checkpoint.open(model)).getMessage();
        assertTrue(message.contains("model-00002-of-00002.safetensors is missing"), message);
    }

    @Test
    void missingTensorNamesTheTensor() throws IOException {
        Path model = copyOf("kimi-k2-tiny");
        new SafetensorsWriter().f32("model.embed_tokens.weight", new long[] {512, 64}, new float[512 * 64])
                .write(model.resolve("model.safetensors"));
        try (CpuBackend be = new CpuBackend(1)) {
            String message = assertThrows(ModelException.class, () -> MoeModel.load(model, be)).getMessage();
            assertTrue(message.contains("missing tensor model.layers.0.input_layernorm.weight"), message);
        }
    }

    @Test
    void tensorWhoseShapeDisagreesWithTheConfig() throws IOException {
        Path model = copyOf("kimi-k2-tiny");
        String config = Files.readString(model.resolve("config.json")).replace("\"vocab_size\": 512", "\"vocab_size\": 500");
        Files.writeString(model.resolve("config.json"), config);
        try (CpuBackend be = new CpuBackend(1)) {
            String message = assertThrows(ModelException.class, () -> MoeModel.load(model, be)).getMessage();
            assertTrue(message.contains("model.embed_tokens.weight has shape [512, 64]")
                    && message.contains("[500, 64]"), message);
        }
    }

    @Test
    void directoryWithoutWeights() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{}");
        String message = assertThrows(ModelException.class, () -> Checkpoint.open(dir)).getMessage();
        assertTrue(message.contains("no .safetensors files"), message);
        message = assertThrows(ModelException.class, () -> Checkpoint.open(dir.resolve("nope"))).getMessage();
        assertTrue(message.contains("does not exist"), message);
    }
}
