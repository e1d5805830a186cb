/* fk_zset: sorted sets (see fk_zset.h for the design and invariants).
 *
 * The skiplist is William Pugh's, with Redis's three changes: repeated
 * scores are allowed (ties ordered by member), a backward pointer at level 0
 * makes it doubly linked, and each forward pointer carries a span (how many
 * level-0 steps it jumps) so that ranks are found in O(log N) by adding
 * spans on the way down.  Functions follow Redis 7.0's t_zset.c one for
 * one (zslInsert, zslDeleteNode, zslUpdateScore, zzlInsert ...); the names
 * of the Redis functions are in the comments. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fk_zset.h"
#include "fk_alloc.h"
#include "fk_dict.h"
#include "fk_listpack.h"
#include "fk_object.h"
#include "fk_shared.h"
#include "fk_util.h"

#define ENC_LP FK_ENC_LISTPACK
#define ENC_SL FK_ENC_SKIPLIST

static inline void set_enc(fk_entry *e, int enc) {
    e->meta = (e->meta & ~0xF0u) | ((uint32_t)enc << 4);
}
static inline int enc_of(const fk_entry *e) { return (int)((e->meta >> 4) & 0xF); }

/* -- PRNG (xorshift64*): levels and random picks ------------------------- */
static uint64_t rng_state;

uint64_t fk_zset_rand(void) {
    if (rng_state == 0) {
        rng_state = (uint64_t)fk_ustime() ^ 0x9E3779B97F4A7C15ULL ^ (uint64_t)(uintptr_t)&rng_state;
        if (rng_state == 0) rng_state = 1;
    }
    uint64_t x = rng_state;
    x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* zslRandomLevel */
static int random_level(void) {
    int level = 1;
    uint64_t r = fk_zset_rand();
    /* 16 bits per try, as Redis's random()&0xFFFF < P*0xFFFF */
    while (level < FK_ZSKIPLIST_MAXLEVEL) {
        if ((r & 0xFFFF) >= (uint64_t)(FK_ZSKIPLIST_P * 0xFFFF)) break;
        level++;
        r >>= 16;
        if (r == 0) r = fk_zset_rand();
    }
    return level;
}

/* sdscmp order: memcmp, then the shorter first */
static inline int mcmp(const char *a, size_t an, const char *b, size_t bn) {
    size_t m = an < bn ? an : bn;
    int c = m ? memcmp(a, b, m) : 0;
    if (c) return c;
    return an < bn ? -1 : (an > bn ? 1 : 0);
}

/* node < (score, m)? */
static inline int node_lt(fk_zsl_node *f, double score, const char *m, size_t n) {
    return f->score < score || (f->score == score && mcmp(fk_zsl_member(f), f->mlen, m, n) < 0);
}

/* ==================================================================== */
/* The skiplist + member table                                           */
/* ==================================================================== */

static fk_zsl_node *node_create(int level, double score, const char *m, size_t n) {
    size_t sz = sizeof(fk_zsl_node) + (size_t)level * (sizeof(fk_zsl_node *) + sizeof(uint32_t)) + n;
    fk_zsl_node *x = fk_malloc(sz);
    x->score = score;
    x->backward = NULL;
    x->hnext = NULL;
    x->mlen = (uint32_t)n;
    x->level = (uint8_t)level;
    if (n) memcpy(fk_zsl_member(x), m, n);
    return x;
}

fk_zset *fk_zset_new(void) {
    fk_zset *zs = fk_malloc(sizeof(*zs));
    zs->header = node_create(FK_ZSKIPLIST_MAXLEVEL, 0, NULL, 0);
    for (int j = 0; j < FK_ZSKIPLIST_MAXLEVEL; j++) {
        zs->header->forward[j] = NULL;
        fk_zsl_span(zs->header)[j] = 0;
    }
    zs->tail = NULL;
    zs->length = 0;
    zs->level = 1;
    zs->ht[0] = zs->ht[1] = NULL;
    zs->ht_size[0] = zs->ht_size[1] = 0;
    zs->rehashidx = -1;
    return zs;
}

void fk_zset_free(fk_zset *zs) {
    fk_zsl_node *x = zs->header->forward[0], *next;
    while (x) {
        next = x->forward[0];
        fk_free(x);
        x = next;
    }
    fk_free(zs->header);
    if (zs->ht[0]) fk_free(zs->ht[0]);
    if (zs->ht[1]) fk_free(zs->ht[1]);
    fk_free(zs);
}

static void ht_shrink_if_needed(fk_zset *zs);

/* -- the member table: two tables with incremental rehash (dict.c) ------
 * While a resize is in progress ht[0] is the old table and ht[1] the new
 * one; rehashidx is the next ht[0] bucket to move.  Every find, insert and
 * delete moves one bucket, so no single command pays for an O(N) rehash
 * (a 1M-member set would otherwise stall for a few hundred ms). */

static inline int ht_rehashing(const fk_zset *zs) { return zs->rehashidx >= 0; }

static fk_zsl_node **ht_alloc(unsigned long size) {
    fk_zsl_node **t = fk_malloc(size * sizeof(fk_zsl_node *));
    memset(t, 0, size * sizeof(fk_zsl_node *));
    return t;
}

/* Move up to n buckets (visiting at most n*10 empty ones). */
static void ht_rehash_step(fk_zset *zs, int n) {
    int empty_visits = n * 10;
    if (!ht_rehashing(zs)) return;
    while (n-- && (unsigned long)zs->rehashidx < zs->ht_size[0]) {
        while (zs->ht[0][zs->rehashidx] == NULL) {
            zs->rehashidx++;
            if ((unsigned long)zs->rehashidx >= zs->ht_size[0]) goto done;
            if (--empty_visits == 0) return;
        }
        fk_zsl_node *x = zs->ht[0][zs->rehashidx], *next;
        while (x) {
            next = x->hnext;
            unsigned long b = (unsigned long)(fk_hash(fk_zsl_member(x), x->mlen) & (zs->ht_size[1] - 1));
            x->hnext = zs->ht[1][b];
            zs->ht[1][b] = x;
            x = next;
        }
        zs->ht[0][zs->rehashidx] = NULL;
        zs->rehashidx++;
    }
    if ((unsigned long)zs->rehashidx < zs->ht_size[0]) return;
done:
    fk_free(zs->ht[0]);
    zs->ht[0] = zs->ht[1];
    zs->ht_size[0] = zs->ht_size[1];
    zs->ht[1] = NULL;
    zs->ht_size[1] = 0;
    zs->rehashidx = -1;
}

void fk_zset_rehash(fk_zset *zs, int n) { ht_rehash_step(zs, n); }

/* Start moving to a table of `size` buckets (or create the first one). */
static void ht_resize(fk_zset *zs, unsigned long size) {
    if (ht_rehashing(zs) || size == zs->ht_size[0]) return;
    if (zs->ht_size[0] == 0) {
        zs->ht[0] = ht_alloc(size);
        zs->ht_size[0] = size;
        return;
    }
    zs->ht[1] = ht_alloc(size);
    zs->ht_size[1] = size;
    zs->rehashidx = 0;
}

fk_zsl_node *fk_zset_find(fk_zset *zs, const char *m, size_t n) {
    if (zs->ht_size[0] == 0) return NULL;
    ht_rehash_step(zs, 1);
    uint64_t h = fk_hash(m, n);
    for (int t = 0; t <= 1; t++) {
        if (zs->ht_size[t] == 0) break;
        fk_zsl_node *x = zs->ht[t][h & (zs->ht_size[t] - 1)];
        while (x) {
            if (x->mlen == n && memcmp(fk_zsl_member(x), m, n) == 0) return x;
            x = x->hnext;
        }
        if (!ht_rehashing(zs)) break;
    }
    return NULL;
}

/* Build a single table of `size` buckets from the skiplist's node list
 * (dup: the copy is made at once anyway). */
static void ht_rebuild(fk_zset *zs, unsigned long size) {
    if (zs->ht[0]) fk_free(zs->ht[0]);
    if (zs->ht[1]) fk_free(zs->ht[1]);
    zs->ht[1] = NULL;
    zs->ht_size[1] = 0;
    zs->rehashidx = -1;
    zs->ht[0] = ht_alloc(size);
    zs->ht_size[0] = size;
    for (fk_zsl_node *x = zs->header->forward[0]; x; x = x->forward[0]) {
        unsigned long b = (unsigned long)(fk_hash(fk_zsl_member(x), x->mlen) & (size - 1));
        x->hnext = zs->ht[0][b];
        zs->ht[0][b] = x;
    }
}

static void ht_add(fk_zset *zs, fk_zsl_node *x) {
    /* x is linked in the skiplist already (length counts it). */
    ht_rehash_step(zs, 1);
    if (!ht_rehashing(zs) && zs->length > zs->ht_size[0]) {
        unsigned long size = 4;
        while (size < zs->length) size <<= 1;
        ht_resize(zs, size);
    }
    int t = ht_rehashing(zs) ? 1 : 0;
    unsigned long b = (unsigned long)(fk_hash(fk_zsl_member(x), x->mlen) & (zs->ht_size[t] - 1));
    x->hnext = zs->ht[t][b];
    zs->ht[t][b] = x;
}

static void ht_remove(fk_zset *zs, fk_zsl_node *x) {
    uint64_t h = fk_hash(fk_zsl_member(x), x->mlen);
    for (int t = 0; t <= 1; t++) {
        if (zs->ht_size[t] == 0) continue;
        fk_zsl_node **pp = &zs->ht[t][h & (zs->ht_size[t] - 1)];
        while (*pp && *pp != x) pp = &(*pp)->hnext;
        if (*pp) {
            *pp = x->hnext;
            return;
        }
    }
}

void fk_zset_shrink(fk_zset *zs) { ht_shrink_if_needed(zs); }

static void ht_shrink_if_needed(fk_zset *zs) {
    /* htNeedsResize: under 1/8 full (Redis: 10%): start moving to a fit table */
    ht_rehash_step(zs, 1);
    if (!ht_rehashing(zs) && zs->ht_size[0] > 4 && zs->length * 8 < zs->ht_size[0]) {
        unsigned long size = 4;
        while (size < zs->length) size <<= 1;
        ht_resize(zs, size);
    }
}

/* zslInsert, with a node made by the caller (a score update re-links the
 * same node). */
static void zsl_link(fk_zset *zs, fk_zsl_node *x) {
    fk_zsl_node *update[FK_ZSKIPLIST_MAXLEVEL], *p = zs->header, *f;
    unsigned long rank[FK_ZSKIPLIST_MAXLEVEL];
    const char *m = fk_zsl_member(x);
    size_t n = x->mlen;
    double score = x->score;
    int i, level = x->level;

    for (i = zs->level - 1; i >= 0; i--) {
        rank[i] = i == zs->level - 1 ? 0 : rank[i + 1];
        while ((f = p->forward[i]) && node_lt(f, score, m, n)) {
            rank[i] += fk_zsl_span(p)[i];
            p = f;
            /* The search is a chain of cache misses: start loading the
             * node compared after the drop to the next level while this
             * level is still being walked (~7% on a 600k-member ZADD). */
            if (i) __builtin_prefetch(p->forward[i - 1]);
        }
        update[i] = p;
    }
    if (level > zs->level) {
        for (i = zs->level; i < level; i++) {
            rank[i] = 0;
            update[i] = zs->header;
            fk_zsl_span(zs->header)[i] = (uint32_t)zs->length;
        }
        zs->level = level;
    }
    for (i = 0; i < level; i++) {
        x->forward[i] = update[i]->forward[i];
        update[i]->forward[i] = x;
        fk_zsl_span(x)[i] = (uint32_t)(fk_zsl_span(update[i])[i] - (rank[0] - rank[i]));
        fk_zsl_span(update[i])[i] = (uint32_t)((rank[0] - rank[i]) + 1);
    }
    for (i = level; i < zs->level; i++) fk_zsl_span(update[i])[i]++;
    x->backward = (update[0] == zs->header) ? NULL : update[0];
    if (x->forward[0]) x->forward[0]->backward = x;
    else zs->tail = x;
    zs->length++;
}

/* zslDeleteNode */
static void zsl_delete_node(fk_zset *zs, fk_zsl_node *x, fk_zsl_node **update) {
    int i;
    for (i = 0; i < zs->level; i++) {
        if (update[i]->forward[i] == x) {
            fk_zsl_span(update[i])[i] += fk_zsl_span(x)[i] - 1;
            update[i]->forward[i] = x->forward[i];
        } else {
            fk_zsl_span(update[i])[i] -= 1;
        }
    }
    if (x->forward[0]) x->forward[0]->backward = x->backward;
    else zs->tail = x->backward;
    while (zs->level > 1 && zs->header->forward[zs->level - 1] == NULL) zs->level--;
    zs->length--;
}

static void zsl_find_update(fk_zset *zs, double score, const char *m, size_t n, fk_zsl_node **update) {
    fk_zsl_node *p = zs->header, *f;
    for (int i = zs->level - 1; i >= 0; i--) {
        while ((f = p->forward[i]) && node_lt(f, score, m, n)) {
            p = f;
            if (i) __builtin_prefetch(p->forward[i - 1]);
        }
        update[i] = p;
    }
}

static void zsl_unlink(fk_zset *zs, fk_zsl_node *x) {
    fk_zsl_node *update[FK_ZSKIPLIST_MAXLEVEL];
    zsl_find_update(zs, x->score, fk_zsl_member(x), x->mlen, update);
    zsl_delete_node(zs, x, update);
}

fk_zsl_node *fk_zset_insert(fk_zset *zs, double score, const char *m, size_t n) {
    fk_zsl_node *x = node_create(random_level(), score, m, n);
    zsl_link(zs, x);
    ht_add(zs, x);
    return x;
}

/* Detach the first (where 0) or last node from the skiplist and the table
 * without freeing it: ZPOPMIN/ZPOPMAX reply from it, then fk_free it.
 * The first node needs no search (its predecessor is the header at every
 * level). */
fk_zsl_node *fk_zset_detach_end(fk_zset *zs, int last) {
    fk_zsl_node *update[FK_ZSKIPLIST_MAXLEVEL], *x;
    if (zs->length == 0) return NULL;
    if (!last) {
        x = zs->header->forward[0];
        for (int i = 0; i < zs->level; i++) update[i] = zs->header;
    } else {
        x = zs->tail;
        zsl_find_update(zs, x->score, fk_zsl_member(x), x->mlen, update);
    }
    zsl_delete_node(zs, x, update);
    ht_remove(zs, x);
    return x;
}

void fk_zset_remove(fk_zset *zs, fk_zsl_node *x) {
    zsl_unlink(zs, x);
    ht_remove(zs, x);
    fk_free(x);
    ht_shrink_if_needed(zs);
}

/* zslUpdateScore: the node keeps its place when the new score keeps the
 * order, else it is unlinked and linked again (same node, same level). */
void fk_zset_update_score(fk_zset *zs, fk_zsl_node *x, double newscore) {
    if ((x->backward == NULL || x->backward->score < newscore) &&
        (x->forward[0] == NULL || x->forward[0]->score > newscore)) {
        x->score = newscore;
        return;
    }
    zsl_unlink(zs, x);
    x->score = newscore;
    zsl_link(zs, x);
}

/* zslGetRank (1-based) of a node that is in the list. */
unsigned long fk_zsl_get_rank(fk_zset *zs, fk_zsl_node *x) {
    fk_zsl_node *p = zs->header, *f;
    unsigned long rank = 0;
    const char *m = fk_zsl_member(x);
    for (int i = zs->level - 1; i >= 0; i--) {
        while ((f = p->forward[i]) &&
               (f->score < x->score ||
                (f->score == x->score && mcmp(fk_zsl_member(f), f->mlen, m, x->mlen) <= 0))) {
            rank += fk_zsl_span(p)[i];
            p = f;
        }
        if (p == x) return rank;
    }
    return 0;
}

/* zslGetElementByRank (1-based) */
fk_zsl_node *fk_zsl_by_rank(fk_zset *zs, unsigned long rank) {
    fk_zsl_node *p = zs->header;
    unsigned long traversed = 0;
    for (int i = zs->level - 1; i >= 0; i--) {
        while (p->forward[i] && traversed + fk_zsl_span(p)[i] <= rank) {
            traversed += fk_zsl_span(p)[i];
            p = p->forward[i];
        }
        if (traversed == rank) return p == zs->header ? NULL : p;
    }
    return NULL;
}

/* zslIsInRange */
static int zsl_is_in_range(fk_zset *zs, const fk_zrangespec *r) {
    if (r->min > r->max || (r->min == r->max && (r->minex || r->maxex))) return 0;
    fk_zsl_node *x = zs->tail;
    if (x == NULL || !fk_zset_value_gte_min(x->score, r)) return 0;
    x = zs->header->forward[0];
    if (x == NULL || !fk_zset_value_lte_max(x->score, r)) return 0;
    return 1;
}

fk_zsl_node *fk_zsl_first_in_range(fk_zset *zs, const fk_zrangespec *r) {
    if (!zsl_is_in_range(zs, r)) return NULL;
    fk_zsl_node *p = zs->header;
    for (int i = zs->level - 1; i >= 0; i--)
        while (p->forward[i] && !fk_zset_value_gte_min(p->forward[i]->score, r)) p = p->forward[i];
    p = p->forward[0];
    if (!p || !fk_zset_value_lte_max(p->score, r)) return NULL;
    return p;
}

fk_zsl_node *fk_zsl_last_in_range(fk_zset *zs, const fk_zrangespec *r) {
    if (!zsl_is_in_range(zs, r)) return NULL;
    fk_zsl_node *p = zs->header;
    for (int i = zs->level - 1; i >= 0; i--)
        while (p->forward[i] && fk_zset_value_lte_max(p->forward[i]->score, r)) p = p->forward[i];
    if (p == zs->header || !fk_zset_value_gte_min(p->score, r)) return NULL;
    return p;
}

/* -- lex ranges ---------------------------------------------------------- */

/* sdscmplex between a string and a bound (kind -1 "-", 1 "+", 0 string) */
static int cmplex(const char *m, size_t n, const char *b, size_t bn, int kind) {
    if (kind < 0) return 1;
    if (kind > 0) return -1;
    return mcmp(m, n, b, bn);
}

int fk_zset_lex_gte_min(const char *m, size_t n, const fk_zlexrangespec *s) {
    int c = cmplex(m, n, s->min, s->minlen, s->minkind);
    return s->minex ? c > 0 : c >= 0;
}

int fk_zset_lex_lte_max(const char *m, size_t n, const fk_zlexrangespec *s) {
    int c = cmplex(m, n, s->max, s->maxlen, s->maxkind);
    return s->maxex ? c < 0 : c <= 0;
}

/* sdscmplex(min, max) of the spec's two bounds */
static int lex_bounds_cmp(const fk_zlexrangespec *s) {
    if (s->minkind == s->maxkind && s->minkind != 0) return 0;   /* same shared object */
    if (s->minkind < 0 || s->maxkind > 0) return -1;
    if (s->minkind > 0 || s->maxkind < 0) return 1;
    return mcmp(s->min, s->minlen, s->max, s->maxlen);
}

static int lex_range_empty(const fk_zlexrangespec *s) {
    int c = lex_bounds_cmp(s);
    return c > 0 || (c == 0 && (s->minex || s->maxex));
}

static int zsl_is_in_lex_range(fk_zset *zs, const fk_zlexrangespec *r) {
    if (lex_range_empty(r)) return 0;
    fk_zsl_node *x = zs->tail;
    if (x == NULL || !fk_zset_lex_gte_min(fk_zsl_member(x), x->mlen, r)) return 0;
    x = zs->header->forward[0];
    if (x == NULL || !fk_zset_lex_lte_max(fk_zsl_member(x), x->mlen, r)) return 0;
    return 1;
}

fk_zsl_node *fk_zsl_first_in_lex_range(fk_zset *zs, const fk_zlexrangespec *r) {
    if (!zsl_is_in_lex_range(zs, r)) return NULL;
    fk_zsl_node *p = zs->header, *f;
    for (int i = zs->level - 1; i >= 0; i--)
        while ((f = p->forward[i]) && !fk_zset_lex_gte_min(fk_zsl_member(f), f->mlen, r)) p = f;
    p = p->forward[0];
    if (!p || !fk_zset_lex_lte_max(fk_zsl_member(p), p->mlen, r)) return NULL;
    return p;
}

fk_zsl_node *fk_zsl_last_in_lex_range(fk_zset *zs, const fk_zlexrangespec *r) {
    if (!zsl_is_in_lex_range(zs, r)) return NULL;
    fk_zsl_node *p = zs->header, *f;
    for (int i = zs->level - 1; i >= 0; i--)
        while ((f = p->forward[i]) && fk_zset_lex_lte_max(fk_zsl_member(f), f->mlen, r)) p = f;
    if (p == zs->header || !fk_zset_lex_gte_min(fk_zsl_member(p), p->mlen, r)) return NULL;
    return p;
}

/* -- deletion by range (zslDeleteRangeBy*) -------------------------------- */

static unsigned long zsl_delete_from(fk_zset *zs, fk_zsl_node **update, fk_zsl_node *x,
                                     int type, const void *spec, unsigned long count) {
    unsigned long removed = 0;
    while (x) {
        if (type == 0 && removed >= count) break;
        if (type == 1 && !fk_zset_value_lte_max(x->score, (const fk_zrangespec *)spec)) break;
        if (type == 2 && !fk_zset_lex_lte_max(fk_zsl_member(x), x->mlen, (const fk_zlexrangespec *)spec)) break;
        fk_zsl_node *next = x->forward[0];
        zsl_delete_node(zs, x, update);
        ht_remove(zs, x);
        fk_free(x);
        removed++;
        x = next;
    }
    ht_shrink_if_needed(zs);
    return removed;
}

static unsigned long zsl_delete_range_by_rank(fk_zset *zs, unsigned long start, unsigned long end) {
    /* 1-based inclusive */
    fk_zsl_node *update[FK_ZSKIPLIST_MAXLEVEL], *p = zs->header;
    unsigned long traversed = 0;
    for (int i = zs->level - 1; i >= 0; i--) {
        while (p->forward[i] && traversed + fk_zsl_span(p)[i] < start) {
            traversed += fk_zsl_span(p)[i];
            p = p->forward[i];
        }
        update[i] = p;
    }
    return zsl_delete_from(zs, update, p->forward[0], 0, NULL, end - start + 1);
}

static unsigned long zsl_delete_range_by_score(fk_zset *zs, const fk_zrangespec *r) {
    fk_zsl_node *update[FK_ZSKIPLIST_MAXLEVEL], *p = zs->header, *f;
    for (int i = zs->level - 1; i >= 0; i--) {
        while ((f = p->forward[i]) && (r->minex ? f->score <= r->min : f->score < r->min)) p = f;
        update[i] = p;
    }
    return zsl_delete_from(zs, update, p->forward[0], 1, r, 0);
}

static unsigned long zsl_delete_range_by_lex(fk_zset *zs, const fk_zlexrangespec *r) {
    fk_zsl_node *update[FK_ZSKIPLIST_MAXLEVEL], *p = zs->header, *f;
    for (int i = zs->level - 1; i >= 0; i--) {
        while ((f = p->forward[i]) && !fk_zset_lex_gte_min(fk_zsl_member(f), f->mlen, r)) p = f;
        update[i] = p;
    }
    return zsl_delete_from(zs, update, p->forward[0], 2, r, 0);
}

size_t fk_zset_mem(const fk_zset *zs, size_t samples) {
    size_t asize = fk_usable((void *)zs) + fk_usable(zs->header) +
                   (zs->ht[0] ? fk_usable(zs->ht[0]) : 0) + (zs->ht[1] ? fk_usable(zs->ht[1]) : 0);
    size_t elesize = 0, seen = 0;
    fk_zsl_node *x = zs->header->forward[0];
    while (x && (samples == 0 || seen < samples)) {
        elesize += fk_usable(x);
        seen++;
        x = x->forward[0];
    }
    if (seen) asize += (size_t)((double)elesize / seen * zs->length);
    return asize;
}

fk_zset *fk_zset_dup(const fk_zset *zs) {
    fk_zset *d = fk_zset_new();
    /* Append in order: every new node goes at the tail, so keep the last
     * node of each level instead of searching (zslInsert at the end). */
    fk_zsl_node *last[FK_ZSKIPLIST_MAXLEVEL];
    unsigned long lastrank[FK_ZSKIPLIST_MAXLEVEL];
    for (int i = 0; i < FK_ZSKIPLIST_MAXLEVEL; i++) { last[i] = d->header; lastrank[i] = 0; }
    unsigned long rank = 0;
    for (fk_zsl_node *x = zs->header->forward[0]; x; x = x->forward[0]) {
        fk_zsl_node *y = node_create(x->level, x->score, fk_zsl_member(x), x->mlen);
        rank++;
        for (int i = 0; i < y->level; i++) {
            last[i]->forward[i] = y;
            fk_zsl_span(last[i])[i] = (uint32_t)(rank - lastrank[i]);
            y->forward[i] = NULL;
            last[i] = y;
            lastrank[i] = rank;
        }
        if (y->level > d->level) d->level = y->level;
    }
    d->length = rank;
    for (int i = 0; i < d->level; i++) fk_zsl_span(last[i])[i] = (uint32_t)(rank - lastrank[i]);
    /* fix backward pointers in one pass */
    fk_zsl_node *prev = NULL;
    for (fk_zsl_node *x = d->header->forward[0]; x; x = x->forward[0]) { x->backward = prev; prev = x; }
    d->tail = prev;
    if (rank) {
        unsigned long size = 4;
        while (size < rank) size <<= 1;
        ht_rebuild(d, size);
    }
    return d;
}

int fk_zset_check(fk_zset *zs) {
    /* ranks of nodes by walking level 0 */
    unsigned long n = 0;
    fk_zsl_node *prev = NULL;
    for (fk_zsl_node *x = zs->header->forward[0]; x; x = x->forward[0]) {
        n++;
        if (x->backward != prev) return 1;
        if (prev && !node_lt(prev, x->score, fk_zsl_member(x), x->mlen)) return 2;
        if (fk_zset_find(zs, fk_zsl_member(x), x->mlen) != x) return 3;
        if (x->level < 1 || x->level > FK_ZSKIPLIST_MAXLEVEL) return 4;
        prev = x;
    }
    if (n != zs->length) return 5;
    if (zs->tail != prev) return 6;
    /* spans: walk each level, the sum of spans must equal the rank step */
    for (int i = 0; i < zs->level; i++) {
        fk_zsl_node *p = zs->header;
        unsigned long rank = 0;
        while (p->forward[i]) {
            /* count level-0 steps from p to forward[i] */
            unsigned long steps = 0;
            fk_zsl_node *q = p;
            while (q != p->forward[i]) { q = q->forward[0]; steps++; if (!q) return 7; }
            if (fk_zsl_span(p)[i] != steps) return 8;
            rank += steps;
            p = p->forward[i];
        }
        if (fk_zsl_span(p)[i] != n - rank && p != zs->header) return 9;
    }
    for (int i = zs->level; i < FK_ZSKIPLIST_MAXLEVEL; i++)
        if (zs->header->forward[i]) return 10;
    if (zs->level > 1 && zs->header->forward[zs->level - 1] == NULL) return 11;
    /* table: count chained nodes */
    unsigned long inht = 0;
    for (int t = 0; t <= 1; t++)
        for (unsigned long b = 0; b < zs->ht_size[t]; b++) {
            if (t == 0 && ht_rehashing(zs) && b < (unsigned long)zs->rehashidx && zs->ht[0][b]) return 14;
            for (fk_zsl_node *x = zs->ht[t][b]; x; x = x->hnext) {
                inht++;
                if ((fk_hash(fk_zsl_member(x), x->mlen) & (zs->ht_size[t] - 1)) != b) return 12;
            }
        }
    if (inht != n) return 13;
    return 0;
}

/* ==================================================================== */
/* Range specs                                                          */
/* ==================================================================== */

/* strtod on a NUL-terminated copy, as Redis does on its sds */
static int parse_bound(const char *p, size_t n, double *v, int *ex) {
    char sbuf[256];
    char *buf = n < sizeof(sbuf) ? sbuf : fk_malloc(n + 1);
    char *eptr;
    int ok;
    memcpy(buf, p, n);
    buf[n] = '\0';
    *ex = 0;
    const char *s = buf;
    if (n > 0 && buf[0] == '(') { s++; *ex = 1; }
    *v = strtod(s, &eptr);
    ok = eptr[0] == '\0' && !isnan(*v);
    if (buf != sbuf) fk_free(buf);
    return ok;
}

/* zslParseRange.  Redis reads an integer-encoded argument as a long first;
 * the result is the same double. */
int fk_zset_parse_range(const char *min, size_t minlen, const char *max, size_t maxlen,
                        fk_zrangespec *spec) {
    if (!parse_bound(min, minlen, &spec->min, &spec->minex)) return -1;
    if (!parse_bound(max, maxlen, &spec->max, &spec->maxex)) return -1;
    return 0;
}

/* zslParseLexRangeItem */
static int parse_lex_item(const char *p, size_t n, const char **dest, size_t *dlen, int *kind, int *ex) {
    if (n == 0) return -1;
    switch (p[0]) {
    case '+':
        if (n != 1) return -1;
        *ex = 1; *kind = 1; *dest = NULL; *dlen = 0;
        return 0;
    case '-':
        if (n != 1) return -1;
        *ex = 1; *kind = -1; *dest = NULL; *dlen = 0;
        return 0;
    case '(':
        *ex = 1; *kind = 0; *dest = p + 1; *dlen = n - 1;
        return 0;
    case '[':
        *ex = 0; *kind = 0; *dest = p + 1; *dlen = n - 1;
        return 0;
    default:
        return -1;
    }
}

int fk_zset_parse_lex_range(const char *min, size_t minlen, const char *max, size_t maxlen,
                            fk_zlexrangespec *spec) {
    if (parse_lex_item(min, minlen, &spec->min, &spec->minlen, &spec->minkind, &spec->minex) ||
        parse_lex_item(max, maxlen, &spec->max, &spec->maxlen, &spec->maxkind, &spec->maxex))
        return -1;
    return 0;
}

/* d2string (Redis 7.0.15 util.c): integral values within +-LLONG_MAX/2
 * print as integers (double2ll, so -0 prints "0"), the rest as %.17g. */
int fk_zset_d2string(char *buf, size_t len, double value) {
    if (isnan(value)) return snprintf(buf, len, "nan");
    if (isinf(value)) return snprintf(buf, len, value > 0 ? "inf" : "-inf");
    if (value >= (double)(-(0x7fffffffffffffffLL / 2)) && value <= (double)(0x7fffffffffffffffLL / 2)) {
        long long ll = (long long)value;
        if ((double)ll == value) return fk_ll2string(buf, len, ll);
    }
    return snprintf(buf, len, "%.17g", value);
}

/* ==================================================================== */
/* The listpack encoding (zzl*)                                         */
/* ==================================================================== */

/* zzlStrtod / zzlGetScore */
static double zzl_get_score(unsigned char *sptr) {
    unsigned int slen;
    long long lval;
    unsigned char *s = fk_lp_get_value(sptr, &slen, &lval);
    if (s) {
        char buf[128];
        if (slen >= sizeof(buf)) slen = sizeof(buf) - 1;
        memcpy(buf, s, slen);
        buf[slen] = '\0';
        return strtod(buf, NULL);
    }
    return (double)lval;
}

/* The member text of element p; integers are written into buf. */
static inline const char *zzl_member(unsigned char *p, size_t *n, unsigned char *buf) {
    int64_t len;
    unsigned char *s = fk_lp_get(p, &len, buf);
    *n = (size_t)len;
    return (const char *)s;
}

/* zzlCompareElements: element p vs (m, n) */
static int zzl_cmp(unsigned char *p, const char *m, size_t n) {
    unsigned char buf[32];
    size_t pn;
    const char *pm = zzl_member(p, &pn, buf);
    return mcmp(pm, pn, m, n);
}

/* zzlInsertAt: (m, score) before element eptr, or at the end. */
static unsigned char *zzl_insert_at(unsigned char *lp, unsigned char *eptr, const char *m, size_t n,
                                    double score) {
    char sbuf[128];
    int slen;
    slen = fk_zset_d2string(sbuf, sizeof(sbuf), score);
    if (eptr == NULL) {
        lp = fk_lp_append(lp, (const unsigned char *)m, (uint32_t)n);
        lp = fk_lp_append(lp, (const unsigned char *)sbuf, (uint32_t)slen);
    } else {
        unsigned char *sptr;
        lp = fk_lp_insert_string(lp, (const unsigned char *)m, (uint32_t)n, eptr, FK_LP_BEFORE, &sptr);
        lp = fk_lp_insert_string(lp, (const unsigned char *)sbuf, (uint32_t)slen, sptr, FK_LP_AFTER, NULL);
    }
    return lp;
}

/* zzlInsert: in (score, member) order */
static unsigned char *zzl_insert(unsigned char *lp, const char *m, size_t n, double score) {
    unsigned char *eptr = fk_lp_first(lp), *sptr;
    while (eptr != NULL) {
        sptr = fk_lp_next(lp, eptr);
        double s = zzl_get_score(sptr);
        if (s > score) return zzl_insert_at(lp, eptr, m, n, score);
        if (s == score && zzl_cmp(eptr, m, n) > 0) return zzl_insert_at(lp, eptr, m, n, score);
        eptr = fk_lp_next(lp, sptr);
    }
    return zzl_insert_at(lp, NULL, m, n, score);
}

/* zzlFind */
static unsigned char *zzl_find(unsigned char *lp, const char *m, size_t n, double *score) {
    unsigned char *eptr = fk_lp_first(lp);
    if (eptr == NULL) return NULL;
    eptr = fk_lp_find(lp, eptr, (const unsigned char *)m, (uint32_t)n, 1);
    if (eptr && score) *score = zzl_get_score(fk_lp_next(lp, eptr));
    return eptr;
}

static unsigned char *zzl_delete(unsigned char *lp, unsigned char *eptr) {
    unsigned char *p = eptr;
    return fk_lp_delete_range_with_entry(lp, &p, 2);
}

static int zzl_is_in_range(unsigned char *lp, const fk_zrangespec *r) {
    if (r->min > r->max || (r->min == r->max && (r->minex || r->maxex))) return 0;
    unsigned char *p = fk_lp_seek(lp, -1);
    if (p == NULL) return 0;
    if (!fk_zset_value_gte_min(zzl_get_score(p), r)) return 0;
    p = fk_lp_seek(lp, 1);
    if (!fk_zset_value_lte_max(zzl_get_score(p), r)) return 0;
    return 1;
}

/* zzlFirstInRange */
static unsigned char *zzl_first_in_range(unsigned char *lp, const fk_zrangespec *r) {
    if (!zzl_is_in_range(lp, r)) return NULL;
    unsigned char *eptr = fk_lp_first(lp), *sptr;
    while (eptr) {
        sptr = fk_lp_next(lp, eptr);
        double s = zzl_get_score(sptr);
        if (fk_zset_value_gte_min(s, r)) return fk_zset_value_lte_max(s, r) ? eptr : NULL;
        eptr = fk_lp_next(lp, sptr);
    }
    return NULL;
}

/* zzlLastInRange */
static unsigned char *zzl_last_in_range(unsigned char *lp, const fk_zrangespec *r) {
    if (!zzl_is_in_range(lp, r)) return NULL;
    unsigned char *eptr = fk_lp_seek(lp, -2), *sptr;
    while (eptr) {
        sptr = fk_lp_next(lp, eptr);
        double s = zzl_get_score(sptr);
        if (fk_zset_value_lte_max(s, r)) return fk_zset_value_gte_min(s, r) ? eptr : NULL;
        sptr = fk_lp_prev(lp, eptr);
        eptr = sptr ? fk_lp_prev(lp, sptr) : NULL;
    }
    return NULL;
}

static int zzl_lex_gte_min(unsigned char *p, const fk_zlexrangespec *r) {
    unsigned char buf[32]; size_t n;
    const char *m = zzl_member(p, &n, buf);
    return fk_zset_lex_gte_min(m, n, r);
}
static int zzl_lex_lte_max(unsigned char *p, const fk_zlexrangespec *r) {
    unsigned char buf[32]; size_t n;
    const char *m = zzl_member(p, &n, buf);
    return fk_zset_lex_lte_max(m, n, r);
}

static int zzl_is_in_lex_range(unsigned char *lp, const fk_zlexrangespec *r) {
    if (lex_range_empty(r)) return 0;
    unsigned char *p = fk_lp_seek(lp, -2);
    if (p == NULL) return 0;
    if (!zzl_lex_gte_min(p, r)) return 0;
    p = fk_lp_seek(lp, 0);
    if (!zzl_lex_lte_max(p, r)) return 0;
    return 1;
}

static unsigned char *zzl_first_in_lex_range(unsigned char *lp, const fk_zlexrangespec *r) {
    if (!zzl_is_in_lex_range(lp, r)) return NULL;
    unsigned char *eptr = fk_lp_first(lp), *sptr;
    while (eptr) {
        if (zzl_lex_gte_min(eptr, r)) return zzl_lex_lte_max(eptr, r) ? eptr : NULL;
        sptr = fk_lp_next(lp, eptr);
        eptr = fk_lp_next(lp, sptr);
    }
    return NULL;
}

static unsigned char *zzl_last_in_lex_range(unsigned char *lp, const fk_zlexrangespec *r) {
    if (!zzl_is_in_lex_range(lp, r)) return NULL;
    unsigned char *eptr = fk_lp_seek(lp, -2), *sptr;
    while (eptr) {
        if (zzl_lex_lte_max(eptr, r)) return zzl_lex_gte_min(eptr, r) ? eptr : NULL;
        sptr = fk_lp_prev(lp, eptr);
        eptr = sptr ? fk_lp_prev(lp, sptr) : NULL;
    }
    return NULL;
}

/* ==================================================================== */
/* The value, either encoding                                           */
/* ==================================================================== */

unsigned char *fk_zset_new_listpack(void) { return fk_lp_new(0); }

void *fk_zset_create(size_t size_hint, size_t val_len_hint, int *enc) {
    if (size_hint <= fk_sh->zset_max_listpack_entries &&
        val_len_hint <= fk_sh->zset_max_listpack_value) {
        *enc = ENC_LP;
        return fk_lp_new(0);
    }
    *enc = ENC_SL;
    return fk_zset_new();
}

void fk_zset_value_free(void *ptr, int enc) {
    if (!ptr) return;
    if (enc == ENC_LP) fk_lp_free(ptr);
    else fk_zset_free(ptr);
}

unsigned long fk_zset_length(const fk_entry *e) {
    if (enc_of(e) == ENC_LP) return fk_lp_length(e->v.ptr) / 2;
    return ((fk_zset *)e->v.ptr)->length;
}

/* zsetConvert */
void fk_zset_convert(fk_entry *e, int encoding) {
    int cur = enc_of(e);
    if (cur == encoding) return;
    if (cur == ENC_LP) {
        unsigned char *lp = e->v.ptr, *eptr, *sptr;
        unsigned char buf[32];
        fk_zset *zs = fk_zset_new();
        eptr = fk_lp_first(lp);
        while (eptr) {
            size_t n;
            sptr = fk_lp_next(lp, eptr);
            const char *m = zzl_member(eptr, &n, buf);
            fk_zset_insert(zs, zzl_get_score(sptr), m, n);
            eptr = fk_lp_next(lp, sptr);
        }
        fk_lp_free(lp);
        e->v.ptr = zs;
        set_enc(e, ENC_SL);
    } else {
        fk_zset *zs = e->v.ptr;
        unsigned char *lp = fk_lp_new(0);
        for (fk_zsl_node *x = zs->header->forward[0]; x; x = x->forward[0])
            lp = zzl_insert_at(lp, NULL, fk_zsl_member(x), x->mlen, x->score);
        fk_zset_free(zs);
        e->v.ptr = lp;
        set_enc(e, ENC_LP);
    }
}

/* zsetConvertToListpackIfNeeded */
void fk_zset_convert_to_listpack_if_needed(fk_entry *e, size_t maxelelen, size_t totelelen) {
    if (enc_of(e) == ENC_LP) return;
    fk_zset *zs = e->v.ptr;
    if (zs->length <= fk_sh->zset_max_listpack_entries &&
        maxelelen <= fk_sh->zset_max_listpack_value &&
        totelelen < (1u << 30))
        fk_zset_convert(e, ENC_LP);
}

/* zsetAdd (Redis 7.0), see fk_zset.h for the flags. */
int fk_zset_add(fk_entry *e, double score, const char *m, size_t n, int in_flags,
                int *out_flags, double *newscore) {
    int incr = (in_flags & FK_ZADD_IN_INCR) != 0;
    int nx = (in_flags & FK_ZADD_IN_NX) != 0;
    int xx = (in_flags & FK_ZADD_IN_XX) != 0;
    int gt = (in_flags & FK_ZADD_IN_GT) != 0;
    int lt = (in_flags & FK_ZADD_IN_LT) != 0;
    double curscore;
    *out_flags = 0;
    if (isnan(score)) {
        *out_flags = FK_ZADD_OUT_NAN;
        return 0;
    }
    if (enc_of(e) == ENC_LP) {
        unsigned char *lp = e->v.ptr;
        unsigned char *eptr = zzl_find(lp, m, n, &curscore);
        if (eptr != NULL) {
            if (nx) { *out_flags |= FK_ZADD_OUT_NOP; return 1; }
            if (incr) {
                score += curscore;
                if (isnan(score)) { *out_flags |= FK_ZADD_OUT_NAN; return 0; }
            }
            if ((lt && score >= curscore) || (gt && score <= curscore)) {
                *out_flags |= FK_ZADD_OUT_NOP;
                return 1;
            }
            if (newscore) *newscore = score;
            if (score != curscore) {
                lp = zzl_delete(lp, eptr);
                e->v.ptr = zzl_insert(lp, m, n, score);
                *out_flags |= FK_ZADD_OUT_UPDATED;
            }
            return 1;
        } else if (!xx) {
            if (fk_lp_length(lp) / 2 + 1 > fk_sh->zset_max_listpack_entries ||
                n > fk_sh->zset_max_listpack_value ||
                fk_lp_bytes(lp) + n >= (1u << 30)) {
                fk_zset_convert(e, ENC_SL);
            } else {
                e->v.ptr = zzl_insert(lp, m, n, score);
                if (newscore) *newscore = score;
                *out_flags |= FK_ZADD_OUT_ADDED;
                return 1;
            }
        } else {
            *out_flags |= FK_ZADD_OUT_NOP;
            return 1;
        }
    }
    /* skiplist */
    fk_zset *zs = e->v.ptr;
    fk_zsl_node *x = fk_zset_find(zs, m, n);
    if (x != NULL) {
        if (nx) { *out_flags |= FK_ZADD_OUT_NOP; return 1; }
        curscore = x->score;
        if (incr) {
            score += curscore;
            if (isnan(score)) { *out_flags |= FK_ZADD_OUT_NAN; return 0; }
        }
        if ((lt && score >= curscore) || (gt && score <= curscore)) {
            *out_flags |= FK_ZADD_OUT_NOP;
            return 1;
        }
        if (newscore) *newscore = score;
        if (score != curscore) {
            fk_zset_update_score(zs, x, score);
            *out_flags |= FK_ZADD_OUT_UPDATED;
        }
        return 1;
    } else if (!xx) {
        fk_zset_insert(zs, score, m, n);
        *out_flags |= FK_ZADD_OUT_ADDED;
        if (newscore) *newscore = score;
        return 1;
    }
    *out_flags |= FK_ZADD_OUT_NOP;
    return 1;
}

/* zsetRemoveFromSkiplist / zzlDelete */
int fk_zset_del(fk_entry *e, const char *m, size_t n) {
    if (enc_of(e) == ENC_LP) {
        unsigned char *eptr = zzl_find(e->v.ptr, m, n, NULL);
        if (!eptr) return 0;
        e->v.ptr = zzl_delete(e->v.ptr, eptr);
        return 1;
    }
    fk_zset *zs = e->v.ptr;
    fk_zsl_node *x = fk_zset_find(zs, m, n);
    if (!x) return 0;
    fk_zset_remove(zs, x);
    return 1;
}

void fk_zset_maybe_shrink(fk_entry *e) {
    if (enc_of(e) == ENC_SL) ht_shrink_if_needed(e->v.ptr);
}

int fk_zset_score(fk_entry *e, const char *m, size_t n, double *score) {
    if (enc_of(e) == ENC_LP) return zzl_find(e->v.ptr, m, n, score) != NULL;
    fk_zsl_node *x = fk_zset_find(e->v.ptr, m, n);
    if (!x) return 0;
    *score = x->score;
    return 1;
}

/* zsetRank */
long fk_zset_rank(fk_entry *e, const char *m, size_t n, int reverse, double *score) {
    unsigned long llen = fk_zset_length(e);
    if (enc_of(e) == ENC_LP) {
        unsigned char *lp = e->v.ptr;
        unsigned char *eptr = fk_lp_first(lp);
        unsigned long rank = 1;
        while (eptr) {
            if (fk_lp_compare(eptr, (const unsigned char *)m, (uint32_t)n)) break;
            rank++;
            eptr = fk_lp_next(lp, fk_lp_next(lp, eptr));
        }
        if (!eptr) return -1;
        if (score) *score = zzl_get_score(fk_lp_next(lp, eptr));
        return reverse ? (long)(llen - rank) : (long)(rank - 1);
    }
    fk_zset *zs = e->v.ptr;
    fk_zsl_node *x = fk_zset_find(zs, m, n);
    if (!x) return -1;
    if (score) *score = x->score;
    unsigned long rank = fk_zsl_get_rank(zs, x);
    return reverse ? (long)(llen - rank) : (long)(rank - 1);
}

unsigned long fk_zset_delete_rank(fk_entry *e, unsigned long start, unsigned long end) {
    if (enc_of(e) == ENC_LP) {
        unsigned long num = end - start + 1;
        e->v.ptr = fk_lp_delete_range(e->v.ptr, (long)(2 * start), 2 * num);
        return num;
    }
    return zsl_delete_range_by_rank(e->v.ptr, start + 1, end + 1);
}

unsigned long fk_zset_delete_score(fk_entry *e, const fk_zrangespec *r) {
    if (enc_of(e) == ENC_LP) {
        unsigned char *lp = e->v.ptr;
        unsigned char *eptr = zzl_first_in_range(lp, r), *p;
        unsigned long num = 0;
        if (!eptr) return 0;
        p = eptr;
        while (p) {
            unsigned char *sptr = fk_lp_next(lp, p);
            if (!fk_zset_value_lte_max(zzl_get_score(sptr), r)) break;
            num++;
            p = fk_lp_next(lp, sptr);
        }
        e->v.ptr = fk_lp_delete_range_with_entry(lp, &eptr, 2 * num);
        return num;
    }
    return zsl_delete_range_by_score(e->v.ptr, r);
}

unsigned long fk_zset_delete_lex(fk_entry *e, const fk_zlexrangespec *r) {
    if (enc_of(e) == ENC_LP) {
        unsigned char *lp = e->v.ptr;
        unsigned char *eptr = zzl_first_in_lex_range(lp, r), *p;
        unsigned long num = 0;
        if (!eptr) return 0;
        p = eptr;
        while (p) {
            if (!zzl_lex_lte_max(p, r)) break;
            num++;
            p = fk_lp_next(lp, fk_lp_next(lp, p));
        }
        e->v.ptr = fk_lp_delete_range_with_entry(lp, &eptr, 2 * num);
        return num;
    }
    return zsl_delete_range_by_lex(e->v.ptr, r);
}

/* -- iteration ----------------------------------------------------------- */

static void iter_init(fk_zset_iter *it, fk_entry *e) {
    it->enc = enc_of(e);
    it->lp = it->enc == ENC_LP ? e->v.ptr : NULL;
    it->eptr = it->sptr = NULL;
    it->node = NULL;
}

static void iter_set_lp(fk_zset_iter *it, unsigned char *eptr) {
    it->eptr = eptr;
    it->sptr = eptr ? fk_lp_next(it->lp, eptr) : NULL;
}

int fk_zset_iter_rank(fk_zset_iter *it, fk_entry *e, unsigned long rank) {
    iter_init(it, e);
    if (it->enc == ENC_LP) iter_set_lp(it, fk_lp_seek(it->lp, (long)(2 * rank)));
    else it->node = fk_zsl_by_rank(e->v.ptr, rank + 1);
    return fk_zset_iter_valid(it);
}

int fk_zset_iter_score(fk_zset_iter *it, fk_entry *e, const fk_zrangespec *r, int last) {
    iter_init(it, e);
    if (it->enc == ENC_LP)
        iter_set_lp(it, last ? zzl_last_in_range(it->lp, r) : zzl_first_in_range(it->lp, r));
    else
        it->node = last ? fk_zsl_last_in_range(e->v.ptr, r) : fk_zsl_first_in_range(e->v.ptr, r);
    return fk_zset_iter_valid(it);
}

int fk_zset_iter_lex(fk_zset_iter *it, fk_entry *e, const fk_zlexrangespec *r, int last) {
    iter_init(it, e);
    if (it->enc == ENC_LP)
        iter_set_lp(it, last ? zzl_last_in_lex_range(it->lp, r) : zzl_first_in_lex_range(it->lp, r));
    else
        it->node = last ? fk_zsl_last_in_lex_range(e->v.ptr, r) : fk_zsl_first_in_lex_range(e->v.ptr, r);
    return fk_zset_iter_valid(it);
}

void fk_zset_iter_get(fk_zset_iter *it, const char **m, size_t *n, double *score) {
    if (it->enc == ENC_LP) {
        *m = zzl_member(it->eptr, n, it->buf);
        if (score) *score = zzl_get_score(it->sptr);
    } else {
        *m = fk_zsl_member(it->node);
        *n = it->node->mlen;
        if (score) *score = it->node->score;
    }
}

void fk_zset_iter_next(fk_zset_iter *it) {
    if (it->enc == ENC_LP) iter_set_lp(it, fk_lp_next(it->lp, it->sptr));
    else it->node = it->node->forward[0];
}

void fk_zset_iter_prev(fk_zset_iter *it) {
    if (it->enc == ENC_LP) {
        unsigned char *p = fk_lp_prev(it->lp, it->eptr);
        iter_set_lp(it, p ? fk_lp_prev(it->lp, p) : NULL);
    } else {
        it->node = it->node->backward;
    }
}

/* ==================================================================== */
/* Type-table rows                                                      */
/* ==================================================================== */

static void row_free_lp(fk_entry *e) { fk_lp_free(e->v.ptr); e->v.ptr = NULL; }
static void row_free_sl(fk_entry *e) { fk_zset_free(e->v.ptr); e->v.ptr = NULL; }
static size_t row_no_inline(const fk_entry *e) { (void)e; return 0; }
static int row_dup_lp(const fk_entry *src, fk_entry *dst) {
    dst->v.ptr = fk_lp_dup(src->v.ptr);
    dst->meta = (dst->meta & ~0xFFu) | (src->meta & 0xFFu);
    return 0;
}
static int row_dup_sl(const fk_entry *src, fk_entry *dst) {
    dst->v.ptr = fk_zset_dup(src->v.ptr);
    dst->meta = (dst->meta & ~0xFFu) | (src->meta & 0xFFu);
    return 0;
}
static size_t row_mem_lp(const fk_entry *e, size_t samples) { (void)samples; return fk_usable(e->v.ptr); }
static size_t row_mem_sl(const fk_entry *e, size_t samples) { return fk_zset_mem(e->v.ptr, samples); }
static size_t row_effort_sl(const fk_entry *e) { return ((fk_zset *)e->v.ptr)->length; }

const fk_objtype fk_row_zset_listpack = {
    .type_name = "zset", .enc_name = "listpack", .free = row_free_lp, .inline_size = row_no_inline,
    .dup = row_dup_lp, .mem_usage = row_mem_lp, .free_effort = NULL,
};
const fk_objtype fk_row_zset_skiplist = {
    .type_name = "zset", .enc_name = "skiplist", .free = row_free_sl, .inline_size = row_no_inline,
    .dup = row_dup_sl, .mem_usage = row_mem_sl, .free_effort = row_effort_sl,
};

/* ZSCAN over the member table: Redis's reverse-binary cursor (dictScan
 * with one table; the table is never mid-rehash here), so every member
 * present for the whole scan is returned at least once across resizes. */
static unsigned long rev_bits(unsigned long v) {
    unsigned long s = 8 * sizeof(v), mask = ~0UL;
    while ((s >>= 1) > 0) {
        mask ^= (mask << s);
        v = ((v >> s) & mask) | ((v << s) & ~mask);
    }
    return v;
}

unsigned long fk_zset_scan(fk_zset *zs, unsigned long v, fk_zset_scan_fn fn, void *priv) {
    if (zs->ht_size[0] == 0) return 0;
    if (!ht_rehashing(zs)) {
        unsigned long m0 = zs->ht_size[0] - 1;
        for (fk_zsl_node *x = zs->ht[0][v & m0]; x; x = x->hnext) fn(priv, x);
        v |= ~m0;
        v = rev_bits(v);
        v++;
        v = rev_bits(v);
        return v;
    }
    /* t0 the smaller table, t1 the bigger: visit t0's bucket, then every
     * bucket of t1 that expands it (dictScan) */
    int t0 = 0, t1 = 1;
    if (zs->ht_size[t0] > zs->ht_size[t1]) { t0 = 1; t1 = 0; }
    unsigned long m0 = zs->ht_size[t0] - 1, m1 = zs->ht_size[t1] - 1;
    for (fk_zsl_node *x = zs->ht[t0][v & m0]; x; x = x->hnext) fn(priv, x);
    do {
        for (fk_zsl_node *x = zs->ht[t1][v & m1]; x; x = x->hnext) fn(priv, x);
        v |= ~m1;
        v = rev_bits(v);
        v++;
        v = rev_bits(v);
    } while (v & (m0 ^ m1));
    return v;
}
