package org.moebatch.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The cycle finder and the layer rule on graphs written out by hand. */
class PackageGraphTest {
    @Test
    void aCycleIsFoundAndWrittenAsThePathThatClosesIt() {
        PackageGraph g = new PackageGraph();
        g.edge("spark", "engine");
        g.edge("engine", "model");
        g.edge("model", "backend");
        g.edge("backend", "engine");
        assertEquals(List.of("backend -> engine -> model -> backend"), g.cycles()); // walked in name order
    }

    @Test
    void aDiamondIsNoCycle() {
        PackageGraph g = new PackageGraph();
        g.edge("spark", "chat");
        g.edge("spark", "tools");
        g.edge("tools", "chat");
        g.edge("chat", "engine");
        g.edge("tools", "engine");
        assertEquals(List.of(), g.cycles());
    }

    @Test
    void anImportUpOrAcrossALineIsAViolationAndDownIsNot() {
        PackageGraph g = new PackageGraph();
        g.edge("model", "backend"); // down: fine
        g.edge("backend", "model"); // up
        g.edge("model", "backend.cuda"); // across one line
        g.edge("jobs", "report"); // down: fine
        assertEquals(List.of("backend imports model (backend -> model)", "model imports backend.cuda (model -> backend.cuda)"),
                PackageLayersTest.violations(g));
    }

    @Test
    void packagesAreNamedRelativeToTheProjectAndOthersAreLeftOut() {
        assertEquals("backend.cuda", PackageGraph.packageOf("org.moebatch.backend.cuda.CudaBackend$1"));
        assertEquals(null, PackageGraph.packageOf("java.util.List"));
        assertEquals("", PackageGraph.packageOf("org.moebatch.Toplevel"));
    }
}
