package org.moebatch.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Where the installation's own files are: bin/moe-batch passes {@code -Dmoe.home}. */
final class Defaults {
    private Defaults() {}

    static Path home() {
        String home = System.getProperty("moe.home");
        if (home != null) {
            return Paths.get(home);
        }
        // Run from a checkout without the launcher (tests, an IDE): look upwards for data-samples/.
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("data-samples"))) {
                return p;
            }
        }
        return Paths.get("").toAbsolutePath();
    }

    /** The model of {@code logits} and {@code bench} without {@code --model}: a tiny random-weight K2-architecture checkpoint. */
    static Path model() {
        return chatModel();
    }

    /**
     * The default model: a tiny random-weight K2-architecture checkpoint with a byte-level tokenizer
     * and a Kimi-style chat template. Every stage of the pipeline runs; its text is noise.
     */
    static Path chatModel() {
        return home().resolve("data-samples/models/k2-tiny-chat");
    }
}
