/* fk_rax: an ordered map from byte strings to pointers (see fk_rax.h).
 *
 * A two-level B+tree: a directory (a sorted array of chunk pointers) over
 * chunks, each a sorted array of up to CHUNK_MAX item pointers; an item
 * is one allocation holding the value pointer and the key bytes.  Lookups
 * are two binary searches; appending at the end fills the last chunk and
 * then opens a new one (append-only trees are packed full); removing from
 * the start shifts at most CHUNK_MAX pointers and drops emptied chunks;
 * underfull chunks merge with their next neighbour.  Chunks grow their
 * capacity in steps, so a tree of a few keys (consumer groups) costs a few
 * dozen bytes. */
#include <stdlib.h>
#include <string.h>
#include "fk_rax.h"
#include "fk_alloc.h"

#define CHUNK_MAX 128
#define ITER_JUST_SEEKED 1
#define ITER_EOF 2

typedef struct kv {
    void *data;
    uint32_t len;
    unsigned char key[];
} kv;

/* A chunk: n sorted items; after it[cap] comes pf[cap], each item's key
 * prefix (its first 8 bytes, big endian, zero padded): binary searches
 * compare prefixes in the chunk's own memory and dereference an item only
 * on a tie.  (pa < pb implies a < b in the tree's order.) */
typedef struct chunk {
    uint32_t n, cap;
    kv *it[];
} chunk;

#define PF(ch) ((uint64_t *)((ch)->it + (ch)->cap))

struct fk_rax {
    chunk **dir;
    uint64_t *dpf;          /* prefix of each chunk's first key */
    uint32_t nchunks, dircap;
    uint64_t size;
};

static inline uint64_t prefix(const unsigned char *k, size_t len) {
    uint64_t v = 0;
    if (len >= 8) {
        memcpy(&v, k, 8);
        return __builtin_bswap64(v);
    }
    for (size_t i = 0; i < len; i++) v |= (uint64_t)k[i] << (56 - 8 * i);
    return v;
}

static inline int kcmp(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen) {
    size_t m = alen < blen ? alen : blen;
    int c = m ? memcmp(a, b, m) : 0;
    if (c) return c;
    return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

/* item x (prefix xp) against the key (prefix kp) */
static inline int icmp(const kv *x, uint64_t xp, const unsigned char *key, size_t len, uint64_t kp) {
    if (xp != kp) return xp < kp ? -1 : 1;
    return kcmp(x->key, x->len, key, len);
}

fk_rax *fk_rax_new(void) {
    fk_rax *r = fk_malloc(sizeof(*r));
    r->dir = NULL;
    r->dpf = NULL;
    r->nchunks = r->dircap = 0;
    r->size = 0;
    return r;
}

void fk_rax_free(fk_rax *r, void (*free_cb)(void *)) {
    if (!r) return;
    for (uint32_t c = 0; c < r->nchunks; c++) {
        chunk *ch = r->dir[c];
        for (uint32_t i = 0; i < ch->n; i++) {
            if (free_cb) free_cb(ch->it[i]->data);
            fk_free(ch->it[i]);
        }
        fk_free(ch);
    }
    fk_free(r->dir);
    fk_free(r->dpf);
    fk_free(r);
}

uint64_t fk_rax_size(const fk_rax *r) { return r->size; }

size_t fk_rax_mem_usage(const fk_rax *r) {
    size_t m = fk_usable((void *)r);
    if (r->dir) m += fk_usable(r->dir) + fk_usable(r->dpf);
    for (uint32_t c = 0; c < r->nchunks; c++) {
        chunk *ch = r->dir[c];
        m += fk_usable(ch);
        for (uint32_t i = 0; i < ch->n; i++) m += fk_usable(ch->it[i]);
    }
    return m;
}

/* The chunk that holds (or would hold) key: the last whose first key <= key,
 * or 0.  -1 if the tree is empty. */
static long find_chunk(const fk_rax *r, const unsigned char *key, size_t len, uint64_t kp) {
    if (r->nchunks == 0) return -1;
    long lo = 0, hi = (long)r->nchunks - 1;
    /* fast path: at or after the last chunk's first key (appends) */
    if (icmp(r->dir[hi]->it[0], r->dpf[hi], key, len, kp) <= 0) return hi;
    hi--;
    while (lo < hi) {
        long mid = (lo + hi + 1) / 2;
        uint64_t mp = r->dpf[mid];
        int c = mp != kp ? (mp < kp ? -1 : 1) : kcmp(r->dir[mid]->it[0]->key, r->dir[mid]->it[0]->len, key, len);
        if (c <= 0) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

/* Position in chunk of the first item >= key; *found = 1 when equal. */
static uint32_t find_pos(const chunk *ch, const unsigned char *key, size_t len, uint64_t kp, int *found) {
    uint32_t lo = 0, hi = ch->n;
    const uint64_t *pf = PF(ch);
    *found = 0;
    if (ch->n) {   /* fast path: after the last item */
        int c = icmp(ch->it[ch->n - 1], pf[ch->n - 1], key, len, kp);
        if (c < 0) return ch->n;
        if (c == 0) { *found = 1; return ch->n - 1; }
        hi = ch->n - 1;
    }
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        int c = icmp(ch->it[mid], pf[mid], key, len, kp);
        if (c < 0) lo = mid + 1;
        else if (c == 0) { *found = 1; return mid; }
        else hi = mid;
    }
    return lo;
}

static chunk *chunk_new(uint32_t cap) {
    chunk *ch = fk_malloc(sizeof(chunk) + (sizeof(kv *) + sizeof(uint64_t)) * cap);
    ch->n = 0;
    ch->cap = cap;
    return ch;
}

/* Change a chunk's capacity (>= n), moving its prefix array. */
static chunk *chunk_resize(chunk *ch, uint32_t ncap) {
    uint32_t ocap = ch->cap, n = ch->n;
    if (ncap < ocap) memmove(ch->it + ncap, ch->it + ocap, sizeof(uint64_t) * n);
    ch = fk_realloc(ch, sizeof(chunk) + (sizeof(kv *) + sizeof(uint64_t)) * ncap);
    if (ncap > ocap) memmove(ch->it + ncap, ch->it + ocap, sizeof(uint64_t) * n);
    ch->cap = ncap;
    return ch;
}

static void dir_insert(fk_rax *r, uint32_t at, chunk *ch) {
    if (r->nchunks == r->dircap) {
        r->dircap = r->dircap ? r->dircap * 2 : 1;
        r->dir = fk_realloc(r->dir, sizeof(chunk *) * r->dircap);
        r->dpf = fk_realloc(r->dpf, sizeof(uint64_t) * r->dircap);
    }
    memmove(r->dir + at + 1, r->dir + at, sizeof(chunk *) * (r->nchunks - at));
    memmove(r->dpf + at + 1, r->dpf + at, sizeof(uint64_t) * (r->nchunks - at));
    r->dir[at] = ch;
    r->dpf[at] = PF(ch)[0];
    r->nchunks++;
}

static void dir_remove(fk_rax *r, uint32_t at) {
    memmove(r->dir + at, r->dir + at + 1, sizeof(chunk *) * (r->nchunks - at - 1));
    memmove(r->dpf + at, r->dpf + at + 1, sizeof(uint64_t) * (r->nchunks - at - 1));
    r->nchunks--;
    if (r->nchunks == 0) {
        fk_free(r->dir);
        fk_free(r->dpf);
        r->dir = NULL;
        r->dpf = NULL;
        r->dircap = 0;
    } else if (r->dircap >= 16 && r->nchunks < r->dircap / 4) {
        r->dircap /= 2;
        r->dir = fk_realloc(r->dir, sizeof(chunk *) * r->dircap);
        r->dpf = fk_realloc(r->dpf, sizeof(uint64_t) * r->dircap);
    }
}

static kv *kv_new(const unsigned char *key, size_t len, void *data) {
    kv *x = fk_malloc(sizeof(kv) + (len ? len : 1));
    x->data = data;
    x->len = (uint32_t)len;
    if (len) memcpy(x->key, key, len);
    return x;
}

static int generic_insert(fk_rax *r, const unsigned char *key, size_t len, void *data, void **old,
                          int overwrite) {
    uint64_t kp = prefix(key, len);
    long ci = find_chunk(r, key, len, kp);
    if (ci < 0) {
        chunk *ch = chunk_new(1);
        ch->it[0] = kv_new(key, len, data);
        PF(ch)[0] = kp;
        ch->n = 1;
        dir_insert(r, 0, ch);
        r->size++;
        return 1;
    }
    chunk *ch = r->dir[ci];
    int found;
    uint32_t pos = find_pos(ch, key, len, kp, &found);
    if (found) {
        if (old) *old = ch->it[pos]->data;
        if (overwrite) ch->it[pos]->data = data;
        return 0;
    }
    kv *x = kv_new(key, len, data);
    if (ch->n == CHUNK_MAX) {
        if (pos == CHUNK_MAX && (uint32_t)ci == r->nchunks - 1) {
            /* appending past a full last chunk: open a new one */
            chunk *nc = chunk_new(4);
            nc->it[0] = x;
            PF(nc)[0] = kp;
            nc->n = 1;
            dir_insert(r, (uint32_t)ci + 1, nc);
            r->size++;
            return 1;
        }
        /* split in halves */
        uint32_t half = CHUNK_MAX / 2;
        chunk *nc = chunk_new(CHUNK_MAX);
        memcpy(nc->it, ch->it + half, sizeof(kv *) * (CHUNK_MAX - half));
        memcpy(PF(nc), PF(ch) + half, sizeof(uint64_t) * (CHUNK_MAX - half));
        nc->n = CHUNK_MAX - half;
        ch->n = half;
        dir_insert(r, (uint32_t)ci + 1, nc);
        if (pos > half) {
            ch = nc;
            ci++;
            pos -= half;
        }
    } else if (ch->n == ch->cap) {
        uint32_t nc = ch->cap * 2;
        if (nc > CHUNK_MAX) nc = CHUNK_MAX;
        ch = chunk_resize(ch, nc);
        r->dir[ci] = ch;
    }
    uint64_t *pf = PF(ch);
    memmove(ch->it + pos + 1, ch->it + pos, sizeof(kv *) * (ch->n - pos));
    memmove(pf + pos + 1, pf + pos, sizeof(uint64_t) * (ch->n - pos));
    ch->it[pos] = x;
    pf[pos] = kp;
    ch->n++;
    if (pos == 0) r->dpf[ci] = kp;
    r->size++;
    return 1;
}

int fk_rax_insert(fk_rax *r, const unsigned char *key, size_t len, void *data, void **old) {
    return generic_insert(r, key, len, data, old, 1);
}

int fk_rax_try_insert(fk_rax *r, const unsigned char *key, size_t len, void *data, void **old) {
    return generic_insert(r, key, len, data, old, 0);
}

int fk_rax_find(const fk_rax *r, const unsigned char *key, size_t len, void **value) {
    uint64_t kp = prefix(key, len);
    long ci = find_chunk(r, key, len, kp);
    if (ci < 0) return 0;
    int found;
    uint32_t pos = find_pos(r->dir[ci], key, len, kp, &found);
    if (!found) return 0;
    if (value) *value = r->dir[ci]->it[pos]->data;
    return 1;
}

int fk_rax_remove(fk_rax *r, const unsigned char *key, size_t len, void **old) {
    uint64_t kp = prefix(key, len);
    long ci = find_chunk(r, key, len, kp);
    if (ci < 0) return 0;
    chunk *ch = r->dir[ci];
    int found;
    uint32_t pos = find_pos(ch, key, len, kp, &found);
    if (!found) return 0;
    if (old) *old = ch->it[pos]->data;
    fk_free(ch->it[pos]);
    uint64_t *pf = PF(ch);
    memmove(ch->it + pos, ch->it + pos + 1, sizeof(kv *) * (ch->n - pos - 1));
    memmove(pf + pos, pf + pos + 1, sizeof(uint64_t) * (ch->n - pos - 1));
    ch->n--;
    r->size--;
    if (ch->n == 0) {
        fk_free(ch);
        dir_remove(r, (uint32_t)ci);
        return 1;
    }
    if (pos == 0) r->dpf[ci] = pf[0];
    if (ch->n < CHUNK_MAX / 4 && (uint32_t)ci + 1 < r->nchunks) {
        chunk *nx = r->dir[ci + 1];
        if (ch->n + nx->n <= CHUNK_MAX * 3 / 4) {
            if (ch->cap < ch->n + nx->n) {
                ch = chunk_resize(ch, ch->n + nx->n);
                r->dir[ci] = ch;
            }
            memcpy(ch->it + ch->n, nx->it, sizeof(kv *) * nx->n);
            memcpy(PF(ch) + ch->n, PF(nx), sizeof(uint64_t) * nx->n);
            ch->n += nx->n;
            fk_free(nx);
            dir_remove(r, (uint32_t)ci + 1);
        }
    } else if (ch->cap > 8 && ch->n < ch->cap / 4) {
        ch = chunk_resize(ch, ch->cap / 2);
        r->dir[ci] = ch;
    }
    return 1;
}

/* -- iterator -------------------------------------------------------------- */

void fk_rax_start(fk_rax_iter *it, fk_rax *r) {
    it->rax = r;
    it->key = it->keybuf;
    it->key_len = 0;
    it->key_cap = FK_RAX_ITER_KEYBUF;
    it->data = NULL;
    it->node = NULL;
    it->pos = 0;
    it->flags = ITER_EOF;
}

static void iter_load(fk_rax_iter *it) {
    fk_rax *r = it->rax;
    kv *x = r->dir[(uintptr_t)it->node]->it[it->pos];
    if (x->len > it->key_cap) {
        if (it->key != it->keybuf) fk_free(it->key);
        it->key = fk_malloc(x->len);
        it->key_cap = x->len;
    }
    memcpy(it->key, x->key, x->len);
    it->key_len = x->len;
    it->data = x->data;
}

static inline void iter_set(fk_rax_iter *it, long ci, long pos) {
    it->node = (void *)(uintptr_t)ci;
    it->pos = (int)pos;
    it->flags = ITER_JUST_SEEKED;
}

int fk_rax_seek(fk_rax_iter *it, const char *op, const unsigned char *ele, size_t len) {
    fk_rax *r = it->rax;
    int eq = 0, lt = 0, gt = 0, first = 0, last = 0;
    if (op[0] == '=' && op[1] == 0) eq = 1;
    else if (op[0] == '^' && op[1] == 0) first = 1;
    else if (op[0] == '$' && op[1] == 0) last = 1;
    else if (op[0] == '>') { gt = 1; if (op[1] == '=') eq = 1; else if (op[1]) return 0; }
    else if (op[0] == '<') { lt = 1; if (op[1] == '=') eq = 1; else if (op[1]) return 0; }
    else return 0;
    it->flags = ITER_EOF;
    if (r->nchunks == 0) return 1;
    if (first) { iter_set(it, 0, 0); return 1; }
    if (last) { iter_set(it, r->nchunks - 1, r->dir[r->nchunks - 1]->n - 1); return 1; }
    uint64_t kp = prefix(ele, len);
    long ci = find_chunk(r, ele, len, kp);
    int found;
    long pos = find_pos(r->dir[ci], ele, len, kp, &found);
    /* (ci, pos) is the first item >= ele within chunk ci (pos may be n) */
    if (found && eq) { iter_set(it, ci, pos); return 1; }
    if (!gt && !lt) return 1;   /* "=" without a match */
    if (gt) {
        if (found) pos++;
        if ((uint32_t)pos >= r->dir[ci]->n) {
            ci++;
            pos = 0;
            if ((uint32_t)ci >= r->nchunks) return 1;
        }
        iter_set(it, ci, pos);
        return 1;
    }
    /* lt: the item before (ci, pos) */
    if (pos == 0) {
        /* ele may sort before this chunk's first key (ci == 0 only) */
        if (ci == 0) return 1;
        ci--;
        pos = r->dir[ci]->n;
    }
    iter_set(it, ci, pos - 1);
    return 1;
}

/* raxNext / raxPrev: step by dir (+1 / -1).  The position is re-checked
 * against the tree, so a stale iterator (its tree modified without a
 * re-seek) ends instead of reading past a chunk. */
static int iter_step(fk_rax_iter *it, int dir) {
    if (it->flags & ITER_EOF) return 0;
    if (it->flags & ITER_JUST_SEEKED) {
        it->flags = 0;
        iter_load(it);
        return 1;
    }
    fk_rax *r = it->rax;
    uintptr_t ci = (uintptr_t)it->node;
    long pos = (long)it->pos + dir;
    if (ci >= r->nchunks) { it->flags = ITER_EOF; return 0; }
    if (pos < 0) {
        if (ci == 0) { it->flags = ITER_EOF; return 0; }
        ci--;
        pos = (long)r->dir[ci]->n - 1;
    } else if ((uint32_t)pos >= r->dir[ci]->n) {
        if (dir < 0) { it->flags = ITER_EOF; return 0; }   /* stale */
        ci++;
        pos = 0;
        if (ci >= r->nchunks) { it->flags = ITER_EOF; return 0; }
    }
    it->node = (void *)ci;
    it->pos = (int)pos;
    iter_load(it);
    return 1;
}

int fk_rax_next(fk_rax_iter *it) { return iter_step(it, 1); }
int fk_rax_prev(fk_rax_iter *it) { return iter_step(it, -1); }

int fk_rax_eof(const fk_rax_iter *it) { return (it->flags & ITER_EOF) != 0; }

void fk_rax_stop(fk_rax_iter *it) {
    if (it->key != it->keybuf) fk_free(it->key);
    it->key = it->keybuf;
    it->key_cap = FK_RAX_ITER_KEYBUF;
}
