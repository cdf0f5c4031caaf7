package org.moebatch.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.moebatch.model.Checkpoint;
import org.moebatch.tensor.DType;
import org.moebatch.tensor.Quantization;

/**
 * A random checkpoint with quantised linear layers, in the layouts real checkpoints use (FP8:
 * {@code X.weight} F8_E4M3 + {@code X.weight_scale_inv} F32; INT4: {@code X.weight_packed} I32 +
 * {@code X.weight_scale} BF16 + {@code X.weight_shape} I64), and its twin: the same model with every
 * weight stored as the F32 values the quantised one stands for. Tests change the tensors or the
 * config before writing them, to make malformed checkpoints.
 */
public final class QuantizedCheckpoint {
    /** One tensor as a safetensors file stores it. */
    public record Tensor(String dtype, long[] shape, byte[] data) {}

    /** The quantised checkpoint's tensors and its dequantised twin's, by name, in file order. */
    public record Pair(Map<String, Tensor> quantized, Map<String, Tensor> twin) {}

    private QuantizedCheckpoint() {}

    /**
     * Draws a random model for {@code config} (without its quantization_config) and quantises the
     * linear weights whose module name {@code quantise} accepts: FP8 in {@code blockRows x blockCols}
     * blocks, or INT4 in groups of {@code blockCols}.
     */
    public static Pair make(ObjectNode config, Path scratch, long seed, Quantization.Format format, int blockRows,
            int blockCols, Predicate<String> quantise) {
        ObjectNode plainConfig = config.deepCopy();
        plainConfig.remove("quantization_config");
        Path plain = scratch.resolve("plain-" + seed);
        RandomCheckpoint.write(plain, plainConfig, false, seed);
        Checkpoint source = Checkpoint.open(plain);
        RandomTensors r = new RandomTensors(seed + 1);
        Map<String, Tensor> quantized = new LinkedHashMap<>();
        Map<String, Tensor> twin = new LinkedHashMap<>();
        for (String name : source.files().get(0).entries().keySet()) {
            long[] shape = source.entry(name).shape();
            String module = name.endsWith(".weight") ? name.substring(0, name.length() - ".weight".length()) : null;
            if (module == null || shape.length != 2 || !quantise.test(module)) {
                Tensor t = new Tensor("F32", shape, QuantizedTensors.floatBytes(source.vector(name), DType.F32));
                quantized.put(name, t);
                twin.put(name, t);
                continue;
            }
            int out = (int) shape[0];
            int in = (int) shape[1];
            QuantizedTensors.Quantized q = format == Quantization.Format.FP8_E4M3
                    ? QuantizedTensors.fp8(r, out, in, blockRows, blockCols, 10, (float) (0.2 / Math.sqrt(in)), DType.F32)
                    : QuantizedTensors.int4(r, out, in, blockCols, (float) (0.25 / Math.sqrt(in)), DType.BF16);
            long[] grid = {q.scaleRows(), q.scaleCols()};
            if (format == Quantization.Format.FP8_E4M3) {
                quantized.put(name, new Tensor("F8_E4M3", shape, q.codes()));
                quantized.put(module + ".weight_scale_inv", new Tensor("F32", grid,
                        QuantizedTensors.floatBytes(q.scales(), DType.F32)));
            } else {
                quantized.put(module + ".weight_packed", new Tensor("I32", new long[] {out, (in + 7) / 8}, q.codes()));
                quantized.put(module + ".weight_scale", new Tensor("BF16", grid,
                        QuantizedTensors.floatBytes(q.scales(), DType.BF16)));
                quantized.put(module + ".weight_shape", new Tensor("I64", new long[] {2},
                        ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(out).putLong(in).array()));
            }
            twin.put(name, new Tensor("F32", shape, QuantizedTensors.floatBytes(q.dequantized(), DType.F32)));
        }
        return new Pair(quantized, twin);
    }

    /** Writes {@code config.json} and one {@code model.safetensors} of {@code tensors} into {@code dir}. */
    public static Path write(Path dir, ObjectNode config, Map<String, Tensor> tensors) {
        SafetensorsWriter w = new SafetensorsWriter();
        tensors.forEach((name, t) -> w.raw(name, t.dtype(), t.shape(), t.data()));
        RandomCheckpoint.writeFiles(dir, config, w);
        return dir;
    }
}
