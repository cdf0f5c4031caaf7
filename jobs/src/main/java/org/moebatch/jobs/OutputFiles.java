package org.moebatch.jobs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Names the result files of an OpenAI-batch output as OpenAI's own are named by type, not by
 * Spark's writer: {@code output-00000.jsonl}, {@code output-00001.jsonl}, ... one per task of each
 * wave, numbered on from the highest already there (earlier waves, the run a {@code --resume}
 * finishes). Spark writes {@code part-*.txt}; they are renamed after the wave's commit, so a file
 * under the final name always holds committed lines only.
 */
final class OutputFiles {
    static final Pattern NAME = Pattern.compile("output-(\\d{5,})\\.jsonl");

    private OutputFiles() {}

    /**
     * Where a run's waves are written before they join the output: a hidden sibling of the output
     * directory, so that the attempt files of a wave that is killed (even by SIGKILL) never lie
     * inside the output, where a reader's recursive glob would pick them up. An output at the root
     * of a file system has no sibling; its staging is {@code _staging} inside it.
     */
    static Path staging(Path output) {
        Path parent = output.getParent();
        return parent == null ? new Path(output, "_staging") : new Path(parent, "." + output.getName() + ".moe-batch-staging");
    }

    /**
     * Moves the files of a committed wave from {@code wave} into {@code output}: Parquet parts under
     * Spark's names (unique per write), OpenAI lines as {@code output-NNNNN.jsonl}. Each move is one
     * rename, so a kill between two leaves whole files only, and {@code --resume} skips their ids.
     */
    static void moveWave(FileSystem fs, Path wave, Path output, boolean openAiLines) throws IOException {
        if (openAiLines) {
            renameParts(fs, wave, output);
            return;
        }
        for (FileStatus s : fs.listStatus(wave)) {
            String name = s.getPath().getName();
            if (name.startsWith("part-")) {
                Path target = new Path(output, name);
                if (!fs.rename(s.getPath(), target)) {
                    throw new IOException("cannot move " + s.getPath() + " to " + target);
                }
            }
        }
    }

    /** Renames every {@code part-*} file in {@code dir}; an empty one (a task without rows) is removed. */
    static void renameParts(FileSystem fs, Path dir) throws IOException {
        renameParts(fs, dir, dir);
    }

    /** Moves every {@code part-*} file of {@code from} to the next free {@code output-NNNNN.jsonl} of {@code dir}. */
    private static void renameParts(FileSystem fs, Path from, Path dir) throws IOException {
        int next = 0;
        List<Path> parts = new ArrayList<>();
        for (FileStatus s : fs.listStatus(dir)) {
            Matcher m = NAME.matcher(s.getPath().getName());
            if (m.matches()) {
                next = Math.max(next, Integer.parseInt(m.group(1)) + 1);
            }
        }
        for (FileStatus s : fs.listStatus(from)) {
            String name = s.getPath().getName();
            if (name.startsWith("part-")) {
                if (s.getLen() == 0) {
                    fs.delete(s.getPath(), false);
                } else {
                    parts.add(s.getPath());
                }
            }
        }
        parts.sort(null); // Spark numbers parts by task: the output files keep that order
        for (Path part : parts) {
            Path target = new Path(dir, String.format("output-%05d.jsonl", next++));
            if (!fs.rename(part, target)) {
                throw new IOException("cannot rename " + part + " to " + target);
            }
        }
    }
}
