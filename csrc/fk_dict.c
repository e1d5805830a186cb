/* fk_dict: see fk_dict.h for the design.  This file follows Redis's dict.c
 * closely where the algorithm is subtle (rehash, scan), so that reading the
 * two side by side is easy. */
#include "fk_dict.h"
#include "fk_alloc.h"
#include "fk_shared.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FK_DICT_INITIAL_SIZE 4
#define FK_DICT_FORCE_RATIO 5     /* expand even when resizing is discouraged */
#define FK_DICT_MIN_FILL 10       /* % fill under which cron shrinks a table */

/* ---------------------------------------------------------------- hashing
 * SipHash-1-2 with a per-process random key (as Redis): clients choose the
 * keys, so the hash must not be predictable or they could force every key
 * into one bucket. */

void fk_dict_set_seed(const uint8_t seed[16]) { memcpy(fk_sh->hash_seed, seed, 16); }

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do { \
    v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
    v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
    v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
    v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); } while (0)

static inline uint64_t load64le(const uint8_t *p) {
    uint64_t v; memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

uint64_t fk_hash(const char *key, size_t len) {
    const uint8_t *in = (const uint8_t *)key;
    uint64_t k0 = load64le(fk_sh->hash_seed), k1 = load64le(fk_sh->hash_seed + 8);
    uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
    uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
    uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
    uint64_t v3 = 0x7465646279746573ULL ^ k1;
    const uint8_t *end = in + len - (len % 8);
    uint64_t b = ((uint64_t)len) << 56, m;
    for (; in != end; in += 8) {
        m = load64le(in);
        v3 ^= m; SIPROUND; v0 ^= m;
    }
    switch (len & 7) {
    case 7: b |= ((uint64_t)in[6]) << 48; /* fall through */
    case 6: b |= ((uint64_t)in[5]) << 40; /* fall through */
    case 5: b |= ((uint64_t)in[4]) << 32; /* fall through */
    case 4: b |= ((uint64_t)in[3]) << 24; /* fall through */
    case 3: b |= ((uint64_t)in[2]) << 16; /* fall through */
    case 2: b |= ((uint64_t)in[1]) << 8;  /* fall through */
    case 1: b |= ((uint64_t)in[0]); break;
    case 0: break;
    }
    v3 ^= b; SIPROUND; v0 ^= b;
    v2 ^= 0xff; SIPROUND; SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

/* ---------------------------------------------------------------- basics */

fk_dict *fk_dict_new(const fk_dict_type *type) {
    fk_dict *d = fk_malloc(sizeof(*d));
    memset(d, 0, sizeof(*d));
    d->rehashidx = -1;
    d->type = type;
    return d;
}

static void free_entry(fk_dict *d, fk_entry *e) {
    if (d->type && d->type->entry_free) d->type->entry_free(d, e);
    fk_free(e);
}

void fk_dict_clear(fk_dict *d) {
    for (int t = 0; t < 2; t++) {
        for (uint64_t i = 0; i < d->size[t] && d->used[t]; i++) {
            fk_entry *e = d->table[t][i];
            while (e) {
                fk_entry *next = e->next;
                free_entry(d, e);
                d->used[t]--;
                e = next;
            }
        }
        fk_free(d->table[t]);
        d->table[t] = NULL;
        d->size[t] = d->used[t] = 0;
    }
    d->rehashidx = -1;
}

void fk_dict_free(fk_dict *d) {
    if (!d) return;
    fk_dict_clear(d);
    fk_free(d);
}

static uint64_t next_power(uint64_t size) {
    uint64_t i = FK_DICT_INITIAL_SIZE;
    if (size >= (UINT64_C(1) << 63)) return UINT64_C(1) << 63;
    while (i < size) i <<= 1;
    return i;
}

int fk_dict_expand(fk_dict *d, uint64_t size) {
    if (fk_dict_is_rehashing(d) || d->used[0] > size) return -1;
    uint64_t realsize = next_power(size);
    if (realsize == d->size[0]) return -1;
    fk_entry **table = fk_malloc(realsize * sizeof(fk_entry *));
    memset(table, 0, realsize * sizeof(fk_entry *));
    if (d->table[0] == NULL) {          /* first allocation: no rehash needed */
        d->table[0] = table;
        d->size[0] = realsize;
        return 0;
    }
    d->table[1] = table;
    d->size[1] = realsize;
    d->used[1] = 0;
    d->rehashidx = 0;
    return 0;
}

static void expand_if_needed(fk_dict *d) {
    if (fk_dict_is_rehashing(d)) return;
    if (d->size[0] == 0) { fk_dict_expand(d, FK_DICT_INITIAL_SIZE); return; }
    if (d->used[0] >= d->size[0]) fk_dict_expand(d, d->used[0] + 1);
}

int fk_dict_shrink_if_needed(fk_dict *d) {
    if (fk_dict_is_rehashing(d)) return 0;
    uint64_t size = d->size[0], used = d->used[0];
    if (size > FK_DICT_INITIAL_SIZE && (used * 100 / size < FK_DICT_MIN_FILL)) {
        uint64_t minimal = used < FK_DICT_INITIAL_SIZE ? FK_DICT_INITIAL_SIZE : used;
        return fk_dict_expand(d, minimal) == 0;
    }
    return 0;
}

/* Move n buckets from ht[0] to ht[1].  Visits at most n*10 empty buckets so
 * a sparse table can't make one call slow. */
int fk_dict_rehash(fk_dict *d, int n) {
    int empty_visits = n * 10;
    if (!fk_dict_is_rehashing(d)) return 0;
    while (n-- && d->used[0] != 0) {
        while (d->table[0][d->rehashidx] == NULL) {
            d->rehashidx++;
            if (--empty_visits == 0) return 1;
        }
        fk_entry *e = d->table[0][d->rehashidx];
        while (e) {
            fk_entry *next = e->next;
            uint64_t h = fk_hash(e->key, fk_entry_klen(e)) & (d->size[1] - 1);
            e->next = d->table[1][h];
            d->table[1][h] = e;
            d->used[0]--;
            d->used[1]++;
            e = next;
        }
        d->table[0][d->rehashidx] = NULL;
        d->rehashidx++;
    }
    if (d->used[0] == 0) {
        fk_free(d->table[0]);
        d->table[0] = d->table[1];
        d->size[0] = d->size[1];
        d->used[0] = d->used[1];
        d->table[1] = NULL;
        d->size[1] = d->used[1] = 0;
        d->rehashidx = -1;
        return 0;
    }
    return 1;
}

static long long mstime_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int fk_dict_rehash_ms(fk_dict *d, int ms) {
    long long start = mstime_now();
    int rehashes = 0;
    while (fk_dict_rehash(d, 100)) {
        rehashes += 100;
        if (mstime_now() - start > ms) break;
    }
    return rehashes;
}

/* ---------------------------------------------------------------- lookup */

static inline int key_eq(const fk_entry *e, const char *key, size_t klen) {
    return fk_entry_klen(e) == klen && memcmp(e->key, key, klen) == 0;
}

fk_entry *fk_dict_find(fk_dict *d, const char *key, size_t klen) {
    if (fk_dict_size(d) == 0) return NULL;
    if (fk_dict_is_rehashing(d)) fk_dict_rehash(d, 1);
    uint64_t h = fk_hash(key, klen);
    for (int t = 0; t < 2; t++) {
        if (d->size[t] == 0) break;
        fk_entry *e = d->table[t][h & (d->size[t] - 1)];
        while (e) {
            if (key_eq(e, key, klen)) return e;
            e = e->next;
        }
        if (!fk_dict_is_rehashing(d)) break;
    }
    return NULL;
}

fk_entry *fk_dict_add(fk_dict *d, const char *key, size_t klen, size_t extra) {
    if (fk_dict_is_rehashing(d)) fk_dict_rehash(d, 1);
    expand_if_needed(d);
    int t = fk_dict_is_rehashing(d) ? 1 : 0;
    uint64_t idx = fk_hash(key, klen) & (d->size[t] - 1);
    fk_entry *e = fk_malloc(sizeof(fk_entry) + klen + extra);
    e->v.u = 0;
    e->meta = 0;
    e->klen = (uint32_t)klen;
    memcpy(e->key, key, klen);
    e->next = d->table[t][idx];
    d->table[t][idx] = e;
    d->used[t]++;
    return e;
}

/* The address of the pointer that points at e (bucket head or a ->next). */
static fk_entry **find_link(fk_dict *d, fk_entry *e, int *table) {
    uint64_t h = fk_hash(e->key, fk_entry_klen(e));
    for (int t = 0; t < 2; t++) {
        if (d->size[t] == 0) break;
        fk_entry **link = &d->table[t][h & (d->size[t] - 1)];
        while (*link) {
            if (*link == e) { if (table) *table = t; return link; }
            link = &(*link)->next;
        }
        if (!fk_dict_is_rehashing(d)) break;
    }
    return NULL;
}

fk_entry *fk_dict_resize_entry(fk_dict *d, fk_entry *e, size_t extra) {
    fk_entry **link = find_link(d, e, NULL);
    if (!link) return NULL;     /* not ours: a caller bug */
    fk_entry *ne = fk_realloc(e, sizeof(fk_entry) + fk_entry_klen(e) + extra);
    *link = ne;
    return ne;
}

fk_entry *fk_dict_unlink(fk_dict *d, const char *key, size_t klen) {
    if (fk_dict_size(d) == 0) return NULL;
    if (fk_dict_is_rehashing(d)) fk_dict_rehash(d, 1);
    uint64_t h = fk_hash(key, klen);
    for (int t = 0; t < 2; t++) {
        if (d->size[t] == 0) break;
        fk_entry **link = &d->table[t][h & (d->size[t] - 1)];
        while (*link) {
            fk_entry *e = *link;
            if (key_eq(e, key, klen)) {
                *link = e->next;
                e->next = NULL;
                d->used[t]--;
                return e;
            }
            link = &e->next;
        }
        if (!fk_dict_is_rehashing(d)) break;
    }
    return NULL;
}

void fk_dict_free_unlinked(fk_dict *d, fk_entry *e) {
    if (e) free_entry(d, e);
}

int fk_dict_delete(fk_dict *d, const char *key, size_t klen) {
    fk_entry *e = fk_dict_unlink(d, key, klen);
    if (!e) return 0;
    free_entry(d, e);
    return 1;
}

/* ---------------------------------------------------------------- random */

fk_entry *fk_dict_random(fk_dict *d) {
    if (fk_dict_size(d) == 0) return NULL;
    if (fk_dict_is_rehashing(d)) fk_dict_rehash(d, 1);
    fk_entry *he;
    if (fk_dict_is_rehashing(d)) {
        uint64_t s0 = d->size[0];
        do {
            /* buckets below rehashidx in ht[0] are empty */
            uint64_t span = s0 + d->size[1] - (uint64_t)d->rehashidx;
            uint64_t h = (uint64_t)d->rehashidx + ((uint64_t)random() * ((uint64_t)RAND_MAX + 1) + random()) % span;
            he = (h >= s0) ? d->table[1][h - s0] : d->table[0][h];
        } while (he == NULL);
    } else {
        uint64_t mask = d->size[0] - 1;
        do {
            uint64_t h = ((uint64_t)random() * ((uint64_t)RAND_MAX + 1) + random()) & mask;
            he = d->table[0][h];
        } while (he == NULL);
    }
    /* a chain: pick uniformly within it */
    int len = 0;
    for (fk_entry *e = he; e; e = e->next) len++;
    int k = (int)(random() % len);
    while (k--) he = he->next;
    return he;
}

/* ---------------------------------------------------------------- scan
 * Redis's dictScan (Pieter Noordhuis' algorithm): the cursor is a bucket
 * index whose bits are incremented from the most significant end, so that
 * when the table doubles or halves, buckets already visited map to indexes
 * the cursor has already passed.  With two tables the smaller one is
 * visited at v & m0 and then all the buckets of the bigger one that expand
 * from it. */
static uint64_t rev(uint64_t v) {
    uint64_t s = 8 * sizeof(v), mask = ~UINT64_C(0);
    while ((s >>= 1) > 0) {
        mask ^= (mask << s);
        v = ((v >> s) & mask) | ((v << s) & ~mask);
    }
    return v;
}

static void emit_bucket(fk_entry *e, fk_scan_fn fn, void *privdata) {
    while (e) {
        fk_entry *next = e->next;
        fn(privdata, e);
        e = next;
    }
}

uint64_t fk_dict_scan(fk_dict *d, uint64_t v, fk_scan_fn fn, void *privdata) {
    if (fk_dict_size(d) == 0) return 0;
    if (!fk_dict_is_rehashing(d)) {
        uint64_t m0 = d->size[0] - 1;
        emit_bucket(d->table[0][v & m0], fn, privdata);
        v |= ~m0;
        v = rev(v); v++; v = rev(v);
    } else {
        int t0 = 0, t1 = 1;
        if (d->size[0] > d->size[1]) { t0 = 1; t1 = 0; }
        uint64_t m0 = d->size[t0] - 1, m1 = d->size[t1] - 1;
        emit_bucket(d->table[t0][v & m0], fn, privdata);
        do {
            emit_bucket(d->table[t1][v & m1], fn, privdata);
            v |= ~m1;
            v = rev(v); v++; v = rev(v);
        } while (v & (m0 ^ m1));
    }
    return v;
}
