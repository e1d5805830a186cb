# cython: language_level=3
"""Thin Python handles on fk_rax and fk_stream, for their unit tests
(tests/test_cstructs_stream.py).  Not used by the server."""
from libc.stdint cimport uintptr_t
from fastkv._core.shared cimport attach
from fastkv._core.cdefs_stream cimport *

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
