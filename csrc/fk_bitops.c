/* fk_bitops: see fk_bitops.h for the bit numbering and the contracts.
 *
 * Population count
 * ----------------
 * Three implementations of one loop, picked once at run time:
 *
 *   avx512   64 bytes per step with VPOPCNTDQ (one instruction counts eight
 *            64-bit lanes), two independent accumulators;
 *   popcnt   32 bytes per step, four 64-bit POPCNT with four accumulators
 *            (independent dependency chains keep the ports busy);
 *   generic  the same loop with a SWAR count (no POPCNT: gcc would call
 *            libgcc's __popcountdi2 for every word).
 *
 * Loads are unaligned 64-bit reads through memcpy: on x86 an unaligned
 * load costs the same as an aligned one unless it crosses a cache line,
 * and it keeps the code free of strict-aliasing and alignment traps, so no
 * byte-by-byte head is needed.  Tails (< 8 bytes) are copied into a zeroed
 * word and counted as one.  Redis 7.0's redisPopcount counts 28 bytes per
 * step with 32-bit SWAR arithmetic; either of the first two is several
 * times faster on a 1 MB bitmap.
 *
 * Bit search
 * ----------
 * fk_bitpos skips 64 bytes per step (AVX2 VPTEST, or 32 with 64-bit words
 * without it) while they are all 0s (looking for a 1) or all 1s (looking
 * for a 0), then finds the bit inside the first byte that differs with
 * count-leading-zeros.  fk_bitpos_range adds BITPOS's
 * range semantics: the range [first bit, last bit] is searched as a masked
 * first byte, whole middle bytes and a masked last byte.
 *
 * Bitfields
 * ---------
 * A field touches at most 9 bytes (64 bits at a bit offset of 7).  It is
 * read and written one byte-chunk at a time, most significant chunk first;
 * reads see bytes past the string as zeros (BITFIELD GET beyond the end).
 * The overflow rules are Redis's: an unsigned SET of a negative value is
 * the huge unsigned value it casts to (so SAT stores the maximum); WRAP
 * keeps the low N bits (sign-extended for signed fields). */
#include <string.h>
#include "fk_bitops.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define FK_X86 1
#include <immintrin.h>
#endif

static inline uint64_t load64(const unsigned char *p) {
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* The 0..7 bytes at p as a little-endian word padded with zero bytes. */
static inline uint64_t load_tail(const unsigned char *p, size_t n) {
    uint64_t w = 0;
    memcpy(&w, p, n);
    return w;
}

static inline uint64_t swar_popcount64(uint64_t x) {
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return (x * 0x0101010101010101ULL) >> 56;
}

static long long popcount_generic(const unsigned char *p, size_t n) {
    uint64_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    while (n >= 32) {
        c0 += swar_popcount64(load64(p));
        c1 += swar_popcount64(load64(p + 8));
        c2 += swar_popcount64(load64(p + 16));
        c3 += swar_popcount64(load64(p + 24));
        p += 32;
        n -= 32;
    }
    while (n >= 8) {
        c0 += swar_popcount64(load64(p));
        p += 8;
        n -= 8;
    }
    if (n) c1 += swar_popcount64(load_tail(p, n));
    return (long long)(c0 + c1 + c2 + c3);
}

#ifdef FK_X86
__attribute__((target("popcnt")))
static long long popcount_popcnt(const unsigned char *p, size_t n) {
    uint64_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    while (n >= 32) {
        c0 += (uint64_t)__builtin_popcountll(load64(p));
        c1 += (uint64_t)__builtin_popcountll(load64(p + 8));
        c2 += (uint64_t)__builtin_popcountll(load64(p + 16));
        c3 += (uint64_t)__builtin_popcountll(load64(p + 24));
        p += 32;
        n -= 32;
    }
    while (n >= 8) {
        c0 += (uint64_t)__builtin_popcountll(load64(p));
        p += 8;
        n -= 8;
    }
    if (n) c1 += (uint64_t)__builtin_popcountll(load_tail(p, n));
    return (long long)(c0 + c1 + c2 + c3);
}

__attribute__((target("avx512f,avx512vpopcntdq,popcnt")))
static long long popcount_avx512(const unsigned char *p, size_t n) {
    __m512i a0 = _mm512_setzero_si512(), a1 = _mm512_setzero_si512();
    while (n >= 128) {
        a0 = _mm512_add_epi64(a0, _mm512_popcnt_epi64(_mm512_loadu_si512((const void *)p)));
        a1 = _mm512_add_epi64(a1, _mm512_popcnt_epi64(_mm512_loadu_si512((const void *)(p + 64))));
        p += 128;
        n -= 128;
    }
    if (n >= 64) {
        a0 = _mm512_add_epi64(a0, _mm512_popcnt_epi64(_mm512_loadu_si512((const void *)p)));
        p += 64;
        n -= 64;
    }
    uint64_t c = (uint64_t)_mm512_reduce_add_epi64(_mm512_add_epi64(a0, a1));
    while (n >= 8) {
        c += (uint64_t)__builtin_popcountll(load64(p));
        p += 8;
        n -= 8;
    }
    if (n) c += (uint64_t)__builtin_popcountll(load_tail(p, n));
    return (long long)c;
}
#endif

typedef long long (*popcount_fn)(const unsigned char *, size_t);
static popcount_fn popcount_impl = NULL;
static const char *popcount_name = "generic";

int fk_popcount_supported(int impl) {
    if (impl == 0) return 1;
#ifdef FK_X86
    __builtin_cpu_init();
    if (impl == 1) return __builtin_cpu_supports("popcnt") != 0;
    if (impl == 2)
        return __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("avx512f") &&
               __builtin_cpu_supports("avx512vpopcntdq");
#endif
    return 0;
}

static void popcount_pick(void) {
    popcount_fn fn = popcount_generic;
    const char *name = "generic";
#ifdef FK_X86
    if (fk_popcount_supported(2)) {
        fn = popcount_avx512;
        name = "avx512";
    } else if (fk_popcount_supported(1)) {
        fn = popcount_popcnt;
        name = "popcnt";
    }
#endif
    popcount_name = name;
    popcount_impl = fn;
}

long long fk_popcount(const void *s, size_t count) {
    if (popcount_impl == NULL) popcount_pick();
    return popcount_impl((const unsigned char *)s, count);
}

const char *fk_popcount_impl(void) {
    if (popcount_impl == NULL) popcount_pick();
    return popcount_name;
}

long long fk_popcount_with(int impl, const void *s, size_t count) {
    const unsigned char *p = s;
#ifdef FK_X86
    if (impl == 2 && fk_popcount_supported(2)) return popcount_avx512(p, count);
    if (impl == 1 && fk_popcount_supported(1)) return popcount_popcnt(p, count);
#endif
    (void)impl;
    return popcount_generic(p, count);
}

/* ---- bit search --------------------------------------------------------- */

/* Index (0 = MSB) of the first bit of byte b equal to `bit` among the bits
 * in `valid` (a mask of the candidate positions), or -1. */
static inline int byte_find(unsigned b, int bit, unsigned valid) {
    unsigned x = (bit ? b : ~b) & valid & 0xffu;
    if (x == 0) return -1;
    return __builtin_clz(x) - (int)(8 * sizeof(unsigned) - 8);
}

/* Leading bytes of p[0..n) that are all 0x00 (bit=1: looking for a one)
 * or all 0xff (bit=0), in whole 32-byte blocks. */
static size_t skip_run_generic(const unsigned char *p, size_t n, int bit) {
    size_t i = 0;
    if (bit) {
        while (n - i >= 32 &&
               (load64(p + i) | load64(p + i + 8) | load64(p + i + 16) | load64(p + i + 24)) == 0)
            i += 32;
    } else {
        while (n - i >= 32 &&
               (load64(p + i) & load64(p + i + 8) & load64(p + i + 16) & load64(p + i + 24)) == UINT64_MAX)
            i += 32;
    }
    return i;
}

#ifdef FK_X86
/* The same 64 bytes per step: two 256-bit loads and one VPTEST. */
__attribute__((target("avx2")))
static size_t skip_run_avx2(const unsigned char *p, size_t n, int bit) {
    size_t i = 0;
    const __m256i ones = _mm256_set1_epi8(-1);
    if (bit) {
        while (n - i >= 64) {
            __m256i v = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(p + i)),
                                        _mm256_loadu_si256((const __m256i *)(p + i + 32)));
            if (!_mm256_testz_si256(v, v)) break;
            i += 64;
        }
    } else {
        while (n - i >= 64) {
            __m256i v = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(p + i)),
                                         _mm256_loadu_si256((const __m256i *)(p + i + 32)));
            if (!_mm256_testc_si256(v, ones)) break;     /* CF: ~v & ones == 0 */
            i += 64;
        }
    }
    return i + skip_run_generic(p + i, n - i, bit);
}
#endif

typedef size_t (*skip_fn)(const unsigned char *, size_t, int);
static skip_fn skip_run = NULL;

static long long bitpos_with_skip(skip_fn skip, const unsigned char *p, size_t count, int bit) {
    long long pos;
    unsigned char skipval = bit ? 0 : 0xff;
    size_t skipped = count >= 64 ? skip(p, count, bit) : 0;
    p += skipped;
    count -= skipped;
    pos = (long long)skipped * 8;
    while (count >= 8 && load64(p) == (bit ? 0 : UINT64_MAX)) {
        p += 8;
        count -= 8;
        pos += 64;
    }
    while (count) {
        if (*p != skipval) return pos + byte_find(*p, bit, 0xff);
        p++;
        count--;
        pos += 8;
    }
    return bit ? -1 : pos;   /* a 0 is found in the zero padding right after the string */
}

static int avx2_supported(void) {
#ifdef FK_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
#else
    return 0;
#endif
}

long long fk_bitpos(const void *s, size_t count, int bit) {
    if (skip_run == NULL) {
        skip_run = skip_run_generic;
#ifdef FK_X86
        if (avx2_supported()) skip_run = skip_run_avx2;
#endif
    }
    return bitpos_with_skip(skip_run, s, count, bit);
}

int fk_bitpos_supported(int impl) {
    return impl == 0 || (impl == 1 && avx2_supported());
}

long long fk_bitpos_with(int impl, const void *s, size_t count, int bit) {
#ifdef FK_X86
    if (impl == 1 && avx2_supported()) return bitpos_with_skip(skip_run_avx2, s, count, bit);
#endif
    (void)impl;
    return bitpos_with_skip(skip_run_generic, s, count, bit);
}

/* First bit equal to `bit` in bit positions [bs, be] (0 <= bs <= be < len*8),
 * or -1. */
static long long find_in_bits(const unsigned char *p, long long bs, long long be, int bit) {
    long long sb = bs >> 3, eb = be >> 3;
    unsigned first_valid = 0xffu >> (bs & 7);              /* bits at or after bs */
    unsigned last_valid = (0xff00u >> ((be & 7) + 1)) & 0xffu;  /* bits at or before be */
    int r;
    if (sb == eb) {
        r = byte_find(p[sb], bit, first_valid & last_valid);
        return r < 0 ? -1 : sb * 8 + r;
    }
    if (first_valid != 0xffu) {
        r = byte_find(p[sb], bit, first_valid);
        if (r >= 0) return sb * 8 + r;
        sb++;
    }
    long long mid_end = last_valid != 0xffu ? eb : eb + 1;   /* exclusive */
    if (mid_end > sb) {
        long long n = mid_end - sb;
        long long pos = fk_bitpos(p + sb, (size_t)n, bit);
        if (pos >= 0 && pos < n * 8) return sb * 8 + pos;
    }
    if (last_valid != 0xffu) {
        r = byte_find(p[eb], bit, last_valid);
        if (r >= 0) return eb * 8 + r;
    }
    return -1;
}

/* Redis's normalisation of a [start, end] range over `totlen` units
 * (bytes or bits): negative from the end, then clamped. */
static void normalize_range(long long totlen, long long *start, long long *end) {
    if (*start < 0) *start = totlen + *start;
    if (*end < 0) *end = totlen + *end;
    if (*start < 0) *start = 0;
    if (*end < 0) *end = 0;
    if (*end >= totlen) *end = totlen - 1;
}

long long fk_bitcount_range(const unsigned char *p, long long len, int has_range,
                            long long start, long long end, int isbit) {
    long long bs, be;
    if (!has_range) {
        return len > 0 ? fk_popcount(p, (size_t)len) : 0;
    }
    if (start < 0 && end < 0 && start > end) return 0;
    normalize_range(isbit ? len * 8 : len, &start, &end);
    if (start > end) return 0;
    if (!isbit) return fk_popcount(p + start, (size_t)(end - start + 1));
    bs = start;
    be = end;
    long long sb = bs >> 3, eb = be >> 3;
    long long count = fk_popcount(p + sb, (size_t)(eb - sb + 1));
    unsigned before = (0xff00u >> (bs & 7)) & 0xffu;     /* bits of byte sb before bs */
    unsigned after = 0xffu >> ((be & 7) + 1);            /* bits of byte eb after be */
    count -= __builtin_popcount(p[sb] & before);
    count -= __builtin_popcount(p[eb] & after);
    return count;
}

long long fk_bitpos_range(const unsigned char *p, long long len, int bit, int has_start,
                          long long start, int has_end, long long end, int isbit) {
    long long bs, be, pos;
    if (!has_start) {
        start = 0;
        end = len - 1;
        isbit = 0;
    } else {
        if (!has_end) end = isbit ? len * 8 + 7 : len - 1;
        normalize_range(isbit ? len * 8 : len, &start, &end);
    }
    if (start > end) return -1;
    if (isbit) {
        bs = start;
        be = end;
    } else {
        bs = start * 8;
        be = end * 8 + 7;
    }
    pos = find_in_bits(p, bs, be, bit);
    if (pos >= 0) return pos;
    if (bit == 1 || has_end) return -1;
    /* No 0 in a range that runs to the end of the string: the string is
     * seen as zero-padded, so the answer is the first bit past it. */
    return ((be >> 3) + 1) * 8;
}

/* ---- BITOP -------------------------------------------------------------- */

static void and_into(unsigned char *restrict r, const unsigned char *restrict s, size_t n) {
    for (size_t i = 0; i < n; i++) r[i] &= s[i];
}
static void or_into(unsigned char *restrict r, const unsigned char *restrict s, size_t n) {
    for (size_t i = 0; i < n; i++) r[i] |= s[i];
}
static void xor_into(unsigned char *restrict r, const unsigned char *restrict s, size_t n) {
    for (size_t i = 0; i < n; i++) r[i] ^= s[i];
}
static void not_of(unsigned char *restrict r, const unsigned char *restrict s, size_t n) {
    for (size_t i = 0; i < n; i++) r[i] = (unsigned char)~s[i];
}
static void and_of(unsigned char *restrict r, const unsigned char *restrict a,
                   const unsigned char *restrict b, size_t n) {
    for (size_t i = 0; i < n; i++) r[i] = a[i] & b[i];
}
static void or_of(unsigned char *restrict r, const unsigned char *restrict a,
                  const unsigned char *restrict b, size_t n) {
    for (size_t i = 0; i < n; i++) r[i] = a[i] | b[i];
}
static void xor_of(unsigned char *restrict r, const unsigned char *restrict a,
                   const unsigned char *restrict b, size_t n) {
    for (size_t i = 0; i < n; i++) r[i] = a[i] ^ b[i];
}

/* res = the first source zero-padded to maxlen, combined with the second
 * one in the same pass when there is one (one write pass less).  Returns
 * how many sources are done. */
static size_t bitop_first(int op, unsigned char *res, size_t maxlen,
                          const unsigned char *const *src, const size_t *len, size_t nsrc) {
    size_t l0 = nsrc ? len[0] : 0;
    if (nsrc >= 2 && op != FK_BITOP_NOT) {
        size_t l1 = len[1], both = l0 < l1 ? l0 : l1;
        if (both) {
            if (op == FK_BITOP_AND) and_of(res, src[0], src[1], both);
            else if (op == FK_BITOP_OR) or_of(res, src[0], src[1], both);
            else xor_of(res, src[0], src[1], both);
        }
        /* past the shorter one: AND gives zeros, OR/XOR the longer one */
        if (op == FK_BITOP_AND) {
            memset(res + both, 0, maxlen - both);
        } else {
            const unsigned char *longer = l0 > l1 ? src[0] : src[1];
            size_t ll = l0 > l1 ? l0 : l1;
            if (ll > both) memcpy(res + both, longer + both, ll - both);
            memset(res + ll, 0, maxlen - ll);
        }
        return 2;
    }
    if (op == FK_BITOP_NOT) {
        if (l0) not_of(res, src[0], l0);
        memset(res + l0, 0xff, maxlen - l0);
    } else {
        if (l0) memcpy(res, src[0], l0);
        memset(res + l0, 0, maxlen - l0);
    }
    return 1;
}

void fk_bitop(int op, unsigned char *res, size_t maxlen,
              const unsigned char *const *src, const size_t *len, size_t nsrc) {
    size_t k = bitop_first(op, res, maxlen, src, len, nsrc);
    if (op == FK_BITOP_NOT) return;
    for (; k < nsrc; k++) {
        size_t l = len[k];
        switch (op) {
        case FK_BITOP_AND:
            if (l) and_into(res, src[k], l);
            if (maxlen > l) memset(res + l, 0, maxlen - l);
            break;
        case FK_BITOP_OR:
            if (l) or_into(res, src[k], l);
            break;
        case FK_BITOP_XOR:
            if (l) xor_into(res, src[k], l);
            break;
        }
    }
}

/* ---- BITFIELD ----------------------------------------------------------- */

uint64_t fk_bf_get_unsigned(const unsigned char *p, size_t len, uint64_t offset, int bits) {
    uint64_t value = 0;
    uint64_t byte = offset >> 3;
    int skip = (int)(offset & 7);      /* bits of the first byte before the field */
    int left = bits;
    while (left > 0) {
        int avail = 8 - skip;
        int take = avail < left ? avail : left;
        unsigned b = byte < len ? p[byte] : 0;
        unsigned chunk = (b >> (avail - take)) & ((1u << take) - 1);
        value = (value << take) | chunk;
        left -= take;
        byte++;
        skip = 0;
    }
    return value;
}

int64_t fk_bf_get_signed(const unsigned char *p, size_t len, uint64_t offset, int bits) {
    uint64_t u = fk_bf_get_unsigned(p, len, offset, bits);
    if (bits < 64 && (u & ((uint64_t)1 << (bits - 1)))) u |= UINT64_MAX << bits;
    int64_t v;
    memcpy(&v, &u, sizeof v);          /* two's complement reinterpretation */
    return v;
}

void fk_bf_set(unsigned char *p, uint64_t offset, int bits, uint64_t value) {
    uint64_t byte = offset >> 3;
    int skip = (int)(offset & 7);
    int left = bits;
    while (left > 0) {
        int avail = 8 - skip;
        int take = avail < left ? avail : left;
        unsigned mask = (1u << take) - 1;
        unsigned chunk = (unsigned)(value >> (left - take)) & mask;
        int shift = avail - take;
        p[byte] = (unsigned char)((p[byte] & ~(mask << shift)) | (chunk << shift));
        left -= take;
        byte++;
        skip = 0;
    }
}

int fk_bf_overflow_unsigned(uint64_t value, int64_t incr, int bits, int owtype, uint64_t *limit) {
    uint64_t max = bits >= 64 ? UINT64_MAX : (((uint64_t)1 << bits) - 1);
    int64_t maxincr = (int64_t)(max - value);
    int64_t minincr = (int64_t)(0 - value);
    int r;
    if (value > max || (incr > 0 && incr > maxincr)) {
        r = 1;
        if (owtype == FK_BF_SAT) *limit = max;
    } else if (incr < 0 && incr < minincr) {
        r = -1;
        if (owtype == FK_BF_SAT) *limit = 0;
    } else {
        return 0;
    }
    if (owtype == FK_BF_WRAP) {
        uint64_t res = value + (uint64_t)incr;
        if (bits < 64) res &= ~(UINT64_MAX << bits);
        *limit = res;
        r = 1;      /* Redis reports wrapped underflows as 1 too */
    }
    return r;
}

int fk_bf_overflow_signed(int64_t value, int64_t incr, int bits, int owtype, int64_t *limit) {
    int64_t max = bits >= 64 ? INT64_MAX : (int64_t)(((uint64_t)1 << (bits - 1)) - 1);
    int64_t min = -max - 1;
    /* Computed in unsigned arithmetic (no signed overflow); each is used
     * only where the checks before it make it meaningful. */
    int64_t maxincr = (int64_t)((uint64_t)max - (uint64_t)value);
    int64_t minincr = (int64_t)((uint64_t)min - (uint64_t)value);
    int r;
    if (value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr)) {
        r = 1;
        if (owtype == FK_BF_SAT) *limit = max;
    } else if (value < min || (bits != 64 && incr < minincr) ||
               (value < 0 && incr < 0 && incr < minincr)) {
        r = -1;
        if (owtype == FK_BF_SAT) *limit = min;
    } else {
        return 0;
    }
    if (owtype == FK_BF_WRAP) {
        uint64_t c = (uint64_t)value + (uint64_t)incr;
        if (bits < 64) {
            uint64_t mask = UINT64_MAX << bits;
            if (c & ((uint64_t)1 << (bits - 1))) c |= mask;
            else c &= ~mask;
        }
        memcpy(limit, &c, sizeof c);
        r = 1;
    }
    return r;
}

int fk_bf_write(unsigned char *p, size_t len, uint64_t offset, int bits, int sign, int incr,
                int64_t value, int owtype, int64_t *reply, int *changed) {
    int overflow;
    if (sign) {
        int64_t old = fk_bf_get_signed(p, len, offset, bits), nv, wrapped = 0;
        if (incr) {
            overflow = fk_bf_overflow_signed(old, value, bits, owtype, &wrapped);
            /* without overflow the sum fits the field, so it fits int64 */
            nv = overflow ? wrapped : old + value;
        } else {
            overflow = fk_bf_overflow_signed(value, 0, bits, owtype, &wrapped);
            nv = overflow ? wrapped : value;
        }
        if (overflow && owtype == FK_BF_FAIL) return 1;
        *reply = incr ? nv : old;
        *changed = old != nv;
        fk_bf_set(p, offset, bits, (uint64_t)nv);
    } else {
        uint64_t old = fk_bf_get_unsigned(p, len, offset, bits), nv, wrapped = 0;
        if (incr) {
            overflow = fk_bf_overflow_unsigned(old, value, bits, owtype, &wrapped);
            nv = overflow ? wrapped : old + (uint64_t)value;
        } else {
            overflow = fk_bf_overflow_unsigned((uint64_t)value, 0, bits, owtype, &wrapped);
            nv = overflow ? wrapped : (uint64_t)value;
        }
        if (overflow && owtype == FK_BF_FAIL) return 1;
        *reply = (int64_t)(incr ? nv : old);      /* fields are at most 63 bits */
        *changed = old != nv;
        fk_bf_set(p, offset, bits, nv);
    }
    return 0;
}
