package org.moebatch.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks a call's arguments against its tool's JSON schema before the call (networknt
 * json-schema-validator, draft 2020-12). An invalid call is not run: the messages go back to the
 * model as the call's error.
 */
public final class ArgumentValidator {
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    private final JsonSchema schema;

    public ArgumentValidator(JsonNode schema) {
        this.schema = FACTORY.getSchema(schema);
    }

    /** Null when valid, else what is wrong, e.g. "$.city: is missing but it is required". */
    public String check(JsonNode arguments) {
        Set<ValidationMessage> errors = schema.validate(arguments);
        if (errors.isEmpty()) {
            return null;
        }
        return "arguments do not match the schema: "
                + errors.stream().map(ValidationMessage::getMessage).sorted().collect(Collectors.joining("; "));
    }
}
