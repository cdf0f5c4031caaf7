package org.moebatch.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {
    @Test
    void everyIndexRunsExactlyOnceOverManyJobs() {
        try (WorkerPool pool = new WorkerPool(3, "test")) {
            for (int job = 0; job < 500; job++) {
                int n = 1 + job % 97;
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                pool.forRange(n, 1 + job % 5, (worker, from, to) -> {
                    for (int i = from; i < to; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertEquals(1, hits.get(i), "job " + job + " index " + i);
                }
            }
        }
    }

    @Test
    void aFailureInAHelperReachesTheCaller() {
        try (WorkerPool pool = new WorkerPool(2, "test")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () ->
                    pool.forRange(100, 1, (worker, from, to) -> {
                        if (from == 57) {
                            throw new IllegalStateException("boom at 57");
                        }
                    }));
            assertEquals("boom at 57", e.getMessage());
            // the pool still works afterwards
            AtomicIntegerArray hits = new AtomicIntegerArray(10);
            pool.forRange(10, 1, (worker, from, to) -> hits.incrementAndGet(from));
            assertEquals(1, hits.get(9));
        }
    }
}
