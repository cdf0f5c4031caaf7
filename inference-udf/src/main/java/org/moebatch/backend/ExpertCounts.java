package org.moebatch.backend;

/**
 * How many of a step's slots each MoE layer routed to each expert: a histogram {@code [layers,
 * experts]} made by a backend ({@link Backend#expertCounts}) and kept in its memory. Each MoE layer
 * adds its routing ({@link Backend#countExperts}) without the host seeing it; the model reads the
 * step's histogram once, at the end of the step ({@link Backend#drainExpertCounts}), for the expert
 * load of the benchmark and the job report. On a GPU that is one wait per step instead of one per layer.
 */
public interface ExpertCounts {
    int layers();

    int experts();

    /** {@code into} must be {@code [layers][experts]}, every row at least {@code experts} long. */
    static void checkInto(long[][] into, int layers, int experts) {
        if (into.length < layers) {
            throw new IllegalArgumentException("expert counts of " + layers + " layers into " + into.length + " rows");
        }
        for (int l = 0; l < layers; l++) {
            if (into[l] == null || into[l].length < experts) {
                throw new IllegalArgumentException("expert counts of " + experts + " experts into row " + l + " of "
                        + (into[l] == null ? "null" : into[l].length + " values"));
            }
        }
    }

    /**
     * Fails the step if a layer routed a slot to no expert: the router found none eligible (NaN
     * logits, say), and that token's output lacks the expert, which must not pass unnoticed.
     */
    static void failIfUnrouted(int[] unroutedPerLayer) {
        for (int l = 0; l < unroutedPerLayer.length; l++) {
            if (unroutedPerLayer[l] > 0) {
                throw new IllegalStateException("layer " + l + " routed " + unroutedPerLayer[l]
                        + " slots of this step to no expert: the router found none eligible");
            }
        }
    }
}
