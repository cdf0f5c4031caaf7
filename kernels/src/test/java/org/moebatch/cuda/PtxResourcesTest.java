package org.moebatch.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The PTX the build produced: present whenever this machine has nvcc (a build that silently skipped
 * the kernels must fail here), one module per kernel file, and every kernel the Java side launches
 * declared with exactly the parameters its {@link KernelName} signature says. Without nvcc, the
 * manifest says why and asking for the kernels says "kernels not built".
 */
class PtxResourcesTest {
    private static final Pattern ENTRY = Pattern.compile("\\.visible \\.entry (\\w+)\\(([^)]*)\\)");
    private static final Pattern PARAM = Pattern.compile("\\.param \\.(\\w+)");

    static boolean nvccPresent() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "nvcc"))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/local/cuda/bin/nvcc"));
    }

    @Test
    void kernelsAreBuiltExactlyWhenNvccIsPresent() {
        PtxResources.Status status = PtxResources.status();
        if (nvccPresent()) {
            assertTrue(status.built(), "nvcc is installed but the kernels were not built: " + status.detail());
            assertTrue(status.detail().contains("compute_80"), status.detail());
        } else {
            assertFalse(status.built());
            CudaUnavailableException e = assertThrows(CudaUnavailableException.class, PtxResources::requireBuilt);
            assertTrue(e.getMessage().startsWith("kernels not built: "), e.getMessage());
        }
    }

    @Test
    void everyLaunchedKernelIsInItsModuleWithTheParametersItsLauncherPasses() {
        PtxResources.Status status = PtxResources.status();
        org.junit.jupiter.api.Assumptions.assumeTrue(status.built(), "kernels not built: " + status.detail());
        List<String> checked = new ArrayList<>();
        for (KernelName k : KernelName.values()) {
            assertTrue(status.modules().contains(k.module()), k + ": module " + k.module() + " not built");
            String ptx = PtxResources.text(k.module());
            assertTrue(ptx.contains("\n.version 7.8\n"), k.module() + ".ptx declares the ISA the build lowered it to");
            Matcher m = ENTRY.matcher(ptx);
            String params = null;
            while (m.find()) {
                if (m.group(1).equals(k.entry())) {
                    params = m.group(2);
                }
            }
            assertTrue(params != null, k.entry() + " is not an entry of " + k.module() + ".ptx (mangled, or renamed?)");
            StringBuilder signature = new StringBuilder();
            Matcher p = PARAM.matcher(params);
            while (p.find()) {
                signature.append(switch (p.group(1)) {
                    case "u64", "b64", "s64" -> k.signature().charAt(signature.length()) == 'l' ? 'l' : 'p';
                    case "u32", "b32", "s32" -> 'i';
                    case "f32" -> 'f';
                    default -> '?';
                });
            }
            assertEquals(k.signature(), signature.toString(), k.entry() + "'s parameters");
            checked.add(k.entry());
        }
        assertEquals(KernelName.values().length, checked.size());
    }

    @Test
    void launchesWithTheWrongArgumentsAreRefusedBeforeReachingTheDriver() {
        Kernel k = new Kernel(KernelName.RMS_NORM, null, 48 * 1024);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> k.launch(null, Launch.of(1, 32), new KernelArgs().ptr(0).ptr(0).ptr(0).i32(5).i32(7)));
        assertTrue(e.getMessage().contains("rms_norm takes (pppfi), was given (pppii)"), e.getMessage());
    }
}
