# Declarations of the plain-C algorithms in csrc/ (no Python.h there).
from libc.stdint cimport uint8_t, uint32_t, int64_t, uint64_t

cdef extern from "fk_shared.h" nogil:
    ctypedef struct fk_shared:
        size_t used_memory
        uint8_t hash_seed[16]
        uint32_t abi
        uint64_t tsc_ticks_per_us
        int list_max_listpack_size
        int list_compress_depth
        size_t hash_max_listpack_entries
        size_t hash_max_listpack_value
        size_t set_max_intset_entries
        size_t zset_max_listpack_entries
        size_t zset_max_listpack_value
        size_t stream_node_max_bytes
        long long stream_node_max_entries
        size_t hll_sparse_max_bytes
    enum:
        FK_SHARED_ABI
    fk_shared *fk_sh

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
    char *fk_ll2digits(char *w, long long v)
    int fk_string2ld(const char *s, size_t slen, long double *dp)
    int fk_ld2string(char *buf, size_t len, long double value)
    int fk_string2d(const char *s, size_t slen, double *dp)
    int fk_d2string(char *buf, size_t len, double value)
    int fk_stringmatchlen(const char *p, int plen, const char *s, int slen, int nocase)
    long long fk_ustime()
    long long fk_mstime()
    long long fk_monotonic_us()
    void fk_monotonic_init()
    int fk_parse_scan_cursor(const char *s, size_t slen, unsigned long long *cursor)

cdef extern from "fk_str.h" nogil:
    ctypedef struct fk_str:
        uint32_t len
        uint32_t alloc
        char buf[1]
    fk_str *fk_str_new(const char *p, size_t n)
    fk_str *fk_str_reserve(fk_str *s, size_t newlen)

cdef extern from "fk_object.h" nogil:
    # Redis's type and encoding numbers (see csrc/fk_object.h)
    enum:
        OBJ_STRING "FK_OBJ_STRING"
        OBJ_LIST "FK_OBJ_LIST"
        OBJ_SET "FK_OBJ_SET"
        OBJ_ZSET "FK_OBJ_ZSET"
        OBJ_HASH "FK_OBJ_HASH"
        OBJ_STREAM "FK_OBJ_STREAM"
        OBJ_NTYPES "FK_OBJ_NTYPES"
    enum:
        ENC_RAW "FK_ENC_RAW"
        ENC_INT "FK_ENC_INT"
        ENC_HT "FK_ENC_HT"
        ENC_INTSET "FK_ENC_INTSET"
        ENC_SKIPLIST "FK_ENC_SKIPLIST"
        ENC_EMBSTR "FK_ENC_EMBSTR"
        ENC_QUICKLIST "FK_ENC_QUICKLIST"
        ENC_STREAM "FK_ENC_STREAM"
        ENC_LISTPACK "FK_ENC_LISTPACK"
        ENC_NENCODINGS "FK_ENC_NENCODINGS"
        EMBSTR_LIMIT "FK_EMBSTR_LIMIT"
    ctypedef struct fk_objtype:
        const char *type_name
        const char *enc_name
        void (*free)(fk_entry *e)
        size_t (*inline_size)(const fk_entry *e)
        int (*dup)(const fk_entry *src, fk_entry *dst)
        size_t (*mem_usage)(const fk_entry *e, size_t samples)
        void *rdb_save
        void *rdb_load
        void *digest
        size_t (*free_effort)(const fk_entry *e)
    const fk_objtype *fk_objtype_of(const fk_entry *e)
    const fk_objtype *fk_objtype_get(uint32_t type, uint32_t enc)
    void fk_object_entry_free(fk_dict *d, fk_entry *e)
