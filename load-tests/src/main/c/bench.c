/*
 * The Flotilla PVM benchmark workload (src/main/resources/bench/bench.wat) in C, for gcc -O2.
 * Same memory layout and operations as the wasm kernel, wrapping 32-bit unsigned arithmetic.
 *
 *   bench [rounds] [n] [repeats]
 * prints the 12-byte result as hex (same bytes the kernel passes to write_output), then the
 * best and median wall time of `repeats` runs in milliseconds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGES 8
#define BASE 65536u

static uint8_t mem[PAGES * 65536];

static inline uint32_t load32(uint32_t a) { uint32_t v; memcpy(&v, mem + a, 4); return v; }
static inline void store32(uint32_t a, uint32_t v) { memcpy(mem + a, &v, 4); }

static inline uint64_t rotl64(uint64_t x, unsigned k) { return (x << k) | (x >> (64 - k)); }

__attribute__((noinline)) static uint64_t mix(uint64_t h, uint32_t x) {
    return rotl64((h ^ (uint64_t)x) * 0x100000001b3ull, 29);
}

__attribute__((noinline)) static uint32_t sieve(uint32_t n) {
    for (uint32_t i = 0; i < n; i += 4) store32(BASE + i, 0x01010101u);
    mem[BASE] = 0; mem[BASE + 1] = 0;
    for (uint32_t i = 2; i * i <= n; i++) {
        if (mem[BASE + i]) {
            for (uint32_t j = i * i; j < n; j += i) mem[BASE + j] = 0;
        }
    }
    uint32_t count = 0;
    for (uint32_t i = 0; i < n; i++) count += mem[BASE + i];
    return count;
}

__attribute__((noinline)) static uint64_t hash(uint64_t h, uint32_t n) {
    for (uint32_t i = 0; i < n; i += 4) {
        uint32_t addr = BASE + i;
        h = mix(h, load32(addr));
        store32(addr, (uint32_t)h);
    }
    return h;
}

__attribute__((noinline)) static uint32_t gcd(uint32_t a, uint32_t b) {
    return b == 0 ? a : gcd(b, a % b);
}

__attribute__((noinline)) static uint32_t gcd_sum(uint32_t r) {
    uint32_t s = 0;
    for (uint32_t k = 1; k <= 2000; k++) s += gcd(k * 7919u + r, 65537u - k);
    return s;
}

static void kernel_run(void) {
    uint32_t rounds = load32(0), n = load32(4), primes = 0, g = 0;
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint32_t r = 0; r < rounds; r++) {
        uint32_t nr = n - (r << 6);
        primes += sieve(nr);
        h = hash(h ^ (uint64_t)primes, nr);
        g += gcd_sum(r);
    }
    uint64_t out = h ^ (uint64_t)g;
    memcpy(mem + 16, &out, 8);
    store32(24, primes);
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    uint32_t rounds = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 40;
    uint32_t n = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 262144;
    int repeats = argc > 3 ? atoi(argv[3]) : 10;
    if (n % 4 != 0 || n > 393216 || (uint64_t)rounds * 64 >= n || repeats < 1) {
        fprintf(stderr, "bad arguments\n");
        return 2;
    }
    double *t = calloc((size_t)repeats, sizeof(double));
    for (int i = 0; i < repeats; i++) {
        store32(0, rounds);
        store32(4, n);
        double t0 = now_ms();
        kernel_run();
        t[i] = now_ms() - t0;
    }
    qsort(t, (size_t)repeats, sizeof(double), cmp);
    printf("result ");
    for (int i = 16; i < 28; i++) printf("%02x", mem[i]);
    printf("\nbest_ms %.3f\nmedian_ms %.3f\n", t[0], t[repeats / 2]);
    free(t);
    return 0;
}
