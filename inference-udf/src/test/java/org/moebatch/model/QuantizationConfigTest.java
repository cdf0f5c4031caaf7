package org.moebatch.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.moebatch.backend.Linear;
import org.moebatch.testing.Specs;

/** {@code quantization_config} as DeepSeek-V3, Kimi K2 and K2-Thinking write it, and every way it can be wrong. */
class QuantizationConfigTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The quantization_config of DeepSeek-V3's and Kimi K2's config.json. */
    private static final String FP8 =
            "{\"activation_scheme\": \"dynamic\", \"fmt\": \"e4m3\", \"quant_method\": \"fp8\", \"weight_block_size\": [128, 128]}";

    /** Kimi K2-Thinking's shape of config: one group of symmetric int4 in groups of 32, BF16 for the ignored. */
    private static final String INT4 = """
            {"quant_method": "compressed-tensors", "format": "pack-quantized", "quantization_status": "compressed",
             "kv_cache_scheme": null,
             "config_groups": {"group_0": {"input_activations": null, "output_activations": null, "targets": ["Linear"],
               "weights": {"num_bits": 4, "type": "int", "symmetric": true, "strategy": "group", "group_size": 32,
                           "dynamic": false, "actorder": null, "observer": "minmax", "block_structure": null}}},
             "ignore": ["lm_head", "re:.*self_attn.*", "re:.*shared_experts.*", "re:.*mlp\\\\.(gate|up|gate_up|down)_proj.*"]}
            """;

    private static QuantizationConfig parse(String json) throws Exception {
        ObjectNode c = Specs.config();
        c.set("quantization_config", JSON.readTree(json));
        return ModelSpec.fromConfig(c).quantization();
    }

    private static String error(String json) {
        return assertThrows(ModelException.class, () -> parse(json)).getMessage();
    }

    @Test
    void noQuantizationConfigIsPlain() {
        assertEquals(QuantizationConfig.NONE, ModelSpec.fromConfig(Specs.config()).quantization());
    }

    @Test
    void fp8BlocksAsKimiK2WritesThem() throws Exception {
        assertEquals(new QuantizationConfig.Fp8Blocks(128, 128), parse(FP8));
    }

    @Test
    void int4GroupsAndIgnoreAsK2ThinkingWritesThem() throws Exception {
        QuantizationConfig.PackedInt4 q = (QuantizationConfig.PackedInt4) parse(INT4);
        assertEquals(32, q.groupOf("model.layers.5.mlp.experts.17.down_proj").groupSize());
        assertFalse(q.ignores("model.layers.5.mlp.experts.17.down_proj"));
        assertTrue(q.ignores("lm_head"));
        assertTrue(q.ignores("model.layers.5.self_attn.kv_b_proj"));
        assertTrue(q.ignores("model.layers.5.mlp.shared_experts.up_proj"));
        assertTrue(q.ignores("model.layers.0.mlp.gate_proj"), "dense MLP");
        assertFalse(q.ignores("model.layers.5.mlp.experts.1.gate_proj"), "an expert's gate_proj is not mlp.gate_proj");
    }

    @Test
    void patternsMatchFromTheStartOfTheNameOnlyAsPythonsReMatch() throws Exception {
        QuantizationConfig.PackedInt4 q = (QuantizationConfig.PackedInt4) parse(INT4.replace(
                "\"ignore\": [", "\"ignore\": [\"re:layers\\\\.1\\\\.\", \"re:model\\\\.layers\\\\.2\\\\.\", "));
        assertFalse(q.ignores("model.layers.1.mlp.experts.0.up_proj"), "re.match does not search");
        assertTrue(q.ignores("model.layers.2.mlp.experts.0.up_proj"), "but need not match to the end");
    }

    @Test
    void anExactTargetWinsOverAPatternAndAPatternOverTheClass() throws Exception {
        QuantizationConfig.PackedInt4 q = (QuantizationConfig.PackedInt4) parse("""
                {"quant_method": "compressed-tensors", "format": "pack-quantized", "config_groups": {
                  "a": {"targets": ["Linear"], "weights": {"num_bits": 4, "strategy": "group", "group_size": 32}},
                  "b": {"targets": ["re:.*experts.*"], "weights": {"num_bits": 4, "strategy": "group", "group_size": 64}},
                  "c": {"targets": ["model.layers.1.mlp.experts.0.up_proj"],
                        "weights": {"num_bits": 4, "strategy": "group", "group_size": 16}}}}
                """);
        assertEquals("c", q.groupOf("model.layers.1.mlp.experts.0.up_proj").name());
        assertEquals("b", q.groupOf("model.layers.1.mlp.experts.1.up_proj").name());
        assertEquals("a", q.groupOf("model.layers.1.self_attn.o_proj").name());
        QuantizationConfig.PackedInt4 experts = (QuantizationConfig.PackedInt4) parse(
                "{\"quant_method\": \"compressed-tensors\", \"format\": \"pack-quantized\", \"config_groups\": {\"g\": "
                        + "{\"targets\": [\"re:.*experts.*\"], \"weights\": {\"num_bits\": 4, \"strategy\": \"group\", "
                        + "\"group_size\": 32}}}}");
        assertNull(experts.groupOf("model.layers.1.self_attn.o_proj"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown method | {\"quant_method\": \"awq\"} | quant_method \"awq\"",
        "FP8 without blocks | {\"quant_method\": \"fp8\", \"fmt\": \"e4m3\"} | no weight_block_size",
        "FP8 blocks not two integers | {\"quant_method\": \"fp8\", \"weight_block_size\": [128]} | weight_block_size must be two positive integers",
        "FP8 zero block | {\"quant_method\": \"fp8\", \"weight_block_size\": [0, 128]} | weight_block_size must be two positive integers",
        "FP8 e5m2 | {\"quant_method\": \"fp8\", \"fmt\": \"e5m2\", \"weight_block_size\": [128, 128]} | fmt \"e5m2\"",
        "FP8 static activations | {\"quant_method\": \"fp8\", \"activation_scheme\": \"static\", \"weight_block_size\": [128, 128]} | activation_scheme \"static\"",
        "not an object | [1, 2] | quantization_config must be an object"})
    void malformedFp8AndUnknownConfigsAreNamed(String what, String json, String expected) {
        String message = error(json);
        assertTrue(message.contains(expected), what + ": " + message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "8 bits | \"num_bits\": 4 | \"num_bits\": 8 | weights.num_bits is 8",
        "asymmetric | \"symmetric\": true | \"symmetric\": false | weights.symmetric is false",
        "per channel | \"strategy\": \"group\" | \"strategy\": \"channel\" | weights.strategy is \"channel\"",
        "float type | \"type\": \"int\" | \"type\": \"float\" | weights.type is \"float\"",
        "no group size | \"group_size\": 32 | \"group_size\": null | group_size must be a positive integer",
        "reordered groups | \"actorder\": null | \"actorder\": \"group\" | actorder is \"group\"",
        "dynamic weights | \"dynamic\": false | \"dynamic\": true | weights.dynamic is true",
        "quantised activations | \"input_activations\": null | \"input_activations\": {\"num_bits\": 8} | input_activations is set",
        "other format | \"format\": \"pack-quantized\" | \"format\": \"int-quantized\" | format \"int-quantized\"",
        "quantised KV cache | \"kv_cache_scheme\": null | \"kv_cache_scheme\": {\"num_bits\": 8} | kv_cache_scheme is set",
        "no targets | \"targets\": [\"Linear\"] | \"targets\": [] | targets is empty",
        "bad pattern | \"re:.*self_attn.*\" | \"re:(self_attn\" | bad pattern \"re:(self_attn\"",
        "ignore not a list | \"ignore\": [ | \"ignore\": 3, \"x\": [ | ignore must be a list of strings"})
    void malformedInt4ConfigsAreNamed(String what, String from, String to, String expected) {
        assertTrue(INT4.contains(from), what + ": the fixture has " + from);
        String message = error(INT4.replace(from, to));
        assertTrue(message.contains(expected), what + ": " + message);
        assertTrue(message.contains("quantization_config"), what + ": " + message);
    }

    @Test
    void configPathIsNamedWhenReadFromADirectory() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("quant-config");
        ObjectNode c = Specs.config();
        JsonNode q = JSON.readTree("{\"quant_method\": \"gptq\"}");
        c.set("quantization_config", q);
        java.nio.file.Files.writeString(dir.resolve("config.json"), c.toString());
        String message = assertThrows(ModelException.class, () -> ModelSpec.read(dir)).getMessage();
        assertTrue(message.startsWith(dir.resolve("config.json") + ": unsupported quantization_config.quant_method"), message);
    }
}
