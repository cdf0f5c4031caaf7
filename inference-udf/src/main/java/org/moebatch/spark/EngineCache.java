package org.moebatch.spark;

import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.moebatch.chat.ChatRunner;
import org.moebatch.chat.ChatTemplate;
import org.moebatch.engine.Backend;
import org.moebatch.engine.CpuBackend;
import org.moebatch.engine.Engine;
import org.moebatch.engine.EngineConfig;
import org.moebatch.engine.ReferenceBackend;
import org.moebatch.model.DeepseekV3Model;
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

    /** The resident runner for these options, loaded on first use. */
    public static ChatRunner get(GenerateOptions options) {
        return RESIDENTS.computeIfAbsent(options.engineKey(), key -> load(options)).runner();
    }

    private static Resident load(GenerateOptions o) {
        long start = System.nanoTime();
        int threads = o.threads() > 0 ? o.threads() : Runtime.getRuntime().availableProcessors();
        Backend backend;
        switch (o.device()) {
            case "cpu":
                backend = new CpuBackend(threads);
                break;
            case "cpu-reference":
                backend = new ReferenceBackend();
                break;
            default:
                if (o.device().equals("cuda") || o.device().startsWith("cuda:")) {
                    backend = org.moebatch.engine.cuda.CudaBackend.open(org.moebatch.engine.cuda.CudaBackend.ordinal(o.device()));
                    break;
                }
                throw new IllegalArgumentException("device \"" + o.device() + "\" is not available (cpu, cpu-reference, cuda, cuda:N)");
        }
        try {
            DeepseekV3Model model = DeepseekV3Model.load(Paths.get(o.modelDir()), backend);
            EngineConfig config = EngineConfig.defaults()
                    .withKvCacheBytes(o.kvCacheMb() << 20)
                    .withMaxRunning(o.maxRunning())
                    .withMaxStepTokens(o.maxStepTokens());
            Engine engine = new Engine(model, backend, config);
            ChatRunner runner = new ChatRunner(engine, Tokenizer.load(model.dir()), ChatTemplate.load(model.dir()));
            LOG.info("engine for {} on {} ready in {} ms", o.modelDir(), backend.device(), (System.nanoTime() - start) / 1_000_000);
            return new Resident(runner, backend);
        } catch (RuntimeException e) {
            backend.close();
            throw e;
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
