package org.moebatch.jobs;

import java.util.Locale;

/** What {@code generate} writes: Parquet with the DESIGN.md contract, or OpenAI Batch result lines. */
public enum OutputFormat {
    PARQUET, OPENAI_BATCH;

    public static OutputFormat parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--output-format " + name + " is not one of parquet, openai-batch");
        }
    }
}
