/* fk_str: a growable binary-safe string, the "raw" encoding of a string
 * value (Redis's sds, with one fixed 8-byte header: values are capped at
 * proto-max-bulk-len, 512MB by default, far below 4GB).
 *
 * Short values never get an fk_str: they live inline after the key in the
 * dict entry (embstr) or as a 64-bit integer (int).  Raw is for values over
 * 44 bytes and for values that were modified in place (APPEND, SETRANGE),
 * which is why growth is greedy like sdsMakeRoomFor: repeated APPENDs are
 * amortised O(1). */
#ifndef FK_STR_H
#define FK_STR_H
#include <stdint.h>
#include <string.h>
#include "fk_alloc.h"

typedef struct fk_str {
    uint32_t len;     /* bytes used */
    uint32_t alloc;   /* bytes available in buf */
    char buf[];
} fk_str;

#define FK_STR_PREALLOC (1024 * 1024)

static inline fk_str *fk_str_new(const char *p, size_t n) {
    fk_str *s = fk_malloc(sizeof(fk_str) + n);
    s->len = (uint32_t)n;
    s->alloc = (uint32_t)n;
    if (n && p) memcpy(s->buf, p, n);
    else if (n) memset(s->buf, 0, n);
    return s;
}

/* Make room for at least `newlen` bytes; s may move.  Bytes past len are
 * left as they were (callers zero-fill what they expose). */
static inline fk_str *fk_str_reserve(fk_str *s, size_t newlen) {
    if (newlen <= s->alloc) return s;
    size_t alloc = newlen < FK_STR_PREALLOC ? newlen * 2 : newlen + FK_STR_PREALLOC;
    if (alloc > 0xffffffffu) alloc = newlen;
    s = fk_realloc(s, sizeof(fk_str) + alloc);
    s->alloc = (uint32_t)alloc;
    return s;
}

#endif
