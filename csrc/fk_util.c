/* See fk_util.h. */
#include "fk_util.h"
#include "fk_shared.h"
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

int fk_string2ll(const char *s, size_t slen, long long *value) {
    const char *p = s;
    size_t plen = 0;
    int negative = 0;
    unsigned long long v;

    if (plen == slen || slen >= 21) return 0;   /* > 20 chars can't fit */
    if (slen == 1 && p[0] == '0') { if (value) *value = 0; return 1; }
    if (p[0] == '-') {
        negative = 1; p++; plen++;
        if (plen == slen) return 0;
    }
    if (p[0] >= '1' && p[0] <= '9') { v = p[0] - '0'; p++; plen++; }
    else return 0;
    while (plen < slen && p[0] >= '0' && p[0] <= '9') {
        if (v > (ULLONG_MAX / 10)) return 0;
        v *= 10;
        if (v > (ULLONG_MAX - (p[0] - '0'))) return 0;
        v += p[0] - '0';
        p++; plen++;
    }
    if (plen < slen) return 0;
    if (negative) {
        if (v > ((unsigned long long)(-(LLONG_MIN + 1)) + 1)) return 0;
        if (value) *value = -(long long)(v - 1) - 1;   /* no overflow for LLONG_MIN */
    } else {
        if (v > LLONG_MAX) return 0;
        if (value) *value = (long long)v;
    }
    return 1;
}

int fk_ll2string(char *dst, size_t dstlen, long long v) {
    char buf[24];
    int n = (int)(fk_ll2digits(buf, v) - buf);
    if ((size_t)n >= dstlen) return 0;
    memcpy(dst, buf, (size_t)n);
    dst[n] = '\0';
    return n;
}

int fk_string2ld(const char *s, size_t slen, long double *dp) {
    char buf[5120];
    char *eptr;
    long double value;
    if (slen == 0 || slen >= sizeof(buf)) return 0;
    memcpy(buf, s, slen);
    buf[slen] = '\0';
    errno = 0;
    value = strtold(buf, &eptr);
    if (isspace((unsigned char)buf[0]) || eptr[0] != '\0' ||
        (errno == ERANGE && (value == HUGE_VALL || value == -HUGE_VALL || fpclassify(value) == FP_ZERO)) ||
        isnan(value))
        return 0;
    if (dp) *dp = value;
    return 1;
}

int fk_ld2string(char *buf, size_t len, long double value) {
    size_t l;
    if (isinf(value)) return 0;   /* callers reject infinities before */
    l = snprintf(buf, len, "%.17Lf", value);
    if (l + 1 > len) return 0;
    /* trim trailing zeros after the dot, then a lone dot */
    if (strchr(buf, '.') != NULL) {
        char *p = buf + l - 1;
        while (*p == '0') { p--; l--; }
        if (*p == '.') l--;
    }
    if (l == 2 && buf[0] == '-' && buf[1] == '0') { buf[0] = '0'; l = 1; }
    buf[l] = '\0';
    return (int)l;
}

int fk_string2d(const char *s, size_t slen, double *dp) {
    char buf[5120];
    char *eptr;
    double value;
    if (slen == 0 || slen >= sizeof(buf)) return 0;
    memcpy(buf, s, slen);
    buf[slen] = '\0';
    errno = 0;
    value = strtod(buf, &eptr);
    if (isspace((unsigned char)buf[0]) || eptr[0] != '\0' ||
        (errno == ERANGE && (value == HUGE_VAL || value == -HUGE_VAL || fpclassify(value) == FP_ZERO)) ||
        isnan(value))
        return 0;
    if (dp) *dp = value;
    return 1;
}

int fk_d2string(char *buf, size_t len, double value) {
    if (isnan(value)) return snprintf(buf, len, "nan");
    if (isinf(value)) return snprintf(buf, len, value > 0 ? "inf" : "-inf");
    if (value == 0) return snprintf(buf, len, (1.0 / value < 0) ? "-0" : "0");
    return snprintf(buf, len, "%.17g", value);
}

/* Glob-style matching, Redis's stringmatchlen: * ? [abc] [^a-z] and \x.
 * `nesting` bounds the recursion of '*' so hostile patterns such as
 * "*a*a*a*a...b" can't blow the stack. */
static int match_impl(const char *pattern, int patternLen, const char *string, int stringLen,
                      int nocase, int *skipLongerMatches, int nesting) {
    if (nesting > 1000) return 0;
    while (patternLen && stringLen) {
        switch (pattern[0]) {
        case '*':
            while (patternLen > 1 && pattern[1] == '*') { pattern++; patternLen--; }
            if (patternLen == 1) return 1;
            while (stringLen) {
                if (match_impl(pattern + 1, patternLen - 1, string, stringLen, nocase,
                               skipLongerMatches, nesting + 1))
                    return 1;
                if (*skipLongerMatches) return 0;
                string++; stringLen--;
            }
            *skipLongerMatches = 1;
            return 0;
        case '?':
            string++; stringLen--;
            break;
        case '[': {
            int not, match;
            pattern++; patternLen--;
            not = pattern[0] == '^';
            if (not) { pattern++; patternLen--; }
            match = 0;
            while (1) {
                if (patternLen == 0) {
                    pattern--; patternLen++;
                    break;
                } else if (pattern[0] == '\\' && patternLen >= 2) {
                    pattern++; patternLen--;
                    if (pattern[0] == string[0]) match = 1;
                } else if (pattern[0] == ']') {
                    break;
                } else if (patternLen >= 3 && pattern[1] == '-') {
                    int start = pattern[0], end = pattern[2], c = string[0];
                    if (start > end) { int t = start; start = end; end = t; }
                    if (nocase) { start = tolower(start); end = tolower(end); c = tolower(c); }
                    pattern += 2; patternLen -= 2;
                    if (c >= start && c <= end) match = 1;
                } else {
                    if (!nocase) { if (pattern[0] == string[0]) match = 1; }
                    else if (tolower((int)pattern[0]) == tolower((int)string[0])) match = 1;
                }
                pattern++; patternLen--;
            }
            if (not) match = !match;
            if (!match) return 0;
            string++; stringLen--;
            break;
        }
        case '\\':
            if (patternLen >= 2) { pattern++; patternLen--; }
            /* fall through */
        default:
            if (!nocase) { if (pattern[0] != string[0]) return 0; }
            else if (tolower((int)pattern[0]) != tolower((int)string[0])) return 0;
            string++; stringLen--;
            break;
        }
        pattern++; patternLen--;
        if (stringLen == 0) {
            while (patternLen > 0 && *pattern == '*') { pattern++; patternLen--; }
            break;
        }
    }
    if (patternLen == 0 && stringLen == 0) return 1;
    return 0;
}

int fk_stringmatchlen(const char *p, int plen, const char *s, int slen, int nocase) {
    int skip = 0;
    return match_impl(p, plen, s, slen, nocase, &skip, 0);
}

long long fk_ustime(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return ((long long)tv.tv_sec) * 1000000 + tv.tv_usec;
}

long long fk_mstime(void) { return fk_ustime() / 1000; }

static long long clock_monotonic_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The monotonic clock times every command (INFO commandstats, SLOWLOG), so
 * it is read twice per command.  Like Redis's monotonic.c, read the CPU's
 * time-stamp counter when it is invariant (constant_tsc and nonstop_tsc),
 * which costs a few cycles where clock_gettime costs tens of nanoseconds.
 * fk_monotonic_init() calibrates the ticks per microsecond against
 * clock_gettime once per process (the rate is process-wide state, so it
 * lives in fk_shared); without an invariant TSC it stays 0 and
 * clock_gettime is used. */
#if defined(__x86_64__)
static inline uint64_t fk_rdtsc(void) {
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static int cpu_has_invariant_tsc(void) {
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[4096];
    int constant = 0, nonstop = 0;
    if (!f) return 0;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "flags", 5) == 0) {
            constant = strstr(line, " constant_tsc") != NULL;
            nonstop = strstr(line, " nonstop_tsc") != NULL;
            break;
        }
    }
    fclose(f);
    return constant && nonstop;
}
#endif

void fk_monotonic_init(void) {
#if defined(__x86_64__)
    if (fk_sh->tsc_ticks_per_us || getenv("FASTKV_NO_TSC") || !cpu_has_invariant_tsc()) return;
    struct timespec pause = {0, 20 * 1000 * 1000};   /* 20 ms */
    long long t0 = clock_monotonic_us();
    uint64_t c0 = fk_rdtsc();
    nanosleep(&pause, NULL);
    long long t1 = clock_monotonic_us();
    uint64_t c1 = fk_rdtsc();
    if (t1 > t0 && c1 > c0) {
        uint64_t rate = (c1 - c0) / (uint64_t)(t1 - t0);
        if (rate >= 100) {                                   /* a plausible >= 100 MHz */
            /* us = ticks * (2^32 / rate) >> 32: a multiply, not a divide */
            fk_sh->tsc_us_mult = (((uint64_t)1 << 32) * (uint64_t)(t1 - t0)) / (uint64_t)(c1 - c0);
            fk_sh->tsc_ticks_per_us = rate;
        }
    }
#endif
}

long long fk_monotonic_us(void) {
#if defined(__x86_64__)
    uint64_t mult = fk_sh->tsc_us_mult;
    if (mult) return (long long)(((unsigned __int128)fk_rdtsc() * mult) >> 32);
#endif
    return clock_monotonic_us();
}

/* SCAN's cursor, parsed like Redis 7.0's parseScanCursorOrReply: strtoul
 * semantics (so "-1" and "+5" are accepted), but no leading space, no
 * trailing garbage and no overflow.  1 ok, 0 invalid. */
int fk_parse_scan_cursor(const char *s, size_t slen, unsigned long long *cursor) {
    char buf[64], *eptr;
    if (slen >= sizeof(buf)) return 0;
    memcpy(buf, s, slen);
    buf[slen] = '\0';
    if (strlen(buf) != slen || isspace((unsigned char)buf[0])) return 0;
    errno = 0;
    *cursor = strtoull(buf, &eptr, 10);
    if (eptr[0] != '\0' || errno == ERANGE) return 0;
    return 1;
}
