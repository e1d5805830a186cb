# cython: language_level=3
"""Thin Python handles on the C structures, for their unit tests
(tests/test_cstructs.py).  Not used by the server."""
from libc.stdint cimport uint64_t
from libc.string cimport memcpy
from fastkv._core.cdefs cimport *
from fastkv._core.shared cimport attach

attach()

cdef fk_dict_type PLAIN_TYPE
PLAIN_TYPE.entry_free = NULL

cdef void _collect(void *priv, fk_entry *e) noexcept:
    try:
        (<list>priv).append(e.key[:fk_entry_klen(e)])
    except BaseException:
        pass


cdef class CDict:
    """An fk_dict of bytes -> int."""
    cdef fk_dict *d

    def __cinit__(self):
        self.d = fk_dict_new(&PLAIN_TYPE)

    def __dealloc__(self):
        fk_dict_free(self.d)

    def __len__(self):
        return fk_dict_size(self.d)

    def set(self, bytes k, long long v):
        cdef fk_entry *e = fk_dict_find(self.d, k, len(k))
        if e == NULL:
            e = fk_dict_add(self.d, k, len(k), 0)
        e.v.i = v

    def set_extra(self, bytes k, bytes extra):
        """Store bytes inline after the key (resizing the entry)."""
        cdef fk_entry *e = fk_dict_find(self.d, k, len(k))
        if e == NULL:
            e = fk_dict_add(self.d, k, len(k), len(extra))
        else:
            e = fk_dict_resize_entry(self.d, e, len(extra))
        memcpy(fk_entry_extra(e), <const char *>extra, len(extra))
        e.v.u = len(extra)

    def get_extra(self, bytes k):
        cdef fk_entry *e = fk_dict_find(self.d, k, len(k))
        if e == NULL:
            return None
        return fk_entry_extra(e)[:e.v.u]

    def get(self, bytes k):
        cdef fk_entry *e = fk_dict_find(self.d, k, len(k))
        return None if e == NULL else e.v.i

    def delete(self, bytes k):
        return fk_dict_delete(self.d, k, len(k)) == 1

    def scan(self, uint64_t cursor):
        cdef list out = []
        cursor = fk_dict_scan(self.d, cursor, _collect, <void *>out)
        return cursor, out

    def rehash(self, int n):
        return fk_dict_rehash(self.d, n)

    def expand(self, uint64_t n):
        return fk_dict_expand(self.d, n)

    def shrink_if_needed(self):
        return fk_dict_shrink_if_needed(self.d)

    def random_key(self):
        cdef fk_entry *e = fk_dict_random(self.d)
        return None if e == NULL else e.key[:fk_entry_klen(e)]

    @property
    def rehashing(self):
        return fk_dict_is_rehashing(self.d) != 0

    @property
    def sizes(self):
        return (self.d.size[0], self.d.size[1])

    def clear(self):
        fk_dict_clear(self.d)


cdef class CStr:
    """An fk_str, for the growth and zero-fill tests."""
    cdef fk_str *s

    def __cinit__(self, bytes init=b""):
        self.s = fk_str_new(init, len(init))

    def __dealloc__(self):
        fk_free(self.s)

    def append(self, bytes b):
        self.s = fk_str_reserve(self.s, self.s.len + len(b))
        memcpy(self.s.buf + self.s.len, <const char *>b, len(b))
        self.s.len += len(b)

    def value(self):
        return self.s.buf[:self.s.len]

    @property
    def alloc(self):
        return self.s.alloc


def string2ll(bytes s):
    cdef long long v
    return v if fk_string2ll(s, len(s), &v) else None

def ld2string(double d):
    cdef char buf[5200]
    cdef int n = fk_ld2string(buf, sizeof(buf), <long double>d)
    return buf[:n]

def stringmatch(bytes pattern, bytes s, bint nocase=False):
    return fk_stringmatchlen(pattern, len(pattern), s, len(s), nocase) == 1

def used_memory():
    return fk_used_memory()
