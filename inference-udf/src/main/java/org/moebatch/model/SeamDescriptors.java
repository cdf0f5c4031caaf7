package org.moebatch.model;

import org.moebatch.backend.GqaDims;
import org.moebatch.backend.KvLayout;
import org.moebatch.backend.MlaDims;
import org.moebatch.backend.Router;

/**
 * A {@link ModelSpec} in the backend's own terms. The backend package sits below the model and never
 * sees {@code config.json}'s reading; what it needs of a spec (attention dims, the cache entry, how a
 * token's experts are chosen) is translated here, once.
 */
public final class SeamDescriptors {
    private SeamDescriptors() {}

    public static MlaDims mla(ModelSpec spec) {
        return new MlaDims(spec.heads(), spec.qkNopeHeadDim(), spec.qkRopeHeadDim(), spec.vHeadDim(), spec.kvLoraRank());
    }

    public static GqaDims gqa(ModelSpec spec) {
        return new GqaDims(spec.heads(), spec.kvHeads(), spec.headDim());
    }

    /** What one position puts in the cache per layer: MLA's latent and rope key, or every key and value head. */
    public static KvLayout kvLayout(ModelSpec spec) {
        return new KvLayout(spec.cacheEntryFloats(), spec.heads());
    }

    /** The top-k method of the MoE gate, from {@code n_routed_experts}, {@code num_experts_per_tok} and the rest. */
    public static Router.TopK topK(ModelSpec spec) {
        return new Router.TopK(spec.routedExperts(), spec.expertsPerToken(), spec.nGroup(), spec.topkGroup(),
                spec.scoringFunc().equals("sigmoid"), spec.normTopkProb(), (float) spec.routedScalingFactor());
    }
}
