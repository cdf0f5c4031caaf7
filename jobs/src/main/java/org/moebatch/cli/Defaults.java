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

    /**
     * The model of {@code logits} and {@code bench} without {@code --model}: a tiny random-weight
     * K2-architecture checkpoint, kept as their default so benchmark numbers stay comparable over time.
     */
    static Path model() {
        return home().resolve("data-samples/models/k2-tiny-chat");
    }

    /**
     * The model of {@code generate}, {@code eval} and {@code datagen} without {@code --model}: a tiny
     * K2-architecture MoE trained by tools/train-demo to use the built-in tools of
     * data-samples/tools/tools.json, so a first run shows real tool calls and answers.
     */
    static Path chatModel() {
        return home().resolve("data-samples/models/k2-tool-demo");
    }
}
