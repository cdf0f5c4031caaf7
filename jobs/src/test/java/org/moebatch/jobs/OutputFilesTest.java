package org.moebatch.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputFilesTest {
    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    @Test
    void partsAreNumberedOnAfterTheOutputFilesAlreadyThereAndEmptyOnesGo() throws IOException {
        Files.writeString(dir.resolve("output-00003.jsonl"), "{\"wave\": 0}\n");
        Files.writeString(dir.resolve("part-00001-abc-c000.txt"), "{\"task\": 1}\n");
        Files.writeString(dir.resolve("part-00000-abc-c000.txt"), "{\"task\": 0}\n");
        Files.writeString(dir.resolve("part-00002-abc-c000.txt"), "");
        Files.writeString(dir.resolve("_SUCCESS"), "");
        FileSystem fs = FileSystem.getLocal(new Configuration());
        OutputFiles.renameParts(fs, new org.apache.hadoop.fs.Path(dir.toUri()));
        assertEquals(List.of("_SUCCESS", "output-00003.jsonl", "output-00004.jsonl", "output-00005.jsonl"), names());
        assertEquals("{\"task\": 0}\n", Files.readString(dir.resolve("output-00004.jsonl")), "task order is kept");
        assertEquals("{\"task\": 1}\n", Files.readString(dir.resolve("output-00005.jsonl")));
    }

    @Test
    void aFirstWaveStartsAtZero() throws IOException {
        Files.writeString(dir.resolve("part-00000-x-c000.txt"), "{}\n");
        OutputFiles.renameParts(FileSystem.getLocal(new Configuration()), new org.apache.hadoop.fs.Path(dir.toUri()));
        assertEquals(List.of("output-00000.jsonl"), names());
    }
}
