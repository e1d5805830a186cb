/* fk_hll: HyperLogLog in Redis 7.0's format (hyperloglog.c), byte for byte.
 *
 * An HLL is an ordinary string value (an fk_str once it is written): a
 * 16-byte header "HYLL" | encoding | 3 unused | 8-byte cached cardinality
 * (little endian, bit 7 of the last byte set = stale), then either the
 * dense registers (16384 x 6 bits, 12288 bytes) or the sparse run-length
 * opcodes (ZERO 00xxxxxx, XZERO 01xxxxxx yyyyyyyy, VAL 1vvvvvxx).  The same
 * PFADDs produce the same bytes as Redis; see fk_hll.c for the design.
 *
 * Values may come from anywhere (SET, RESTORE): every reader bounds-checks
 * the sparse opcodes and reports a corrupted value instead of reading or
 * writing outside the string. */
#ifndef FK_HLL_H
#define FK_HLL_H
#include <stddef.h>
#include <stdint.h>
#include "fk_str.h"

#define FK_HLL_P 14
#define FK_HLL_Q (64 - FK_HLL_P)
#define FK_HLL_REGISTERS (1 << FK_HLL_P)          /* 16384 */
#define FK_HLL_BITS 6
#define FK_HLL_HDR_SIZE 16
#define FK_HLL_DENSE_SIZE (FK_HLL_HDR_SIZE + (FK_HLL_REGISTERS * FK_HLL_BITS + 7) / 8)
#define FK_HLL_DENSE 0
#define FK_HLL_SPARSE 1

/* Redis's MurmurHash64A (endian neutral); HLLs hash with seed 0xadc83b19. */
uint64_t fk_murmurhash64a(const void *key, int len, unsigned int seed);

/* isHLLObjectOrReply's checks on a string's bytes: magic, encoding <= 1,
 * exact dense length.  1 = an HLL, 0 = not (the caller answers WRONGTYPE
 * "Key is not a valid HyperLogLog string value."). */
int fk_hll_valid(const unsigned char *p, size_t n);

/* A new empty HLL (sparse, XZERO:16384, cache 0 and valid: the caller
 * invalidates it after writing, as PFADD/PFMERGE do).  Caller owns it. */
fk_str *fk_hll_new(void);

/* PFADD of one element.  *s is an fk_hll_valid HLL and may move (sparse
 * growth, promotion to dense at hll-sparse-max-bytes or a register > 32).
 * Returns 1 if a register changed, 0 if not, -1 if the value is corrupted.
 * Does not touch the cached cardinality (the caller invalidates it). */
int fk_hll_add(fk_str **s, const unsigned char *ele, size_t n);

/* Set register `index` to `count` if it is smaller (hllDenseSet /
 * hllSparseSet): 1 changed, 0 unchanged, -1 corrupted.  Sparse writes
 * invalidate the cache; *s may move. */
int fk_hll_set(fk_str **s, long index, uint8_t count);

/* hllSparseToDense: 0 if dense (already or now; header and cache copied),
 * -1 if the sparse value is corrupted (then *s is unchanged). */
int fk_hll_to_dense(fk_str **s);

/* The estimate (hllCount, Ertl's estimator) of a valid HLL's registers.
 * *invalid is set to 1 if a sparse value doesn't cover exactly 16384
 * registers (left untouched otherwise). */
uint64_t fk_hll_count(const unsigned char *p, size_t n, int *invalid);

/* The cached cardinality: 1 and *card if valid, 0 if stale. */
int fk_hll_cache_get(const unsigned char *p, uint64_t *card);
void fk_hll_cache_set(unsigned char *p, uint64_t card);
void fk_hll_cache_invalidate(unsigned char *p);

/* max[i] = MAX(max[i], register i) over a valid HLL (hllMerge); max has
 * 16384 bytes.  0 ok, -1 if the sparse value is corrupted. */
int fk_hll_merge(uint8_t *max, const unsigned char *p, size_t n);

/* PFMERGE's write: register i = MAX(register i, max[i]) for every i with
 * max[i] != 0, in register order (so a sparse value grows and maybe goes
 * dense exactly as Redis's loop of hllSparseSet does).  0 ok, -1 corrupted.
 * *s may move. */
int fk_hll_store_max(fk_str **s, const uint8_t *max);

/* The estimate of 16384 one-byte registers (PFCOUNT of several keys). */
uint64_t fk_hll_count_raw(const uint8_t *max);

/* Register i (0..16383) of a dense HLL's bytes. */
int fk_hll_dense_get(const unsigned char *p, long i);

/* PFDEBUG DECODE text of a sparse HLL ("Z:16384", "v:2,1 z:9" ...) into
 * out (cap bytes); returns the length it needs (call again with a bigger
 * buffer if it is > cap). */
size_t fk_hll_decode(const unsigned char *p, size_t n, char *out, size_t cap);

/* PFSELFTEST: 0 = passed; otherwise the error text (TESTFAILED ...) is in
 * err.  Needs hll-sparse-max-bytes for its sparse checkpoints. */
int fk_hll_selftest(char *err, size_t errcap);

#endif
