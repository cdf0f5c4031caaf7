package org.moebatch.backend;

import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.moebatch.tensor.Tensor;
import org.moebatch.tensor.Weight;
import org.moebatch.tensor.WeightMatrix;

/**
 * One engine over several devices, experts spread across them (expert parallelism, as DeepSeek-V3
 * serves its 256 experts): routed expert {@code e} lives on shard {@code e mod shards}; everything
 * else — attention, dense and shared MLPs, the router, the KV cache, the lm_head — on the first
 * shard. In each MoE block the step's tokens are sent to every shard that owns one of their
 * experts (dispatch), each shard runs its experts' grouped products over its tokens with the slots
 * of other shards masked out ({@code -1}), and the partial sums come back and are added (combine).
 *
 * <p>The shards are any backends: CPU backends test the code path here; CUDA backends on the GPUs
 * of one executor serve a model larger than one GPU. Shards other than the first run concurrently.
 * The routing is made and counted on the first shard; the dispatch copies it to the host (on a GPU,
 * a wait per MoE layer, as the tokens' copy already is) and fills each shard's own routing from it.
 */
public final class ExpertParallelBackend extends ForwardingBackend {
    private final Backend[] shards;
    private final ExecutorService dispatch;
    // Per-shard scratch of the MoE step, owned by this backend (driven by one thread at a time).
    private final Tensor[] shardInput;
    private final Tensor[] shardOutput;
    private final Routing[] shardRouting;
    private int[] hostExperts = new int[0];
    private float[] hostWeights = new float[0];
    private final int[][] shardExperts;
    private final float[][] shardWeights;
    private float[] hostInput = new float[0];
    private final float[][] hostPartial;
    private Tensor sum;
    private final boolean[] active;
    private final Future<?>[] remote;

    public ExpertParallelBackend(List<Backend> shards) {
        super(firstOfSeveral(shards));
        this.shards = shards.toArray(new Backend[0]);
        this.shardInput = new Tensor[this.shards.length];
        this.shardOutput = new Tensor[this.shards.length];
        this.shardRouting = new Routing[this.shards.length];
        this.shardExperts = new int[this.shards.length][0];
        this.shardWeights = new float[this.shards.length][0];
        this.hostPartial = new float[this.shards.length][0];
        this.active = new boolean[this.shards.length];
        this.remote = new Future<?>[this.shards.length];
        this.dispatch = Executors.newFixedThreadPool(this.shards.length - 1, r -> {
            Thread t = new Thread(r, "moe-expert-shard");
            t.setDaemon(true);
            return t;
        });
    }

    /** The first shard, which everything but the routed experts goes to; at least two are needed. */
    private static Backend firstOfSeveral(List<Backend> shards) {
        if (shards.size() < 2) {
            throw new IllegalArgumentException("expert parallelism needs at least two devices, got " + shards.size());
        }
        return shards.get(0);
    }

    /** The shard that holds routed expert {@code expert}. */
    public int owner(int expert) {
        return expert % shards.length;
    }

    public int shardCount() {
        return shards.length;
    }

    private Backend primary() {
        return inner();
    }

    @Override
    public String device() {
        StringBuilder d = new StringBuilder();
        for (Backend b : shards) {
            d.append(d.length() == 0 ? "" : ",").append(b.device());
        }
        return d.toString();
    }

    /** The backends the experts are spread over; shard 0 also holds everything that is not an expert. */
    public List<Backend> shards() {
        return List.of(shards);
    }

    @Override
    public Weight expertWeight(int expert, WeightMatrix matrix) {
        return shards[owner(expert)].weight(matrix);
    }

    @Override
    public void moeExperts(Tensor out, Tensor x, Routing routing, Mlp[] experts) {
        int tokens = x.rows();
        int hidden = x.cols();
        int k = routing.expertsPerToken();
        int n = tokens * k;
        // The routing was made on the first shard; its split goes through the host with the tokens.
        if (hostExperts.length < n) {
            hostExperts = new int[n];
            hostWeights = new float[n];
        }
        primary().copyRoutingToHost(routing, hostExperts, hostWeights);
        for (int s = 0; s < shards.length; s++) {
            active[s] = false;
            if (shardExperts[s].length < n) {
                shardExperts[s] = new int[n];
                shardWeights[s] = new float[n];
            }
            for (int i = 0; i < n; i++) {
                int e = hostExperts[i];
                boolean mine = e >= 0 && owner(e) == s;
                shardExperts[s][i] = mine ? e : -1;
                shardWeights[s][i] = mine ? hostWeights[i] : 0f;
                active[s] |= mine;
            }
        }
        // Dispatch: the step's tokens, once through the host, to every other shard with work.
        if (hostInput.length < tokens * hidden) {
            hostInput = new float[tokens * hidden];
        }
        primary().copyToHost(x, hostInput);
        for (int s = 1; s < shards.length; s++) {
            int shard = s;
            remote[s] = active[s] ? dispatch.submit(() -> runShard(shard, tokens, hidden, k, experts)) : null;
        }
        primary().moeExperts(out, x, shardRouting(0, tokens, k), experts); // all -1 when the first shard has no work: zeros
        // Combine: out += each other shard's partial sum, in shard order.
        try {
            for (int s = 1; s < shards.length; s++) {
                if (remote[s] != null) {
                    remote[s].get();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the expert shards ran", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("an expert shard failed: " + e.getCause(), e.getCause());
        }
        if (sum == null || sum.cols() != hidden) {
            sum = primary().tensor(tokens, hidden);
        }
        sum.resize(tokens);
        for (int s = 1; s < shards.length; s++) {
            if (active[s]) {
                primary().copyFromHost(hostPartial[s], sum);
                primary().add(out, sum);
            }
        }
    }

    private void runShard(int s, int tokens, int hidden, int k, Mlp[] experts) {
        Backend shard = shards[s];
        if (shardInput[s] == null || shardInput[s].cols() != hidden) {
            shardInput[s] = shard.tensor(tokens, hidden);
            shardOutput[s] = shard.tensor(tokens, hidden);
        }
        shardInput[s].resize(tokens);
        shardOutput[s].resize(tokens);
        shard.copyFromHost(hostInput, shardInput[s]);
        shard.moeExperts(shardOutput[s], shardInput[s], shardRouting(s, tokens, k), experts);
        if (hostPartial[s].length < tokens * hidden) {
            hostPartial[s] = new float[tokens * hidden];
        }
        shard.copyToHost(shardOutput[s], hostPartial[s]);
    }

    /** Shard {@code s}'s routing, made by that shard and filled with its split of the step's slots. */
    private Routing shardRouting(int s, int tokens, int k) {
        if (shardRouting[s] == null || shardRouting[s].expertsPerToken() != k) {
            shardRouting[s] = shards[s].routing(k);
        }
        shards[s].copyRoutingFromHost(shardExperts[s], shardWeights[s], tokens, shardRouting[s]);
        return shardRouting[s];
    }

    // Everything else — attention, norms, the router, the KV cache — runs on the first shard: ForwardingBackend.

    /** Each shard answers for its own device (EngineCache asks them one by one); the whole has no one figure. */
    @Override
    public OptionalLong deviceFreeBytes() {
        return OptionalLong.empty();
    }

    @Override
    public void synchronize() {
        for (Backend shard : shards) {
            shard.synchronize();
        }
    }

    @Override
    public void close() {
        dispatch.shutdownNow();
        for (Backend b : shards) {
            b.close();
        }
    }
}
