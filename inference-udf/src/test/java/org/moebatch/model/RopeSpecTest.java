package org.moebatch.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class RopeSpecTest {
    private static RopeSpec read(String json) throws Exception {
        return RopeSpec.fromConfig(new ConfigJson(new ObjectMapper().readTree(json)), 10000.0, true, 4096);
    }

    @Test
    void noRopeBlockIsPlainRopeWithTheFamilysTheta() throws Exception {
        assertEquals(new RopeSpec(10000.0, RopeScaling.none(), true), read("{}"));
        assertEquals(new RopeSpec(10000.0, RopeScaling.none(), true), read("{\"rope_scaling\": {\"type\": \"default\"}}"));
    }

    @Test
    void yarnTakesItsDefaultsAndReadsAZeroBetaAsAbsent() throws Exception {
        RopeSpec rope = read("{\"rope_scaling\": {\"type\": \"YaRN\", \"factor\": 32.0, \"beta_fast\": 0,"
                + " \"mscale\": 1.0, \"mscale_all_dim\": 1.0}}");
        assertEquals(new RopeScaling("yarn", 32.0, 4096, 32, 1, 1.0, 1.0, 0), rope.scaling());
    }

    @Test
    void ropeParametersCarryTheThetaWhenRopeScalingIsNull() throws Exception {
        RopeSpec rope = read("{\"rope_scaling\": null, \"rope_parameters\": {\"rope_type\": \"default\", \"rope_theta\": 5e5}}");
        assertEquals(5e5, rope.theta());
        assertEquals(1e6, read("{\"rope_theta\": 1e6, \"rope_parameters\": {\"rope_theta\": 5e5}}").theta(),
                "a top-level rope_theta wins");
    }

    @Test
    void otherScalingTypesAndMalformedFieldsAreRejected() {
        assertEquals("unsupported rope_scaling type \"linear\" (supported: yarn)",
                assertThrows(ModelException.class, () -> read("{\"rope_scaling\": {\"rope_type\": \"linear\"}}")).getMessage());
        assertEquals("factor must be a number, is \"32\"",
                assertThrows(ModelException.class,
                        () -> read("{\"rope_scaling\": {\"type\": \"yarn\", \"factor\": \"32\"}}")).getMessage());
        assertEquals("rope_theta must be a number, is \"1e6\"",
                assertThrows(ModelException.class, () -> read("{\"rope_theta\": \"1e6\"}")).getMessage());
    }
}
