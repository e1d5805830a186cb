/* fk_util: small string helpers whose exact behaviour clients can see, so
 * they follow Redis's util.c: strict integer parsing (no spaces, no '+', no
 * leading zeros), glob matching for KEYS/SCAN/CONFIG GET, and long double
 * formatting for INCRBYFLOAT. */
#ifndef FK_UTIL_H
#define FK_UTIL_H
#include <stddef.h>
#include <stdint.h>

int fk_string2ll(const char *s, size_t slen, long long *value);   /* 1 ok, 0 not an integer */
int fk_ll2string(char *dst, size_t dstlen, long long v);          /* length written */
/* The decimal digits of v (and its '-') at w, which has room for 20 bytes;
 * no terminator.  Returns the end.  The one integer formatter of the
 * reply paths (fk_ll2string, RESP headers, listpack integers). */
static inline char *fk_ll2digits(char *w, long long v) {
    char tmp[20];
    int n = 0;
    unsigned long long u;
    if (v < 0) {
        *w++ = '-';
        u = (unsigned long long)(-(v + 1)) + 1;    /* no overflow for LLONG_MIN */
    } else {
        u = (unsigned long long)v;
    }
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    while (n) *w++ = tmp[--n];
    return w;
}
int fk_string2ld(const char *s, size_t slen, long double *dp);    /* 1 ok */
int fk_ld2string(char *buf, size_t len, long double value);       /* human form, 0 on error */
int fk_string2d(const char *s, size_t slen, double *dp);          /* 1 ok */
int fk_d2string(char *buf, size_t len, double value);             /* Redis's %.17g form */
int fk_stringmatchlen(const char *p, int plen, const char *s, int slen, int nocase);
long long fk_ustime(void);    /* wall clock, microseconds */
long long fk_mstime(void);
long long fk_monotonic_us(void);   /* microseconds; see fk_monotonic_init */
void fk_monotonic_init(void);        /* once per process (fastkv._core.shared) */
int fk_parse_scan_cursor(const char *s, size_t slen, unsigned long long *cursor);

#endif
