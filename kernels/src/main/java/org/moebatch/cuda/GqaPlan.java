package org.moebatch.cuda;

/** Launch geometry of gqa.cu's {@code gqa_attend}: one block per (token, key/value head). */
public final class GqaPlan {
    static final int CHUNK = 16;
    static final int THREADS = 128;
    /** The default dynamic shared memory a block may use without opting in to more. */
    static final int SHARED_LIMIT = 48 * 1024;

    private GqaPlan() {}

    /** Dynamic shared memory of one block, as the kernel lays it out. */
    public static int sharedBytes(int group, int headDim) {
        long floats = (long) group * headDim + (long) CHUNK * (headDim | 1) + (long) CHUNK * headDim
                + (long) group * CHUNK + (long) group * headDim + 3L * group;
        return Math.toIntExact(4 * floats);
    }

    /** The launch for {@code tokens} tokens; a group or head width too large for one block is an error. */
    public static Launch attend(int tokens, int heads, int kvHeads, int headDim) {
        int bytes = sharedBytes(heads / kvHeads, headDim);
        if (bytes > SHARED_LIMIT) {
            throw new IllegalArgumentException("gqa_attend: " + heads / kvHeads + " query heads per key/value head of width "
                    + headDim + " need " + bytes + " bytes of shared memory, more than the " + SHARED_LIMIT + " a block has");
        }
        return new Launch(tokens, kvHeads, 1, THREADS, bytes);
    }
}
