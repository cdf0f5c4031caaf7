package org.moebatch.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moebatch.backend.CpuBackend;
import org.moebatch.engine.LogitsProbe;
import org.moebatch.tensor.Quantization;
import org.moebatch.tensor.WeightMatrix;
import org.moebatch.testing.QuantizedCheckpoint;
import org.moebatch.testing.Specs;

/**
 * FP8 block-scaled and INT4 pack-quantized checkpoints load with nothing but their config.json:
 * the forward pass over quantised weights equals, bit for bit, the forward pass over the same
 * weights dequantised into F32 (the kernels see the same floats), and every malformed quantised
 * checkpoint stops with a message naming the file and the tensor.
 */
class QuantizedCheckpointTest {
    /** Kimi K2-Thinking's ignore list keeps attention, shared experts, dense MLPs and lm_head in BF16;
     * this one ignores by exact name, by pattern and by pattern prefix, and quantises the rest. */
    private static final List<String> INT4_IGNORE =
            List.of("lm_head", "re:.*shared_experts\\.", "model.layers.0.self_attn.kv_b_proj");

    @TempDir
    Path dir;

    private static ObjectNode config() {
        ObjectNode c = Specs.config();
        c.put("model_type", "kimi_k2");
        c.put("hidden_size", 64);
        c.put("intermediate_size", 96);
        c.put("moe_intermediate_size", 32);
        c.put("q_lora_rank", 32);
        c.put("kv_lora_rank", 32);
        c.put("vocab_size", 80);
        return c;
    }

    private static ObjectNode fp8Config(int blockRows, int blockCols) {
        ObjectNode c = config();
        ObjectNode q = c.putObject("quantization_config");
        q.put("quant_method", "fp8");
        q.put("fmt", "e4m3");
        q.put("activation_scheme", "dynamic");
        q.putArray("weight_block_size").add(blockRows).add(blockCols);
        return c;
    }

    private static ObjectNode int4Config(int groupSize) {
        ObjectNode c = config();
        ObjectNode q = c.putObject("quantization_config");
        q.put("quant_method", "compressed-tensors");
        q.put("format", "pack-quantized");
        q.put("quantization_status", "compressed");
        ObjectNode weights = q.putObject("config_groups").putObject("group_0").putObject("weights");
        weights.put("num_bits", 4);
        weights.put("type", "int");
        weights.put("symmetric", true);
        weights.put("strategy", "group");
        weights.put("group_size", groupSize);
        weights.put("dynamic", false);
        weights.putNull("actorder");
        ((ObjectNode) q.get("config_groups").get("group_0")).putArray("targets").add("Linear");
        ArrayNode ignore = q.putArray("ignore");
        INT4_IGNORE.forEach(ignore::add);
        return c;
    }

    /** Every linear layer but lm_head, as DeepSeek-V3 and Kimi K2 store FP8 (the router gate is no Linear). */
    private static boolean fp8Linear(String module) {
        return module.endsWith("_proj") || module.endsWith(".kv_a_proj_with_mqa");
    }

    /** What INT4_IGNORE leaves quantised (lm_head is ignored, the router gate is no Linear). */
    private static boolean int4Linear(String module) {
        return fp8Linear(module) && !module.contains(".shared_experts.")
                && !module.equals("model.layers.0.self_attn.kv_b_proj");
    }

    private QuantizedCheckpoint.Pair fp8(ObjectNode c) {
        return QuantizedCheckpoint.make(c, dir, 5, Quantization.Format.FP8_E4M3, 16, 24, QuantizedCheckpointTest::fp8Linear);
    }

    private QuantizedCheckpoint.Pair int4(ObjectNode c) {
        return QuantizedCheckpoint.make(c, dir, 6, Quantization.Format.INT4_PACKED, 1, 32, QuantizedCheckpointTest::int4Linear);
    }

    private void assertSameLogitsAsTwin(ObjectNode c, QuantizedCheckpoint.Pair pair) {
        Path quantized = QuantizedCheckpoint.write(dir.resolve("quantized"), c, pair.quantized());
        ObjectNode plain = c.deepCopy();
        plain.remove("quantization_config");
        Path twin = QuantizedCheckpoint.write(dir.resolve("twin"), plain, pair.twin());
        int[] prompt = {3, 9, 27, 1, 79, 40, 2, 11, 64};
        try (CpuBackend be = new CpuBackend(2)) {
            LogitsProbe.Result expected = LogitsProbe.run(MoeModel.load(twin, be), be, prompt, 4);
            LogitsProbe.Result actual = LogitsProbe.run(MoeModel.load(quantized, be), be, prompt, 4);
            assertArrayEquals(expected.greedy(), actual.greedy());
            for (int step = 0; step < expected.logits().length; step++) {
                assertArrayEquals(expected.logits()[step], actual.logits()[step], "step " + step);
            }
        }
    }

    @Test
    void fp8CheckpointGivesTheLogitsOfItsDequantisedTwin() {
        ObjectNode c = fp8Config(16, 24);
        assertSameLogitsAsTwin(c, fp8(c));
    }

    @Test
    void int4CheckpointGivesTheLogitsOfItsDequantisedTwin() {
        ObjectNode c = int4Config(32);
        assertSameLogitsAsTwin(c, int4(c));
    }

    @Test
    void quantisedWeightsStayQuantisedAndIgnoredOnesPlain() {
        ObjectNode c = int4Config(32);
        Path model = QuantizedCheckpoint.write(dir.resolve("m"), c, int4(c).quantized());
        ModelSpec spec = ModelSpec.read(model);
        LinearWeights weights = new LinearWeights(Checkpoint.open(model), spec.quantization());
        WeightMatrix expert = weights.linear("model.layers.1.mlp.experts.3.down_proj", 64, 32);
        assertEquals(Quantization.Format.INT4_PACKED, expert.quantization().format());
        assertEquals(32, expert.quantization().blockCols());
        assertEquals(null, weights.linear("model.layers.1.mlp.shared_experts.up_proj", 32, 64).quantization());
        assertEquals(null, weights.linear("model.layers.0.self_attn.kv_b_proj", 2 * 16, 32).quantization());
        assertEquals(Quantization.Format.INT4_PACKED,
                weights.linear("model.layers.1.self_attn.kv_b_proj", 2 * 16, 32).quantization().format());
    }

    private String loadError(ObjectNode c, Map<String, QuantizedCheckpoint.Tensor> tensors) {
        Path model = QuantizedCheckpoint.write(dir.resolve("bad"), c, tensors);
        try (CpuBackend be = new CpuBackend(1)) {
            return assertThrows(ModelException.class, () -> MoeModel.load(model, be)).getMessage();
        }
    }

    /** Replaces tensor {@code name}'s dtype and shape, its bytes cut or padded to fit. */
    private static void retype(Map<String, QuantizedCheckpoint.Tensor> t, String name, String dtype, long... shape) {
        long elements = java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        int bytes = (int) elements * org.moebatch.tensor.DType.fromSafetensors(dtype).bytes();
        t.put(name, new QuantizedCheckpoint.Tensor(dtype, shape, java.util.Arrays.copyOf(t.get(name).data(), bytes)));
    }

    private static void assertMentions(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "\"" + part + "\" missing from: " + message);
        }
    }

    @Test
    void fp8ScaleGridOfTheWrongShape() {
        ObjectNode c = fp8Config(16, 24);
        Map<String, QuantizedCheckpoint.Tensor> t = fp8(c).quantized();
        String scale = "model.layers.0.self_attn.q_a_proj.weight_scale_inv";
        // q_a_proj is [32, 64]: blocks of 16 x 24 need [2, 3]
        retype(t, scale, "F32", 3, 2);
        assertMentions(loadError(c, t), "model.safetensors: tensor " + scale, "has shape [3, 2]", "needs [2, 3]");

        // The same scales read with another block size from config.json no longer fit either.
        assertMentions(loadError(fp8Config(128, 128), fp8(c).quantized()), scale, "has shape [2, 3]",
                "blocks of 128 x 128 needs [1, 1]");
    }

    @Test
    void fp8WeightWithoutItsScales() {
        ObjectNode c = fp8Config(16, 24);
        Map<String, QuantizedCheckpoint.Tensor> t = fp8(c).quantized();
        t.remove("model.layers.1.mlp.experts.5.up_proj.weight_scale_inv");
        assertMentions(loadError(c, t), "model.safetensors: tensor model.layers.1.mlp.experts.5.up_proj.weight",
                "has no model.layers.1.mlp.experts.5.up_proj.weight_scale_inv");
    }

    @Test
    void fp8ScalesOfAWrongDtypeOrOnAPlainWeight() {
        ObjectNode c = fp8Config(16, 24);
        Map<String, QuantizedCheckpoint.Tensor> t = fp8(c).quantized();
        String scale = "model.layers.0.mlp.down_proj.weight_scale_inv";
        retype(t, scale, "I32", t.get(scale).shape());
        assertMentions(loadError(c, t), "tensor " + scale, "has dtype I32", "F32, BF16 or F16");

        t = fp8(c).quantized();
        String weight = "model.layers.0.mlp.down_proj.weight";
        retype(t, weight, "I8", t.get(weight).shape());
        assertMentions(loadError(c, t), "tensor " + scale, "block scales for " + weight, "I8, not F8_E4M3");
    }

    @Test
    void fp8WeightsWithoutAQuantizationConfig() {
        ObjectNode c = fp8Config(16, 24);
        Map<String, QuantizedCheckpoint.Tensor> t = fp8(c).quantized();
        c.remove("quantization_config");
        assertMentions(loadError(c, t), "model.safetensors: tensor model.layers.0.self_attn.q_a_proj.weight",
                "F8_E4M3", "no quantization_config");
    }

    @Test
    void int4GroupSizeThatDoesNotDivideTheInputWidth() {
        Map<String, QuantizedCheckpoint.Tensor> t = int4(int4Config(32)).quantized();
        // hidden 64 is not a multiple of 24
        assertMentions(loadError(int4Config(24), t), "model.safetensors: tensor model.layers.0.self_attn.q_a_proj.weight_packed",
                "group_size 24", "does not divide the input width 64");
    }

    @Test
    void int4TensorsOfTheWrongDtypeShapeOrScale() {
        ObjectNode c = int4Config(32);
        String packed = "model.layers.1.mlp.experts.2.gate_proj.weight_packed";
        Map<String, QuantizedCheckpoint.Tensor> t = int4(c).quantized();
        retype(t, packed, "F32", t.get(packed).shape());
        assertMentions(loadError(c, t), "tensor " + packed, "has dtype F32", "are I32");

        t = int4(c).quantized();
        retype(t, packed, "I32", 16, 8);
        assertMentions(loadError(c, t), "tensor " + packed, "has shape [16, 8]", "[32, 8]");

        t = int4(c).quantized();
        String shape = "model.layers.1.mlp.experts.2.gate_proj.weight_shape";
        t.put(shape, new QuantizedCheckpoint.Tensor("I64", new long[] {2}, java.nio.ByteBuffer.allocate(16)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(32).putLong(63).array()));
        assertMentions(loadError(c, t), "tensor " + shape, "says [32, 63]", "implies [32, 64]");

        t = int4(c).quantized();
        t.remove("model.layers.1.mlp.experts.2.gate_proj.weight_scale");
        assertMentions(loadError(c, t), "tensor " + packed, "has no model.layers.1.mlp.experts.2.gate_proj.weight_scale");

        t = int4(c).quantized();
        String scale = "model.layers.1.mlp.experts.2.gate_proj.weight_scale";
        retype(t, scale, "BF16", 32, 1);
        assertMentions(loadError(c, t), "tensor " + scale, "has shape [32, 1]", "needs [32, 2]");
    }

    @Test
    void int4IgnoreListAndPackedTensorsMustAgree() {
        Map<String, QuantizedCheckpoint.Tensor> t = int4(int4Config(32)).quantized();
        // Ignoring a layer that the checkpoint holds packed
        ObjectNode c = int4Config(32);
        ((ArrayNode) c.get("quantization_config").get("ignore")).add("re:model\\.layers\\.1\\.mlp\\.experts\\.7\\.");
        assertMentions(loadError(c, t), "model.safetensors: tensor model.layers.1.mlp.experts.7.gate_proj.weight_packed",
                "model.layers.1.mlp.experts.7.gate_proj is in quantization_config.ignore");

        // Not ignoring one that it holds plain
        c = int4Config(32);
        ((ArrayNode) c.get("quantization_config").get("ignore")).remove(0);
        assertMentions(loadError(c, t), "lm_head is quantised by quantization_config.config_groups.group_0",
                "has no lm_head.weight_packed");
    }
}
