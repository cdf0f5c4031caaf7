package org.moebatch.backend;

/**
 * A routing in host memory, the form the CPU and reference backends make: for token {@code t} and
 * slot {@code j < expertsPerToken}, expert {@code experts[t * k + j]} with weight
 * {@code weights[t * k + j]} (normalised and scaled already).
 */
public final class HostRouting implements Routing {
    private final int expertsPerToken;
    private int tokens;
    private int[] experts = new int[0];
    private float[] weights = new float[0];

    public HostRouting(int expertsPerToken) {
        if (expertsPerToken < 1) {
            throw new IllegalArgumentException("routing of top-" + expertsPerToken);
        }
        this.expertsPerToken = expertsPerToken;
    }

    /** The host routing behind {@code routing}, which a host backend must have made. */
    static HostRouting of(Routing routing) {
        if (routing instanceof HostRouting h) {
            return h;
        }
        throw new IllegalArgumentException("a " + routing.getClass().getSimpleName()
                + " passed to a host backend (use its routing())");
    }

    /** Sets the token count for the coming layer, growing the arrays if they are too small. */
    public void resize(int tokenCount) {
        tokens = tokenCount;
        int n = tokenCount * expertsPerToken;
        if (experts.length < n) {
            experts = new int[n];
            weights = new float[n];
        }
    }

    @Override
    public int tokens() {
        return tokens;
    }

    @Override
    public int expertsPerToken() {
        return expertsPerToken;
    }

    /** The chosen experts, {@code [tokens * k]} in use. */
    public int[] experts() {
        return experts;
    }

    /** Their weights, {@code [tokens * k]} in use. */
    public float[] weights() {
        return weights;
    }

    /** Copies {@code tokens * k} slots in from the host, checked ({@link Routing#checkHostValues}). */
    void copyFrom(int[] chosen, float[] chosenWeights, int tokenCount) {
        Routing.checkHostValues(chosen, chosenWeights, tokenCount, expertsPerToken);
        resize(tokenCount);
        int n = tokenCount * expertsPerToken;
        System.arraycopy(chosen, 0, experts, 0, n);
        System.arraycopy(chosenWeights, 0, weights, 0, n);
    }

    /** Copies the slots in use out to the host. */
    void copyTo(int[] chosen, float[] chosenWeights) {
        int n = tokens * expertsPerToken;
        if (chosen.length < n || chosenWeights.length < n) {
            throw new IllegalArgumentException("routing of " + n + " slots into arrays of " + chosen.length + " and "
                    + chosenWeights.length);
        }
        System.arraycopy(experts, 0, chosen, 0, n);
        System.arraycopy(weights, 0, chosenWeights, 0, n);
    }
}
