package org.moebatch.jobs;

import java.util.Locale;

/** The prompt dataset formats {@code generate} reads. */
public enum InputFormat {
    PARQUET, JSONL, CSV, OPENAI_BATCH, ARROW;

    public static InputFormat parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--input-format " + name
                    + " is not one of auto, parquet, jsonl, csv, openai-batch, arrow");
        }
    }
}
