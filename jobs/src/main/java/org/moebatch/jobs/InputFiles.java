package org.moebatch.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The data files of an input path, each with the format its own name says, so that a directory of
 * Parquet, JSONL, CSV and Arrow files reads every file right. Files no format claims ({@code NOTES.txt},
 * {@code _SUCCESS}, {@code .crc}) are skipped, and named in {@link #skipped()} for one warning.
 *
 * <p>A Hugging Face {@code DatasetDict} ({@code dataset_dict.json} naming split folders) gives every
 * file its split; the metadata files of a saved {@code Dataset} ({@code state.json},
 * {@code dataset_info.json}) are neither data nor skipped.
 */
record InputFiles(String root, List<InputFile> files, List<String> skipped, List<String> splits) {
    static final String DATASET_DICT = "dataset_dict.json";
    private static final List<String> DATASET_METADATA = List.of("state.json", "dataset_info.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A data file.
     *
     * @param path   where it is, as Hadoop names it
     * @param name   how errors name it: its path below the input, or its file name
     * @param format how it is read
     * @param split  the DatasetDict split it belongs to, or null
     */
    record InputFile(String path, String name, InputFormat format, String split) implements java.io.Serializable {}

    /**
     * The files of {@code input}. {@code format} null tells each file's format from its name; a given
     * format reads a single file whatever its name, and in a directory the files named for it.
     * {@code split} picks one split of a DatasetDict (null: all of them).
     */
    static InputFiles list(String input, InputFormat format, String split, Configuration conf) {
        Path root = new Path(input);
        try {
            FileSystem fs = root.getFileSystem(conf);
            if (!fs.exists(root)) {
                throw new IllegalArgumentException("--input " + input + ": no such file or directory");
            }
            if (!fs.getFileStatus(root).isDirectory()) {
                if (split != null) {
                    throw new IllegalArgumentException("--split " + split + ": --input " + input
                            + " is a file, not a Hugging Face DatasetDict");
                }
                InputFormat f = format != null ? format : formatOf(root.getName());
                if (f == null) {
                    throw new IllegalArgumentException("--input " + input + ": cannot tell the format from the name; "
                            + "use --input-format parquet|jsonl|csv|openai-batch|arrow");
                }
                return new InputFiles(input, List.of(new InputFile(root.toString(), root.getName(), f, null)), List.of(),
                        List.of());
            }
            List<InputFile> files = new ArrayList<>();
            List<String> skipped = new ArrayList<>();
            Path dict = new Path(root, DATASET_DICT);
            List<String> splits = fs.exists(dict) ? splits(fs, dict) : List.of();
            if (splits.isEmpty()) {
                if (split != null) {
                    throw new IllegalArgumentException("--split " + split + ": --input " + input
                            + " is not a Hugging Face DatasetDict (no " + DATASET_DICT + ")");
                }
                collect(fs, root, "", format, null, files, skipped);
            } else {
                if (split != null && !splits.contains(split)) {
                    throw new IllegalArgumentException("--split " + split + ": " + input + " has the splits " + splits);
                }
                for (String s : splits) {
                    if (split == null || split.equals(s)) {
                        collect(fs, new Path(root, s), s + "/", format, s, files, skipped);
                    }
                }
            }
            if (files.isEmpty()) {
                throw new IllegalArgumentException("--input " + input + ": no .parquet, .jsonl, .json, .csv or .arrow files"
                        + (format != null ? " for --input-format " + format.name().toLowerCase(Locale.ROOT) : "")
                        + (skipped.isEmpty() ? "" : " (found only " + skipped + ")"));
            }
            return new InputFiles(input, files, skipped, split != null ? List.of(split) : splits);
        } catch (IOException e) {
            throw new IllegalArgumentException("--input " + input + ": cannot list: " + e.getMessage());
        }
    }

    /** Whether the input is a DatasetDict, whose rows carry their split. */
    boolean hasSplits() {
        return !splits.isEmpty();
    }

    /** The files read as {@code format}. */
    List<InputFile> of(InputFormat format) {
        return files.stream().filter(f -> f.format() == format).toList();
    }

    /** The format a file's name says, or null: .parquet, .jsonl/.json (and .gz of those), .csv, .arrow. */
    static InputFormat formatOf(String fileName) {
        String n = fileName.toLowerCase(Locale.ROOT);
        if (n.endsWith(".gz")) {
            n = n.substring(0, n.length() - 3);
        }
        if (n.endsWith(".parquet")) {
            return InputFormat.PARQUET;
        }
        if (n.endsWith(".jsonl") || n.endsWith(".json")) {
            return InputFormat.JSONL;
        }
        if (n.endsWith(".csv")) {
            return InputFormat.CSV;
        }
        if (n.endsWith(".arrow")) {
            return InputFormat.ARROW;
        }
        return null;
    }

    /** Whether a file named {@code fileName} holds data of the given format (OpenAI batch lines are .jsonl). */
    private static boolean named(String fileName, InputFormat format) {
        InputFormat byName = formatOf(fileName);
        return byName == format || (format == InputFormat.OPENAI_BATCH && byName == InputFormat.JSONL);
    }

    private static void collect(FileSystem fs, Path dir, String prefix, InputFormat format, String split,
            List<InputFile> files, List<String> skipped) throws IOException {
        FileStatus[] entries = fs.listStatus(dir);
        java.util.Arrays.sort(entries, (a, b) -> a.getPath().getName().compareTo(b.getPath().getName()));
        boolean savedDataset = fs.exists(new Path(dir, "state.json"));
        for (FileStatus entry : entries) {
            String name = entry.getPath().getName();
            if (entry.isDirectory()) {
                if (!name.startsWith(".") && !name.startsWith("_")) {
                    collect(fs, entry.getPath(), prefix + name + "/", format, split, files, skipped);
                }
                continue;
            }
            if (savedDataset && DATASET_METADATA.contains(name)) {
                continue;
            }
            InputFormat f = format != null ? (named(name, format) ? format : null) : formatOf(name);
            if (f == null || name.startsWith(".") || name.startsWith("_")) {
                skipped.add(prefix + name);
            } else {
                files.add(new InputFile(entry.getPath().toString(), prefix + name, f, split));
            }
        }
    }

    private static List<String> splits(FileSystem fs, Path dict) throws IOException {
        JsonNode node;
        try (InputStream in = fs.open(dict)) {
            node = JSON.readTree(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("--input " + dict + ": not valid JSON: " + e.getMessage());
        }
        JsonNode splits = node == null ? null : node.get("splits");
        if (splits == null || !splits.isArray() || splits.isEmpty()) {
            throw new IllegalArgumentException("--input " + dict + ": expected {\"splits\": [names of split folders]}");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode s : splits) {
            if (!s.isTextual() || !fs.isDirectory(new Path(dict.getParent(), s.asText()))) {
                throw new IllegalArgumentException("--input " + dict + ": split " + s + " is not a folder beside it");
            }
            out.add(s.asText());
        }
        return out;
    }
}
