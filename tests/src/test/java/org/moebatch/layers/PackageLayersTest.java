package org.moebatch.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packages of every module are layers, and every import points down them (DESIGN.md, "Layout"):
 * checked over the compiled classes of kernels, inference-udf and jobs, which only this module sees
 * together. A package may use packages on lower lines, never one on its own line or above: so the
 * model cannot name a concrete backend, and backend.cuda cannot reach the model.
 */
class PackageLayersTest {
    /** Bottom first; packages relative to org.moebatch. A new package must be given its line here. */
    static final List<List<String>> LAYERS = List.of(
            List.of("cuda", "tensor"),            // kernels' device layer; host buffers, dtypes, CPU kernels
            List.of("cuda.bench", "backend"),     // the Backend seam, what it passes, the CPU backends
            List.of("backend.cuda", "model"),     // the CUDA backend; specs, checkpoints, the forward pass
            List.of("engine", "tokenizer"),       // scheduler, KV pages, sampling; tokenizers
            List.of("chat"),                      // templates, the row's result
            List.of("tools"),                     // tool calls, tools, the agent loop
            List.of("tools.constrain"),           // constrained decoding of tool calls
            List.of("spark"),                     // the executor-resident engine, UDFs
            List.of("report"),                    // a run's summary and report
            List.of("jobs"),                      // generate, inputs and outputs
            List.of("eval", "datagen"),           // jobs built on generate
            List.of("cli"));                      // the command line

    private static PackageGraph graph;

    @BeforeAll
    static void readClasses() {
        graph = PackageGraph.ofClassesBeside(org.moebatch.cuda.CacheGeometry.class,
                org.moebatch.backend.Backend.class, org.moebatch.cli.Main.class);
    }

    @Test
    void noPackageImportsAnotherInACycle() {
        assertEquals(List.of(), graph.cycles(), "package cycles");
    }

    @Test
    void everyImportPointsDownTheLayers() {
        assertEquals(List.of(), violations(graph), "imports that do not point down the layers");
    }

    @Test
    void theLayersNameEveryPackageThereIs() {
        List<String> unplaced = new ArrayList<>();
        for (String pkg : graph.packages()) {
            if (line(pkg) < 0) {
                unplaced.add(pkg);
            }
        }
        assertEquals(List.of(), unplaced, "packages missing from LAYERS");
        // and the classes were read at all: the seam's package imports tensor
        assertTrue(graph.importsOf("backend").containsKey("tensor"), "backend's imports: " + graph.importsOf("backend"));
    }

    /** Each import of a package on its own line or above, with an example of it. */
    static List<String> violations(PackageGraph g) {
        List<String> wrong = new ArrayList<>();
        for (String from : g.packages()) {
            for (Map.Entry<String, String> to : g.importsOf(from).entrySet()) {
                int fromLine = line(from);
                int toLine = line(to.getKey());
                if (fromLine >= 0 && toLine >= 0 && toLine >= fromLine) {
                    wrong.add(from + " imports " + to.getKey() + " (" + to.getValue() + ")");
                }
            }
        }
        return wrong;
    }

    static int line(String pkg) {
        for (int i = 0; i < LAYERS.size(); i++) {
            if (LAYERS.get(i).contains(pkg)) {
                return i;
            }
        }
        return -1;
    }
}
