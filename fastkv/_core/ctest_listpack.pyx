# cython: language_level=3
"""Thin Python handle on one fk_listpack, for its unit tests
(tests/test_cstructs_listpack.py).  Not used by the server."""
from libc.stdint cimport uint32_t, int64_t
from fastkv._core.shared cimport attach

attach()

cdef extern from "fk_listpack.h" nogil:
    enum:
        FK_LP_INTBUF_SIZE
        FK_LP_BEFORE
        FK_LP_AFTER
        FK_LP_REPLACE
    ctypedef struct fk_lp_entry:
        unsigned char *sval
        uint32_t slen
        long long lval
    unsigned char *fk_lp_new(size_t capacity)
    void fk_lp_free(unsigned char *lp)
    unsigned char *fk_lp_shrink_to_fit(unsigned char *lp)
    unsigned char *fk_lp_dup(const unsigned char *lp)
    size_t fk_lp_bytes(const unsigned char *lp)
    unsigned long fk_lp_length(const unsigned char *lp)
    unsigned char *fk_lp_insert_string(unsigned char *lp, const unsigned char *s, uint32_t slen,
                                       unsigned char *p, int where, unsigned char **newp)
    unsigned char *fk_lp_insert_integer(unsigned char *lp, long long lval,
                                        unsigned char *p, int where, unsigned char **newp)
    unsigned char *fk_lp_prepend(unsigned char *lp, const unsigned char *s, uint32_t slen)
    unsigned char *fk_lp_prepend_integer(unsigned char *lp, long long lval)
    unsigned char *fk_lp_append(unsigned char *lp, const unsigned char *s, uint32_t slen)
    unsigned char *fk_lp_append_integer(unsigned char *lp, long long lval)
    unsigned char *fk_lp_replace(unsigned char *lp, unsigned char **p, const unsigned char *s, uint32_t slen)
    unsigned char *fk_lp_replace_integer(unsigned char *lp, unsigned char **p, long long lval)
    unsigned char *fk_lp_delete(unsigned char *lp, unsigned char *p, unsigned char **newp)
    unsigned char *fk_lp_delete_range_with_entry(unsigned char *lp, unsigned char **p, unsigned long num)
    unsigned char *fk_lp_delete_range(unsigned char *lp, long index, unsigned long num)
    unsigned char *fk_lp_batch_delete(unsigned char *lp, unsigned char **ps, unsigned long count)
    unsigned char *fk_lp_merge(unsigned char **first, unsigned char **second)
    unsigned char *fk_lp_first(unsigned char *lp)
    unsigned char *fk_lp_last(unsigned char *lp)
    unsigned char *fk_lp_next(unsigned char *lp, unsigned char *p)
    unsigned char *fk_lp_prev(unsigned char *lp, unsigned char *p)
    unsigned char *fk_lp_seek(unsigned char *lp, long index)
    unsigned char *fk_lp_get_value(unsigned char *p, unsigned int *slen, long long *lval)
    unsigned char *fk_lp_get(unsigned char *p, int64_t *len, unsigned char *buf)
    unsigned char *fk_lp_find(unsigned char *lp, unsigned char *p, const unsigned char *s,
                              uint32_t slen, unsigned int skip)
    int fk_lp_compare(unsigned char *p, const unsigned char *s, uint32_t slen)
    void fk_lp_random_pair(unsigned char *lp, unsigned long total_count, fk_lp_entry *key, fk_lp_entry *val)
    void fk_lp_random_pairs(unsigned char *lp, unsigned int count, fk_lp_entry *keys, fk_lp_entry *vals)
    unsigned int fk_lp_random_pairs_unique(unsigned char *lp, unsigned int count, fk_lp_entry *keys, fk_lp_entry *vals)
    int fk_lp_validate(const unsigned char *lp, size_t size, int deep)
    int fk_lp_string_to_int64(const char *s, unsigned long slen, int64_t *value)

cdef extern from "<stdlib.h>" nogil:
    void srandom(unsigned int seed)

cdef extern from "fk_alloc.h" nogil:
    void *fk_malloc(size_t n)
    void fk_free(void *p)
    size_t fk_usable(void *p)

BEFORE = FK_LP_BEFORE
AFTER = FK_LP_AFTER
REPLACE = FK_LP_REPLACE


cdef object _value(unsigned char *p):
    """bytes for a string element, int for an integer one."""
    cdef unsigned int slen = 0
    cdef long long lval = 0
    cdef unsigned char *s = fk_lp_get_value(p, &slen, &lval)
    if s == NULL:
        return lval
    return s[:slen]


cdef object _text(unsigned char *p):
    cdef unsigned char buf[FK_LP_INTBUF_SIZE]
    cdef int64_t n = 0
    cdef unsigned char *s = fk_lp_get(p, &n, buf)
    return s[:n]


cdef object _entry(fk_lp_entry *e):
    if e.sval == NULL:
        return e.lval
    return e.sval[:e.slen]


def string_to_int64(bytes s):
    cdef int64_t v = 0
    if fk_lp_string_to_int64(s, len(s), &v):
        return v
    return None


def seed(unsigned int s):
    srandom(s)


def validate_bytes(bytes data, bint deep=True):
    """fk_lp_validate on a copy of `data` (in its own allocation)."""
    cdef size_t n = len(data)
    cdef unsigned char *buf = <unsigned char *>fk_malloc(n if n else 1)
    cdef int r
    try:
        for i in range(n):
            buf[i] = data[i]
        r = fk_lp_validate(buf, n, deep)
    finally:
        fk_free(buf)
    return bool(r)


cdef class LP:
    """One listpack.  Elements read back as bytes (strings) or int
    (integer-encoded elements); text() gives everything as bytes."""
    cdef unsigned char *lp

    def __cinit__(self, size_t capacity=0):
        self.lp = fk_lp_new(capacity)

    def __dealloc__(self):
        if self.lp != NULL:
            fk_lp_free(self.lp)

    cdef unsigned char *_at(self, long index) except NULL:
        cdef unsigned char *p = fk_lp_seek(self.lp, index)
        if p == NULL:
            raise IndexError(index)
        return p

    cdef _set(self, unsigned char *lp):
        if lp == NULL:
            raise MemoryError("listpack over 4 GiB")
        self.lp = lp

    def __len__(self):
        return fk_lp_length(self.lp)

    def nbytes(self):
        return fk_lp_bytes(self.lp)

    def usable(self):
        return fk_usable(self.lp)

    def bytes(self):
        return self.lp[:fk_lp_bytes(self.lp)]

    def header_count(self):
        return self.lp[4] | (self.lp[5] << 8)

    def validate(self, bint deep=True):
        return bool(fk_lp_validate(self.lp, fk_lp_bytes(self.lp), deep))

    def shrink(self):
        self._set(fk_lp_shrink_to_fit(self.lp))

    def dup(self):
        cdef LP o = LP()
        fk_lp_free(o.lp)
        o.lp = fk_lp_dup(self.lp)
        return o

    # -- adding ---------------------------------------------------------
    def append(self, x):
        if isinstance(x, int):
            self._set(fk_lp_append_integer(self.lp, x))
        else:
            self._set(fk_lp_append(self.lp, <bytes>x, len(x)))

    def prepend(self, x):
        if isinstance(x, int):
            self._set(fk_lp_prepend_integer(self.lp, x))
        else:
            self._set(fk_lp_prepend(self.lp, <bytes>x, len(x)))

    def insert(self, long index, x, int where=FK_LP_BEFORE):
        """Insert before/after the element at index; returns the index of the
        new element as found through the newp pointer."""
        cdef unsigned char *p = self._at(index)
        cdef unsigned char *newp = NULL
        if isinstance(x, int):
            self._set(fk_lp_insert_integer(self.lp, x, p, where, &newp))
        else:
            self._set(fk_lp_insert_string(self.lp, <bytes>x, len(x), p, where, &newp))
        return self._index_of(newp)

    def replace(self, long index, x):
        cdef unsigned char *p = self._at(index)
        if isinstance(x, int):
            self._set(fk_lp_replace_integer(self.lp, &p, x))
        else:
            self._set(fk_lp_replace(self.lp, &p, <bytes>x, len(x)))
        return self._index_of(p)

    def insert_replace(self, long index, x):
        """insert_* with where=REPLACE."""
        cdef unsigned char *p = self._at(index)
        cdef unsigned char *newp = NULL
        if isinstance(x, int):
            self._set(fk_lp_insert_integer(self.lp, x, p, FK_LP_REPLACE, &newp))
        else:
            self._set(fk_lp_insert_string(self.lp, <bytes>x, len(x), p, FK_LP_REPLACE, &newp))
        return self._index_of(newp)

    cdef long _index_of(self, unsigned char *q):
        """Position of element pointer q (-1 for NULL)."""
        if q == NULL:
            return -1
        cdef long i = 0
        cdef unsigned char *p = fk_lp_first(self.lp)
        while p != NULL and p != q:
            p = fk_lp_next(self.lp, p)
            i += 1
        if p == NULL:
            raise AssertionError("pointer not on an element")
        return i

    # -- removing -------------------------------------------------------
    def delete(self, long index):
        """Delete the element at index; returns the index of the next one
        (through newp) or -1."""
        cdef unsigned char *p = self._at(index)
        cdef unsigned char *newp = NULL
        self._set(fk_lp_delete(self.lp, p, &newp))
        return self._index_of(newp)

    def delete_range(self, long index, unsigned long num):
        self._set(fk_lp_delete_range(self.lp, index, num))

    def delete_range_with_entry(self, long index, unsigned long num):
        cdef unsigned char *p = self._at(index)
        self._set(fk_lp_delete_range_with_entry(self.lp, &p, num))
        return self._index_of(p)

    def batch_delete(self, indexes):
        """Delete the elements at these (distinct, ascending) indexes."""
        cdef unsigned long n = len(indexes)
        cdef unsigned char **ps = <unsigned char **>fk_malloc(sizeof(unsigned char *) * (n + 1))
        cdef unsigned long j = 0
        cdef long i = 0
        cdef unsigned char *p = fk_lp_first(self.lp)
        try:
            want = list(indexes)
            while p != NULL and j < n:
                if i == want[j]:
                    ps[j] = p
                    j += 1
                p = fk_lp_next(self.lp, p)
                i += 1
            if j != n:
                raise IndexError("batch_delete: indexes must be ascending and in range")
            self._set(fk_lp_batch_delete(self.lp, ps, n))
        finally:
            fk_free(ps)

    def merge(self, LP other):
        """lpMerge(self, other): self gets the result, other is left empty
        (a fresh listpack).  Returns which side was kept: 'first'/'second'."""
        cdef unsigned char *a = self.lp
        cdef unsigned char *b = other.lp
        cdef unsigned char *r = fk_lp_merge(&a, &b)
        if r == NULL:
            raise ValueError("merge refused")
        kept = "first" if a != NULL else "second"
        self.lp = r
        other.lp = fk_lp_new(0)
        return kept

    # -- reading --------------------------------------------------------
    def get(self, long index):
        return _value(self._at(index))

    def get_text(self, long index):
        return _text(self._at(index))

    def has(self, long index):
        return fk_lp_seek(self.lp, index) != NULL

    def items(self):
        cdef list out = []
        cdef unsigned char *p = fk_lp_first(self.lp)
        while p != NULL:
            out.append(_value(p))
            p = fk_lp_next(self.lp, p)
        return out

    def text(self):
        cdef list out = []
        cdef unsigned char *p = fk_lp_first(self.lp)
        while p != NULL:
            out.append(_text(p))
            p = fk_lp_next(self.lp, p)
        return out

    def items_reversed(self):
        cdef list out = []
        cdef unsigned char *p = fk_lp_last(self.lp)
        while p != NULL:
            out.append(_value(p))
            p = fk_lp_prev(self.lp, p)
        return out

    def find(self, bytes s, long start=0, unsigned int skip=0):
        """Index of the first element equal to s from start (every skip+1-th), or -1."""
        cdef unsigned char *p = fk_lp_seek(self.lp, start)
        if p == NULL:
            return -1
        return self._index_of(fk_lp_find(self.lp, p, s, len(s), skip))

    def compare(self, long index, bytes s):
        return bool(fk_lp_compare(self._at(index), s, len(s)))

    # -- random ---------------------------------------------------------
    def random_pair(self):
        cdef fk_lp_entry k, v
        cdef unsigned long total = fk_lp_length(self.lp) // 2
        if total == 0:
            raise ValueError("empty")
        fk_lp_random_pair(self.lp, total, &k, &v)
        return _entry(&k), _entry(&v)

    def random_pairs(self, unsigned int count, bint with_values=True):
        cdef fk_lp_entry *ks = <fk_lp_entry *>fk_malloc(sizeof(fk_lp_entry) * (count + 1))
        cdef fk_lp_entry *vs = <fk_lp_entry *>fk_malloc(sizeof(fk_lp_entry) * (count + 1))
        try:
            fk_lp_random_pairs(self.lp, count, ks, vs if with_values else NULL)
            if with_values:
                return [(_entry(&ks[i]), _entry(&vs[i])) for i in range(count)]
            return [_entry(&ks[i]) for i in range(count)]
        finally:
            fk_free(ks)
            fk_free(vs)

    def random_pairs_unique(self, unsigned int count, bint with_values=True):
        cdef fk_lp_entry *ks = <fk_lp_entry *>fk_malloc(sizeof(fk_lp_entry) * (count + 1))
        cdef fk_lp_entry *vs = <fk_lp_entry *>fk_malloc(sizeof(fk_lp_entry) * (count + 1))
        cdef unsigned int n
        try:
            n = fk_lp_random_pairs_unique(self.lp, count, ks, vs if with_values else NULL)
            if with_values:
                return [(_entry(&ks[i]), _entry(&vs[i])) for i in range(n)]
            return [_entry(&ks[i]) for i in range(n)]
        finally:
            fk_free(ks)
            fk_free(vs)
