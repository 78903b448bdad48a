/*
 * A kernel in C, built by clang for wasm32 (see build.sh): at every level it reads the whole
 * inbox in one kernel_run, keeps a running SHA-256 of every external payload at /state/hash,
 * counts external messages at /state/count (uint64 LE), and writes one outbox message per level
 * holding the count and the hash. It shows that a real toolchain's output runs in the PVM.
 */
#include <stdint.h>
#include <stddef.h>

#define IMPORT(name) __attribute__((import_module("smart_rollup_core"), import_name(#name)))

IMPORT(read_input) int32_t read_input(uint8_t *info, uint8_t *dst, uint32_t max);
IMPORT(write_output) int32_t write_output(const uint8_t *src, uint32_t len);
IMPORT(write_debug) void write_debug(const uint8_t *src, uint32_t len);
IMPORT(store_read) int32_t store_read(const char *key, uint32_t key_len, uint32_t offset, uint8_t *dst, uint32_t max);
IMPORT(store_write) int32_t store_write(const char *key, uint32_t key_len, uint32_t offset, const uint8_t *src, uint32_t len);

void *memcpy(void *d, const void *s, size_t n) {
    uint8_t *dd = d;
    const uint8_t *ss = s;
    while (n--) *dd++ = *ss++;
    return d;
}

void *memset(void *d, int c, size_t n) {
    uint8_t *dd = d;
    while (n--) *dd++ = (uint8_t)c;
    return d;
}

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

typedef struct {
    uint32_t h[8];
    uint8_t buf[64];
    uint64_t len;
} sha256;

static uint32_t ror(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void block(sha256 *s, const uint8_t *p) {
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d;
    s->h[4] += e; s->h[5] += f; s->h[6] += g; s->h[7] += h;
}

static void sha_init(sha256 *s) {
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, iv, sizeof iv);
    s->len = 0;
}

static void sha_update(sha256 *s, const uint8_t *p, size_t n) {
    while (n--) {
        s->buf[s->len++ % 64] = *p++;
        if (s->len % 64 == 0) block(s, s->buf);
    }
}

static void sha_final(sha256 *s, uint8_t out[32]) {
    uint64_t bits = s->len * 8;
    uint8_t pad = 0x80;
    sha_update(s, &pad, 1);
    pad = 0;
    while (s->len % 64 != 56) sha_update(s, &pad, 1);
    for (int i = 7; i >= 0; i--) {
        uint8_t b = (uint8_t)(bits >> (8 * i));
        sha_update(s, &b, 1);
    }
    for (int i = 0; i < 8; i++) {
        out[4 * i] = s->h[i] >> 24; out[4 * i + 1] = s->h[i] >> 16;
        out[4 * i + 2] = s->h[i] >> 8; out[4 * i + 3] = s->h[i];
    }
}

static const char HASH_KEY[] = "/state/hash";
static const char COUNT_KEY[] = "/state/count";

__attribute__((export_name("kernel_run"))) void kernel_run(void) {
    static uint8_t msg[4096];
    uint8_t info[8];
    uint8_t prev[32] = {0};
    uint64_t count = 0;
    store_read(HASH_KEY, sizeof HASH_KEY - 1, 0, prev, 32);
    store_read(COUNT_KEY, sizeof COUNT_KEY - 1, 0, (uint8_t *)&count, 8);

    sha256 s;
    sha_init(&s);
    sha_update(&s, prev, 32);
    int32_t n;
    while ((n = read_input(info, msg, sizeof msg)) > 0) {
        if (msg[0] == 1) {
            sha_update(&s, msg + 1, (size_t)(n - 1));
            count++;
        }
    }
    uint8_t out[40];
    sha_final(&s, out + 8);
    memcpy(out, &count, 8);
    store_write(HASH_KEY, sizeof HASH_KEY - 1, 0, out + 8, 32);
    store_write(COUNT_KEY, sizeof COUNT_KEY - 1, 0, (uint8_t *)&count, 8);
    write_output(out, sizeof out);
    static const char done[] = "inbox hashed\n";
    write_debug((const uint8_t *)done, sizeof done - 1);
}
