package org.moebatch.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moebatch.jobs.InputFormat;
import org.moebatch.jobs.OutputFormat;
import org.moebatch.report.JobSummary;
import org.moebatch.spark.GenerateOptions;
import org.moebatch.spark.ToolOptions;
import org.moebatch.tools.AgentLimits;

/**
 * Rows that call tools, end to end on local Spark: built-in tools, the tools of a real MCP server
 * process, tools that throw, time out, hang or kill their server, malformed calls, the step limit.
 * What the random-weight model says is scripted ({@link ScriptedDecoder}); everything else is real.
 */
class ToolCallingJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SB = "<|tool_calls_section_begin|>";
    private static final String SE = "<|tool_calls_section_end|>";

    @TempDir
    Path tmp;

    private static String call(String name, int index, String arguments) {
        return "<|tool_call_begin|>functions." + name + ":" + index + "<|tool_call_argument_begin|>" + arguments + "<|tool_call_end|>";
    }

    private Path toolsFile() throws IOException {
        ArrayNode tools = JSON.createArrayNode();
        tools.addObject().put("builtin", "calculator");
        tools.addObject().put("builtin", "doc_search").put("corpus", E2e.repo().resolve("data-samples/tools/corpus.jsonl").toString());
        tools.addObject().put("builtin", "kv_lookup").put("table", E2e.repo().resolve("data-samples/tools/capitals.json").toString());
        ObjectNode mcp = tools.addObject();
        mcp.put("mcp", "facts").put("command", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ArrayNode args = mcp.putArray("args");
        args.add("-Dlog4j2.configurationFile=log4j2-test.properties");
        args.add("-cp").add(System.getProperty("java.class.path"));
        args.add("org.moebatch.e2e.mcp.TestMcpServer");
        mcp.put("timeout_ms", 4000);
        Path file = tmp.resolve("tools.json");
        Files.writeString(file, tools.toPrettyString());
        return file;
    }

    private GenerateOptions options(Path tools, int window) throws IOException {
        GenerateOptions o = E2e.options(200);
        // a tool call may take 4 s: more than a server restart (a JVM start), less than slow_echo's 5 s
        ToolOptions t = new ToolOptions(Files.readString(tools), tmp.toString(), new AgentLimits(2, 4000, 60_000), false,
                ScriptedDecoder.class.getName());
        return new GenerateOptions(o.modelDir(), o.device(), o.threads(), o.kvCacheMb(), o.maxRunning(), o.maxStepTokens(),
                o.maxTokens(), o.temperature(), o.topP(), o.topK(), o.seed(), o.system(), o.stop(), t, window);
    }

    private Path rows(String name, Map<String, List<String>> scripts) throws IOException {
        ObjectNode all = JSON.createObjectNode();
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : scripts.entrySet()) {
            ArrayNode turns = all.putArray(e.getKey());
            e.getValue().forEach(turns::add);
            lines.add(JSON.createObjectNode().put("id", e.getKey()).put("prompt", "Question " + e.getKey()).toString());
        }
        Path scriptFile = tmp.resolve(name + "-scripts.json");
        Files.writeString(scriptFile, all.toString());
        System.setProperty("moe.test.scripts", scriptFile.toString());
        Path input = tmp.resolve(name + ".jsonl");
        Files.write(input, lines);
        return input;
    }

    private static List<Row> trace(Row row) {
        return row.getList(row.fieldIndex("tool_trace"));
    }

    @Test
    void builtinAndMcpToolsAndMalformedCallsLandInTheTrace() throws IOException {
        Map<String, List<String>> scripts = new java.util.LinkedHashMap<>();
        scripts.put("both", List.of("Checking." + SB + call("calculator", 0, "{\"expression\": \"17*23\"}")
                + call("kv_lookup", 1, "{\"key\": \"Japan\"}") + SE, "17*23 is 391; Japan's capital is Tokyo."));
        scripts.put("search", List.of(SB + call("doc_search", 0, "{\"query\": \"mixture of experts\", \"k\": 1}") + SE, "Found it."));
        scripts.put("mcp", List.of(SB + call("population", 0, "{\"city\": \"Hà Nội\"}") + SE, "About 8.4 million."));
        scripts.put("throws", List.of(SB + call("calculator", 0, "{\"expression\": \"1/0\"}") + SE, "Cannot divide by zero."));
        scripts.put("invalid", List.of(SB + call("kv_lookup", 0, "{\"name\": \"Japan\"}") + SE, "Wrong argument."));
        scripts.put("broken", List.of(SB + call("calculator", 0, "{\"expression\": }") + SE, "Oops."));
        scripts.put("unknown", List.of(SB + call("weather", 0, "{\"city\": \"Lima\"}") + SE, "No weather tool."));
        scripts.put("limit", List.of(SB + call("calculator", 0, "{\"expression\": \"1+1\"}") + SE,
                SB + call("calculator", 1, "{\"expression\": \"2+2\"}") + SE,
                SB + call("calculator", 2, "{\"expression\": \"3+3\"}") + SE));
        scripts.put("plain", List.of("No tools needed."));
        Path input = rows("a", scripts);
        Path out = tmp.resolve("out-a");
        JobSummary summary = E2e.generate(input, out, InputFormat.JSONL, OutputFormat.PARQUET, options(toolsFile(), 8), 2,
                false, 10_000);
        assertEquals(9, summary.rows());
        assertEquals(9, summary.ok(), "tool failures are trace entries, not failed rows");
        Map<String, Row> rows = E2e.byId(out);

        Row both = rows.get("both");
        assertEquals("17*23 is 391; Japan's capital is Tokyo.", both.getAs("completion"));
        assertEquals("stop", both.getAs("finish_reason"));
        List<Row> t = trace(both);
        assertEquals(2, t.size());
        assertEquals(0, t.get(0).getInt(0));
        assertEquals("functions.calculator:0", t.get(0).getString(1));
        assertEquals("calculator", t.get(0).getString(2));
        assertEquals("{\"expression\": \"17*23\"}", t.get(0).getString(3));
        assertEquals("391", t.get(0).getString(4));
        assertNull(t.get(0).getString(5));
        assertTrue(t.get(0).getDouble(6) >= 0);
        assertEquals("Tokyo", t.get(1).getString(4));
        assertTrue(both.<Row>getAs("timing").getDouble(3) > 0, "tool time is counted");
        assertTrue(both.<Row>getAs("usage").getInt(2) > 0, "the second turn reuses the first turn's cache");

        assertTrue(trace(rows.get("search")).get(0).getString(4).contains("\"id\":\"moe\""));
        assertEquals("Hà Nội: 8.4 million", trace(rows.get("mcp")).get(0).getString(4), "a real MCP server answered");
        assertEquals("division by zero", trace(rows.get("throws")).get(0).getString(5));
        assertTrue(trace(rows.get("invalid")).get(0).getString(5).contains("arguments do not match the schema"));
        assertTrue(trace(rows.get("broken")).get(0).getString(5).contains("not valid JSON"));
        assertTrue(trace(rows.get("unknown")).get(0).getString(5).contains("unknown tool \"weather\""));
        assertEquals("Oops.", rows.get("broken").getAs("completion"), "the model saw the error and went on");

        Row limit = rows.get("limit");
        assertEquals("tool_limit", limit.getAs("finish_reason"));
        assertEquals(3, trace(limit).size());
        assertEquals("2", trace(limit).get(0).getString(4));
        assertEquals("4", trace(limit).get(1).getString(4));
        assertTrue(trace(limit).get(2).getString(5).contains("limit of 2 tool steps"));

        assertEquals("No tools needed.", rows.get("plain").getAs("completion"));
        assertEquals(0, trace(rows.get("plain")).size());
    }

    @Test
    void slowHangingAndDyingMcpToolsGiveErrorsAndTheJobFinishes() throws IOException {
        Map<String, List<String>> scripts = new java.util.LinkedHashMap<>();
        scripts.put("a-slow", List.of(SB + call("slow_echo", 0, "{}") + SE, "Too slow."));
        scripts.put("b-hang", List.of(SB + call("hang", 0, "{}") + SE, "It hung."));
        scripts.put("c-crash", List.of(SB + call("crash", 0, "{}") + SE,
                SB + call("population", 1, "{\"city\": \"Tokyo\"}") + SE, "Back again."));
        Path input = rows("b", scripts);
        Path out = tmp.resolve("out-b");
        // one partition, one row at a time: each row meets the server the previous row left behind
        JobSummary summary = E2e.generate(input, out, InputFormat.JSONL, OutputFormat.PARQUET, options(toolsFile(), 1), 1,
                false, 10_000);
        assertEquals(3, summary.rows());
        Map<String, Row> rows = E2e.byId(out);
        assertTrue(trace(rows.get("a-slow")).get(0).getString(5).contains("timed out after 4000 ms"));
        assertEquals("Too slow.", rows.get("a-slow").getAs("completion"));
        assertTrue(trace(rows.get("b-hang")).get(0).getString(5).contains("timed out"));
        List<Row> crash = trace(rows.get("c-crash"));
        assertTrue(crash.get(0).getString(5) != null, "the call that killed the server is an error");
        assertEquals("Tokyo: 14.2 million", crash.get(1).getString(4), "the server was restarted for the next call; trace: " + crash);
        assertEquals("Back again.", rows.get("c-crash").getAs("completion"));
    }
}
