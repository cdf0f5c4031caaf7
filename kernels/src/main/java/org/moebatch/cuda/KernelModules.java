package org.moebatch.cuda;

import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;

/**
 * The PTX modules loaded into a device's context (the driver JIT-compiles them for the GPU at hand
 * on first load, then caches the result on disk), and their kernels, looked up once each.
 */
public final class KernelModules implements AutoCloseable {
    private final CudaContext context;
    private final Map<String, CUmodule> modules = new LinkedHashMap<>();
    private final Map<KernelName, Kernel> kernels = new EnumMap<>(KernelName.class);

    private KernelModules(CudaContext context) {
        this.context = context;
    }

    /** Loads every module; "kernels not built: ..." when the build had no nvcc. */
    public static KernelModules load(CudaContext context) {
        PtxResources.Status status = PtxResources.requireBuilt();
        context.bind();
        KernelModules m = new KernelModules(context);
        try {
            for (String name : status.modules()) {
                CUmodule module = new CUmodule();
                int result = cuModuleLoadData(module, PtxResources.image(name));
                if (result == CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION) {
                    throw new CudaUnavailableException("the driver of cuda:" + context.ordinal() + " is too old for "
                            + name + ".ptx (" + status.detail() + "); update the NVIDIA driver or rebuild the kernels "
                            + "with this machine's nvcc (kernels/build-ptx.sh)");
                }
                Cuda.check(result, "cuModuleLoadData(" + name + ".ptx on cuda:" + context.ordinal() + ")");
                m.modules.put(name, module);
            }
            return m;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** The kernel, looked up on first use. */
    public Kernel kernel(KernelName name) {
        Kernel k = kernels.get(name);
        if (k == null) {
            CUmodule module = modules.get(name.module());
            if (module == null) {
                throw new CudaUnavailableException("kernels not built: module " + name.module() + " (for "
                        + name.entry() + ") is not among the PTX modules on the classpath " + modules.keySet());
            }
            CUfunction f = new CUfunction();
            Cuda.check(cuModuleGetFunction(f, module, name.entry()), "cuModuleGetFunction(" + name.entry() + " in "
                    + name.module() + ".ptx)");
            k = new Kernel(name, f, context.properties().maxSharedPerBlock());
            kernels.put(name, k);
        }
        return k;
    }

    public CudaContext context() {
        return context;
    }

    /** Queues {@code name} on the context's stream. */
    public void launch(KernelName name, Launch launch, KernelArgs args) {
        kernel(name).launch(context.stream(), launch, args);
    }

    @Override
    public void close() {
        for (CUmodule module : modules.values()) {
            cuModuleUnload(module);
        }
        modules.clear();
        kernels.clear();
    }
}
