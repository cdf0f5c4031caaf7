package org.moebatch.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.moebatch.tensor.DType;
import org.moebatch.testing.RandomTensors;

/**
 * The host backends' routing and expert histogram as the seam describes them, on routings worked out
 * by hand: copies in and out, counts per (layer, expert), a drain that zeroes, and clear errors for
 * malformed host values, a slot routed to no expert, and objects another backend made.
 */
class ExpertCountsTest {
    static Stream<Arguments> backends() {
        return Stream.of(Arguments.of("cpu", (Supplier<Backend>) () -> new CpuBackend(2)),
                Arguments.of("reference", (Supplier<Backend>) ReferenceBackend::new));
    }

    @ParameterizedTest(name = "{0}: the histogram counts each layer's slots and a drain zeroes it")
    @MethodSource("backends")
    void countsPerLayerAndExpertUntilDrained(String name, Supplier<Backend> make) {
        try (Backend be = make.get()) {
            // token 0 -> experts 2, 0; token 1 -> 2, 3; token 2 -> 0, 2
            Routing r = be.routing(2);
            be.copyRoutingFromHost(new int[] {2, 0, 2, 3, 0, 2}, new float[] {.5f, .5f, .7f, .3f, .9f, .1f}, 3, r);
            ExpertCounts counts = be.expertCounts(3, 5);
            be.countExperts(counts, 0, r);
            be.countExperts(counts, 2, r);
            // one token -> experts 4, 1
            be.copyRoutingFromHost(new int[] {4, 1}, new float[] {1, 1}, 1, r);
            be.countExperts(counts, 2, r);
            long[][] load = new long[3][5];
            be.drainExpertCounts(counts, load);
            assertArrayEquals(new long[] {2, 0, 3, 1, 0}, load[0]);
            assertArrayEquals(new long[5], load[1], "a layer not counted");
            assertArrayEquals(new long[] {2, 1, 3, 1, 1}, load[2]);
            be.drainExpertCounts(counts, load);
            assertArrayEquals(new long[5], load[0], "zero after a drain");
            assertArrayEquals(new long[5], load[2], "zero after a drain");
        }
    }

    @ParameterizedTest(name = "{0}: a routing copied in comes back out unchanged")
    @MethodSource("backends")
    void routingCopiesRoundTrip(String name, Supplier<Backend> make) {
        try (Backend be = make.get()) {
            Routing r = be.routing(3);
            int[] experts = {7, -1, 0, 2, 5, 1};
            float[] weights = {.25f, 0f, .5f, .125f, 1.5f, 2f};
            be.copyRoutingFromHost(experts, weights, 2, r);
            assertEquals(2, r.tokens());
            assertEquals(3, r.expertsPerToken());
            int[] experts2 = new int[6];
            float[] weights2 = new float[6];
            be.copyRoutingToHost(r, experts2, weights2);
            assertArrayEquals(experts, experts2);
            assertArrayEquals(weights, weights2);
        }
    }

    @ParameterizedTest(name = "{0}: a slot routed to no expert fails the step's drain, naming the layer")
    @MethodSource("backends")
    void aSlotRoutedToNoExpertFailsTheDrain(String name, Supplier<Backend> make) {
        try (Backend be = make.get()) {
            Routing r = be.routing(2);
            be.copyRoutingFromHost(new int[] {1, -1, 0, 1}, new float[] {1, 0, .5f, .5f}, 2, r);
            ExpertCounts counts = be.expertCounts(4, 2);
            be.countExperts(counts, 3, r);
            long[][] load = new long[4][2];
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> be.drainExpertCounts(counts, load));
            assertTrue(e.getMessage().contains("layer 3 routed 1 slots"), e.getMessage());
            be.drainExpertCounts(counts, load); // the failed drain zeroed the histogram
            assertArrayEquals(new long[2], load[3]);
        }
    }

    @ParameterizedTest(name = "{0}: malformed host values are refused with what and where")
    @MethodSource("backends")
    void malformedHostValuesAreRefused(String name, Supplier<Backend> make) {
        try (Backend be = make.get()) {
            Routing r = be.routing(2);
            IllegalArgumentException shortArrays = assertThrows(IllegalArgumentException.class,
                    () -> be.copyRoutingFromHost(new int[] {1, 2, 3}, new float[4], 2, r));
            assertTrue(shortArrays.getMessage().contains("needs 4 experts and weights, got 3 and 4"), shortArrays.getMessage());
            IllegalArgumentException badExpert = assertThrows(IllegalArgumentException.class,
                    () -> be.copyRoutingFromHost(new int[] {1, 2, 3, -2}, new float[4], 2, r));
            assertTrue(badExpert.getMessage().contains("slot 3 (token 1, choice 1) names expert -2"), badExpert.getMessage());
            assertThrows(IllegalArgumentException.class, () -> be.copyRoutingFromHost(new int[0], new float[0], -1, r));
            assertThrows(IllegalArgumentException.class, () -> be.routing(0));

            be.copyRoutingFromHost(new int[] {1, 2, 3, 0}, new float[4], 2, r);
            IllegalArgumentException noRoom = assertThrows(IllegalArgumentException.class,
                    () -> be.copyRoutingToHost(r, new int[3], new float[4]));
            assertTrue(noRoom.getMessage().contains("4 slots"), noRoom.getMessage());

            ExpertCounts counts = be.expertCounts(2, 4);
            IllegalArgumentException badLayer = assertThrows(IllegalArgumentException.class,
                    () -> be.countExperts(counts, 2, r));
            assertTrue(badLayer.getMessage().contains("layer 2 of expert counts of 2 layers"), badLayer.getMessage());
            IllegalArgumentException narrow = assertThrows(IllegalArgumentException.class,
                    () -> be.drainExpertCounts(counts, new long[][] {new long[4], new long[3]}));
            assertTrue(narrow.getMessage().contains("into row 1 of 3 values"), narrow.getMessage());
            assertThrows(IllegalArgumentException.class, () -> be.drainExpertCounts(counts, new long[1][4]));
        }
    }

    @ParameterizedTest(name = "{0}: routed experts refuse a slot naming an expert the block lacks")
    @MethodSource("backends")
    void moeExpertsRefusesAnExpertPastTheBlock(String name, Supplier<Backend> make) {
        try (Backend be = make.get()) {
            RandomTensors random = new RandomTensors(5);
            Mlp[] mlps = new Mlp[3];
            for (int e = 0; e < mlps.length; e++) {
                mlps[e] = new Mlp(new Linear(random.matrix("g" + e, DType.F32, 4, 8), null),
                        new Linear(random.matrix("u" + e, DType.F32, 4, 8), null),
                        new Linear(random.matrix("d" + e, DType.F32, 8, 4), null));
            }
            Routing r = be.routing(1);
            be.copyRoutingFromHost(new int[] {0, 3}, new float[] {1, 1}, 2, r);
            var x = be.tensor(2, 8);
            var out = be.tensor(2, 8);
            RuntimeException e = assertThrows(RuntimeException.class, () -> be.moeExperts(out, x, r, mlps));
            assertTrue(e.getMessage().contains("slot 1") && e.getMessage().contains("expert 3"), e.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}: a routing or histogram another backend made is refused")
    @MethodSource("backends")
    void objectsOfAnotherBackendAreRefused(String name, Supplier<Backend> make) {
        try (Backend be = make.get()) {
            Routing foreign = new Routing() {
                @Override
                public int tokens() {
                    return 0;
                }

                @Override
                public int expertsPerToken() {
                    return 1;
                }
            };
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> be.countExperts(be.expertCounts(1, 1), 0, foreign));
            assertTrue(e.getMessage().contains("passed to a host backend"), e.getMessage());
        }
    }
}
