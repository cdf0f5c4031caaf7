package org.moebatch.cli;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class MachineLoadTest {
    @Test
    void warnsOnlyWhenOtherWorkWantsTheEnginesCores() {
        String busy = MachineLoad.warning(OptionalDouble.of(5.07), 2, 2);
        assertTrue(busy != null && busy.contains("load average 5.07 on 2 cores, 2 engine threads"), busy);
        assertNull(MachineLoad.warning(OptionalDouble.of(0.3), 2, 2), "an idle machine");
        assertNull(MachineLoad.warning(OptionalDouble.of(1.02), 2, 2), "the lag of a benchmark that just ended");
        assertNull(MachineLoad.warning(OptionalDouble.of(2.0), 1, 4), "three cores free for one engine thread");
        assertTrue(MachineLoad.warning(OptionalDouble.of(4.0), 4, 4) != null);
        assertNull(MachineLoad.warning(OptionalDouble.empty(), 2, 2), "no /proc/loadavg: nothing to say");
    }

    @Test
    void readsThisMachinesLoad() {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(java.nio.file.Path.of("/proc/loadavg")));
        OptionalDouble load = MachineLoad.oneMinute();
        assertTrue(load.isPresent() && load.getAsDouble() >= 0, String.valueOf(load));
    }
}
