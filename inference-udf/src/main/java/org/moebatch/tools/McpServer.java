package org.moebatch.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MCP server run as a subprocess and spoken to over stdio with the official MCP Java SDK. Its
 * tools become {@link Tool}s. The process starts on first use; when a call fails because the
 * process died or stopped answering, the client is closed (which ends the process) and the next call
 * starts a fresh one. One instance per server per executor, shared by every row.
 *
 * <p>A call that outlives the {@link ToolExecutor}'s timeout is interrupted there: the SDK's blocking
 * wait gives up the request and throws, which counts as a failed call, so the process (and whatever
 * it was still computing) is closed and a fresh one started. No thread keeps waiting for the answer.
 */
public final class McpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(McpServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final ServerParameters parameters;
    private final Duration timeout;
    private McpSyncClient client;
    private List<McpSchema.Tool> tools;
    private int starts;

    public McpServer(String name, String command, List<String> args, Map<String, String> env, Duration timeout) {
        this.name = name;
        this.parameters = ServerParameters.builder(command).args(args).env(env).build();
        this.timeout = timeout;
    }

    public String name() {
        return name;
    }

    /** How many times the process was started (restarts included). */
    public synchronized int starts() {
        return starts;
    }

    private synchronized McpSyncClient client() {
        if (client == null) {
            StdioClientTransport transport = new StdioClientTransport(parameters, new JacksonMcpJsonMapper(JSON));
            transport.setStdErrorHandler(line -> LOG.debug("mcp {}: {}", name, line));
            McpSyncClient c = McpClient.sync(transport)
                    .requestTimeout(timeout)
                    .initializationTimeout(timeout.multipliedBy(3))
                    .clientInfo(new McpSchema.Implementation("moe-batch", "0.1.0"))
                    .build();
            try {
                c.initialize();
                tools = c.listTools().tools();
            } catch (RuntimeException e) {
                c.close();
                throw new IllegalStateException("MCP server " + name + " did not start: " + describe(e), e);
            }
            starts++;
            client = c;
            LOG.info("MCP server {} started with {} tools", name, tools.size());
        }
        return client;
    }

    /** The server's tools, starting it if needed. */
    public List<Tool> tools() {
        client();
        List<Tool> out = new ArrayList<>();
        for (McpSchema.Tool t : tools) {
            out.add(new Remote(t.name(), t.description() == null ? "" : t.description(), JSON.valueToTree(t.inputSchema())));
        }
        return out;
    }

    /** Calls a tool; a failed call restarts the server before the next one. */
    String call(String tool, JsonNode arguments) {
        McpSyncClient c = client();
        McpSchema.CallToolResult result;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> args = JSON.convertValue(arguments, Map.class);
            result = c.callTool(new McpSchema.CallToolRequest(tool, args));
        } catch (RuntimeException e) {
            restart(c, e);
            throw new IllegalStateException("MCP server " + name + " failed on " + tool + ": " + describe(e), e);
        }
        StringBuilder text = new StringBuilder();
        for (McpSchema.Content content : result.content()) {
            if (content instanceof McpSchema.TextContent) {
                text.append(((McpSchema.TextContent) content).text());
            } else {
                text.append(JSON.valueToTree(content));
            }
        }
        if (Boolean.TRUE.equals(result.isError())) {
            throw new IllegalStateException(text.length() == 0 ? tool + " reported an error" : text.toString());
        }
        return text.toString();
    }

    private synchronized void restart(McpSyncClient failed, RuntimeException cause) {
        if (client == failed) {
            LOG.warn("MCP server {} failed ({}); restarting it", name, describe(cause));
            client = null;
            try {
                failed.close();
            } catch (RuntimeException ignored) {
                // the process may already be gone
            }
            // Start the replacement now, off the failed call's thread, so that the next call does not
            // spend its own time limit on the process start.
            Thread starter = new Thread(() -> {
                try {
                    client();
                } catch (RuntimeException e) {
                    LOG.warn("MCP server {} did not restart: {}", name, describe(e));
                }
            }, "moe-mcp-restart-" + name);
            starter.setDaemon(true);
            starter.start();
        }
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
        return m.length() > 300 ? m.substring(0, 300) + "…" : m;
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            try {
                client.close();
            } catch (RuntimeException ignored) {
                // closing a dead server
            }
            client = null;
        }
    }

    /** One tool of this server. */
    private final class Remote implements Tool {
        private final String toolName;
        private final String description;
        private final JsonNode schema;

        Remote(String toolName, String description, JsonNode schema) {
            this.toolName = toolName;
            this.description = description;
            this.schema = schema;
        }

        @Override
        public String name() {
            return toolName;
        }

        @Override
        public String description() {
            return description;
        }

        @Override
        public JsonNode parameters() {
            return schema;
        }

        @Override
        public String call(JsonNode arguments) {
            return McpServer.this.call(toolName, arguments);
        }
    }
}
