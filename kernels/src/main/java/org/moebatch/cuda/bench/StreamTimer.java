package org.moebatch.cuda.bench;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;

import jcuda.driver.CUevent;
import org.moebatch.cuda.Cuda;
import org.moebatch.cuda.CudaContext;

/** Device time of work queued on a context's stream, between two events (host overheads excluded). */
final class StreamTimer implements AutoCloseable {
    private final CudaContext context;
    private final CUevent start = new CUevent();
    private final CUevent end = new CUevent();

    StreamTimer(CudaContext context) {
        this.context = context;
        Cuda.check(cuEventCreate(start, 0), "cuEventCreate(timer)");
        Cuda.check(cuEventCreate(end, 0), "cuEventCreate(timer)");
    }

    /** Milliseconds per run of {@code work}, averaged over {@code runs} runs queued back to back. */
    double millisecondsPerRun(int runs, Runnable work) {
        Cuda.check(cuEventRecord(start, context.stream()), "cuEventRecord(start)");
        for (int i = 0; i < runs; i++) {
            work.run();
        }
        Cuda.check(cuEventRecord(end, context.stream()), "cuEventRecord(end)");
        Cuda.check(cuEventSynchronize(end), "cuEventSynchronize(end)");
        float[] ms = new float[1];
        Cuda.check(cuEventElapsedTime(ms, start, end), "cuEventElapsedTime");
        return ms[0] / runs;
    }

    @Override
    public void close() {
        cuEventDestroy(start);
        cuEventDestroy(end);
    }
}
