package org.moebatch.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.moebatch.backend.Backend;
import org.moebatch.backend.Batch;
import org.moebatch.backend.KvLayout;
import org.moebatch.model.ModelSpec;
import org.moebatch.model.SeamDescriptors;
import org.moebatch.model.MoeModel;
import org.moebatch.model.Workspace;
import org.moebatch.tensor.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model resident on one device, serving rows from any thread with continuous batching.
 *
 * <p>One engine thread runs steps. Each step: admit waiting rows while the cache has room (sharing
 * the pages of identical prompt prefixes), then one forward pass over a decode token of every row
 * that is generating plus prompt chunks of rows still prefilling, up to {@code maxStepTokens};
 * sample each row that reached the end of its known tokens; finish rows that stop. Finished rows make
 * room for new ones at the next step. When the cache is full, admission waits; if a generating row
 * cannot grow, the youngest row gives its pages back and is recomputed later (its output does not
 * change: sampling is a function of the row's seed and position).
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    private final MoeModel model;
    private final Backend backend;
    private final EngineConfig config;
    private final ModelSpec spec;
    private final KvPagePool pages;
    private final PrefixCache prefixCache;
    private final Workspace workspace;
    private final Batch batch = new Batch();
    private final Sampler sampler = new Sampler();
    private final EngineStats stats = new EngineStats();
    private final LinkedBlockingQueue<Sequence> incoming = new LinkedBlockingQueue<>();
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();
    private final List<Sequence> inBatch = new ArrayList<>();
    private final Thread loop;
    private volatile boolean closed;
    private long admissions;
    private float[] logits = new float[0];
    private int[] batchEnds = new int[16];

    public Engine(MoeModel model, Backend backend, EngineConfig config) {
        this.model = model;
        this.backend = backend;
        this.config = config;
        this.spec = model.spec();
        KvLayout layout = SeamDescriptors.kvLayout(spec);
        long pageBytes = 4L * spec.layers() * config.pageSize() * layout.entryFloats();
        long pageCount = config.kvCacheBytes() / pageBytes;
        if (pageCount < 1) {
            throw new IllegalArgumentException("a KV cache budget of " + config.kvCacheBytes() + " bytes holds no page of "
                    + pageBytes + " bytes; raise it");
        }
        if (pageCount > Integer.MAX_VALUE / 2) {
            pageCount = Integer.MAX_VALUE / 2;
        }
        this.pages = new KvPagePool(backend.kvCache(spec.layers(), config.pageSize(), layout, (int) pageCount));
        this.prefixCache = new PrefixCache(pages);
        this.workspace = model.newWorkspace(backend);
        this.loop = new Thread(this::runLoop, "moe-engine");
        this.loop.setDaemon(true);
        this.loop.start();
        LOG.info("engine on {}: {} cache pages of {} positions ({} MiB), steps of up to {} tokens, {} rows in flight",
                backend.device(), pageCount, config.pageSize(), pageCount * pageBytes >> 20, config.maxStepTokens(),
                config.maxRunning());
    }

    public MoeModel model() {
        return model;
    }

    public EngineConfig config() {
        return config;
    }

    /** Counters since start, expert load included. */
    public EngineStats.Snapshot stats() {
        return stats.snapshot(workspace.expertLoad().snapshot());
    }

    /** Positions the cache can hold at once. */
    public long cacheCapacityTokens() {
        return (long) pages.totalPages() * pages.pageSize();
    }

    /**
     * Queues a row. The future completes with its result, or exceptionally with an
     * {@link IllegalArgumentException} saying why the row cannot run (a prompt longer than the
     * context or than the whole cache, a token outside the vocabulary).
     */
    public CompletableFuture<GenerationResult> submit(GenerationRequest request) {
        Sequence seq = new Sequence(request, System.nanoTime());
        String problem = validate(request);
        if (problem != null) {
            seq.result.completeExceptionally(new IllegalArgumentException(problem));
            return seq.result;
        }
        if (closed) {
            seq.result.completeExceptionally(new IllegalStateException("engine is closed"));
            return seq.result;
        }
        incoming.add(seq);
        return seq.result;
    }

    private String validate(GenerationRequest r) {
        int[] prompt = r.prompt();
        if (prompt.length >= spec.maxPositions()) {
            return "prompt of " + prompt.length + " tokens does not fit the model's context of "
                    + spec.maxPositions() + " positions";
        }
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] < 0 || prompt[i] >= spec.vocabSize()) {
                return "token " + prompt[i] + " at prompt index " + i + " is outside the vocabulary [0, "
                        + spec.vocabSize() + ")";
            }
        }
        if (pages.pagesFor(prompt.length + 1) > pages.totalPages()) {
            return "prompt of " + prompt.length + " tokens needs more KV cache than the whole budget holds ("
                    + cacheCapacityTokens() + " positions)";
        }
        return null;
    }

    private void runLoop() {
        while (!closed) {
            try {
                if (running.isEmpty() && waiting.isEmpty()) {
                    Sequence next = incoming.poll(100, TimeUnit.MILLISECONDS);
                    if (next != null) {
                        waiting.add(next);
                    }
                }
                incoming.drainTo(waiting);
                if (!running.isEmpty() || !waiting.isEmpty()) {
                    step();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                // A failed step fails every running row (the step may have touched any of them and
                // their KV pages are released), never the engine or the rows still waiting.
                LOG.error("engine step failed: {}", e.toString(), e);
                for (Sequence seq : new ArrayList<>(running)) {
                    release(seq);
                    seq.result.completeExceptionally(e);
                }
                running.clear();
                if (e instanceof OutOfMemoryError) {
                    throw (OutOfMemoryError) e;
                }
            }
        }
        IllegalStateException closedError = new IllegalStateException("engine closed");
        for (Sequence seq : running) {
            seq.result.completeExceptionally(closedError);
        }
        for (Sequence seq : waiting) {
            seq.result.completeExceptionally(closedError);
        }
        for (Sequence seq : incoming) {
            seq.result.completeExceptionally(closedError);
        }
    }

    private void step() {
        long start = System.nanoTime();
        admit(start);
        reserveDecodePages();
        int[] counts = buildBatch();
        int prefillTokens = counts[0];
        int decodeTokens = counts[1];
        if (batch.tokenCount() == 0) {
            return;
        }
        batch.seal(model.rotary());
        Tensor out = model.forward(backend, batch, pages.cache(), workspace);
        int vocab = out.cols();
        if (logits.length < out.rows() * vocab) {
            logits = new float[out.rows() * vocab];
        }
        backend.copyToHost(out, logits);
        sampleAndFinish(vocab);
        stats.step(prefillTokens, decodeTokens, (System.nanoTime() - start) / 1e9, running.size());
    }

    /**
     * Moves waiting rows into the running set, oldest first, while rows and pages allow and while the
     * next step has prompt budget left for them. Admitting no more than a step can start means a row
     * that shares a prompt prefix with a row admitted just before finds that prefix in the cache.
     */
    private void admit(long now) {
        int backlog = 0;
        for (Sequence seq : running) {
            backlog += generating(seq) ? 1 : seq.length - seq.computed;
        }
        while (!waiting.isEmpty() && running.size() < config.maxRunning() && backlog < config.maxStepTokens()) {
            Sequence seq = waiting.peek();
            // Everything known so far must be (re)computed: the prompt, plus generated tokens after a preemption.
            int toCompute = seq.length;
            int needed = pages.pagesFor(toCompute + 1);
            int shared = 0;
            if (config.prefixSharing()) {
                // the last known token is always computed, it gives the logits to sample from
                shared = prefixCache.attach(seq, seq.tokens, Math.min(seq.promptLength, toCompute - 1));
            }
            int available = pages.freePages() + prefixCache.evictablePages();
            if (needed - seq.pageCount > available) {
                for (int i = 0; i < seq.pageCount; i++) {
                    pages.release(seq.pages[i]);
                }
                seq.pageCount = 0;
                break; // the oldest waiting row goes first; wait for room rather than overtake it
            }
            while (seq.pageCount < needed) {
                seq.addPage(allocatePage());
            }
            waiting.poll();
            seq.computed = shared;
            if (seq.firstScheduledNanos < 0) {
                seq.firstScheduledNanos = now;
                seq.cachedPromptTokens = shared;
                stats.admitted(seq.promptLength, shared);
            }
            seq.admissionOrder = admissions++;
            running.add(seq);
            backlog += seq.length - seq.computed;
        }
    }

    private int allocatePage() {
        int page = pages.allocate();
        while (page < 0 && prefixCache.evictOne()) {
            page = pages.allocate();
        }
        return page;
    }

    /**
     * Gives every generating row a page for its next position, taking pages from the youngest rows
     * when none are free: those go back to the front of the queue and are recomputed later.
     */
    private void reserveDecodePages() {
        // running is in admission order, so the youngest is last and preemption removes from the tail.
        for (int i = 0; i < running.size(); i++) {
            Sequence seq = running.get(i);
            while (generating(seq) && seq.pageCount < pages.pagesFor(seq.length)) {
                int page = allocatePage();
                if (page >= 0) {
                    seq.addPage(page);
                } else if (running.size() > 1) {
                    preempt(running.get(running.size() - 1));
                } else {
                    throw new IllegalStateException("the KV cache cannot hold one row of " + seq.length + " positions");
                }
            }
        }
    }

    private static boolean generating(Sequence seq) {
        return seq.generated() > 0 && seq.computed == seq.length - 1;
    }

    /** Fills the batch: a token for each generating row, then prompt chunks; returns {prefill, decode} counts. */
    private int[] buildBatch() {
        batch.clear();
        inBatch.clear();
        int budget = config.maxStepTokens();
        int decode = 0;
        // Generating rows first: each needs exactly one token, and they hold cache while they wait.
        for (Sequence seq : running) {
            if (generating(seq)) {
                add(seq, 1);
                decode++;
                budget--;
            }
        }
        int prefill = 0;
        for (Sequence seq : running) {
            if (budget <= 0) {
                break;
            }
            if (!generating(seq)) {
                int n = Math.min(seq.length - seq.computed, budget);
                add(seq, n);
                prefill += n;
                budget -= n;
            }
        }
        return new int[] {prefill, decode};
    }

    private void add(Sequence seq, int n) {
        int s = batch.addSequence(seq.pages);
        int end = seq.computed + n;
        for (int p = seq.computed; p < end; p++) {
            batch.addToken(s, seq.tokens[p], p, p == seq.length - 1);
        }
        if (batchEnds.length == inBatch.size()) {
            batchEnds = java.util.Arrays.copyOf(batchEnds, Math.max(16, batchEnds.length * 2));
        }
        batchEnds[inBatch.size()] = end;
        inBatch.add(seq);
    }

    private void preempt(Sequence victim) {
        running.remove(victim);
        release(victim);
        victim.computed = 0;
        victim.preemptions++;
        stats.preempted();
        waiting.addFirst(victim);
    }

    private void release(Sequence seq) {
        for (int i = 0; i < seq.pageCount; i++) {
            pages.release(seq.pages[i]);
        }
        seq.pageCount = 0;
    }

    private void sampleAndFinish(int vocab) {
        int row = 0;
        long now = System.nanoTime();
        for (int i = 0; i < inBatch.size(); i++) {
            Sequence seq = inBatch.get(i);
            boolean wasPrefilling = seq.computed < seq.promptLength;
            seq.computed = batchEnds[i];
            if (wasPrefilling && config.prefixSharing()) {
                // Share prompt pages as soon as they are computed, so rows admitted next step find them.
                prefixCache.register(seq, Math.min(seq.computed, seq.promptLength));
            }
            if (seq.computed < seq.length) {
                continue; // mid-prefill: no logits for this row this step
            }
            if (seq.request.processor() != null) {
                seq.request.processor().process(logits, row * vocab, vocab);
            }
            // The draw depends on the row's seed and the position the new token takes, nothing else.
            int token = sampler.sample(logits, row * vocab, vocab, seq.request.params(), seq.length);
            row++;
            if (seq.firstTokenNanos < 0) {
                seq.firstTokenNanos = now;
            }
            seq.append(token);
            String finish = finishReason(seq, token);
            if (finish != null) {
                finish(seq, finish, now);
            }
        }
        running.removeIf(s -> s.result.isDone());
    }

    private String finishReason(Sequence seq, int token) {
        SamplingParams params = seq.request.params();
        boolean observerStops = seq.request.observer() != null && seq.request.observer().onToken(token);
        if (!params.ignoreEos() && spec.eosTokenIds().contains(token) || observerStops) {
            return "stop";
        }
        if (seq.generated() >= params.maxTokens() || seq.length >= spec.maxPositions()) {
            return "length";
        }
        return null;
    }

    private void finish(Sequence seq, String reason, long now) {
        if (config.prefixSharing()) {
            // Everything but the just-sampled token is in the cache: a tool-loop continuation of this
            // row (same tokens plus a tool result) will find it.
            prefixCache.register(seq, seq.length - 1);
        }
        release(seq);
        stats.finished();
        double queueMs = (seq.firstScheduledNanos - seq.submittedNanos) / 1e6;
        double prefillMs = (seq.firstTokenNanos - seq.firstScheduledNanos) / 1e6;
        double decodeMs = (now - seq.firstTokenNanos) / 1e6;
        seq.result.complete(new GenerationResult(seq.request.id(), seq.generatedTokens(), reason, seq.promptLength,
                seq.cachedPromptTokens, queueMs, prefillMs, decodeMs, seq.preemptions));
    }

    @Override
    public void close() {
        closed = true;
        try {
            loop.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Rows queued or in flight. */
    public int pending() {
        return incoming.size() + waiting.size() + running.size();
    }

}
