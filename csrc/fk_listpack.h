/* fk_listpack: Redis's listpack, byte for byte (src/listpack.c, format of
 * Redis 7.0).  One contiguous allocation (fk_malloc, so it is counted in
 * used_memory):
 *
 *   <total-bytes u32 LE> <num-elements u16 LE, 65535 = unknown> <entry> ... <0xFF>
 *   entry: <encoding+data> <backlen: 1..5 bytes, read right to left>
 *
 * Integers that fit are stored as integers (7-bit uint, 13/16/24/32/64-bit
 * int), everything else as strings (6-bit, 12-bit, 32-bit length).  The same
 * bytes as Redis's, so RDB and DUMP can later write them as they are.
 *
 * The API follows Redis's lp* functions one for one (same semantics, fk_lp
 * prefix), so code ported from t_hash.c / t_zset.c / quicklist.c maps
 * directly.  Every function that may change the listpack returns the new
 * pointer (it may have moved); the old one must not be used afterwards.
 * `p` arguments are element pointers (to an entry's first byte). */
#ifndef FK_LISTPACK_H
#define FK_LISTPACK_H
#include <stddef.h>
#include <stdint.h>

#define FK_LP_HDR_SIZE 6
#define FK_LP_INTBUF_SIZE 21      /* LP_INTBUF_SIZE: room for a long long as text */
#define FK_LP_BEFORE 0
#define FK_LP_AFTER 1
#define FK_LP_REPLACE 2

unsigned char *fk_lp_new(size_t capacity);                 /* lpNew */
void fk_lp_free(unsigned char *lp);                        /* lpFree */
unsigned char *fk_lp_shrink_to_fit(unsigned char *lp);     /* lpShrinkToFit */
unsigned char *fk_lp_dup(const unsigned char *lp);         /* lpDup */
size_t fk_lp_bytes(const unsigned char *lp);               /* lpBytes */
unsigned long fk_lp_length(const unsigned char *lp);       /* lpLength (counts when the header says 65535) */

/* Insert string or integer `where` (BEFORE/AFTER/REPLACE) element p; if
 * newp is not NULL it receives the new element's pointer.
 * p == NULL with BEFORE/AFTER is not allowed (use append/prepend). */
unsigned char *fk_lp_insert_string(unsigned char *lp, const unsigned char *s, uint32_t slen,
                                   unsigned char *p, int where, unsigned char **newp);
unsigned char *fk_lp_insert_integer(unsigned char *lp, long long lval,
                                    unsigned char *p, int where, unsigned char **newp);
unsigned char *fk_lp_prepend(unsigned char *lp, const unsigned char *s, uint32_t slen);
unsigned char *fk_lp_prepend_integer(unsigned char *lp, long long lval);
unsigned char *fk_lp_append(unsigned char *lp, const unsigned char *s, uint32_t slen);
unsigned char *fk_lp_append_integer(unsigned char *lp, long long lval);
/* Replace the element *p with s; *p is updated to the replacement. */
unsigned char *fk_lp_replace(unsigned char *lp, unsigned char **p, const unsigned char *s, uint32_t slen);
unsigned char *fk_lp_replace_integer(unsigned char *lp, unsigned char **p, long long lval);
/* Delete element p; *newp (if not NULL) gets the element that followed it, or NULL. */
unsigned char *fk_lp_delete(unsigned char *lp, unsigned char *p, unsigned char **newp);
/* Delete num elements starting at *p; *p is updated to what follows (or NULL). */
unsigned char *fk_lp_delete_range_with_entry(unsigned char *lp, unsigned char **p, unsigned long num);
/* Delete num elements from index (negative = from the tail). */
unsigned char *fk_lp_delete_range(unsigned char *lp, long index, unsigned long num);
/* Delete the given elements (sorted by position, ascending). */
unsigned char *fk_lp_batch_delete(unsigned char *lp, unsigned char **ps, unsigned long count);
/* Merge two listpacks (lpMerge): *first = result, *second freed and set NULL,
 * or the other way round (the larger one is reallocated). */
unsigned char *fk_lp_merge(unsigned char **first, unsigned char **second);

/* Iteration.  All return NULL past either end. */
unsigned char *fk_lp_first(unsigned char *lp);
unsigned char *fk_lp_last(unsigned char *lp);
unsigned char *fk_lp_next(unsigned char *lp, unsigned char *p);
unsigned char *fk_lp_prev(unsigned char *lp, unsigned char *p);
unsigned char *fk_lp_seek(unsigned char *lp, long index);   /* negative = from the tail */

/* Read an element (lpGetValue): returns the string and sets *slen, or
 * returns NULL and sets *lval when the element is an integer. */
unsigned char *fk_lp_get_value(unsigned char *p, unsigned int *slen, long long *lval);
/* Read an element as text (lpGet with a buffer): integers are written into
 * buf (FK_LP_INTBUF_SIZE bytes).  Returns the bytes, sets *len. */
unsigned char *fk_lp_get(unsigned char *p, int64_t *len, unsigned char *buf);

/* lpFind: from p, the first element equal to s, comparing every (skip+1)-th
 * element (skip=1: field positions of a field/value listpack).  NULL if none. */
unsigned char *fk_lp_find(unsigned char *lp, unsigned char *p, const unsigned char *s,
                          uint32_t slen, unsigned int skip);
/* lpCompare: 1 if element p equals s (integers compared by value of s as text). */
int fk_lp_compare(unsigned char *p, const unsigned char *s, uint32_t slen);

/* Random picks, as lpRandomPair / lpRandomPairs / lpRandomPairsUnique:
 * total_count is lpLength/2 for pair listpacks. */
typedef struct fk_lp_entry {   /* listpackEntry */
    unsigned char *sval;      /* NULL: the element is the integer lval */
    uint32_t slen;
    long long lval;
} fk_lp_entry;
void fk_lp_random_pair(unsigned char *lp, unsigned long total_count, fk_lp_entry *key, fk_lp_entry *val);
void fk_lp_random_pairs(unsigned char *lp, unsigned int count, fk_lp_entry *keys, fk_lp_entry *vals);
unsigned int fk_lp_random_pairs_unique(unsigned char *lp, unsigned int count, fk_lp_entry *keys, fk_lp_entry *vals);

/* lpValidateIntegrity (deep): 1 if the bytes are a well-formed listpack
 * of `size` bytes.  For RESTORE and RDB loading later. */
int fk_lp_validate(const unsigned char *lp, size_t size, int deep);

/* A string that is a valid integer (lpStringToInt64 rules: no leading
 * zeros or '+', fits int64). */
int fk_lp_string_to_int64(const char *s, unsigned long slen, int64_t *value);

#endif
