/* fk_dict: the keyspace hash table, modelled on Redis's dict.c.
 *
 * Chained hashing over power-of-two tables, with *incremental rehashing*:
 * while the table grows or shrinks there are two tables, ht[0] (old) and
 * ht[1] (new), and `rehashidx` is the next bucket of ht[0] to move.  Every
 * lookup/insert/delete moves one bucket (fk_dict_rehash(d, 1)) and the server
 * cron moves more for a bounded time (fk_dict_rehash_ms), so no single
 * operation ever pays for an O(N) resize.
 *
 *   ht[0]: [0]->e->e  [1]  [2]->e  ... (buckets < rehashidx are empty)
 *   ht[1]: [0] [1]->e [2] [3]->e ...   (new inserts go here during rehash)
 *
 * Unlike Redis, an entry carries its key inline (one allocation per key
 * instead of dictEntry + sds + robj), and `extra` bytes after the key that
 * belong to the layer above: the keyspace stores short string values there
 * ("embstr"), so a typical small key/value costs one malloc.
 *
 * Ownership: the dict owns its entries.  Values hanging off an entry
 * (v.ptr) are released by the dict type's entry_free callback, which runs
 * before the entry memory itself is freed.
 *
 * SCAN uses Redis's reverse-binary cursor (see fk_dict_scan in fk_dict.c):
 * every element present for the whole scan is returned at least once even
 * if the table is resized between calls. */
#ifndef FK_DICT_H
#define FK_DICT_H
#include <stddef.h>
#include <stdint.h>

#define FK_KLEN_MASK      0x3fffffffu  /* keys are at most 512MB (proto-max-bulk-len) */
#define FK_HAS_EXPIRE     0x80000000u  /* flag in klen: key also lives in the expires dict */

typedef union fk_value {
    void *ptr;
    int64_t i;
    uint64_t u;
    double d;
} fk_value;

typedef struct fk_entry {
    struct fk_entry *next;   /* next entry in the same bucket */
    fk_value v;              /* the value; its meaning is up to the dict's user */
    uint32_t meta;           /* free for the user: keyspace packs type:4 enc:4 lru:24 */
    uint32_t klen;           /* key length | FK_HAS_EXPIRE */
    char key[];              /* key bytes, then `extra` user bytes */
} fk_entry;

struct fk_dict;
typedef struct fk_dict_type {
    /* Release what e->v owns; called before e itself is freed.  May be NULL. */
    void (*entry_free)(struct fk_dict *d, fk_entry *e);
} fk_dict_type;

typedef struct fk_dict {
    fk_entry **table[2];
    uint64_t size[2];        /* buckets, 0 or a power of two */
    uint64_t used[2];        /* entries in each table */
    int64_t rehashidx;       /* -1 when no rehash is in progress */
    const fk_dict_type *type;
} fk_dict;

typedef void (*fk_scan_fn)(void *privdata, fk_entry *e);

void fk_dict_set_seed(const uint8_t seed[16]);
uint64_t fk_hash(const char *key, size_t len);

fk_dict *fk_dict_new(const fk_dict_type *type);
void fk_dict_clear(fk_dict *d);        /* remove every entry, keep the dict */
void fk_dict_free(fk_dict *d);

static inline uint64_t fk_dict_size(const fk_dict *d) { return d->used[0] + d->used[1]; }
static inline uint64_t fk_dict_buckets(const fk_dict *d) { return d->size[0] + d->size[1]; }
static inline int fk_dict_is_rehashing(const fk_dict *d) { return d->rehashidx != -1; }
static inline uint32_t fk_entry_klen(const fk_entry *e) { return e->klen & FK_KLEN_MASK; }
static inline char *fk_entry_extra(fk_entry *e) { return e->key + (e->klen & FK_KLEN_MASK); }

fk_entry *fk_dict_find(fk_dict *d, const char *key, size_t klen);
/* Insert a new entry for a key the caller knows is absent.  v, meta are
 * zeroed; `extra` user bytes follow the key, uninitialised. */
fk_entry *fk_dict_add(fk_dict *d, const char *key, size_t klen, size_t extra);
/* Give e room for `extra` user bytes; e may move: use the returned pointer. */
fk_entry *fk_dict_resize_entry(fk_dict *d, fk_entry *e, size_t extra);
/* Take the entry out of the table; the caller must fk_dict_free_unlinked it. */
fk_entry *fk_dict_unlink(fk_dict *d, const char *key, size_t klen);
void fk_dict_free_unlinked(fk_dict *d, fk_entry *e);
int fk_dict_delete(fk_dict *d, const char *key, size_t klen);   /* 1 if deleted */

int fk_dict_expand(fk_dict *d, uint64_t size);        /* 0 ok, -1 refused */
int fk_dict_shrink_if_needed(fk_dict *d);             /* cron: shrink sparse tables */
int fk_dict_rehash(fk_dict *d, int n);                /* 1 if more to do */
int fk_dict_rehash_ms(fk_dict *d, int ms);            /* returns buckets moved (x100) */

uint64_t fk_dict_scan(fk_dict *d, uint64_t cursor, fk_scan_fn fn, void *privdata);
fk_entry *fk_dict_random(fk_dict *d);

#endif
