// This machine's memory read bandwidth: the bound a decode step at batch 1 is held to, since it
// must stream every active weight once per token. Sums a buffer far larger than the caches with
// wide loads (the compiler vectorises the loop with -O3 -march=native), over 1 thread and over all
// of them, and prints the best of several passes as JSON.
//   gcc -O3 -march=native -fopenmp read_bandwidth.c -o read_bandwidth && ./read_bandwidth [MiB]
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

// Best pass, GB/s, reading n floats with `threads` threads.
static double best_read(const uint64_t *a, size_t n, int threads, uint64_t *sink) {
    double best = 0;
    for (int pass = 0; pass < 8; pass++) {
        uint64_t total = 0;
        double start = now();
#pragma omp parallel for num_threads(threads) reduction(+ : total) schedule(static)
        for (size_t i = 0; i < n; i++) total += a[i];
        double seconds = now() - start;
        *sink += total;
        double gbs = n * sizeof(uint64_t) / seconds / 1e9;
        if (gbs > best) best = gbs;
    }
    return best;
}

int main(int argc, char **argv) {
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 1024;
    size_t n = mib * (1u << 20) / sizeof(uint64_t);
    uint64_t *a = aligned_alloc(64, n * sizeof(uint64_t));
    if (a == NULL) {
        fprintf(stderr, "cannot allocate %zu MiB\n", mib);
        return 1;
    }
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) a[i] = i * 2654435761u;  // touched, so pages are real
    uint64_t sink = 0;
    int cores = omp_get_max_threads();
    double one = best_read(a, n, 1, &sink);
    double all = best_read(a, n, cores, &sink);
    printf("{\"buffer_mib\": %zu, \"read_gb_per_s_1_thread\": %.1f, \"threads\": %d, \"read_gb_per_s_all\": %.1f, \"sink\": %llu}\n",
           mib, one, cores, all, (unsigned long long)(sink & 0xffff));
    free(a);
    return 0;
}
