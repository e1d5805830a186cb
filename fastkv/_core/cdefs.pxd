# Declarations of the plain-C algorithms in csrc/ (no Python.h there).
from libc.stdint cimport uint8_t, uint32_t, int64_t, uint64_t

cdef extern from "fk_alloc.h" nogil:
    void *fk_malloc(size_t n)
    void *fk_realloc(void *p, size_t n)
    void fk_free(void *p)
    size_t fk_usable(void *p)
    size_t fk_used_memory()

cdef extern from "fk_dict.h" nogil:
    enum:
        FK_KLEN_MASK
        FK_HAS_EXPIRE
    ctypedef union fk_value:
        void *ptr
        int64_t i
        uint64_t u
        double d
    ctypedef struct fk_entry:
        fk_entry *next
        fk_value v
        uint32_t meta
        uint32_t klen
        char key[1]
    ctypedef struct fk_dict:
        fk_entry **table[2]
        uint64_t size[2]
        uint64_t used[2]
        int64_t rehashidx
    ctypedef struct fk_dict_type:
        void (*entry_free)(fk_dict *d, fk_entry *e) noexcept

    void fk_dict_set_seed(const uint8_t *seed)
    uint64_t fk_hash(const char *key, size_t len)
    fk_dict *fk_dict_new(const fk_dict_type *type)
    void fk_dict_clear(fk_dict *d)
    void fk_dict_free(fk_dict *d)
    uint64_t fk_dict_size(const fk_dict *d)
    uint64_t fk_dict_buckets(const fk_dict *d)
    int fk_dict_is_rehashing(const fk_dict *d)
    uint32_t fk_entry_klen(const fk_entry *e)
    char *fk_entry_extra(fk_entry *e)
    fk_entry *fk_dict_find(fk_dict *d, const char *key, size_t klen)
    fk_entry *fk_dict_add(fk_dict *d, const char *key, size_t klen, size_t extra)
    fk_entry *fk_dict_resize_entry(fk_dict *d, fk_entry *e, size_t extra)
    fk_entry *fk_dict_unlink(fk_dict *d, const char *key, size_t klen)
    void fk_dict_free_unlinked(fk_dict *d, fk_entry *e)
    int fk_dict_delete(fk_dict *d, const char *key, size_t klen)
    int fk_dict_expand(fk_dict *d, uint64_t size)
    int fk_dict_shrink_if_needed(fk_dict *d)
    int fk_dict_rehash(fk_dict *d, int n)
    int fk_dict_rehash_ms(fk_dict *d, int ms)
    fk_entry *fk_dict_random(fk_dict *d)

cdef extern from "fk_dict.h":
    # callbacks run with the GIL held (they may build Python objects)
    ctypedef void (*fk_scan_fn)(void *privdata, fk_entry *e) noexcept
    uint64_t fk_dict_scan(fk_dict *d, uint64_t cursor, fk_scan_fn fn, void *privdata)

cdef extern from "fk_util.h" nogil:
    int fk_string2ll(const char *s, size_t slen, long long *value)
    int fk_ll2string(char *dst, size_t dstlen, long long v)
    int fk_string2ld(const char *s, size_t slen, long double *dp)
    int fk_ld2string(char *buf, size_t len, long double value)
    int fk_string2d(const char *s, size_t slen, double *dp)
    int fk_d2string(char *buf, size_t len, double value)
    int fk_stringmatchlen(const char *p, int plen, const char *s, int slen, int nocase)
    long long fk_ustime()
    long long fk_mstime()
    long long fk_monotonic_us()
    int fk_parse_scan_cursor(const char *s, size_t slen, unsigned long long *cursor)

cdef extern from "fk_str.h" nogil:
    ctypedef struct fk_str:
        uint32_t len
        uint32_t alloc
        char buf[1]
    fk_str *fk_str_new(const char *p, size_t n)
    fk_str *fk_str_reserve(fk_str *s, size_t newlen)
