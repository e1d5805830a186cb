# Declarations of the hash type's C structures (csrc/fk_t_hash.h) and the
# part of the listpack API (csrc/fk_listpack.h) the hash commands use.
from libc.stdint cimport uint32_t, int64_t, uint64_t
from fastkv._core.cdefs cimport fk_entry, fk_dict

cdef extern from "fk_listpack.h" nogil:
    enum:
        FK_LP_INTBUF_SIZE
    ctypedef struct fk_lp_entry:
        unsigned char *sval
        uint32_t slen
        long long lval
    size_t fk_lp_bytes(const unsigned char *lp)
    unsigned long fk_lp_length(const unsigned char *lp)
    void fk_lp_random_pair(unsigned char *lp, unsigned long total_count, fk_lp_entry *key, fk_lp_entry *val)
    void fk_lp_random_pairs(unsigned char *lp, unsigned int count, fk_lp_entry *keys, fk_lp_entry *vals)
    unsigned int fk_lp_random_pairs_unique(unsigned char *lp, unsigned int count, fk_lp_entry *keys, fk_lp_entry *vals)

cdef extern from "fk_t_hash.h" nogil:
    enum:
        FK_HASH_BUF
        FK_LISTPACK_MAX_SAFETY_SIZE
    unsigned char *fk_hash_new()
    size_t fk_hash_len(const fk_entry *e)
    int fk_hash_get(fk_entry *e, const char *f, size_t flen, const char **v, size_t *vlen, char *buf)
    int fk_hash_exists(fk_entry *e, const char *f, size_t flen)
    int fk_hash_set(fk_entry *e, const char *f, size_t flen, const char *v, size_t vlen)
    int fk_hash_delete(fk_entry *e, const char *f, size_t flen)
    void fk_hash_try_conversion(fk_entry *e, size_t maxlen, size_t sum)
    void fk_hash_convert(fk_entry *e)

    ctypedef struct fk_hash_iter:
        fk_entry *cur
    void fk_hash_iter_init(fk_hash_iter *it, fk_entry *e)
    int fk_hash_iter_next(fk_hash_iter *it)
    const char *fk_hash_iter_field(fk_hash_iter *it, size_t *len)
    const char *fk_hash_iter_value(fk_hash_iter *it, size_t *len)

    ctypedef struct fk_hash_evec:
        fk_entry **v
        size_t n
        size_t cap
    void fk_hash_evec_free(fk_hash_evec *vec)
    const char *fk_hash_entry_field(fk_entry *he, size_t *len)
    const char *fk_hash_entry_value(fk_entry *he, size_t *len)
    void fk_hash_ht_scan(fk_entry *e, uint64_t *cursor, long long count, fk_hash_evec *vec)
    fk_entry *fk_hash_ht_random(fk_entry *e)
    int fk_hash_ht_random_unique(fk_entry *e, size_t count, fk_hash_evec *vec)
