package org.moebatch.model;

import org.moebatch.backend.Backend;
import org.moebatch.backend.ExpertCounts;
import org.moebatch.backend.Routing;
import org.moebatch.tensor.Tensor;

/**
 * The activations of one forward step, named as in the reference code. Owned by the one thread that
 * runs the step; reused from step to step, growing when a step has more tokens than any before.
 * Shapes: T = tokens in the step, S = rows whose logits are wanted.
 */
public final class Workspace {
    // the residual stream and its normalised copy
    final Tensor hidden;        // [T, hidden]
    final Tensor normed;        // [T, hidden]

    // attention: MLA's, or grouped-query (q, keys, values, attnValues)
    final Tensor qA;            // [T, q_lora_rank], when queries go through the LoRA
    final Tensor q;             // [T, heads * (nope + rope)], or [T, heads * head_dim]
    final Tensor keys;          // [T, kv_heads * head_dim]
    final Tensor values;        // [T, kv_heads * head_dim]
    final Tensor latent;        // [T, kv_lora_rank]  compressed kv, normalised
    final Tensor keyRope;       // [T, rope]          the one rope key shared by all heads
    final Tensor qLatent;       // [T, heads * kv_lora_rank]  q_nope absorbed through W_UK
    final Tensor outLatent;     // [T, heads * kv_lora_rank]  attention output in latent space
    final Tensor attnValues;    // [T, heads * v_head_dim]       attention output per head, before o_proj
    final Tensor attnOut;       // [T, hidden]

    // feed-forward
    final Tensor denseGate;     // [T, intermediate]
    final Tensor denseUp;       // [T, intermediate]
    final Tensor routerLogits;  // [T, experts]
    final Routing routing;      // [T, experts_per_token], the backend's: the model never reads it
    final Tensor sharedGate;    // [T, moe_intermediate * shared]
    final Tensor sharedUp;      // [T, moe_intermediate * shared]
    final Tensor sharedOut;     // [T, hidden]
    final Tensor ffnOut;        // [T, hidden]

    final ExpertCounts expertCounts; // [layers, experts] this step, on the backend
    final ExpertLoad expertLoad;     // every step so far, on the host

    // head
    final Tensor lastHidden;    // [S, hidden]
    final Tensor logits;        // [S, vocab]

    private final Tensor[] perToken;

    public Workspace(ModelSpec spec, Backend backend) {
        int one = 1;
        hidden = backend.tensor(one, spec.hidden());
        normed = backend.tensor(one, spec.hidden());
        qA = backend.tensor(one, Math.max(1, spec.qLoraRank()));
        q = backend.tensor(one, spec.heads() * spec.qkHeadDim());
        keys = backend.tensor(one, Math.max(1, spec.kvHeads() * spec.headDim()));
        values = backend.tensor(one, Math.max(1, spec.kvHeads() * spec.headDim()));
        latent = backend.tensor(one, Math.max(1, spec.kvLoraRank()));
        keyRope = backend.tensor(one, Math.max(1, spec.qkRopeHeadDim()));
        qLatent = backend.tensor(one, Math.max(1, spec.heads() * spec.kvLoraRank()));
        outLatent = backend.tensor(one, Math.max(1, spec.heads() * spec.kvLoraRank()));
        attnValues = backend.tensor(one, spec.heads() * spec.valueHeadDim());
        attnOut = backend.tensor(one, spec.hidden());
        denseGate = backend.tensor(one, Math.max(1, spec.intermediate()));
        denseUp = backend.tensor(one, Math.max(1, spec.intermediate()));
        routerLogits = backend.tensor(one, Math.max(1, spec.routedExperts()));
        routing = backend.routing(Math.max(1, spec.expertsPerToken()));
        sharedGate = backend.tensor(one, Math.max(1, spec.sharedIntermediate()));
        sharedUp = backend.tensor(one, Math.max(1, spec.sharedIntermediate()));
        sharedOut = backend.tensor(one, spec.hidden());
        ffnOut = backend.tensor(one, spec.hidden());
        expertCounts = backend.expertCounts(spec.layers(), Math.max(1, spec.routedExperts()));
        expertLoad = new ExpertLoad(spec);
        lastHidden = backend.tensor(one, spec.hidden());
        logits = backend.tensor(one, spec.vocabSize());
        perToken = new Tensor[] {hidden, normed, qA, q, keys, values, latent, keyRope, qLatent, outLatent, attnValues, attnOut,
            denseGate, denseUp, routerLogits, sharedGate, sharedUp, sharedOut, ffnOut};
    }

    /** Sizes every activation for a step of {@code tokens} tokens and {@code logitRows} logit rows. */
    void resize(int tokens, int logitRows) {
        for (Tensor t : perToken) {
            t.resize(tokens);
        }
        lastHidden.resize(logitRows);
        logits.resize(logitRows);
    }

    /** Tokens routed to each expert of each layer by the steps run with this workspace. */
    public ExpertLoad expertLoad() {
        return expertLoad;
    }

    /** The logits of the last step, {@code [S, vocab]}. */
    public Tensor logits() {
        return logits;
    }
}
