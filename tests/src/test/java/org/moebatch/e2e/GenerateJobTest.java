package org.moebatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moebatch.jobs.GenerateJob;
import org.moebatch.jobs.GenerateJobConfig;
import org.moebatch.jobs.InputFormat;
import org.moebatch.jobs.OutputFormat;
import org.moebatch.report.JobSummary;
import org.moebatch.spark.OutputSchema;

/** The generate job on local Spark over data-samples: formats, the output contract, bad rows. */
class GenerateJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void jsonlRowsComeOutWithTheContractSchemaColumnByColumn() throws IOException {
        Path out = tmp.resolve("out");
        JobSummary summary = E2e.generate(E2e.sample("sample.jsonl"), out, null, E2e.options(12), 2);
        assertEquals(22, summary.rows());
        assertEquals(22, summary.ok());

        StructType schema = E2e.spark().read().parquet(out.toString()).schema();
        // the contract, in order, then the passthrough column
        List<String> expected = List.of("id", "completion", "finish_reason", "tool_trace", "usage", "timing", "model",
                "seed", "error", "category");
        assertEquals(expected, List.of(schema.fieldNames()));
        assertEquals(DataTypes.StringType, schema.apply("id").dataType());
        assertEquals(DataTypes.StringType, schema.apply("completion").dataType());
        assertEquals(DataTypes.StringType, schema.apply("finish_reason").dataType());
        // Parquet reads every field back as nullable
        assertEquals(DataTypes.createArrayType(OutputSchema.TOOL_CALL, true), schema.apply("tool_trace").dataType());
        assertEquals(OutputSchema.USAGE, schema.apply("usage").dataType());
        assertEquals(OutputSchema.TIMING, schema.apply("timing").dataType());
        assertEquals(DataTypes.StringType, schema.apply("model").dataType());
        assertEquals(DataTypes.LongType, schema.apply("seed").dataType());
        assertEquals(DataTypes.StringType, schema.apply("error").dataType());

        Map<String, Row> rows = E2e.byId(out);
        Row doc = rows.get("doc-001"); // max_tokens 24 in its row, overriding the job's 12
        assertEquals("length", doc.getAs("finish_reason"));
        assertEquals(24, doc.<Row>getAs("usage").getInt(1));
        assertTrue(doc.<Row>getAs("usage").getInt(0) > 40, "the prompt includes the system prompt");
        assertNull(doc.getAs("error"));
        assertEquals("k2-tiny-chat", doc.getAs("model"));
        assertEquals("history", doc.getAs("category"));
        assertTrue(doc.<Row>getAs("timing").getDouble(4) > 0);
        assertEquals(0, doc.<java.util.List<?>>getAs("tool_trace") == null ? 0 : doc.getList(3).size());
        assertNotNull(doc.getAs("completion"));
        Row chat = rows.get("chat-001");
        assertEquals(12, chat.<Row>getAs("usage").getInt(1));
        int cached = rows.values().stream().mapToInt(r -> r.<Row>getAs("usage").getInt(2)).sum();
        assertTrue(cached > 0, "rows sharing the system prompt hit the prefix cache");
        JsonNode saved = JSON.readTree(Files.readString(out.resolve("_summary.json")));
        assertEquals(22, saved.get("rows").asInt());
        assertEquals(summary.completionTokens(), saved.get("completion_tokens").asLong());
    }

    @Test
    void everyBadRowKindBecomesAnErrorRowAndTheJobGoesOn() throws IOException {
        Path out = tmp.resolve("bad");
        JobSummary summary = E2e.generate(E2e.sample("bad-rows.jsonl"), out, InputFormat.JSONL, E2e.options(4), 2);
        assertEquals(13, summary.rows(), "nothing dropped: 12 JSON rows and one broken line");
        assertEquals(1, summary.ok());
        List<Row> rows = E2e.spark().read().parquet(out.toString()).collectAsList();
        Map<String, String> errors = new java.util.HashMap<>();
        for (Row r : rows) {
            if (r.getAs("error") != null) {
                assertEquals("error", r.getAs("finish_reason"));
            }
            errors.merge(r.getAs("id"), String.valueOf((Object) r.getAs("error")), (a, b) -> a + " | " + b);
        }
        assertTrue(errors.get("bad-null-prompt").contains("prompt is empty"));
        assertTrue(errors.get("bad-empty-prompt").contains("prompt is empty"));
        assertTrue(errors.get("bad-blank-prompt").contains("prompt is empty"));
        assertTrue(errors.get("bad-messages-json").contains("messages is not valid JSON"));
        assertTrue(errors.get("bad-role").contains("unknown role \"robot\""));
        assertTrue(errors.get("bad-temperature").contains("temperature must be"));
        assertTrue(errors.get("bad-max-tokens").contains("max_tokens must be at least 1"));
        assertTrue(errors.get("bad-number-type").contains("top_p: \"lots\" is not a number"));
        assertTrue(errors.get("bad-too-long").contains("does not fit the model's context"));
        assertEquals(2, rows.stream().filter(r -> "dup".equals(r.getAs("id"))).count(), "both rows of a shared id are kept");
        assertTrue(errors.get("dup").contains("duplicate id: 2 input rows share id dup"));
        assertEquals("null", errors.get("good-control"));
        assertEquals("bad-rows.jsonl:13 is not valid JSON: {this line is not json}", errors.get("bad-rows.jsonl:13"),
                "a broken line is named, and identified, by its file and line");
    }

    @Test
    void csvNumbersArriveAsTextAndWork() throws IOException {
        Path out = tmp.resolve("csv");
        JobSummary summary = E2e.generate(E2e.sample("sample.csv"), out, null, E2e.options(32), 2);
        assertEquals(8, summary.rows());
        assertEquals(8, summary.ok());
        Map<String, Row> rows = E2e.byId(out);
        assertEquals(16, rows.get("csv-0").<Row>getAs("usage").getInt(1), "max_tokens \"16\" read from text");
        assertEquals("csv", rows.get("csv-3").getAs("source"));
    }

    @Test
    void parquetInputWithMessageStructs() throws IOException {
        Path parquet = tmp.resolve("in.parquet");
        E2e.spark().read().json(E2e.sample("sample.jsonl").toString()).write().parquet(parquet.toString());
        Path out = tmp.resolve("out");
        JobSummary summary = E2e.generate(parquet, out, null, E2e.options(6), 2);
        assertEquals(22, summary.ok());
        Row chat = E2e.byId(out).get("chat-001");
        assertTrue(chat.<Row>getAs("usage").getInt(0) > 60, "the whole three-message conversation is in the prompt");
    }

    @Test
    void arrowFilesOfHuggingFaceDatasets() throws IOException {
        Path dataset = tmp.resolve("hf-dataset");
        HfArrowWriter.write(dataset.resolve("data-00000-of-00001.arrow"), List.of(
                new HfArrowWriter.Example("Summarise the plot of Hamlet.", List.of()),
                new HfArrowWriter.Example(null, List.<String[]>of(new String[] {"user", "Name three rivers."})),
                new HfArrowWriter.Example("What is 2+2?", List.of())));
        Path out = tmp.resolve("out");
        JobSummary summary = E2e.generate(dataset, out, null, E2e.options(5), 1);
        assertEquals(3, summary.rows());
        assertEquals(3, summary.ok());
        StructType schema = E2e.spark().read().parquet(out.toString()).schema();
        assertTrue(schema.getFieldIndex("label").isDefined(), "arrow passthrough column kept");
    }

    @Test
    void existingOutputNeedsResumeOrOverwrite() throws IOException {
        Path out = tmp.resolve("out");
        E2e.generate(E2e.sample("sample.csv"), out, null, E2e.options(2), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> E2e.generate(E2e.sample("sample.csv"), out, null, E2e.options(2), 1));
        assertTrue(e.getMessage().contains("--resume") && e.getMessage().contains("--overwrite"), e.getMessage());
    }

    private JobSummary overwrite(Path input, Path output) throws IOException {
        return new GenerateJob(E2e.spark(), new GenerateJobConfig(input.toString(), output.toString(), InputFormat.JSONL,
                OutputFormat.PARQUET, 1, false, true, 10_000, E2e.options(4))).run();
    }

    @Test
    void overwriteReplacesOnlyAMoeBatchOutput() throws IOException {
        Path input = Files.writeString(tmp.resolve("two.jsonl"), "{\"id\": \"a\", \"prompt\": \"hi\"}\n"
                + "{\"id\": \"b\", \"prompt\": \"ho\"}\n");
        // a directory of someone's files is refused, and kept
        Path notOurs = Files.createDirectories(tmp.resolve("documents"));
        Files.writeString(notOurs.resolve("NOTES.txt"), "mine");
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> overwrite(input, notOurs));
        assertTrue(refused.getMessage().contains("not a moe-batch output"), refused.getMessage());
        assertTrue(Files.exists(notOurs.resolve("NOTES.txt")));
        // a file is refused by name
        Path file = Files.writeString(tmp.resolve("results.parquet"), "not a directory");
        IllegalArgumentException isFile = assertThrows(IllegalArgumentException.class, () -> overwrite(input, file));
        assertTrue(isFile.getMessage().endsWith("is a file, not a directory"), isFile.getMessage());
        assertEquals("not a directory", Files.readString(file));
        // an empty directory, and then the output of a run, are replaced
        Path out = Files.createDirectories(tmp.resolve("fresh"));
        assertEquals(2, overwrite(input, out).rows());
        assertTrue(Files.exists(out.resolve("_SUCCESS")) && Files.exists(out.resolve("_summary.json")));
        assertEquals(2, overwrite(input, out).rows());
        assertEquals(2, E2e.byId(out).size());
        assertFalse(Files.exists(out.resolveSibling(".fresh.moe-batch-staging")), "no staging left beside a finished output");
    }
}
