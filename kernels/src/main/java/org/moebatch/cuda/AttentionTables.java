package org.moebatch.cuda;

/**
 * A step's tables that attention and the cache writes read, on the device: each token's position,
 * sequence, page and slot; each sequence's page table (flattened, with start offsets); the query
 * tiles of {@link AttentionPlan#tiles}.
 *
 * @param positions       [tokens]
 * @param sequenceOfToken [tokens]
 * @param pageOfToken     [tokens] the cache page its entry goes to
 * @param slotOfToken     [tokens] the slot within that page
 * @param pageTableStart  [sequences + 1] where each sequence's pages start in {@code pageTable}
 * @param pageTable       the pages of every sequence, as far as this step reaches
 * @param tiles           [2 * tileCount] (first token, token count)
 * @param tokens          tokens in the step
 * @param tileCount       tiles
 * @param longestContext  the largest position + 1 of the step
 */
public record AttentionTables(DeviceBuffer positions, DeviceBuffer sequenceOfToken, DeviceBuffer pageOfToken,
        DeviceBuffer slotOfToken, DeviceBuffer pageTableStart, DeviceBuffer pageTable, DeviceBuffer tiles, int tokens,
        int tileCount, int longestContext) {}
