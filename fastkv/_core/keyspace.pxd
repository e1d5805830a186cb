# The keyspace: Database (main dict + expires dict) and Keyspace (all dbs,
# stats, active expiry).  See keyspace.pyx for the design.
from libc.stdint cimport uint32_t, uint64_t, int64_t
from fastkv._core.cdefs cimport fk_dict, fk_entry, fk_str

# Object types and encodings: Redis's numbers, so OBJECT/TYPE/RDB agree.
cdef enum:
    OBJ_STRING = 0
    OBJ_LIST = 1
    OBJ_SET = 2
    OBJ_ZSET = 3
    OBJ_HASH = 4
    OBJ_STREAM = 6

cdef enum:
    ENC_RAW = 0
    ENC_INT = 1
    ENC_HT = 2
    ENC_INTSET = 6
    ENC_SKIPLIST = 7
    ENC_EMBSTR = 8
    ENC_QUICKLIST = 9
    ENC_STREAM = 10
    ENC_LISTPACK = 11
    ENC_PYOBJ = 15     # value is an owned PyObject* (collection types implemented in Python)

cdef enum:
    EMBSTR_LIMIT = 44          # OBJ_ENCODING_EMBSTR_SIZE_LIMIT
    SHARED_INTEGERS = 10000    # OBJ_SHARED_INTEGERS
    LRU_CLOCK_MAX = 0xFFFFFF

# lookup flags
cdef enum:
    LOOKUP_NONE = 0
    LOOKUP_NOTOUCH = 1     # don't update the LRU clock (OBJECT, TYPE, CLIENT NO-TOUCH)
    LOOKUP_WRITE = 2       # a write lookup: no keyspace hit/miss stats
    LOOKUP_NOSTATS = 4

cdef inline uint32_t entry_type(fk_entry *e) noexcept nogil:
    return e.meta & 0xF

cdef inline uint32_t entry_encoding(fk_entry *e) noexcept nogil:
    return (e.meta >> 4) & 0xF

cdef inline uint32_t entry_lru(fk_entry *e) noexcept nogil:
    return e.meta >> 8

cdef inline void entry_set_meta(fk_entry *e, uint32_t typ, uint32_t enc, uint32_t lru) noexcept nogil:
    e.meta = (typ & 0xF) | ((enc & 0xF) << 4) | ((lru & LRU_CLOCK_MAX) << 8)

cdef uint32_t lru_clock() noexcept nogil

# A string value viewed as bytes: points into the entry, the fk_str, or
# `tmp` (>= 24 bytes) for integers.
cdef Py_ssize_t string_view(fk_entry *e, const char **p, char *tmp) noexcept nogil

cdef class Keyspace

cdef class Database:
    cdef fk_dict *dict
    cdef fk_dict *expires
    cdef readonly int id
    cdef Keyspace ks
    cdef uint64_t expire_cursor
    cdef public long long avg_ttl

    cdef fk_entry *lookup(self, const char *k, size_t n, int flags) except? NULL
    cdef bint expire_if_needed(self, fk_entry *e) except -1
    cdef fk_entry *set_string(self, const char *k, size_t n, const char *v, size_t vn, bint keepttl, bint try_int=*) except NULL
    cdef fk_entry *set_int(self, const char *k, size_t n, long long v, bint keepttl) except NULL
    cdef fk_entry *set_pyobj(self, const char *k, size_t n, object o, uint32_t typ, uint32_t enc) except NULL
    cdef fk_entry *prepare_value(self, const char *k, size_t n, size_t extra, bint keepttl) except NULL
    cdef fk_entry *entry_string_raw(self, fk_entry *e) except NULL
    cdef int delete(self, const char *k, size_t n) except -1
    cdef void set_expire(self, fk_entry *e, long long when) noexcept
    cdef long long get_expire(self, fk_entry *e) noexcept
    cdef bint remove_expire(self, fk_entry *e) noexcept
    cdef uint64_t size(self) noexcept
    cdef int active_expire(self, long long now, int max_loops, long long deadline_us) except -1

cdef class Keyspace:
    cdef readonly list dbs
    cdef readonly int ndbs
    cdef public long long dirty
    cdef public long long keyspace_hits
    cdef public long long keyspace_misses
    cdef public long long expired_keys
    cdef public long long evicted_keys
    cdef public long long expired_stale_perc_x100   # INFO expired_stale_perc, x100
    cdef long long cycle_sampled, cycle_expired     # counts of the running expire cycle
    cdef public long long expire_cycle_cpu_us
    cdef public bint lfu     # maxmemory-policy is an LFU one (OBJECT FREQ)
    cdef public uint32_t lruclock   # LRU clock cached by cron (Redis's server.lruclock)
    cdef public bint lookup_notouch # the running command's client asked CLIENT NO-TOUCH

# The C allocator counter (used_memory) and the hash seed are process-wide
# state, so the stateful C code (csrc/fk_alloc.c, csrc/fk_dict.c) is linked
# into this extension only; other extensions reach it through these
# (Cython exports them as C function pointers: no Python call).
cdef fk_dict *dict_new_plain() noexcept
cdef void dict_free(fk_dict *d) noexcept
cdef fk_entry *dict_find(fk_dict *d, const char *k, size_t n) noexcept
cdef fk_entry *dict_add(fk_dict *d, const char *k, size_t n, size_t extra) noexcept
cdef uint64_t dict_scan(fk_dict *d, uint64_t cursor, void (*fn)(void *, fk_entry *) noexcept, void *priv) noexcept
cdef fk_entry *dict_random(fk_dict *d) noexcept
cdef fk_str *str_new(const char *p, size_t n) noexcept
cdef fk_str *str_reserve(fk_str *s, size_t n) noexcept
cdef size_t alloc_usable(void *p) noexcept
