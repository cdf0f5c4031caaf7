package org.moebatch.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.moebatch.backend.Batch;
import org.moebatch.backend.ExpertCounts;
import org.moebatch.backend.GqaDims;
import org.moebatch.backend.HostRouting;
import org.moebatch.backend.KvCache;
import org.moebatch.backend.KvLayout;
import org.moebatch.backend.Linear;
import org.moebatch.backend.MlaDims;
import org.moebatch.backend.Mlp;
import org.moebatch.backend.ReferenceBackend;
import org.moebatch.backend.Router;
import org.moebatch.backend.Routing;
import org.moebatch.cuda.CudaDevices;
import org.moebatch.cuda.KernelPolicy;
import org.moebatch.cuda.PtxResources;
import org.moebatch.model.ModelSpec;
import org.moebatch.model.RotaryEmbedding;
import org.moebatch.model.SeamDescriptors;
import org.moebatch.tensor.DType;
import org.moebatch.tensor.Floats;
import org.moebatch.tensor.HostTensor;
import org.moebatch.tensor.Tensor;
import org.moebatch.tensor.WeightMatrix;
import org.moebatch.testing.RandomTensors;
import org.moebatch.testing.Specs;
import org.moebatch.testing.TwoSequences;

/**
 * Every operation of the CUDA backend against the plain loops of {@link ReferenceBackend}, on fresh
 * seeded random inputs (never zeros), each device output poisoned with NaN before the kernel runs.
 * Three backends on the one device: the default policy; row kernels only (float32 throughout); and
 * tensor cores wherever the shapes allow, with attention split as finely as it goes.
 *
 * <p>Tolerances, relative to max(1, |expected|), the results being about 1: 5e-5 where the device
 * computes in float32 what the reference sums in double (the CPU backend's 2e-5, with room for
 * warp-order sums); 1e-6 for elementwise work and the router's weights; exact for gathers and the
 * router's choices. Tensor-core products round activations to bf16 (as bf16 inference does): they
 * are held to 1e-4 against a reference fed the same bf16-rounded activations, and to 3e-2 against
 * the float32 reference.
 */
@Tag("gpu")
class CudaBackendTest {
    private static final float F32 = 5e-5f;
    private static final ReferenceBackend reference = new ReferenceBackend();
    private static CudaBackend cuda;
    private static CudaBackend rowsOnly;
    private static CudaBackend tensorCores;

    @BeforeAll
    static void open() {
        CudaDevices.Probe probe = CudaDevices.probe();
        assumeTrue(probe.available(), "no CUDA device: " + probe.reason());
        assumeTrue(PtxResources.status().built(), "kernels not built: " + PtxResources.status().detail());
        cuda = CudaBackend.open(0);
        rowsOnly = CudaBackend.open(0, KernelPolicy.rowKernels());
        tensorCores = CudaBackend.open(0, KernelPolicy.tensorCoresAndSplits());
    }

    @AfterAll
    static void close() {
        for (CudaBackend b : new CudaBackend[] {cuda, rowsOnly, tensorCores}) {
            if (b != null) {
                b.close();
            }
        }
    }

    private static CudaBackend backend(String name) {
        return switch (name) {
            case "rows" -> rowsOnly;
            case "tc" -> tensorCores;
            default -> cuda;
        };
    }

    static void assertClose(HostTensor expected, HostTensor actual, float tolerance, String what) {
        assertEquals(expected.rows(), actual.rows(), what + " rows");
        assertEquals(expected.cols(), actual.cols(), what + " cols");
        double worst = 0;
        for (int r = 0; r < expected.rows(); r++) {
            for (int c = 0; c < expected.cols(); c++) {
                float e = expected.get(r, c);
                float a = actual.get(r, c);
                double error = Math.abs(e - a) / Math.max(1, Math.abs(e));
                worst = Math.max(worst, Double.isNaN(error) ? Double.POSITIVE_INFINITY : error);
                assertTrue(error <= tolerance, what + " [" + r + ", " + c + "]: expected " + e + ", got " + a);
            }
        }
        System.out.printf("%s: max relative error %.3g (tolerance %.1g)%n", what, worst, tolerance);
    }

    /** An output tensor on the device, filled with NaN. */
    private static Tensor poisoned(CudaBackend be, int rows, int cols) {
        Tensor t = be.tensor(rows, cols);
        be.poison(t);
        return t;
    }

    private static HostTensor bf16Rounded(HostTensor x) {
        HostTensor r = new HostTensor(x.rows(), x.cols());
        for (int i = 0; i < x.rows() * x.cols(); i++) {
            r.data()[i] = Floats.bf16ToFloat(Floats.floatToBf16(x.data()[i]));
        }
        return r;
    }

    @ParameterizedTest(name = "linear {0} on {5}: {1} tokens x [{2} -> {3}], bias {4}")
    @CsvSource({
        "F32, 1, 64, 48, false, default", "F32, 7, 72, 100, true, default", "F32, 37, 33, 9, false, default",
        "BF16, 1, 2048, 3072, false, default", "BF16, 5, 100, 13, true, default", "F16, 3, 40, 17, false, default",
        "BF16, 9, 7, 5, false, default", "F32, 300, 128, 96, true, default", "BF16, 200, 40, 24, false, rows",
        "BF16, 130, 1024, 200, true, tc", "BF16, 64, 72, 100, false, tc", "BF16, 1, 64, 130, false, tc"})
    void linearMatchesReference(DType dtype, int tokens, int in, int out, boolean withBias, String policy) {
        CudaBackend be = backend(policy);
        RandomTensors r = new RandomTensors(tokens * 31L + in * 7L + out);
        WeightMatrix w = r.matrix("w", dtype, out, in, 6);
        float[] bias = withBias ? r.floats(out, 1f) : null;
        HostTensor x = r.tensor(tokens, in);
        Tensor actual = poisoned(be, tokens, out);
        be.linear(actual, be.copyOf(x), new Linear(be.weight(w), bias));
        HostTensor expected = new HostTensor(tokens, out);
        reference.linear(expected, x, new Linear(w, bias));
        boolean tensorCoresRan = policy.equals("tc") && dtype == DType.BF16 && in % 8 == 0;
        if (tensorCoresRan) {
            HostTensor sameInputs = new HostTensor(tokens, out);
            reference.linear(sameInputs, bf16Rounded(x), new Linear(w, bias));
            assertClose(sameInputs, be.toHost(actual), 1e-4f, "linear on tensor cores, bf16 activations");
            assertClose(expected, be.toHost(actual), 3e-2f, "linear on tensor cores against float32");
        } else {
            assertClose(expected, be.toHost(actual), F32, "linear");
        }
    }

    @Test
    void normsAddAndSwiGluMatchReference() {
        RandomTensors r = new RandomTensors(3);
        for (int cols : new int[] {7, 64, 72, 2048, 7168}) {
            float[] gamma = r.floats(cols, 1f);
            HostTensor x = r.tensor(5, cols);
            HostTensor expected = new HostTensor(5, cols);
            reference.rmsNorm(expected, x, gamma, 1e-6f);
            Tensor out = poisoned(cuda, 5, cols);
            cuda.rmsNorm(out, cuda.copyOf(x), gamma, 1e-6f);
            assertClose(expected, cuda.toHost(out), 1e-5f, "rmsNorm over " + cols);

            Tensor inPlace = cuda.copyOf(x);
            cuda.rmsNorm(inPlace, inPlace, gamma, 1e-6f);
            assertClose(expected, cuda.toHost(inPlace), 1e-5f, "rmsNorm in place over " + cols);

            HostTensor delta = r.tensor(5, cols);
            HostTensor residual = HostTensor.of(5, cols, x.toArray());
            reference.addRmsNorm(residual, delta, expected, gamma, 1e-5f);
            Tensor deviceResidual = cuda.copyOf(x);
            Tensor normed = poisoned(cuda, 5, cols);
            cuda.addRmsNorm(deviceResidual, cuda.copyOf(delta), normed, gamma, 1e-5f);
            assertClose(residual, cuda.toHost(deviceResidual), 1e-6f, "residual of addRmsNorm over " + cols);
            assertClose(expected, cuda.toHost(normed), 1e-5f, "addRmsNorm over " + cols);
        }
        HostTensor a = r.tensor(6, 37);
        HostTensor b = r.tensor(6, 37);
        HostTensor sum = HostTensor.of(6, 37, a.toArray());
        reference.add(sum, b);
        Tensor deviceSum = cuda.copyOf(a);
        cuda.add(deviceSum, cuda.copyOf(b));
        assertClose(sum, cuda.toHost(deviceSum), 1e-6f, "add");
        HostTensor gate = HostTensor.of(6, 37, a.toArray());
        reference.siluMul(gate, b);
        Tensor deviceGate = cuda.copyOf(a);
        cuda.siluMul(deviceGate, cuda.copyOf(b));
        assertClose(gate, cuda.toHost(deviceGate), 1e-6f, "siluMul");
    }

    @ParameterizedTest(name = "embed and gather, {0} table")
    @CsvSource({"BF16", "F16", "F32"})
    void embedAndGatherAreExact(DType dtype) {
        RandomTensors r = new RandomTensors(9 + dtype.ordinal());
        WeightMatrix table = r.matrix("embed", dtype, 40, 24, 7);
        int[] tokens = {3, 39, 0, 17, 17};
        HostTensor expected = new HostTensor(5, 24);
        reference.embed(expected, tokens, table);
        Tensor out = poisoned(cuda, 5, 24);
        cuda.embed(out, tokens, cuda.weight(table));
        assertClose(expected, cuda.toHost(out), 0f, "embed");
        Tensor rows = poisoned(cuda, 2, 24);
        cuda.gatherRows(rows, out, new int[] {4, 1});
        HostTensor gathered = cuda.toHost(rows);
        assertArrayEquals(expected.row(4), gathered.row(0));
        assertArrayEquals(expected.row(1), gathered.row(1));
    }

    @ParameterizedTest(name = "MLA heads {0}, nope {1}, rope {2}, value {3}, latent {4}, {5}")
    @CsvSource({"3, 12, 8, 20, 40, default", "3, 12, 8, 20, 40, tc", "2, 8, 6, 10, 24, default",
        "16, 128, 64, 128, 512, default", "20, 16, 8, 16, 32, tc"})
    void mlaOperationsMatchReferenceAcrossPagesAndSequences(int heads, int nope, int rope, int value, int latent,
            String policy) {
        CudaBackend be = backend(policy);
        RandomTensors r = new RandomTensors(heads * 1000L + latent);
        MlaDims d = new MlaDims(heads, nope, rope, value, latent);
        ModelSpec spec = Specs.tiny(d, rope % 4 == 0); // interleaved, and the half layout where rope is 6
        RotaryEmbedding rotary = new RotaryEmbedding(spec);
        int layers = 2;
        int pageSize = TwoSequences.PAGE_SIZE;
        WeightMatrix kvB = r.matrix("kv_b_proj", DType.BF16, d.heads() * d.kvBRowsPerHead(), d.latent());
        var deviceKvB = be.weight(kvB);
        KvCache refCache = reference.kvCache(layers, pageSize, KvLayout.of(d), TwoSequences.PAGES);
        KvCache deviceCache = be.kvCache(layers, pageSize, KvLayout.of(d), TwoSequences.PAGES);

        TwoSequences steps = TwoSequences.of(rotary);
        storeRandomKv(r, be, steps.fill(), 1, d, refCache, deviceCache);
        Batch batch = steps.step();
        int tokens = batch.tokenCount();
        storeRandomKv(r, be, batch, 1, d, refCache, deviceCache);

        HostTensor q = r.tensor(tokens, d.heads() * d.queryHead());
        Tensor deviceQ = be.copyOf(q);
        reference.rope(q, d.heads(), d.queryHead(), d.nope(), batch, rotary);
        be.rope(deviceQ, d.heads(), d.queryHead(), d.nope(), batch, rotary);
        assertClose(q, be.toHost(deviceQ), 1e-6f, "rope");

        HostTensor qLatent = new HostTensor(tokens, d.heads() * d.latent());
        reference.mlaAbsorbQuery(qLatent, q, kvB, d);
        Tensor deviceQLatent = poisoned(be, tokens, d.heads() * d.latent());
        be.mlaAbsorbQuery(deviceQLatent, be.copyOf(q), deviceKvB, d);
        assertClose(qLatent, be.toHost(deviceQLatent), F32, "mlaAbsorbQuery");

        HostTensor out = new HostTensor(tokens, d.heads() * d.latent());
        reference.mlaAttend(out, qLatent, q, refCache, 1, batch, d, 0.17f);
        Tensor deviceOut = poisoned(be, tokens, d.heads() * d.latent());
        be.mlaAttend(deviceOut, be.copyOf(qLatent), be.copyOf(q), deviceCache, 1, batch, d, 0.17f);
        assertClose(out, be.toHost(deviceOut), 1e-4f, "mlaAttend");

        HostTensor values = new HostTensor(tokens, d.heads() * d.value());
        reference.mlaProjectValues(values, out, kvB, d);
        Tensor deviceValues = poisoned(be, tokens, d.heads() * d.value());
        be.mlaProjectValues(deviceValues, be.copyOf(out), deviceKvB, d);
        assertClose(values, be.toHost(deviceValues), F32, "mlaProjectValues");
    }

    @ParameterizedTest(name = "decode over a context of {0}, {1}")
    @CsvSource({"700, default", "2000, default", "2000, tc", "2000, rows", "33, tc"})
    void longContextDecodeSplitAlongTheSequenceMatchesReference(int context, String policy) {
        CudaBackend be = backend(policy);
        RandomTensors r = new RandomTensors(context);
        MlaDims d = new MlaDims(4, 16, 8, 16, 64);
        RotaryEmbedding rotary = new RotaryEmbedding(Specs.tiny(d));
        int pageSize = 16;
        int pages = (context + pageSize - 1) / pageSize;
        int[] table = new int[pages];
        for (int i = 0; i < pages; i++) {
            table[i] = pages - 1 - i; // pages in reverse: the page table, not the order, must decide
        }
        KvCache refCache = reference.kvCache(1, pageSize, KvLayout.of(d), pages);
        KvCache deviceCache = be.kvCache(1, pageSize, KvLayout.of(d), pages);
        Batch fill = new Batch();
        int s = fill.addSequence(table);
        for (int p = 0; p < context; p++) {
            fill.addToken(s, 1, p, false);
        }
        fill.seal(rotary);
        storeRandomKv(r, be, fill, 0, d, refCache, deviceCache);
        // two decode tokens of two rows sharing the cache, one at the end, one earlier (masking)
        Batch step = new Batch();
        int x = step.addSequence(table);
        int y = step.addSequence(table);
        step.addToken(x, 1, context - 1, true);
        step.addToken(y, 1, context / 2, true);
        step.seal(rotary);
        HostTensor q = r.tensor(2, d.heads() * d.queryHead());
        HostTensor qLatent = r.tensor(2, d.heads() * d.latent());
        HostTensor out = new HostTensor(2, d.heads() * d.latent());
        reference.mlaAttend(out, qLatent, q, refCache, 0, step, d, 0.3f);
        Tensor deviceOut = poisoned(be, 2, d.heads() * d.latent());
        be.mlaAttend(deviceOut, be.copyOf(qLatent), be.copyOf(q), deviceCache, 0, step, d, 0.3f);
        assertClose(out, be.toHost(deviceOut), 1e-4f, "split attention over " + context);
    }

    private static void storeRandomKv(RandomTensors r, CudaBackend be, Batch batch, int layer, MlaDims d, KvCache refCache,
            KvCache deviceCache) {
        HostTensor latent = r.tensor(batch.tokenCount(), d.latent());
        HostTensor rope = r.tensor(batch.tokenCount(), d.rope());
        reference.storeKv(refCache, layer, latent, rope, batch);
        be.storeKv(deviceCache, layer, be.copyOf(latent), be.copyOf(rope), batch);
    }

    @ParameterizedTest(name = "grouped-query attention, {0} heads over {1} key/value heads of {2}, context {3}")
    @CsvSource({"32, 4, 128, 300", "16, 16, 64, 40", "6, 2, 20, 17", "8, 1, 36, 1"})
    void groupedQueryOperationsMatchReference(int heads, int kvHeads, int headDim, int context) {
        CudaBackend be = backend("default");
        RandomTensors r = new RandomTensors(heads * 100L + context);
        GqaDims d = new GqaDims(heads, kvHeads, headDim);
        RotaryEmbedding rotary = new RotaryEmbedding(Specs.tiny(new MlaDims(1, 4, 8, 4, 8)));
        int pageSize = 16;
        int pages = (context + pageSize - 1) / pageSize;
        int[] table = new int[pages];
        for (int i = 0; i < pages; i++) {
            table[i] = pages - 1 - i; // pages in reverse: the page table, not the order, must decide
        }
        KvCache refCache = reference.kvCache(2, pageSize, KvLayout.of(d), pages);
        KvCache deviceCache = be.kvCache(2, pageSize, KvLayout.of(d), pages);
        Batch fill = new Batch();
        int s = fill.addSequence(table);
        for (int p = 0; p < context; p++) {
            fill.addToken(s, 1, p, false);
        }
        fill.seal(rotary);
        HostTensor keys = r.tensor(context, d.kvWidth());
        HostTensor values = r.tensor(context, d.kvWidth());
        reference.storeKv(refCache, 1, keys, values, fill);
        be.storeKv(deviceCache, 1, be.copyOf(keys), be.copyOf(values), fill);

        // the whole prefill's queries, then one decode-like row at an earlier position (masking)
        Batch step = new Batch();
        int x = step.addSequence(table);
        for (int p = 0; p < context; p++) {
            step.addToken(x, 1, p, p == context - 1);
        }
        step.seal(rotary);
        HostTensor q = r.tensor(context, heads * headDim);
        float[] gamma = r.floats(headDim, 1f);
        HostTensor qRef = HostTensor.of(context, q.cols(), q.toArray());
        reference.rmsNormHeads(qRef, heads, gamma, 1e-6f);
        Tensor qDevice = be.copyOf(q);
        be.rmsNormHeads(qDevice, heads, gamma, 1e-6f);
        assertClose(qRef, be.toHost(qDevice), 1e-5f, "rmsNormHeads");

        HostTensor out = new HostTensor(context, heads * headDim);
        reference.gqaAttend(out, qRef, refCache, 1, step, d, 0.09f);
        Tensor deviceOut = poisoned(be, context, heads * headDim);
        be.gqaAttend(deviceOut, be.copyOf(qRef), deviceCache, 1, step, d, 0.09f);
        assertClose(out, be.toHost(deviceOut), 1e-4f, "gqaAttend");
    }

    @ParameterizedTest(name = "router: {0} experts top-{1}, {2} groups keep {3}, {4}, normalise {5}, bias {6}")
    @CsvSource({"16, 4, 4, 2, sigmoid, true, true", "256, 8, 8, 4, sigmoid, true, true", "384, 8, 1, 1, sigmoid, true, true",
        "8, 2, 2, 1, softmax, false, false", "64, 6, 1, 1, softmax, true, false", "60, 6, 6, 3, sigmoid, true, false"})
    void routerChoosesTheSameExpertsWithTheSameWeights(int experts, int k, int groups, int kept, String scoring,
            boolean normalize, boolean withBias) {
        RandomTensors r = new RandomTensors(experts * 13L + k);
        ModelSpec spec = Specs.moe(64, experts, k, groups, kept, scoring, normalize);
        Router router = new Router(r.matrix("gate", DType.F32, experts, 64), withBias ? r.floats(experts, 0.1f) : null,
                SeamDescriptors.topK(spec));
        for (int tokens : new int[] {1, 5, 333}) {
            HostTensor logits = r.tensor(tokens, experts);
            HostRouting expected = new HostRouting(k);
            reference.route(expected, logits, router);
            Routing actual = cuda.routing(k);
            cuda.route(actual, cuda.copyOf(logits), router);
            int n = tokens * k;
            assertEquals(tokens, actual.tokens());
            int[] chosen = new int[n];
            float[] weights = new float[n];
            cuda.copyRoutingToHost(actual, chosen, weights);
            assertArrayEquals(Arrays.copyOf(expected.experts(), n), chosen, "experts chosen");
            for (int i = 0; i < n; i++) {
                float e = expected.weights()[i];
                assertEquals(e, weights[i], 1e-6f * Math.max(1, Math.abs(e)), "weight of slot " + i);
            }
            // count_experts on the device, against the host's count of the same choices, in layer 1 of 2.
            ExpertCounts counts = cuda.expertCounts(2, experts);
            cuda.countExperts(counts, 1, actual);
            cuda.countExperts(counts, 1, actual);
            long[][] load = new long[2][experts];
            cuda.drainExpertCounts(counts, load);
            long[] expectedLoad = new long[experts];
            for (int i = 0; i < n; i++) {
                expectedLoad[expected.experts()[i]] += 2;
            }
            assertArrayEquals(new long[experts], load[0], "a layer nothing was counted in");
            assertArrayEquals(expectedLoad, load[1], "tokens per expert, counted twice");
            cuda.drainExpertCounts(counts, load);
            assertArrayEquals(new long[experts], load[1], "a drain zeroes the histogram");
        }
    }

    @ParameterizedTest(name = "routed experts, {0} weights, {1} tokens, {2}")
    @CsvSource({"F32, 1, default", "F32, 70, default", "BF16, 1, default", "BF16, 3, default", "BF16, 70, rows",
        "BF16, 300, default", "BF16, 70, tc", "BF16, 1, tc", "F16, 40, default"})
    void moeExpertsMatchReference(DType dtype, int tokens, String policy) {
        CudaBackend be = backend(policy);
        RandomTensors r = new RandomTensors(dtype.ordinal() * 100L + tokens);
        int hidden = 64;
        int width = 48;
        int experts = 16;
        int k = 4;
        ModelSpec spec = Specs.moe(hidden, experts, k, 4, 2, "sigmoid", true);
        Router router = new Router(r.matrix("gate", DType.F32, experts, hidden), r.floats(experts, 0.1f),
                SeamDescriptors.topK(spec));
        Mlp[] host = new Mlp[experts];
        Mlp[] device = new Mlp[experts];
        for (int e = 0; e < experts; e++) {
            WeightMatrix g = r.matrix("g" + e, dtype, width, hidden);
            WeightMatrix u = r.matrix("u" + e, dtype, width, hidden);
            WeightMatrix dn = r.matrix("d" + e, dtype, hidden, width);
            host[e] = new Mlp(new Linear(g, null), new Linear(u, null), new Linear(dn, null));
            device[e] = new Mlp(new Linear(be.weight(g), null), new Linear(be.weight(u), null), new Linear(be.weight(dn), null));
        }
        HostTensor x = r.tensor(tokens, hidden);
        HostTensor logits = new HostTensor(tokens, experts);
        reference.linear(logits, x, router.gate());
        HostRouting routing = new HostRouting(k);
        reference.route(routing, logits, router);
        HostTensor expected = new HostTensor(tokens, hidden);
        reference.moeExperts(expected, x, routing, host);

        Tensor actual = poisoned(be, tokens, hidden);
        Routing uploaded = be.routing(k);
        be.copyRoutingFromHost(routing.experts(), routing.weights(), tokens, uploaded); // routing made on the host
        be.moeExperts(actual, be.copyOf(x), uploaded, device);
        boolean tensorCoresRan = dtype == DType.BF16 && policy.equals("tc");
        if (tensorCoresRan) {
            HostTensor sameInputs = bf16MoeReference(x, routing, host);
            assertClose(sameInputs, be.toHost(actual), 5e-3f, "moeExperts on tensor cores, bf16 activations");
            assertClose(expected, be.toHost(actual), 3e-2f, "moeExperts on tensor cores against float32");
        } else {
            assertClose(expected, be.toHost(actual), F32, "moeExperts");
        }

        // Routed on the device this time: moeExperts reads the routing where the router wrote it.
        Routing deviceRouting = be.routing(k);
        be.route(deviceRouting, be.copyOf(logits), router);
        int[] chosen = new int[tokens * k];
        float[] weights = new float[tokens * k];
        be.copyRoutingToHost(deviceRouting, chosen, weights);
        HostRouting deviceChoices = new HostRouting(k);
        reference.copyRoutingFromHost(chosen, weights, tokens, deviceChoices);
        HostTensor expectedForDeviceRouting = new HostTensor(tokens, hidden);
        reference.moeExperts(expectedForDeviceRouting, x, deviceChoices, host);
        Tensor again = poisoned(be, tokens, hidden);
        be.moeExperts(again, be.copyOf(x), deviceRouting, device);
        assertClose(expectedForDeviceRouting, be.toHost(again), tensorCoresRan ? 3e-2f : F32,
                "moeExperts with the routing left on the device");
        Tensor repeat = poisoned(be, tokens, hidden);
        be.moeExperts(repeat, be.copyOf(x), deviceRouting, device);
        assertArrayEquals(be.toHost(again).toArray(), be.toHost(repeat).toArray(), "the same inputs give the same bits");
    }

    /**
     * The routed experts as the tensor-core kernels compute them: the input rounded to bf16 before
     * the gate and up products, the SwiGLU output rounded to bf16 before the down product.
     */
    private static HostTensor bf16MoeReference(HostTensor x, HostRouting routing, Mlp[] experts) {
        int k = routing.expertsPerToken();
        HostTensor xs = bf16Rounded(x);
        HostTensor out = new HostTensor(x.rows(), x.cols());
        for (int t = 0; t < x.rows(); t++) {
            HostTensor token = HostTensor.of(1, x.cols(), xs.row(t));
            double[] sum = new double[x.cols()];
            for (int j = 0; j < k; j++) {
                Mlp m = experts[routing.experts()[t * k + j]];
                HostTensor gate = new HostTensor(1, m.width());
                HostTensor up = new HostTensor(1, m.width());
                reference.linear(gate, token, m.gate());
                reference.linear(up, token, m.up());
                reference.siluMul(gate, up);
                HostTensor down = new HostTensor(1, x.cols());
                reference.linear(down, bf16Rounded(gate), m.down());
                for (int c = 0; c < x.cols(); c++) {
                    sum[c] += (double) routing.weights()[t * k + j] * down.get(0, c);
                }
            }
            for (int c = 0; c < x.cols(); c++) {
                out.set(t, c, (float) sum[c]);
            }
        }
        return out;
    }
}
