# cython: language_level=3
"""Thin Python handles on csrc/fk_zset (the skiplist + member table, and
the sorted-set value in either encoding), for tests/test_cstructs_skiplist.py.
Not used by the server."""
from libc.string cimport memset
from fastkv._core.cdefs cimport *
from fastkv._core.cdefs_zset cimport *
from fastkv._core.shared cimport attach

attach()


cdef void _collect(void *priv, fk_zsl_node *x) noexcept:
    try:
        (<list>priv).append(fk_zsl_member(x)[:x.mlen])
    except BaseException:
        pass


cdef class Skiplist:
    """An fk_zset (skiplist encoding) of bytes members."""
    cdef fk_zset *zs

    def __cinit__(self):
        self.zs = fk_zset_new()

    def __dealloc__(self):
        if self.zs != NULL:
            fk_zset_free(self.zs)

    def __len__(self):
        return self.zs.length

    def add(self, bytes m, double score):
        """Insert or update; returns True if the member was new."""
        cdef fk_zsl_node *x = fk_zset_find(self.zs, m, len(m))
        if x != NULL:
            fk_zset_update_score(self.zs, x, score)
            return False
        fk_zset_insert(self.zs, score, m, len(m))
        return True

    def remove(self, bytes m):
        cdef fk_zsl_node *x = fk_zset_find(self.zs, m, len(m))
        if x == NULL:
            return False
        fk_zset_remove(self.zs, x)
        return True

    def score(self, bytes m):
        cdef fk_zsl_node *x = fk_zset_find(self.zs, m, len(m))
        return None if x == NULL else x.score

    def rank(self, bytes m):
        """0-based rank, or None."""
        cdef fk_zsl_node *x = fk_zset_find(self.zs, m, len(m))
        if x == NULL:
            return None
        return fk_zsl_get_rank(self.zs, x) - 1

    def by_rank(self, unsigned long r):
        cdef fk_zsl_node *x = fk_zsl_by_rank(self.zs, r + 1)
        if x == NULL:
            return None
        return (fk_zsl_member(x)[:x.mlen], x.score)

    def items(self):
        cdef list out = []
        cdef fk_zsl_node *x = self.zs.header.forward[0]
        while x != NULL:
            out.append((fk_zsl_member(x)[:x.mlen], x.score))
            x = x.forward[0]
        return out

    def items_backward(self):
        cdef list out = []
        cdef fk_zsl_node *x = self.zs.tail
        while x != NULL:
            out.append((fk_zsl_member(x)[:x.mlen], x.score))
            x = x.backward
        return out

    def first_in_range(self, bytes mn, bytes mx, bint last=False):
        cdef fk_zrangespec r
        if fk_zset_parse_range(mn, len(mn), mx, len(mx), &r):
            raise ValueError("bad range")
        cdef fk_zsl_node *x = fk_zsl_last_in_range(self.zs, &r) if last else fk_zsl_first_in_range(self.zs, &r)
        return None if x == NULL else fk_zsl_member(x)[:x.mlen]

    def first_in_lex_range(self, bytes mn, bytes mx, bint last=False):
        cdef fk_zlexrangespec r
        if fk_zset_parse_lex_range(mn, len(mn), mx, len(mx), &r):
            raise ValueError("bad range")
        cdef fk_zsl_node *x = fk_zsl_last_in_lex_range(self.zs, &r) if last else fk_zsl_first_in_lex_range(self.zs, &r)
        return None if x == NULL else fk_zsl_member(x)[:x.mlen]

    def check(self):
        return fk_zset_check(self.zs)

    def level(self):
        return self.zs.level

    def ht_size(self):
        """Buckets of the table being built (the only one when not rehashing)."""
        return self.zs.ht_size[1] if self.zs.rehashidx >= 0 else self.zs.ht_size[0]

    def rehashing(self):
        return self.zs.rehashidx >= 0

    def rehash(self, int n=1000000):
        fk_zset_rehash(self.zs, n)

    def scan(self, unsigned long cursor):
        cdef list out = []
        cursor = fk_zset_scan(self.zs, cursor, _collect, <void *>out)
        return cursor, out

    def mem(self, size_t samples=0):
        return fk_zset_mem(self.zs, samples)

    def dup(self):
        cdef Skiplist s = Skiplist.__new__(Skiplist)
        fk_zset_free(s.zs)
        s.zs = fk_zset_dup(self.zs)
        return s


cdef class ZValue:
    """A sorted-set value in a stand-alone fk_entry, either encoding,
    driven through the same C API the commands use."""
    cdef fk_entry ent

    def __cinit__(self, bint skiplist=False):
        memset(&self.ent, 0, sizeof(fk_entry))
        cdef int enc = ENC_LISTPACK
        if skiplist:
            self.ent.v.ptr = fk_zset_new()
            enc = ENC_SKIPLIST
        else:
            self.ent.v.ptr = fk_zset_new_listpack()
        self.ent.meta = OBJ_ZSET | (enc << 4)

    def __dealloc__(self):
        fk_zset_value_free(self.ent.v.ptr, (self.ent.meta >> 4) & 0xF)

    def encoding(self):
        return "listpack" if ((self.ent.meta >> 4) & 0xF) == ENC_LISTPACK else "skiplist"

    def __len__(self):
        return fk_zset_length(&self.ent)

    def add(self, bytes m, double score, int flags=0):
        cdef int out = 0
        cdef double newscore = 0
        cdef int ok = fk_zset_add(&self.ent, score, m, len(m), flags, &out, &newscore)
        return ok, out, newscore

    def delete(self, bytes m):
        return fk_zset_del(&self.ent, m, len(m))

    def score(self, bytes m):
        cdef double s
        if fk_zset_score(&self.ent, m, len(m), &s):
            return s
        return None

    def rank(self, bytes m, bint reverse=False):
        cdef long r = fk_zset_rank(&self.ent, m, len(m), reverse, NULL)
        return None if r < 0 else r

    def items(self, bint reverse=False):
        cdef fk_zset_iter it
        cdef const char *p
        cdef size_t n
        cdef double s
        cdef list out = []
        cdef unsigned long ln = fk_zset_length(&self.ent)
        if ln == 0:
            return out
        fk_zset_iter_rank(&it, &self.ent, ln - 1 if reverse else 0)
        while fk_zset_iter_valid(&it):
            fk_zset_iter_get(&it, &p, &n, &s)
            out.append((p[:n], s))
            if reverse:
                fk_zset_iter_prev(&it)
            else:
                fk_zset_iter_next(&it)
        return out

    def convert(self, str enc):
        fk_zset_convert(&self.ent, ENC_LISTPACK if enc == "listpack" else ENC_SKIPLIST)

    def delete_rank(self, unsigned long start, unsigned long end):
        return fk_zset_delete_rank(&self.ent, start, end)

    def delete_score(self, bytes mn, bytes mx):
        cdef fk_zrangespec r
        if fk_zset_parse_range(mn, len(mn), mx, len(mx), &r):
            raise ValueError("bad range")
        return fk_zset_delete_score(&self.ent, &r)

    def delete_lex(self, bytes mn, bytes mx):
        cdef fk_zlexrangespec r
        if fk_zset_parse_lex_range(mn, len(mn), mx, len(mx), &r):
            raise ValueError("bad range")
        return fk_zset_delete_lex(&self.ent, &r)

    def check(self):
        if ((self.ent.meta >> 4) & 0xF) == ENC_SKIPLIST:
            return fk_zset_check(<fk_zset *>self.ent.v.ptr)
        return 0
