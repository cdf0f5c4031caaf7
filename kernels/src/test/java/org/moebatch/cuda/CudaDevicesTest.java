package org.moebatch.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The "is there a GPU here" probe: it answers on any machine without throwing (where the driver is
 * missing, JCuda's native library fails to link, which must only mean "no"), and opening a device
 * where there is none fails with one clear line.
 */
class CudaDevicesTest {

    @Test
    void probeAnswersWithoutThrowingAndTwiceTheSame() {
        CudaDevices.Probe first = CudaDevices.probe();
        CudaDevices.Probe second = CudaDevices.probe();
        assertEquals(first, second);
        assertFalse(first.reason().isBlank());
        assertEquals(first.available(), first.count() > 0);
    }

    @Test
    void openingAMissingDeviceSaysNoCudaDevice() {
        int missing = CudaDevices.available() ? CudaDevices.probe().count() : 0;
        CudaUnavailableException e = assertThrows(CudaUnavailableException.class, () -> CudaContext.open(missing));
        assertTrue(e.getMessage().startsWith("no CUDA device: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }
}
