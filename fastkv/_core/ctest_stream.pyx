# cython: language_level=3
"""Thin Python handles on fk_rax and fk_stream, for their unit tests
(tests/test_cstructs_stream.py).  Not used by the server."""
from libc.stdint cimport uintptr_t, int64_t
from fastkv._core.shared cimport attach
from fastkv._core.cdefs_stream cimport *
from fastkv._core.cdefs cimport fk_sh

attach()


cdef class Rax:
    """fk_rax with Python ints as values."""
    cdef fk_rax *r
    cdef fk_rax_iter it
    cdef bint started

    def __cinit__(self):
        self.r = fk_rax_new()
        self.started = False

    def __dealloc__(self):
        if self.started:
            fk_rax_stop(&self.it)
        fk_rax_free(self.r, NULL)

    def insert(self, bytes k, long v):
        cdef void *old = NULL
        cdef int rc = fk_rax_insert(self.r, k, len(k), <void *><uintptr_t>v, &old)
        return rc, (<long><uintptr_t>old if rc == 0 else None)

    def try_insert(self, bytes k, long v):
        cdef void *old = NULL
        cdef int rc = fk_rax_try_insert(self.r, k, len(k), <void *><uintptr_t>v, &old)
        return rc, (<long><uintptr_t>old if rc == 0 else None)

    def remove(self, bytes k):
        cdef void *old = NULL
        cdef int rc = fk_rax_remove(self.r, k, len(k), &old)
        return rc, (<long><uintptr_t>old if rc else None)

    def find(self, bytes k):
        cdef void *v = NULL
        if fk_rax_find(self.r, k, len(k), &v):
            return <long><uintptr_t>v
        return None

    def size(self):
        return fk_rax_size(self.r)

    def mem_usage(self):
        return fk_rax_mem_usage(self.r)

    def seek(self, bytes op, bytes k=b""):
        if self.started:
            fk_rax_stop(&self.it)
        fk_rax_start(&self.it, self.r)
        self.started = True
        return fk_rax_seek(&self.it, op, k, len(k))

    def next(self):
        if not fk_rax_next(&self.it):
            return None
        return (self.it.key[:self.it.key_len], <long><uintptr_t>self.it.data)

    def prev(self):
        if not fk_rax_prev(&self.it):
            return None
        return (self.it.key[:self.it.key_len], <long><uintptr_t>self.it.data)

    def eof(self):
        return bool(fk_rax_eof(&self.it))


cdef class Stream:
    """fk_stream: append / range / delete / trim for unit tests."""
    cdef fk_stream *s

    def __cinit__(self):
        self.s = fk_stream_new()

    def __dealloc__(self):
        fk_stream_free(self.s)

    def append(self, list fv, id=None, bint seq_given=True):
        cdef fk_sv sv[64]
        cdef fk_streamid use, added
        cdef int i
        for i in range(len(fv)):
            sv[i].p = <bytes>fv[i]
            sv[i].n = len(fv[i])
        if id is not None:
            use.ms = id[0]
            use.seq = id[1]
        rc = fk_stream_append(self.s, sv, len(fv) // 2, &added, &use if id is not None else NULL, seq_given)
        if rc:
            return rc
        return (added.ms, added.seq)

    def range(self, start=(0, 0), end=(2**64 - 1, 2**64 - 1), bint rev=False):
        cdef fk_stream_iter si
        cdef fk_streamid a, b, id
        cdef int64_t nf, fl, vl
        cdef unsigned char *f
        cdef unsigned char *v
        a.ms, a.seq = start
        b.ms, b.seq = end
        out = []
        fk_stream_iter_start(&si, self.s, &a, &b, rev)
        while fk_stream_iter_get_id(&si, &id, &nf):
            fields = []
            while nf > 0:
                fk_stream_iter_get_field(&si, &f, &v, &fl, &vl)
                fields.append(f[:fl])
                fields.append(v[:vl])
                nf -= 1
            out.append(((id.ms, id.seq), fields))
        fk_stream_iter_stop(&si)
        return out

    def delete(self, id):
        cdef fk_streamid x
        x.ms, x.seq = id
        return fk_stream_delete_item(self.s, &x)

    def trim(self, int strategy, long long maxlen=0, minid=(0, 0), bint approx=False, long long limit=0):
        cdef fk_stream_trim_args a
        a.strategy = strategy
        a.maxlen = maxlen
        a.minid.ms, a.minid.seq = minid
        a.approx = approx
        a.limit = limit
        return fk_stream_trim(self.s, &a)

    def length(self):
        return self.s.length

    def nodes(self):
        return fk_rax_size(self.s.rax)

    def first_id(self):
        return (self.s.first_id.ms, self.s.first_id.seq)

    def dup_range(self):
        cdef fk_stream *d = fk_stream_dup(self.s)
        cdef Stream t = Stream()
        fk_stream_free(t.s)
        t.s = d
        return t.range()

    def node_bytes(self):
        """[(16-byte master key, listpack bytes)] in order: what an RDB/DUMP
        of the stream writes for its nodes."""
        cdef fk_rax_iter it
        cdef unsigned char *lp
        out = []
        fk_rax_start(&it, self.s.rax)
        fk_rax_seek(&it, b"^", NULL, 0)
        while fk_rax_next(&it):
            lp = <unsigned char *>it.data
            n = lp[0] | (lp[1] << 8) | (lp[2] << 16) | (<size_t>lp[3] << 24)
            out.append((it.key[:it.key_len], lp[:n]))
        fk_rax_stop(&it)
        return out


def set_node_limits(long long entries, size_t nbytes):
    """stream-node-max-entries / -bytes of this process's C layer."""
    fk_sh.stream_node_max_entries = entries
    fk_sh.stream_node_max_bytes = nbytes
