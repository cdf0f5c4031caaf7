package org.moebatch.backend;

/**
 * The experts each token of a step goes to, and with what weight: {@code expertsPerToken} slots per
 * token, slot {@code t * k + j} the j-th choice of token {@code t}. Made by a backend
 * ({@link Backend#routing}) and kept in its memory, like a {@link org.moebatch.tensor.Tensor}: the
 * model hands it from {@code route} to {@code moeExperts} and never looks inside, so a GPU keeps the
 * choices on the device. Host code that needs the values (expert parallelism's dispatch, tests)
 * copies them with {@link Backend#copyRoutingToHost}. Owned by one step's workspace, refilled by
 * every MoE layer.
 */
public interface Routing {
    /** Tokens of the routing now: those of the last {@code route} or copy into it. */
    int tokens();

    int expertsPerToken();

    /**
     * Checks host values about to become a routing of {@code tokens} tokens: enough of them, and
     * every expert {@code -1} (a slot another device owns) or an index. Bad values from a caller
     * would otherwise reach kernels that index weights by them.
     */
    static void checkHostValues(int[] experts, float[] weights, int tokens, int expertsPerToken) {
        if (tokens < 0) {
            throw new IllegalArgumentException("routing of " + tokens + " tokens");
        }
        long n = (long) tokens * expertsPerToken;
        if (experts.length < n || weights.length < n) {
            throw new IllegalArgumentException("routing of " + tokens + " tokens x top-" + expertsPerToken + " needs " + n
                    + " experts and weights, got " + experts.length + " and " + weights.length);
        }
        for (int i = 0; i < n; i++) {
            if (experts[i] < -1) {
                throw new IllegalArgumentException("routing slot " + i + " (token " + i / expertsPerToken + ", choice "
                        + i % expertsPerToken + ") names expert " + experts[i]);
            }
        }
    }
}
