/* The set type: encodings, setType* operations and the type-table rows
 * (see fk_t_set.h). */
#include <string.h>
#include "fk_t_set.h"
#include "fk_object.h"
#include "fk_alloc.h"
#include "fk_shared.h"
#include "fk_util.h"

static const fk_dict_type set_dict_type = { NULL };

fk_dict *fk_set_dict_new(void) { return fk_dict_new(&set_dict_type); }

static inline uint32_t enc_of(const fk_entry *e) { return (e->meta >> 4) & 0xF; }
static inline void set_enc(fk_entry *e, uint32_t enc) {
    e->meta = (e->meta & ~0xF0u) | ((enc & 0xF) << 4);
}
static inline void set_type_enc(fk_entry *e, uint32_t enc) {
    e->meta = (e->meta & ~0xFFu) | FK_OBJ_SET | ((enc & 0xF) << 4);
}

void fk_set_init_for(fk_entry *e, const char *p, size_t n) {
    long long ll;
    if (fk_string2ll(p, n, &ll)) {
        e->v.ptr = fk_intset_new();
        set_type_enc(e, FK_ENC_INTSET);
    } else {
        e->v.ptr = fk_set_dict_new();
        set_type_enc(e, FK_ENC_HT);
    }
}

void fk_set_init_tmp(fk_entry *e) {
    e->next = NULL;
    e->klen = 0;
    e->meta = 0;
    e->v.ptr = fk_intset_new();
    set_type_enc(e, FK_ENC_INTSET);
}

static void value_free(fk_entry *e) {
    if (enc_of(e) == FK_ENC_INTSET) fk_free(e->v.ptr);
    else fk_dict_free((fk_dict *)e->v.ptr);
    e->v.ptr = NULL;
}

void fk_set_release(fk_entry *e) { if (e->v.ptr) value_free(e); }

void fk_set_convert(fk_entry *e) {
    fk_intset *is = (fk_intset *)e->v.ptr;
    fk_dict *d = fk_set_dict_new();
    char buf[24];
    uint32_t len = fk_intset_len(is);
    fk_dict_expand(d, len);          /* presized: no rehash while filling */
    for (uint32_t i = 0; i < len; i++) {
        int n = fk_ll2string(buf, sizeof(buf), fk_intset_at(is, i));
        fk_dict_add(d, buf, (size_t)n, 0);
    }
    fk_free(is);
    e->v.ptr = d;
    set_enc(e, FK_ENC_HT);
}

static int ht_add(fk_dict *d, const char *p, size_t n) {
    if (fk_dict_find(d, p, n)) return 0;
    fk_dict_add(d, p, n, 0);
    return 1;
}

static int intset_add_ll(fk_entry *e, int64_t v) {
    uint8_t ok = 0;
    e->v.ptr = fk_intset_add((fk_intset *)e->v.ptr, v, &ok);
    if (!ok) return 0;
    if (fk_intset_len((fk_intset *)e->v.ptr) > fk_sh->set_max_intset_entries)
        fk_set_convert(e);
    return 1;
}

int fk_set_add(fk_entry *e, const char *p, size_t n) {
    long long ll;
    if (enc_of(e) == FK_ENC_HT) return ht_add((fk_dict *)e->v.ptr, p, n);
    if (fk_string2ll(p, n, &ll)) return intset_add_ll(e, ll);
    fk_set_convert(e);
    fk_dict_add((fk_dict *)e->v.ptr, p, n, 0);   /* was an intset: absent */
    return 1;
}

int fk_set_add_ll(fk_entry *e, int64_t v) {
    if (enc_of(e) == FK_ENC_INTSET) return intset_add_ll(e, v);
    char buf[24];
    int n = fk_ll2string(buf, sizeof(buf), v);
    return ht_add((fk_dict *)e->v.ptr, buf, (size_t)n);
}

static int ht_remove(fk_dict *d, const char *p, size_t n) {
    if (!fk_dict_delete(d, p, n)) return 0;
    fk_dict_shrink_if_needed(d);     /* htNeedsResize -> dictResize */
    return 1;
}

int fk_set_remove(fk_entry *e, const char *p, size_t n) {
    long long ll;
    if (enc_of(e) == FK_ENC_HT) return ht_remove((fk_dict *)e->v.ptr, p, n);
    if (!fk_string2ll(p, n, &ll)) return 0;
    int ok = 0;
    e->v.ptr = fk_intset_remove((fk_intset *)e->v.ptr, ll, &ok);
    return ok;
}

int fk_set_remove_ll(fk_entry *e, int64_t v) {
    if (enc_of(e) == FK_ENC_INTSET) {
        int ok = 0;
        e->v.ptr = fk_intset_remove((fk_intset *)e->v.ptr, v, &ok);
        return ok;
    }
    char buf[24];
    int n = fk_ll2string(buf, sizeof(buf), v);
    return ht_remove((fk_dict *)e->v.ptr, buf, (size_t)n);
}

int fk_set_ismember(fk_entry *e, const char *p, size_t n) {
    long long ll;
    if (enc_of(e) == FK_ENC_HT) return fk_dict_find((fk_dict *)e->v.ptr, p, n) != NULL;
    if (!fk_string2ll(p, n, &ll)) return 0;
    return fk_intset_find((fk_intset *)e->v.ptr, ll);
}

int fk_set_ismember_ll(fk_entry *e, int64_t v) {
    if (enc_of(e) == FK_ENC_INTSET) return fk_intset_find((fk_intset *)e->v.ptr, v);
    char buf[24];
    int n = fk_ll2string(buf, sizeof(buf), v);
    return fk_dict_find((fk_dict *)e->v.ptr, buf, (size_t)n) != NULL;
}

uint64_t fk_set_size(const fk_entry *e) {
    if (enc_of(e) == FK_ENC_INTSET) return fk_intset_len((const fk_intset *)e->v.ptr);
    return fk_dict_size((const fk_dict *)e->v.ptr);
}

int fk_set_random(fk_entry *e, const char **p, size_t *n, int64_t *ll) {
    if (enc_of(e) == FK_ENC_INTSET) {
        *ll = fk_intset_random((const fk_intset *)e->v.ptr);
        return FK_ENC_INTSET;
    }
    fk_entry *m = fk_dict_random((fk_dict *)e->v.ptr);
    *p = m->key;
    *n = fk_entry_klen(m);
    return FK_ENC_HT;
}

void fk_set_iter_init(fk_set_iter *it, fk_entry *e) {
    it->e = e;
    it->enc = enc_of(e);
    it->table = 0;
    it->idx = 0;
    it->cur = NULL;
}

int fk_set_next(fk_set_iter *it, const char **p, size_t *n, int64_t *ll) {
    if (it->enc == FK_ENC_INTSET) {
        const fk_intset *is = (const fk_intset *)it->e->v.ptr;
        if (it->idx >= fk_intset_len(is)) return -1;
        *ll = fk_intset_at(is, (uint32_t)it->idx++);
        return FK_ENC_INTSET;
    }
    fk_dict *d = (fk_dict *)it->e->v.ptr;
    fk_entry *m = it->cur ? it->cur->next : NULL;
    while (m == NULL) {
        if (it->table > 1) return -1;
        if (it->idx >= d->size[it->table]) {
            it->table++;
            it->idx = 0;
            if (it->table > 1) return -1;
            continue;
        }
        m = d->table[it->table][it->idx++];
    }
    it->cur = m;
    *p = m->key;
    *n = fk_entry_klen(m);
    return FK_ENC_HT;
}

/* -- rows ------------------------------------------------------------------ */
static size_t no_inline(const fk_entry *e) { (void)e; return 0; }

static void intset_free(fk_entry *e) { fk_free(e->v.ptr); e->v.ptr = NULL; }
static int intset_dup(const fk_entry *src, fk_entry *dst) {
    dst->v.ptr = fk_intset_dup((const fk_intset *)src->v.ptr);
    dst->meta = (dst->meta & ~0xFFu) | (src->meta & 0xFFu);
    return 0;
}
static size_t intset_mem(const fk_entry *e, size_t samples) {
    (void)samples;
    return fk_usable(e->v.ptr);
}
const fk_objtype fk_row_set_intset = {
    .type_name = "set", .enc_name = "intset", .free = intset_free,
    .inline_size = no_inline, .dup = intset_dup, .mem_usage = intset_mem,
    .free_effort = NULL,
};

static void ht_free(fk_entry *e) { fk_dict_free((fk_dict *)e->v.ptr); e->v.ptr = NULL; }
static int ht_dup(const fk_entry *src, fk_entry *dst) {
    fk_dict *s = (fk_dict *)src->v.ptr;
    fk_dict *d = fk_set_dict_new();
    fk_dict_expand(d, fk_dict_size(s));
    for (int t = 0; t < 2; t++)
        for (uint64_t i = 0; i < s->size[t]; i++)
            for (fk_entry *m = s->table[t][i]; m; m = m->next)
                fk_dict_add(d, m->key, fk_entry_klen(m), 0);
    dst->v.ptr = d;
    dst->meta = (dst->meta & ~0xFFu) | (src->meta & 0xFFu);
    return 0;
}
/* What malloc reserves for an n-byte request (glibc's chunk size classes:
 * 16-byte steps, 8 bytes of header, 24 usable at least).  Members are sized
 * with it rather than with each chunk's malloc_usable_size, which can be 16
 * bytes more when a chunk came from splitting a free one: MEMORY USAGE is
 * then the same for equal sets (a COPY and its original), as Redis's
 * jemalloc size classes make it. */
static size_t chunk_usable(size_t n) {
    size_t c = (n + 8 + 15) & ~(size_t)15;
    return (c < 32 ? 32 : c) - 8;
}

/* objectComputeSize: the dict and its tables, plus the members estimated
 * from the first `samples` of them (0 = all). */
static size_t ht_mem(const fk_entry *e, size_t samples) {
    fk_dict *d = (fk_dict *)e->v.ptr;
    size_t asize = fk_usable(d), elesize = 0, seen = 0;
    for (int t = 0; t < 2; t++)
        if (d->table[t]) asize += fk_usable(d->table[t]);
    for (int t = 0; t < 2; t++)
        for (uint64_t i = 0; i < d->size[t] && (samples == 0 || seen < samples); i++)
            for (fk_entry *m = d->table[t][i]; m && (samples == 0 || seen < samples); m = m->next) {
                elesize += chunk_usable(sizeof(fk_entry) + fk_entry_klen(m));
                seen++;
            }
    if (seen) asize += (size_t)((double)elesize / (double)seen * (double)fk_dict_size(d));
    return asize;
}
static size_t ht_effort(const fk_entry *e) { return fk_dict_size((const fk_dict *)e->v.ptr); }
const fk_objtype fk_row_set_ht = {
    .type_name = "set", .enc_name = "hashtable", .free = ht_free,
    .inline_size = no_inline, .dup = ht_dup, .mem_usage = ht_mem,
    .free_effort = ht_effort,
};
