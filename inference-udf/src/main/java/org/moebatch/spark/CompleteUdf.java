package org.moebatch.spark;

import org.apache.spark.sql.api.java.UDF1;

/** {@code moe_complete(prompt)} row by row: the completion text, null for a null prompt or a failed row. */
public class CompleteUdf implements UDF1<String, String> {
    private static final long serialVersionUID = 1L;
    protected final GenerateOptions options;

    public CompleteUdf(GenerateOptions options) {
        this.options = options;
    }

    @Override
    public String call(String prompt) {
        return CompletionBatch.complete(options, new String[] {prompt})[0];
    }
}
