package org.moebatch.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.moebatch.model.ModelSpec;

/**
 * Writes a random-weight checkpoint in the Hugging Face layout for any config, so tests can run
 * architectures of every shape without a model hub.
 */
public final class RandomCheckpoint {
    private RandomCheckpoint() {}

    public static void write(Path dir, ObjectNode config, boolean bf16, long seed) {
        ModelSpec spec = ModelSpec.fromConfig(config);
        RandomTensors r = new RandomTensors(seed);
        SafetensorsWriter w = new SafetensorsWriter();
        int h = spec.hidden();
        tensor(w, bf16, "model.embed_tokens.weight", spec.vocabSize(), h, r, 1f);
        for (int i = 0; i < spec.layers(); i++) {
            String p = "model.layers." + i + ".";
            norm(w, p + "input_layernorm.weight", h, r);
            norm(w, p + "post_attention_layernorm.weight", h, r);
            String a = p + "self_attn.";
            int qOut = spec.heads() * spec.qkHeadDim();
            if (spec.qLoraRank() > 0) {
                linear(w, bf16, a + "q_a_proj.weight", spec.qLoraRank(), h, r);
                norm(w, a + "q_a_layernorm.weight", spec.qLoraRank(), r);
                linear(w, bf16, a + "q_b_proj.weight", qOut, spec.qLoraRank(), r);
            } else {
                linear(w, bf16, a + "q_proj.weight", qOut, h, r);
            }
            linear(w, bf16, a + "kv_a_proj_with_mqa.weight", spec.kvLoraRank() + spec.qkRopeHeadDim(), h, r);
            norm(w, a + "kv_a_layernorm.weight", spec.kvLoraRank(), r);
            linear(w, bf16, a + "kv_b_proj.weight", spec.heads() * (spec.qkNopeHeadDim() + spec.vHeadDim()), spec.kvLoraRank(), r);
            linear(w, bf16, a + "o_proj.weight", h, spec.heads() * spec.vHeadDim(), r);
            String m = p + "mlp.";
            if (spec.isMoeLayer(i)) {
                linear(w, bf16, m + "gate.weight", spec.routedExperts(), h, r);
                if (spec.usesCorrectionBias()) {
                    w.f32(m + "gate.e_score_correction_bias", new long[] {spec.routedExperts()}, r.floats(spec.routedExperts(), 0.05f));
                }
                for (int e = 0; e < spec.routedExperts(); e++) {
                    mlp(w, bf16, m + "experts." + e + ".", h, spec.moeIntermediate(), r);
                }
                if (spec.sharedExperts() > 0) {
                    mlp(w, bf16, m + "shared_experts.", h, spec.sharedIntermediate(), r);
                }
            } else {
                mlp(w, bf16, m, h, spec.intermediate(), r);
            }
        }
        norm(w, "model.norm.weight", h, r);
        if (!spec.tieWordEmbeddings()) {
            linear(w, bf16, "lm_head.weight", spec.vocabSize(), h, r);
        }
        writeFiles(dir, config, w);
    }

    /** Writes {@code config.json} and {@code model.safetensors} (the writer's tensors) into {@code dir}. */
    public static void writeFiles(Path dir, ObjectNode config, SafetensorsWriter w) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("config.json"), config.toPrettyString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        w.write(dir.resolve("model.safetensors"));
    }

    private static void mlp(SafetensorsWriter w, boolean bf16, String p, int hidden, int width, RandomTensors r) {
        linear(w, bf16, p + "gate_proj.weight", width, hidden, r);
        linear(w, bf16, p + "up_proj.weight", width, hidden, r);
        linear(w, bf16, p + "down_proj.weight", hidden, width, r);
    }

    private static void linear(SafetensorsWriter w, boolean bf16, String name, int out, int in, RandomTensors r) {
        tensor(w, bf16, name, out, in, r, (float) (1 / Math.sqrt(in)));
    }

    private static void tensor(SafetensorsWriter w, boolean bf16, String name, int rows, int cols, RandomTensors r, float scale) {
        float[] values = r.floats(rows * cols, scale);
        if (bf16) {
            w.bf16(name, new long[] {rows, cols}, values);
        } else {
            w.f32(name, new long[] {rows, cols}, values);
        }
    }

    private static void norm(SafetensorsWriter w, String name, int n, RandomTensors r) {
        float[] v = r.floats(n, 0.1f);
        for (int i = 0; i < n; i++) {
            v[i] += 1f;
        }
        w.f32(name, new long[] {n}, v);
    }
}
