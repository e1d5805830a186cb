/* fk_t_hash: see fk_t_hash.h for the two encodings and when a hash moves
 * from one to the other.  The listpack side follows Redis 7.0's t_hash.c
 * call for call (lpFind with skip 1 over the fields, lpReplace of the value,
 * lpAppend of a new pair, lpDeleteRangeWithEntry of a pair), so a listpack
 * hash holds the very bytes Redis's would and iterates in the same order. */
#include <stdlib.h>
#include <string.h>
#include "fk_t_hash.h"
#include "fk_alloc.h"
#include "fk_shared.h"

static inline void set_encoding(fk_entry *e, uint32_t enc) {
    e->meta = (e->meta & ~0xF0u) | ((enc & 0xF) << 4);
}

/* The hashtable's entries own nothing but themselves (value inline). */
static const fk_dict_type hash_dict_type = { NULL };

unsigned char *fk_hash_new(void) { return fk_lp_new(0); }

size_t fk_hash_len(const fk_entry *e) {
    if (fk_obj_encoding(e) == FK_ENC_LISTPACK)
        return fk_lp_length((const unsigned char *)e->v.ptr) / 2;
    return (size_t)fk_dict_size((const fk_dict *)e->v.ptr);
}

/* The value element of field f in a listpack hash, or NULL. */
static unsigned char *lp_find_value(unsigned char *lp, const char *f, size_t flen) {
    unsigned char *fptr = fk_lp_first(lp);
    if (fptr == NULL) return NULL;
    fptr = fk_lp_find(lp, fptr, (const unsigned char *)f, (uint32_t)flen, 1);
    if (fptr == NULL) return NULL;
    return fk_lp_next(lp, fptr);
}

int fk_hash_get(fk_entry *e, const char *f, size_t flen, const char **v, size_t *vlen, char *buf) {
    if (fk_obj_encoding(e) == FK_ENC_LISTPACK) {
        unsigned char *vptr = lp_find_value((unsigned char *)e->v.ptr, f, flen);
        int64_t len;
        if (vptr == NULL) return 0;
        *v = (const char *)fk_lp_get(vptr, &len, (unsigned char *)buf);
        *vlen = (size_t)len;
        return 1;
    }
    fk_entry *he = fk_dict_find((fk_dict *)e->v.ptr, f, flen);
    if (he == NULL) return 0;
    *v = fk_hash_entry_value(he, vlen);
    return 1;
}

int fk_hash_exists(fk_entry *e, const char *f, size_t flen) {
    if (fk_obj_encoding(e) == FK_ENC_LISTPACK)
        return lp_find_value((unsigned char *)e->v.ptr, f, flen) != NULL;
    return fk_dict_find((fk_dict *)e->v.ptr, f, flen) != NULL;
}

/* A new field entry in d (absent), holding value v. */
static fk_entry *ht_add(fk_dict *d, const char *f, size_t flen, const char *v, size_t vlen) {
    fk_entry *he = fk_dict_add(d, f, flen, vlen);
    if (vlen) memcpy(fk_entry_extra(he), v, vlen);
    he->v.u = vlen;
    return he;
}

void fk_hash_convert(fk_entry *e) {
    if (fk_obj_encoding(e) != FK_ENC_LISTPACK) return;
    unsigned char *lp = (unsigned char *)e->v.ptr;
    fk_dict *d = fk_dict_new(&hash_dict_type);
    unsigned char fb[FK_HASH_BUF], vb[FK_HASH_BUF];
    fk_dict_expand(d, fk_lp_length(lp) / 2);      /* presized: no rehash */
    unsigned char *fptr = fk_lp_first(lp);
    while (fptr != NULL) {
        unsigned char *vptr = fk_lp_next(lp, fptr);
        int64_t flen, vlen;
        const unsigned char *fs = fk_lp_get(fptr, &flen, fb);
        const unsigned char *vs = fk_lp_get(vptr, &vlen, vb);
        ht_add(d, (const char *)fs, (size_t)flen, (const char *)vs, (size_t)vlen);
        fptr = fk_lp_next(lp, vptr);
    }
    fk_lp_free(lp);
    e->v.ptr = d;
    set_encoding(e, FK_ENC_HT);
}

void fk_hash_try_conversion(fk_entry *e, size_t maxlen, size_t sum) {
    if (fk_obj_encoding(e) != FK_ENC_LISTPACK) return;
    if (maxlen > fk_sh->hash_max_listpack_value ||
        fk_lp_bytes((unsigned char *)e->v.ptr) + sum > FK_LISTPACK_MAX_SAFETY_SIZE)
        fk_hash_convert(e);
}

/* Replace he's value; he may move (returned). */
static fk_entry *ht_replace(fk_dict *d, fk_entry *he, const char *v, size_t vlen) {
    size_t need = sizeof(fk_entry) + fk_entry_klen(he) + vlen;
    size_t have = fk_usable(he);
    /* Keep the allocation when the value fits and no more than 32 bytes
     * would be wasted; otherwise realloc (which relinks the entry). */
    if (need > have || have - need > 32)
        he = fk_dict_resize_entry(d, he, vlen);
    if (vlen) memcpy(fk_entry_extra(he), v, vlen);
    he->v.u = vlen;
    return he;
}

int fk_hash_set(fk_entry *e, const char *f, size_t flen, const char *v, size_t vlen) {
    if (fk_obj_encoding(e) == FK_ENC_LISTPACK &&
        (flen > fk_sh->hash_max_listpack_value || vlen > fk_sh->hash_max_listpack_value))
        fk_hash_convert(e);
    if (fk_obj_encoding(e) == FK_ENC_LISTPACK) {
        unsigned char *lp = (unsigned char *)e->v.ptr;
        unsigned char *vptr = lp_find_value(lp, f, flen);
        int update = 0;
        if (vptr != NULL) {
            update = 1;
            lp = fk_lp_replace(lp, &vptr, (const unsigned char *)v, (uint32_t)vlen);
        } else {
            lp = fk_lp_append(lp, (const unsigned char *)f, (uint32_t)flen);
            lp = fk_lp_append(lp, (const unsigned char *)v, (uint32_t)vlen);
        }
        e->v.ptr = lp;
        if (fk_lp_length(lp) / 2 > fk_sh->hash_max_listpack_entries)
            fk_hash_convert(e);
        return update;
    }
    fk_dict *d = (fk_dict *)e->v.ptr;
    fk_entry *he = fk_dict_find(d, f, flen);
    if (he != NULL) {
        ht_replace(d, he, v, vlen);
        return 1;
    }
    ht_add(d, f, flen, v, vlen);
    return 0;
}

int fk_hash_delete(fk_entry *e, const char *f, size_t flen) {
    if (fk_obj_encoding(e) == FK_ENC_LISTPACK) {
        unsigned char *lp = (unsigned char *)e->v.ptr;
        unsigned char *fptr = fk_lp_first(lp);
        if (fptr == NULL) return 0;
        fptr = fk_lp_find(lp, fptr, (const unsigned char *)f, (uint32_t)flen, 1);
        if (fptr == NULL) return 0;
        e->v.ptr = fk_lp_delete_range_with_entry(lp, &fptr, 2);
        return 1;
    }
    fk_dict *d = (fk_dict *)e->v.ptr;
    if (!fk_dict_delete(d, f, flen)) return 0;
    fk_dict_shrink_if_needed(d);    /* Redis: if (htNeedsResize) dictResize */
    return 1;
}

/* ---------------------------------------------------------------- iteration */

void fk_hash_iter_init(fk_hash_iter *it, fk_entry *e) {
    memset(it, 0, offsetof(fk_hash_iter, fbuf));
    it->enc = (int)fk_obj_encoding(e);
    if (it->enc == FK_ENC_LISTPACK) it->lp = (unsigned char *)e->v.ptr;
    else it->d = (fk_dict *)e->v.ptr;
}

int fk_hash_iter_next(fk_hash_iter *it) {
    if (it->enc == FK_ENC_LISTPACK) {
        unsigned char *fptr = it->fptr == NULL ? fk_lp_first(it->lp) : fk_lp_next(it->lp, it->vptr);
        if (fptr == NULL) return 0;
        it->fptr = fptr;
        it->vptr = fk_lp_next(it->lp, fptr);
        return 1;
    }
    fk_dict *d = it->d;
    if (it->next != NULL) {
        it->cur = it->next;
        it->next = it->cur->next;
        return 1;
    }
    for (;;) {
        if (it->idx >= d->size[it->table]) {
            if (it->table == 0 && fk_dict_is_rehashing(d)) {
                it->table = 1;
                it->idx = 0;
                continue;
            }
            it->cur = NULL;
            return 0;
        }
        fk_entry *he = d->table[it->table][it->idx++];
        if (he != NULL) {
            it->cur = he;
            it->next = he->next;
            return 1;
        }
    }
}

const char *fk_hash_iter_field(fk_hash_iter *it, size_t *len) {
    if (it->enc == FK_ENC_LISTPACK) {
        int64_t n;
        const char *p = (const char *)fk_lp_get(it->fptr, &n, (unsigned char *)it->fbuf);
        *len = (size_t)n;
        return p;
    }
    return fk_hash_entry_field(it->cur, len);
}

const char *fk_hash_iter_value(fk_hash_iter *it, size_t *len) {
    if (it->enc == FK_ENC_LISTPACK) {
        int64_t n;
        const char *p = (const char *)fk_lp_get(it->vptr, &n, (unsigned char *)it->vbuf);
        *len = (size_t)n;
        return p;
    }
    return fk_hash_entry_value(it->cur, len);
}

/* ---------------------------------------------------------------- scan, random */

static int evec_push(fk_hash_evec *vec, fk_entry *he) {
    if (vec->n == vec->cap) {
        size_t cap = vec->cap ? vec->cap * 2 : 16;
        fk_entry **v = realloc(vec->v, cap * sizeof(*v));
        if (v == NULL) return -1;
        vec->v = v;
        vec->cap = cap;
    }
    vec->v[vec->n++] = he;
    return 0;
}

void fk_hash_evec_free(fk_hash_evec *vec) {
    free(vec->v);
    vec->v = NULL;
    vec->n = vec->cap = 0;
}

static void scan_cb(void *privdata, fk_entry *he) {
    evec_push((fk_hash_evec *)privdata, he);
}

void fk_hash_ht_scan(fk_entry *e, uint64_t *cursor, long long count, fk_hash_evec *vec) {
    fk_dict *d = (fk_dict *)e->v.ptr;
    uint64_t c = *cursor;
    long long maxiterations = count > INT64_MAX / 10 ? INT64_MAX : count * 10;
    size_t start = vec->n;
    /* Redis counts both the field and the value in its reply list. */
    do {
        c = fk_dict_scan(d, c, scan_cb, vec);
    } while (c && maxiterations-- && (long long)(vec->n - start) * 2 < count);
    *cursor = c;
}

static uint64_t rand64(void) {
    return ((uint64_t)random() << 62) ^ ((uint64_t)random() << 31) ^ (uint64_t)random();
}

fk_entry *fk_hash_ht_random(fk_entry *e) {
    return fk_dict_random((fk_dict *)e->v.ptr);
}

int fk_hash_ht_random_unique(fk_entry *e, size_t count, fk_hash_evec *vec) {
    fk_dict *d = (fk_dict *)e->v.ptr;
    size_t size = (size_t)fk_dict_size(d);
    if (count >= size) count = size;
    if (count * 3 > size) {
        /* CASE 3: many of them: all fields, then a partial Fisher-Yates
         * shuffle keeps `count` of them, uniformly. */
        fk_hash_iter it;
        fk_hash_iter_init(&it, e);
        while (fk_hash_iter_next(&it))
            if (evec_push(vec, it.cur) != 0) return -1;
        for (size_t i = 0; i < count; i++) {
            size_t j = i + (size_t)(rand64() % (vec->n - i));
            fk_entry *t = vec->v[i]; vec->v[i] = vec->v[j]; vec->v[j] = t;
        }
        vec->n = count;
        return 0;
    }
    /* CASE 4: few of them: random picks, duplicates dropped through a small
     * open-addressing set of entry addresses. */
    size_t slots = 16;
    while (slots < count * 2) slots <<= 1;
    fk_entry **set = calloc(slots, sizeof(*set));
    if (set == NULL) return -1;
    while (vec->n < count) {
        fk_entry *he = fk_dict_random(d);
        uint64_t h = ((uint64_t)(uintptr_t)he * UINT64_C(0x9E3779B97F4A7C15)) >> 20;
        size_t i = (size_t)h & (slots - 1);
        while (set[i] != NULL && set[i] != he) i = (i + 1) & (slots - 1);
        if (set[i] == he) continue;
        set[i] = he;
        if (evec_push(vec, he) != 0) { free(set); return -1; }
    }
    free(set);
    return 0;
}

/* ---------------------------------------------------------------- type table rows */

static size_t no_inline(const fk_entry *e) { (void)e; return 0; }

static void lp_free(fk_entry *e) { fk_lp_free((unsigned char *)e->v.ptr); e->v.ptr = NULL; }
static int lp_dup(const fk_entry *src, fk_entry *dst) {
    dst->v.ptr = fk_lp_dup((const unsigned char *)src->v.ptr);
    dst->meta = (dst->meta & ~0xFFu) | (src->meta & 0xFFu);
    return 0;
}
static size_t lp_mem(const fk_entry *e, size_t samples) { (void)samples; return fk_usable(e->v.ptr); }

const fk_objtype fk_row_hash_listpack = {
    .type_name = "hash", .enc_name = "listpack",
    .free = lp_free, .inline_size = no_inline, .dup = lp_dup, .mem_usage = lp_mem,
    .free_effort = NULL,
};

static void ht_free(fk_entry *e) { fk_dict_free((fk_dict *)e->v.ptr); e->v.ptr = NULL; }
static int ht_dup(const fk_entry *src, fk_entry *dst) {
    fk_dict *s = (fk_dict *)src->v.ptr;
    fk_dict *d = fk_dict_new(&hash_dict_type);
    fk_dict_expand(d, fk_dict_size(s));
    for (int t = 0; t < 2; t++) {
        for (uint64_t i = 0; i < s->size[t]; i++) {
            for (fk_entry *he = s->table[t][i]; he != NULL; he = he->next)
                ht_add(d, he->key, fk_entry_klen(he), fk_entry_extra(he), (size_t)he->v.u);
        }
    }
    dst->v.ptr = d;
    dst->meta = (dst->meta & ~0xFFu) | (src->meta & 0xFFu);
    return 0;
}
/* objectComputeSize: the dict, its bucket arrays, and the field entries
 * averaged over the first `samples` of them (0 = all). */
static size_t ht_mem(const fk_entry *e, size_t samples) {
    fk_dict *d = (fk_dict *)e->v.ptr;
    size_t asize = fk_usable(d) + fk_usable(d->table[0]) + fk_usable(d->table[1]);
    size_t elesize = 0, n = 0, size = (size_t)fk_dict_size(d);
    for (int t = 0; t < 2; t++) {
        for (uint64_t i = 0; i < d->size[t] && (samples == 0 || n < samples); i++) {
            for (fk_entry *he = d->table[t][i]; he != NULL && (samples == 0 || n < samples); he = he->next) {
                elesize += fk_usable(he);
                n++;
            }
        }
    }
    if (n) asize += (size_t)((double)elesize / (double)n * (double)size);
    return asize;
}
static size_t ht_effort(const fk_entry *e) { return (size_t)fk_dict_size((const fk_dict *)e->v.ptr); }

const fk_objtype fk_row_hash_ht = {
    .type_name = "hash", .enc_name = "hashtable",
    .free = ht_free, .inline_size = no_inline, .dup = ht_dup, .mem_usage = ht_mem,
    .free_effort = ht_effort,
};
