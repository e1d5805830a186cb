/* fk_t_hash: the hash type's two encodings (Redis 7.0's t_hash.c, the
 * structure side; the commands are in fastkv/commands/t_hash.pyx).
 *
 *   listpack   v.ptr is one listpack: field, value, field, value ...
 *              (insertion order; integers stored as integers).  Used while
 *              the hash has <= hash-max-listpack-entries fields and no field
 *              or value longer than hash-max-listpack-value bytes.
 *   hashtable  v.ptr is an fk_dict whose entries are the fields: the field
 *              is the entry's key and the value lives inline right after it
 *              (`extra` bytes), its length in the entry's v.u.  One
 *              allocation per field (Redis pays three: dictEntry + two sds).
 *
 *      fk_entry (the field)
 *      +------+-----------+------+------+-------------+-------------+
 *      | next | v.u=vlen  | meta | klen | field bytes | value bytes |
 *      +------+-----------+------+------+-------------+-------------+
 *
 * Conversion goes one way, listpack -> hashtable, exactly where Redis
 * converts (hashTypeTryConversion before a write whose arguments are too
 * long, hashTypeSet after an insert past the entry limit or with a long
 * field/value): a hash never goes back to a listpack.  Functions taking the
 * keyspace entry `e` update e->v.ptr and the encoding bits of e->meta
 * themselves (the LRU bits are kept).
 *
 * Readers get values as (pointer, length) views; a listpack integer is
 * written as text into the caller's buffer of FK_HASH_BUF bytes, so no
 * allocation is made to read a hash.  Views into the hash stay valid until
 * the hash is next modified. */
#ifndef FK_T_HASH_H
#define FK_T_HASH_H
#include <stddef.h>
#include <stdint.h>
#include "fk_dict.h"
#include "fk_object.h"
#include "fk_listpack.h"

#define FK_HASH_BUF 32           /* >= FK_LP_INTBUF_SIZE: a listpack integer as text */
#define FK_LISTPACK_MAX_SAFETY_SIZE (1u << 30)   /* LISTPACK_MAX_SAFETY_SIZE */

/* An empty hash: a new listpack (createHashObject).  The caller stores it
 * with encoding FK_ENC_LISTPACK. */
unsigned char *fk_hash_new(void);

size_t fk_hash_len(const fk_entry *e);                        /* hashTypeLength */

/* hashTypeGetValue: 1 and the value view if field f exists, else 0. */
int fk_hash_get(fk_entry *e, const char *f, size_t flen,
                const char **v, size_t *vlen, char *buf);
int fk_hash_exists(fk_entry *e, const char *f, size_t flen);

/* hashTypeSet: 1 if f existed (value replaced), 0 if it was added.  Converts
 * to a hashtable as Redis does (long field/value, too many entries). */
int fk_hash_set(fk_entry *e, const char *f, size_t flen, const char *v, size_t vlen);

/* hashTypeDelete: 1 if f was there.  The caller deletes an emptied key. */
int fk_hash_delete(fk_entry *e, const char *f, size_t flen);

/* hashTypeTryConversion, given the longest argument and the sum of the
 * argument lengths of the command about to write: converts a listpack hash
 * if an argument is longer than hash-max-listpack-value or the listpack
 * would pass its safety size. */
void fk_hash_try_conversion(fk_entry *e, size_t maxlen, size_t sum);
void fk_hash_convert(fk_entry *e);      /* listpack -> hashtable (no-op on a hashtable) */

/* Iteration (hashTypeIterator), in listpack order or bucket order.  The
 * hash must not change while iterating. */
typedef struct fk_hash_iter {
    int enc;
    unsigned char *lp, *fptr, *vptr; /* listpack: current field and value */
    fk_dict *d;                      /* hashtable: */
    int table;
    uint64_t idx;                    /* next bucket of d->table[table] */
    fk_entry *cur, *next;
    char fbuf[FK_HASH_BUF], vbuf[FK_HASH_BUF];
} fk_hash_iter;
void fk_hash_iter_init(fk_hash_iter *it, fk_entry *e);
int fk_hash_iter_next(fk_hash_iter *it);                       /* 1 on an element, 0 at the end */
const char *fk_hash_iter_field(fk_hash_iter *it, size_t *len);
const char *fk_hash_iter_value(fk_hash_iter *it, size_t *len);

/* A growable array of hashtable entries (fields), for HSCAN and
 * HRANDFIELD.  Plain malloc (temporary, not keyspace memory). */
typedef struct fk_hash_evec {
    fk_entry **v;
    size_t n, cap;
} fk_hash_evec;
void fk_hash_evec_free(fk_hash_evec *vec);

/* Field and value views of a hashtable entry. */
static inline const char *fk_hash_entry_field(fk_entry *he, size_t *len) {
    *len = fk_entry_klen(he);
    return he->key;
}
static inline const char *fk_hash_entry_value(fk_entry *he, size_t *len) {
    *len = (size_t)he->v.u;
    return fk_entry_extra(he);
}

/* HSCAN on a hashtable (scanGenericCommand): fields visited from *cursor
 * on, appended to vec, until (fields + values) >= count or count*10
 * buckets; *cursor becomes the next cursor (0 = done). */
void fk_hash_ht_scan(fk_entry *e, uint64_t *cursor, long long count, fk_hash_evec *vec);

/* A random field of a hashtable hash (non-empty). */
fk_entry *fk_hash_ht_random(fk_entry *e);
/* `count` distinct random fields of a hashtable hash (count < length):
 * HRANDFIELD's cases 3 and 4.  Returns 0, or -1 if out of memory. */
int fk_hash_ht_random_unique(fk_entry *e, size_t count, fk_hash_evec *vec);

/* The type table rows (fk_row_hash_listpack, fk_row_hash_ht) are declared
 * in fk_object.h. */

#endif
