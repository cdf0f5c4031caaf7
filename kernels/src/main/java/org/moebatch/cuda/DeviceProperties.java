package org.moebatch.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;

import java.nio.charset.StandardCharsets;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;

/**
 * What the planners need to know about a device.
 *
 * @param ordinal              the device's index, as in {@code cuda:N}
 * @param name                 the marketing name, e.g. "NVIDIA H200"
 * @param totalBytes           global memory
 * @param multiprocessors      SMs, for sizing grids that must fill the device
 * @param computeMajor         compute capability, major
 * @param computeMinor         compute capability, minor
 * @param maxSharedPerBlock    shared memory one block may opt in to, bytes
 */
public record DeviceProperties(int ordinal, String name, long totalBytes, int multiprocessors, int computeMajor,
        int computeMinor, int maxSharedPerBlock) {

    static DeviceProperties query(CUdevice device, int ordinal) {
        byte[] name = new byte[256];
        Cuda.check(cuDeviceGetName(name, name.length, device), "cuDeviceGetName(cuda:" + ordinal + ")");
        int end = 0;
        while (end < name.length && name[end] != 0) {
            end++;
        }
        long[] total = new long[1];
        Cuda.check(cuDeviceTotalMem(total, device), "cuDeviceTotalMem(cuda:" + ordinal + ")");
        return new DeviceProperties(ordinal, new String(name, 0, end, StandardCharsets.US_ASCII), total[0],
                attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, ordinal),
                attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, ordinal),
                attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, ordinal),
                attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, ordinal));
    }

    private static int attribute(CUdevice device, int attribute, int ordinal) {
        int[] value = new int[1];
        Cuda.check(cuDeviceGetAttribute(value, attribute, device),
                "cuDeviceGetAttribute(" + CUdevice_attribute.stringFor(attribute) + ", cuda:" + ordinal + ")");
        return value[0];
    }

    /** The kernels are PTX for compute capability 8.0 (mma.sync bf16, cp.async): Ampere or later. */
    public boolean supportsKernels() {
        return computeMajor >= 8;
    }

    @Override
    public String toString() {
        return String.format("cuda:%d %s (sm_%d%d, %d SMs, %.1f GiB)", ordinal, name, computeMajor, computeMinor,
                multiprocessors, totalBytes / (double) (1L << 30));
    }
}
