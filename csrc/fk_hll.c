/* fk_hll: HyperLogLog, after Redis 7.0's hyperloglog.c (Salvatore
 * Sanfilippo's design; estimator from Otmar Ertl, "New cardinality
 * estimation algorithms for HyperLogLog sketches", arXiv:1702.01284).
 *
 * Why byte compatibility: an HLL is a plain string.  Clients GET it, SET it
 * elsewhere, replicate it, DUMP it.  So the bytes after a given series of
 * PFADDs must be Redis's, which fixes every detail below: the hash
 * (MurmurHash64A, seed 0xadc83b19), the register index (low 14 bits) and
 * run length (trailing zeros of the other 50 bits, plus one), the sparse
 * opcode split and the merge of adjacent VALs, and when to go dense.
 *
 * Layout (little endian, bit 0 = LSB):
 *
 *   +------+---+-----+----------+---------------------------------------+
 *   | HYLL | E | 000 | card[8]  | registers                             |
 *   +------+---+-----+----------+---------------------------------------+
 *     E = 0 dense:  16384 six-bit registers packed LSB first,
 *                   |11000000|22221111|33333322| ... (12288 bytes, exact)
 *     E = 1 sparse: opcodes covering exactly 16384 registers:
 *                   ZERO  00xxxxxx            xxxxxx+1 (1..64) zeros
 *                   XZERO 01xxxxxx yyyyyyyy   14-bit+1 (1..16384) zeros
 *                   VAL   1vvvvvxx            xx+1 (1..4) registers = vvvvv+1 (1..32)
 *     card: the last estimate; card[7] bit 7 set = stale.
 *
 * A new HLL is sparse (XZERO:16384).  A register update splits the opcode
 * covering it (worst case XZERO -> XZERO VAL XZERO, +3 bytes) and then
 * merges equal adjacent VALs in a window of 5 opcodes from the previous
 * one.  It goes dense when a register needs a value over 32 or when the
 * string would grow past hll-sparse-max-bytes (header included).
 *
 * Safety: dense values have an exact length (checked by fk_hll_valid), so
 * dense access is in bounds; the last register never needs the byte after
 * the array (Redis reads the sds terminator there; we don't).  Sparse
 * values are untrusted: every walk checks the end of the string and stops
 * a register count that runs past 16384 (a long run of XZEROs would
 * otherwise overflow it), and such a value is reported as corrupted.  A
 * sparse value is valid when its opcodes cover exactly 16384 registers,
 * the same rule for every walk (the count, the merge, the conversion to
 * dense: redis-server 7.0.15 as shipped, with the hyperloglog fixes of
 * CVE-2025-32023, also rejects a VAL past the end in the merge).
 * Where Redis reads past the string (the second byte of an XZERO cut in
 * half at the end: the sds terminator, or the byte a PFADD into that XZERO
 * left there) we read what it reads (byte_past), and PFADD updates such a
 * value as Redis does instead of calling it corrupted. */
#include <math.h>
#include <string.h>
#include <time.h>
#include <stdio.h>
#include <limits.h>
#include "fk_hll.h"
#include "fk_shared.h"

#define REGMAX 63
#define REGS FK_HLL_REGISTERS
#define HDR FK_HLL_HDR_SIZE
#define ALPHA_INF 0.721347520444481703680 /* 0.5/ln(2) */

#define SP_IS_ZERO(p) (((*(p)) & 0xc0) == 0)
#define SP_IS_XZERO(p) (((*(p)) & 0xc0) == 0x40)
#define SP_IS_VAL(p) ((*(p)) & 0x80)
#define SP_ZERO_LEN(p) (((*(p)) & 0x3f) + 1)
#define SP_VAL_VALUE(p) ((((*(p)) >> 2) & 0x1f) + 1)
#define SP_VAL_LEN(p) (((*(p)) & 0x3) + 1)
#define SP_VAL_MAX_VALUE 32
#define SP_VAL_MAX_LEN 4
#define SP_ZERO_MAX_LEN 64
#define SP_XZERO_MAX_LEN 16384
#define SP_VAL_SET(p, val, len) (*(p) = (uint8_t)((((val) - 1) << 2 | ((len) - 1)) | 0x80))
#define SP_ZERO_SET(p, len) (*(p) = (uint8_t)((len) - 1))
#define SP_XZERO_SET(p, len) do { \
    int _l = (len) - 1; \
    (p)[0] = (uint8_t)((_l >> 8) | 0x40); \
    (p)[1] = (uint8_t)(_l & 0xff); \
} while (0)

/* The byte just past a value, as redis-server reads it for the second
 * byte of an XZERO cut at the end.  Redis's strings are NUL-terminated, so
 * it is 0, except right after an update inside such a cut XZERO: Redis then
 * writes the new opcodes one byte past the new length (see sparse_set) and
 * that byte stays there until the length changes.  `hidden` remembers it:
 * where it is (the address just past the value, and the value's last byte
 * as a check) and what it is.  HLLs are only touched by the main thread. */
static struct {
    const uint8_t *at;
    uint8_t before, val;
} hidden;

static inline uint8_t byte_past(const uint8_t *end) {
    return (hidden.at == end && end[-1] == hidden.before) ? hidden.val : 0;
}

static inline void set_byte_past(const uint8_t *end, uint8_t val) {
    hidden.at = val ? end : NULL;
    hidden.before = end[-1];
    hidden.val = val;
}

/* XZERO length; the second byte of an opcode cut at the end is read past
 * the value as Redis does (byte_past). */
static inline long sp_xzero_len(const uint8_t *p, const uint8_t *end) {
    long lo = (p + 1 < end) ? p[1] : byte_past(end);
    return ((((long)p[0] & 0x3f) << 8) | lo) + 1;
}

/* ------------------------------------------------------------------------
 * Hash */

uint64_t fk_murmurhash64a(const void *key, int len, unsigned int seed) {
    const uint64_t m = 0xc6a4a7935bd1e995ULL;
    const int r = 47;
    uint64_t h = seed ^ (len * m);
    const uint8_t *data = (const uint8_t *)key;
    const uint8_t *end = data + (len - (len & 7));

    while (data != end) {
        uint64_t k;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        memcpy(&k, data, 8);
#else
        k = (uint64_t)data[0] | (uint64_t)data[1] << 8 | (uint64_t)data[2] << 16 |
            (uint64_t)data[3] << 24 | (uint64_t)data[4] << 32 | (uint64_t)data[5] << 40 |
            (uint64_t)data[6] << 48 | (uint64_t)data[7] << 56;
#endif
        k *= m;
        k ^= k >> r;
        k *= m;
        h ^= k;
        h *= m;
        data += 8;
    }
    switch (len & 7) {
    case 7: h ^= (uint64_t)data[6] << 48; /* fall through */
    case 6: h ^= (uint64_t)data[5] << 40; /* fall through */
    case 5: h ^= (uint64_t)data[4] << 32; /* fall through */
    case 4: h ^= (uint64_t)data[3] << 24; /* fall through */
    case 3: h ^= (uint64_t)data[2] << 16; /* fall through */
    case 2: h ^= (uint64_t)data[1] << 8;  /* fall through */
    case 1: h ^= (uint64_t)data[0];
            h *= m;
    }
    h ^= h >> r;
    h *= m;
    h ^= h >> r;
    return h;
}

/* hllPatLen: the register an element hashes to and its "000..1" run
 * length (1..Q+1). */
static inline int pat_len(const unsigned char *ele, size_t n, long *regp) {
    uint64_t hash = fk_murmurhash64a(ele, (int)n, 0xadc83b19U);
    *regp = (long)(hash & (REGS - 1));
    hash >>= FK_HLL_P;
    hash |= (uint64_t)1 << FK_HLL_Q;   /* the run ends by bit Q at the latest */
    return __builtin_ctzll(hash) + 1;
}

/* ------------------------------------------------------------------------
 * Dense registers.  Register i starts at bit 6i; when it starts at bit 0
 * or 2 of its byte it fits in that byte. */

static inline int dense_get(const uint8_t *r, long i) {
    unsigned long byte = (unsigned long)i * 6 / 8, fb = ((unsigned long)i * 6) & 7;
    unsigned long b0 = r[byte];
    unsigned long b1 = fb > 2 ? r[byte + 1] : 0;
    return (int)(((b0 >> fb) | (b1 << (8 - fb))) & REGMAX);
}

static inline void dense_put(uint8_t *r, long i, unsigned long v) {
    unsigned long byte = (unsigned long)i * 6 / 8, fb = ((unsigned long)i * 6) & 7;
    r[byte] &= (uint8_t)~(REGMAX << fb);
    r[byte] |= (uint8_t)(v << fb);
    if (fb > 2) {
        r[byte + 1] &= (uint8_t)~(REGMAX >> (8 - fb));
        r[byte + 1] |= (uint8_t)(v >> (8 - fb));
    }
}

int fk_hll_dense_get(const unsigned char *p, long i) {
    return dense_get(p + HDR, i);
}

static inline int dense_set(uint8_t *r, long index, uint8_t count) {
    if (count > dense_get(r, index)) {
        dense_put(r, index, count);
        return 1;
    }
    return 0;
}

/* Whole-array walks (PFCOUNT's histogram, the merge of PFCOUNT of several
 * keys and PFMERGE) take 8 registers at a time: their 6 bytes spread to one
 * byte each in a 64-bit word (register k in byte k, little endian), with
 * shifts and masks instead of 8 extractions:
 *
 *   48 bits  r7..r0 (6 bits each)
 *   -> two 32-bit halves of 4 registers  (r3..r0 | r7..r4)
 *   -> four 16-bit lanes of 2 registers
 *   -> eight bytes of 1 register
 *
 * Group g covers bytes 6g..6g+5; all groups but the last load 8 bytes (the
 * last would read past the 12288 register bytes). */
#define GROUPS (REGS / 8)

static inline uint64_t spread8(uint64_t x) {
    x &= 0xffffffffffffULL;
    x = (x & 0xffffffULL) | ((x & 0xffffff000000ULL) << 8);
    x = (x & 0x00000fff00000fffULL) | ((x & 0x00fff00000fff000ULL) << 4);
    x = (x & 0x003f003f003f003fULL) | ((x & 0x0fc00fc00fc00fc0ULL) << 2);
    return x;
}

static inline uint64_t load_le64(const uint8_t *p) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
#else
    uint64_t w = 0;
    for (int k = 7; k >= 0; k--) w = (w << 8) | p[k];
    return w;
#endif
}

static inline void store_le64(uint8_t *p, uint64_t w) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &w, 8);
#else
    for (int k = 0; k < 8; k++) p[k] = (uint8_t)(w >> (8 * k));
#endif
}

/* Registers 8g..8g+7 of dense register bytes r, one per byte. */
static inline uint64_t dense_group(const uint8_t *r, int g) {
    const uint8_t *p = r + 6 * g;
    if (g < GROUPS - 1) return spread8(load_le64(p));
    uint64_t x = 0;
    for (int k = 5; k >= 0; k--) x = (x << 8) | p[k];
    return spread8(x);
}

/* Bytewise MAX of two words whose bytes are all < 128 (registers are <= 63):
 * (a|0x80) - b has bit 7 set in each byte where a >= b, with no borrow
 * between bytes. */
static inline uint64_t max_bytes(uint64_t a, uint64_t b) {
    uint64_t ge = (((a | 0x8080808080808080ULL) - b) & 0x8080808080808080ULL) >> 7;
    uint64_t mask = ge * 0xff;
    return (a & mask) | (b & ~mask);
}

/* Histogram of the 8 register bytes of w, into 4 interleaved tables (the
 * increments of one table would wait on each other when registers repeat,
 * which they do: most are 0..3). */
static inline void histo_word(uint64_t w, int (*h)[64]) {
    if (w == 0) {
        h[0][0] += 8;
        return;
    }
    h[0][w & 63]++;
    h[1][(w >> 8) & 63]++;
    h[2][(w >> 16) & 63]++;
    h[3][(w >> 24) & 63]++;
    h[0][(w >> 32) & 63]++;
    h[1][(w >> 40) & 63]++;
    h[2][(w >> 48) & 63]++;
    h[3][(w >> 56) & 63]++;
}

static inline void histo_sum(int (*h)[64], int *reghisto) {
    for (int j = 0; j < 64; j++) reghisto[j] += h[0][j] + h[1][j] + h[2][j] + h[3][j];
}

static void dense_histo(const uint8_t *r, int *reghisto) {
    int h[4][64];
    memset(h, 0, sizeof h);
    for (int g = 0; g < GROUPS; g++) histo_word(dense_group(r, g), h);
    histo_sum(h, reghisto);
}

/* ------------------------------------------------------------------------
 * Header */

int fk_hll_valid(const unsigned char *p, size_t n) {
    if (n < HDR) return 0;
    if (p[0] != 'H' || p[1] != 'Y' || p[2] != 'L' || p[3] != 'L') return 0;
    if (p[4] > FK_HLL_SPARSE) return 0;
    if (p[4] == FK_HLL_DENSE && n != FK_HLL_DENSE_SIZE) return 0;
    return 1;
}

int fk_hll_cache_get(const unsigned char *p, uint64_t *card) {
    const uint8_t *c = p + 8;
    if (c[7] & 0x80) return 0;
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | c[i];
    *card = v;
    return 1;
}

void fk_hll_cache_set(unsigned char *p, uint64_t card) {
    for (int i = 0; i < 8; i++) p[8 + i] = (uint8_t)(card >> (8 * i));
}

void fk_hll_cache_invalidate(unsigned char *p) {
    p[15] |= 0x80;
}

fk_str *fk_hll_new(void) {
    /* header + one XZERO per 16384 registers (one) */
    fk_str *s = fk_str_new(NULL, HDR + 2);
    uint8_t *p = (uint8_t *)s->buf;
    memcpy(p, "HYLL", 4);
    p[4] = FK_HLL_SPARSE;
    SP_XZERO_SET(p + HDR, SP_XZERO_MAX_LEN);
    return s;
}

/* ------------------------------------------------------------------------
 * Sparse */

/* The registers of the sparse opcodes [p, end): written into dense
 * register bytes (regs, for the conversion to dense) or MAXed into one byte
 * per register (max, for the merge).  0 if the opcodes cover exactly 16384
 * registers, -1 if not (a VAL running past register 16384 stops the walk
 * before it writes out of bounds). */
static int sparse_walk(const uint8_t *p, const uint8_t *end, uint8_t *regs, uint8_t *max) {
    long idx = 0, runlen;
    while (p < end) {
        if (SP_IS_ZERO(p)) {
            idx += SP_ZERO_LEN(p);
            p++;
        } else if (SP_IS_XZERO(p)) {
            idx += sp_xzero_len(p, end);
            p += 2;
        } else {
            runlen = SP_VAL_LEN(p);
            uint8_t regval = (uint8_t)SP_VAL_VALUE(p);
            if (runlen + idx > REGS) return -1;     /* overflow: corrupted */
            if (regs) {
                while (runlen--) dense_put(regs, idx++, regval);
            } else {
                for (; runlen--; idx++)
                    if (regval > max[idx]) max[idx] = regval;
            }
            p++;
        }
        if (idx > REGS) return -1;
    }
    return idx == REGS ? 0 : -1;
}

int fk_hll_to_dense(fk_str **sp) {
    fk_str *s = *sp;
    const uint8_t *p = (const uint8_t *)s->buf;
    if (p[4] == FK_HLL_DENSE) return 0;

    fk_str *d = fk_str_new(NULL, FK_HLL_DENSE_SIZE);   /* zeroed */
    memcpy(d->buf, p, HDR);       /* magic and cached cardinality */
    d->buf[4] = FK_HLL_DENSE;
    if (sparse_walk(p + HDR, p + s->len, (uint8_t *)d->buf + HDR, NULL) != 0) {
        fk_free(d);
        return -1;
    }
    fk_free(s);
    *sp = d;
    return 0;
}

/* A run of len (1..16384) zero registers at n: ZERO or XZERO; returns
 * the byte after it. */
static inline uint8_t *put_zeros(uint8_t *n, long len) {
    if (len > SP_ZERO_MAX_LEN) {
        SP_XZERO_SET(n, len);
        return n + 2;
    }
    SP_ZERO_SET(n, len);
    return n + 1;
}

/* hllSparseSet: see the file comment.  *sp may move. */
static int sparse_set(fk_str **sp, long index, uint8_t count) {
    fk_str *s;
    uint8_t *sparse, *end, *p, *prev, *next;
    long first, span, runlen = 0;
    int is_zero = 0, is_xzero = 0, is_val = 0, cut = 0;

    if (count > SP_VAL_MAX_VALUE) goto promote;

    /* An XZERO split in three grows the string by up to 3 bytes (one more
     * for the cut XZERO below): make room now so that the pointers below
     * stay valid. */
    s = *sp = fk_str_reserve(*sp, (size_t)(*sp)->len + 4);
    sparse = p = (uint8_t *)s->buf + HDR;
    end = (uint8_t *)s->buf + s->len;

    /* Step 1: the opcode covering register `index`. */
    first = 0;
    prev = NULL;
    span = 0;
    while (p < end) {
        long oplen = 1;
        if (SP_IS_ZERO(p)) {
            span = SP_ZERO_LEN(p);
        } else if (SP_IS_VAL(p)) {
            span = SP_VAL_LEN(p);
        } else {
            span = sp_xzero_len(p, end);
            oplen = 2;
        }
        if (index <= first + span - 1) break;
        prev = p;
        p += oplen;
        first += span;
    }
    if (span == 0 || p >= end) return -1;   /* invalid format */
    if (SP_IS_XZERO(p) && p + 1 >= end) {
        /* An XZERO cut in half at the end: Redis reads the sds terminator
         * (0) as its second byte, writes the new opcodes over and past it,
         * and moves the length by the size difference counted from the two
         * bytes, so the value loses its last byte.  Same here: a real 0
         * byte for the update, dropped at the end (the merge step sees the
         * string without it, as Redis's does). */
        p[1] = byte_past(end);
        hidden.at = NULL;
        s->len++;
        end++;
        cut = 1;
    }

    next = SP_IS_XZERO(p) ? p + 2 : p + 1;
    if (next >= end) next = NULL;

    if (SP_IS_ZERO(p)) {
        is_zero = 1;
        runlen = SP_ZERO_LEN(p);
    } else if (SP_IS_XZERO(p)) {
        is_xzero = 1;
        runlen = sp_xzero_len(p, end);
    } else {
        is_val = 1;
        runlen = SP_VAL_LEN(p);
    }

    /* Step 2: the trivial cases. */
    if (is_val) {
        int oldcount = SP_VAL_VALUE(p);
        if (oldcount >= count) return 0;          /* A: nothing to do */
        if (runlen == 1) {                        /* B: VAL of one register */
            SP_VAL_SET(p, count, 1);
            goto updated;
        }
    }
    if (is_zero && runlen == 1) {                 /* C: ZERO of one register */
        SP_VAL_SET(p, count, 1);
        goto updated;
    }

    /* D: split the opcode into up to three (at most 5 bytes). */
    {
        uint8_t seq[5], *n = seq;
        long last = first + span - 1;
        long len;

        if (is_zero || is_xzero) {
            if (index != first) {
                n = put_zeros(n, index - first);
            }
            SP_VAL_SET(n, count, 1);
            n++;
            if (index != last) {
                n = put_zeros(n, last - index);
            }
        } else {
            int curval = SP_VAL_VALUE(p);
            if (index != first) {
                len = index - first;
                SP_VAL_SET(n, curval, len);
                n++;
            }
            SP_VAL_SET(n, count, 1);
            n++;
            if (index != last) {
                len = last - index;
                SP_VAL_SET(n, curval, len);
                n++;
            }
        }

        /* Step 3: put the new sequence in place of the old opcode. */
        int seqlen = (int)(n - seq);
        int oldlen = is_xzero ? 2 : 1;
        int deltalen = seqlen - oldlen;
        if (deltalen > 0 && (size_t)s->len - (size_t)cut + (size_t)deltalen > fk_sh->hll_sparse_max_bytes) {
            s->len -= (uint32_t)cut;
            goto promote;
        }
        /* Redis's sdsIncrLen: a NUL past the value (a cut XZERO then
         * writes over it) */
        if (hidden.at == end || hidden.at == end + deltalen) hidden.at = NULL;
        if (deltalen && next) memmove(next + deltalen, next, (size_t)(end - next));
        s->len = (uint32_t)((long)s->len + deltalen);
        memcpy(p, seq, (size_t)seqlen);
        end += deltalen;
    }

updated:
    /* Step 4: merge adjacent VALs of the same value, scanning up to 5
     * opcodes from the one before the change. */
    end -= cut;
    s->len -= (uint32_t)cut;
    uint32_t len_before_merges = s->len;
    p = prev ? prev : sparse;
    int scanlen = 5;
    while (p < end && scanlen--) {
        if (SP_IS_XZERO(p)) {
            p += 2;
            continue;
        } else if (SP_IS_ZERO(p)) {
            p++;
            continue;
        }
        if (p + 1 < end && SP_IS_VAL(p + 1)) {
            int v1 = SP_VAL_VALUE(p);
            int v2 = SP_VAL_VALUE(p + 1);
            if (v1 == v2) {
                int len = SP_VAL_LEN(p) + SP_VAL_LEN(p + 1);
                if (len <= SP_VAL_MAX_LEN) {
                    SP_VAL_SET(p + 1, v1, len);
                    memmove(p, p + 1, (size_t)(end - p - 1));
                    s->len--;
                    end--;
                    continue;   /* maybe merge with the next one too */
                }
            }
        }
        p++;
    }
    if (cut && s->len == len_before_merges) {
        /* the last byte written stays past the value, as in Redis's sds */
        set_byte_past(end, *end);
    } else if (cut || s->len != len_before_merges) {
        /* a merge: Redis's sdsIncrLen(-1) put a NUL past the value */
        if (hidden.at == end) hidden.at = NULL;
    }
    fk_hll_cache_invalidate((unsigned char *)s->buf);
    return 1;

promote:
    if (fk_hll_to_dense(sp) != 0) return -1;   /* corrupted */
    /* The register needed an update (that is why we got here), so this
     * returns 1 on a valid value. */
    return dense_set((uint8_t *)(*sp)->buf + HDR, index, count);
}

int fk_hll_set(fk_str **sp, long index, uint8_t count) {
    uint8_t *p = (uint8_t *)(*sp)->buf;
    if (index < 0 || index >= REGS) return -1;
    switch (p[4]) {
    case FK_HLL_DENSE: return dense_set(p + HDR, index, count);
    case FK_HLL_SPARSE: return sparse_set(sp, index, count);
    default: return -1;
    }
}

int fk_hll_add(fk_str **sp, const unsigned char *ele, size_t n) {
    long index;
    int count = pat_len(ele, n, &index);
    return fk_hll_set(sp, index, (uint8_t)count);
}

/* hllSparseRegHisto */
static void sparse_histo(const uint8_t *p, size_t n, int *invalid, int *reghisto) {
    const uint8_t *end = p + n;
    long idx = 0, runlen;
    while (p < end) {
        if (SP_IS_ZERO(p)) {
            runlen = SP_ZERO_LEN(p);
            reghisto[0] += (int)runlen;
            p++;
        } else if (SP_IS_XZERO(p)) {
            runlen = sp_xzero_len(p, end);
            reghisto[0] += (int)runlen;
            p += 2;
        } else {
            runlen = SP_VAL_LEN(p);
            reghisto[SP_VAL_VALUE(p)] += (int)runlen;
            p++;
        }
        idx += runlen;
        if (idx > REGS) break;   /* corrupted: don't count on */
    }
    if (idx != REGS && invalid) *invalid = 1;
}

/* hllSigma and hllTau (Ertl). */
static double hll_sigma(double x) {
    if (x == 1.) return INFINITY;
    double zPrime;
    double y = 1;
    double z = x;
    do {
        x *= x;
        zPrime = z;
        z += x * y;
        y += y;
    } while (zPrime != z);
    return z;
}

static double hll_tau(double x) {
    if (x == 0. || x == 1.) return 0.;
    double zPrime;
    double y = 1.0;
    double z = 1 - x;
    do {
        x = sqrt(x);
        zPrime = z;
        y *= 0.5;
        z -= pow(1 - x, 2) * y;
    } while (zPrime != z);
    return z / 3;
}

static uint64_t histo_estimate(const int *reghisto) {
    double m = REGS;
    double z = m * hll_tau((m - reghisto[FK_HLL_Q + 1]) / (double)m);
    for (int j = FK_HLL_Q; j >= 1; --j) {
        z += reghisto[j];
        z *= 0.5;
    }
    z += m * hll_sigma(reghisto[0] / (double)m);
    double v = ALPHA_INF * m * m / z;
    /* Redis: E = llroundl(v), (uint64_t)E.  Out of range (registers of 50
     * and over everywhere) llroundl gives LLONG_MIN on x86, which Redis
     * then replies as -9223372036854775808: the same here, without UB. */
    long long ll;
    if (v >= 0 && v < 9223372036854775807.0)
        ll = llround(v);
    else
        ll = LLONG_MIN;
    return (uint64_t)ll;
}

uint64_t fk_hll_count(const unsigned char *p, size_t n, int *invalid) {
    int reghisto[64] = {0};
    if (p[4] == FK_HLL_DENSE)
        dense_histo(p + HDR, reghisto);
    else
        sparse_histo(p + HDR, n - HDR, invalid, reghisto);
    return histo_estimate(reghisto);
}

uint64_t fk_hll_count_raw(const uint8_t *max) {
    int reghisto[64] = {0};
    int h[4][64];
    memset(h, 0, sizeof h);
    for (int j = 0; j < REGS; j += 8) histo_word(load_le64(max + j), h);
    histo_sum(h, reghisto);
    return histo_estimate(reghisto);
}

int fk_hll_merge(uint8_t *max, const unsigned char *hll, size_t n) {
    if (hll[4] == FK_HLL_DENSE) {
        const uint8_t *r = hll + HDR;
        for (int g = 0; g < GROUPS; g++)
            store_le64(max + 8 * g, max_bytes(load_le64(max + 8 * g), dense_group(r, g)));
        return 0;
    }
    return sparse_walk(hll + HDR, hll + n, NULL, max);
}

size_t fk_hll_decode(const unsigned char *hll, size_t n, char *out, size_t cap) {
    const uint8_t *p = hll + HDR, *end = hll + n;
    size_t len = 0;
    char tmp[32];
    while (p < end) {
        int k;
        if (SP_IS_ZERO(p)) {
            k = snprintf(tmp, sizeof(tmp), "z:%d ", (int)SP_ZERO_LEN(p));
            p++;
        } else if (SP_IS_XZERO(p)) {
            k = snprintf(tmp, sizeof(tmp), "Z:%d ", (int)sp_xzero_len(p, end));
            p += 2;
        } else {
            k = snprintf(tmp, sizeof(tmp), "v:%d,%d ", (int)SP_VAL_VALUE(p), (int)SP_VAL_LEN(p));
            p++;
        }
        if (len + (size_t)k <= cap) memcpy(out + len, tmp, (size_t)k);
        len += (size_t)k;
    }
    if (len) len--;   /* sdstrim(decoded," "): only the trailing space exists */
    return len;
}

/* ------------------------------------------------------------------------
 * PFSELFTEST */

static uint64_t st_rand(uint64_t *s) {   /* xorshift64* */
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

int fk_hll_selftest(char *err, size_t errcap) {
    int rc = 1;
    unsigned int j, i;
    uint8_t *dense = fk_malloc(FK_HLL_DENSE_SIZE);
    uint8_t *bytecounters = fk_malloc(REGS);
    fk_str *o = NULL;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t rs = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ 0x9E3779B97F4A7C15ULL;
    memset(dense, 0, FK_HLL_DENSE_SIZE);
    memcpy(dense, "HYLL", 4);
    uint8_t *regs = dense + HDR;

    /* Test 1: registers keep their values and don't disturb neighbours. */
    for (j = 0; j < 1000; j++) {
        for (i = 0; i < REGS; i++) {
            unsigned int r = (unsigned int)(st_rand(&rs) & REGMAX);
            bytecounters[i] = (uint8_t)r;
            dense_put(regs, i, r);
        }
        for (i = 0; i < REGS; i++) {
            unsigned int val = (unsigned int)dense_get(regs, i);
            if (val != bytecounters[i]) {
                snprintf(err, errcap, "TESTFAILED Register %d should be %d but is %d",
                         (int)i, (int)bytecounters[i], (int)val);
                goto cleanup;
            }
        }
    }

    /* Test 2: approximation error, dense and sparse side by side. */
    memset(regs, 0, FK_HLL_DENSE_SIZE - HDR);
    o = fk_hll_new();
    double relerr = 1.04 / sqrt(REGS);
    int64_t checkpoint = 1;
    uint64_t seed = st_rand(&rs);
    uint64_t ele;
    for (j = 1; j <= 10000000; j++) {
        long index;
        ele = j ^ seed;
        int count = pat_len((unsigned char *)&ele, sizeof(ele), &index);
        dense_set(regs, index, (uint8_t)count);
        fk_hll_set(&o, index, (uint8_t)count);

        if (j == checkpoint && j < fk_sh->hll_sparse_max_bytes / 2) {
            if (o->buf[4] != FK_HLL_SPARSE) {
                snprintf(err, errcap, "TESTFAILED sparse encoding not used");
                goto cleanup;
            }
        }
        if (j == checkpoint &&
            fk_hll_count(dense, FK_HLL_DENSE_SIZE, NULL) !=
                fk_hll_count((unsigned char *)o->buf, o->len, NULL)) {
            snprintf(err, errcap, "TESTFAILED dense/sparse disagree");
            goto cleanup;
        }
        if (j == checkpoint) {
            int64_t abserr = checkpoint - (int64_t)fk_hll_count(dense, FK_HLL_DENSE_SIZE, NULL);
            uint64_t maxerr = (uint64_t)ceil(relerr * 6 * (double)checkpoint);
            if (j == 10) maxerr = 1;
            if (abserr < 0) abserr = -abserr;
            if (abserr > (int64_t)maxerr) {
                snprintf(err, errcap, "TESTFAILED Too big error. card:%llu abserr:%llu",
                         (unsigned long long)checkpoint, (unsigned long long)abserr);
                goto cleanup;
            }
            checkpoint *= 10;
        }
    }
    rc = 0;

cleanup:
    fk_free(dense);
    fk_free(bytecounters);
    if (o) fk_free(o);
    return rc;
}

int fk_hll_store_max(fk_str **sp, const uint8_t *max) {
    uint8_t *p = (uint8_t *)(*sp)->buf;
    if (p[4] == FK_HLL_DENSE) {
        uint8_t *regs = p + HDR;
        for (long j = 0; j < REGS; j++)
            if (max[j]) dense_set(regs, j, max[j]);
        return 0;
    }
    for (long j = 0; j < REGS; j++) {
        if (max[j] == 0) continue;
        if (fk_hll_set(sp, j, max[j]) < 0) return -1;
    }
    return 0;
}
