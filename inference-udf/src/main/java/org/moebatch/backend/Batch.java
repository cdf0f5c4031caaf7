package org.moebatch.backend;

import java.util.Arrays;

/**
 * What one forward step computes: tokens from one or more sequences, each at its position, with
 * the page table of its sequence, and the rows whose logits are wanted. A sequence's tokens are
 * contiguous and ascend in position; a prefill contributes many, a decode step one.
 *
 * <p>Refilled every step by the one thread that runs the engine: {@link #clear()}, then
 * {@link #addSequence} and {@link #addToken}, then {@link #seal}.
 */
public final class Batch {
    private int tokenCount;
    private int[] tokens = new int[16];
    private int[] positions = new int[16];
    private int[] sequenceOfToken = new int[16];
    private int sequenceCount;
    private int[][] pageTables = new int[4][];
    private int logitCount;
    private int[] logitRows = new int[16];
    private float[] cos = new float[0];
    private float[] sin = new float[0];

    public void clear() {
        tokenCount = 0;
        sequenceCount = 0;
        logitCount = 0;
    }

    /** Adds a sequence whose cache lives in {@code pageTable}; returns its index in this batch. */
    public int addSequence(int[] pageTable) {
        if (sequenceCount == pageTables.length) {
            pageTables = Arrays.copyOf(pageTables, sequenceCount * 2);
        }
        pageTables[sequenceCount] = pageTable;
        return sequenceCount++;
    }

    /** Adds a token of sequence {@code sequence} at {@code position}; returns its row. */
    public int addToken(int sequence, int token, int position, boolean wantLogits) {
        if (tokenCount == tokens.length) {
            int n = tokenCount * 2;
            tokens = Arrays.copyOf(tokens, n);
            positions = Arrays.copyOf(positions, n);
            sequenceOfToken = Arrays.copyOf(sequenceOfToken, n);
        }
        tokens[tokenCount] = token;
        positions[tokenCount] = position;
        sequenceOfToken[tokenCount] = sequence;
        if (wantLogits) {
            if (logitCount == logitRows.length) {
                logitRows = Arrays.copyOf(logitRows, logitCount * 2);
            }
            logitRows[logitCount++] = tokenCount;
        }
        return tokenCount++;
    }

    /** Computes the rotary tables for the tokens added; call once before the forward pass. */
    public void seal(Rotary rope) {
        int half = rope.dim() / 2;
        if (cos.length < tokenCount * half) {
            cos = new float[tokens.length * half];
            sin = new float[tokens.length * half];
        }
        rope.tables(positions, tokenCount, cos, sin);
    }

    public int tokenCount() {
        return tokenCount;
    }

    public int[] tokens() {
        return tokens;
    }

    public int[] positions() {
        return positions;
    }

    public int sequenceOf(int token) {
        return sequenceOfToken[token];
    }

    public int sequenceCount() {
        return sequenceCount;
    }

    public int[] pageTable(int sequence) {
        return pageTables[sequence];
    }

    public int logitCount() {
        return logitCount;
    }

    public int[] logitRows() {
        return logitRows;
    }

    /** cos of token {@code t}, frequency {@code i}, at {@code t * rope / 2 + i}. */
    public float[] cos() {
        return cos;
    }

    public float[] sin() {
        return sin;
    }
}
