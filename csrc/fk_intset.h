/* fk_intset: Redis's intset (src/intset.c), byte for byte.
 *
 * A sorted array of distinct integers in one allocation, with the smallest
 * element width that holds them all:
 *
 *   | encoding : u32 LE | length : u32 LE | contents : length * encoding |
 *
 * encoding is 2, 4 or 8 (int16/int32/int64, little-endian).  Adding a value
 * that needs a wider encoding "upgrades" every element in place (the new
 * value is then the smallest or the largest, so it goes first or last);
 * there is no downgrade.  The blob is exactly what Redis stores in RDB
 * (RDB_TYPE_SET_INTSET) and what DUMP shows.  Allocated with fk_malloc. */
#ifndef FK_INTSET_H
#define FK_INTSET_H
#include <stddef.h>
#include <stdint.h>

#define FK_INTSET_ENC_INT16 ((uint32_t)sizeof(int16_t))
#define FK_INTSET_ENC_INT32 ((uint32_t)sizeof(int32_t))
#define FK_INTSET_ENC_INT64 ((uint32_t)sizeof(int64_t))

typedef struct fk_intset {
    uint32_t encoding;
    uint32_t length;
    int8_t contents[];
} fk_intset;

fk_intset *fk_intset_new(void);
/* Adds value; *success (may be NULL) = 0 if it was already there. */
fk_intset *fk_intset_add(fk_intset *is, int64_t value, uint8_t *success);
fk_intset *fk_intset_remove(fk_intset *is, int64_t value, int *success);
uint8_t fk_intset_find(const fk_intset *is, int64_t value);
int64_t fk_intset_random(const fk_intset *is);
/* Value at pos into *value; 0 when pos is out of range. */
uint8_t fk_intset_get(const fk_intset *is, uint32_t pos, int64_t *value);
size_t fk_intset_blob_len(const fk_intset *is);
fk_intset *fk_intset_dup(const fk_intset *is);
/* Redis's intsetValidateIntegrity (deep: sorted, unique). 1 if valid. */
int fk_intset_validate(const unsigned char *p, size_t size);

static inline uint32_t fk_intset_len(const fk_intset *is) { return is->length; }

/* contents[pos] in encoding enc (no bounds check).  x86/ARM are
 * little-endian, which is the stored order (Redis's memrev*ifbe are no-ops). */
static inline int64_t fk_intset_at(const fk_intset *is, uint32_t pos) {
    if (is->encoding == FK_INTSET_ENC_INT64) {
        int64_t v; __builtin_memcpy(&v, (const int64_t *)is->contents + pos, sizeof(v)); return v;
    } else if (is->encoding == FK_INTSET_ENC_INT32) {
        int32_t v; __builtin_memcpy(&v, (const int32_t *)is->contents + pos, sizeof(v)); return v;
    } else {
        int16_t v; __builtin_memcpy(&v, (const int16_t *)is->contents + pos, sizeof(v)); return v;
    }
}

#endif
