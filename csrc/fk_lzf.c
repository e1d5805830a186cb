/* fk_lzf: an LZF compressor and decompressor compatible with liblzf's
 * format (see fk_lzf.h for the chunk layout).
 *
 * The compressor is a plain greedy LZ77: a hash of the next 3 bytes gives
 * the last position that had the same hash; if the bytes really match and
 * the distance fits in 13 bits, the match is extended (up to 264 bytes) and
 * emitted as a back reference, otherwise the byte joins the pending literal
 * run.  The positions a match covers are hashed too, which is what makes
 * repetitive listpacks (the quicklist's case) compress well.  The hash
 * table is sized to the input (at most 2^14 slots on the stack) so that
 * compressing a small node does not clear 64 KB first. */
#include <string.h>
#include <stdint.h>
#include "fk_lzf.h"

#define LZF_MAX_LIT (1 << 5)                 /* 32 bytes per literal run */
#define LZF_MAX_OFF (1 << 13)                /* 8192 bytes back */
#define LZF_MAX_REF ((1 << 8) + (1 << 3))    /* 264 bytes per match */
#define LZF_HLOG_MAX 14

static inline uint32_t lzf_hash(const unsigned char *p, int hlog) {
    uint32_t v = ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
    return (v * 2654435761u) >> (32 - hlog);
}

unsigned int fk_lzf_compress(const void *in_data, unsigned int in_len,
                             void *out_data, unsigned int out_len) {
    const unsigned char *in = (const unsigned char *)in_data;
    const unsigned char *ip = in, *in_end = in + in_len;
    const unsigned char *lit = in;           /* start of the pending literal run */
    unsigned char *out = (unsigned char *)out_data;
    unsigned char *op = out, *out_end = out + out_len;
    uint32_t htab[1 << LZF_HLOG_MAX];        /* position + 1 of the last 3-byte prefix; 0 = none */
    int hlog = 8;

    if (in_len == 0) return 0;
    while (hlog < LZF_HLOG_MAX && (1u << hlog) < in_len) hlog++;
    memset(htab, 0, sizeof(uint32_t) << hlog);

#define FLUSH_LITERALS(upto)                                         \
    while (lit < (upto)) {                                           \
        unsigned int n_ = (unsigned int)((upto) - lit);              \
        if (n_ > LZF_MAX_LIT) n_ = LZF_MAX_LIT;                      \
        if ((size_t)(out_end - op) < n_ + 1) return 0;               \
        *op++ = (unsigned char)(n_ - 1);                             \
        memcpy(op, lit, n_);                                         \
        op += n_;                                                    \
        lit += n_;                                                   \
    }

    while (ip + 2 < in_end) {
        uint32_t h = lzf_hash(ip, hlog);
        uint32_t cand = htab[h];
        htab[h] = (uint32_t)(ip - in) + 1;
        if (cand) {
            const unsigned char *ref = in + cand - 1;
            unsigned int off = (unsigned int)(ip - ref - 1);
            if (off < LZF_MAX_OFF && ref[0] == ip[0] && ref[1] == ip[1] && ref[2] == ip[2]) {
                unsigned int maxlen = (unsigned int)(in_end - ip);
                unsigned int len = 3, l, k;
                if (maxlen > LZF_MAX_REF) maxlen = LZF_MAX_REF;
                while (len < maxlen && ref[len] == ip[len]) len++;
                FLUSH_LITERALS(ip);
                l = len - 2;
                if ((size_t)(out_end - op) < (l >= 7 ? 3u : 2u)) return 0;
                if (l < 7) {
                    *op++ = (unsigned char)((l << 5) | (off >> 8));
                } else {
                    *op++ = (unsigned char)((7 << 5) | (off >> 8));
                    *op++ = (unsigned char)(l - 7);
                }
                *op++ = (unsigned char)(off & 0xff);
                for (k = 1; k < len && ip + k + 2 < in_end; k++)
                    htab[lzf_hash(ip + k, hlog)] = (uint32_t)(ip + k - in) + 1;
                ip += len;
                lit = ip;
                continue;
            }
        }
        ip++;
    }
    FLUSH_LITERALS(in_end);
#undef FLUSH_LITERALS
    return (unsigned int)(op - out);
}

unsigned int fk_lzf_decompress(const void *in_data, unsigned int in_len,
                               void *out_data, unsigned int out_len) {
    const unsigned char *ip = (const unsigned char *)in_data;
    const unsigned char *in_end = ip + in_len;
    unsigned char *out = (unsigned char *)out_data;
    unsigned char *op = out, *out_end = out + out_len;

    if (in_len == 0) return 0;
    while (ip < in_end) {
        unsigned int ctrl = *ip++;
        if (ctrl < (1 << 5)) {                       /* literal run */
            ctrl++;
            if ((size_t)(out_end - op) < ctrl) return 0;
            if ((size_t)(in_end - ip) < ctrl) return 0;
            memcpy(op, ip, ctrl);
            op += ctrl;
            ip += ctrl;
        } else {                                     /* back reference */
            unsigned int len = ctrl >> 5;
            const unsigned char *ref;
            size_t back = ((size_t)(ctrl & 0x1f) << 8) + 1;
            if (ip >= in_end) return 0;
            if (len == 7) {
                len += *ip++;
                if (ip >= in_end) return 0;
            }
            back += *ip++;
            len += 2;
            if ((size_t)(out_end - op) < len) return 0;
            if ((size_t)(op - out) < back) return 0;
            ref = op - back;
            while (len--) *op++ = *ref++;            /* may overlap: byte by byte */
        }
    }
    return (unsigned int)(op - out);
}
