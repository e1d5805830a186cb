/* fk_stream: Redis 7.0's stream type (see fk_stream.h).
 *
 * A port of the non-command half of Redis 7.0's t_stream.c: the index is
 * an fk_rax of listpack nodes keyed by their master ID (16 bytes, big
 * endian); each node is a listpack in Redis's exact stream format:
 *
 *   master entry:  count | deleted | num-fields | field_1 .. field_N | 0
 *   each entry:    flags | ms-diff | seq-diff | [num-fields | field_1 ..]
 *                  value_1 .. value_N | lp-count
 *
 * (SAMEFIELDS entries omit num-fields and the field names; lp-count lets
 * the reverse iterator jump back to an entry's flags.)  Deleted entries are
 * flagged, counted in the node's "deleted" and skipped; a node whose last
 * live entry is deleted is removed.  Function names in comments are
 * Redis's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "fk_stream.h"
#include "fk_alloc.h"
#include "fk_listpack.h"
#include "fk_object.h"
#include "fk_shared.h"
#include "fk_util.h"

#define STREAM_ITEM_FLAG_NONE 0
#define STREAM_ITEM_FLAG_DELETED (1 << 0)
#define STREAM_ITEM_FLAG_SAMEFIELDS (1 << 1)
#define STREAM_LISTPACK_MAX_PRE_ALLOCATE 4096
#define STREAM_LISTPACK_MAX_SIZE (1 << 30)

/* -- small listpack helpers ---------------------------------------------- */

/* lpGetInteger */
static inline int64_t lp_get_int(unsigned char *ele) {
    unsigned int slen;
    long long v;
    unsigned char *s = fk_lp_get_value(ele, &slen, &v);
    if (s == NULL) return (int64_t)v;
    int64_t r = 0;
    fk_lp_string_to_int64((const char *)s, slen, &r);
    return r;
}

static inline unsigned char *lp_replace_int(unsigned char *lp, unsigned char **pos, int64_t v) {
    return fk_lp_replace_integer(lp, pos, v);
}

/* -- IDs ------------------------------------------------------------------- */

int fk_streamid_cmp(const fk_streamid *a, const fk_streamid *b) {
    if (a->ms > b->ms) return 1;
    if (a->ms < b->ms) return -1;
    if (a->seq > b->seq) return 1;
    if (a->seq < b->seq) return -1;
    return 0;
}

int fk_streamid_incr(fk_streamid *id) {
    if (id->seq == UINT64_MAX) {
        if (id->ms == UINT64_MAX) return -1;   /* left at the maximum */
        id->ms++;
        id->seq = 0;
    } else {
        id->seq++;
    }
    return 0;
}

int fk_streamid_decr(fk_streamid *id) {
    if (id->seq == 0) {
        if (id->ms == 0) {
            id->ms = id->seq = UINT64_MAX;
            return -1;
        }
        id->ms--;
        id->seq = UINT64_MAX;
    } else {
        id->seq--;
    }
    return 0;
}

static inline uint64_t be64(uint64_t v) { return __builtin_bswap64(v); }

void fk_streamid_encode(unsigned char buf[16], const fk_streamid *id) {
    uint64_t e[2] = { be64(id->ms), be64(id->seq) };
    memcpy(buf, e, 16);
}

void fk_streamid_decode(const unsigned char buf[16], fk_streamid *id) {
    uint64_t e[2];
    memcpy(e, buf, 16);
    id->ms = be64(e[0]);
    id->seq = be64(e[1]);
}

/* Decimal digits of v, two at a time. */
static size_t ull2str(char *dst, uint64_t v) {
    static const char d2[201] =
        "0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849"
        "5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";
    char tmp[24];
    int n = 24;
    while (v >= 100) {
        unsigned i = (unsigned)(v % 100) * 2;
        v /= 100;
        tmp[--n] = d2[i + 1];
        tmp[--n] = d2[i];
    }
    if (v >= 10) {
        unsigned i = (unsigned)v * 2;
        tmp[--n] = d2[i + 1];
        tmp[--n] = d2[i];
    } else {
        tmp[--n] = (char)('0' + v);
    }
    memcpy(dst, tmp + n, (size_t)(24 - n));
    return (size_t)(24 - n);
}

/* Entries of a range mostly share their ms: the event loop (the only
 * thread that formats IDs) keeps the last one's text. */
static uint64_t fmt_ms;
static char fmt_ms_txt[24];
static size_t fmt_ms_len;

size_t fk_streamid_format(char *buf, const fk_streamid *id) {
    size_t n;
    if (fmt_ms_len && id->ms == fmt_ms) {
        memcpy(buf, fmt_ms_txt, 24);
        n = fmt_ms_len;
    } else {
        n = ull2str(buf, id->ms);
        memcpy(fmt_ms_txt, buf, n);
        fmt_ms = id->ms;
        fmt_ms_len = n;
    }
    buf[n++] = '-';
    n += ull2str(buf + n, id->seq);
    return n;
}

/* Redis's string2ull: string2ll, else strtoull (which accepts leading
 * spaces, '+' and '-') on a NUL-terminated string. */
static int string2ull(const char *s, unsigned long long *value) {
    long long ll;
    if (fk_string2ll(s, strlen(s), &ll)) {
        if (ll < 0) return 0;
        *value = (unsigned long long)ll;
        return 1;
    }
    errno = 0;
    char *endptr = NULL;
    *value = strtoull(s, &endptr, 10);
    if (errno == EINVAL || errno == ERANGE || !(*s != '\0' && *endptr == '\0')) return 0;
    return 1;
}

int fk_streamid_parse(const char *p, size_t n, fk_streamid *id, uint64_t missing_seq,
                      int strict, int *seq_given) {
    char buf[128];
    if (n > sizeof(buf) - 1) return -1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    if (strict && (buf[0] == '-' || buf[0] == '+') && buf[1] == '\0') return -1;
    if (seq_given) *seq_given = 1;
    if (buf[0] == '-' && buf[1] == '\0') {
        id->ms = 0;
        id->seq = 0;
        return 0;
    } else if (buf[0] == '+' && buf[1] == '\0') {
        id->ms = UINT64_MAX;
        id->seq = UINT64_MAX;
        return 0;
    }
    unsigned long long ms, seq;
    char *dot = strchr(buf, '-');
    if (dot) *dot = '\0';
    if (!string2ull(buf, &ms)) return -1;
    if (dot) {
        size_t seqlen = strlen(dot + 1);
        if (seq_given && seqlen == 1 && dot[1] == '*') {
            seq = 0;
            *seq_given = 0;
        } else if (!string2ull(dot + 1, &seq)) {
            return -1;
        }
    } else {
        seq = missing_seq;
    }
    id->ms = ms;
    id->seq = seq;
    return 0;
}

/* -- the stream ------------------------------------------------------------ */

fk_stream *fk_stream_new(void) {
    fk_stream *s = fk_malloc(sizeof(*s));
    memset(s, 0, sizeof(*s));
    s->rax = fk_rax_new();
    return s;
}

static void free_lp_cb(void *p) { fk_lp_free(p); }

static void free_consumer(void *p) {
    fk_stream_consumer *sc = p;
    fk_rax_free(sc->pel, NULL);   /* the NACKs belong to the group PEL */
    fk_free(sc->name);
    fk_free(sc);
}

void fk_stream_free_nack(fk_stream_nack *na) { fk_free(na); }
static void free_nack_cb(void *p) { fk_free(p); }

static void free_cg(void *p) {
    fk_stream_cg *cg = p;
    fk_rax_free(cg->pel, free_nack_cb);
    fk_rax_free(cg->consumers, free_consumer);
    fk_free(cg);
}

void fk_stream_free(void *p) {
    fk_stream *s = p;
    fk_rax_free(s->rax, free_lp_cb);
    if (s->cgroups) fk_rax_free(s->cgroups, free_cg);
    fk_free(s);
}

/* streamNextID */
static void next_id(const fk_streamid *last_id, fk_streamid *new_id) {
    uint64_t ms = (uint64_t)fk_mstime();
    if (ms > last_id->ms) {
        new_id->ms = ms;
        new_id->seq = 0;
    } else {
        *new_id = *last_id;
        fk_streamid_incr(new_id);
    }
}

int fk_stream_append(fk_stream *s, const fk_sv *fv, int64_t numfields, fk_streamid *added_id,
                     const fk_streamid *use_id, int seq_given) {
    fk_streamid id;
    if (use_id) {
        if (seq_given) {
            id = *use_id;
        } else {
            if (s->last_id.ms == use_id->ms) {
                /* Redis 7.0 reports this one as ERANGE ("Elements are too large") */
                if (s->last_id.seq == UINT64_MAX) return -2;
                id = s->last_id;
                id.seq++;
            } else {
                id = *use_id;
            }
        }
    } else {
        next_id(&s->last_id, &id);
    }
    if (fk_streamid_cmp(&id, &s->last_id) <= 0) return -1;

    size_t totelelen = 0;
    for (int64_t i = 0; i < numfields * 2; i++) totelelen += fv[i].n;
    if (totelelen > STREAM_LISTPACK_MAX_SIZE) return -2;

    fk_rax_iter ri;
    fk_rax_start(&ri, s->rax);
    fk_rax_seek(&ri, "$", NULL, 0);
    size_t lp_bytes = 0;
    unsigned char *lp = NULL;
    unsigned char rax_key[16];
    if (fk_rax_next(&ri)) {
        lp = ri.data;
        lp_bytes = fk_lp_bytes(lp);
        memcpy(rax_key, ri.key, 16);
    }
    fk_rax_stop(&ri);

    fk_streamid master_id;
    if (lp != NULL) {
        int new_node = 0;
        size_t node_max_bytes = fk_sh->stream_node_max_bytes;
        if (node_max_bytes == 0 || node_max_bytes > STREAM_LISTPACK_MAX_SIZE)
            node_max_bytes = STREAM_LISTPACK_MAX_SIZE;
        if (lp_bytes + totelelen >= node_max_bytes) {
            new_node = 1;
        } else if (fk_sh->stream_node_max_entries) {
            unsigned char *e = fk_lp_first(lp);
            int64_t count = lp_get_int(e) + lp_get_int(fk_lp_next(lp, e));
            if (count >= fk_sh->stream_node_max_entries) new_node = 1;
        }
        if (new_node) {
            unsigned char *nlp = fk_lp_shrink_to_fit(lp);
            if (nlp != lp) fk_rax_insert(s->rax, rax_key, 16, nlp, NULL);
            lp = NULL;
        }
    }

    int flags = STREAM_ITEM_FLAG_NONE;
    unsigned char *orig_lp = lp;
    if (lp == NULL) {
        master_id = id;
        fk_streamid_encode(rax_key, &id);
        size_t prealloc = STREAM_LISTPACK_MAX_PRE_ALLOCATE;
        if (fk_sh->stream_node_max_bytes > 0 && fk_sh->stream_node_max_bytes < prealloc)
            prealloc = fk_sh->stream_node_max_bytes;
        lp = fk_lp_new(prealloc);
        lp = fk_lp_append_integer(lp, 1);
        lp = fk_lp_append_integer(lp, 0);
        lp = fk_lp_append_integer(lp, numfields);
        for (int64_t i = 0; i < numfields; i++)
            lp = fk_lp_append(lp, (const unsigned char *)fv[i * 2].p, (uint32_t)fv[i * 2].n);
        lp = fk_lp_append_integer(lp, 0);
        orig_lp = NULL;
        flags |= STREAM_ITEM_FLAG_SAMEFIELDS;
    } else {
        fk_streamid_decode(rax_key, &master_id);
        unsigned char *lp_ele = fk_lp_first(lp);
        int64_t count = lp_get_int(lp_ele);
        lp = lp_replace_int(lp, &lp_ele, count + 1);
        lp_ele = fk_lp_next(lp, lp_ele);
        lp_ele = fk_lp_next(lp, lp_ele);
        int64_t master_fields_count = lp_get_int(lp_ele);
        lp_ele = fk_lp_next(lp, lp_ele);
        if (numfields == master_fields_count) {
            int64_t i;
            for (i = 0; i < master_fields_count; i++) {
                int64_t e_len;
                unsigned char buf[FK_LP_INTBUF_SIZE];
                unsigned char *e = fk_lp_get(lp_ele, &e_len, buf);
                if (fv[i * 2].n != (size_t)e_len || memcmp(e, fv[i * 2].p, e_len) != 0) break;
                lp_ele = fk_lp_next(lp, lp_ele);
            }
            if (i == master_fields_count) flags |= STREAM_ITEM_FLAG_SAMEFIELDS;
        }
    }

    lp = fk_lp_append_integer(lp, flags);
    lp = fk_lp_append_integer(lp, (long long)(id.ms - master_id.ms));
    lp = fk_lp_append_integer(lp, (long long)(id.seq - master_id.seq));
    if (!(flags & STREAM_ITEM_FLAG_SAMEFIELDS)) lp = fk_lp_append_integer(lp, numfields);
    for (int64_t i = 0; i < numfields; i++) {
        if (!(flags & STREAM_ITEM_FLAG_SAMEFIELDS))
            lp = fk_lp_append(lp, (const unsigned char *)fv[i * 2].p, (uint32_t)fv[i * 2].n);
        lp = fk_lp_append(lp, (const unsigned char *)fv[i * 2 + 1].p, (uint32_t)fv[i * 2 + 1].n);
    }
    int64_t lp_count = numfields + 3;
    if (!(flags & STREAM_ITEM_FLAG_SAMEFIELDS)) lp_count += numfields + 1;
    lp = fk_lp_append_integer(lp, lp_count);

    if (lp != orig_lp) fk_rax_insert(s->rax, rax_key, 16, lp, NULL);
    s->length++;
    s->entries_added++;
    s->last_id = id;
    if (s->length == 1) s->first_id = id;
    if (added_id) *added_id = id;
    return 0;
}

/* Past a node's master entry (count, deleted, num-fields, the fields, the
 * 0 terminator): the first entry's flags, or NULL.  *mfc = num-fields. */
static unsigned char *lp_skip_master_entry(unsigned char *lp, int64_t *mfc) {
    unsigned char *e = fk_lp_first(lp);
    e = fk_lp_next(lp, e);
    e = fk_lp_next(lp, e);
    *mfc = lp_get_int(e);
    e = fk_lp_next(lp, e);
    for (int64_t i = 0; i < *mfc; i++) e = fk_lp_next(lp, e);
    return fk_lp_next(lp, e);
}

/* lpGetEdgeStreamID */
static void lp_get_edge_id(unsigned char *lp, int first, const fk_streamid *master_id,
                           fk_streamid *edge_id) {
    unsigned char *e;
    if (first) {
        int64_t mfc;
        e = lp_skip_master_entry(lp, &mfc);
        if (e == NULL) return;
    } else {
        e = fk_lp_last(lp);
        int64_t lp_count = lp_get_int(e);
        if (lp_count == 0) return;
        while (lp_count--) e = fk_lp_prev(lp, e);
    }
    e = fk_lp_next(lp, e);
    fk_streamid id = *master_id;
    id.ms += (uint64_t)lp_get_int(e);
    e = fk_lp_next(lp, e);
    id.seq += (uint64_t)lp_get_int(e);
    *edge_id = id;
}

int64_t fk_stream_trim(fk_stream *s, const fk_stream_trim_args *args) {
    size_t maxlen = (size_t)args->maxlen;
    const fk_streamid *id = &args->minid;
    int approx = args->approx;
    int64_t limit = args->limit;
    int strategy = args->strategy;
    if (strategy == FK_TRIM_STRATEGY_NONE) return 0;

    fk_rax_iter ri;
    fk_rax_start(&ri, s->rax);
    fk_rax_seek(&ri, "^", NULL, 0);
    int64_t deleted = 0;
    while (fk_rax_next(&ri)) {
        if (strategy == FK_TRIM_STRATEGY_MAXLEN && s->length <= maxlen) break;
        unsigned char *lp = ri.data, *p = fk_lp_first(lp);
        int64_t entries = lp_get_int(p);
        if (limit && (deleted + entries) > limit) break;

        int remove_node;
        fk_streamid master_id = {0, 0};
        if (strategy == FK_TRIM_STRATEGY_MAXLEN) {
            remove_node = s->length - entries >= maxlen;
        } else {
            fk_streamid_decode(ri.key, &master_id);
            fk_streamid last_id = {0, 0};
            lp_get_edge_id(lp, 0, &master_id, &last_id);
            remove_node = fk_streamid_cmp(&last_id, id) < 0;
        }
        if (remove_node) {
            fk_lp_free(lp);
            fk_rax_remove(s->rax, ri.key, ri.key_len, NULL);
            fk_rax_seek(&ri, ">=", ri.key, ri.key_len);
            s->length -= entries;
            deleted += entries;
            continue;
        }
        if (approx) break;

        int64_t deleted_from_lp = 0, mfc;
        p = lp_skip_master_entry(lp, &mfc);
        while (p) {
            unsigned char *pcopy = p;
            int64_t flags = lp_get_int(p);
            p = fk_lp_next(lp, p);
            int64_t to_skip;
            int64_t ms_delta = lp_get_int(p);
            p = fk_lp_next(lp, p);
            int64_t seq_delta = lp_get_int(p);
            p = fk_lp_next(lp, p);
            fk_streamid currid = {0, 0};
            if (strategy == FK_TRIM_STRATEGY_MINID) {
                currid.ms = master_id.ms + (uint64_t)ms_delta;
                currid.seq = master_id.seq + (uint64_t)seq_delta;
            }
            int stop;
            if (strategy == FK_TRIM_STRATEGY_MAXLEN) stop = s->length <= maxlen;
            else stop = fk_streamid_cmp(&currid, id) >= 0;
            if (stop) break;
            if (flags & STREAM_ITEM_FLAG_SAMEFIELDS) {
                to_skip = mfc;
            } else {
                to_skip = lp_get_int(p);
                p = fk_lp_next(lp, p);
                to_skip *= 2;
            }
            while (to_skip--) p = fk_lp_next(lp, p);
            p = fk_lp_next(lp, p);
            if (!(flags & STREAM_ITEM_FLAG_DELETED)) {
                intptr_t delta = p ? p - lp : -1;
                flags |= STREAM_ITEM_FLAG_DELETED;
                lp = lp_replace_int(lp, &pcopy, flags);
                deleted_from_lp++;
                s->length--;
                p = delta >= 0 ? lp + delta : NULL;
            }
        }
        deleted += deleted_from_lp;
        p = fk_lp_first(lp);
        lp = lp_replace_int(lp, &p, entries - deleted_from_lp);
        p = fk_lp_next(lp, p);
        int64_t marked_deleted = lp_get_int(p);
        lp = lp_replace_int(lp, &p, marked_deleted + deleted_from_lp);
        fk_rax_insert(s->rax, ri.key, ri.key_len, lp, NULL);
        break;
    }
    fk_rax_stop(&ri);
    if (s->length == 0) {
        s->first_id.ms = 0;
        s->first_id.seq = 0;
    } else {
        fk_stream_get_edge_id(s, 1, 1, &s->first_id);
    }
    return deleted;
}

/* -- iterator -------------------------------------------------------------- */

static inline int id_cmp(const fk_streamid *a, const fk_streamid *b) {
    if (a->ms != b->ms) return a->ms < b->ms ? -1 : 1;
    if (a->seq != b->seq) return a->seq < b->seq ? -1 : 1;
    return 0;
}

void fk_stream_iter_start(fk_stream_iter *si, fk_stream *s, const fk_streamid *start,
                          const fk_streamid *end, int rev) {
    if (start) {
        fk_streamid_encode((unsigned char *)si->start_key, start);
    } else {
        si->start_key[0] = 0;
        si->start_key[1] = 0;
    }
    if (end) {
        fk_streamid_encode((unsigned char *)si->end_key, end);
    } else {
        si->end_key[0] = UINT64_MAX;
        si->end_key[1] = UINT64_MAX;
    }
    if (start) si->start_id = *start;
    else si->start_id.ms = si->start_id.seq = 0;
    if (end) si->end_id = *end;
    else si->end_id.ms = si->end_id.seq = UINT64_MAX;
    fk_rax_start(&si->ri, s->rax);
    if (!rev) {
        if (start && (start->ms || start->seq)) {
            fk_rax_seek(&si->ri, "<=", (unsigned char *)si->start_key, 16);
            if (fk_rax_eof(&si->ri)) fk_rax_seek(&si->ri, "^", NULL, 0);
        } else {
            fk_rax_seek(&si->ri, "^", NULL, 0);
        }
    } else {
        if (end && (end->ms || end->seq)) {
            fk_rax_seek(&si->ri, "<=", (unsigned char *)si->end_key, 16);
            if (fk_rax_eof(&si->ri)) fk_rax_seek(&si->ri, "$", NULL, 0);
        } else {
            fk_rax_seek(&si->ri, "$", NULL, 0);
        }
    }
    si->stream = s;
    si->lp = NULL;
    si->lp_ele = NULL;
    si->rev = rev;
    si->skip_tombstones = 1;
}

int fk_stream_iter_get_id(fk_stream_iter *si, fk_streamid *id, int64_t *numfields) {
    while (1) {
        if (si->lp == NULL || si->lp_ele == NULL) {
            if (!si->rev && !fk_rax_next(&si->ri)) return 0;
            else if (si->rev && !fk_rax_prev(&si->ri)) return 0;
            fk_streamid_decode(si->ri.key, &si->master_id);
            si->lp = si->ri.data;
            si->lp_ele = fk_lp_first(si->lp);
            si->lp_ele = fk_lp_next(si->lp, si->lp_ele);
            si->lp_ele = fk_lp_next(si->lp, si->lp_ele);
            si->master_fields_count = (uint64_t)lp_get_int(si->lp_ele);
            si->lp_ele = fk_lp_next(si->lp, si->lp_ele);
            si->master_fields_start = si->lp_ele;
            if (!si->rev) {
                for (uint64_t i = 0; i < si->master_fields_count; i++)
                    si->lp_ele = fk_lp_next(si->lp, si->lp_ele);
            } else {
                si->lp_ele = fk_lp_last(si->lp);
            }
        } else if (si->rev) {
            int64_t lp_count = lp_get_int(si->lp_ele);
            while (lp_count--) si->lp_ele = fk_lp_prev(si->lp, si->lp_ele);
            si->lp_ele = fk_lp_prev(si->lp, si->lp_ele);
        }

        while (1) {
            if (!si->rev) {
                si->lp_ele = fk_lp_next(si->lp, si->lp_ele);
                if (si->lp_ele == NULL) break;
            } else {
                int64_t lp_count = lp_get_int(si->lp_ele);
                if (lp_count == 0) {
                    si->lp = NULL;
                    si->lp_ele = NULL;
                    break;
                }
                while (lp_count--) si->lp_ele = fk_lp_prev(si->lp, si->lp_ele);
            }
            si->lp_flags = si->lp_ele;
            int flags = (int)lp_get_int(si->lp_ele);
            si->lp_ele = fk_lp_next(si->lp, si->lp_ele);
            *id = si->master_id;
            id->ms += (uint64_t)lp_get_int(si->lp_ele);
            si->lp_ele = fk_lp_next(si->lp, si->lp_ele);
            id->seq += (uint64_t)lp_get_int(si->lp_ele);
            si->lp_ele = fk_lp_next(si->lp, si->lp_ele);
            if (flags & STREAM_ITEM_FLAG_SAMEFIELDS) {
                *numfields = (int64_t)si->master_fields_count;
            } else {
                *numfields = lp_get_int(si->lp_ele);
                si->lp_ele = fk_lp_next(si->lp, si->lp_ele);
            }
            if (!si->rev) {
                if (id_cmp(id, &si->start_id) >= 0 &&
                    (!si->skip_tombstones || !(flags & STREAM_ITEM_FLAG_DELETED))) {
                    if (id_cmp(id, &si->end_id) > 0) return 0;
                    si->entry_flags = flags;
                    if (flags & STREAM_ITEM_FLAG_SAMEFIELDS) si->master_fields_ptr = si->master_fields_start;
                    return 1;
                }
            } else {
                if (id_cmp(id, &si->end_id) <= 0 &&
                    (!si->skip_tombstones || !(flags & STREAM_ITEM_FLAG_DELETED))) {
                    if (id_cmp(id, &si->start_id) < 0) return 0;
                    si->entry_flags = flags;
                    if (flags & STREAM_ITEM_FLAG_SAMEFIELDS) si->master_fields_ptr = si->master_fields_start;
                    return 1;
                }
            }
            if (!si->rev) {
                int64_t to_discard = (flags & STREAM_ITEM_FLAG_SAMEFIELDS) ? *numfields : *numfields * 2;
                for (int64_t i = 0; i < to_discard; i++) si->lp_ele = fk_lp_next(si->lp, si->lp_ele);
            } else {
                int64_t prev_times = 4;
                if (!(flags & STREAM_ITEM_FLAG_SAMEFIELDS)) prev_times++;
                while (prev_times--) si->lp_ele = fk_lp_prev(si->lp, si->lp_ele);
            }
        }
    }
}

void fk_stream_iter_get_field(fk_stream_iter *si, unsigned char **fieldptr, unsigned char **valueptr,
                              int64_t *fieldlen, int64_t *valuelen) {
    if (si->entry_flags & STREAM_ITEM_FLAG_SAMEFIELDS) {
        *fieldptr = fk_lp_get(si->master_fields_ptr, fieldlen, si->field_buf);
        si->master_fields_ptr = fk_lp_next(si->lp, si->master_fields_ptr);
    } else {
        *fieldptr = fk_lp_get(si->lp_ele, fieldlen, si->field_buf);
        si->lp_ele = fk_lp_next(si->lp, si->lp_ele);
    }
    *valueptr = fk_lp_get(si->lp_ele, valuelen, si->value_buf);
    si->lp_ele = fk_lp_next(si->lp, si->lp_ele);
}

void fk_stream_iter_remove_entry(fk_stream_iter *si, fk_streamid *current) {
    unsigned char *lp = si->lp;
    int64_t aux;
    int64_t flags = lp_get_int(si->lp_flags);
    flags |= STREAM_ITEM_FLAG_DELETED;
    lp = lp_replace_int(lp, &si->lp_flags, flags);
    unsigned char *p = fk_lp_first(lp);
    aux = lp_get_int(p);
    if (aux == 1) {
        fk_lp_free(lp);
        fk_rax_remove(si->stream->rax, si->ri.key, si->ri.key_len, NULL);
    } else {
        lp = lp_replace_int(lp, &p, aux - 1);
        p = fk_lp_next(lp, p);
        aux = lp_get_int(p);
        lp = lp_replace_int(lp, &p, aux + 1);
        if (si->lp != lp) fk_rax_insert(si->stream->rax, si->ri.key, si->ri.key_len, lp, NULL);
    }
    si->stream->length--;
    fk_streamid start, end;
    if (si->rev) {
        fk_streamid_decode((unsigned char *)si->start_key, &start);
        end = *current;
    } else {
        start = *current;
        fk_streamid_decode((unsigned char *)si->end_key, &end);
    }
    fk_stream *s = si->stream;
    int rev = si->rev;
    fk_stream_iter_stop(si);
    fk_stream_iter_start(si, s, &start, &end, rev);
}

void fk_stream_iter_stop(fk_stream_iter *si) { fk_rax_stop(&si->ri); }

int fk_stream_delete_item(fk_stream *s, const fk_streamid *id) {
    int deleted = 0;
    fk_stream_iter si;
    fk_stream_iter_start(&si, s, id, id, 0);
    fk_streamid myid;
    int64_t numfields;
    if (fk_stream_iter_get_id(&si, &myid, &numfields)) {
        fk_stream_iter_remove_entry(&si, &myid);
        deleted = 1;
    }
    fk_stream_iter_stop(&si);
    return deleted;
}

void fk_stream_get_edge_id(fk_stream *s, int first, int skip_tombstones, fk_streamid *edge_id) {
    fk_stream_iter si;
    int64_t numfields;
    fk_stream_iter_start(&si, s, NULL, NULL, !first);
    si.skip_tombstones = skip_tombstones;
    int found = fk_stream_iter_get_id(&si, edge_id, &numfields);
    if (!found) {
        if (first) { edge_id->ms = UINT64_MAX; edge_id->seq = UINT64_MAX; }
        else { edge_id->ms = 0; edge_id->seq = 0; }
    }
    fk_stream_iter_stop(&si);
}

static inline int id_is_zero(const fk_streamid *id) { return id->ms == 0 && id->seq == 0; }

int fk_stream_range_has_tombstones(fk_stream *s, const fk_streamid *start, const fk_streamid *end) {
    fk_streamid start_id, end_id;
    if (!s->length || id_is_zero(&s->max_deleted_entry_id)) return 0;
    /* 7.0.15: the latest tombstone before the first entry doesn't count
     * (it was trimmed away with its node) */
    if (fk_streamid_cmp(&s->first_id, &s->max_deleted_entry_id) > 0) return 0;
    if (start) start_id = *start;
    else { start_id.ms = 0; start_id.seq = 0; }
    if (end) end_id = *end;
    else { end_id.ms = UINT64_MAX; end_id.seq = UINT64_MAX; }
    return fk_streamid_cmp(&start_id, &s->max_deleted_entry_id) <= 0 &&
           fk_streamid_cmp(&s->max_deleted_entry_id, &end_id) <= 0;
}

long long fk_stream_estimate_distance(fk_stream *s, const fk_streamid *id) {
    if (!s->entries_added) return 0;
    if (!s->length && fk_streamid_cmp(id, &s->last_id) < 1) return (long long)s->entries_added;
    int cmp_last = fk_streamid_cmp(id, &s->last_id);
    if (cmp_last == 0) return (long long)s->entries_added;
    if (cmp_last > 0) return FK_SCG_INVALID_ENTRIES_READ;
    int cmp_id_first = fk_streamid_cmp(id, &s->first_id);
    int cmp_xdel_first = fk_streamid_cmp(&s->max_deleted_entry_id, &s->first_id);
    if (id_is_zero(&s->max_deleted_entry_id) || cmp_xdel_first < 0) {
        if (cmp_id_first < 0) return (long long)(s->entries_added - s->length);
        if (cmp_id_first == 0) return (long long)(s->entries_added - s->length + 1);
    }
    return FK_SCG_INVALID_ENTRIES_READ;
}

/* -- consumer groups ------------------------------------------------------- */

fk_stream_cg *fk_stream_create_cg(fk_stream *s, const char *name, size_t len,
                                  const fk_streamid *id, long long entries_read) {
    if (s->cgroups == NULL) s->cgroups = fk_rax_new();
    if (fk_rax_find(s->cgroups, (const unsigned char *)name, len, NULL)) return NULL;
    fk_stream_cg *cg = fk_malloc(sizeof(*cg));
    cg->pel = fk_rax_new();
    cg->consumers = fk_rax_new();
    cg->last_id = *id;
    cg->entries_read = entries_read;
    fk_rax_insert(s->cgroups, (const unsigned char *)name, len, cg, NULL);
    return cg;
}

fk_stream_cg *fk_stream_lookup_cg(fk_stream *s, const char *name, size_t len) {
    void *cg = NULL;
    if (s->cgroups == NULL) return NULL;
    if (!fk_rax_find(s->cgroups, (const unsigned char *)name, len, &cg)) return NULL;
    return cg;
}

int fk_stream_destroy_cg(fk_stream *s, const char *name, size_t len) {
    void *cg = NULL;
    if (s->cgroups == NULL) return 0;
    if (!fk_rax_remove(s->cgroups, (const unsigned char *)name, len, &cg)) return 0;
    free_cg(cg);
    return 1;
}

fk_stream_consumer *fk_stream_lookup_consumer(fk_stream_cg *cg, const char *name, size_t len) {
    void *c = NULL;
    if (!fk_rax_find(cg->consumers, (const unsigned char *)name, len, &c)) return NULL;
    return c;
}

fk_stream_consumer *fk_stream_create_consumer(fk_stream_cg *cg, const char *name, size_t len,
                                              long long now_ms) {
    if (fk_rax_find(cg->consumers, (const unsigned char *)name, len, NULL)) return NULL;
    fk_stream_consumer *c = fk_malloc(sizeof(*c));
    c->name = fk_str_new(name, len);
    c->pel = fk_rax_new();
    c->seen_time = now_ms;
    fk_rax_insert(cg->consumers, (const unsigned char *)name, len, c, NULL);
    return c;
}

uint64_t fk_stream_del_consumer(fk_stream_cg *cg, fk_stream_consumer *consumer) {
    uint64_t pending = fk_rax_size(consumer->pel);
    fk_rax_iter ri;
    fk_rax_start(&ri, consumer->pel);
    fk_rax_seek(&ri, "^", NULL, 0);
    while (fk_rax_next(&ri)) {
        fk_stream_nack *nack = ri.data;
        fk_rax_remove(cg->pel, ri.key, ri.key_len, NULL);
        fk_stream_free_nack(nack);
    }
    fk_rax_stop(&ri);
    fk_rax_remove(cg->consumers, (const unsigned char *)consumer->name->buf, consumer->name->len, NULL);
    free_consumer(consumer);
    return pending;
}

fk_stream_nack *fk_stream_create_nack(fk_stream_consumer *consumer, long long now_ms) {
    fk_stream_nack *na = fk_malloc(sizeof(*na));
    na->delivery_time = now_ms;
    na->delivery_count = 1;
    na->consumer = consumer;
    return na;
}

/* -- dup, memory ----------------------------------------------------------- */

fk_stream *fk_stream_dup(const fk_stream *s) {
    fk_stream *n = fk_stream_new();
    fk_rax_iter ri;
    fk_rax_start(&ri, s->rax);
    fk_rax_seek(&ri, "^", NULL, 0);
    uint64_t nodes = fk_rax_size(s->rax), k = 0;
    while (fk_rax_next(&ri)) {
        unsigned char *lp;
        if (++k == nodes) {
            /* the tail node keeps its preallocation (XADDs append to it), so
             * a COPY uses the memory of its original */
            size_t cap = fk_usable(ri.data);
            lp = fk_malloc(cap);
            memcpy(lp, ri.data, fk_lp_bytes(ri.data));
        } else {
            lp = fk_lp_dup(ri.data);
        }
        fk_rax_insert(n->rax, ri.key, ri.key_len, lp, NULL);
    }
    fk_rax_stop(&ri);
    n->length = s->length;
    n->first_id = s->first_id;
    n->last_id = s->last_id;
    n->max_deleted_entry_id = s->max_deleted_entry_id;
    n->entries_added = s->entries_added;
    if (s->cgroups == NULL) return n;

    fk_rax_iter rg;
    fk_rax_start(&rg, s->cgroups);
    fk_rax_seek(&rg, "^", NULL, 0);
    while (fk_rax_next(&rg)) {
        fk_stream_cg *cg = rg.data;
        fk_stream_cg *ncg = fk_stream_create_cg(n, (const char *)rg.key, rg.key_len, &cg->last_id,
                                                cg->entries_read);
        fk_rax_iter rp;
        fk_rax_start(&rp, cg->pel);
        fk_rax_seek(&rp, "^", NULL, 0);
        while (fk_rax_next(&rp)) {
            fk_stream_nack *na = rp.data;
            fk_stream_nack *nn = fk_stream_create_nack(NULL, na->delivery_time);
            nn->delivery_count = na->delivery_count;
            fk_rax_insert(ncg->pel, rp.key, rp.key_len, nn, NULL);
        }
        fk_rax_stop(&rp);
        fk_rax_iter rc;
        fk_rax_start(&rc, cg->consumers);
        fk_rax_seek(&rc, "^", NULL, 0);
        while (fk_rax_next(&rc)) {
            fk_stream_consumer *c = rc.data;
            fk_stream_consumer *nc = fk_stream_create_consumer(ncg, c->name->buf, c->name->len,
                                                               c->seen_time);
            fk_rax_iter rcp;
            fk_rax_start(&rcp, c->pel);
            fk_rax_seek(&rcp, "^", NULL, 0);
            while (fk_rax_next(&rcp)) {
                void *nn = NULL;
                fk_rax_find(ncg->pel, rcp.key, rcp.key_len, &nn);
                ((fk_stream_nack *)nn)->consumer = nc;
                fk_rax_insert(nc->pel, rcp.key, rcp.key_len, nn, NULL);
            }
            fk_rax_stop(&rcp);
        }
        fk_rax_stop(&rc);
    }
    fk_rax_stop(&rg);
    return n;
}

size_t fk_stream_mem_usage(const fk_stream *s, size_t samples) {
    size_t asize = fk_usable((void *)s) + fk_rax_mem_usage(s->rax);
    uint64_t numele = fk_rax_size(s->rax);
    fk_rax_iter ri;
    fk_rax_start(&ri, s->rax);
    fk_rax_seek(&ri, "^", NULL, 0);
    size_t lpsize = 0, n = 0;
    while ((samples == 0 || n < samples) && fk_rax_next(&ri)) {
        lpsize += fk_usable(ri.data);
        n++;
    }
    if (numele <= n) {
        asize += lpsize;
    } else {
        if (n) lpsize /= n;
        asize += lpsize * (numele - 1);
        fk_rax_seek(&ri, "$", NULL, 0);
        fk_rax_next(&ri);
        asize += fk_usable(ri.data);
    }
    fk_rax_stop(&ri);
    if (s->cgroups) {
        asize += fk_rax_mem_usage(s->cgroups);
        fk_rax_start(&ri, s->cgroups);
        fk_rax_seek(&ri, "^", NULL, 0);
        while (fk_rax_next(&ri)) {
            fk_stream_cg *cg = ri.data;
            asize += fk_usable(cg) + fk_rax_mem_usage(cg->pel) + fk_rax_mem_usage(cg->consumers);
            asize += sizeof(fk_stream_nack) * fk_rax_size(cg->pel);
            fk_rax_iter cri;
            fk_rax_start(&cri, cg->consumers);
            fk_rax_seek(&cri, "^", NULL, 0);
            while (fk_rax_next(&cri)) {
                fk_stream_consumer *c = cri.data;
                asize += fk_usable(c) + fk_usable(c->name) + fk_rax_mem_usage(c->pel);
            }
            fk_rax_stop(&cri);
        }
        fk_rax_stop(&ri);
    }
    return asize;
}

size_t fk_stream_free_effort(const fk_stream *s) {
    size_t effort = fk_rax_size(s->rax);
    if (s->cgroups && fk_rax_size(s->cgroups)) {
        fk_rax_iter ri;
        fk_rax_start(&ri, s->cgroups);
        fk_rax_seek(&ri, "^", NULL, 0);
        if (fk_rax_next(&ri)) {
            fk_stream_cg *cg = ri.data;
            effort += fk_rax_size(s->cgroups) * (1 + fk_rax_size(cg->pel));
        }
        fk_rax_stop(&ri);
    }
    return effort;
}

/* -- the type row ---------------------------------------------------------- */

static void row_free(fk_entry *e) {
    fk_stream_free(e->v.ptr);
    e->v.ptr = NULL;
}
static size_t row_no_inline(const fk_entry *e) { (void)e; return 0; }
static int row_dup(const fk_entry *src, fk_entry *dst) {
    dst->v.ptr = fk_stream_dup(src->v.ptr);
    dst->meta = (dst->meta & ~0xFFu) | FK_OBJ_STREAM | ((uint32_t)FK_ENC_STREAM << 4);
    return 0;
}
static size_t row_mem(const fk_entry *e, size_t samples) { return fk_stream_mem_usage(e->v.ptr, samples); }
static size_t row_effort(const fk_entry *e) { return fk_stream_free_effort(e->v.ptr); }

const fk_objtype fk_row_stream_stream = {
    .type_name = "stream", .enc_name = "stream", .free = row_free, .inline_size = row_no_inline,
    .dup = row_dup, .mem_usage = row_mem, .free_effort = row_effort,
};
