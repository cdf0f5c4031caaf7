package org.moebatch.model;

import java.util.Arrays;
import org.moebatch.tensor.DType;
import org.moebatch.tensor.Quantization;
import org.moebatch.tensor.WeightMatrix;

/**
 * Finds weights in a checkpoint and checks their shapes against {@code config.json}. A linear
 * layer's weight is stored as {@code quantization_config} says:
 *
 * <ul>
 *   <li>plain: {@code X.weight}, F32, BF16 or F16;
 *   <li>FP8 blocks: {@code X.weight} F8_E4M3 {@code [out, in]} with {@code X.weight_scale_inv}
 *       {@code [ceil(out / 128), ceil(in / 128)]} (block size from {@code weight_block_size}); the
 *       layers the checkpoint left in BF16 (DeepSeek-V3 keeps some) are simply BF16;
 *   <li>packed INT4: {@code X.weight_packed} I32 {@code [out, ceil(in / 8)]}, {@code X.weight_scale}
 *       {@code [out, ceil(in / group_size)]}, {@code X.weight_shape} = {@code [out, in]}
 *       (compressed-tensors' PackedQuantizationCompressor), unless {@code ignore} names the layer.
 * </ul>
 *
 * Quantised weights stay mapped in their stored form; the kernels dequantise them as they read them.
 * Every error names the file and tensor, or the directory and tensor when it is missing.
 */
final class LinearWeights {
    private final Checkpoint ckpt;
    private final QuantizationConfig config;

    LinearWeights(Checkpoint ckpt, QuantizationConfig config) {
        this.ckpt = ckpt;
        this.config = config;
    }

    /** The weight of linear module {@code module} (e.g. {@code model.layers.3.mlp.experts.7.up_proj}), {@code [out, in]}. */
    WeightMatrix linear(String module, int out, int in) {
        if (config instanceof QuantizationConfig.Fp8Blocks fp8) {
            return fp8(module, out, in, fp8);
        }
        if (config instanceof QuantizationConfig.PackedInt4 int4) {
            return int4(module, out, in, int4);
        }
        String weight = module + ".weight";
        if (!ckpt.has(weight) && ckpt.has(module + ".weight_packed")) {
            throw new ModelException(ckpt.where(module + ".weight_packed") + ": packed INT4 weights, but config.json "
                    + "has no quantization_config saying how to read them");
        }
        if (ckpt.has(weight) && ckpt.entry(weight).dtype() == DType.F8_E4M3) {
            throw new ModelException(ckpt.where(weight) + ": F8_E4M3 weights, but config.json has no "
                    + "quantization_config with the weight_block_size of their scales");
        }
        return plain(weight, out, in);
    }

    private WeightMatrix fp8(String module, int out, int in, QuantizationConfig.Fp8Blocks fp8) {
        String weight = module + ".weight";
        String scaleName = module + ".weight_scale_inv";
        SafetensorsFile.TensorEntry e = ckpt.entry(weight);
        if (e.dtype() != DType.F8_E4M3) {
            if (ckpt.has(scaleName)) {
                throw new ModelException(ckpt.where(scaleName) + ": block scales for " + weight + ", which is "
                        + e.dtype() + ", not F8_E4M3");
            }
            return plain(weight, out, in);
        }
        checkShape(weight, e.shape(), new long[] {out, in}, "config.json implies");
        if (!ckpt.has(scaleName)) {
            throw new ModelException(ckpt.where(weight) + ": F8_E4M3 weights without their block scales: "
                    + "the checkpoint has no " + scaleName);
        }
        Quantization q = new Quantization(Quantization.Format.FP8_E4M3,
                scales(scaleName, weight, out, in, fp8.blockRows(), fp8.blockCols()), fp8.blockRows(), fp8.blockCols());
        return ckpt.quantizedMatrix(weight, q, in);
    }

    private WeightMatrix int4(String module, int out, int in, QuantizationConfig.PackedInt4 int4) {
        String packed = module + ".weight_packed";
        boolean ignored = int4.ignores(module);
        QuantizationConfig.PackedInt4.Group group = ignored ? null : int4.groupOf(module);
        if (!ckpt.has(packed)) {
            if (group != null) {
                throw new ModelException(ckpt.dir() + ": " + module + " is quantised by quantization_config.config_groups."
                        + group.name() + " (targets " + group.targets() + ") and not ignored, but the checkpoint has no "
                        + packed);
            }
            return plain(module + ".weight", out, in);
        }
        if (ignored) {
            throw new ModelException(ckpt.where(packed) + ": " + module
                    + " is in quantization_config.ignore, yet the checkpoint holds packed INT4 weights for it");
        }
        if (group == null) {
            throw new ModelException(ckpt.where(packed) + ": packed INT4 weights, but no quantization_config.config_groups "
                    + "entry targets " + module);
        }
        for (String unsupported : new String[] {".weight_zero_point", ".weight_g_idx"}) {
            if (ckpt.has(module + unsupported)) {
                throw new ModelException(ckpt.where(module + unsupported) + ": symmetric groups in column order have no "
                        + unsupported.substring(1) + "; this engine does not apply one");
            }
        }
        SafetensorsFile.TensorEntry e = ckpt.entry(packed);
        if (e.dtype() != DType.I32) {
            throw new ModelException(ckpt.where(packed) + ": has dtype " + e.dtype() + "; packed INT4 weights are I32");
        }
        int groupSize = group.groupSize();
        // compressed-tensors quantises groups along the input only when group_size divides it
        // (forward.py: "tensor column shape must be divisible by the given group_size"); a row shorter
        // than one group is a single group.
        if (in >= groupSize && in % groupSize != 0) {
            throw new ModelException(ckpt.where(packed) + ": group_size " + groupSize + " of config group "
                    + group.name() + " does not divide the input width " + in);
        }
        checkShape(packed, e.shape(), new long[] {out, (in + 7) / 8}, "eight 4-bit values per I32 word of [" + out + ", "
                + in + "] need");
        String shapeName = module + ".weight_shape";
        if (!ckpt.has(shapeName)) {
            throw new ModelException(ckpt.where(packed) + ": packed INT4 weights without " + shapeName);
        }
        long[] shape = ckpt.integers(shapeName);
        if (!Arrays.equals(shape, new long[] {out, in})) {
            throw new ModelException(ckpt.where(shapeName) + ": says " + Arrays.toString(shape)
                    + " but config.json implies [" + out + ", " + in + "]");
        }
        Quantization q = new Quantization(Quantization.Format.INT4_PACKED,
                scales(module + ".weight_scale", packed, out, in, 1, groupSize), 1, groupSize);
        return ckpt.quantizedMatrix(packed, q, in);
    }

    /** A quantised weight's scale grid: a plain float matrix, one value per block. */
    private WeightMatrix scales(String name, String weight, int out, int in, int blockRows, int blockCols) {
        if (!ckpt.has(name)) {
            throw new ModelException(ckpt.where(weight) + ": quantised weights without their scales: the checkpoint has no "
                    + name);
        }
        SafetensorsFile.TensorEntry e = ckpt.entry(name);
        if (!e.dtype().computable()) {
            throw new ModelException(ckpt.where(name) + ": has dtype " + e.dtype() + "; scales must be F32, BF16 or F16");
        }
        long[] grid = {(out + blockRows - 1) / blockRows, (in + blockCols - 1) / blockCols};
        checkShape(name, e.shape(), grid, weight + " [" + out + ", " + in + "] in blocks of " + blockRows + " x "
                + blockCols + " needs");
        return ckpt.matrix(name);
    }

    private void checkShape(String name, long[] shape, long[] expected, String why) {
        if (!Arrays.equals(shape, expected)) {
            throw new ModelException(ckpt.where(name) + ": has shape " + Arrays.toString(shape) + " but " + why + " "
                    + Arrays.toString(expected));
        }
    }

    /**
     * A plain tensor as {@code [rows, cols]}, its leading dimensions folded into rows; any other
     * shape is an error naming the tensor.
     */
    WeightMatrix plain(String name, int rows, int cols) {
        SafetensorsFile.TensorEntry e = ckpt.entry(name);
        long[] shape = e.shape();
        long actualCols = shape.length == 0 ? 1 : shape[shape.length - 1];
        long actualRows = 1;
        for (int i = 0; i < shape.length - 1; i++) {
            actualRows *= shape[i];
        }
        if (actualRows != rows || actualCols != cols) {
            throw new ModelException(ckpt.dir() + ": tensor " + name + " has shape " + Arrays.toString(shape)
                    + " but config.json implies [" + rows + ", " + cols + "]");
        }
        return ckpt.matrix(name);
    }
}
