/* fk_bitops: bitmaps on string values, the algorithms behind Redis's
 * bitops.c (SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD).
 *
 * Bit numbering is Redis's: bit 0 is the most significant bit of byte 0,
 * bit 8 the most significant bit of byte 1, and so on; a bitfield of N
 * bits at offset O is the big-endian integer made of bits O..O+N-1.
 *
 * Everything here works on plain byte buffers (the bytes of an fk_str, an
 * embstr or an integer's digits); the command layer (t_bitops.pyx) does
 * argument parsing, lookups, growth of the string and the replies.
 *
 * Speed: population count and bit search go over 64-bit words (unaligned
 * loads through memcpy, which the compiler turns into plain moves), with
 * the POPCNT instruction or AVX-512 VPOPCNTDQ chosen at run time when the
 * CPU has them; BITOP runs one pass per source key over words, which the
 * compiler vectorises. */
#ifndef FK_BITOPS_H
#define FK_BITOPS_H
#include <stddef.h>
#include <stdint.h>

/* Number of bits set in the `count` bytes at s. */
long long fk_popcount(const void *s, size_t count);

/* Position of the first bit equal to `bit` (0 or 1) in the `count` bytes
 * at s.  Looking for a 0 bit that isn't there gives count*8 (the string is
 * zero-padded on the right); looking for a 1 bit that isn't there gives -1
 * (Redis's redisBitpos contract). */
long long fk_bitpos(const void *s, size_t count, int bit);

/* BITCOUNT over a range, with Redis's normalisation of start/end (negative
 * from the end, clamped), in bytes or, when isbit, in bits.  has_range=0
 * counts the whole string. */
long long fk_bitcount_range(const unsigned char *p, long long len, int has_range,
                            long long start, long long end, int isbit);

/* BITPOS over a range.  has_start/has_end say which of start/end were
 * given (an absent end means "to the end of the string", and then a
 * missing 0 bit is reported just past the string, as Redis does; with an
 * explicit end it is -1). */
long long fk_bitpos_range(const unsigned char *p, long long len, int bit, int has_start,
                          long long start, int has_end, long long end, int isbit);

/* BITOP: res (maxlen bytes, maxlen = the longest source) = op over the
 * sources; a source shorter than maxlen (or NULL, length 0) reads as
 * zeros past its end.  NOT takes one source. */
enum { FK_BITOP_AND = 0, FK_BITOP_OR = 1, FK_BITOP_XOR = 2, FK_BITOP_NOT = 3 };
void fk_bitop(int op, unsigned char *res, size_t maxlen,
              const unsigned char *const *src, const size_t *len, size_t nsrc);

/* BITFIELD integers.  The read functions see bytes past `len` as zeros;
 * the write function needs the string to cover the field already. */
uint64_t fk_bf_get_unsigned(const unsigned char *p, size_t len, uint64_t offset, int bits);
int64_t fk_bf_get_signed(const unsigned char *p, size_t len, uint64_t offset, int bits);
void fk_bf_set(unsigned char *p, uint64_t offset, int bits, uint64_t value);

/* Overflow of value+incr in an N-bit field.  Returns 0 if it fits, 1 on
 * overflow, -1 on underflow; then *limit is the value to store: the
 * wrapped result (WRAP) or the saturated bound (SAT).  FAIL leaves it. */
enum { FK_BF_WRAP = 0, FK_BF_SAT = 1, FK_BF_FAIL = 2 };
int fk_bf_overflow_unsigned(uint64_t value, int64_t incr, int bits, int owtype, uint64_t *limit);
int fk_bf_overflow_signed(int64_t value, int64_t incr, int bits, int owtype, int64_t *limit);

/* One BITFIELD SET (incr=0) or INCRBY of `value` on the field at offset
 * (the string, len bytes, must cover it), signed or not, with overflow rule
 * owtype.  Returns 1 on a FAIL overflow (nothing written: the reply is a
 * null); else 0 with *reply the integer to reply (the old value for SET,
 * the new one for INCRBY) and *changed whether the field's bits changed. */
int fk_bf_write(unsigned char *p, size_t len, uint64_t offset, int bits, int sign, int incr,
                int64_t value, int owtype, int64_t *reply, int *changed);

/* Which popcount implementation runs: "avx512", "popcnt" or "generic"
 * (for the unit tests, which also force each one). */
const char *fk_popcount_impl(void);
long long fk_popcount_with(int impl, const void *s, size_t count);   /* 0 generic, 1 popcnt, 2 avx512 */
int fk_popcount_supported(int impl);
/* fk_bitpos with a chosen run skipper: 0 generic (64-bit words), 1 AVX2
 * (falls back to generic where the CPU lacks it), for the unit tests. */
long long fk_bitpos_with(int impl, const void *s, size_t count, int bit);
int fk_bitpos_supported(int impl);

#endif
