# The set type's C API (csrc/fk_intset.h, csrc/fk_t_set.h).
from libc.stdint cimport uint8_t, uint32_t, int64_t, uint64_t
from fastkv._core.cdefs cimport fk_entry, fk_dict

cdef extern from "fk_intset.h" nogil:
    ctypedef struct fk_intset:
        uint32_t encoding
        uint32_t length
    enum:
        FK_INTSET_ENC_INT16
        FK_INTSET_ENC_INT32
        FK_INTSET_ENC_INT64
    fk_intset *fk_intset_new()
    fk_intset *fk_intset_add(fk_intset *is_, int64_t value, uint8_t *success)
    fk_intset *fk_intset_remove(fk_intset *is_, int64_t value, int *success)
    uint8_t fk_intset_find(const fk_intset *is_, int64_t value)
    int64_t fk_intset_random(const fk_intset *is_)
    uint8_t fk_intset_get(const fk_intset *is_, uint32_t pos, int64_t *value)
    size_t fk_intset_blob_len(const fk_intset *is_)
    fk_intset *fk_intset_dup(const fk_intset *is_)
    int fk_intset_validate(const unsigned char *p, size_t size)
    uint32_t fk_intset_len(const fk_intset *is_)
    int64_t fk_intset_at(const fk_intset *is_, uint32_t pos)

cdef extern from "fk_t_set.h" nogil:
    ctypedef struct fk_set_iter:
        fk_entry *e
        uint32_t enc
    void fk_set_init_for(fk_entry *e, const char *p, size_t n)
    void fk_set_init_tmp(fk_entry *e)
    void fk_set_release(fk_entry *e)
    int fk_set_add(fk_entry *e, const char *p, size_t n)
    int fk_set_add_ll(fk_entry *e, int64_t v)
    int fk_set_remove(fk_entry *e, const char *p, size_t n)
    int fk_set_remove_ll(fk_entry *e, int64_t v)
    int fk_set_ismember(fk_entry *e, const char *p, size_t n)
    int fk_set_ismember_ll(fk_entry *e, int64_t v)
    uint64_t fk_set_size(const fk_entry *e)
    void fk_set_convert(fk_entry *e)
    int fk_set_random(fk_entry *e, const char **p, size_t *n, int64_t *ll)
    void fk_set_iter_init(fk_set_iter *it, fk_entry *e)
    int fk_set_next(fk_set_iter *it, const char **p, size_t *n, int64_t *ll)
    fk_dict *fk_set_dict_new()
