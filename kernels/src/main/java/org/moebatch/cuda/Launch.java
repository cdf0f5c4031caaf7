package org.moebatch.cuda;

/**
 * A kernel's launch geometry: a grid of {@code gridX * gridY * gridZ} blocks of {@code block}
 * threads and {@code sharedBytes} of dynamic shared memory. The planners compute it in plain Java;
 * the constructor rejects what the hardware would (grid y and z above 65535, blocks over 1024
 * threads), so a bad plan fails with its numbers instead of CUDA_ERROR_INVALID_VALUE.
 */
public record Launch(int gridX, int gridY, int gridZ, int block, int sharedBytes) {
    public static final int MAX_GRID_YZ = 65535;
    public static final int MAX_BLOCK = 1024;

    public Launch {
        if (gridX < 1 || gridY < 1 || gridZ < 1 || gridY > MAX_GRID_YZ || gridZ > MAX_GRID_YZ) {
            throw new IllegalArgumentException("grid (" + gridX + ", " + gridY + ", " + gridZ + ") is outside the device's limits");
        }
        if (block < 1 || block > MAX_BLOCK) {
            throw new IllegalArgumentException("block of " + block + " threads");
        }
        if (sharedBytes < 0) {
            throw new IllegalArgumentException("shared memory " + sharedBytes);
        }
    }

    /** A one-dimensional grid. */
    public static Launch of(int blocks, int block) {
        return new Launch(blocks, 1, 1, block, 0);
    }

    public Launch withShared(int bytes) {
        return new Launch(gridX, gridY, gridZ, block, bytes);
    }

    public long blocks() {
        return (long) gridX * gridY * gridZ;
    }

    public static int ceilDiv(long n, int d) {
        long q = (n + d - 1) / d;
        if (q > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(n + " / " + d + " does not fit a grid dimension");
        }
        return (int) q;
    }

    @Override
    public String toString() {
        return "grid (" + gridX + ", " + gridY + ", " + gridZ + ") x " + block + " threads, " + sharedBytes + " B shared";
    }
}
