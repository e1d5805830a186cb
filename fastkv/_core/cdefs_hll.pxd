# The HyperLogLog C API (csrc/fk_hll.h): Redis 7.0's format and algorithms.
from libc.stdint cimport uint8_t, uint64_t
from fastkv._core.cdefs cimport fk_str

cdef extern from "fk_hll.h" nogil:
    enum:
        FK_HLL_REGISTERS
        FK_HLL_HDR_SIZE
        FK_HLL_DENSE_SIZE
        FK_HLL_DENSE
        FK_HLL_SPARSE
    uint64_t fk_murmurhash64a(const void *key, int len, unsigned int seed)
    int fk_hll_valid(const unsigned char *p, size_t n)
    fk_str *fk_hll_new()
    int fk_hll_add(fk_str **s, const unsigned char *ele, size_t n)
    int fk_hll_set(fk_str **s, long index, uint8_t count)
    int fk_hll_to_dense(fk_str **s)
    uint64_t fk_hll_count(const unsigned char *p, size_t n, int *invalid)
    int fk_hll_cache_get(const unsigned char *p, uint64_t *card)
    void fk_hll_cache_set(unsigned char *p, uint64_t card)
    void fk_hll_cache_invalidate(unsigned char *p)
    int fk_hll_merge(uint8_t *max, const unsigned char *p, size_t n)
    int fk_hll_store_max(fk_str **s, const uint8_t *max)
    uint64_t fk_hll_count_raw(const uint8_t *max)
    int fk_hll_dense_get(const unsigned char *p, long i)
    size_t fk_hll_decode(const unsigned char *p, size_t n, char *out, size_t cap)
    int fk_hll_selftest(char *err, size_t errcap)
