package org.moebatch.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ExpertGroupsTest {
    @Test
    void slotsAreSortedByExpertAndStableWithin() {
        HostRouting routing = new HostRouting(2);
        routing.resize(3);
        // token 0 -> experts 2, 0; token 1 -> 2, 3; token 2 -> 0, 2
        int[] chosen = {2, 0, 2, 3, 0, 2};
        System.arraycopy(chosen, 0, routing.experts(), 0, chosen.length);
        ExpertGroups g = new ExpertGroups(5);
        g.group(routing);
        assertEquals(3, g.activeCount());
        assertArrayEquals(new int[] {0, 2, 3}, Arrays.copyOf(g.activeExperts(), 3));
        assertEquals(2, g.count(0));
        assertEquals(0, g.count(1));
        assertEquals(3, g.count(2));
        // expert 0: slots 1 (token 0) and 4 (token 2); expert 2: slots 0, 2, 5; expert 3: slot 3
        assertArrayEquals(new int[] {1, 4, 0, 2, 5, 3}, Arrays.copyOf(g.slots(), 6));
        assertEquals(2, g.start(2));
    }
}
