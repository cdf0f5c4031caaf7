package org.moebatch.e2e.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A small MCP server for the end-to-end tests, built with the official MCP Java SDK and started by
 * the job as a subprocess over stdio. Tools: {@code population} (a table), {@code slow_echo}
 * (answers after 5 s), {@code crash} (the process exits), {@code hang} (never answers).
 */
public final class TestMcpServer {
    private static final Map<String, String> POPULATION = Map.of("Hà Nội", "8.4 million", "Tokyo", "14.2 million",
            "Nairobi", "4.4 million");

    private TestMcpServer() {}

    private static McpSchema.Tool tool(JacksonMcpJsonMapper json, String name, String description, String schema) {
        return McpSchema.Tool.builder().name(name).description(description).inputSchema(json, schema).build();
    }

    private static McpSchema.CallToolResult text(String s, boolean error) {
        return McpSchema.CallToolResult.builder().addTextContent(s).isError(error).build();
    }

    public static void main(String[] args) throws InterruptedException {
        JacksonMcpJsonMapper json = new JacksonMcpJsonMapper(new ObjectMapper());
        String city = "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}";
        String empty = "{\"type\":\"object\",\"properties\":{}}";
        McpSyncServer server = McpServer.sync(new StdioServerTransportProvider(json))
                .serverInfo("moe-batch-test-server", "1.0")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
                .tools(
                        new McpServerFeatures.SyncToolSpecification(tool(json, "population", "Population of a city.", city),
                                (exchange, request) -> {
                                    String c = String.valueOf(request.arguments().get("city"));
                                    String p = POPULATION.get(c);
                                    return p == null ? text("no data for " + c, true) : text(c + ": " + p, false);
                                }),
                        new McpServerFeatures.SyncToolSpecification(tool(json, "slow_echo", "Echoes after five seconds.", empty),
                                (exchange, request) -> {
                                    sleep(5_000);
                                    return text("late echo", false);
                                }),
                        new McpServerFeatures.SyncToolSpecification(tool(json, "crash", "Ends the server process.", empty),
                                (exchange, request) -> {
                                    Runtime.getRuntime().halt(3);
                                    return text("unreachable", true);
                                }),
                        new McpServerFeatures.SyncToolSpecification(tool(json, "hang", "Never answers.", empty),
                                (exchange, request) -> {
                                    sleep(Long.MAX_VALUE);
                                    return text("unreachable", true);
                                }))
                .build();
        new CountDownLatch(1).await(); // serve until the client closes stdin and the process is ended
        server.close();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
