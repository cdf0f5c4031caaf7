package org.moebatch.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * OpenAI's published schema of a Batch output line (data-samples/openai/, README there names its
 * source), made stricter: every object that lists properties is closed, so a field OpenAI does not
 * name fails, and the four fields of a line and those of its response and error are required, as
 * OpenAI writes them in every line. tests/ uses it through this module's test-jar.
 */
public final class OpenAiBatchSchema {
    static final Path FILE = Path.of("..", "data-samples", "openai", "openai-batch-output.schema.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Schema schema;

    public OpenAiBatchSchema() throws IOException {
        JsonNode doc = JSON.readTree(FILE.toFile());
        close(doc);
        ObjectNode line = (ObjectNode) doc.path("$defs").path("BatchRequestOutput");
        require(line, "id", "custom_id", "response", "error");
        require((ObjectNode) line.path("properties").path("response"), "status_code", "request_id", "body");
        require((ObjectNode) line.path("properties").path("error"), "code", "message");
        this.schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(doc);
    }

    /** What is wrong with {@code line}; empty when it is a valid Batch output line. */
    public List<String> errors(String line) throws IOException {
        return schema.validate(JSON.readTree(line)).stream().map(Error::toString).toList();
    }

    private static void close(JsonNode node) {
        if (node instanceof ObjectNode o && o.has("properties") && !o.has("additionalProperties")) {
            o.put("additionalProperties", false);
        }
        node.forEach(OpenAiBatchSchema::close);
    }

    private static void require(ObjectNode schema, String... fields) {
        ArrayNode required = schema.putArray("required");
        for (String f : fields) {
            required.add(f);
        }
    }
}
