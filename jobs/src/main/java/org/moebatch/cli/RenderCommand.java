package org.moebatch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.moebatch.chat.ChatRequest;
import org.moebatch.jobs.GenerateJob;
import org.moebatch.jobs.InputFormat;
import org.moebatch.jobs.SparkSessions;
import org.moebatch.spark.GenerateOptions;
import org.moebatch.spark.ModelPreflight;
import org.moebatch.spark.RowParser;
import org.moebatch.tools.AgentLimits;
import org.moebatch.tools.AgentLoop;
import org.moebatch.tools.ToolRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code moe-batch render}: the exact prompt text, and its token count, that {@code generate} would
 * give the model for each row: the row read and parsed as the job reads it, the job's system prompt
 * and tools added, the checkpoint's chat template applied. For debugging templates and inputs; no
 * weights are loaded.
 */
@Command(name = "render", mixinStandardHelpOptions = true,
        description = "Print the exact prompt text (and its token count) the model would see for each row.")
final class RenderCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--input", required = true, paramLabel = "PATH", converter = OptionChecks.Input.class,
            description = "Prompt file or directory, as generate reads it.")
    String input;

    @Option(names = "--input-format", defaultValue = "auto",
            description = "auto, parquet, jsonl, csv, openai-batch or arrow (default: ${DEFAULT-VALUE}, from the file names).")
    String inputFormat;

    @Option(names = "--model", paramLabel = "DIR", converter = OptionChecks.ExistingDirectory.class,
            description = "Checkpoint whose tokenizer and chat template to use (default: the default model of generate).")
    Path model;

    @Option(names = "--system", paramLabel = "TEXT", description = "System prompt for rows without one, as in generate.")
    String system;

    @Option(names = "--tools", paramLabel = "FILE", converter = OptionChecks.ExistingFile.class, description = "The job's tools file, as in generate: their declarations join the prompt.")
    Path tools;

    @Option(names = "--limit", defaultValue = "10", converter = OptionChecks.Positive.class, description = "Rows to render (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "One JSON object a row ({id, tokens, prompt, error}) instead of readable text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Path modelDir = (model != null ? model : Defaults.chatModel()).toAbsolutePath();
        // the limits do not shape a prompt: any valid ones
        GenerateOptions options = GenerateOptions.defaults(modelDir.toString()).withPrompting(system, null)
                .withTools(ToolFlags.toolOptions(tools, new AgentLimits(1, 1, 1), false));
        SparkSession spark = SparkSessions.create("moe-batch render", "local[1]", java.util.Map.of());
        try (ModelPreflight checkpoint = ModelPreflight.open(modelDir);
                ToolRegistry registry = options.tools().toolsJson() == null ? ToolRegistry.empty()
                        : ToolRegistry.fromJson(options.tools().toolsJson(), Path.of(options.tools().baseDir()))) {
            Dataset<Row> rows = GenerateJob.inputRows(spark, input,
                    inputFormat.equals("auto") ? null : InputFormat.parse(inputFormat));
            RowParser parser = new RowParser(rows.schema(), options);
            List<Row> shown = rows.limit(limit).collectAsList();
            for (Row row : shown) {
                print(render(parser.parse(row), checkpoint, registry));
            }
            System.err.printf("%d rows rendered with %s%n", shown.size(), modelDir);
        } finally {
            spark.stop();
        }
        return 0;
    }

    /** One row's prompt, or the reason it has none. */
    record Rendered(String id, String prompt, int tokens, String error) {}

    static Rendered render(RowParser.Parsed parsed, ModelPreflight checkpoint, ToolRegistry registry) {
        if (parsed.error() != null) {
            return new Rendered(parsed.id(), null, 0, parsed.error());
        }
        ChatRequest request = AgentLoop.offering(parsed.request(), registry);
        try {
            String prompt = checkpoint.template().render(request.messages(), request.tools(), true);
            return new Rendered(parsed.id(), prompt, checkpoint.tokenizer().encode(prompt).length, null);
        } catch (IllegalArgumentException e) {
            return new Rendered(parsed.id(), null, 0, e.getMessage());
        }
    }

    private void print(Rendered r) {
        if (json) {
            ObjectNode line = JSON.createObjectNode();
            line.put("id", r.id());
            line.put("tokens", r.tokens());
            line.put("prompt", r.prompt());
            line.put("error", r.error());
            System.out.println(line);
        } else if (r.error() != null) {
            System.out.printf("── %s  error: %s%n%n", r.id(), r.error());
        } else {
            System.out.printf("── %s  %d tokens%n%s%n%n", r.id(), r.tokens(), r.prompt());
        }
    }
}
