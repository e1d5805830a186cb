/* fk_listpack: Redis 7.0's listpack format, byte for byte (see fk_listpack.h).
 *
 * Layout: <total-bytes u32 LE> <count u16 LE> <entry>... <0xFF>
 * Entry:  <encoding byte(s)> <data> <backlen>
 *
 *   0xxxxxxx                    7-bit unsigned int
 *   10llllll <data>             string, length < 64
 *   110xxxxx xxxxxxxx           13-bit signed int
 *   1110llll llllllll <data>    string, length < 4096
 *   11110000 <len u32 LE> <data> string
 *   0xF1 / 0xF2 / 0xF3 / 0xF4   16 / 24 / 32 / 64-bit signed int, LE
 *
 * backlen: the size of encoding+data, written big-endian in 7-bit groups
 * with the high bit set on every byte but the first, so it reads right to
 * left from the byte before the next entry.  Redis's thresholds are kept
 * exactly (a size of 16383 already takes 3 bytes). */
#include "fk_listpack.h"
#include "fk_alloc.h"
#include "fk_util.h"

#include <stdlib.h>
#include <string.h>

#define HDR FK_LP_HDR_SIZE
#define NUMELE_UNKNOWN 65535u
#define LP_EOF 0xFF
#define MAX_INT_ENC 9
#define MAX_BACKLEN 5

#define ENC_7BIT_UINT(b) (((b) & 0x80) == 0)
#define ENC_6BIT_STR(b) (((b) & 0xC0) == 0x80)
#define ENC_13BIT_INT(b) (((b) & 0xE0) == 0xC0)
#define ENC_12BIT_STR(b) (((b) & 0xF0) == 0xE0)
#define ENC_16BIT_INT 0xF1
#define ENC_24BIT_INT 0xF2
#define ENC_32BIT_INT 0xF3
#define ENC_64BIT_INT 0xF4
#define ENC_32BIT_STR 0xF0

static inline uint32_t get_total(const unsigned char *lp) {
    return (uint32_t)lp[0] | (uint32_t)lp[1] << 8 | (uint32_t)lp[2] << 16 | (uint32_t)lp[3] << 24;
}
static inline void set_total(unsigned char *lp, uint32_t v) {
    lp[0] = v & 0xff; lp[1] = (v >> 8) & 0xff; lp[2] = (v >> 16) & 0xff; lp[3] = (v >> 24) & 0xff;
}
static inline uint32_t get_count(const unsigned char *lp) {
    return (uint32_t)lp[4] | (uint32_t)lp[5] << 8;
}
static inline void set_count(unsigned char *lp, uint64_t v) {
    if (v > NUMELE_UNKNOWN) v = NUMELE_UNKNOWN;    /* too many: "unknown" */
    lp[4] = v & 0xff; lp[5] = (v >> 8) & 0xff;
}

/* ------------------------------------------------------------------ */
/* Encodings                                                          */

int fk_lp_string_to_int64(const char *s, unsigned long slen, int64_t *value) {
    const unsigned char *p = (const unsigned char *)s;
    unsigned long i = 0;
    int neg = 0;
    uint64_t v;
    if (slen == 0) return 0;
    if (slen == 1 && p[0] == '0') {
        if (value) *value = 0;
        return 1;
    }
    if (p[0] == '-') {
        neg = 1;
        i = 1;
        if (slen == 1) return 0;
    }
    if (p[i] < '1' || p[i] > '9') return 0;
    if (slen - i > 20) return 0;    /* more digits than any uint64 */
    v = p[i++] - '0';
    for (; i < slen; i++) {
        unsigned d = (unsigned)p[i] - '0';
        if (d > 9) return 0;
        if (v > UINT64_MAX / 10) return 0;
        v *= 10;
        if (v > UINT64_MAX - d) return 0;
        v += d;
    }
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1) return 0;
        if (value) *value = (int64_t)(0 - v);
    } else {
        if (v > (uint64_t)INT64_MAX) return 0;
        if (value) *value = (int64_t)v;
    }
    return 1;
}

/* Integer encoding of v into buf; returns its size (1..9). */
static inline unsigned encode_int(unsigned char *buf, int64_t v) {
    if (v >= 0 && v <= 127) {
        buf[0] = (unsigned char)v;
        return 1;
    } else if (v >= -4096 && v <= 4095) {
        uint64_t u = v < 0 ? (uint64_t)((1 << 13) + v) : (uint64_t)v;
        buf[0] = (unsigned char)((u >> 8) | 0xC0);
        buf[1] = u & 0xff;
        return 2;
    } else if (v >= -32768 && v <= 32767) {
        uint64_t u = v < 0 ? (uint64_t)((1 << 16) + v) : (uint64_t)v;
        buf[0] = ENC_16BIT_INT;
        buf[1] = u & 0xff;
        buf[2] = (u >> 8) & 0xff;
        return 3;
    } else if (v >= -8388608 && v <= 8388607) {
        uint64_t u = v < 0 ? (uint64_t)((1 << 24) + v) : (uint64_t)v;
        buf[0] = ENC_24BIT_INT;
        buf[1] = u & 0xff;
        buf[2] = (u >> 8) & 0xff;
        buf[3] = (u >> 16) & 0xff;
        return 4;
    } else if (v >= -2147483648LL && v <= 2147483647LL) {
        uint64_t u = v < 0 ? (uint64_t)(((int64_t)1 << 32) + v) : (uint64_t)v;
        buf[0] = ENC_32BIT_INT;
        buf[1] = u & 0xff;
        buf[2] = (u >> 8) & 0xff;
        buf[3] = (u >> 16) & 0xff;
        buf[4] = (u >> 24) & 0xff;
        return 5;
    } else {
        uint64_t u = (uint64_t)v;
        buf[0] = ENC_64BIT_INT;
        for (int i = 0; i < 8; i++) buf[1 + i] = (u >> (8 * i)) & 0xff;
        return 9;
    }
}

/* Size of the string header (encoding + length bytes) for a string of len. */
static inline unsigned str_hdr_size(uint32_t len) {
    return len < 64 ? 1 : len < 4096 ? 2 : 5;
}

static inline void write_str_hdr(unsigned char *buf, uint32_t len) {
    if (len < 64) {
        buf[0] = (unsigned char)(len | 0x80);
    } else if (len < 4096) {
        buf[0] = (unsigned char)((len >> 8) | 0xE0);
        buf[1] = len & 0xff;
    } else {
        buf[0] = ENC_32BIT_STR;
        buf[1] = len & 0xff;
        buf[2] = (len >> 8) & 0xff;
        buf[3] = (len >> 16) & 0xff;
        buf[4] = (len >> 24) & 0xff;
    }
}

static inline unsigned backlen_size(uint64_t l) {
    if (l <= 127) return 1;
    if (l < 16383) return 2;
    if (l < 2097151) return 3;
    if (l < 268435455) return 4;
    return 5;
}

static inline unsigned write_backlen(unsigned char *buf, uint64_t l) {
    unsigned n = backlen_size(l);
    /* buf[0] holds the highest group, without the continuation bit. */
    for (unsigned i = n; i-- > 0;) {
        unsigned char b = l & 127;
        if (i != 0) b |= 128;
        buf[i] = b;
        l >>= 7;
    }
    return n;
}

/* Read the backlen whose last byte is at p (reading leftwards); UINT64_MAX
 * when it is longer than 5 bytes. */
static inline uint64_t read_backlen(const unsigned char *p) {
    uint64_t val = 0;
    unsigned shift = 0;
    for (;;) {
        val |= (uint64_t)(p[0] & 127) << shift;
        if (!(p[0] & 128)) break;
        shift += 7;
        p--;
        if (shift > 28) return UINT64_MAX;
    }
    return val;
}

/* Encoding + data size of the entry at p (EOF: 1; unknown encoding: 0). */
static inline uint32_t entry_size(const unsigned char *p) {
    unsigned char b = p[0];
    if (ENC_7BIT_UINT(b)) return 1;
    if (ENC_6BIT_STR(b)) return 1 + (b & 0x3F);
    if (ENC_13BIT_INT(b)) return 2;
    if (ENC_12BIT_STR(b)) return 2 + (((uint32_t)(b & 0xF) << 8) | p[1]);
    switch (b) {
    case ENC_16BIT_INT: return 3;
    case ENC_24BIT_INT: return 4;
    case ENC_32BIT_INT: return 5;
    case ENC_64BIT_INT: return 9;
    case ENC_32BIT_STR:
        return 5 + ((uint32_t)p[1] | (uint32_t)p[2] << 8 | (uint32_t)p[3] << 16 | (uint32_t)p[4] << 24);
    case LP_EOF: return 1;
    }
    return 0;
}

/* Bytes needed to read the entry's size (encoding + length bytes). */
static inline uint32_t entry_size_bytes(const unsigned char *p) {
    unsigned char b = p[0];
    if (ENC_7BIT_UINT(b) || ENC_6BIT_STR(b) || ENC_13BIT_INT(b)) return 1;
    if (ENC_12BIT_STR(b)) return 2;
    switch (b) {
    case ENC_16BIT_INT: case ENC_24BIT_INT: case ENC_32BIT_INT: case ENC_64BIT_INT:
    case LP_EOF:
        return 1;
    case ENC_32BIT_STR: return 5;
    }
    return 0;
}

/* Whole entry size including its backlen. */
static inline uint32_t entry_full_size(const unsigned char *p) {
    uint32_t n = entry_size(p);
    return n + backlen_size(n);
}

static inline unsigned char *skip_entry(unsigned char *p) {
    return p + entry_full_size(p);
}

/* Decode an entry: returns the string (setting *len) or NULL for an integer
 * (setting *ival). */
static inline unsigned char *decode(unsigned char *p, uint32_t *len, int64_t *ival) {
    unsigned char b = p[0];
    uint64_t u, negstart, negmax;
    if (ENC_7BIT_UINT(b)) {
        *ival = b;
        return NULL;
    } else if (ENC_6BIT_STR(b)) {
        *len = b & 0x3F;
        return p + 1;
    } else if (ENC_13BIT_INT(b)) {
        u = ((uint64_t)(b & 0x1F) << 8) | p[1];
        negstart = (uint64_t)1 << 12;
        negmax = 8191;
    } else if (ENC_12BIT_STR(b)) {
        *len = ((uint32_t)(b & 0xF) << 8) | p[1];
        return p + 2;
    } else if (b == ENC_16BIT_INT) {
        u = (uint64_t)p[1] | (uint64_t)p[2] << 8;
        negstart = (uint64_t)1 << 15;
        negmax = UINT16_MAX;
    } else if (b == ENC_24BIT_INT) {
        u = (uint64_t)p[1] | (uint64_t)p[2] << 8 | (uint64_t)p[3] << 16;
        negstart = (uint64_t)1 << 23;
        negmax = UINT32_MAX >> 8;
    } else if (b == ENC_32BIT_INT) {
        u = (uint64_t)p[1] | (uint64_t)p[2] << 8 | (uint64_t)p[3] << 16 | (uint64_t)p[4] << 24;
        negstart = (uint64_t)1 << 31;
        negmax = UINT32_MAX;
    } else if (b == ENC_64BIT_INT) {
        u = 0;
        for (int i = 8; i >= 1; i--) u = (u << 8) | p[i];
        negstart = (uint64_t)1 << 63;
        negmax = UINT64_MAX;
    } else if (b == ENC_32BIT_STR) {
        *len = (uint32_t)p[1] | (uint32_t)p[2] << 8 | (uint32_t)p[3] << 16 | (uint32_t)p[4] << 24;
        return p + 5;
    } else {
        /* Bad encoding: the same marker value as Redis. */
        *ival = (int64_t)(12345678900000000ULL + b);
        return NULL;
    }
    if (u >= negstart) {
        u = negmax - u;
        *ival = -(int64_t)u - 1;
    } else {
        *ival = (int64_t)u;
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Creation, size                                                     */

unsigned char *fk_lp_new(size_t capacity) {
    unsigned char *lp = fk_malloc(capacity > HDR + 1 ? capacity : HDR + 1);
    set_total(lp, HDR + 1);
    set_count(lp, 0);
    lp[HDR] = LP_EOF;
    return lp;
}

void fk_lp_free(unsigned char *lp) {
    fk_free(lp);
}

unsigned char *fk_lp_shrink_to_fit(unsigned char *lp) {
    size_t size = get_total(lp);
    if (size < fk_usable(lp)) return fk_realloc(lp, size);
    return lp;
}

unsigned char *fk_lp_dup(const unsigned char *lp) {
    size_t n = get_total(lp);
    unsigned char *d = fk_malloc(n);
    memcpy(d, lp, n);
    return d;
}

size_t fk_lp_bytes(const unsigned char *lp) {
    return get_total(lp);
}

unsigned long fk_lp_length(const unsigned char *clp) {
    unsigned char *lp = (unsigned char *)clp;
    uint32_t n = get_count(lp);
    if (n != NUMELE_UNKNOWN) return n;
    unsigned long count = 0;
    unsigned char *p = lp + HDR;
    while (p[0] != LP_EOF) {
        count++;
        p = skip_entry(p);
    }
    /* As Redis: the header is set again once the count fits (lpLength). */
    if (count < NUMELE_UNKNOWN) set_count(lp, (uint32_t)count);
    return count;
}

/* ------------------------------------------------------------------ */
/* Iteration                                                          */

unsigned char *fk_lp_first(unsigned char *lp) {
    unsigned char *p = lp + HDR;
    return p[0] == LP_EOF ? NULL : p;
}

unsigned char *fk_lp_next(unsigned char *lp, unsigned char *p) {
    (void)lp;
    p = skip_entry(p);
    return p[0] == LP_EOF ? NULL : p;
}

unsigned char *fk_lp_prev(unsigned char *lp, unsigned char *p) {
    if (p - lp == HDR) return NULL;
    p--;
    uint64_t prevlen = read_backlen(p);
    prevlen += backlen_size(prevlen);
    return p - (prevlen - 1);
}

unsigned char *fk_lp_last(unsigned char *lp) {
    return fk_lp_prev(lp, lp + get_total(lp) - 1);
}

unsigned char *fk_lp_seek(unsigned char *lp, long index) {
    int forward = 1;
    long numele = get_count(lp);
    if (numele != NUMELE_UNKNOWN) {
        if (index < 0) index = numele + index;
        if (index < 0 || index >= numele) return NULL;
        if (index > numele / 2) {
            forward = 0;
            index -= numele;
        }
    } else if (index < 0) {
        forward = 0;
    }
    if (forward) {
        unsigned char *p = fk_lp_first(lp);
        while (index > 0 && p) {
            p = fk_lp_next(lp, p);
            index--;
        }
        return p;
    } else {
        unsigned char *p = fk_lp_last(lp);
        while (index < -1 && p) {
            p = fk_lp_prev(lp, p);
            index++;
        }
        return p;
    }
}

/* ------------------------------------------------------------------ */
/* Reading                                                            */

unsigned char *fk_lp_get_value(unsigned char *p, unsigned int *slen, long long *lval) {
    uint32_t len;
    int64_t v;
    unsigned char *s = decode(p, &len, &v);
    if (s) {
        *slen = len;
        return s;
    }
    *lval = v;
    return NULL;
}

unsigned char *fk_lp_get(unsigned char *p, int64_t *len, unsigned char *buf) {
    uint32_t l;
    int64_t v;
    unsigned char *s = decode(p, &l, &v);
    if (s) {
        *len = l;
        return s;
    }
    if (buf) {
        *len = fk_ll2string((char *)buf, FK_LP_INTBUF_SIZE, v);
        return buf;
    }
    *len = v;
    return NULL;
}

int fk_lp_compare(unsigned char *p, const unsigned char *s, uint32_t slen) {
    uint32_t l;
    int64_t v;
    if (p[0] == LP_EOF) return 0;
    unsigned char *e = decode(p, &l, &v);
    if (e) return l == slen && memcmp(e, s, slen) == 0;
    unsigned char buf[FK_LP_INTBUF_SIZE];
    int n = fk_ll2string((char *)buf, sizeof(buf), v);
    return (uint32_t)n == slen && memcmp(buf, s, slen) == 0;
}

unsigned char *fk_lp_find(unsigned char *lp, unsigned char *p, const unsigned char *s,
                          uint32_t slen, unsigned int skip) {
    unsigned int skipcnt = 0;
    int sint_state = 0;     /* 0 unknown, 1 s is an integer, -1 it is not */
    int64_t sval = 0;
    (void)lp;
    while (p && p[0] != LP_EOF) {
        if (skipcnt == 0) {
            uint32_t l;
            int64_t v;
            unsigned char *e = decode(p, &l, &v);
            if (e) {
                if (l == slen && memcmp(e, s, slen) == 0) return p;
            } else {
                if (sint_state == 0)
                    sint_state = fk_lp_string_to_int64((const char *)s, slen, &sval) ? 1 : -1;
                if (sint_state == 1 && v == sval) return p;
            }
            skipcnt = skip;
        } else {
            skipcnt--;
        }
        p = skip_entry(p);
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Insert / replace / delete                                          */

/* The one edit primitive (lpInsert): kind 0 = string s/slen (stored as an
 * integer when it is one), 1 = integer lval, -1 = delete p. */
static unsigned char *lp_insert(unsigned char *lp, int kind, const unsigned char *s, uint32_t slen,
                                int64_t lval, unsigned char *p, int where, unsigned char **newp) {
    unsigned char enc[MAX_INT_ENC];
    unsigned char backlen[MAX_BACKLEN];
    uint64_t enclen = 0;
    unsigned blsize = 0;
    int isstr = 0;

    if (kind < 0) where = FK_LP_REPLACE;
    if (where == FK_LP_AFTER) {
        p = skip_entry(p);
        where = FK_LP_BEFORE;
    }
    size_t poff = (size_t)(p - lp);

    if (kind == 0) {
        int64_t v;
        if (fk_lp_string_to_int64((const char *)s, slen, &v)) {
            enclen = encode_int(enc, v);
        } else {
            isstr = 1;
            enclen = (uint64_t)str_hdr_size(slen) + slen;
        }
    } else if (kind == 1) {
        enclen = encode_int(enc, lval);
    }
    if (kind >= 0) blsize = write_backlen(backlen, enclen);

    uint64_t old_bytes = get_total(lp);
    uint64_t replaced = 0;
    if (where == FK_LP_REPLACE) replaced = entry_full_size(p);
    uint64_t new_bytes = old_bytes + enclen + blsize - replaced;
    if (new_bytes > UINT32_MAX) return NULL;

    unsigned char *dst = lp + poff;
    if (new_bytes > old_bytes && new_bytes > fk_usable(lp)) {
        lp = fk_realloc(lp, new_bytes);
        dst = lp + poff;
    }
    if (where == FK_LP_BEFORE) {
        memmove(dst + enclen + blsize, dst, old_bytes - poff);
    } else {
        memmove(dst + enclen + blsize, dst + replaced, old_bytes - poff - replaced);
    }
    if (new_bytes < old_bytes) {
        lp = fk_realloc(lp, new_bytes);
        dst = lp + poff;
    }
    if (newp) {
        *newp = dst;
        if (kind < 0 && dst[0] == LP_EOF) *newp = NULL;
    }
    if (kind >= 0) {
        if (isstr) {
            unsigned h = str_hdr_size(slen);
            write_str_hdr(dst, slen);
            memcpy(dst + h, s, slen);
        } else {
            memcpy(dst, enc, enclen);
        }
        memcpy(dst + enclen, backlen, blsize);
    }
    if (where != FK_LP_REPLACE || kind < 0) {
        uint32_t n = get_count(lp);
        if (n != NUMELE_UNKNOWN) set_count(lp, kind >= 0 ? n + 1 : n - 1);
    }
    set_total(lp, (uint32_t)new_bytes);
    return lp;
}

unsigned char *fk_lp_insert_string(unsigned char *lp, const unsigned char *s, uint32_t slen,
                                   unsigned char *p, int where, unsigned char **newp) {
    return lp_insert(lp, 0, s, slen, 0, p, where, newp);
}

unsigned char *fk_lp_insert_integer(unsigned char *lp, long long lval,
                                    unsigned char *p, int where, unsigned char **newp) {
    return lp_insert(lp, 1, NULL, 0, lval, p, where, newp);
}

unsigned char *fk_lp_append(unsigned char *lp, const unsigned char *s, uint32_t slen) {
    return lp_insert(lp, 0, s, slen, 0, lp + get_total(lp) - 1, FK_LP_BEFORE, NULL);
}

unsigned char *fk_lp_append_integer(unsigned char *lp, long long lval) {
    return lp_insert(lp, 1, NULL, 0, lval, lp + get_total(lp) - 1, FK_LP_BEFORE, NULL);
}

unsigned char *fk_lp_prepend(unsigned char *lp, const unsigned char *s, uint32_t slen) {
    /* The first element, or the EOF of an empty listpack: the same place. */
    return lp_insert(lp, 0, s, slen, 0, lp + HDR, FK_LP_BEFORE, NULL);
}

unsigned char *fk_lp_prepend_integer(unsigned char *lp, long long lval) {
    return lp_insert(lp, 1, NULL, 0, lval, lp + HDR, FK_LP_BEFORE, NULL);
}

unsigned char *fk_lp_replace(unsigned char *lp, unsigned char **p, const unsigned char *s, uint32_t slen) {
    return lp_insert(lp, 0, s, slen, 0, *p, FK_LP_REPLACE, p);
}

unsigned char *fk_lp_replace_integer(unsigned char *lp, unsigned char **p, long long lval) {
    return lp_insert(lp, 1, NULL, 0, lval, *p, FK_LP_REPLACE, p);
}

unsigned char *fk_lp_delete(unsigned char *lp, unsigned char *p, unsigned char **newp) {
    return lp_insert(lp, -1, NULL, 0, 0, p, FK_LP_REPLACE, newp);
}

unsigned char *fk_lp_delete_range_with_entry(unsigned char *lp, unsigned char **p, unsigned long num) {
    if (num == 0 || *p == NULL) return lp;
    uint32_t bytes = get_total(lp);
    unsigned char *eof = lp + bytes - 1;
    unsigned char *first = *p, *tail = *p;
    unsigned long deleted = 0;
    while (num--) {
        deleted++;
        tail = skip_entry(tail);
        if (tail[0] == LP_EOF) break;
    }
    size_t poff = (size_t)(first - lp);
    memmove(first, tail, (size_t)(eof - tail) + 1);
    set_total(lp, bytes - (uint32_t)(tail - first));
    uint32_t n = get_count(lp);
    if (n != NUMELE_UNKNOWN) set_count(lp, n - (uint32_t)deleted);
    lp = fk_lp_shrink_to_fit(lp);
    *p = lp + poff;
    if ((*p)[0] == LP_EOF) *p = NULL;
    return lp;
}

unsigned char *fk_lp_delete_range(unsigned char *lp, long index, unsigned long num) {
    long len = (long)fk_lp_length(lp);
    uint32_t bytes = get_total(lp);
    if (num == 0) return lp;
    unsigned char *p = fk_lp_seek(lp, index);
    if (p == NULL) return lp;
    if (index < 0) index = len + index;
    if ((unsigned long)(len - index) <= num) {
        p[0] = LP_EOF;
        set_total(lp, (uint32_t)(p - lp + 1));
        set_count(lp, (uint32_t)index);
    } else {
        unsigned char *eof = lp + bytes - 1;
        unsigned char *first = p;
        for (unsigned long i = 0; i < num; i++) p = skip_entry(p);
        memmove(first, p, (size_t)(eof - p) + 1);
        set_total(lp, bytes - (uint32_t)(p - first));
        set_count(lp, (uint32_t)(len - (long)num));
    }
    return fk_lp_shrink_to_fit(lp);
}

unsigned char *fk_lp_batch_delete(unsigned char *lp, unsigned char **ps, unsigned long count) {
    if (count == 0) return lp;
    size_t total = get_total(lp);
    unsigned char *end = lp + total;   /* just past the EOF byte */
    unsigned char *dst = ps[0];
    for (unsigned long i = 0; i < count; i++) {
        unsigned char *keep = skip_entry(ps[i]);
        unsigned char *keep_end = i + 1 < count ? ps[i + 1] : end;
        if (keep == keep_end) continue;
        size_t n = (size_t)(keep_end - keep);
        memmove(dst, keep, n);
        dst += n;
    }
    total -= (size_t)(end - dst);
    set_total(lp, (uint32_t)total);
    uint32_t n = get_count(lp);
    if (n != NUMELE_UNKNOWN) set_count(lp, n - (uint32_t)count);
    return fk_lp_shrink_to_fit(lp);
}

unsigned char *fk_lp_merge(unsigned char **first, unsigned char **second) {
    if (!first || !*first || !second || !*second || *first == *second) return NULL;
    uint32_t fbytes = get_total(*first), sbytes = get_total(*second);
    unsigned long flen = fk_lp_length(*first), slen = fk_lp_length(*second);
    int append = flen >= slen;
    unsigned char *target = append ? *first : *second;
    unsigned char *source = append ? *second : *first;
    uint32_t tbytes = append ? fbytes : sbytes;
    uint32_t srcbytes = append ? sbytes : fbytes;
    uint32_t bytes = fbytes + sbytes - HDR - 1;
    unsigned long len = flen + slen;

    target = fk_realloc(target, bytes);
    if (append) {
        memcpy(target + tbytes - 1, source + HDR, srcbytes - HDR);
    } else {
        memmove(target + srcbytes - 1, target + HDR, tbytes - HDR);
        memcpy(target, source, srcbytes - 1);
    }
    set_total(target, bytes);
    set_count(target, len < NUMELE_UNKNOWN ? (uint32_t)len : NUMELE_UNKNOWN);
    if (append) {
        fk_free(*second);
        *second = NULL;
        *first = target;
    } else {
        fk_free(*first);
        *first = NULL;
        *second = target;
    }
    return target;
}

/* ------------------------------------------------------------------ */
/* Random picks                                                       */

static inline void save_entry(unsigned char *p, fk_lp_entry *dst) {
    uint32_t l = 0;
    int64_t v = 0;
    unsigned char *s = decode(p, &l, &v);
    dst->sval = s;
    dst->slen = s ? l : 0;
    dst->lval = s ? 0 : v;
}

void fk_lp_random_pair(unsigned char *lp, unsigned long total_count, fk_lp_entry *key, fk_lp_entry *val) {
    if (total_count == 0) return;
    long r = (long)((unsigned long)random() % total_count) * 2;
    unsigned char *p = fk_lp_seek(lp, r);
    if (!p) return;
    save_entry(p, key);
    if (!val) return;
    p = fk_lp_next(lp, p);
    if (p) save_entry(p, val);
}

typedef struct {
    unsigned long index;
    unsigned int order;
} rand_pick;

static int pick_cmp(const void *a, const void *b) {
    unsigned long x = ((const rand_pick *)a)->index, y = ((const rand_pick *)b)->index;
    return x < y ? -1 : x > y;
}

void fk_lp_random_pairs(unsigned char *lp, unsigned int count, fk_lp_entry *keys, fk_lp_entry *vals) {
    unsigned long total = fk_lp_length(lp) / 2;
    if (total == 0 || count == 0) return;
    rand_pick *picks = fk_malloc(sizeof(rand_pick) * count);
    for (unsigned int i = 0; i < count; i++) {
        picks[i].index = ((unsigned long)random() % total) * 2;
        picks[i].order = i;
    }
    qsort(picks, count, sizeof(rand_pick), pick_cmp);
    unsigned long lpindex = 0;
    unsigned int pi = 0;
    unsigned char *p = fk_lp_first(lp);
    while (p && pi < count) {
        unsigned char *v = fk_lp_next(lp, p);
        if (!v) break;
        while (pi < count && picks[pi].index == lpindex) {
            save_entry(p, &keys[picks[pi].order]);
            if (vals) save_entry(v, &vals[picks[pi].order]);
            pi++;
        }
        lpindex += 2;
        p = fk_lp_next(lp, v);
    }
    fk_free(picks);
}

unsigned int fk_lp_random_pairs_unique(unsigned char *lp, unsigned int count, fk_lp_entry *keys, fk_lp_entry *vals) {
    unsigned long total = fk_lp_length(lp) / 2;
    unsigned long index = 0;
    if (count > total) count = (unsigned int)total;
    unsigned char *p = fk_lp_first(lp);
    unsigned int picked = 0, remaining = count;
    while (picked < count && p) {
        unsigned char *v = fk_lp_next(lp, p);
        if (!v) break;
        double r = (double)random() / RAND_MAX;
        double threshold = (double)remaining / (double)(total - index);
        if (r <= threshold) {
            save_entry(p, &keys[picked]);
            if (vals) save_entry(v, &vals[picked]);
            remaining--;
            picked++;
        }
        p = fk_lp_next(lp, v);
        index++;
    }
    return picked;
}

/* ------------------------------------------------------------------ */
/* Validation                                                         */

static int validate_next(const unsigned char *lp, const unsigned char **pp, size_t lpbytes) {
#define OUT_OF_RANGE(x) ((x) < lp + HDR || (x) > lp + lpbytes - 1)
    const unsigned char *p = *pp;
    if (!p) return 0;
    if (*p == LP_EOF) {
        *pp = NULL;
        return 1;
    }
    uint32_t lenbytes = entry_size_bytes(p);
    if (!lenbytes) return 0;
    if (OUT_OF_RANGE(p + lenbytes)) return 0;
    uint64_t entrylen = entry_size(p);
    unsigned bl = backlen_size(entrylen);
    entrylen += bl;
    if (entrylen > lpbytes || OUT_OF_RANGE(p + entrylen)) return 0;
    p += entrylen;
    uint64_t prevlen = read_backlen(p - 1);
    if (prevlen + bl != entrylen) return 0;
    *pp = p;
    return 1;
#undef OUT_OF_RANGE
}

int fk_lp_validate(const unsigned char *lp, size_t size, int deep) {
    if (size < HDR + 1) return 0;
    if (get_total(lp) != size) return 0;
    if (lp[size - 1] != LP_EOF) return 0;
    const unsigned char *p = lp + HDR;
    if (!deep) {
        if (p[0] != LP_EOF && !validate_next(lp, &p, size)) return 0;
        return 1;
    }
    uint32_t count = 0;
    while (p && p[0] != LP_EOF) {
        if (!validate_next(lp, &p, size)) return 0;
        count++;
    }
    /* validate_next stops on the EOF byte; it must be the last one. */
    if (p != lp + size - 1) return 0;
    uint32_t numele = get_count(lp);
    if (numele != NUMELE_UNKNOWN && numele != count) return 0;
    return 1;
}
