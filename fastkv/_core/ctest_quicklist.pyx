# cython: language_level=3
"""Test handle of the quicklist (csrc/fk_quicklist.c) and of fk_lzf, for
tests/test_cstructs_quicklist.py: thin Python methods over the C calls,
no logic of their own."""
from libc.stdlib cimport malloc, free
from fastkv._core.cdefs cimport fk_used_memory
from fastkv._core.cdefs_list cimport *
from fastkv._core.shared cimport attach

attach()


cdef bytes entry_bytes(fk_qlentry *e):
    if e.value != NULL:
        return e.value[:e.sz]
    return str(e.longval).encode()


def lzf_compress(bytes data, int out_len=-1):
    cdef unsigned int n = len(data)
    if out_len < 0:
        out_len = n + 64
    cdef unsigned char *out = <unsigned char *>malloc(out_len + 1)
    try:
        k = fk_lzf_compress(<const char *>data, n, out, out_len)
        return out[:k] if k else None
    finally:
        free(out)


def lzf_decompress(bytes data, int out_len):
    cdef unsigned char *out = <unsigned char *>malloc(out_len + 1)
    try:
        k = fk_lzf_decompress(<const char *>data, len(data), out, out_len)
        return out[:k] if k else None
    finally:
        free(out)


def used_memory():
    return fk_used_memory()


cdef class QuickList:
    cdef fk_quicklist *ql

    def __cinit__(self, int fill=-2, int compress=0):
        self.ql = fk_ql_new(fill, compress)

    def __dealloc__(self):
        if self.ql != NULL:
            fk_ql_release(self.ql)

    def release(self):
        fk_ql_release(self.ql)
        self.ql = NULL

    def dup(self):
        cdef QuickList q = QuickList.__new__(QuickList)
        fk_ql_release(q.ql)
        q.ql = fk_ql_dup(self.ql)
        return q

    def __len__(self):
        return self.ql.count

    @property
    def nodes(self):
        return self.ql.len

    def node_info(self):
        """[(count, sz, compressed)] head to tail."""
        out = []
        cdef fk_qlnode *n = self.ql.head
        while n != NULL:
            out.append((n.count, n.sz, n.encoding == FK_QL_NODE_LZF))
            n = n.next
        return out

    def push_head(self, bytes v):
        fk_ql_push_head(self.ql, <const char *>v, len(v))

    def push_tail(self, bytes v):
        fk_ql_push_tail(self.ql, <const char *>v, len(v))

    def pop(self, bint head):
        cdef unsigned char *p = fk_ql_peek(self.ql, FK_QL_HEAD if head else FK_QL_TAIL)
        cdef unsigned int slen
        cdef long long lv
        cdef unsigned char *s
        if p == NULL:
            return None
        s = fk_lp_get_value(p, &slen, &lv)
        v = s[:slen] if s != NULL else str(lv).encode()
        fk_ql_del_end(self.ql, FK_QL_HEAD if head else FK_QL_TAIL)
        return v

    def items(self, bint reverse=False):
        cdef fk_qliter it
        cdef fk_qlentry e
        out = []
        fk_ql_iter_init(&it, self.ql, FK_QL_START_TAIL if reverse else FK_QL_START_HEAD)
        while fk_ql_next(&it, &e):
            out.append(entry_bytes(&e))
        fk_ql_iter_release(&it)
        return out

    def range(self, long long start, long n, bint reverse=False):
        """n elements from index start, towards the tail (or the head)."""
        cdef fk_qliter it
        cdef fk_qlentry e
        out = []
        if not fk_ql_iter_init_at(&it, self.ql, FK_QL_START_TAIL if reverse else FK_QL_START_HEAD, start):
            return out
        while n > 0 and fk_ql_next(&it, &e):
            out.append(entry_bytes(&e))
            n -= 1
        fk_ql_iter_release(&it)
        return out

    def index(self, long long idx):
        cdef fk_qliter it
        cdef fk_qlentry e
        if not fk_ql_iter_init_at(&it, self.ql, FK_QL_START_TAIL, idx):
            return None
        fk_ql_next(&it, &e)
        v = entry_bytes(&e)
        fk_ql_iter_release(&it)
        return v

    def insert(self, bytes pivot, bytes v, bint after):
        """LINSERT: before/after the first element equal to pivot; True if found."""
        cdef fk_qliter it
        cdef fk_qlentry e
        found = False
        fk_ql_iter_init(&it, self.ql, FK_QL_START_HEAD)
        while fk_ql_next(&it, &e):
            if fk_ql_compare(&e, <const char *>pivot, len(pivot)):
                if after:
                    fk_ql_insert_after(&it, &e, <const char *>v, len(v))
                else:
                    fk_ql_insert_before(&it, &e, <const char *>v, len(v))
                found = True
                break
        fk_ql_iter_release(&it)
        return found

    def insert_at(self, long long idx, bytes v, bint after):
        cdef fk_qliter it
        cdef fk_qlentry e
        if not fk_ql_iter_init_at(&it, self.ql, FK_QL_START_HEAD, idx):
            return False
        fk_ql_next(&it, &e)
        if after:
            fk_ql_insert_after(&it, &e, <const char *>v, len(v))
        else:
            fk_ql_insert_before(&it, &e, <const char *>v, len(v))
        fk_ql_iter_release(&it)
        return True

    def replace(self, long idx, bytes v):
        return bool(fk_ql_replace_at_index(self.ql, idx, <const char *>v, len(v)))

    def remove(self, bytes v, long count):
        """LREM semantics; returns the number removed."""
        cdef fk_qliter it
        cdef fk_qlentry e
        cdef long removed = 0
        if count < 0:
            count = -count
            fk_ql_iter_init(&it, self.ql, FK_QL_START_TAIL)
        else:
            fk_ql_iter_init(&it, self.ql, FK_QL_START_HEAD)
        while fk_ql_next(&it, &e):
            if fk_ql_compare(&e, <const char *>v, len(v)):
                fk_ql_del_entry(&it, &e)
                removed += 1
                if count and removed == count:
                    break
        fk_ql_iter_release(&it)
        return removed

    def del_range(self, long start, long count):
        return fk_ql_del_range(self.ql, start, count)

    def check(self):
        return fk_ql_check(self.ql)

    def mem_usage(self, size_t samples=0):
        return fk_ql_mem_usage(self.ql, samples)

    def resp_all(self):
        """Every element as RESP bulk strings, written by fk_ql_write_bulk."""
        cdef fk_qlnode *n = self.ql.head
        cdef unsigned char *lp
        cdef unsigned char *p
        cdef char *buf
        cdef char *w
        out = []
        while n != NULL:
            buf = <char *>malloc(fk_ql_node_resp_bound(n, -1))
            lp = fk_ql_node_lp(n)
            p = fk_lp_first(lp)
            w = buf
            while p != NULL:
                w = fk_ql_write_bulk(w, p)
                p = fk_lp_next(lp, p)
            fk_ql_node_done(self.ql, n)
            out.append(buf[:w - buf])
            free(buf)
            n = n.next
        return b"".join(out)
