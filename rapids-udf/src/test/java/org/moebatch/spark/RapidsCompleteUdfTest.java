package org.moebatch.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.rapids.cudf.ColumnVector;
import ai.rapids.cudf.HostColumnVector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The columnar {@code moe_complete}: chosen where the plugin's jar is on the classpath (here, the
 * system-scoped dependency), its host side, and — on a machine with a GPU — its columnar path over
 * real cuDF columns against the row path.
 */
class RapidsCompleteUdfTest {
    private static final String[] PROMPTS = {"Summarise: the meeting moved to Thursday.", null, "Xin chào, bạn khỏe không?", ""};
    private static GenerateOptions options;

    @BeforeAll
    static void options() {
        // tests run in the module's directory; the samples sit beside it
        Path model = Path.of("..", "data-samples", "models", "k2-tiny-chat").toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(model), "no sample model at " + model);
        GenerateOptions d = GenerateOptions.defaults(model.toString());
        options = new GenerateOptions(d.modelDir(), "cpu", 2, 64, 8, 256, 12, 0, 1, 0, 0L, null, List.of(), null, 8);
    }

    @AfterAll
    static void stop() {
        EngineCache.closeAll();
    }

    @Test
    void underRapidsTheColumnarClassIsRegistered() {
        assertEquals(RapidsCompleteUdf.class, MoeFunctions.completeFunction(options).getClass());
    }

    @Test
    void hostStringsKeepNulls() {
        String[] values = {"a", null, "ç"};
        assertArrayEquals(values, HostStrings.read(i -> values[(int) i] == null, i -> values[(int) i], 3));
        assertArrayEquals(new String[0], HostStrings.read(i -> false, i -> "x", 0));
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> HostStrings.read(i -> false, i -> "x", 1L << 31));
        assertTrue(tooMany.getMessage().contains("2147483648 rows"), tooMany.getMessage());
    }

    @Test
    @Tag("gpu")
    void columnarPathOverCudfColumnsEqualsTheRowPath() {
        int gpus;
        try {
            gpus = ai.rapids.cudf.Cuda.getDeviceCount();
        } catch (Throwable noGpu) { // cuDF's native library needs a CUDA driver
            gpus = 0;
        }
        Assumptions.assumeTrue(gpus > 0, "no GPU for cuDF here");
        RapidsCompleteUdf udf = new RapidsCompleteUdf(options);
        try (ColumnVector prompts = ColumnVector.fromStrings(PROMPTS);
                ColumnVector result = udf.evaluateColumnar(PROMPTS.length, prompts);
                HostColumnVector host = result.copyToHost()) {
            assertEquals(PROMPTS.length, result.getRowCount());
            for (int i = 0; i < PROMPTS.length; i++) {
                assertEquals(udf.call(PROMPTS[i]), host.isNull(i) ? null : host.getJavaString(i), "row " + i);
            }
            assertEquals(PROMPTS.length, prompts.getRowCount(), "the input column is still open");
        }
    }
}
