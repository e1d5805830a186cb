/* fk_quicklist: Redis's quicklist (src/quicklist.c of Redis 7.0), the
 * encoding of every list: a doubly linked list of listpack nodes.
 *
 *   fk_quicklist { head, tail, count (elements), len (nodes), fill, compress }
 *        |
 *        v
 *   [node: lp of <= fill] <-> [node: LZF] <-> ... <-> [node: LZF] <-> [node: lp]
 *   `---- compress depth ---'                          `---- compress depth ---'
 *
 * fill (list-max-listpack-size): negative = a node's listpack may grow to
 * 4/8/16/32/64 KB (-1..-5); positive = at most that many elements per
 * node, and never past SIZE_SAFETY_LIMIT (8 KB) bytes.
 * compress (list-compress-depth): that many nodes at each end stay plain
 * listpacks; the interior ones are LZF-compressed (fk_lzf) when that saves
 * at least 8 bytes.  A node that is read or changed is decompressed "for
 * use" (recompress = 1) and compressed again when the operation leaves it.
 *
 * Every operation keeps Redis's invariants: no empty node stays in the
 * list, head and tail are never compressed, count == sum of node counts.
 * Redis's "plain" nodes for elements >= 1 GB are not implemented (fastkv's
 * proto-max-bulk-len keeps elements well below that).
 *
 * Ownership: the quicklist owns its nodes and their listpacks; push and
 * insert copy the bytes given. */
#ifndef FK_QUICKLIST_H
#define FK_QUICKLIST_H
#include <stddef.h>
#include <stdint.h>

#define FK_QL_NODE_RAW 1
#define FK_QL_NODE_LZF 2
#define FK_QL_HEAD 0
#define FK_QL_TAIL -1
#define FK_QL_START_HEAD 0      /* AL_START_HEAD: iterate head -> tail */
#define FK_QL_START_TAIL 1      /* AL_START_TAIL: iterate tail -> head */

typedef struct fk_qlnode {
    struct fk_qlnode *prev;
    struct fk_qlnode *next;
    unsigned char *entry;        /* the listpack, or an fk_qllzf when encoding == LZF */
    uint32_t sz;                 /* listpack bytes (uncompressed) */
    uint16_t count;              /* elements in the listpack */
    uint8_t encoding;            /* FK_QL_NODE_RAW or FK_QL_NODE_LZF */
    uint8_t recompress : 1;      /* decompressed for use: compress again when done */
    uint8_t dont_compress : 1;   /* temporarily never compress (ReplaceEntry) */
    uint8_t attempted_compress : 1; /* tests: compression was tried (maybe too small) */
} fk_qlnode;

typedef struct fk_qllzf {
    uint32_t sz;                 /* compressed bytes */
    unsigned char compressed[];
} fk_qllzf;

typedef struct fk_quicklist {
    fk_qlnode *head;
    fk_qlnode *tail;
    unsigned long count;         /* total elements */
    unsigned long len;           /* nodes */
    int fill;                    /* list-max-listpack-size at creation */
    int compress;                /* list-compress-depth at creation; 0 = off */
} fk_quicklist;

typedef struct fk_qliter {
    fk_quicklist *ql;
    fk_qlnode *current;
    unsigned char *zi;           /* element in current's listpack, NULL = seek by offset */
    long offset;                 /* in current node; negative = from its tail */
    int direction;               /* FK_QL_START_HEAD / FK_QL_START_TAIL */
} fk_qliter;

typedef struct fk_qlentry {
    fk_quicklist *ql;
    fk_qlnode *node;
    unsigned char *zi;           /* the element in node's listpack */
    unsigned char *value;        /* string bytes, or NULL: the element is longval */
    long long longval;
    size_t sz;
    int offset;
} fk_qlentry;

fk_quicklist *fk_ql_new(int fill, int compress);
void fk_ql_release(fk_quicklist *ql);
fk_quicklist *fk_ql_dup(const fk_quicklist *ql);
static inline unsigned long fk_ql_count(const fk_quicklist *ql) { return ql->count; }

/* Push a copy of value (stored as an integer when it is one). */
int fk_ql_push_head(fk_quicklist *ql, const void *value, size_t sz);
int fk_ql_push_tail(fk_quicklist *ql, const void *value, size_t sz);
void fk_ql_push(fk_quicklist *ql, const void *value, size_t sz, int where);
/* The element at an end (FK_QL_HEAD / FK_QL_TAIL), NULL if empty; valid
 * until the list changes.  Ends are never compressed. */
unsigned char *fk_ql_peek(fk_quicklist *ql, int where);
/* Delete the element at an end.  Returns 1 if deleted. */
int fk_ql_del_end(fk_quicklist *ql, int where);

/* Iterators live on the caller's stack.  Between init and release the list
 * must change only through fk_ql_del_entry (inserts and replaces reset the
 * iterator: release it after them). */
void fk_ql_iter_init(fk_qliter *it, fk_quicklist *ql, int direction);
/* Start at index idx (negative = from the tail).  Returns 0 (iterator
 * unusable, nothing to release) if idx is out of range. */
int fk_ql_iter_init_at(fk_qliter *it, fk_quicklist *ql, int direction, long long idx);
int fk_ql_next(fk_qliter *it, fk_qlentry *e);
void fk_ql_iter_release(fk_qliter *it);

void fk_ql_del_entry(fk_qliter *it, fk_qlentry *e);
void fk_ql_insert_before(fk_qliter *it, fk_qlentry *e, const void *value, size_t sz);
void fk_ql_insert_after(fk_qliter *it, fk_qlentry *e, const void *value, size_t sz);
void fk_ql_replace_entry(fk_qliter *it, fk_qlentry *e, const void *value, size_t sz);
int fk_ql_replace_at_index(fk_quicklist *ql, long index, const void *value, size_t sz);
/* 1 if the element of e equals the bytes s (integers compared as text). */
int fk_ql_compare(fk_qlentry *e, const void *s, size_t n);
/* Delete count elements from start (negative = from the tail). */
int fk_ql_del_range(fk_quicklist *ql, long start, long count);

/* Bytes owned (MEMORY USAGE): the struct plus nodes and listpacks, the
 * nodes estimated from the first `samples` (0 = all). */
size_t fk_ql_mem_usage(const fk_quicklist *ql, size_t samples);

/* RESP: write element p of a listpack as a bulk string at w ($<n>\r\n..\r\n);
 * returns the end.  w needs FK_QL_BULK_MAX_OVERHEAD + the element's bytes. */
#define FK_QL_BULK_MAX_OVERHEAD 48
char *fk_ql_write_bulk(char *w, unsigned char *p);
/* Bytes to reserve to write n elements of node's listpack as bulks. */
static inline size_t fk_ql_node_resp_bound(const fk_qlnode *n, long max_elems) {
    /* the elements' bytes are at most the listpack's, plus a header each
     * for at most max_elems of them (not the whole node: LRANGE k 0 9 of
     * an 8 KB node of short items must not reserve 80 KB) */
    size_t k = (max_elems >= 0 && (size_t)max_elems < (size_t)n->count) ? (size_t)max_elems : (size_t)n->count;
    return (size_t)n->sz + k * FK_QL_BULK_MAX_OVERHEAD;
}
/* Make node's listpack readable (decompress for use); fk_ql_node_done
 * compresses it again if it was. */
unsigned char *fk_ql_node_lp(fk_qlnode *n);
void fk_ql_node_done(fk_quicklist *ql, fk_qlnode *n);

/* Tests: 0 if the structure is consistent (counts, links, compression
 * depth), else a code naming the first broken invariant. */
int fk_ql_check(fk_quicklist *ql);

#endif
