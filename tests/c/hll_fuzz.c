/* csrc/fk_hll.c built alone with all of csrc/ (no Python), run by
 * tests/test_compat_hll.py, also under ASan/UBSan:
 *
 *  1. model check: random PFADD-like register updates (fk_hll_set) on a
 *     sparse HLL with random hll-sparse-max-bytes, against a plain array of
 *     16384 registers; after each step the registers read back through
 *     fk_hll_merge equal the model, the estimate equals the model's
 *     (fk_hll_count vs fk_hll_count_raw), and the sparse opcodes cover
 *     exactly 16384 registers;
 *  2. fuzz: random and mutated sparse/dense values (exact-size
 *     allocations, so ASan sees any read past the end) through every entry
 *     point; none may crash, and the ones that report a valid value agree
 *     with each other. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fk_alloc.h"
#include "fk_hll.h"
#include "fk_shared.h"
#include "fk_str.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "FAILED %s:%d: %s\n", __FILE__, __LINE__, #c); exit(1); } } while (0)

static uint64_t rs = 88172645463325252ULL;
static uint64_t rnd(void) {
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}

static fk_str *copy_exact(const fk_str *s) {
    return fk_str_new(s->buf, s->len);
}

static void model_check(int rounds) {
    static uint8_t model[FK_HLL_REGISTERS], back[FK_HLL_REGISTERS];
    for (int r = 0; r < rounds; r++) {
        fk_sh->hll_sparse_max_bytes = (size_t)(rnd() % 4) == 0 ? rnd() % 200 : 300 + rnd() % 12000;
        fk_str *s = fk_hll_new();
        memset(model, 0, sizeof model);
        int steps = (int)(rnd() % 3000);
        int maxval = (rnd() % 8) == 0 ? 63 : 32;
        for (int i = 0; i < steps; i++) {
            long idx = (long)(rnd() % FK_HLL_REGISTERS);
            if (rnd() % 4 == 0 && i) idx = (idx % 64) + (long)(rnd() % 5);   /* clusters: VAL merges */
            if (idx >= FK_HLL_REGISTERS) idx = FK_HLL_REGISTERS - 1;
            uint8_t v = (uint8_t)(1 + rnd() % (uint64_t)maxval);
            int ch = fk_hll_set(&s, idx, v);
            CHECK(ch >= 0);
            CHECK(ch == (v > model[idx]));
            if (v > model[idx]) model[idx] = v;
            if (i % 97 == 0 || i == steps - 1) {
                CHECK(fk_hll_valid((unsigned char *)s->buf, s->len));
                if (s->buf[4] == FK_HLL_SPARSE)
                    CHECK(s->len <= fk_sh->hll_sparse_max_bytes || s->len <= 18 + 3);
                memset(back, 0, sizeof back);
                fk_str *c = copy_exact(s);
                CHECK(fk_hll_merge(back, (unsigned char *)c->buf, c->len) == 0);
                CHECK(memcmp(back, model, sizeof model) == 0);
                int invalid = 0;
                CHECK(fk_hll_count((unsigned char *)c->buf, c->len, &invalid) == fk_hll_count_raw(model));
                CHECK(!invalid);
                fk_free(c);
            }
        }
        /* to dense and back through the merge path */
        fk_str *d = copy_exact(s);
        CHECK(fk_hll_to_dense(&d) == 0);
        CHECK(d->len == FK_HLL_DENSE_SIZE);
        for (long j = 0; j < FK_HLL_REGISTERS; j++) CHECK(fk_hll_dense_get((unsigned char *)d->buf, j) == model[j]);
        /* store_max of the model into a fresh HLL gives the same registers */
        fk_str *m = fk_hll_new();
        CHECK(fk_hll_store_max(&m, model) == 0);
        memset(back, 0, sizeof back);
        CHECK(fk_hll_merge(back, (unsigned char *)m->buf, m->len) == 0);
        CHECK(memcmp(back, model, sizeof model) == 0);
        fk_free(m);
        fk_free(d);
        fk_free(s);
    }
}

/* A sparse value whose last opcode is an XZERO missing its second byte:
 * PFADD updates it as Redis does (reading a 0 there) and drops the last
 * byte of the result, which may leave fewer than 16384 registers. */
static int ends_in_half_xzero(const unsigned char *val, size_t n) {
    size_t p = 16;
    if (val[4] != FK_HLL_SPARSE) return 0;
    while (p < n) {
        if ((val[p] & 0xc0) == 0x40) {
            if (p + 1 >= n) return 1;
            p += 2;
        } else {
            p++;
        }
    }
    return 0;
}

static void exercise(const unsigned char *val, size_t n) {
    static uint8_t max[FK_HLL_REGISTERS];
    char out[64];
    if (!fk_hll_valid(val, n)) return;
    int invalid = 0;
    fk_str *s = fk_str_new((const char *)val, n);
    (void)fk_hll_count((unsigned char *)s->buf, s->len, &invalid);
    memset(max, 0, sizeof max);
    int merr = fk_hll_merge(max, (unsigned char *)s->buf, s->len);
    CHECK(invalid == (merr != 0));   /* valid = exactly 16384 registers, for both walks */
    size_t need = fk_hll_decode((unsigned char *)s->buf, s->len, out, sizeof out);
    char *big = malloc(need + 1);
    fk_hll_decode((unsigned char *)s->buf, s->len, big, need);
    free(big);
    fk_str *d = fk_str_new(s->buf, s->len);
    int derr = fk_hll_to_dense(&d);
    CHECK(derr == merr);
    if (derr == 0) {
        CHECK(d->len == FK_HLL_DENSE_SIZE);
        CHECK(fk_hll_count((unsigned char *)d->buf, d->len, NULL) == fk_hll_count_raw(max));
    }
    fk_free(d);
    int cut = ends_in_half_xzero(val, n);
    for (int i = 0; i < 20; i++) {
        char ele[8];
        uint64_t x = rnd();
        memcpy(ele, &x, 8);
        if (fk_hll_add(&s, (unsigned char *)ele, 8) < 0) break;
        /* an add never turns a value the walks accepted into a bad one
         * (but a cut XZERO loses its last byte, as in Redis) */
        if (merr == 0 && !cut) {
            memset(max, 0, sizeof max);
            CHECK(fk_hll_merge(max, (unsigned char *)s->buf, s->len) == 0);
        }
    }
    fk_str *t = fk_str_new(s->buf, s->len);
    memset(max, 0, sizeof max);
    for (int i = 0; i < 50; i++) max[rnd() % FK_HLL_REGISTERS] = (uint8_t)(1 + rnd() % 40);
    (void)fk_hll_store_max(&t, max);
    fk_free(t);
    fk_free(s);
}

static void fuzz(int rounds) {
    static unsigned char buf[FK_HLL_DENSE_SIZE + 64];
    fk_str *good = fk_hll_new();
    fk_sh->hll_sparse_max_bytes = 3000;
    for (int i = 0; i < 400; i++) {
        uint64_t x = rnd();
        fk_hll_add(&good, (unsigned char *)&x, 8);
    }
    fk_str *dense = fk_str_new(good->buf, good->len);
    fk_hll_to_dense(&dense);
    for (int r = 0; r < rounds; r++) {
        size_t n;
        int kind = (int)(rnd() % 4);
        if (kind == 0) {                         /* random opcodes */
            n = 16 + rnd() % 64;
            memcpy(buf, "HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80", 16);
            for (size_t i = 16; i < n; i++) buf[i] = (unsigned char)rnd();
        } else if (kind == 1 || kind == 2) {     /* mutated sparse, maybe cut */
            n = good->len;
            memcpy(buf, good->buf, n);
            int flips = 1 + (int)(rnd() % 4);
            for (int k = 0; k < flips; k++) buf[16 + rnd() % (n - 16)] = (unsigned char)rnd();
            if (kind == 2) n = 16 + rnd() % (n - 15);
        } else {                                 /* mutated dense */
            n = dense->len;
            memcpy(buf, dense->buf, n);
            for (int k = 0; k < 8; k++) buf[16 + rnd() % (n - 16)] = (unsigned char)rnd();
        }
        exercise(buf, n);
    }
    fk_free(good);
    fk_free(dense);
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 200;
    size_t base = fk_used_memory();
    model_check(rounds);
    fuzz(rounds * 100);
    char err[128];
    fk_sh->hll_sparse_max_bytes = 3000;
    if (argc > 2) CHECK(fk_hll_selftest(err, sizeof err) == 0);
    CHECK(fk_used_memory() == base);
    printf("ok %d\n", rounds);
    return 0;
}
