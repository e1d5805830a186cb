/* fk_intset: see fk_intset.h.  Follows Redis's src/intset.c (same layout,
 * same search, same upgrade, same resize on every add/remove). */
#include <stdlib.h>
#include <string.h>
#include "fk_intset.h"
#include "fk_alloc.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "fk_intset assumes a little-endian host (the blob is little-endian)"
#endif

static uint8_t value_encoding(int64_t v) {
    if (v < INT32_MIN || v > INT32_MAX) return FK_INTSET_ENC_INT64;
    if (v < INT16_MIN || v > INT16_MAX) return FK_INTSET_ENC_INT32;
    return FK_INTSET_ENC_INT16;
}

static inline int64_t get_encoded(const fk_intset *is, int pos, uint8_t enc) {
    int64_t v64; int32_t v32; int16_t v16;
    if (enc == FK_INTSET_ENC_INT64) { memcpy(&v64, (const int64_t *)is->contents + pos, 8); return v64; }
    if (enc == FK_INTSET_ENC_INT32) { memcpy(&v32, (const int32_t *)is->contents + pos, 4); return v32; }
    memcpy(&v16, (const int16_t *)is->contents + pos, 2); return v16;
}

static inline int64_t get_at(const fk_intset *is, int pos) {
    return get_encoded(is, pos, (uint8_t)is->encoding);
}

static inline void set_at(fk_intset *is, int pos, int64_t value) {
    uint32_t enc = is->encoding;
    if (enc == FK_INTSET_ENC_INT64) { memcpy((int64_t *)is->contents + pos, &value, 8); }
    else if (enc == FK_INTSET_ENC_INT32) { int32_t v = (int32_t)value; memcpy((int32_t *)is->contents + pos, &v, 4); }
    else { int16_t v = (int16_t)value; memcpy((int16_t *)is->contents + pos, &v, 2); }
}

fk_intset *fk_intset_new(void) {
    fk_intset *is = fk_malloc(sizeof(fk_intset));
    is->encoding = FK_INTSET_ENC_INT16;
    is->length = 0;
    return is;
}

static fk_intset *resize(fk_intset *is, uint32_t len) {
    uint64_t size = (uint64_t)len * is->encoding;
    return fk_realloc(is, sizeof(fk_intset) + size);
}

/* intsetSearch: 1 and *pos = index if found; else 0 and *pos = where it
 * would be inserted. */
static uint8_t search(const fk_intset *is, int64_t value, uint32_t *pos) {
    int min = 0, max = (int)is->length - 1, mid = -1;
    int64_t cur = -1;
    if (is->length == 0) {
        if (pos) *pos = 0;
        return 0;
    }
    /* fast paths: value beyond either end */
    if (value > get_at(is, max)) {
        if (pos) *pos = is->length;
        return 0;
    } else if (value < get_at(is, 0)) {
        if (pos) *pos = 0;
        return 0;
    }
    while (max >= min) {
        mid = (int)(((unsigned int)min + (unsigned int)max) >> 1);
        cur = get_at(is, mid);
        if (value > cur) min = mid + 1;
        else if (value < cur) max = mid - 1;
        else break;
    }
    if (value == cur) {
        if (pos) *pos = (uint32_t)mid;
        return 1;
    }
    if (pos) *pos = (uint32_t)min;
    return 0;
}

/* intsetUpgradeAndAdd: value doesn't fit the current encoding, so it is
 * either smaller than every element (goes first) or larger (goes last). */
static fk_intset *upgrade_and_add(fk_intset *is, int64_t value) {
    uint8_t curenc = (uint8_t)is->encoding;
    uint8_t newenc = value_encoding(value);
    int length = (int)is->length;
    int prepend = value < 0 ? 1 : 0;
    is->encoding = newenc;
    is = resize(is, is->length + 1);
    /* back to front, so nothing is overwritten */
    while (length--)
        set_at(is, length + prepend, get_encoded(is, length, curenc));
    if (prepend) set_at(is, 0, value);
    else set_at(is, (int)is->length, value);
    is->length = is->length + 1;
    return is;
}

static void move_tail(fk_intset *is, uint32_t from, uint32_t to) {
    uint32_t bytes = is->length - from;
    uint32_t enc = is->encoding;
    void *src = is->contents + (size_t)from * enc;
    void *dst = is->contents + (size_t)to * enc;
    memmove(dst, src, (size_t)bytes * enc);
}

fk_intset *fk_intset_add(fk_intset *is, int64_t value, uint8_t *success) {
    uint8_t valenc = value_encoding(value);
    uint32_t pos;
    if (success) *success = 1;
    if (valenc > is->encoding) return upgrade_and_add(is, value);
    if (search(is, value, &pos)) {
        if (success) *success = 0;
        return is;
    }
    is = resize(is, is->length + 1);
    if (pos < is->length) move_tail(is, pos, pos + 1);
    set_at(is, (int)pos, value);
    is->length = is->length + 1;
    return is;
}

fk_intset *fk_intset_remove(fk_intset *is, int64_t value, int *success) {
    uint8_t valenc = value_encoding(value);
    uint32_t pos;
    if (success) *success = 0;
    if (valenc <= is->encoding && search(is, value, &pos)) {
        uint32_t len = is->length;
        if (success) *success = 1;
        if (pos < (len - 1)) move_tail(is, pos + 1, pos);
        is = resize(is, len - 1);
        is->length = len - 1;
    }
    return is;
}

uint8_t fk_intset_find(const fk_intset *is, int64_t value) {
    uint8_t valenc = value_encoding(value);
    return valenc <= is->encoding && search(is, value, NULL);
}

int64_t fk_intset_random(const fk_intset *is) {
    uint32_t len = is->length;
    return get_at(is, (int)((uint64_t)random() % len));
}

uint8_t fk_intset_get(const fk_intset *is, uint32_t pos, int64_t *value) {
    if (pos < is->length) {
        *value = get_at(is, (int)pos);
        return 1;
    }
    return 0;
}

size_t fk_intset_blob_len(const fk_intset *is) {
    return sizeof(fk_intset) + (size_t)is->length * is->encoding;
}

fk_intset *fk_intset_dup(const fk_intset *is) {
    size_t n = fk_intset_blob_len(is);
    fk_intset *d = fk_malloc(n);
    memcpy(d, is, n);
    return d;
}

int fk_intset_validate(const unsigned char *p, size_t size) {
    const fk_intset *is = (const fk_intset *)p;
    if (size < sizeof(*is)) return 0;
    uint32_t encoding = is->encoding;
    size_t record_size;
    if (encoding == FK_INTSET_ENC_INT64) record_size = 8;
    else if (encoding == FK_INTSET_ENC_INT32) record_size = 4;
    else if (encoding == FK_INTSET_ENC_INT16) record_size = 2;
    else return 0;
    uint32_t count = is->length;
    if (sizeof(*is) + (size_t)count * record_size != size) return 0;
    if (count == 0) return 0;
    int64_t prev = get_at(is, 0);
    for (uint32_t i = 1; i < count; i++) {
        int64_t cur = get_at(is, (int)i);
        if (cur <= prev) return 0;
        prev = cur;
    }
    return 1;
}
