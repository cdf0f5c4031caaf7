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

    /** Renames every {@code part-*} file in {@code dir}; an empty one (a task without rows) is removed. */
    static void renameParts(FileSystem fs, Path dir) throws IOException {
        int next = 0;
        List<Path> parts = new ArrayList<>();
        for (FileStatus s : fs.listStatus(dir)) {
            String name = s.getPath().getName();
            Matcher m = NAME.matcher(name);
            if (m.matches()) {
                next = Math.max(next, Integer.parseInt(m.group(1)) + 1);
            } else if (name.startsWith("part-")) {
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
