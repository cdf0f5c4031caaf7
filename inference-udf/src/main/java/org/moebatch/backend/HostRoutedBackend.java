package org.moebatch.backend;

/**
 * A backend whose routing and expert counts live in host memory ({@link HostRouting},
 * {@link HostExpertCounts}): the CPU and reference backends, which share these six operations.
 */
interface HostRoutedBackend extends Backend {
    @Override
    default Routing routing(int expertsPerToken) {
        return new HostRouting(expertsPerToken);
    }

    @Override
    default void copyRoutingToHost(Routing routing, int[] experts, float[] weights) {
        HostRouting.of(routing).copyTo(experts, weights);
    }

    @Override
    default void copyRoutingFromHost(int[] experts, float[] weights, int tokens, Routing routing) {
        HostRouting.of(routing).copyFrom(experts, weights, tokens);
    }

    @Override
    default ExpertCounts expertCounts(int layers, int experts) {
        return new HostExpertCounts(layers, experts);
    }

    @Override
    default void countExperts(ExpertCounts counts, int layer, Routing routing) {
        HostExpertCounts.of(counts).add(layer, HostRouting.of(routing));
    }

    @Override
    default void drainExpertCounts(ExpertCounts counts, long[][] into) {
        HostExpertCounts.of(counts).drain(into);
    }
}
