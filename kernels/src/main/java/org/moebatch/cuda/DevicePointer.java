package org.moebatch.cuda;

import jcuda.driver.CUdeviceptr;

/** A device pointer whose numeric address can be read: kernels take addresses as 64-bit arguments. */
final class DevicePointer extends CUdeviceptr {
    long address() {
        return getNativePointer();
    }
}
