package org.moebatch.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Something the model can call: a name, a description, a JSON schema for its arguments, and the
 * call itself, which returns text for the model or throws with a message the model will see.
 * Implementations are thread-safe: calls of many rows run at once.
 */
public interface Tool {
    String name();

    String description();

    /** JSON schema of the arguments object. */
    JsonNode parameters();

    /** Runs the tool; the arguments have been validated against {@link #parameters()}. */
    String call(JsonNode arguments) throws Exception;

    /** The declaration a chat template shows the model: OpenAI's function format. */
    default JsonNode declaration() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode d = json.createObjectNode();
        d.put("type", "function");
        ObjectNode f = d.putObject("function");
        f.put("name", name());
        f.put("description", description());
        f.set("parameters", parameters());
        return d;
    }
}
