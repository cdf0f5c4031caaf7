package org.moebatch.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

/**
 * One device: its primary context (shared with anything else in the process that uses the device,
 * PyTorch included, as the runtime API does) and the one stream every operation of a backend is
 * queued on, in order. CUDA contexts are current per thread and a backend is driven from whichever
 * thread runs the engine, so every entry point calls {@link #bind()} first.
 */
public final class CudaContext implements AutoCloseable {
    private final int ordinal;
    private final CUdevice device;
    private final CUcontext context;
    private final CUstream stream;
    private final DeviceProperties properties;
    private boolean closed;

    private CudaContext(int ordinal, CUdevice device, CUcontext context, CUstream stream, DeviceProperties properties) {
        this.ordinal = ordinal;
        this.device = device;
        this.context = context;
        this.stream = stream;
        this.properties = properties;
    }

    /**
     * Opens device {@code ordinal}. Throws {@link CudaUnavailableException} ("no CUDA device: ...")
     * where there is no driver or no such device.
     */
    public static CudaContext open(int ordinal) {
        CudaDevices.Probe probe = CudaDevices.probe();
        if (!probe.available()) {
            throw new CudaUnavailableException("no CUDA device: " + probe.reason());
        }
        if (ordinal < 0 || ordinal >= probe.count()) {
            throw new CudaUnavailableException("no CUDA device: cuda:" + ordinal + " was asked for, the driver reports "
                    + probe.count() + " (cuda:0 to cuda:" + (probe.count() - 1) + ")");
        }
        CUdevice device = new CUdevice();
        Cuda.check(cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
        DeviceProperties properties = DeviceProperties.query(device, ordinal);
        if (!properties.supportsKernels()) {
            throw new CudaUnavailableException("no CUDA device: " + properties
                    + " is older than compute capability 8.0, which the kernels need (bf16 tensor cores)");
        }
        CUcontext context = new CUcontext();
        Cuda.check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain(cuda:" + ordinal + ")");
        try {
            Cuda.check(cuCtxSetCurrent(context), "cuCtxSetCurrent(cuda:" + ordinal + ")");
            CUstream stream = new CUstream();
            // non-blocking: the legacy default stream, which other libraries may use, does not serialise with it
            Cuda.check(cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate(cuda:" + ordinal + ")");
            return new CudaContext(ordinal, device, context, stream, properties);
        } catch (RuntimeException e) {
            cuDevicePrimaryCtxRelease(device);
            throw e;
        }
    }

    /** Makes this device's context current on the calling thread. */
    public void bind() {
        if (closed) {
            throw new IllegalStateException("cuda:" + ordinal + " is closed");
        }
        Cuda.check(cuCtxSetCurrent(context), "cuCtxSetCurrent(cuda:" + ordinal + ")");
    }

    public CUstream stream() {
        return stream;
    }

    public int ordinal() {
        return ordinal;
    }

    public DeviceProperties properties() {
        return properties;
    }

    /** Waits until everything queued on the stream has run; a kernel's fault surfaces here. */
    public void synchronize(String after) {
        Cuda.check(cuStreamSynchronize(stream), "cuStreamSynchronize(cuda:" + ordinal + ") after " + after);
    }

    /**
     * Sets {@code count} 32-bit words of {@code b} to {@code bits}, in stream order: zeroing, or
     * poisoning an output with NaN ({@code 0x7fc00000}) so a test catches what a kernel never wrote.
     */
    public void fill32(DeviceBuffer b, int bits, long count) {
        if (4 * count > b.bytes()) {
            throw new IllegalArgumentException(count + " words into a buffer of " + b.bytes() + " bytes");
        }
        Cuda.check(cuMemsetD32Async(b.pointer(), bits, count, stream), "cuMemsetD32Async(" + count + " words)");
    }

    /** Free and total device memory, bytes, as the driver sees them now. */
    public long[] memoryInfo() {
        long[] free = new long[1];
        long[] total = new long[1];
        Cuda.check(cuMemGetInfo(free, total), "cuMemGetInfo(cuda:" + ordinal + ")");
        return new long[] {free[0], total[0]};
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        bind();
        try {
            cuStreamSynchronize(stream);
            cuStreamDestroy(stream);
        } finally {
            closed = true;
            cuDevicePrimaryCtxRelease(device);
        }
    }

    @Override
    public String toString() {
        return properties.toString();
    }
}
