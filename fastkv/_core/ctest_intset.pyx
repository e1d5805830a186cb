# cython: language_level=3
"""Thin Python handles on csrc/fk_intset.c and the set encodings of
csrc/fk_t_set.c, for their unit tests (tests/test_cstructs_intset.py).
Not used by the server."""
from libc.stdint cimport int64_t, uint8_t, uint32_t
from libc.string cimport memcpy
from fastkv._core.cdefs cimport *
from fastkv._core.cdefs_set cimport *
from fastkv._core.shared cimport attach

attach()


cdef class IntSet:
    """An fk_intset."""
    cdef fk_intset *s

    def __cinit__(self):
        self.s = fk_intset_new()

    def __dealloc__(self):
        if self.s != NULL:
            fk_free(self.s)

    def add(self, int64_t v):
        cdef uint8_t ok = 0
        self.s = fk_intset_add(self.s, v, &ok)
        return bool(ok)

    def remove(self, int64_t v):
        cdef int ok = 0
        self.s = fk_intset_remove(self.s, v, &ok)
        return bool(ok)

    def find(self, int64_t v):
        return bool(fk_intset_find(self.s, v))

    def get(self, uint32_t pos):
        cdef int64_t v
        if not fk_intset_get(self.s, pos, &v):
            return None
        return v

    def random(self):
        return fk_intset_random(self.s)

    def __len__(self):
        return fk_intset_len(self.s)

    @property
    def encoding(self):
        return self.s.encoding

    def items(self):
        return [fk_intset_at(self.s, i) for i in range(fk_intset_len(self.s))]

    def blob(self):
        """The intset's bytes (what RDB and DUMP hold)."""
        return (<char *>self.s)[:fk_intset_blob_len(self.s)]

    def usable(self):
        return fk_usable(self.s)

    @staticmethod
    def validate(bytes b):
        return bool(fk_intset_validate(<const unsigned char *><char *>b, len(b)))


cdef class CSet:
    """A set value in a scratch fk_entry (both encodings, with conversion at
    fk_sh.set_max_intset_entries)."""
    cdef fk_entry *e

    def __cinit__(self, bytes first=None):
        self.e = <fk_entry *>fk_malloc(sizeof(fk_entry))
        self.e.next = NULL
        self.e.klen = 0
        self.e.meta = 0
        if first is None:
            fk_set_init_tmp(self.e)
        else:
            fk_set_init_for(self.e, first, len(first))

    def __dealloc__(self):
        if self.e != NULL:
            fk_set_release(self.e)
            fk_free(self.e)

    def add(self, bytes m):
        return bool(fk_set_add(self.e, m, len(m)))

    def remove(self, bytes m):
        return bool(fk_set_remove(self.e, m, len(m)))

    def ismember(self, bytes m):
        return bool(fk_set_ismember(self.e, m, len(m)))

    def __len__(self):
        return fk_set_size(self.e)

    @property
    def encoding(self):
        return fk_objtype_of(self.e).enc_name.decode()

    def random(self):
        cdef const char *p = NULL
        cdef size_t n = 0
        cdef int64_t ll = 0
        if fk_set_random(self.e, &p, &n, &ll) == ENC_INTSET:
            return str(ll).encode()
        return p[:n]

    def members(self):
        cdef fk_set_iter it
        cdef const char *p = NULL
        cdef size_t n = 0
        cdef int64_t ll = 0
        cdef int enc
        out = []
        fk_set_iter_init(&it, self.e)
        while True:
            enc = fk_set_next(&it, &p, &n, &ll)
            if enc < 0:
                break
            out.append(str(ll).encode() if enc == ENC_INTSET else p[:n])
        return out

    def dup_members(self):
        """COPY through the type row: the duplicate's members and encoding."""
        cdef const fk_objtype *t = fk_objtype_of(self.e)
        cdef CSet other = CSet.__new__(CSet)
        fk_set_release(other.e)
        other.e.meta = 0
        if t.dup(self.e, other.e) != 0:
            raise MemoryError()
        return other

    def mem_usage(self, size_t samples=0):
        return fk_objtype_of(self.e).mem_usage(self.e, samples)

    def free_effort(self):
        cdef const fk_objtype *t = fk_objtype_of(self.e)
        return 1 if t.free_effort == NULL else t.free_effort(self.e)


def set_max_intset_entries(size_t n=0, bint set=False):
    """Reads (and with set=True, sets) fk_sh.set_max_intset_entries."""
    old = fk_sh.set_max_intset_entries
    if set:
        fk_sh.set_max_intset_entries = n
    return old
