package org.moebatch.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.moebatch.backend.Backend;
import org.moebatch.backend.Batch;
import org.moebatch.backend.CpuBackend;
import org.moebatch.backend.ExpertCounts;
import org.moebatch.backend.ForwardingBackend;
import org.moebatch.backend.KvCache;
import org.moebatch.backend.ReferenceBackend;
import org.moebatch.backend.Router;
import org.moebatch.backend.Routing;
import org.moebatch.engine.KvPagePool;
import org.moebatch.tensor.Tensor;
import org.moebatch.testing.Samples;

/**
 * The expert load a forward pass reports, and how it gets it: from the backend's per-step histogram,
 * read once per step, never by looking inside the routing (which on a GPU stays on the device).
 */
class ExpertLoadTest {
    private static final int[] PROMPT = {3, 14, 15, 9, 2, 6};

    /**
     * Tokens per expert after a 6-token prefill and one decode step, recorded from the engine before
     * routing moved behind the backend (when MoeBlock counted each layer's host routing): the counts
     * must not change. A dense layer's row is empty.
     */
    @ParameterizedTest(name = "{0} on {1}: the load counted before routing moved into the backend")
    @CsvSource({"kimi-k2-tiny, cpu", "kimi-k2-tiny, reference", "qwen3-moe-tiny, cpu", "qwen3-moe-tiny, reference"})
    void loadOfAPrefillAndADecodeStepIsUnchanged(String name, String backend) throws IOException {
        long[][] expected = name.equals("kimi-k2-tiny")
                ? new long[][] {{}, {1, 3, 2, 3, 1, 2, 0, 3, 2, 1, 1, 2, 1, 3, 1, 2}, {1, 5, 0, 1, 0, 2, 1, 0, 0, 0, 1, 0, 7, 4, 6, 0}}
                : new long[][] {{2, 1, 5, 1, 2, 3, 5, 2}, {}, {1, 1, 3, 3, 3, 5, 3, 2}};
        try (Backend be = backend.equals("cpu") ? new CpuBackend(2) : new ReferenceBackend()) {
            MoeModel model = MoeModel.load(Samples.model(name), be);
            Workspace ws = prefillAndDecodeOnce(model, be);
            long[][] load = ws.expertLoad().snapshot();
            assertEquals(expected.length, load.length, "layers");
            for (int layer = 0; layer < load.length; layer++) {
                assertArrayEquals(expected[layer], load[layer], name + " layer " + layer);
            }
        }
    }

    @Test
    void aStepReadsItsExpertLoadOnceAndNeverCopiesTheRouting() throws IOException {
        try (SeamCalls be = new SeamCalls(new CpuBackend(2))) {
            MoeModel model = MoeModel.load(Samples.model("kimi-k2-tiny"), be);
            int moeLayers = 0;
            for (int i = 0; i < model.spec().layers(); i++) {
                moeLayers += model.spec().isMoeLayer(i) ? 1 : 0;
            }
            prefillAndDecodeOnce(model, be);
            assertEquals(2, be.drains, "histogram reads in two steps");
            assertEquals(2 * moeLayers, be.counts, "layers counted in two steps");
            assertEquals(2 * moeLayers, be.routes, "layers routed in two steps");
            assertEquals(0, be.routingCopies, "routings copied to the host");
        }
    }

    /** Runs {@link #PROMPT} as one step, then one decode step of token 5; returns the workspace. */
    private static Workspace prefillAndDecodeOnce(MoeModel model, Backend be) {
        KvCache cache = be.kvCache(model.spec().layers(), 16, SeamDescriptors.kvLayout(model.spec()), 1);
        int[] pages = {new KvPagePool(cache).allocate()};
        Workspace ws = model.newWorkspace(be);
        Batch batch = new Batch();
        int seq = batch.addSequence(pages);
        for (int i = 0; i < PROMPT.length; i++) {
            batch.addToken(seq, PROMPT[i], i, i == PROMPT.length - 1);
        }
        batch.seal(model.rotary());
        model.forward(be, batch, cache, ws);
        batch.clear();
        seq = batch.addSequence(pages);
        batch.addToken(seq, 5, PROMPT.length, true);
        batch.seal(model.rotary());
        model.forward(be, batch, cache, ws);
        return ws;
    }

    /** A real backend that also counts the seam calls that decide host round trips on a GPU. */
    private static final class SeamCalls extends ForwardingBackend {
        int routes;
        int counts;
        int drains;
        int routingCopies;

        SeamCalls(Backend inner) {
            super(inner);
        }

        @Override
        public void route(Routing routing, Tensor logits, Router router) {
            routes++;
            super.route(routing, logits, router);
        }

        @Override
        public void countExperts(ExpertCounts c, int layer, Routing routing) {
            counts++;
            super.countExperts(c, layer, routing);
        }

        @Override
        public void drainExpertCounts(ExpertCounts c, long[][] into) {
            drains++;
            super.drainExpertCounts(c, into);
        }

        @Override
        public void copyRoutingToHost(Routing routing, int[] experts, float[] weights) {
            routingCopies++;
            super.copyRoutingToHost(routing, experts, weights);
        }
    }
}
