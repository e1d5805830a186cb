# cython: language_level=3
"""Thin Python handles on csrc/fk_bitops.c for its unit tests
(tests/test_cstructs_bitops.py).  Not used by the server."""
from libc.stdint cimport uint64_t, int64_t
from libc.stdlib cimport malloc, free
from libc.string cimport memcpy
from fastkv._core.cdefs_bitops cimport *
from fastkv._core.shared cimport attach

attach()


def popcount(const unsigned char[:] buf, Py_ssize_t start=0, Py_ssize_t n=-1):
    """fk_popcount of buf[start:start+n] (an unaligned slice on purpose)."""
    if n < 0:
        n = buf.shape[0] - start
    if n == 0:
        return fk_popcount(NULL, 0)
    return fk_popcount(&buf[start], n)

def popcount_with(int impl, const unsigned char[:] buf, Py_ssize_t start=0, Py_ssize_t n=-1):
    if n < 0:
        n = buf.shape[0] - start
    if n == 0:
        return fk_popcount_with(impl, NULL, 0)
    return fk_popcount_with(impl, &buf[start], n)

def popcount_supported(int impl):
    return bool(fk_popcount_supported(impl))

def popcount_impl():
    return fk_popcount_impl().decode()

def bitpos(const unsigned char[:] buf, int bit, Py_ssize_t start=0, Py_ssize_t n=-1):
    if n < 0:
        n = buf.shape[0] - start
    if n == 0:
        return fk_bitpos(NULL, 0, bit)
    return fk_bitpos(&buf[start], n, bit)

def bitpos_with(int impl, const unsigned char[:] buf, int bit, Py_ssize_t start=0, Py_ssize_t n=-1):
    if n < 0:
        n = buf.shape[0] - start
    if n == 0:
        return fk_bitpos_with(impl, NULL, 0, bit)
    return fk_bitpos_with(impl, &buf[start], n, bit)

def bitpos_supported(int impl):
    return fk_bitpos_supported(impl) != 0

def bitcount_range(bytes s, has_range, long long start, long long end, bint isbit):
    return fk_bitcount_range(<const unsigned char *>(<char *>s), len(s), has_range, start, end, isbit)

def bitpos_range(bytes s, int bit, has_start, long long start, has_end, long long end, bint isbit):
    return fk_bitpos_range(<const unsigned char *>(<char *>s), len(s), bit, has_start, start,
                           has_end, end, isbit)

def bitop(int op, list srcs):
    """BITOP over a list of bytes (None = missing key)."""
    cdef Py_ssize_t n = len(srcs), i
    cdef size_t maxlen = 0
    cdef const unsigned char **src = <const unsigned char **>malloc((n + 1) * sizeof(void *))
    cdef size_t *lens = <size_t *>malloc((n + 1) * sizeof(size_t))
    cdef bytearray out
    try:
        for i in range(n):
            s = srcs[i]
            if s is None:
                src[i] = NULL
                lens[i] = 0
            else:
                src[i] = <const unsigned char *>(<char *>(<bytes>s))
                lens[i] = len(s)
            if lens[i] > maxlen:
                maxlen = lens[i]
        out = bytearray(maxlen)
        if maxlen:
            fk_bitop(op, <unsigned char *>(<char *>out), maxlen, src, lens, n)
        return bytes(out)
    finally:
        free(src)
        free(lens)

def bf_get(bytes s, uint64_t offset, int bits, bint signed):
    cdef const unsigned char *p = <const unsigned char *>(<char *>s)
    if signed:
        return fk_bf_get_signed(p, len(s), offset, bits)
    return fk_bf_get_unsigned(p, len(s), offset, bits)

def bf_set(bytearray s, uint64_t offset, int bits, uint64_t value):
    fk_bf_set(<unsigned char *>(<char *>s), offset, bits, value)

def bf_overflow_signed(int64_t value, int64_t incr, int bits, int owtype):
    cdef int64_t limit = 0x5a5a
    r = fk_bf_overflow_signed(value, incr, bits, owtype, &limit)
    return r, limit

def bf_overflow_unsigned(uint64_t value, int64_t incr, int bits, int owtype):
    cdef uint64_t limit = 0x5a5a
    r = fk_bf_overflow_unsigned(value, incr, bits, owtype, &limit)
    return r, limit
