package org.moebatch.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moebatch.testing.Samples;

class BuiltinToolsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode args(String json) throws Exception {
        return JSON.readTree(json);
    }

    @Test
    void kvLookupExactThenIgnoringCase() throws Exception {
        KvLookup kv = new KvLookup(Samples.dir().resolve("tools/capitals.json"));
        assertEquals("Hà Nội", kv.call(args("{\"key\": \"Vietnam\"}")));
        assertEquals("Tokyo", kv.call(args("{\"key\": \"japan\"}")));
        String message = assertThrows(IllegalArgumentException.class, () -> kv.call(args("{\"key\": \"Atlantis\"}"))).getMessage();
        assertEquals("no entry for key \"Atlantis\"", message);
    }

    @Test
    void kvLookupTablesOfEachFormat(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("t.jsonl"), "{\"key\": \"a\", \"value\": 1}\n\n{\"key\": \"b\", \"value\": \"x\"}\n");
        assertEquals("1", new KvLookup(dir.resolve("t.jsonl")).call(args("{\"key\": \"a\"}")));
        Files.writeString(dir.resolve("t.csv"), "key,value\nalpha,\"one, two\"\n");
        assertEquals("one, two", new KvLookup(dir.resolve("t.csv")).call(args("{\"key\": \"alpha\"}")));
        Files.writeString(dir.resolve("bad.jsonl"), "{\"key\": \"a\"}\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new KvLookup(dir.resolve("bad.jsonl"))).getMessage()
                .contains("line 1 needs"));
        Files.writeString(dir.resolve("t.txt"), "x");
        assertThrows(IllegalArgumentException.class, () -> new KvLookup(dir.resolve("t.txt")));
    }

    @Test
    void docSearchRanksByBm25() throws Exception {
        DocSearch search = new DocSearch(Samples.dir().resolve("tools/corpus.jsonl"));
        JsonNode hits = JSON.readTree(search.call(args("{\"query\": \"mixture of experts gate tokens\", \"k\": 2}")));
        assertEquals(2, hits.size());
        assertEquals("moe", hits.get(0).get("id").asText());
        hits = JSON.readTree(search.call(args("{\"query\": \"capital of Việt Nam\"}")));
        assertEquals("hanoi", hits.get(0).get("id").asText());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> search.call(args("{\"query\": \"  !! \"}")))
                .getMessage().contains("no searchable words"));
    }

    @Test
    void registryFromJsonAndItsErrors() {
        ToolRegistry r = ToolRegistry.fromJson("[{\"builtin\": \"calculator\"}, {\"builtin\": \"kv_lookup\", \"table\": \"capitals.json\"},"
                + "{\"type\": \"function\", \"function\": {\"name\": \"send_email\", \"parameters\": {}}}]", Samples.dir().resolve("tools"));
        assertEquals(3, r.declarations().size());
        assertTrue(r.tool("calculator") != null && r.tool("send_email") == null);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ToolRegistry.fromJson("[{\"builtin\": \"shell\"}]", null))
                .getMessage().contains("unknown builtin \"shell\""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ToolRegistry.fromJson("{\"builtin\": 1}", null))
                .getMessage().contains("must be a JSON list"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ToolRegistry.check("[{\"builtin\": \"doc_search\", \"corpus\": \"nope.jsonl\"}]", null))
                .getMessage().contains("does not exist"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ToolRegistry.check("[{\"mcp\": \"x\"}]", null))
                .getMessage().contains("needs a \"command\""));
    }

    @Test
    void executorValidatesTimesOutAndReportsFailures() throws Exception {
        ToolRegistry r = ToolRegistry.empty();
        r.add(new Calculator());
        r.add(new Tool() {
            public String name() {
                return "sleepy";
            }

            public String description() {
                return "never answers in time";
            }

            public JsonNode parameters() {
                return JSON.createObjectNode().put("type", "object");
            }

            public String call(JsonNode a) throws InterruptedException {
                Thread.sleep(60_000);
                return "late";
            }
        });
        try (ToolExecutor executor = new ToolExecutor()) {
            ToolExecutor.Outcome ok = executor.call(r, new ParsedCall("c0", "calculator", "{\"expression\": \"6*7\"}", null), 1000)
                    .get(5, TimeUnit.SECONDS);
            assertEquals("42", ok.result());
            assertNull(ok.error());
            ToolExecutor.Outcome invalid = executor.call(r, new ParsedCall("c1", "calculator", "{\"expr\": \"6*7\"}", null), 1000)
                    .get(5, TimeUnit.SECONDS);
            assertTrue(invalid.error().contains("arguments do not match the schema") && invalid.error().contains("expression"),
                    invalid.error());
            ToolExecutor.Outcome failing = executor.call(r, new ParsedCall("c2", "calculator", "{\"expression\": \"1/0\"}", null), 1000)
                    .get(5, TimeUnit.SECONDS);
            assertEquals("division by zero", failing.error());
            ToolExecutor.Outcome unknown = executor.call(r, new ParsedCall("c3", "weather", "{}", null), 1000).get(5, TimeUnit.SECONDS);
            assertTrue(unknown.error().contains("unknown tool \"weather\""));
            long start = System.nanoTime();
            ToolExecutor.Outcome slow = executor.call(r, new ParsedCall("c4", "sleepy", "{}", null), 300).get(5, TimeUnit.SECONDS);
            assertTrue(slow.error().contains("timed out after 300 ms"), slow.error());
            assertTrue((System.nanoTime() - start) / 1e6 < 3000, "the timeout does not wait for the tool");
        }
    }
}
