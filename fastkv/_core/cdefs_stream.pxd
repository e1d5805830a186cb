# Declarations of csrc/fk_rax.h and csrc/fk_stream.h (streams) for Cython.
from libc.stdint cimport uint64_t, int64_t
from fastkv._core.cdefs cimport fk_str

cdef extern from "fk_rax.h" nogil:
    enum:
        FK_RAX_ITER_KEYBUF
    ctypedef struct fk_rax:
        pass
    ctypedef struct fk_rax_iter:
        fk_rax *rax
        unsigned char *key
        size_t key_len
        void *data

    fk_rax *fk_rax_new()
    void fk_rax_free(fk_rax *r, void (*free_cb)(void *))
    uint64_t fk_rax_size(const fk_rax *r)
    size_t fk_rax_mem_usage(const fk_rax *r)
    int fk_rax_insert(fk_rax *r, const unsigned char *key, size_t len, void *data, void **old)
    int fk_rax_try_insert(fk_rax *r, const unsigned char *key, size_t len, void *data, void **old)
    int fk_rax_remove(fk_rax *r, const unsigned char *key, size_t len, void **old)
    int fk_rax_find(const fk_rax *r, const unsigned char *key, size_t len, void **value)
    void fk_rax_start(fk_rax_iter *it, fk_rax *r)
    int fk_rax_seek(fk_rax_iter *it, const char *op, const unsigned char *ele, size_t len)
    int fk_rax_next(fk_rax_iter *it)
    int fk_rax_prev(fk_rax_iter *it)
    int fk_rax_eof(const fk_rax_iter *it)
    void fk_rax_stop(fk_rax_iter *it)
