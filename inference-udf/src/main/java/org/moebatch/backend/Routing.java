package org.moebatch.backend;

/**
 * The experts each token of a step goes to: for token {@code t} and slot {@code j <
 * expertsPerToken}, expert {@code experts[t * k + j]} with weight {@code weights[t * k + j]}
 * (normalised and scaled already). Owned by one step's workspace and refilled every layer.
 */
public final class Routing {
    private final int expertsPerToken;
    private int tokens;
    private int[] experts = new int[0];
    private float[] weights = new float[0];

    public Routing(int expertsPerToken) {
        this.expertsPerToken = expertsPerToken;
    }

    public void resize(int tokenCount) {
        tokens = tokenCount;
        int n = tokenCount * expertsPerToken;
        if (experts.length < n) {
            experts = new int[n];
            weights = new float[n];
        }
    }

    public int tokens() {
        return tokens;
    }

    public int expertsPerToken() {
        return expertsPerToken;
    }

    public int[] experts() {
        return experts;
    }

    public float[] weights() {
        return weights;
    }
}
