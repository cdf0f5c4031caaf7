package org.moebatch.engine;

import org.moebatch.backend.Backend;
import org.moebatch.backend.Batch;
import org.moebatch.backend.KvCache;
import org.moebatch.model.MoeModel;
import org.moebatch.model.SeamDescriptors;
import org.moebatch.model.Workspace;
import org.moebatch.tensor.Tensor;

/**
 * Prefill a prompt, then decode greedily through the KV cache, keeping every logit vector: the
 * model inspection behind {@code moe-batch logits} and the golden-logit tests.
 */
public final class LogitsProbe {
    /** {@code logits[0]} follows the prompt's last token; {@code logits[i]} follows {@code greedy[i-1]}. */
    public record Result(int[] prompt, int[] greedy, float[][] logits) {}

    private static final int PAGE_SIZE = 16;

    private LogitsProbe() {}

    public static Result run(MoeModel model, Backend be, int[] prompt, int steps) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt needs at least one token");
        }
        if (steps < 0) {
            throw new IllegalArgumentException("steps must not be negative, is " + steps);
        }
        int vocab = model.spec().vocabSize();
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] < 0 || prompt[i] >= vocab) {
                throw new IllegalArgumentException("token " + prompt[i] + " at index " + i
                        + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        int total = prompt.length + steps;
        KvCache cache = be.kvCache(model.spec().layers(), PAGE_SIZE, SeamDescriptors.kvLayout(model.spec()),
                (total + PAGE_SIZE - 1) / PAGE_SIZE);
        KvPagePool pool = new KvPagePool(cache);
        int[] pageTable = new int[pool.pagesFor(total)];
        for (int i = 0; i < pageTable.length; i++) {
            pageTable[i] = pool.allocate();
        }
        Workspace ws = model.newWorkspace(be);
        Batch batch = new Batch();
        float[][] logits = new float[steps + 1][];
        int[] greedy = new int[steps];

        batch.clear();
        int seq = batch.addSequence(pageTable);
        for (int i = 0; i < prompt.length; i++) {
            batch.addToken(seq, prompt[i], i, i == prompt.length - 1);
        }
        logits[0] = step(model, be, batch, cache, ws);
        for (int s = 0; s < steps; s++) {
            greedy[s] = argmax(logits[s]);
            batch.clear();
            seq = batch.addSequence(pageTable);
            batch.addToken(seq, greedy[s], prompt.length + s, true);
            logits[s + 1] = step(model, be, batch, cache, ws);
        }
        return new Result(prompt.clone(), greedy, logits);
    }

    private static float[] step(MoeModel model, Backend be, Batch batch, KvCache cache, Workspace ws) {
        batch.seal(model.rotary());
        Tensor out = model.forward(be, batch, cache, ws);
        float[] row = new float[out.cols()];
        float[] all = new float[out.rows() * out.cols()];
        be.copyToHost(out, all);
        System.arraycopy(all, 0, row, 0, row.length);
        return row;
    }

    /** The first index of the largest value: greedy decoding, ties to the lower id as torch.argmax does. */
    public static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
