package org.moebatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moebatch.jobs.InputFormat;
import org.moebatch.report.JobSummary;

/** Issue 16, inputs: every row accounted for and named, each file read by its own format, passthrough types kept. */
class InputsJobTest {
    @TempDir
    Path tmp;

    @Test
    void typeErrorsAndBrokenLinesBecomeErrorRowsNamedByFileAndLine() throws IOException {
        Path input = tmp.resolve("prompts.jsonl");
        Files.write(input, List.of(
                "{\"id\": \"good\", \"prompt\": \"This row is fine.\"}",
                "{not json}",
                "{\"id\": \"\", \"prompt\": \"an empty id\"}",
                "{\"id\": \"number-prompt\", \"prompt\": 42}",
                "{\"id\": \"array-prompt\", \"prompt\": [\"a\", \"b\"]}",
                "{\"id\": \"null-content\", \"messages\": [{\"role\": \"user\", \"content\": null}]}",
                "{\"id\": \"hot\", \"prompt\": \"hi\", \"temperature\": \"hot\"}",
                "{\"id\": \"lots\", \"prompt\": \"hi\", \"max_tokens\": \"lots\"}",
                "also not json",
                "{\"id\": \"good-2\", \"prompt\": \"So is this one.\", \"temperature\": 0.0, \"max_tokens\": 2}"));
        Path out = tmp.resolve("out");
        JobSummary summary = E2e.generate(input, out, null, E2e.options(2), 2);
        assertEquals(10, summary.rows(), "no line dropped");
        assertEquals(2, summary.ok());
        Map<String, Row> rows = E2e.byId(out);
        assertEquals(10, rows.size(), "every line has an id of its own: the two broken lines do not share one");
        assertNull(rows.get("good").getAs("error"));
        assertNull(rows.get("good-2").getAs("error"));
        assertEquals("prompts.jsonl:2 is not valid JSON: {not json}", rows.get("prompts.jsonl:2").getAs("error"));
        assertEquals("prompts.jsonl:9 is not valid JSON: also not json", rows.get("prompts.jsonl:9").getAs("error"));
        assertEquals("prompts.jsonl:3: id: expected non-empty text, got \"\"", rows.get("prompts.jsonl:3").getAs("error"));
        assertEquals("prompts.jsonl:4: prompt: expected text, got a number (42)", rows.get("number-prompt").getAs("error"));
        assertTrue(rows.get("array-prompt").<String>getAs("error").contains("prompt: expected text, got an array"));
        assertTrue(rows.get("null-content").<String>getAs("error").contains("messages[0]: content is null; a user message needs text"),
                rows.get("null-content").<String>getAs("error"));
        assertEquals("prompts.jsonl:7: temperature: \"hot\" is not a number (expected a number)", rows.get("hot").getAs("error"));
        assertEquals("prompts.jsonl:8: max_tokens: \"lots\" is not a number (expected a whole number)",
                rows.get("lots").getAs("error"));
    }

    @Test
    void openAiLinesWithoutCustomIdAndWithUnsupportedFieldsAreErrorsNamedByLine() throws IOException {
        String messages = "\"messages\": [{\"role\": \"user\", \"content\": \"Name a colour.\"}]";
        Path input = tmp.resolve("requests.jsonl");
        Files.write(input, List.of(
                "{\"custom_id\": \"ok\", \"body\": {" + messages + ", \"user\": \"u-7\", \"metadata\": {\"run\": \"a\"}, \"max_tokens\": 2}}",
                "{\"body\": {" + messages + "}}",
                "{\"body\": {" + messages + "}}",
                "{\"custom_id\": \"n3\", \"body\": {" + messages + ", \"n\": 3}}",
                "{\"custom_id\": \"json-mode\", \"body\": {" + messages + ", \"response_format\": {\"type\": \"json_object\"}}}",
                "{\"custom_id\": \"logprobs\", \"body\": {" + messages + ", \"logprobs\": true}}"));
        Path out = tmp.resolve("out");
        JobSummary summary = E2e.generate(input, out, InputFormat.OPENAI_BATCH, E2e.options(2), 1);
        assertEquals(6, summary.rows());
        assertEquals(1, summary.ok(), "user and metadata are harmless");
        Map<String, Row> rows = E2e.byId(out);
        assertEquals("requests.jsonl:2 has no custom_id", rows.get("requests.jsonl:2").getAs("error"));
        assertEquals("requests.jsonl:3 has no custom_id", rows.get("requests.jsonl:3").getAs("error"));
        assertEquals("requests.jsonl:4: body.n = 3 is not supported (only 1)", rows.get("n3").getAs("error"));
        assertTrue(rows.get("json-mode").<String>getAs("error").startsWith("requests.jsonl:5: body.response_format"));
        assertTrue(rows.get("logprobs").<String>getAs("error").startsWith("requests.jsonl:6: body.logprobs = true"));
    }

    @Test
    void aDirectoryReadsEachFileByItsOwnFormatAndSkipsTheRest() throws IOException {
        Path dir = tmp.resolve("mixed");
        Files.createDirectories(dir);
        E2e.spark().read().json(E2e.sample("sample.jsonl").toString()).limit(3).coalesce(1).write()
                .parquet(tmp.resolve("p").toString());
        try (Stream<Path> parts = Files.list(tmp.resolve("p"))) {
            Path part = parts.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
            Files.copy(part, dir.resolve("a-first.parquet"));
        }
        Files.write(dir.resolve("b.jsonl"), List.of("{\"id\": \"j1\", \"prompt\": \"From JSON lines.\", \"source\": \"jsonl\"}"));
        Files.write(dir.resolve("c.csv"), List.of("id,prompt,source", "c1,From a CSV file.,csv"));
        Files.write(dir.resolve("NOTES.txt"), List.of("not prompts"));
        Files.write(dir.resolve("_SUCCESS"), List.of());
        Path out = tmp.resolve("out");
        JobSummary summary = E2e.generate(dir, out, null, E2e.options(2), 2);
        assertEquals(5, summary.rows(), "3 Parquet rows, 1 JSON line, 1 CSV row; NOTES.txt and _SUCCESS are no rows");
        assertEquals(5, summary.ok());
        Map<String, Row> rows = E2e.byId(out);
        assertEquals("jsonl", rows.get("j1").getAs("source"));
        assertEquals("csv", rows.get("c1").getAs("source"));
    }

    @Test
    void aDatasetDictsRowsCarryTheirSplitAndSplitPicksOne() throws IOException {
        Path dict = tmp.resolve("dict");
        HfArrowWriter.write(dict.resolve("train/data-00000-of-00001.arrow"), List.of(
                new HfArrowWriter.Example("Summarise the plot of Hamlet.", List.of()),
                new HfArrowWriter.Example("What is 2+2?", List.of())));
        HfArrowWriter.write(dict.resolve("test/data-00000-of-00001.arrow"), List.of(
                new HfArrowWriter.Example("Name three rivers.", List.of())));
        for (String split : List.of("train", "test")) {
            Files.writeString(dict.resolve(split + "/state.json"), "{\"_data_files\": [{\"filename\": \"data-00000-of-00001.arrow\"}]}");
            Files.writeString(dict.resolve(split + "/dataset_info.json"), "{\"features\": {}}");
        }
        Files.writeString(dict.resolve("dataset_dict.json"), "{\"splits\": [\"train\", \"test\"]}");

        Path out = tmp.resolve("all");
        JobSummary all = E2e.generate(dict, out, null, E2e.options(2), 1);
        assertEquals(3, all.rows(), "state.json and dataset_info.json are not prompts");
        assertEquals(3, all.ok());
        List<Row> splits = E2e.spark().read().parquet(out.toString()).groupBy("split").count().orderBy("split").collectAsList();
        assertEquals("[[test,1], [train,2]]", splits.toString());

        Path test = tmp.resolve("test");
        JobSummary one = E2e.generate(dict, test, null, org.moebatch.jobs.OutputFormat.PARQUET, E2e.options(2), 1, false,
                10_000, "test");
        assertEquals(1, one.rows());
        assertEquals("test", E2e.spark().read().parquet(test.toString()).first().getAs("split"));
    }

    /** A Parquet file with a prompt column and one column of the given type, written by parquet-mr. */
    private static void writeParquet(Path file, MessageType schema, int rows, java.util.function.BiConsumer<Group, Integer> fill)
            throws IOException {
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toString()))
                .withType(schema).withConf(new Configuration()).build()) {
            SimpleGroupFactory groups = new SimpleGroupFactory(schema);
            for (int i = 0; i < rows; i++) {
                Group g = groups.newGroup().append("id", "row-" + i).append("prompt", "Say hello number " + i + ".");
                fill.accept(g, i);
                writer.write(g);
            }
        }
    }

    private static Binary uuid(int i) {
        UUID u = new UUID(0x1234L, i);
        return Binary.fromConstantByteArray(ByteBuffer.allocate(16).putLong(u.getMostSignificantBits())
                .putLong(u.getLeastSignificantBits()).array());
    }

    @Test
    void aParquetColumnSparkCannotReadIsLeftOutOfPassthroughOrStopsTheJobWhenNeeded() throws IOException {
        MessageType withUuid = Types.buildMessage()
                .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("id")
                .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("prompt")
                .required(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY).length(16).as(LogicalTypeAnnotation.uuidType()).named("trace")
                .required(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY).length(12)
                .as(LogicalTypeAnnotation.IntervalLogicalTypeAnnotation.getInstance()).named("wait")
                .required(PrimitiveTypeName.INT32).named("label")
                .named("row");
        Path dir = tmp.resolve("uuid");
        Files.createDirectories(dir);
        writeParquet(dir.resolve("part-0.parquet"), withUuid, 2, (g, i) -> g.append("trace", uuid(i))
                .append("wait", Binary.fromConstantByteArray(new byte[12])).append("label", i));
        Path out = tmp.resolve("out");
        JobSummary summary = E2e.generate(dir, out, null, E2e.options(2), 1);
        assertEquals(2, summary.ok());
        var schema = E2e.spark().read().parquet(out.toString()).schema();
        assertFalse(schema.getFieldIndex("trace").isDefined(), "the UUID column is left out");
        assertFalse(schema.getFieldIndex("wait").isDefined(), "the INTERVAL column is left out");
        assertTrue(schema.getFieldIndex("label").isDefined(), "the other passthrough columns stay");

        MessageType uuidIds = Types.buildMessage()
                .required(PrimitiveTypeName.FIXED_LEN_BYTE_ARRAY).length(16).as(LogicalTypeAnnotation.uuidType()).named("id")
                .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("prompt")
                .named("row");
        Path ids = tmp.resolve("uuid-ids.parquet");
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(ids.toString()))
                .withType(uuidIds).withConf(new Configuration()).build()) {
            writer.write(new SimpleGroupFactory(uuidIds).newGroup().append("id", uuid(1)).append("prompt", "hi"));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> E2e.generate(ids, tmp.resolve("never"), null, E2e.options(2), 1));
        assertTrue(e.getMessage().startsWith("--input uuid-ids.parquet: column id (") && e.getMessage().contains("UUID")
                && e.getMessage().endsWith("is of a Parquet type Spark cannot read"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    @Test
    void aTruncatedParquetFileIsNamed() throws IOException {
        Path dir = tmp.resolve("cut");
        E2e.spark().read().json(E2e.sample("sample.jsonl").toString()).coalesce(1).write().parquet(dir.toString());
        Path part;
        try (Stream<Path> parts = Files.list(dir)) {
            part = parts.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(part);
        Files.write(part, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> E2e.generate(dir, tmp.resolve("never"), null, E2e.options(2), 1));
        assertTrue(e.getMessage().startsWith("--input " + part.getFileName() + ": not a readable Parquet file"), e.getMessage());
    }

    @Test
    void aUtcTimestampPassesThroughAsATimestampOtherReadersRead() throws IOException {
        MessageType withTime = Types.buildMessage()
                .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("id")
                .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("prompt")
                .required(PrimitiveTypeName.INT64)
                .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS)).named("created_at")
                .named("row");
        Path in = tmp.resolve("timed.parquet");
        long micros = Instant.parse("2024-05-01T12:30:00Z").toEpochMilli() * 1000;
        writeParquet(in, withTime, 2, (g, i) -> g.append("created_at", micros + i));
        Path out = tmp.resolve("out");
        E2e.generate(in, out, null, E2e.options(2), 1);
        try (Stream<Path> parts = Files.list(out)) {
            for (Path part : parts.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList()) {
                try (ParquetFileReader reader = ParquetFileReader.open(
                        HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(part.toString()), new Configuration()))) {
                    var column = reader.getFooter().getFileMetaData().getSchema().getType("created_at").asPrimitiveType();
                    assertEquals(PrimitiveTypeName.INT64, column.getPrimitiveTypeName(), "not INT96");
                    assertEquals(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS),
                            column.getLogicalTypeAnnotation());
                }
            }
        }
        Row row = E2e.byId(out).get("row-1");
        assertEquals(Instant.parse("2024-05-01T12:30:00.000001Z"), ((java.sql.Timestamp) row.getAs("created_at")).toInstant());
    }
}
