package org.moebatch.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Row;
import org.moebatch.spark.OutputSchema;
import org.moebatch.tokenizer.Tokenizer;
import org.moebatch.tools.HermesToolCalls;
import org.moebatch.tools.KimiToolCalls;
import org.moebatch.tools.ParsedCall;
import org.moebatch.tools.ToolCallFormat;

/**
 * An output row as an OpenAI Batch API result line, field for field as OpenAI's OpenAPI document
 * describes {@code BatchRequestOutput} and {@code CreateChatCompletionResponse}
 * (data-samples/openai/ holds that schema; the tests validate against it):
 * {@code {"id", "custom_id", "response": {"status_code", "request_id", "body": {chat.completion}}, "error": null}}.
 * A failed row has {@code "response": null} and {@code "error": {"code", "message"}}, as OpenAI
 * reports a request it could not run.
 */
final class OpenAiBatchOutput implements MapFunction<Row, String> {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How the model writes tool calls; an enum because the parsers themselves are not serializable. */
    enum CallSyntax {
        KIMI, HERMES;

        /** The same choice the engine's agent loop makes ({@link ToolCallFormat#of}), for the model in {@code modelDir}. */
        static CallSyntax of(Path modelDir) {
            try (Tokenizer tokenizer = Tokenizer.load(modelDir)) {
                return ToolCallFormat.of(tokenizer) instanceof KimiToolCalls ? KIMI : HERMES;
            }
        }

        ToolCallFormat format() {
            return this == KIMI ? new KimiToolCalls() : new HermesToolCalls();
        }
    }

    private final CallSyntax calls;
    private final long created;

    /**
     * @param calls   the model's tool-call syntax
     * @param created the completions' {@code created}, Unix seconds (OpenAI's unit)
     */
    OpenAiBatchOutput(CallSyntax calls, long created) {
        this.calls = calls;
        this.created = created;
    }

    @Override
    public String call(Row row) {
        return line(row);
    }

    String line(Row row) {
        String customId = row.getAs("id");
        BatchIds ids = BatchIds.of(customId);
        ObjectNode out = JSON.createObjectNode();
        out.put("id", ids.batchRequest());
        out.put("custom_id", customId);
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
        response.put("request_id", ids.request());
        ObjectNode body = response.putObject("body");
        body.put("id", ids.completion());
        body.put("object", "chat.completion");
        body.put("created", created);
        body.put("model", (String) row.getAs("model"));
        ReturnedMessage returned = ReturnedMessage.of(row.getAs("completion"), row.getAs("finish_reason"),
                row.getList(row.fieldIndex("tool_trace")), calls.format());
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", returned.content());
        message.putNull("refusal"); // required (nullable) by the spec; this engine never refuses on its own
        if (!returned.toolCalls().isEmpty()) {
            toolCalls(message.putArray("tool_calls"), returned.toolCalls());
        }
        choice.putNull("logprobs"); // required (nullable) by the spec; logprobs are not requested here
        choice.put("finish_reason", returned.finishReason());
        Row usage = row.getAs("usage");
        ObjectNode u = body.putObject("usage");
        int prompt = usage.getInt(OutputSchema.USAGE.fieldIndex("prompt_tokens"));
        int completion = usage.getInt(OutputSchema.USAGE.fieldIndex("completion_tokens"));
        u.put("prompt_tokens", prompt);
        u.put("completion_tokens", completion);
        u.put("total_tokens", prompt + completion);
        int cached = usage.getInt(OutputSchema.USAGE.fieldIndex("cached_prompt_tokens"));
        u.putObject("prompt_tokens_details").put("cached_tokens", cached);
        out.putNull("error");
        return out.toString();
    }

    private static void toolCalls(ArrayNode out, List<ParsedCall> calls) {
        for (ParsedCall c : calls) {
            ObjectNode call = out.addObject();
            call.put("id", c.id());
            call.put("type", "function");
            ObjectNode function = call.putObject("function");
            function.put("name", c.name());
            function.put("arguments", c.arguments());
        }
    }
}
