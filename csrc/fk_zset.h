/* fk_zset: the sorted set, Redis's t_zset.c data side (zsl*, zzl*, zset*).
 *
 * Two encodings, as Redis 7.0 (OBJECT ENCODING names them):
 *
 *   listpack  v.ptr is a listpack of <member><score> pairs sorted by score,
 *             then member (memcmp order); a score is written as Redis's
 *             d2string writes it (so integers are stored as integers).
 *             Used while length <= zset-max-listpack-entries and every
 *             member is <= zset-max-listpack-value bytes.
 *   skiplist  v.ptr is an fk_zset: a skiplist ordered by (score, member)
 *             with spans (rank queries in O(log N)) and a member -> node
 *             hash table.
 *
 * Memory layout of the skiplist encoding.  Redis keeps a member three
 * times over (an sds, a skiplist node pointing at it, a dictEntry pointing
 * at both).  Here a member lives once, inline in its node, and the hash
 * table chains through the nodes themselves (`hnext`), so one member costs
 * exactly one allocation plus one bucket pointer:
 *
 *   fk_zsl_node: | score | backward | hnext | mlen | level |
 *                | forward[level] (pointers) | span[level] (uint32) | member bytes |
 *
 *   ht: [b0] -> node -> node      (chained through node->hnext)
 *       [b1]
 *       [b2] -> node
 *
 * Spans are 32-bit (a sorted set can't hold 4G members in this memory).
 * The hash table grows when length > buckets and shrinks when length <
 * buckets/8, with Redis's incremental rehash (two tables, one bucket moved
 * per find/insert/delete), so a big set never stalls the server.
 *
 * Invariants (checked by tests/test_cstructs_skiplist.py):
 *   - level-0 forward pointers list every node in (score, member) order;
 *     backward pointers mirror them; tail is the last node;
 *   - span[i] of a node = the number of level-0 steps to forward[i]
 *     (or to the end + 1 when forward[i] is NULL at the node's last hop);
 *   - every node is in exactly one hash chain, the one of its member.
 *
 * Ownership: the fk_zset owns its nodes, the header and the table; the
 * entry that holds the zset owns the fk_zset (or the listpack). */
#ifndef FK_ZSET_H
#define FK_ZSET_H
#include <stddef.h>
#include <stdint.h>
#include "fk_dict.h"
#include "fk_listpack.h"

#define FK_ZSKIPLIST_MAXLEVEL 32
#define FK_ZSKIPLIST_P 0.25

typedef struct fk_zsl_node {
    double score;
    struct fk_zsl_node *backward;  /* previous node at level 0, NULL for the first */
    struct fk_zsl_node *hnext;     /* next node in the same hash bucket */
    uint32_t mlen;                 /* member length */
    uint8_t level;                 /* number of forward/span slots */
    struct fk_zsl_node *forward[]; /* then uint32_t span[level], then the member */
} fk_zsl_node;

typedef struct fk_zset {
    fk_zsl_node *header;           /* FK_ZSKIPLIST_MAXLEVEL levels, no member */
    fk_zsl_node *tail;
    unsigned long length;
    int level;                     /* highest level in use (>= 1) */
    fk_zsl_node **ht[2];           /* member table(s): ht[1] only while rehashing */
    unsigned long ht_size[2];      /* buckets: 0 or a power of two */
    long rehashidx;                /* next ht[0] bucket to move; -1 when not rehashing */
} fk_zset;

static inline uint32_t *fk_zsl_span(fk_zsl_node *n) { return (uint32_t *)(n->forward + n->level); }
static inline char *fk_zsl_member(fk_zsl_node *n) { return (char *)(fk_zsl_span(n) + n->level); }

/* Score range (zrangespec) and lex range (zlexrangespec).  A lex bound's
 * kind: 0 a string, -1 "-" (below everything), 1 "+" (above everything). */
typedef struct fk_zrangespec {
    double min, max;
    int minex, maxex;              /* exclusive bounds */
} fk_zrangespec;

typedef struct fk_zlexrangespec {
    const char *min; size_t minlen; int minkind;
    const char *max; size_t maxlen; int maxkind;
    int minex, maxex;
} fk_zlexrangespec;

/* ZADD flags (Redis's ZADD_IN_* / ZADD_OUT_*) */
#define FK_ZADD_IN_INCR 1
#define FK_ZADD_IN_NX 2
#define FK_ZADD_IN_XX 4
#define FK_ZADD_IN_GT 8
#define FK_ZADD_IN_LT 16
#define FK_ZADD_OUT_NOP 1
#define FK_ZADD_OUT_NAN 2
#define FK_ZADD_OUT_ADDED 4
#define FK_ZADD_OUT_UPDATED 8

/* -- the skiplist encoding, alone (also used by the unit tests) ---------- */
fk_zset *fk_zset_new(void);
void fk_zset_free(fk_zset *zs);
fk_zsl_node *fk_zset_find(fk_zset *zs, const char *m, size_t n);
/* Insert a member known to be absent; returns its node. */
fk_zsl_node *fk_zset_insert(fk_zset *zs, double score, const char *m, size_t n);
/* Change a node's score (zslUpdateScore: in place when the order holds). */
void fk_zset_update_score(fk_zset *zs, fk_zsl_node *x, double newscore);
/* Detach the first (last=0) or last node (not freed: the caller replies
 * from it, then fk_free()s it and calls fk_zset_shrink). */
fk_zsl_node *fk_zset_detach_end(fk_zset *zs, int last);
void fk_zset_shrink(fk_zset *zs);
void fk_zset_rehash(fk_zset *zs, int n);   /* move n buckets (tests, cron) */
/* Remove and free a node. */
void fk_zset_remove(fk_zset *zs, fk_zsl_node *x);
unsigned long fk_zsl_get_rank(fk_zset *zs, fk_zsl_node *x);          /* 1-based */
fk_zsl_node *fk_zsl_by_rank(fk_zset *zs, unsigned long rank);        /* 1-based, NULL if none */
fk_zsl_node *fk_zsl_first_in_range(fk_zset *zs, const fk_zrangespec *r);
fk_zsl_node *fk_zsl_last_in_range(fk_zset *zs, const fk_zrangespec *r);
fk_zsl_node *fk_zsl_first_in_lex_range(fk_zset *zs, const fk_zlexrangespec *r);
fk_zsl_node *fk_zsl_last_in_lex_range(fk_zset *zs, const fk_zlexrangespec *r);
size_t fk_zset_mem(const fk_zset *zs, size_t samples);
fk_zset *fk_zset_dup(const fk_zset *zs);
/* Check every invariant; returns 0 if all hold, else a code of the first
 * violation (tests only). */
int fk_zset_check(fk_zset *zs);
uint64_t fk_zset_rand(void);
typedef void (*fk_zset_scan_fn)(void *priv, fk_zsl_node *x);
unsigned long fk_zset_scan(fk_zset *zs, unsigned long cursor, fk_zset_scan_fn fn, void *priv);    /* cheap PRNG (levels, ZRANDMEMBER) */

/* -- range specs ------------------------------------------------------- */
int fk_zset_parse_range(const char *min, size_t minlen, const char *max, size_t maxlen,
                        fk_zrangespec *spec);            /* 0 ok, -1 "not a float" */
int fk_zset_parse_lex_range(const char *min, size_t minlen, const char *max, size_t maxlen,
                            fk_zlexrangespec *spec);     /* 0 ok, -1 invalid */
static inline int fk_zset_value_gte_min(double v, const fk_zrangespec *s) {
    return s->minex ? (v > s->min) : (v >= s->min);
}
static inline int fk_zset_value_lte_max(double v, const fk_zrangespec *s) {
    return s->maxex ? (v < s->max) : (v <= s->max);
}
int fk_zset_lex_gte_min(const char *m, size_t n, const fk_zlexrangespec *s);
int fk_zset_lex_lte_max(const char *m, size_t n, const fk_zlexrangespec *s);
/* Redis's d2string (the score text stored in listpacks, ZSCAN of a listpack). */
int fk_zset_d2string(char *buf, size_t len, double value);

/* -- the sorted-set value, either encoding ------------------------------
 * These take the keyspace entry (type zset): they may convert the value
 * and then set e->v.ptr and the encoding bits of e->meta. */
unsigned char *fk_zset_new_listpack(void);
/* zsetTypeCreate: an empty value for about size_hint members of up to
 * val_len_hint bytes; sets *enc. */
void *fk_zset_create(size_t size_hint, size_t val_len_hint, int *enc);
void fk_zset_value_free(void *ptr, int enc);
unsigned long fk_zset_length(const fk_entry *e);
int fk_zset_add(fk_entry *e, double score, const char *m, size_t n, int in_flags,
                int *out_flags, double *newscore);   /* 0: NaN (out_flags NAN) */
int fk_zset_del(fk_entry *e, const char *m, size_t n);         /* 1 if removed */
int fk_zset_score(fk_entry *e, const char *m, size_t n, double *score);   /* 1 if present */
long fk_zset_rank(fk_entry *e, const char *m, size_t n, int reverse, double *score); /* -1 if absent */
void fk_zset_convert(fk_entry *e, int encoding);
void fk_zset_convert_to_listpack_if_needed(fk_entry *e, size_t maxelelen, size_t totelelen);
/* Delete ranges; return the count removed.  Ranks are 0-based inclusive
 * and already clamped by the caller. */
unsigned long fk_zset_delete_rank(fk_entry *e, unsigned long start, unsigned long end);
unsigned long fk_zset_delete_score(fk_entry *e, const fk_zrangespec *r);
unsigned long fk_zset_delete_lex(fk_entry *e, const fk_zlexrangespec *r);
/* Shrink the member table after deletions (dictResize after ZREM*). */
void fk_zset_maybe_shrink(fk_entry *e);

/* -- iteration over either encoding --------------------------------------
 * An iterator points into the value: don't modify the set while using it. */
typedef struct fk_zset_iter {
    int enc;
    unsigned char *lp, *eptr, *sptr;   /* listpack: member and score elements */
    fk_zsl_node *node;                 /* skiplist */
    unsigned char buf[32];             /* integer members as text */
} fk_zset_iter;
int fk_zset_iter_rank(fk_zset_iter *it, fk_entry *e, unsigned long rank);      /* 0-based; 0 if none */
int fk_zset_iter_score(fk_zset_iter *it, fk_entry *e, const fk_zrangespec *r, int last);
int fk_zset_iter_lex(fk_zset_iter *it, fk_entry *e, const fk_zlexrangespec *r, int last);
static inline int fk_zset_iter_valid(const fk_zset_iter *it) {
    return it->enc == 7 ? it->node != NULL : it->eptr != NULL;
}
void fk_zset_iter_get(fk_zset_iter *it, const char **m, size_t *n, double *score);
void fk_zset_iter_next(fk_zset_iter *it);
void fk_zset_iter_prev(fk_zset_iter *it);


#endif
