package org.moebatch.testing;

import org.moebatch.backend.Batch;
import org.moebatch.model.RotaryEmbedding;

/**
 * The attention tests' two sequences over a 12-page cache of 16-position pages. Sequence A is a
 * prefill of 150 tokens (past the CPU's attention block of 64, over ten pages 0..9); sequence B has 3
 * tokens at positions 20..22 on pages {11, 10} (out of order), whose first 20 positions an earlier
 * step ({@link #fill}) writes. Both steps are sealed.
 *
 * @param fill the earlier step: B's positions 0..19
 * @param step the step under test: all of A, then B's 20..22
 */
public record TwoSequences(Batch fill, Batch step) {
    public static final int PAGES = 12;
    public static final int PAGE_SIZE = 16;

    public static TwoSequences of(RotaryEmbedding rotary) {
        int[] pagesA = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        int[] pagesB = {11, 10};
        Batch fill = new Batch();
        int b0 = fill.addSequence(pagesB);
        for (int p = 0; p < 20; p++) {
            fill.addToken(b0, 1, p, false);
        }
        fill.seal(rotary);

        Batch step = new Batch();
        int a = step.addSequence(pagesA);
        int b = step.addSequence(pagesB);
        for (int p = 0; p < 150; p++) {
            step.addToken(a, 1, p, p == 149);
        }
        for (int p = 20; p < 23; p++) {
            step.addToken(b, 1, p, true);
        }
        step.seal(rotary);
        return new TwoSequences(fill, step);
    }
}
