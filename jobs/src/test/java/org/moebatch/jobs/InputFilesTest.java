package org.moebatch.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputFilesTest {
    @TempDir
    Path dir;

    private static Map<String, InputFormat> formats(InputFiles files) {
        return files.files().stream().collect(Collectors.toMap(InputFiles.InputFile::name, InputFiles.InputFile::format));
    }

    private void touch(String... names) throws Exception {
        for (String n : names) {
            Path p = dir.resolve(n);
            Files.createDirectories(p.getParent());
            Files.writeString(p, "x");
        }
    }

    @Test
    void everyFileOfADirectoryHasTheFormatOfItsOwnName() throws Exception {
        touch("a.parquet", "b.jsonl", "c.json", "d.csv", "e.arrow", "f.jsonl.gz", "NOTES.txt", "_SUCCESS", ".a.parquet.crc", "sums.crc");
        InputFiles files = InputFiles.list(dir.toString(), null, null, new Configuration());
        assertEquals(Map.of("a.parquet", InputFormat.PARQUET, "b.jsonl", InputFormat.JSONL, "c.json", InputFormat.JSONL,
                "d.csv", InputFormat.CSV, "e.arrow", InputFormat.ARROW, "f.jsonl.gz", InputFormat.JSONL), formats(files));
        // Hadoop's local file system hides its own .NAME.crc checksums; any other .crc is skipped by name
        assertEquals(List.of("NOTES.txt", "_SUCCESS", "sums.crc"), files.skipped());
        assertTrue(!files.hasSplits());
    }

    @Test
    void aGivenFormatReadsTheFilesNamedForIt() throws Exception {
        touch("requests.jsonl", "more.json", "table.parquet");
        InputFiles files = InputFiles.list(dir.toString(), InputFormat.OPENAI_BATCH, null, new Configuration());
        assertEquals(Map.of("requests.jsonl", InputFormat.OPENAI_BATCH, "more.json", InputFormat.OPENAI_BATCH), formats(files));
        assertEquals(List.of("table.parquet"), files.skipped());
        InputFiles single = InputFiles.list(dir.resolve("table.parquet").toString(), InputFormat.CSV, null, new Configuration());
        assertEquals(Map.of("table.parquet", InputFormat.CSV), formats(single), "a named file is read as told");
    }

    @Test
    void aDirectoryOfNoDataSaysWhatItFound() throws Exception {
        touch("NOTES.txt");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InputFiles.list(dir.toString(), null, null, new Configuration()));
        assertTrue(e.getMessage().contains("no .parquet, .jsonl, .json, .csv or .arrow files") && e.getMessage().contains("NOTES.txt"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> InputFiles.list(dir.resolve("missing").toString(), null, null, new Configuration()));
    }

    @Test
    void aDatasetDictGivesEachFileItsSplitAndSplitPicksOne() throws Exception {
        Files.writeString(dir.resolve("dataset_dict.json"), "{\"splits\": [\"train\", \"test\"]}");
        touch("train/data-00000-of-00002.arrow", "train/data-00001-of-00002.arrow", "train/state.json",
                "train/dataset_info.json", "test/data-00000-of-00001.arrow", "test/state.json", "test/dataset_info.json");
        InputFiles all = InputFiles.list(dir.toString(), null, null, new Configuration());
        assertEquals(List.of("train", "test"), all.splits());
        assertEquals(List.of("train/data-00000-of-00002.arrow:train", "train/data-00001-of-00002.arrow:train",
                "test/data-00000-of-00001.arrow:test"),
                all.files().stream().map(f -> f.name() + ":" + f.split()).toList());
        assertEquals(List.of(), all.skipped(), "a saved dataset's metadata is neither data nor noise");

        InputFiles test = InputFiles.list(dir.toString(), null, "test", new Configuration());
        assertEquals(List.of("test/data-00000-of-00001.arrow"), test.files().stream().map(InputFiles.InputFile::name).toList());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> InputFiles.list(dir.toString(), null, "validation", new Configuration()));
        assertEquals("--split validation: " + dir + " has the splits [train, test]", unknown.getMessage());
    }

    @Test
    void splitOnAnythingButADatasetDictIsAnError() throws Exception {
        touch("a.jsonl");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InputFiles.list(dir.toString(), null, "train", new Configuration()));
        assertTrue(e.getMessage().startsWith("--split train: ") && e.getMessage().contains("not a Hugging Face DatasetDict"),
                e.getMessage());
        Files.writeString(dir.resolve("dataset_dict.json"), "{\"splits\": [\"train\"]}");
        IllegalArgumentException noFolder = assertThrows(IllegalArgumentException.class,
                () -> InputFiles.list(dir.toString(), null, null, new Configuration()));
        assertTrue(noFolder.getMessage().contains("split \"train\" is not a folder"), noFolder.getMessage());
    }
}
