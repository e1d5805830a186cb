# cython: language_level=3
"""Thin Python handle on one hash value (csrc/fk_t_hash.h), for its unit
tests (tests/test_cstructs_hash.py).  Not used by the server.

A Hash owns a free-standing fk_entry (not in any keyspace) whose v.ptr and
meta are the hash, exactly as a keyspace entry holds one; the type table's
row frees and duplicates it."""
from libc.string cimport memset
from libc.stdint cimport uint64_t
from fastkv._core.cdefs cimport (fk_entry, fk_malloc, fk_free, fk_used_memory, fk_sh,
    fk_objtype, fk_objtype_of, fk_dict, fk_dict_size, fk_dict_buckets, fk_dict_is_rehashing,
    OBJ_HASH, ENC_LISTPACK, ENC_HT)
from fastkv._core.cdefs_hash cimport *
from fastkv._core.shared cimport attach

attach()

cdef extern from "<stdlib.h>" nogil:
    void srandom(unsigned int seed)


def seed(unsigned int s):
    srandom(s)

def used_memory():
    return fk_used_memory()

def set_limits(size_t entries, size_t value):
    """hash-max-listpack-entries / -value; returns the previous pair."""
    old = (fk_sh.hash_max_listpack_entries, fk_sh.hash_max_listpack_value)
    fk_sh.hash_max_listpack_entries = entries
    fk_sh.hash_max_listpack_value = value
    return old


cdef class Hash:
    cdef fk_entry *e

    def __cinit__(self, bint empty=False):
        self.e = <fk_entry *>fk_malloc(sizeof(fk_entry))
        memset(self.e, 0, sizeof(fk_entry))
        if not empty:
            self.e.meta = OBJ_HASH | (ENC_LISTPACK << 4) | (12345 << 8)
            self.e.v.ptr = fk_hash_new()

    def __dealloc__(self):
        self._release()

    cdef _release(self):
        if self.e != NULL:
            if self.e.v.ptr != NULL:
                fk_objtype_of(self.e).free(self.e)
            fk_free(self.e)
            self.e = NULL

    def free(self):
        """Release now (to measure leaks)."""
        self._release()

    @property
    def encoding(self):
        return fk_objtype_of(self.e).enc_name.decode()

    @property
    def lru(self):
        return self.e.meta >> 8

    def __len__(self):
        return fk_hash_len(self.e)

    def set(self, bytes f, bytes v):
        return fk_hash_set(self.e, f, len(f), v, len(v))

    def get(self, bytes f):
        cdef char buf[FK_HASH_BUF]
        cdef const char *v
        cdef size_t n
        if fk_hash_get(self.e, f, len(f), &v, &n, buf):
            return v[:n]
        return None

    def exists(self, bytes f):
        return bool(fk_hash_exists(self.e, f, len(f)))

    def delete(self, bytes f):
        return fk_hash_delete(self.e, f, len(f))

    def try_conversion(self, size_t maxlen, size_t total):
        fk_hash_try_conversion(self.e, maxlen, total)

    def convert(self):
        fk_hash_convert(self.e)

    def items(self):
        """[(field, value)] in iteration order."""
        cdef fk_hash_iter it
        cdef const char *p
        cdef size_t n
        out = []
        fk_hash_iter_init(&it, self.e)
        while fk_hash_iter_next(&it):
            p = fk_hash_iter_field(&it, &n)
            f = p[:n]
            p = fk_hash_iter_value(&it, &n)
            out.append((f, p[:n]))
        return out

    def scan(self, uint64_t cursor, long long count):
        """One HSCAN step on a hashtable: (next cursor, [(field, value)])."""
        cdef fk_hash_evec vec
        cdef const char *p
        cdef size_t n, i
        vec.v = NULL
        vec.n = vec.cap = 0
        fk_hash_ht_scan(self.e, &cursor, count, &vec)
        out = []
        try:
            for i in range(vec.n):
                p = fk_hash_entry_field(vec.v[i], &n)
                f = p[:n]
                p = fk_hash_entry_value(vec.v[i], &n)
                out.append((f, p[:n]))
        finally:
            fk_hash_evec_free(&vec)
        return cursor, out

    def random_field(self):
        cdef const char *p
        cdef size_t n
        p = fk_hash_entry_field(fk_hash_ht_random(self.e), &n)
        return p[:n]

    def random_unique(self, size_t count):
        """HRANDFIELD's unique cases 3 and 4 on a hashtable: [field]."""
        cdef fk_hash_evec vec
        cdef const char *p
        cdef size_t n, i
        vec.v = NULL
        vec.n = vec.cap = 0
        out = []
        try:
            if fk_hash_ht_random_unique(self.e, count, &vec) != 0:
                raise MemoryError()
            for i in range(vec.n):
                p = fk_hash_entry_field(vec.v[i], &n)
                out.append(p[:n])
        finally:
            fk_hash_evec_free(&vec)
        return out

    def dup(self):
        """COPY through the type table's row: an independent Hash."""
        cdef Hash h = Hash(True)
        h.e.meta = self.e.meta
        if fk_objtype_of(self.e).dup(self.e, h.e) != 0:
            raise MemoryError()
        return h

    def mem_usage(self, size_t samples=0):
        return fk_objtype_of(self.e).mem_usage(self.e, samples)

    def free_effort(self):
        cdef const fk_objtype *t = fk_objtype_of(self.e)
        return 1 if t.free_effort == NULL else t.free_effort(self.e)

    def dict_stats(self):
        """(size, buckets, rehashing) of a hashtable encoding."""
        cdef fk_dict *d = <fk_dict *>self.e.v.ptr
        return fk_dict_size(d), fk_dict_buckets(d), bool(fk_dict_is_rehashing(d))

    def listpack_bytes(self):
        return fk_lp_bytes(<unsigned char *>self.e.v.ptr)
