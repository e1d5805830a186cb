/* fk_quicklist: Redis 7.0's quicklist over fk_listpack (see fk_quicklist.h
 * for the shape and the invariants).
 *
 * The functions follow quicklist.c one for one, with the same decisions
 * about where an element goes, so a list built by the same commands has the
 * same nodes as in Redis (and the same MEMORY USAGE, OBJECT ENCODING and,
 * later, RDB bytes):
 *
 *  - push: into the end node if _allow_insert (the size class of `fill`, or
 *    its count with the 8 KB safety limit), else into a new node;
 *  - insert before/after an element: into its node if it has room; at a
 *    node's edge, into the neighbour if that has room; else a new node at
 *    the edge, or a split of the node (then merge small neighbours: the
 *    four-node _merge_nodes pass);
 *  - delete: listpack deletes, dropping nodes that become empty;
 *  - compression: after any change near an end, __compress walks `depth`
 *    nodes in from both ends (decompressing them) and compresses the first
 *    node past them on each side, and the node that was touched. */
#include <string.h>
#include <stdlib.h>
#include "fk_quicklist.h"
#include "fk_listpack.h"
#include "fk_lzf.h"
#include "fk_alloc.h"
#include "fk_util.h"

static const size_t optimization_level[] = {4096, 8192, 16384, 32768, 65536};
#define SIZE_SAFETY_LIMIT 8192
#define SIZE_ESTIMATE_OVERHEAD 8
#define MIN_COMPRESS_BYTES 48
#define MIN_COMPRESS_IMPROVE 8
#define FILL_MAX ((1 << 15) - 1)
#define COMPRESS_MAX ((1 << 16) - 1)

fk_quicklist *fk_ql_new(int fill, int compress) {
    fk_quicklist *ql = fk_malloc(sizeof(*ql));
    ql->head = ql->tail = NULL;
    ql->count = 0;
    ql->len = 0;
    if (fill > FILL_MAX) fill = FILL_MAX;
    else if (fill < -5) fill = -5;
    if (compress > COMPRESS_MAX) compress = COMPRESS_MAX;
    else if (compress < 0) compress = 0;
    ql->fill = fill;
    ql->compress = compress;
    return ql;
}

static fk_qlnode *node_create(void) {
    fk_qlnode *n = fk_malloc(sizeof(*n));
    memset(n, 0, sizeof(*n));
    n->encoding = FK_QL_NODE_RAW;
    return n;
}

void fk_ql_release(fk_quicklist *ql) {
    fk_qlnode *cur = ql->head, *next;
    while (cur) {
        next = cur->next;
        fk_free(cur->entry);
        fk_free(cur);
        cur = next;
    }
    fk_free(ql);
}

/* -- compression ------------------------------------------------------------ */

static int compress_node(fk_qlnode *node) {
    fk_qllzf *lzf;
    node->attempted_compress = 1;
    if (node->dont_compress) return 0;
    node->recompress = 0;
    if (node->sz < MIN_COMPRESS_BYTES) return 0;
    lzf = fk_malloc(sizeof(*lzf) + node->sz);
    lzf->sz = fk_lzf_compress(node->entry, node->sz, lzf->compressed, node->sz);
    if (lzf->sz == 0 || lzf->sz + MIN_COMPRESS_IMPROVE >= node->sz) {
        fk_free(lzf);
        return 0;
    }
    lzf = fk_realloc(lzf, sizeof(*lzf) + lzf->sz);
    fk_free(node->entry);
    node->entry = (unsigned char *)lzf;
    node->encoding = FK_QL_NODE_LZF;
    return 1;
}

static void compress_if_raw(fk_qlnode *n) {
    if (n && n->encoding == FK_QL_NODE_RAW) compress_node(n);
}

static int decompress_node(fk_qlnode *node) {
    fk_qllzf *lzf = (fk_qllzf *)node->entry;
    unsigned char *raw;
    node->attempted_compress = 0;
    node->recompress = 0;
    raw = fk_malloc(node->sz);
    if (fk_lzf_decompress(lzf->compressed, lzf->sz, raw, node->sz) != node->sz) {
        fk_free(raw);
        abort();   /* our own compressed bytes: cannot happen */
    }
    fk_free(lzf);
    node->entry = raw;
    node->encoding = FK_QL_NODE_RAW;
    return 1;
}

static void decompress_if_lzf(fk_qlnode *n) {
    if (n && n->encoding == FK_QL_NODE_LZF) decompress_node(n);
}

static void decompress_for_use(fk_qlnode *n) {
    if (n && n->encoding == FK_QL_NODE_LZF) {
        decompress_node(n);
        n->recompress = 1;
    }
}

/* __quicklistCompress: depth nodes from each end plain, the next ones (and
 * `node`, unless it is within the depth) compressed. */
static void ql_compress_walk(const fk_quicklist *ql, fk_qlnode *node) {
    fk_qlnode *forward, *reverse;
    int depth = 0, in_depth = 0;
    if (ql->len == 0) return;
    if (ql->compress == 0 || ql->len < (unsigned long)(ql->compress * 2)) return;
    forward = ql->head;
    reverse = ql->tail;
    while (depth++ < ql->compress) {
        decompress_if_lzf(forward);
        decompress_if_lzf(reverse);
        if (forward == node || reverse == node) in_depth = 1;
        if (forward == reverse || forward->next == reverse) return;
        forward = forward->next;
        reverse = reverse->prev;
    }
    if (!in_depth && node) compress_if_raw(node);
    compress_if_raw(forward);
    compress_if_raw(reverse);
}

static void ql_compress(const fk_quicklist *ql, fk_qlnode *node) {
    if (node->recompress) compress_if_raw(node);
    else ql_compress_walk(ql, node);
}

static void recompress_only(fk_qlnode *node) {
    if (node->recompress) compress_if_raw(node);
}

unsigned char *fk_ql_node_lp(fk_qlnode *n) {
    decompress_for_use(n);
    return n->entry;
}

void fk_ql_node_done(fk_quicklist *ql, fk_qlnode *n) {
    (void)ql;
    recompress_only(n);
}

/* -- nodes ------------------------------------------------------------------ */

static void insert_node(fk_quicklist *ql, fk_qlnode *old_node, fk_qlnode *new_node, int after) {
    if (after) {
        new_node->prev = old_node;
        if (old_node) {
            new_node->next = old_node->next;
            if (old_node->next) old_node->next->prev = new_node;
            old_node->next = new_node;
        }
        if (ql->tail == old_node) ql->tail = new_node;
    } else {
        new_node->next = old_node;
        if (old_node) {
            new_node->prev = old_node->prev;
            if (old_node->prev) old_node->prev->next = new_node;
            old_node->prev = new_node;
        }
        if (ql->head == old_node) ql->head = new_node;
    }
    if (ql->len == 0) ql->head = ql->tail = new_node;
    ql->len++;
    if (old_node) ql_compress(ql, old_node);
    ql_compress(ql, new_node);
}

static int size_meets_optimization(size_t sz, int fill) {
    size_t offset;
    if (fill >= 0) return 0;
    offset = (size_t)(-fill) - 1;
    if (offset < sizeof(optimization_level) / sizeof(*optimization_level))
        return sz <= optimization_level[offset];
    return 0;
}

#define size_meets_safety_limit(sz) ((sz) <= SIZE_SAFETY_LIMIT)

static int node_allow_insert(const fk_qlnode *node, int fill, size_t sz) {
    size_t new_sz;
    if (!node) return 0;
    new_sz = node->sz + sz + SIZE_ESTIMATE_OVERHEAD;
    if (size_meets_optimization(new_sz, fill)) return 1;
    if (!size_meets_safety_limit(new_sz)) return 0;
    if ((int)node->count < fill) return 1;
    return 0;
}

static int node_allow_merge(const fk_qlnode *a, const fk_qlnode *b, int fill) {
    unsigned int merge_sz;
    if (!a || !b) return 0;
    merge_sz = a->sz + b->sz - 11;
    if (size_meets_optimization(merge_sz, fill)) return 1;
    if (!size_meets_safety_limit(merge_sz)) return 0;
    if ((int)(a->count + b->count) <= fill) return 1;
    return 0;
}

static inline void node_update_sz(fk_qlnode *n) { n->sz = (uint32_t)fk_lp_bytes(n->entry); }

/* Pushes hand the bytes to fk_lp_append/fk_lp_prepend, which store
 * integer-looking strings as integers (as Redis's lpAppend). */

int fk_ql_push_head(fk_quicklist *ql, const void *value, size_t sz) {
    fk_qlnode *orig_head = ql->head;
    if (node_allow_insert(ql->head, ql->fill, sz)) {
        ql->head->entry = fk_lp_prepend(ql->head->entry, value, (uint32_t)sz);
        node_update_sz(ql->head);
    } else {
        fk_qlnode *node = node_create();
        node->entry = fk_lp_prepend(fk_lp_new(0), value, (uint32_t)sz);
        node_update_sz(node);
        insert_node(ql, ql->head, node, 0);
    }
    ql->count++;
    ql->head->count++;
    return orig_head != ql->head;
}

int fk_ql_push_tail(fk_quicklist *ql, const void *value, size_t sz) {
    fk_qlnode *orig_tail = ql->tail;
    if (node_allow_insert(ql->tail, ql->fill, sz)) {
        ql->tail->entry = fk_lp_append(ql->tail->entry, value, (uint32_t)sz);
        node_update_sz(ql->tail);
    } else {
        fk_qlnode *node = node_create();
        node->entry = fk_lp_append(fk_lp_new(0), value, (uint32_t)sz);
        node_update_sz(node);
        insert_node(ql, ql->tail, node, 1);
    }
    ql->count++;
    ql->tail->count++;
    return orig_tail != ql->tail;
}

void fk_ql_push(fk_quicklist *ql, const void *value, size_t sz, int where) {
    if (where == FK_QL_HEAD) fk_ql_push_head(ql, value, sz);
    else fk_ql_push_tail(ql, value, sz);
}

static void del_node(fk_quicklist *ql, fk_qlnode *node) {
    if (node->next) node->next->prev = node->prev;
    if (node->prev) node->prev->next = node->next;
    if (node == ql->tail) ql->tail = node->prev;
    if (node == ql->head) ql->head = node->next;
    ql->len--;
    ql->count -= node->count;
    /* a node within the depth went away: others move into it */
    ql_compress_walk(ql, NULL);
    fk_free(node->entry);
    fk_free(node);
}

/* quicklistDelIndex: delete *p of node; *p gets the next element.  Returns
 * 1 if the node was deleted (it became empty). */
static int del_index(fk_quicklist *ql, fk_qlnode *node, unsigned char **p) {
    int gone = 0;
    node->entry = fk_lp_delete(node->entry, *p, p);
    node->count--;
    if (node->count == 0) {
        gone = 1;
        del_node(ql, node);
    } else {
        node_update_sz(node);
    }
    ql->count--;
    return gone;
}

unsigned char *fk_ql_peek(fk_quicklist *ql, int where) {
    fk_qlnode *n = where == FK_QL_HEAD ? ql->head : ql->tail;
    if (!n) return NULL;
    return fk_lp_seek(n->entry, where == FK_QL_HEAD ? 0 : -1);
}

int fk_ql_del_end(fk_quicklist *ql, int where) {
    fk_qlnode *n = where == FK_QL_HEAD ? ql->head : ql->tail;
    unsigned char *p;
    if (!n) return 0;
    p = fk_lp_seek(n->entry, where == FK_QL_HEAD ? 0 : -1);
    del_index(ql, n, &p);
    return 1;
}

/* -- iterators -------------------------------------------------------------- */

static void reset_iter(fk_qliter *it) {
    it->current = NULL;
    it->zi = NULL;
}

void fk_ql_iter_init(fk_qliter *it, fk_quicklist *ql, int direction) {
    if (direction == FK_QL_START_HEAD) {
        it->current = ql->head;
        it->offset = 0;
    } else {
        it->current = ql->tail;
        it->offset = -1;
    }
    it->direction = direction;
    it->ql = ql;
    it->zi = NULL;
}

int fk_ql_iter_init_at(fk_qliter *it, fk_quicklist *ql, int direction, long long idx) {
    fk_qlnode *n;
    unsigned long long accum = 0, index, seek_index;
    int forward = idx < 0 ? 0 : 1, seek_forward;
    index = forward ? (unsigned long long)idx : (unsigned long long)(-(idx + 1));
    if (index >= ql->count) return 0;
    seek_forward = forward;
    seek_index = index;
    if (index > (ql->count - 1) / 2) {
        seek_forward = !forward;
        seek_index = ql->count - 1 - index;
    }
    n = seek_forward ? ql->head : ql->tail;
    while (n) {
        if (accum + n->count > seek_index) break;
        accum += n->count;
        n = seek_forward ? n->next : n->prev;
    }
    if (!n) return 0;
    if (seek_forward != forward) accum = ql->count - n->count - accum;
    fk_ql_iter_init(it, ql, direction);
    it->current = n;
    if (forward) it->offset = (long)(index - accum);
    else it->offset = (long)(-(long long)index - 1 + (long long)accum);
    return 1;
}

void fk_ql_iter_release(fk_qliter *it) {
    if (it->current) ql_compress(it->ql, it->current);
    it->current = NULL;
}

int fk_ql_next(fk_qliter *it, fk_qlentry *e) {
    for (;;) {
        unsigned int sz = 0;
        e->ql = it->ql;
        e->node = it->current;
        e->value = NULL;
        e->zi = NULL;
        e->sz = 0;
        if (!it->current) return 0;
        if (!it->zi) {
            decompress_for_use(it->current);
            it->zi = fk_lp_seek(it->current->entry, it->offset);
        } else if (it->direction == FK_QL_START_HEAD) {
            it->zi = fk_lp_next(it->current->entry, it->zi);
            it->offset += 1;
        } else {
            it->zi = fk_lp_prev(it->current->entry, it->zi);
            it->offset -= 1;
        }
        e->zi = it->zi;
        e->offset = (int)it->offset;
        if (it->zi) {
            e->value = fk_lp_get_value(e->zi, &sz, &e->longval);
            e->sz = sz;
            return 1;
        }
        /* ran out of this node: on to the next one */
        ql_compress(it->ql, it->current);
        if (it->direction == FK_QL_START_HEAD) {
            it->current = it->current->next;
            it->offset = 0;
        } else {
            it->current = it->current->prev;
            it->offset = -1;
        }
        it->zi = NULL;
    }
}

void fk_ql_del_entry(fk_qliter *it, fk_qlentry *e) {
    fk_qlnode *prev = e->node->prev, *next = e->node->next;
    int deleted_node = del_index(it->ql, e->node, &e->zi);
    it->zi = NULL;
    if (deleted_node) {
        if (it->direction == FK_QL_START_HEAD) {
            it->current = next;
            it->offset = 0;
        } else {
            it->current = prev;
            it->offset = -1;
        }
    }
    /* else the offset stays: forwards, the next element moved into it;
     * backwards, the previous element keeps its offset from the tail. */
}

/* -- insert, split, merge ---------------------------------------------------- */

static fk_qlnode *merge_pair(fk_quicklist *ql, fk_qlnode *a, fk_qlnode *b) {
    decompress_if_lzf(a);
    decompress_if_lzf(b);
    if (fk_lp_merge(&a->entry, &b->entry)) {
        fk_qlnode *keep = NULL, *nokeep = NULL;
        if (!a->entry) {
            nokeep = a;
            keep = b;
        } else {
            nokeep = b;
            keep = a;
        }
        keep->count = (uint16_t)fk_lp_length(keep->entry);
        node_update_sz(keep);
        nokeep->count = 0;
        del_node(ql, nokeep);
        ql_compress(ql, keep);
        return keep;
    }
    return NULL;
}

static void merge_nodes(fk_quicklist *ql, fk_qlnode *center) {
    int fill = ql->fill;
    fk_qlnode *prev = NULL, *prev_prev = NULL, *next = NULL, *next_next = NULL, *target;
    if (center->prev) {
        prev = center->prev;
        if (center->prev->prev) prev_prev = center->prev->prev;
    }
    if (center->next) {
        next = center->next;
        if (center->next->next) next_next = center->next->next;
    }
    if (node_allow_merge(prev, prev_prev, fill)) {
        merge_pair(ql, prev_prev, prev);
        prev_prev = prev = NULL;
    }
    if (node_allow_merge(next, next_next, fill)) {
        merge_pair(ql, next, next_next);
        next = next_next = NULL;
    }
    if (node_allow_merge(center, center->prev, fill)) {
        target = merge_pair(ql, center->prev, center);
        center = NULL;
    } else {
        target = center;
    }
    if (target && node_allow_merge(target, target->next, fill))
        merge_pair(ql, target, target->next);
}

/* _quicklistSplitNode: after=1: node keeps [0, offset], the new node gets
 * [offset+1, end]; after=0: the new node gets [0, offset-1], node keeps
 * [offset, end]. */
static fk_qlnode *split_node(fk_qlnode *node, int offset, int after) {
    size_t zl_sz = node->sz;
    fk_qlnode *new_node = node_create();
    int orig_start, orig_extent, new_start, new_extent;
    new_node->entry = fk_malloc(zl_sz);
    memcpy(new_node->entry, node->entry, zl_sz);
    if (offset < 0) offset = node->count + offset;
    orig_start = after ? offset + 1 : 0;
    orig_extent = after ? -1 : offset;
    new_start = after ? 0 : offset;
    new_extent = after ? offset + 1 : -1;
    node->entry = fk_lp_delete_range(node->entry, orig_start,
                                     orig_extent < 0 ? (unsigned long)-1 : (unsigned long)orig_extent);
    node->count = (uint16_t)fk_lp_length(node->entry);
    node_update_sz(node);
    new_node->entry = fk_lp_delete_range(new_node->entry, new_start,
                                         new_extent < 0 ? (unsigned long)-1 : (unsigned long)new_extent);
    new_node->count = (uint16_t)fk_lp_length(new_node->entry);
    node_update_sz(new_node);
    return new_node;
}

static void ql_insert(fk_qliter *it, fk_qlentry *entry, const void *value, size_t sz, int after) {
    fk_quicklist *ql = it->ql;
    int full = 0, at_tail = 0, at_head = 0, avail_next = 0, avail_prev = 0;
    int fill = ql->fill;
    fk_qlnode *node = entry->node, *new_node = NULL;

    if (!node) {
        new_node = node_create();
        new_node->entry = fk_lp_prepend(fk_lp_new(0), value, (uint32_t)sz);
        insert_node(ql, NULL, new_node, after);
        new_node->count++;
        node_update_sz(new_node);
        ql->count++;
        return;
    }
    if (!node_allow_insert(node, fill, sz)) full = 1;
    if (after && (entry->offset == node->count - 1 || entry->offset == -1)) {
        at_tail = 1;
        if (node_allow_insert(node->next, fill, sz)) avail_next = 1;
    }
    if (!after && (entry->offset == 0 || entry->offset == -(int)node->count)) {
        at_head = 1;
        if (node_allow_insert(node->prev, fill, sz)) avail_prev = 1;
    }

    if (!full) {
        decompress_for_use(node);
        node->entry = fk_lp_insert_string(node->entry, value, (uint32_t)sz, entry->zi,
                                          after ? FK_LP_AFTER : FK_LP_BEFORE, NULL);
        node->count++;
        node_update_sz(node);
        recompress_only(node);
    } else if (at_tail && avail_next && after) {
        new_node = node->next;
        decompress_for_use(new_node);
        new_node->entry = fk_lp_prepend(new_node->entry, value, (uint32_t)sz);
        new_node->count++;
        node_update_sz(new_node);
        recompress_only(new_node);
        recompress_only(node);
    } else if (at_head && avail_prev && !after) {
        new_node = node->prev;
        decompress_for_use(new_node);
        new_node->entry = fk_lp_append(new_node->entry, value, (uint32_t)sz);
        new_node->count++;
        node_update_sz(new_node);
        recompress_only(new_node);
        recompress_only(node);
    } else if ((at_tail && !avail_next && after) || (at_head && !avail_prev && !after)) {
        new_node = node_create();
        new_node->entry = fk_lp_prepend(fk_lp_new(0), value, (uint32_t)sz);
        new_node->count++;
        node_update_sz(new_node);
        insert_node(ql, node, new_node, after);
    } else {
        decompress_for_use(node);
        new_node = split_node(node, entry->offset, after);
        if (after)
            new_node->entry = fk_lp_prepend(new_node->entry, value, (uint32_t)sz);
        else
            new_node->entry = fk_lp_append(new_node->entry, value, (uint32_t)sz);
        new_node->count++;
        node_update_sz(new_node);
        insert_node(ql, node, new_node, after);
        merge_nodes(ql, node);
    }
    ql->count++;
    reset_iter(it);
}

void fk_ql_insert_before(fk_qliter *it, fk_qlentry *e, const void *value, size_t sz) {
    ql_insert(it, e, value, sz, 0);
}

void fk_ql_insert_after(fk_qliter *it, fk_qlentry *e, const void *value, size_t sz) {
    ql_insert(it, e, value, sz, 1);
}

void fk_ql_replace_entry(fk_qliter *it, fk_qlentry *entry, const void *data, size_t sz) {
    fk_quicklist *ql = it->ql;
    /* Redis 7.0 replaces in place, whatever the new size (7.2 splits a node
     * that would pass its limit; 7.0 only moves "plain" big elements). */
    entry->node->entry = fk_lp_replace(entry->node->entry, &entry->zi, data, (uint32_t)sz);
    node_update_sz(entry->node);
    ql_compress(ql, entry->node);
    reset_iter(it);
}

int fk_ql_replace_at_index(fk_quicklist *ql, long index, const void *data, size_t sz) {
    fk_qliter it;
    fk_qlentry e;
    if (!fk_ql_iter_init_at(&it, ql, FK_QL_START_TAIL, index)) return 0;
    fk_ql_next(&it, &e);
    fk_ql_replace_entry(&it, &e, data, sz);
    fk_ql_iter_release(&it);
    return 1;
}

int fk_ql_compare(fk_qlentry *e, const void *s, size_t n) {
    return fk_lp_compare(e->zi, (const unsigned char *)s, (uint32_t)n);
}

int fk_ql_del_range(fk_quicklist *ql, long start, long count) {
    unsigned long extent;
    fk_qliter it;
    fk_qlnode *node;
    long offset;
    if (count <= 0) return 0;
    extent = (unsigned long)count;
    if (start >= 0 && extent > ql->count - (unsigned long)start)
        extent = ql->count - (unsigned long)start;
    else if (start < 0 && extent > (unsigned long)(-start))
        extent = (unsigned long)(-start);
    if (!fk_ql_iter_init_at(&it, ql, FK_QL_START_TAIL, start)) return 0;
    node = it.current;
    offset = it.offset;
    while (extent) {
        fk_qlnode *next = node->next;
        unsigned long del;
        int delete_entire_node = 0;
        if (offset == 0 && extent >= node->count) {
            delete_entire_node = 1;
            del = node->count;
        } else if (offset >= 0 && extent + offset >= node->count) {
            del = node->count - offset;
        } else if (offset < 0) {
            del = (unsigned long)(-offset);
            if (del > extent) del = extent;
        } else {
            del = extent;
        }
        if (delete_entire_node) {
            del_node(ql, node);
        } else {
            decompress_for_use(node);
            node->entry = fk_lp_delete_range(node->entry, offset, del);
            node_update_sz(node);
            node->count -= del;
            ql->count -= del;
            if (node->count == 0) {
                del_node(ql, node);
                node = NULL;
            }
            if (node) recompress_only(node);
        }
        extent -= del;
        node = next;
        offset = 0;
    }
    return 1;
}

fk_quicklist *fk_ql_dup(const fk_quicklist *orig) {
    fk_quicklist *copy = fk_ql_new(orig->fill, orig->compress);
    fk_qlnode *cur;
    for (cur = orig->head; cur; cur = cur->next) {
        fk_qlnode *node = node_create();
        if (cur->encoding == FK_QL_NODE_LZF) {
            fk_qllzf *lzf = (fk_qllzf *)cur->entry;
            size_t lzf_sz = sizeof(*lzf) + lzf->sz;
            node->entry = fk_malloc(lzf_sz);
            memcpy(node->entry, cur->entry, lzf_sz);
        } else {
            node->entry = fk_malloc(cur->sz);
            memcpy(node->entry, cur->entry, cur->sz);
        }
        node->count = cur->count;
        copy->count += node->count;
        node->sz = cur->sz;
        node->encoding = cur->encoding;
        insert_node(copy, copy->tail, node, 1);
    }
    return copy;
}

size_t fk_ql_mem_usage(const fk_quicklist *ql, size_t samples) {
    size_t total = fk_usable((void *)ql), elesize = 0, n = 0;
    const fk_qlnode *node = ql->head;
    if (!node) return total;
    do {
        elesize += fk_usable((void *)node) + fk_usable(node->entry);
        n++;
    } while ((node = node->next) && (samples == 0 || n < samples));
    if (n == ql->len) return total + elesize;
    return total + (size_t)((double)elesize / n * ql->len);
}

/* -- RESP ------------------------------------------------------------------- */

char *fk_ql_write_bulk(char *w, unsigned char *p) {
    unsigned int slen;
    long long lval;
    unsigned char *s = fk_lp_get_value(p, &slen, &lval);
    if (s) {
        *w++ = '$';
        w = fk_ll2digits(w, slen);
        *w++ = '\r';
        *w++ = '\n';
        memcpy(w, s, slen);
        w += slen;
    } else {
        char num[24];
        char *e = fk_ll2digits(num, lval);
        *w++ = '$';
        w = fk_ll2digits(w, e - num);
        *w++ = '\r';
        *w++ = '\n';
        memcpy(w, num, (size_t)(e - num));
        w += e - num;
    }
    *w++ = '\r';
    *w++ = '\n';
    return w;
}

/* -- checks (tests) ----------------------------------------------------------- */

int fk_ql_check(fk_quicklist *ql) {
    unsigned long nodes = 0, count = 0, at = 0;
    fk_qlnode *n, *prev = NULL;
    for (n = ql->head; n; prev = n, n = n->next) {
        if (n->prev != prev) return 1;
        if (n->count == 0) return 2;
        if (n->recompress) return 3;
        nodes++;
        count += n->count;
        if (n->encoding == FK_QL_NODE_RAW) {
            if (fk_lp_bytes(n->entry) != n->sz) return 4;
            if (fk_lp_length(n->entry) != n->count) return 5;
        }
    }
    if (prev != ql->tail) return 6;
    if (nodes != ql->len) return 7;
    if (count != ql->count) return 8;
    if (ql->compress) {
        unsigned long low = (unsigned long)ql->compress;
        unsigned long high = ql->len > low ? ql->len - low : 0;
        for (n = ql->head, at = 0; n; n = n->next, at++) {
            if (at < low || at >= high) {
                if (n->encoding != FK_QL_NODE_RAW) return 9;
            } else if (n->encoding != FK_QL_NODE_LZF && !n->attempted_compress) {
                return 10;
            }
        }
    } else {
        for (n = ql->head; n; n = n->next)
            if (n->encoding != FK_QL_NODE_RAW) return 11;
    }
    return 0;
}

/* -- the type-table row: list/quicklist ------------------------------------- */
#include "fk_object.h"

static void list_free(fk_entry *e) {
    if (e->v.ptr) fk_ql_release((fk_quicklist *)e->v.ptr);
    e->v.ptr = NULL;
}
static size_t list_no_inline(const fk_entry *e) { (void)e; return 0; }
static int list_dup(const fk_entry *src, fk_entry *dst) {
    dst->v.ptr = fk_ql_dup((const fk_quicklist *)src->v.ptr);
    dst->meta = (dst->meta & ~0xFFu) | (src->meta & 0xFFu);
    return 0;
}
static size_t list_mem(const fk_entry *e, size_t samples) {
    return fk_ql_mem_usage((const fk_quicklist *)e->v.ptr, samples);
}
static size_t list_free_effort(const fk_entry *e) {
    return ((const fk_quicklist *)e->v.ptr)->len;
}
const fk_objtype fk_row_list_quicklist = {
    .type_name = "list", .enc_name = "quicklist", .free = list_free,
    .inline_size = list_no_inline, .dup = list_dup, .mem_usage = list_mem,
    .free_effort = list_free_effort,
};
