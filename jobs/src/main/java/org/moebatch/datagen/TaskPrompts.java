package org.moebatch.datagen;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.moebatch.chat.JinjaCompat;

/**
 * The first stage's prompts, self-instruct style (Wang et al. 2023): row {@code i} grows from seed
 * {@code i mod seeds} (so every seed is used), shows that seed and a few others drawn with the row's
 * own seed as examples, and asks for one new task of the seed's category. The template is Jinja with
 * {@code examples} (list of seeds: instruction, output, category, id), {@code seed} (the row's seed
 * task), {@code category} and {@code row} (the row number).
 */
public final class TaskPrompts {
    static final String DEFAULT_TEMPLATE = "/org/moebatch/datagen/default-template.jinja";

    /** Plain Jinja, in the chat templates' sandbox: seed tasks are data, a seed's "{{ x }}" stays that text. */
    private static final Jinjava JINJA = JinjaCompat.sandboxed(JinjavaConfig.newBuilder());

    private final String template;
    private final List<SeedTask> seeds;
    private final int examples;

    public TaskPrompts(String template, List<SeedTask> seeds, int examples) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("no usable seed tasks");
        }
        if (examples < 1) {
            throw new IllegalArgumentException("--examples must be at least 1, is " + examples);
        }
        this.template = template;
        this.seeds = List.copyOf(seeds);
        this.examples = Math.min(examples, seeds.size());
        render(0, 1); // a template that does not render fails here, before any work, with Jinja's message
    }

    /** The template of {@code file}, or the built-in one when null. */
    public static String template(Path file) throws IOException {
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("--template " + file + ": no such file");
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        }
        try (InputStream in = TaskPrompts.class.getResourceAsStream(DEFAULT_TEMPLATE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The seed task row {@code row} grows from. */
    public SeedTask seedOf(int row) {
        return seeds.get(row % seeds.size());
    }

    /** Row {@code row}'s prompt; {@code rowSeed} picks its examples, so the same seed gives the same prompt. */
    public String render(int row, long rowSeed) {
        SeedTask seed = seedOf(row);
        List<SeedTask> others = new ArrayList<>(seeds);
        others.remove(seed);
        SplittableRandom random = new SplittableRandom(rowSeed);
        List<Map<String, Object>> shown = new ArrayList<>();
        // a partial Fisher-Yates shuffle picks examples - 1 others; the row's own seed comes last, nearest the ask
        for (int i = 0; i < examples - 1; i++) {
            int j = i + random.nextInt(others.size() - i);
            SeedTask t = others.get(j);
            others.set(j, others.get(i));
            others.set(i, t);
            shown.add(t.asTemplateValue());
        }
        shown.add(seed.asTemplateValue());
        Map<String, Object> context = new HashMap<>();
        context.put("examples", shown);
        context.put("seed", seed.asTemplateValue());
        context.put("category", seed.category());
        context.put("row", row);
        RenderResult result = JINJA.renderForResult(template, context);
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new IllegalArgumentException("--template: line " + error.getLineno() + ": " + error.getMessage());
            }
        }
        return result.getOutput().strip();
    }

    /**
     * The task in a first-stage completion: the text after a leading "Task N:" label if the model
     * repeated it, up to the first blank line (one task asked, one kept).
     */
    public static String extractTask(String completion) {
        if (completion == null) {
            return "";
        }
        String s = completion.strip().replaceFirst("(?i)^(task|instruction)\\s*\\d*\\s*:\\s*", "");
        int blank = s.indexOf("\n\n");
        return (blank < 0 ? s : s.substring(0, blank)).strip();
    }
}
