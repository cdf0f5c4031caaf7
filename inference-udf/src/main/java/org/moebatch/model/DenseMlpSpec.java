package org.moebatch.model;

import java.util.List;

/**
 * The layers whose feed-forward is a dense MLP rather than an MoE block (DeepSeek-V3's first
 * {@code first_k_dense_replace}, Qwen3-MoE's {@code mlp_only_layers}), and that MLP's width.
 *
 * @param intermediate the dense MLP's width ({@code intermediate_size}); 0 where no layer is dense
 * @param layers       indices of the dense layers, ascending
 */
public record DenseMlpSpec(int intermediate, List<Integer> layers) {
    /** Every layer has an MoE block (Mixtral, OLMoE: their {@code intermediate_size} is the experts' width). */
    public static final DenseMlpSpec NONE = new DenseMlpSpec(0, List.of());

    public DenseMlpSpec {
        layers = List.copyOf(layers);
    }
}
