package org.moebatch.spark;

import java.lang.reflect.Constructor;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.moebatch.chat.ChatRunner;
import org.moebatch.tools.AgentLoop;
import org.moebatch.tools.ToolExecutor;
import org.moebatch.tools.ToolRegistry;
import org.moebatch.tools.constrain.ConstrainedDecoding;

/**
 * The tools of this executor JVM: one registry per tools configuration (so each MCP server runs once
 * per executor, shared by all tasks), one pool that runs the calls, and the agent loop of a job.
 */
public final class ExecutorTools {
    private static final Map<String, ToolRegistry> REGISTRIES = new ConcurrentHashMap<>();
    private static final ToolExecutor EXECUTOR = new ToolExecutor();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExecutorTools::closeAll, "moe-tools-shutdown"));
    }

    private ExecutorTools() {}

    public static ToolRegistry registry(ToolOptions options) {
        if (options.toolsJson() == null) {
            return ToolRegistry.empty();
        }
        return REGISTRIES.computeIfAbsent(options.key(), key -> ToolRegistry.fromJson(options.toolsJson(),
                options.baseDir() == null ? null : Paths.get(options.baseDir())));
    }

    /** The agent loop of a job on this executor's resident runner. */
    public static AgentLoop loop(ChatRunner runner, ToolOptions options) {
        return new AgentLoop(runner, registry(options), EXECUTOR, options.limits(), decoding(runner, options));
    }

    private static AgentLoop.TurnDecoding decoding(ChatRunner runner, ToolOptions options) {
        if (options.decoder() != null) {
            try {
                Class<?> type = Class.forName(options.decoder());
                for (Constructor<?> c : type.getConstructors()) {
                    if (c.getParameterCount() == 1 && c.getParameterTypes()[0] == ChatRunner.class) {
                        return (AgentLoop.TurnDecoding) c.newInstance(runner);
                    }
                }
                return (AgentLoop.TurnDecoding) type.getConstructor().newInstance();
            } catch (ReflectiveOperationException | ClassCastException e) {
                throw new IllegalArgumentException("decoder " + options.decoder() + " cannot be created: " + e, e);
            }
        }
        if (options.constrained()) {
            return new ConstrainedDecoding(runner.tokenizer(), runner.engine().model().spec().vocabSize(),
                    runner.engine().model().spec().eosTokenIds());
        }
        return null;
    }

    public static synchronized void closeAll() {
        for (ToolRegistry r : REGISTRIES.values()) {
            r.close();
        }
        REGISTRIES.clear();
    }
}
