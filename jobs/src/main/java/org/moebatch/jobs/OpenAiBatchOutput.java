package org.moebatch.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.Row;

/**
 * An output row as an OpenAI Batch API result line:
 * {@code {"id", "custom_id", "response": {"status_code", "request_id", "body": {chat.completion}}, "error"}}.
 * A failed row has {@code "response": null} and {@code "error": {"code", "message"}}, as OpenAI
 * reports a request it could not run.
 */
final class OpenAiBatchOutput {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OpenAiBatchOutput() {}

    static String line(Row row) {
        String id = row.getAs("id");
        ObjectNode out = JSON.createObjectNode();
        out.put("id", "batch_req_" + Integer.toHexString(id.hashCode()));
        out.put("custom_id", id);
        String error = row.getAs("error");
        if (error != null) {
            out.putNull("response");
            ObjectNode e = out.putObject("error");
            e.put("code", "invalid_request");
            e.put("message", error);
            return out.toString();
        }
        ObjectNode response = out.putObject("response");
        response.put("status_code", 200);
        response.put("request_id", "req_" + Integer.toHexString(id.hashCode()));
        ObjectNode body = response.putObject("body");
        body.put("id", "chatcmpl-" + Integer.toHexString(id.hashCode()));
        body.put("object", "chat.completion");
        body.put("model", (String) row.getAs("model"));
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", (String) row.getAs("completion"));
        choice.put("finish_reason", (String) row.getAs("finish_reason"));
        Row usage = row.getAs("usage");
        ObjectNode u = body.putObject("usage");
        int prompt = usage.getInt(0);
        int completion = usage.getInt(1);
        u.put("prompt_tokens", prompt);
        u.put("completion_tokens", completion);
        u.put("total_tokens", prompt + completion);
        u.putObject("prompt_tokens_details").put("cached_tokens", usage.getInt(2));
        out.putNull("error");
        return out.toString();
    }
}
