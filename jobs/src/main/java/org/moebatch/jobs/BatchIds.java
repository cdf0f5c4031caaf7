package org.moebatch.jobs;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The ids of one OpenAI Batch result line ({@code batch_req_…}, {@code req_…}, {@code chatcmpl-…}),
 * made from its {@code custom_id}: the same on every re-run, so outputs are reproducible, and
 * distinct for distinct custom_ids. A 128-bit SHA-256 prefix, not {@code String.hashCode}, whose 32
 * bits collide on inputs as short as "Aa" and "BB".
 */
record BatchIds(String batchRequest, String request, String completion) {
    static BatchIds of(String customId) {
        String hash = HexFormat.of().formatHex(sha256(customId), 0, 16);
        return new BatchIds("batch_req_" + hash, "req_" + hash, "chatcmpl-" + hash);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
