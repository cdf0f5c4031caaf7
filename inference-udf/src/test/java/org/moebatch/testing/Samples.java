package org.moebatch.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Finds the repository's data-samples/ from whichever module directory the tests run in. */
public final class Samples {
    private Samples() {}

    public static Path dir() {
        Path here = Paths.get("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            Path candidate = p.resolve("data-samples");
            if (Files.isDirectory(candidate.resolve("models"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("data-samples/ not found above " + here);
    }

    public static Path model(String name) {
        return dir().resolve("models").resolve(name);
    }

    public static Path golden(String name) {
        return dir().resolve("golden").resolve(name + ".json");
    }
}
