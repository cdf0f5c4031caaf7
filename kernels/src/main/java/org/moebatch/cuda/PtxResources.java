package org.moebatch.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * The PTX modules build-ptx.sh put on the classpath, and its manifest: whether the kernels were
 * built at all (a machine without nvcc builds the rest of the project without them) and with what.
 */
public final class PtxResources {
    static final String DIRECTORY = "/org/moebatch/cuda/ptx/";
    static final String MANIFEST = DIRECTORY + "ptx-manifest.properties";

    /**
     * @param built   every module is on the classpath
     * @param detail  what built them (nvcc version, architecture), or why they were not built
     * @param modules module names, as in {@code rows} for {@code rows.ptx}
     */
    public record Status(boolean built, String detail, List<String> modules) {}

    private PtxResources() {}

    public static Status status() {
        Properties p = new Properties();
        try (InputStream in = PtxResources.class.getResourceAsStream(MANIFEST)) {
            if (in == null) {
                return new Status(false, "no " + MANIFEST + " on the classpath: the kernels module was packaged without "
                        + "running kernels/build-ptx.sh", List.of());
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + MANIFEST, e);
        }
        if (!"built".equals(p.getProperty("status"))) {
            return new Status(false, p.getProperty("reason", "build-ptx.sh skipped them"), List.of());
        }
        List<String> modules = Arrays.asList(p.getProperty("modules", "").trim().split("\\s+"));
        return new Status(true, "nvcc " + p.getProperty("nvcc") + ", " + p.getProperty("arch") + ", PTX ISA "
                + p.getProperty("isa"), modules);
    }

    /** Throws {@link CudaUnavailableException} "kernels not built: ..." unless the modules are there. */
    public static Status requireBuilt() {
        Status s = status();
        if (!s.built()) {
            throw new CudaUnavailableException("kernels not built: " + s.detail()
                    + "; install the CUDA toolkit (nvcc) and rebuild the kernels module, or run kernels/build-ptx.sh");
        }
        return s;
    }

    /** The text of {@code module}.ptx. */
    public static String text(String module) {
        try (InputStream in = PtxResources.class.getResourceAsStream(DIRECTORY + module + ".ptx")) {
            if (in == null) {
                throw new CudaUnavailableException("kernels not built: " + DIRECTORY + module + ".ptx is not on the classpath");
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + module + ".ptx", e);
        }
    }

    /** The module as cuModuleLoadData takes it: the PTX text, NUL-terminated. */
    static byte[] image(String module) {
        byte[] text = text(module).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return Arrays.copyOf(text, text.length + 1);
    }
}
