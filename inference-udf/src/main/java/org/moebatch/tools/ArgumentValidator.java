package org.moebatch.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Checks a call's arguments against its tool's JSON schema before the call (networknt
 * json-schema-validator, draft 2020-12; the version the MCP SDK uses too). An invalid call is not
 * run: the messages go back to the model as the call's error.
 */
public final class ArgumentValidator {
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private final Schema schema;

    public ArgumentValidator(JsonNode schema) {
        this.schema = REGISTRY.getSchema(schema);
    }

    /** Null when valid, else what is wrong, e.g. "$: required property 'city' not found". */
    public String check(JsonNode arguments) {
        List<Error> errors = schema.validate(arguments);
        if (errors.isEmpty()) {
            return null;
        }
        return "arguments do not match the schema: "
                + errors.stream().map(Error::toString).sorted().collect(Collectors.joining("; "));
    }
}
