# Declarations of csrc/fk_bitops.h (bitmaps on strings) for Cython.
from libc.stdint cimport uint64_t, int64_t

cdef extern from "fk_bitops.h" nogil:
    enum:
        FK_BITOP_AND
        FK_BITOP_OR
        FK_BITOP_XOR
        FK_BITOP_NOT
        FK_BF_WRAP
        FK_BF_SAT
        FK_BF_FAIL

    long long fk_popcount(const void *s, size_t count)
    long long fk_bitpos(const void *s, size_t count, int bit)
    long long fk_bitcount_range(const unsigned char *p, long long len, int has_range,
                                long long start, long long end, int isbit)
    long long fk_bitpos_range(const unsigned char *p, long long len, int bit, int has_start,
                              long long start, int has_end, long long end, int isbit)
    void fk_bitop(int op, unsigned char *res, size_t maxlen,
                  const unsigned char **src, const size_t *len, size_t nsrc)
    uint64_t fk_bf_get_unsigned(const unsigned char *p, size_t len, uint64_t offset, int bits)
    int64_t fk_bf_get_signed(const unsigned char *p, size_t len, uint64_t offset, int bits)
    void fk_bf_set(unsigned char *p, uint64_t offset, int bits, uint64_t value)
    int fk_bf_overflow_unsigned(uint64_t value, int64_t incr, int bits, int owtype, uint64_t *limit)
    int fk_bf_overflow_signed(int64_t value, int64_t incr, int bits, int owtype, int64_t *limit)
    int fk_bf_write(unsigned char *p, size_t len, uint64_t offset, int bits, int sign, int incr,
                    int64_t value, int owtype, int64_t *reply, int *changed)
    const char *fk_popcount_impl()
    long long fk_popcount_with(int impl, const void *s, size_t count)
    int fk_popcount_supported(int impl)
    long long fk_bitpos_with(int impl, const void *s, size_t count, int bit)
    int fk_bitpos_supported(int impl)
