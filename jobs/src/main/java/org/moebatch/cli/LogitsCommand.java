package org.moebatch.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.moebatch.backend.Backend;
import org.moebatch.engine.Backends;
import org.moebatch.engine.LogitsProbe;
import org.moebatch.model.MoeModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code moe-batch logits}: the model's raw output for a token prompt and greedy continuation, as
 * one JSON object on stdout, {@code {"tokens": [...], "greedy": [...], "logits": [[...], ...]}}.
 * Other checks read this contract; logs go to stderr.
 */
@Command(name = "logits", mixinStandardHelpOptions = true,
        description = "Print the logits after a token prompt and after each of N greedy decode steps, as JSON.")
final class LogitsCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(LogitsCommand.class);

    @Option(names = "--model", paramLabel = "DIR", converter = OptionChecks.ExistingDirectory.class,
            description = "Hugging Face checkpoint directory (default: the tiny K2-architecture model in data-samples/).")
    Path model;

    @Option(names = "--tokens", paramLabel = "IDS", split = ",", defaultValue = "1",
            description = "Comma-separated prompt token ids (default: ${DEFAULT-VALUE}).")
    int[] tokens;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "0", converter = OptionChecks.NonNegative.class,
            description = "Greedy decode steps after the prompt, each fed back through the KV cache (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--device", defaultValue = "cpu", converter = OptionChecks.Device.class,
            description = "cpu (Vector API), cpu-reference (plain loops, slow), cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0", converter = OptionChecks.NonNegative.class,
            description = "CPU threads; 0 means one per core (default: ${DEFAULT-VALUE}).")
    int threads;

    @Override
    public Integer call() throws IOException {
        if (steps < 0) {
            throw new IllegalArgumentException("--steps must not be negative, is " + steps);
        }
        Path dir = model != null ? model : Defaults.model();
        try (Backend backend = Backends.create(device, threads)) {
            long start = System.nanoTime();
            MoeModel m = MoeModel.load(dir, backend);
            LOG.info("loaded {} ({}, {} layers) on {} in {} ms", dir, m.spec().modelType(), m.spec().layers(),
                    backend.device(), (System.nanoTime() - start) / 1_000_000);
            LogitsProbe.Result result = LogitsProbe.run(m, backend, tokens, steps);
            write(result, System.out);
        }
        return 0;
    }

    static void write(LogitsProbe.Result result, OutputStream out) throws IOException {
        try (JsonGenerator json = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            json.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
            json.writeStartObject();
            json.writeArrayFieldStart("tokens");
            for (int t : result.prompt()) {
                json.writeNumber(t);
            }
            json.writeEndArray();
            json.writeArrayFieldStart("greedy");
            for (int t : result.greedy()) {
                json.writeNumber(t);
            }
            json.writeEndArray();
            json.writeArrayFieldStart("logits");
            for (float[] row : result.logits()) {
                json.writeStartArray();
                for (float v : row) {
                    json.writeNumber(v);
                }
                json.writeEndArray();
            }
            json.writeEndArray();
            json.writeEndObject();
        }
        out.write('\n');
        out.flush();
    }
}
