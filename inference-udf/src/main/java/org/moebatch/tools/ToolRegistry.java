package org.moebatch.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tools of a job, from its {@code --tools} file: a JSON list whose entries are
 * <pre>
 * {"builtin": "calculator"}
 * {"builtin": "doc_search", "corpus": "docs.jsonl"}
 * {"builtin": "kv_lookup", "table": "capitals.json"}
 * {"mcp": "NAME", "command": "...", "args": [...], "env": {...}, "timeout_ms": 10000}   every tool of an MCP server
 * {"type": "function", "function": {...}}                                               declared only
 * </pre>
 * A declared-only tool is shown to the model; calling it yields an error, since nothing runs it.
 */
public final class ToolRegistry implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Tool> tools = new LinkedHashMap<>();
    private final Map<String, ArgumentValidator> validators = new LinkedHashMap<>();
    private final List<JsonNode> declarations = new ArrayList<>();
    private final List<McpServer> servers = new ArrayList<>();

    public static ToolRegistry empty() {
        return new ToolRegistry();
    }

    /** Parses a {@code --tools} list; {@code baseDir} resolves relative file paths. */
    public static ToolRegistry fromJson(String json, Path baseDir) {
        JsonNode root = parseList(json);
        ToolRegistry registry = new ToolRegistry();
        try {
            for (int i = 0; i < root.size(); i++) {
                registry.addEntry(root.get(i), "--tools[" + i + "]", baseDir);
            }
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    /** A {@code --tools} text as its JSON list, or an error saying why it is not one. */
    private static JsonNode parseList(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("--tools is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException("--tools must be a JSON list of tool entries");
        }
        return root;
    }

    /**
     * Checks a {@code --tools} list without starting anything (the driver's early check): JSON shape,
     * known built-ins, files that exist, MCP commands given.
     */
    public static void check(String json, Path baseDir) {
        JsonNode root = parseList(json);
        for (int i = 0; i < root.size(); i++) {
            JsonNode e = root.get(i);
            String where = "--tools[" + i + "]";
            if (e.hasNonNull("builtin")) {
                String kind = e.get("builtin").asText();
                String file = kind.equals("doc_search") ? "corpus" : kind.equals("kv_lookup") ? "table" : null;
                if (!kind.equals("calculator") && file == null) {
                    throw new IllegalArgumentException(where + ": unknown builtin \"" + kind + "\" (calculator, doc_search, kv_lookup)");
                }
                if (file != null && !java.nio.file.Files.isRegularFile(path(e, file, where, baseDir))) {
                    throw new IllegalArgumentException(where + ": " + file + " " + path(e, file, where, baseDir) + " does not exist");
                }
            } else if (e.hasNonNull("mcp")) {
                if (!e.path("command").isTextual()) {
                    throw new IllegalArgumentException(where + ": an MCP server needs a \"command\"");
                }
            } else if (!e.path("function").path("name").isTextual()) {
                throw new IllegalArgumentException(where + ": expected {\"builtin\": ...}, {\"mcp\": ...} or an OpenAI function declaration");
            }
        }
    }

    private void addEntry(JsonNode e, String where, Path baseDir) {
        if (e.hasNonNull("builtin")) {
            String kind = e.get("builtin").asText();
            switch (kind) {
                case "calculator":
                    add(new Calculator());
                    break;
                case "doc_search":
                    add(new DocSearch(path(e, "corpus", where, baseDir)));
                    break;
                case "kv_lookup":
                    add(new KvLookup(path(e, "table", where, baseDir)));
                    break;
                default:
                    throw new IllegalArgumentException(where + ": unknown builtin \"" + kind
                            + "\" (calculator, doc_search, kv_lookup)");
            }
        } else if (e.hasNonNull("mcp")) {
            if (!e.path("command").isTextual()) {
                throw new IllegalArgumentException(where + ": an MCP server needs a \"command\"");
            }
            List<String> args = new ArrayList<>();
            e.path("args").forEach(a -> args.add(a.asText()));
            Map<String, String> env = new LinkedHashMap<>();
            e.path("env").fields().forEachRemaining(f -> env.put(f.getKey(), f.getValue().asText()));
            McpServer server = new McpServer(e.get("mcp").asText(), e.get("command").asText(), args, env,
                    Duration.ofMillis(e.path("timeout_ms").asLong(10_000)));
            servers.add(server);
            for (Tool t : server.tools()) {
                add(t);
            }
        } else if (e.path("function").path("name").isTextual()) {
            declarations.add(e);
        } else {
            throw new IllegalArgumentException(where + ": expected {\"builtin\": ...}, {\"mcp\": ...} or an OpenAI function declaration");
        }
    }

    private static Path path(JsonNode e, String key, String where, Path baseDir) {
        if (!e.path(key).isTextual()) {
            throw new IllegalArgumentException(where + ": needs \"" + key + "\"");
        }
        Path p = Paths.get(e.get(key).asText());
        return p.isAbsolute() || baseDir == null ? p : baseDir.resolve(p);
    }

    public void add(Tool tool) {
        if (tools.containsKey(tool.name())) {
            throw new IllegalArgumentException("two tools are named " + tool.name());
        }
        tools.put(tool.name(), tool);
        validators.put(tool.name(), new ArgumentValidator(tool.parameters()));
        declarations.add(tool.declaration());
    }

    public Tool tool(String name) {
        return tools.get(name);
    }

    public ArgumentValidator validator(String name) {
        return validators.get(name);
    }

    /** What the model is shown: every runnable tool and every declared-only one. */
    public List<JsonNode> declarations() {
        return List.copyOf(declarations);
    }

    public boolean isEmpty() {
        return declarations.isEmpty();
    }

    public List<McpServer> servers() {
        return List.copyOf(servers);
    }

    @Override
    public void close() {
        for (McpServer s : servers) {
            s.close();
        }
    }
}
