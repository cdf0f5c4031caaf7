package org.moebatch.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class MixtralConfigTest {
    private static ObjectNode empty() {
        return new ObjectMapper().createObjectNode().put("model_type", "mixtral");
    }

    @Test
    void anEmptyConfigIsMixtral8x7B() {
        ModelSpec expected = new ModelSpec("mixtral", ModelFamily.MIXTRAL, 32000, 4096, 32,
                AttentionSpec.groupedQuery(32, 8, 4096 / 32, QkNorm.NONE, false),
                DenseMlpSpec.NONE,
                MoeSpec.routedOnly(14336, 8, 2, RouterSpec.softmaxTopK(true)),
                new RopeSpec(1e6, RopeScaling.none(), false),
                1e-5, 4096 * 32, false, 1, List.of(1), QuantizationConfig.NONE);
        assertEquals(expected, ModelSpec.fromConfig(empty()));
    }

    @Test
    void theTopKIsRenormalisedWhateverNormTopkProbSays() {
        ObjectNode c = empty();
        c.put("norm_topk_prob", false);
        assertTrue(ModelSpec.fromConfig(c).normTopkProb(), "MixtralSparseMoeBlock has no such switch");
    }

    @Test
    void aSlidingWindowIsAcceptedOnlyWhereItCoversTheWholeContext() {
        ObjectNode c = empty();
        c.put("max_position_embeddings", 4096);
        c.put("sliding_window", 4096);
        assertEquals(4096, ModelSpec.fromConfig(c).maxPositions());
        c.putNull("sliding_window");
        assertEquals(4096, ModelSpec.fromConfig(c).maxPositions());
        c.put("sliding_window", 4095);
        String message = assertThrows(ModelException.class, () -> ModelSpec.fromConfig(c)).getMessage();
        assertTrue(message.startsWith("sliding_window 4095 is not supported"), message);
        c.put("sliding_window", "wide");
        assertEquals("sliding_window must be an integer, is \"wide\"",
                assertThrows(ModelException.class, () -> ModelSpec.fromConfig(c)).getMessage());
    }

    @Test
    void aZeroExpertCountIsRejectedUnderMixtralsKeyName() {
        ObjectNode c = empty();
        c.put("num_local_experts", 0);
        assertEquals("num_local_experts must be positive, is 0",
                assertThrows(ModelException.class, () -> ModelSpec.fromConfig(c)).getMessage());
    }
}
