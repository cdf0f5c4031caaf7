package org.moebatch.spark;

import java.io.Serializable;
import java.lang.management.ManagementFactory;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.moebatch.chat.ChatResult;
import org.moebatch.chat.ChatRunner;
import org.moebatch.engine.Engine;
import org.moebatch.tools.AgentLoop;

/**
 * The task side of {@code generate}: streams a partition's rows into the executor's resident engine
 * and hands results back as they finish, holding at most {@code window} rows in flight, never the
 * whole partition. Results come out in input order.
 */
public final class PartitionGenerator implements MapPartitionsFunction<Row, Row>, Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Counters the driver reads for progress (rows done, rows failed, tokens in and out) and, for the
     * job report, the rows' distributions and the experts' load ({@code stats}, may be null).
     */
    public record Counters(LongAccumulator rows, LongAccumulator errors, LongAccumulator promptTokens,
            LongAccumulator completionTokens, JobStatsAccumulator stats) implements Serializable {}

    private final GenerateOptions options;
    private final StructType inputSchema;
    private final String modelName;
    private final Counters counters;

    public PartitionGenerator(GenerateOptions options, StructType inputSchema, String modelName, Counters counters) {
        this.options = options;
        this.inputSchema = inputSchema;
        this.modelName = modelName;
        this.counters = counters;
    }

    private record InFlight(RowParser.Parsed parsed, Object[] passthrough, CompletableFuture<ChatResult> result) {}

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        RowParser parser = new RowParser(inputSchema, options);
        List<StructField> passthrough = OutputSchema.passthrough(inputSchema);
        int[] passthroughIndex = passthrough.stream().mapToInt(f -> inputSchema.fieldIndex(f.name())).toArray();
        ArrayDeque<InFlight> window = new ArrayDeque<>();
        StructType outputSchema = OutputSchema.forInput(inputSchema);
        JobStats taskStats = new JobStats();
        return new Iterator<>() {
            private AgentLoop loop;
            private Engine engine;
            private long[][] engineStart;
            private boolean reported;

            private AgentLoop loop() {
                if (loop == null) {
                    // the engine and the tools are loaded once per executor, on first use
                    ChatRunner runner = EngineCache.get(options);
                    engine = runner.engine();
                    engineStart = engine.stats().expertTokens();
                    loop = ExecutorTools.loop(runner, options.tools());
                }
                return loop;
            }

            /** At the partition's end: this task's rows and its engine's expert counters go to the report. */
            private void report() {
                if (reported || counters == null || counters.stats() == null) {
                    return;
                }
                reported = true;
                if (engine != null) {
                    taskStats.engineSpan(engineKey(engine), engineStart, engine.stats().expertTokens());
                }
                counters.stats().add(taskStats);
            }

            private void fill() {
                while (window.size() < Math.max(1, options.window()) && input.hasNext()) {
                    Row row = input.next();
                    RowParser.Parsed parsed = parser.parse(row);
                    Object[] values = new Object[passthroughIndex.length];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = row.get(passthroughIndex[i]);
                    }
                    CompletableFuture<ChatResult> result = parsed.error() != null
                            ? CompletableFuture.completedFuture(ChatResult.failed(parsed.id(), parsed.error()))
                            : loop().run(parsed.request());
                    window.add(new InFlight(parsed, values, result));
                }
            }

            @Override
            public boolean hasNext() {
                fill();
                if (window.isEmpty()) {
                    report();
                    return false;
                }
                return true;
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                InFlight head = window.poll();
                ChatResult result = head.result().join();
                count(result);
                taskStats.record(result, head.parsed().error() != null);
                return OutputSchema.row(result, modelName, head.parsed().seed(), head.passthrough(), outputSchema);
            }
        };
    }

    /** Names one resident engine across the cluster: its JVM and the instance. */
    private static String engineKey(Engine engine) {
        return ManagementFactory.getRuntimeMXBean().getName() + "/" + System.identityHashCode(engine);
    }

    private void count(ChatResult r) {
        if (counters == null) {
            return;
        }
        counters.rows().add(1);
        if (!r.ok()) {
            counters.errors().add(1);
        }
        counters.promptTokens().add(r.promptTokens());
        counters.completionTokens().add(r.completionTokens());
    }
}
