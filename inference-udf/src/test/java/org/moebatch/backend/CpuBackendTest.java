package org.moebatch.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.moebatch.model.ModelSpec;
import org.moebatch.model.RotaryEmbedding;
import org.moebatch.model.SeamDescriptors;
import org.moebatch.tensor.DType;
import org.moebatch.tensor.HostTensor;
import org.moebatch.tensor.Quantization;
import org.moebatch.tensor.WeightMatrix;
import org.moebatch.testing.QuantizedTensors;
import org.moebatch.testing.RandomTensors;
import org.moebatch.testing.Specs;
import org.moebatch.testing.TwoSequences;

/**
 * Every operation of the Vector API backend against the plain loops of {@link ReferenceBackend}, on
 * random inputs, with the widths that matter: multiples of the vector length and not, one token and
 * many. Tolerances are relative to the magnitude of the results (about 1) and cover float32
 * accumulation in another order.
 */
class CpuBackendTest {
    private static final float TOLERANCE = 2e-5f;
    private static CpuBackend cpu;
    private static final ReferenceBackend reference = new ReferenceBackend();

    @BeforeAll
    static void start() {
        cpu = new CpuBackend(2);
    }

    @AfterAll
    static void stop() {
        cpu.close();
    }

    private static void assertClose(HostTensor expected, HostTensor actual, float tolerance, String what) {
        assertEquals(expected.rows(), actual.rows(), what + " rows");
        assertEquals(expected.cols(), actual.cols(), what + " cols");
        for (int r = 0; r < expected.rows(); r++) {
            for (int c = 0; c < expected.cols(); c++) {
                float e = expected.get(r, c);
                float a = actual.get(r, c);
                assertTrue(Math.abs(e - a) <= tolerance * Math.max(1, Math.abs(e)),
                        what + " [" + r + ", " + c + "]: expected " + e + ", got " + a);
            }
        }
    }

    /** A tensor of the right shape filled with NaN, so an output the kernel forgets to write fails. */
    private static HostTensor poisoned(int rows, int cols) {
        HostTensor t = new HostTensor(rows, cols);
        java.util.Arrays.fill(t.data(), Float.NaN);
        return t;
    }

    @ParameterizedTest(name = "linear {0}: {1} tokens x [{2} -> {3}] with bias {4}")
    @CsvSource({
        "F32, 1, 64, 48, false", "F32, 7, 72, 100, true", "F32, 37, 33, 9, false",
        "BF16, 1, 64, 48, false", "BF16, 5, 100, 13, true", "BF16, 64, 1024, 40, false",
        "BF16, 1, 96, 9, false", "BF16, 4, 256, 21, true", "BF16, 13, 128, 6, false",
        "F16, 3, 40, 17, false", "BF16, 9, 7, 5, false"})
    void linearMatchesReference(DType dtype, int tokens, int in, int out, boolean withBias) {
        RandomTensors r = new RandomTensors(tokens * 31L + in * 7L + out);
        // chunks of 6 rows: a panel of 4 rows crosses chunk edges
        WeightMatrix w = r.matrix("w", dtype, out, in, 6);
        Linear layer = new Linear(w, withBias ? r.floats(out, 1f) : null);
        HostTensor x = r.tensor(tokens, in);
        HostTensor expected = new HostTensor(tokens, out);
        HostTensor actual = poisoned(tokens, out);
        reference.linear(expected, x, layer);
        cpu.linear(actual, x, layer);
        assertClose(expected, actual, TOLERANCE, "linear");
    }

    private static QuantizedTensors.Quantized quantized(RandomTensors r, Quantization.Format format, int rows, int cols,
            int blockRows, int blockCols) {
        // FP8: exponents up to 10 (|code| <= 15) keep products near 1; scales make |w| about 1/sqrt(cols)
        return format == Quantization.Format.FP8_E4M3
                ? QuantizedTensors.fp8(r, rows, cols, blockRows, blockCols, 10, (float) (0.2 / Math.sqrt(cols)), DType.F32)
                : QuantizedTensors.int4(r, rows, cols, blockCols, (float) (0.25 / Math.sqrt(cols)), DType.BF16);
    }

    @ParameterizedTest(name = "quantised linear {0}: {1} tokens x [{2} -> {3}] in {4} x {5} blocks")
    @CsvSource({
        "FP8_E4M3, 1, 72, 200, 128, 128", "FP8_E4M3, 5, 300, 33, 128, 128", "FP8_E4M3, 70, 160, 41, 16, 24",
        "INT4_PACKED, 1, 96, 50, 1, 32", "INT4_PACKED, 9, 72, 200, 1, 24", "INT4_PACKED, 37, 160, 13, 1, 32",
        "INT4_PACKED, 4, 20, 9, 1, 32"})
    void quantizedLinearMatchesDequantiseThenMultiply(Quantization.Format format, int tokens, int in, int out,
            int blockRows, int blockCols) {
        RandomTensors r = new RandomTensors(tokens * 17L + in * 3L + out + format.ordinal());
        QuantizedTensors.Quantized q = quantized(r, format, out, in, blockRows, blockCols);
        Linear layer = new Linear(q.matrix("w", 6), null); // chunks of 6 rows: panels cross chunk edges
        HostTensor x = r.tensor(tokens, in);
        HostTensor fast = poisoned(tokens, out);
        HostTensor plain = poisoned(tokens, out);
        cpu.linear(fast, x, layer);
        reference.linear(plain, x, layer);
        // The yardstick: the weights dequantised by the formats' definitions (QuantizedTensors), then
        // multiplied in double. Float32 sums of these few hundred terms, in any order, stay within
        // 2e-5 of the sum of the terms' magnitudes.
        for (int t = 0; t < tokens; t++) {
            for (int n = 0; n < out; n++) {
                double sum = 0;
                double magnitude = 0;
                for (int k = 0; k < in; k++) {
                    double term = (double) x.get(t, k) * q.dequantized(n, k);
                    sum += term;
                    magnitude += Math.abs(term);
                }
                double tolerance = 2e-5 * magnitude;
                assertEquals(sum, fast.get(t, n), tolerance, "cpu [" + t + ", " + n + "]");
                assertEquals(sum, plain.get(t, n), tolerance, "reference [" + t + ", " + n + "]");
            }
        }
    }

    @ParameterizedTest(name = "quantised experts and MLA value weights, {0}")
    @EnumSource(Quantization.Format.class)
    void quantizedWeightsInEveryOtherWeightReadingOpMatchReference(Quantization.Format format) {
        RandomTensors r = new RandomTensors(77 + format.ordinal());
        int hidden = 64;
        int width = 32;
        Mlp[] mlps = new Mlp[8];
        for (int e = 0; e < mlps.length; e++) {
            mlps[e] = new Mlp(new Linear(quantized(r, format, width, hidden, 16, 32).matrix("g" + e, width), null),
                    new Linear(quantized(r, format, width, hidden, 16, 32).matrix("u" + e, width), null),
                    new Linear(quantized(r, format, hidden, width, 16, 32).matrix("d" + e, hidden), null));
        }
        assertMoeMatchesReference(r, Specs.moe(hidden, mlps.length, 2, 1, 1, "sigmoid", true), mlps, 1, 40);

        MlaDims d = new MlaDims(3, 16, 8, 24, 64);
        WeightMatrix kvB = quantized(r, format, d.heads() * d.kvBRowsPerHead(), d.latent(), 16, 32)
                .matrix("kv_b_proj", 100);
        HostTensor q = r.tensor(5, d.heads() * d.queryHead());
        HostTensor qLatRef = new HostTensor(5, d.heads() * d.latent());
        HostTensor qLat = poisoned(5, d.heads() * d.latent());
        reference.mlaAbsorbQuery(qLatRef, q, kvB, d);
        cpu.mlaAbsorbQuery(qLat, q, kvB, d);
        assertClose(qLatRef, qLat, TOLERANCE, "mlaAbsorbQuery");
        HostTensor valuesRef = new HostTensor(5, d.heads() * d.value());
        HostTensor values = poisoned(5, d.heads() * d.value());
        reference.mlaProjectValues(valuesRef, qLatRef, kvB, d);
        cpu.mlaProjectValues(values, qLatRef, kvB, d);
        assertClose(valuesRef, values, TOLERANCE, "mlaProjectValues");
    }

    @ParameterizedTest(name = "linear gives each token the same bits whatever its batch, {0} x [{1} -> 50]")
    @CsvSource({"BF16, 200", "BF16, 256", "F32, 200"})
    void linearGivesEachTokenTheSameBitsWhateverItsBatch(DType dtype, int in) {
        // The scheduler batches rows freely only because a row's result does not depend on its
        // neighbours: 11 tokens take the panel kernels, one alone the few-token ones (for BF16 rows of
        // a multiple of the vector, 256, without a scalar tail); four tokens take the 4x4 register block.
        RandomTensors r = new RandomTensors(5);
        WeightMatrix w = r.matrix("w", dtype, 50, in);
        Linear layer = new Linear(w, null);
        HostTensor batch = r.tensor(11, in);
        HostTensor together = new HostTensor(11, 50);
        cpu.linear(together, batch, layer);
        for (int t = 0; t < 11; t++) {
            HostTensor alone = new HostTensor(1, 50);
            cpu.linear(alone, HostTensor.of(1, in, batch.row(t)), layer);
            assertArrayEquals(together.row(t), alone.row(0), "token " + t);
            HostTensor four = new HostTensor(4, 50);
            HostTensor rows = new HostTensor(4, in);
            for (int j = 0; j < 4; j++) {
                System.arraycopy(batch.row(t), 0, rows.data(), j * in, in);
            }
            cpu.linear(four, rows, layer);
            assertArrayEquals(together.row(t), four.row(3), "token " + t + " in a block of four");
        }
    }

    @ParameterizedTest(name = "rmsNorm and addRmsNorm over {0} columns")
    @CsvSource({"64", "72", "7"})
    void normsMatchReference(int cols) {
        RandomTensors r = new RandomTensors(cols);
        float[] gamma = r.floats(cols, 1f);
        HostTensor x = r.tensor(5, cols);
        HostTensor expected = new HostTensor(5, cols);
        HostTensor actual = poisoned(5, cols);
        reference.rmsNorm(expected, x, gamma, 1e-6f);
        cpu.rmsNorm(actual, x, gamma, 1e-6f);
        assertClose(expected, actual, TOLERANCE, "rmsNorm");

        HostTensor delta = r.tensor(5, cols);
        HostTensor residualRef = HostTensor.of(5, cols, x.toArray());
        HostTensor residualCpu = HostTensor.of(5, cols, x.toArray());
        reference.addRmsNorm(residualRef, delta, expected, gamma, 1e-5f);
        cpu.addRmsNorm(residualCpu, delta, actual, gamma, 1e-5f);
        assertClose(residualRef, residualCpu, TOLERANCE, "residual");
        assertClose(expected, actual, TOLERANCE, "addRmsNorm");
    }

    @Test
    void siluMulAndEmbedAndGatherMatchReference() {
        RandomTensors r = new RandomTensors(9);
        HostTensor gate = r.tensor(6, 37);
        HostTensor up = r.tensor(6, 37);
        HostTensor gateRef = HostTensor.of(6, 37, gate.toArray());
        reference.siluMul(gateRef, up);
        cpu.siluMul(gate, up);
        assertClose(gateRef, gate, TOLERANCE, "siluMul");

        WeightMatrix table = r.matrix("embed", DType.BF16, 40, 24, 7);
        int[] tokens = {3, 39, 0, 17, 17};
        HostTensor expected = new HostTensor(5, 24);
        HostTensor actual = poisoned(5, 24);
        reference.embed(expected, tokens, table);
        cpu.embed(actual, tokens, table);
        assertClose(expected, actual, 0f, "embed");

        HostTensor rows = new HostTensor(2, 24);
        cpu.gatherRows(rows, actual, new int[] {4, 1});
        assertArrayEquals(actual.row(4), rows.row(0));
        assertArrayEquals(actual.row(1), rows.row(1));
    }

    @Test
    void mlaOperationsMatchReferenceAcrossPagesAndSequences() {
        RandomTensors r = new RandomTensors(21);
        MlaDims d = new MlaDims(3, 12, 8, 20, 40);
        ModelSpec spec = Specs.tiny(d);
        RotaryEmbedding rotary = new RotaryEmbedding(spec);
        int layers = 2;
        int pageSize = TwoSequences.PAGE_SIZE;
        WeightMatrix kvB = r.matrix("kv_b_proj", DType.BF16, d.heads() * d.kvBRowsPerHead(), d.latent());
        KvCache refCache = reference.kvCache(layers, pageSize, KvLayout.of(d), TwoSequences.PAGES);
        KvCache cpuCache = cpu.kvCache(layers, pageSize, KvLayout.of(d), TwoSequences.PAGES);

        TwoSequences steps = TwoSequences.of(rotary);
        storeRandomKv(r, steps.fill(), 1, d, refCache, cpuCache);
        Batch batch = steps.step();
        int tokens = batch.tokenCount();
        storeRandomKv(r, batch, 1, d, refCache, cpuCache);

        HostTensor q = r.tensor(tokens, d.heads() * d.queryHead());
        HostTensor qRef = HostTensor.of(tokens, q.cols(), q.toArray());
        HostTensor ropeExpected = plainRope(q, d.heads(), d.queryHead(), d.nope(), batch.positions(), rotary);
        reference.rope(qRef, d.heads(), d.queryHead(), d.nope(), batch, rotary);
        cpu.rope(q, d.heads(), d.queryHead(), d.nope(), batch, rotary);
        assertClose(qRef, q, 0f, "rope");
        assertClose(ropeExpected, q, 1e-5f, "rope against its formula");

        HostTensor qLatRef = new HostTensor(tokens, d.heads() * d.latent());
        HostTensor qLat = poisoned(tokens, d.heads() * d.latent());
        reference.mlaAbsorbQuery(qLatRef, q, kvB, d);
        cpu.mlaAbsorbQuery(qLat, q, kvB, d);
        assertClose(qLatRef, qLat, TOLERANCE, "mlaAbsorbQuery");

        HostTensor outRef = new HostTensor(tokens, d.heads() * d.latent());
        HostTensor out = poisoned(tokens, d.heads() * d.latent());
        reference.mlaAttend(outRef, qLatRef, q, refCache, 1, batch, d, 0.17f);
        cpu.mlaAttend(out, qLatRef, q, cpuCache, 1, batch, d, 0.17f);
        assertClose(outRef, out, TOLERANCE, "mlaAttend");

        HostTensor valuesRef = new HostTensor(tokens, d.heads() * d.value());
        HostTensor values = poisoned(tokens, d.heads() * d.value());
        reference.mlaProjectValues(valuesRef, outRef, kvB, d);
        cpu.mlaProjectValues(values, outRef, kvB, d);
        assertClose(valuesRef, values, TOLERANCE, "mlaProjectValues");
    }

    @ParameterizedTest(name = "grouped-query attention, {0} heads over {1} key/value heads of {2}")
    @CsvSource({"6, 2, 20", "4, 4, 16", "8, 1, 36"})
    void groupedQueryOperationsMatchReferenceAcrossPagesAndSequences(int heads, int kvHeads, int headDim) {
        RandomTensors r = new RandomTensors(31 + heads);
        GqaDims d = new GqaDims(heads, kvHeads, headDim);
        RotaryEmbedding rotary = new RotaryEmbedding(Specs.tiny(new MlaDims(1, 4, 8, 4, 8)));
        int layers = 2;
        int pageSize = TwoSequences.PAGE_SIZE;
        KvCache refCache = reference.kvCache(layers, pageSize, KvLayout.of(d), TwoSequences.PAGES);
        KvCache cpuCache = cpu.kvCache(layers, pageSize, KvLayout.of(d), TwoSequences.PAGES);

        TwoSequences steps = TwoSequences.of(rotary);
        storeRandomKeysAndValues(r, steps.fill(), d, refCache, cpuCache);
        Batch batch = steps.step();
        int tokens = batch.tokenCount();
        storeRandomKeysAndValues(r, batch, d, refCache, cpuCache);

        HostTensor q = r.tensor(tokens, heads * headDim);
        HostTensor qRef = HostTensor.of(tokens, q.cols(), q.toArray());
        float[] gamma = r.floats(headDim, 1f);
        reference.rmsNormHeads(qRef, heads, gamma, 1e-6f);
        cpu.rmsNormHeads(q, heads, gamma, 1e-6f);
        assertClose(qRef, q, TOLERANCE, "rmsNormHeads");

        HostTensor outRef = new HostTensor(tokens, heads * headDim);
        HostTensor out = poisoned(tokens, heads * headDim);
        reference.gqaAttend(outRef, qRef, refCache, 1, batch, d, 0.21f);
        cpu.gqaAttend(out, qRef, cpuCache, 1, batch, d, 0.21f);
        assertClose(outRef, out, TOLERANCE, "gqaAttend");
    }

    private static void storeRandomKeysAndValues(RandomTensors r, Batch batch, GqaDims d, KvCache refCache, KvCache cpuCache) {
        HostTensor keys = r.tensor(batch.tokenCount(), d.kvWidth());
        HostTensor values = r.tensor(batch.tokenCount(), d.kvWidth());
        reference.storeKv(refCache, 1, keys, values, batch);
        cpu.storeKv(cpuCache, 1, keys, values, batch);
    }

    private static void storeRandomKv(RandomTensors r, Batch batch, int layer, MlaDims d, KvCache refCache, KvCache cpuCache) {
        HostTensor latent = r.tensor(batch.tokenCount(), d.latent());
        HostTensor rope = r.tensor(batch.tokenCount(), d.rope());
        reference.storeKv(refCache, layer, latent, rope, batch);
        cpu.storeKv(cpuCache, layer, latent, rope, batch);
    }

    @ParameterizedTest(name = "rope with interleave={0}")
    @CsvSource({"true", "false"})
    void ropeKeepsNormsOfEachPair(boolean interleave) {
        // A rotation keeps the length of each rotated pair, times the attention factor (1 without YaRN).
        ModelSpec spec = Specs.tiny(new MlaDims(1, 4, 8, 4, 8), interleave);
        RotaryEmbedding rotary = new RotaryEmbedding(spec);
        Batch batch = new Batch();
        int s = batch.addSequence(new int[] {0});
        batch.addToken(s, 0, 5, false);
        batch.addToken(s, 0, 1000, false);
        batch.seal(rotary);
        RandomTensors r = new RandomTensors(3);
        HostTensor x = r.tensor(2, 8);
        HostTensor before = HostTensor.of(2, 8, x.toArray());
        cpu.rope(x, 1, 8, 0, batch, rotary);
        for (int t = 0; t < 2; t++) {
            for (int i = 0; i < 4; i++) {
                int re = interleave ? 2 * i : i;
                int im = interleave ? 2 * i + 1 : i + 4;
                double normBefore = Math.hypot(before.get(t, re), before.get(t, im));
                // de-interleaved output: pair i lands at (i, i + 4)
                double normAfter = Math.hypot(x.get(t, i), x.get(t, i + 4));
                assertEquals(normBefore, normAfter, 1e-5, "pair " + i + " of token " + t);
            }
        }
    }

    @ParameterizedTest(name = "routing and experts, {0}")
    @EnumSource(value = DType.class, names = {"F32", "BF16"})
    void moeMatchesReference(DType dtype) {
        RandomTensors r = new RandomTensors(dtype.ordinal() + 40);
        int hidden = 40;
        int width = 24;
        Mlp[] mlps = new Mlp[16];
        for (int e = 0; e < mlps.length; e++) {
            mlps[e] = new Mlp(new Linear(r.matrix("g" + e, dtype, width, hidden), null),
                    new Linear(r.matrix("u" + e, dtype, width, hidden), null),
                    new Linear(r.matrix("d" + e, dtype, hidden, width), null));
        }
        assertMoeMatchesReference(r, Specs.moe(hidden, mlps.length, 4, 4, 2, "sigmoid", true), mlps, 1, 3, 70);
    }

    /** Routing and the routed experts of both backends on random tokens, for each token count. */
    private static void assertMoeMatchesReference(RandomTensors r, ModelSpec spec, Mlp[] mlps, int... tokenCounts) {
        int hidden = spec.hidden();
        int experts = spec.routedExperts();
        int k = spec.expertsPerToken();
        Router router = new Router(r.matrix("gate", DType.F32, experts, hidden), r.floats(experts, 0.1f),
                SeamDescriptors.topK(spec));
        for (int tokens : tokenCounts) {
            HostTensor x = r.tensor(tokens, hidden);
            HostTensor logits = new HostTensor(tokens, experts);
            reference.linear(logits, x, router.gate());
            HostRouting refRouting = new HostRouting(k);
            HostRouting cpuRouting = new HostRouting(k);
            reference.route(refRouting, logits, router);
            cpu.route(cpuRouting, logits, router);
            assertRoutingIsThePlainGate(logits, router, cpuRouting.experts(), cpuRouting.weights(), tokens);
            assertArrayEquals(java.util.Arrays.copyOf(refRouting.experts(), tokens * k),
                    java.util.Arrays.copyOf(cpuRouting.experts(), tokens * k), "routing");
            HostTensor expected = new HostTensor(tokens, hidden);
            HostTensor actual = poisoned(tokens, hidden);
            reference.moeExperts(expected, x, refRouting, mlps);
            cpu.moeExperts(actual, x, cpuRouting, mlps);
            assertClose(expected, actual, TOLERANCE, "moeExperts with " + tokens + " tokens");
        }
    }

    /**
     * RoPE written from its definition, apart from RotaryEmbedding: pair i of each head's rope part
     * turns by position · θ^(-2i/dim), θ = 10000 (Specs' config sets no rope_theta: DeepSeek-V3's
     * default) and no YaRN. Interleaved pairs (x[2i], x[2i+1]) come out de-interleaved at (i, i + dim/2);
     * the half layout's pairs are (x[i], x[i + dim/2]).
     */
    private static HostTensor plainRope(HostTensor x, int heads, int headWidth, int ropeOffset, int[] positions,
            RotaryEmbedding rotary) {
        int dim = rotary.dim();
        int half = dim / 2;
        HostTensor out = HostTensor.of(x.rows(), x.cols(), x.toArray());
        for (int t = 0; t < x.rows(); t++) {
            for (int head = 0; head < heads; head++) {
                int at = head * headWidth + ropeOffset;
                for (int i = 0; i < half; i++) {
                    double angle = positions[t] * Math.pow(10000.0, -2.0 * i / dim);
                    double re = x.get(t, at + (rotary.interleaved() ? 2 * i : i));
                    double im = x.get(t, at + (rotary.interleaved() ? 2 * i + 1 : half + i));
                    out.set(t, at + i, (float) (re * Math.cos(angle) - im * Math.sin(angle)));
                    out.set(t, at + half + i, (float) (im * Math.cos(angle) + re * Math.sin(angle)));
                }
            }
        }
        return out;
    }

    /**
     * The gate of DeepSeek-V3's MoE, written apart from Router.select, by sorting where select masks:
     * scores are sigmoid (or softmax) of the logits; the correction bias is added for choosing only;
     * groups rank by the sum of their two best biased scores (the best alone without a bias) and only
     * the best topk_group stay; the k best eligible experts are chosen, lowest index first on a tie;
     * their unbiased scores, normalised when norm_topk_prob, times routed_scaling_factor, weight them.
     */
    private static void assertRoutingIsThePlainGate(HostTensor logits, Router router, int[] experts, float[] weights,
            int tokens) {
        int n = router.experts();
        int k = router.expertsPerToken();
        int groups = router.groups();
        int perGroup = n / groups;
        float[] bias = router.correctionBias();
        for (int t = 0; t < tokens; t++) {
            float[] score = new float[n];
            double max = Double.NEGATIVE_INFINITY; // softmax's shift, for exp's range only
            for (int e = 0; e < n; e++) {
                max = Math.max(max, logits.get(t, e));
            }
            double total = 0;
            for (int e = 0; e < n; e++) {
                double l = logits.get(t, e);
                score[e] = router.sigmoid() ? (float) (1 / (1 + Math.exp(-l))) : (float) Math.exp(l - max);
                total += score[e];
            }
            if (!router.sigmoid()) {
                for (int e = 0; e < n; e++) {
                    score[e] = (float) (score[e] / total);
                }
            }
            float[] choice = new float[n];
            for (int e = 0; e < n; e++) {
                choice[e] = score[e] + (bias == null ? 0f : bias[e]);
            }
            java.util.Comparator<Integer> best = (a, b) -> Float.compare(choice[b], choice[a]);
            java.util.Set<Integer> keptGroups = new java.util.HashSet<>();
            if (groups > 1 && router.groupsKept() < groups) {
                float[] groupScore = new float[groups];
                for (int g = 0; g < groups; g++) {
                    java.util.List<Integer> members = new java.util.ArrayList<>();
                    for (int i = 0; i < perGroup; i++) {
                        members.add(g * perGroup + i);
                    }
                    members.sort(best);
                    boolean topTwo = bias != null && perGroup >= 2;
                    groupScore[g] = topTwo ? choice[members.get(0)] + choice[members.get(1)] : choice[members.get(0)];
                }
                java.util.List<Integer> order = new java.util.ArrayList<>();
                for (int g = 0; g < groups; g++) {
                    order.add(g);
                }
                order.sort((a, b) -> Float.compare(groupScore[b], groupScore[a])); // stable: lower group first on a tie
                keptGroups.addAll(order.subList(0, router.groupsKept()));
            } else {
                for (int g = 0; g < groups; g++) {
                    keptGroups.add(g);
                }
            }
            java.util.List<Integer> eligible = new java.util.ArrayList<>();
            for (int e = 0; e < n; e++) {
                if (keptGroups.contains(e / perGroup)) {
                    eligible.add(e);
                }
            }
            eligible.sort(best); // stable: lower index first on a tie
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += score[eligible.get(j)];
            }
            for (int j = 0; j < k; j++) {
                int e = eligible.get(j);
                assertEquals(e, experts[t * k + j], "token " + t + ", slot " + j + ": expert");
                double w = score[e] / (router.normalize() ? sum : 1) * router.scalingFactor();
                assertEquals(w, weights[t * k + j], 1e-5 * Math.max(1, Math.abs(w)), "token " + t + ", slot " + j + ": weight");
            }
        }
    }
}
