package org.moebatch.cuda;

import static jcuda.driver.JCudaDriver.cuFuncSetAttribute;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;

import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUstream;

/** One loaded kernel: launches are checked against its signature and name it when they fail. */
public final class Kernel {
    private final KernelName name;
    private final CUfunction function;
    private final int maxShared;
    private int dynamicSharedAllowed;

    Kernel(KernelName name, CUfunction function, int maxShared) {
        this.name = name;
        this.function = function;
        this.maxShared = maxShared;
    }

    public KernelName name() {
        return name;
    }

    /** Queues the kernel on {@code stream}. */
    public void launch(CUstream stream, Launch launch, KernelArgs args) {
        if (!args.signature().equals(name.signature())) {
            throw new IllegalArgumentException(name.entry() + " takes (" + name.signature() + "), was given ("
                    + args.signature() + ")");
        }
        if (launch.sharedBytes() > dynamicSharedAllowed) {
            // Above 48 KiB a kernel must opt in; setting it once to the largest size asked for so far is enough.
            if (launch.sharedBytes() > maxShared) {
                throw new IllegalArgumentException(name.entry() + " needs " + launch.sharedBytes()
                        + " bytes of shared memory, the device allows " + maxShared);
            }
            Cuda.check(cuFuncSetAttribute(function, CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                    launch.sharedBytes()), "cuFuncSetAttribute(" + name.entry() + ", " + launch.sharedBytes() + " B shared)");
            dynamicSharedAllowed = launch.sharedBytes();
        }
        Cuda.check(cuLaunchKernel(function, launch.gridX(), launch.gridY(), launch.gridZ(), launch.block(), 1, 1,
                launch.sharedBytes(), stream, args.pointer(), null), "cuLaunchKernel(" + name.entry() + ", " + launch + ")");
    }
}
