package org.moebatch.backend.cuda;

import org.moebatch.cuda.DeviceBuffer;
import org.moebatch.cuda.DevicePool;
import org.moebatch.tensor.Tensor;

/**
 * A float32 activation matrix {@code [rows, cols]} in device memory, row-major. Like a host tensor
 * it keeps its storage when a step is smaller and grows by half again when one is larger; growing
 * does not keep the contents (a step rewrites its activations).
 */
public final class DeviceTensor implements Tensor {
    private final DevicePool pool;
    private final int cols;
    private int rows;
    private long capacityRows;
    private final Reclaimer.Holder storage; // goes back to the pool when this tensor is collected

    DeviceTensor(DevicePool pool, Reclaimer reclaimer, int rows, int cols) {
        if (rows < 0 || cols <= 0) {
            throw new IllegalArgumentException("bad shape [" + rows + ", " + cols + "]");
        }
        this.pool = pool;
        this.cols = cols;
        this.rows = rows;
        this.capacityRows = Math.max(1, rows);
        this.storage = reclaimer.track(this,
                pool.allocate(4L * capacityRows * cols, "activations [" + capacityRows + ", " + cols + "]"));
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public void resize(int newRows) {
        if (newRows < 0) {
            throw new IllegalArgumentException("rows " + newRows);
        }
        if (newRows > capacityRows) {
            long grown = Math.max(newRows, capacityRows + (capacityRows >> 1));
            DeviceBuffer next = pool.allocate(4L * grown * cols, "activations [" + grown + ", " + cols + "]");
            pool.release(storage.buffer);
            storage.buffer = next;
            capacityRows = grown;
        }
        rows = newRows;
    }

    /** The storage; row {@code r} starts at byte {@code 4 * r * cols}. */
    public DeviceBuffer buffer() {
        return storage.buffer;
    }

    /** Values in use, {@code rows * cols}. */
    public long size() {
        return (long) rows * cols;
    }

    @Override
    public String toString() {
        return "device tensor [" + rows + ", " + cols + "]";
    }
}
