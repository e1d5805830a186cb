/* fk_object: the type table, fastkv's object.c.
 *
 * A keyspace value is never a Python object.  It is the `v` word of its
 * fk_entry, plus optional bytes stored inline after the key, and the entry's
 * `meta` word says how to read it:
 *
 *   meta:  | lru or lfu : 24 | encoding : 4 | type : 4 |
 *
 * Type and encoding numbers are Redis's (OBJ_STRING, OBJ_ENCODING_EMBSTR ...),
 * so OBJECT ENCODING, TYPE and later RDB agree with Redis by construction.
 *
 * Everything that must know what a value *is* goes through one row of
 * fk_objtypes[type][encoding]: free, duplicate, memory usage, names, and
 * (reserved) RDB save/load and DEBUG DIGEST.  A new type or encoding is a new
 * C structure, its row here, and its command handlers; the keyspace, COPY,
 * MEMORY USAGE, OBJECT and SCAN TYPE learn nothing else.  A NULL row is a
 * combination that cannot exist.
 *
 * Ownership: a value belongs to its entry.  free() releases what v (and the
 * inline bytes) own, but not the entry itself, which belongs to the dict. */
#ifndef FK_OBJECT_H
#define FK_OBJECT_H
#include <stddef.h>
#include <stdint.h>
#include "fk_dict.h"

enum {   /* Redis's OBJ_* type numbers */
    FK_OBJ_STRING = 0, FK_OBJ_LIST = 1, FK_OBJ_SET = 2, FK_OBJ_ZSET = 3,
    FK_OBJ_HASH = 4, FK_OBJ_STREAM = 6, FK_OBJ_NTYPES = 16
};
enum {   /* Redis's OBJ_ENCODING_* numbers */
    FK_ENC_RAW = 0, FK_ENC_INT = 1, FK_ENC_HT = 2, FK_ENC_INTSET = 6,
    FK_ENC_SKIPLIST = 7, FK_ENC_EMBSTR = 8, FK_ENC_QUICKLIST = 9,
    FK_ENC_STREAM = 10, FK_ENC_LISTPACK = 11, FK_ENC_NENCODINGS = 16
};

#define FK_EMBSTR_LIMIT 44     /* OBJ_ENCODING_EMBSTR_SIZE_LIMIT */

typedef struct fk_objtype {
    const char *type_name;     /* TYPE, SCAN TYPE: "string", "list" ... */
    const char *enc_name;      /* OBJECT ENCODING: "embstr", "listpack" ... */
    /* Release what the value owns (not the entry). */
    void (*free)(fk_entry *e);
    /* Bytes the value keeps inline after the key (0 for most encodings). */
    size_t (*inline_size)(const fk_entry *e);
    /* COPY: give dst (allocated with inline_size(src) extra bytes) an
     * independent copy of src's value; sets dst->v and dst->meta's type and
     * encoding.  Returns 0, or -1 if out of memory (dst then owns nothing). */
    int (*dup)(const fk_entry *src, fk_entry *dst);
    /* MEMORY USAGE: bytes owned outside the entry.  Large collections
     * estimate from `samples` elements (0 = all), as objectComputeSize. */
    size_t (*mem_usage)(const fk_entry *e, size_t samples);
    /* Reserved for persistence and DEBUG DIGEST: NULL until they exist. */
    void *rdb_save;
    void *rdb_load;
    void *digest;
    /* lazyfreeGetFreeEffort: about how many allocations free() releases
     * (a hash table's size, a quicklist's nodes ...).  NULL = 1.  Values
     * above LAZYFREE_THRESHOLD are freed by the background thread on
     * UNLINK / FLUSHALL ASYNC, so free() must touch nothing but the value's
     * own memory (and fk_free's accounting). */
    size_t (*free_effort)(const fk_entry *e);
} fk_objtype;
/* Rows are written with designated initializers (.type_name = ...), so new
 * fields can be added without touching every row. */

/* Rows defined by each type's C file. */
extern const fk_objtype fk_row_list_quicklist;    /* fk_quicklist.c */
extern const fk_objtype fk_row_hash_listpack;     /* fk_t_hash.c */
extern const fk_objtype fk_row_hash_ht;
extern const fk_objtype fk_row_set_intset;        /* fk_t_set.c */
extern const fk_objtype fk_row_set_ht;
extern const fk_objtype fk_row_zset_listpack;     /* fk_zset.c */
extern const fk_objtype fk_row_zset_skiplist;
extern const fk_objtype fk_row_stream_stream;     /* fk_stream.c */

extern const fk_objtype *const fk_objtypes[FK_OBJ_NTYPES][FK_ENC_NENCODINGS];

static inline uint32_t fk_obj_type(const fk_entry *e) { return e->meta & 0xF; }
static inline uint32_t fk_obj_encoding(const fk_entry *e) { return (e->meta >> 4) & 0xF; }
static inline const fk_objtype *fk_objtype_of(const fk_entry *e) {
    return fk_objtypes[e->meta & 0xF][(e->meta >> 4) & 0xF];
}
static inline const fk_objtype *fk_objtype_get(uint32_t type, uint32_t enc) {
    return (type < FK_OBJ_NTYPES && enc < FK_ENC_NENCODINGS) ? fk_objtypes[type][enc] : NULL;
}

/* The dict callback of keyspace dicts: frees an entry's value by its row. */
void fk_object_entry_free(fk_dict *d, fk_entry *e);

#endif
