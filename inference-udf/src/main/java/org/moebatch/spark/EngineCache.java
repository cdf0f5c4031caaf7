package org.moebatch.spark;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.moebatch.backend.Backend;
import org.moebatch.backend.ExpertParallelBackend;
import org.moebatch.chat.ChatRunner;
import org.moebatch.chat.ChatTemplate;
import org.moebatch.engine.Backends;
import org.moebatch.engine.Engine;
import org.moebatch.engine.EngineConfig;
import org.moebatch.engine.HostMemory;
import org.moebatch.engine.MemoryPlan;
import org.moebatch.model.Checkpoint;
import org.moebatch.model.ModelSpec;
import org.moebatch.model.MoeModel;
import org.moebatch.tokenizer.Tokenizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engines resident in this JVM (a Spark executor, or the driver in local mode), one per model
 * and device. The first task that needs one loads it; every later task of the executor reuses it, so
 * the weights are mapped once and all tasks' rows share one continuously batched engine. Engines
 * close when the JVM exits.
 */
public final class EngineCache {
    private static final Logger LOG = LoggerFactory.getLogger(EngineCache.class);
    private record Resident(ChatRunner runner, Backend backend) {}

    private static final Map<String, Resident> RESIDENTS = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(EngineCache::closeAll, "moe-engine-cache-shutdown"));
    }

    private EngineCache() {}

    /**
     * The resident runner for these options, loaded on first use. {@code auto} and {@code cuda}
     * resolve to the GPUs Spark gave the running task, so tasks sharing a GPU share its engine.
     */
    public static ChatRunner get(GenerateOptions options) {
        GenerateOptions resolved = options.withDevice(DeviceAssignment.forCurrentTask(options.device()));
        return RESIDENTS.computeIfAbsent(resolved.engineKey(), key -> load(resolved)).runner();
    }

    private static Resident load(GenerateOptions o) {
        long start = System.nanoTime();
        Backend backend = Backends.create(o.device(), o.threads());
        try {
            EngineConfig config = EngineConfig.defaults()
                    .withKvCacheBytes(o.kvCacheMb() << 20)
                    .withMaxRunning(o.maxRunning())
                    .withMaxStepTokens(o.maxStepTokens());
            checkFit(o, config, backend);
            MoeModel model = MoeModel.load(Paths.get(o.modelDir()), backend);
            Engine engine = new Engine(model, backend, config);
            ChatRunner runner = new ChatRunner(engine, Tokenizer.load(model.dir()), ChatTemplate.load(model.dir()));
            LOG.info("engine for {} on {} ready in {} ms", o.modelDir(), backend.device(), (System.nanoTime() - start) / 1_000_000);
            return new Resident(runner, backend);
        } catch (RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    /**
     * The memory plan against what each device has. A GPU short of memory fails here, before any
     * weight is uploaded, saying by how much. On the CPU the weights are mapped from the page cache,
     * so a shortfall of host memory slows the engine (pages re-read from disk) rather than failing
     * it: a warning, not an error.
     */
    private static void checkFit(GenerateOptions o, EngineConfig config, Backend backend) {
        List<Backend> devices = backend instanceof ExpertParallelBackend ep ? ep.shards() : List.of(backend);
        Path dir = Paths.get(o.modelDir());
        Checkpoint checkpoint = Checkpoint.open(dir);
        ModelSpec spec = ModelSpec.read(dir);
        MemoryPlan asStored = MemoryPlan.of(checkpoint, spec, config, devices.size());
        MemoryPlan onGpu = MemoryPlan.of(checkpoint, spec, config, devices.size(), true);
        long hostNeed = 0;
        for (int d = 0; d < devices.size(); d++) {
            OptionalLong free = devices.get(d).deviceFreeBytes();
            if (free.isPresent()) {
                onGpu.check(devices.get(d).device(), d, free.getAsLong());
            } else {
                hostNeed += asStored.bytesOn(d);
            }
        }
        long available = HostMemory.availableBytes();
        if (available > 0 && hostNeed > available) {
            LOG.warn("{} needs {} MiB (weights, KV cache, activations) but the host has {} MiB available: "
                    + "expect weights to be re-read from disk", o.modelDir(), hostNeed >> 20, available >> 20);
        }
    }

    /** Closes and forgets every resident engine (tests; the shutdown hook). */
    public static synchronized void closeAll() {
        for (Resident r : RESIDENTS.values()) {
            try {
                r.runner().close();
                r.backend().close();
            } catch (RuntimeException e) {
                LOG.warn("closing an engine: {}", e.toString());
            }
        }
        RESIDENTS.clear();
    }
}
