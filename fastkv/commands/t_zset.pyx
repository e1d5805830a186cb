# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Sorted-set commands (Redis 7.0's t_zset.c).

The data structures are C (csrc/fk_zset.h: a listpack of member/score
pairs while small, then a skiplist with spans plus a member table); the
handlers here parse arguments, walk the value with the C iterator and write
replies straight into the client's buffer, with no Python object per
element on the paths that matter (ZADD, ZINCRBY, ZREM, ZSCORE, ZRANGE*,
ZPOP*, BZPOP*).  ZUNION/ZINTER/ZDIFF, ZRANDMEMBER's unique picks and ZSCAN
use Python dicts and lists: they are O(N) anyway.

Every behaviour follows Redis 7.0 function by function (the comments name
them): option parsing and its error texts, the order of keyspace events
("zadd", "zrem", ... then "del" when a set empties), how STORE results are
encoded (zsetConvertToListpackIfNeeded), and the reply shapes of RESP2 and
RESP3 (nested [member, score] pairs in RESP3).
"""
from libc.stdlib cimport malloc, free
from libc.string cimport memcpy, memset
from libc.math cimport isnan
from libc.stdint cimport int64_t
from fastkv._core.cdefs cimport *
from fastkv._core.cdefs_zset cimport *
from fastkv._core.client cimport Client, wrap, BLOCKED_ZSET
from fastkv._core.keyspace cimport (Database, entry_type, entry_encoding, notify_event,
    signal_modified_key, LOOKUP_NONE, LOOKUP_WRITE, NOTIFY_GENERIC, NOTIFY_ZSET, NOTIFY_NEW)
from fastkv._core.shared cimport attach
from fastkv.commands.common cimport (arg_eq, arg_ll, lookup_typed, mark_dirty, key_written,
    WRONGTYPE_ENTRY, ScanOpts, scan_options, scan_match, scan_max_iterations, reply_scan_cursor,
    rand_count_args, rand_count, notify_key_removed, delete_emptied_key)
from fastkv.commands.t_set cimport set_items

attach()

cdef extern from *:
    long long LLONG_MAX

cdef extern from "fk_listpack.h" nogil:
    unsigned char *fk_lp_first(unsigned char *lp)
    unsigned char *fk_lp_next(unsigned char *lp, unsigned char *p)
    unsigned char *fk_lp_get(unsigned char *p, int64_t *len, unsigned char *buf)

cdef enum:
    ZRANGE_RANK = 0
    ZRANGE_SCORE = 1
    ZRANGE_LEX = 2
    DIR_AUTO = 0
    DIR_FORWARD = 1
    DIR_REVERSE = 2
    ZSET_MIN = 0
    ZSET_MAX = 1
    AGGR_SUM = 0
    AGGR_MIN = 1
    AGGR_MAX = 2
    SET_OP_UNION = 0
    SET_OP_INTER = 1
    SET_OP_DIFF = 2


# -- helpers -----------------------------------------------------------------

cdef int get_double_or_reply(Client c, int i, double *d, str msg=None) except -1:
    """getDoubleFromObjectOrReply: 0 ok, 1 after replying the error."""
    if fk_string2d(c.argv[i].p, c.argv[i].n, d):
        return 0
    c.add_error_str("ERR " + msg if msg is not None else "ERR value is not a valid float")
    return 1


cdef int get_long_or_reply(Client c, int i, long long *v) except -1:
    if arg_ll(c, i, v):
        return 0
    c.add_not_integer()
    return 1


cdef inline int emit(Client c, const char *p, size_t n, double score, bint withscores) except -1:
    """One element of a range reply: [member, score] in RESP3 with scores."""
    if withscores and c.resp > 2:
        c.add_array_len(2)
    c.add_bulk(p, n)
    if withscores:
        c.add_double(score)
    return 0


cdef inline int array_header(Client c, long long n, bint withscores) except -1:
    return c.add_array_len(n * 2 if withscores and c.resp == 2 else n)


cdef void free_tmp(fk_entry *tmp) noexcept:
    fk_zset_value_free(tmp.v.ptr, (tmp.meta >> 4) & 0xF)
    tmp.v.ptr = NULL


cdef void init_tmp(fk_entry *tmp, size_t size_hint, size_t val_len_hint) noexcept:
    """A stand-alone value (not in the keyspace yet): zsetTypeCreate."""
    cdef int enc = 0
    memset(tmp, 0, sizeof(fk_entry))
    tmp.v.ptr = fk_zset_create(size_hint, val_len_hint, &enc)
    tmp.meta = OBJ_ZSET | (enc << 4)


cdef int store_tmp(Client c, int di, fk_entry *tmp, const char *event) except -1:
    """setKey of a *STORE result (or delete the destination when empty),
    with Redis's events: "new" if the key was absent, then `event`; or
    "del" when an existing destination is deleted.  Replies the length.
    Takes ownership of tmp's value."""
    cdef const char *k = c.argv[di].p
    cdef Py_ssize_t kn = c.argv[di].n
    cdef unsigned long length = fk_zset_length(tmp)
    if length:
        c.db.lookup(k, kn, LOOKUP_WRITE)        # setKey's lookupKeyWrite (expires a stale key)
        signal_modified_key(c.db, k, kn)
        c.db.set_value(k, kn, OBJ_ZSET, (tmp.meta >> 4) & 0xF, tmp.v.ptr)   # "new" if absent
        tmp.v.ptr = NULL
        c.add_int(length)
        notify_event(c.db, NOTIFY_ZSET, event, k, kn)
        mark_dirty(c, 1)
    else:
        free_tmp(tmp)
        c.add_int(0)
        if c.db.delete(k, kn):          # dbDelete: even a logically expired key
            signal_modified_key(c.db, k, kn)
            notify_key_removed(c, k, kn)
            mark_dirty(c, 1)
    return 0


cdef list zset_items(fk_entry *e):
    """All members in score order, as bytes (for SORT)."""
    cdef fk_zset_iter it
    cdef const char *p
    cdef size_t n
    cdef list out = []
    if fk_zset_length(e) == 0:
        return out
    fk_zset_iter_rank(&it, e, 0)
    while fk_zset_iter_valid(&it):
        fk_zset_iter_get(&it, &p, &n, NULL)
        out.append(p[:n])
        fk_zset_iter_next(&it)
    return out


cdef list zset_pairs(fk_entry *e):
    """[(member, score)] in order."""
    cdef fk_zset_iter it
    cdef const char *p
    cdef size_t n
    cdef double s
    cdef list out = []
    if fk_zset_length(e) == 0:
        return out
    fk_zset_iter_rank(&it, e, 0)
    while fk_zset_iter_valid(&it):
        fk_zset_iter_get(&it, &p, &n, &s)
        out.append((p[:n], s))
        fk_zset_iter_next(&it)
    return out


# -- ZADD ZINCRBY --------------------------------------------------------------

cdef int zadd_generic(Client c, int flags) except -1:
    """zaddGenericCommand"""
    cdef int scoreidx = 2
    cdef bint ch = False
    cdef long elements, j
    cdef double stackscores[16]
    cdef double *scores = stackscores
    cdef double score = 0, newscore = 0
    cdef fk_entry *e
    cdef long long added = 0, updated = 0, processed = 0
    cdef int retflags, enc
    cdef void *ptr
    cdef bint incr, nx, xx, gt, lt
    while scoreidx < c.argc:
        if arg_eq(c, scoreidx, b"nx", 2): flags |= ZADD_IN_NX
        elif arg_eq(c, scoreidx, b"xx", 2): flags |= ZADD_IN_XX
        elif arg_eq(c, scoreidx, b"ch", 2): ch = True
        elif arg_eq(c, scoreidx, b"incr", 4): flags |= ZADD_IN_INCR
        elif arg_eq(c, scoreidx, b"gt", 2): flags |= ZADD_IN_GT
        elif arg_eq(c, scoreidx, b"lt", 2): flags |= ZADD_IN_LT
        else: break
        scoreidx += 1
    incr = (flags & ZADD_IN_INCR) != 0
    nx = (flags & ZADD_IN_NX) != 0
    xx = (flags & ZADD_IN_XX) != 0
    gt = (flags & ZADD_IN_GT) != 0
    lt = (flags & ZADD_IN_LT) != 0
    elements = c.argc - scoreidx
    if elements % 2 or not elements:
        return c.add_syntax_error()
    elements //= 2
    if nx and xx:
        return c.add_error_str("ERR XX and NX options at the same time are not compatible")
    if (gt and nx) or (lt and nx) or (gt and lt):
        return c.add_error_str("ERR GT, LT, and/or NX options at the same time are not compatible")
    if incr and elements > 1:
        return c.add_error_str("ERR INCR option supports a single increment-element pair")
    if elements > 16:
        scores = <double *>malloc(elements * sizeof(double))
    try:
        for j in range(elements):
            if not fk_string2d(c.argv[scoreidx + j * 2].p, c.argv[scoreidx + j * 2].n, &scores[j]):
                return c.add_error_str("ERR value is not a valid float")
        e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_ZSET)
        if e == WRONGTYPE_ENTRY:
            return 0
        if e == NULL:
            if not xx:
                if fk_sh.zset_max_listpack_entries == 0 or \
                        fk_sh.zset_max_listpack_value < <size_t>c.argv[scoreidx + 1].n:
                    ptr = fk_zset_new()
                    enc = ENC_SKIPLIST
                else:
                    ptr = fk_zset_new_listpack()
                    enc = ENC_LISTPACK
                e = c.db.add_value(c.argv[1].p, c.argv[1].n, OBJ_ZSET, enc, ptr)   # fires "new"
        if e != NULL:
            for j in range(elements):
                retflags = 0
                if not fk_zset_add(e, scores[j], c.argv[scoreidx + 1 + j * 2].p,
                                   c.argv[scoreidx + 1 + j * 2].n, flags, &retflags, &newscore):
                    c.add_error_str("ERR resulting score is not a number (NaN)")
                    if added or updated:
                        key_written(c, 1, NOTIFY_ZSET, b"zincr" if incr else b"zadd")
                    return 0
                if retflags & ZADD_OUT_ADDED: added += 1
                if retflags & ZADD_OUT_UPDATED: updated += 1
                if not (retflags & ZADD_OUT_NOP): processed += 1
                score = newscore
            mark_dirty(c, added + updated)
        if incr:
            if processed:
                c.add_double(score)
            else:
                c.add_null()
        else:
            c.add_int(added + updated if ch else added)
        if added or updated:
            key_written(c, 1, NOTIFY_ZSET, b"zincr" if incr else b"zadd")
    finally:
        if scores != stackscores:
            free(scores)
    return 0


cdef int zadd_impl(Client c) except -1:
    return zadd_generic(c, 0)


cdef int zincrby_impl(Client c) except -1:
    return zadd_generic(c, ZADD_IN_INCR)


# -- ZREM ZCARD ZSCORE ZMSCORE ZRANK ---------------------------------------------

cdef int zrem_impl(Client c) except -1:
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_ZSET)
    cdef long long deleted = 0
    cdef bint keyremoved = False
    cdef int j
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_int(0)
    for j in range(2, c.argc):
        if fk_zset_del(e, c.argv[j].p, c.argv[j].n):
            deleted += 1
        if fk_zset_length(e) == 0:
            c.db.delete(c.argv[1].p, c.argv[1].n)
            keyremoved = True
            break
    if deleted:
        notify_event(c.db, NOTIFY_ZSET, b"zrem", c.argv[1].p, c.argv[1].n)
        if keyremoved:
            notify_key_removed(c, c.argv[1].p, c.argv[1].n)
        signal_modified_key(c.db, c.argv[1].p, c.argv[1].n)
        mark_dirty(c, deleted)
    return c.add_int(deleted)


cdef int zcard_impl(Client c) except -1:
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_ZSET)
    if e == WRONGTYPE_ENTRY:
        return 0
    return c.add_int(0 if e == NULL else fk_zset_length(e))


cdef int zscore_impl(Client c) except -1:
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_ZSET)
    cdef double s
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL or not fk_zset_score(e, c.argv[2].p, c.argv[2].n, &s):
        return c.add_null()
    return c.add_double(s)


cdef int zmscore_impl(Client c) except -1:
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_ZSET)
    cdef double s
    cdef int j
    if e == WRONGTYPE_ENTRY:
        return 0
    c.add_array_len(c.argc - 2)
    for j in range(2, c.argc):
        if e == NULL or not fk_zset_score(e, c.argv[j].p, c.argv[j].n, &s):
            c.add_null()
        else:
            c.add_double(s)
    return 0


cdef int zrank_generic(Client c, bint reverse) except -1:
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_ZSET)
    cdef long r
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_null()
    r = fk_zset_rank(e, c.argv[2].p, c.argv[2].n, reverse, NULL)
    if r < 0:
        return c.add_null()
    return c.add_int(r)


cdef int zrank_impl(Client c) except -1:
    return zrank_generic(c, False)


cdef int zrevrank_impl(Client c) except -1:
    return zrank_generic(c, True)


# -- ZCOUNT ZLEXCOUNT -------------------------------------------------------------

cdef int zcount_impl(Client c) except -1:
    cdef fk_zrangespec r
    cdef fk_entry *e
    cdef fk_zset_iter it
    cdef fk_zset *zs
    cdef fk_zsl_node *a
    cdef fk_zsl_node *b
    cdef long long count = 0
    cdef const char *p
    cdef size_t n
    cdef double s
    if fk_zset_parse_range(c.argv[2].p, c.argv[2].n, c.argv[3].p, c.argv[3].n, &r):
        return c.add_error_str("ERR min or max is not a float")
    e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_ZSET)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_int(0)
    if entry_encoding(e) == ENC_SKIPLIST:
        zs = <fk_zset *>e.v.ptr
        a = fk_zsl_first_in_range(zs, &r)
        if a != NULL:
            b = fk_zsl_last_in_range(zs, &r)
            count = fk_zsl_get_rank(zs, b) - fk_zsl_get_rank(zs, a) + 1
        return c.add_int(count)
    fk_zset_iter_score(&it, e, &r, 0)
    while fk_zset_iter_valid(&it):
        fk_zset_iter_get(&it, &p, &n, &s)
        if not fk_zset_value_lte_max(s, &r):
            break
        count += 1
        fk_zset_iter_next(&it)
    return c.add_int(count)


cdef int zlexcount_impl(Client c) except -1:
    cdef fk_zlexrangespec r
    cdef fk_entry *e
    cdef fk_zset_iter it
    cdef fk_zset *zs
    cdef fk_zsl_node *a
    cdef fk_zsl_node *b
    cdef long long count = 0
    cdef const char *p
    cdef size_t n
    if fk_zset_parse_lex_range(c.argv[2].p, c.argv[2].n, c.argv[3].p, c.argv[3].n, &r):
        return c.add_error_str("ERR min or max not valid string range item")
    e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_ZSET)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_int(0)
    if entry_encoding(e) == ENC_SKIPLIST:
        zs = <fk_zset *>e.v.ptr
        a = fk_zsl_first_in_lex_range(zs, &r)
        if a != NULL:
            b = fk_zsl_last_in_lex_range(zs, &r)
            count = fk_zsl_get_rank(zs, b) - fk_zsl_get_rank(zs, a) + 1
        return c.add_int(count)
    fk_zset_iter_lex(&it, e, &r, 0)
    while fk_zset_iter_valid(&it):
        fk_zset_iter_get(&it, &p, &n, NULL)
        if not fk_zset_lex_lte_max(p, n, &r):
            break
        count += 1
        fk_zset_iter_next(&it)
    return c.add_int(count)


# -- ZRANGE and friends ------------------------------------------------------------

cdef struct RangeArgs:
    int rangetype
    bint reverse
    bint withscores
    long long offset
    long long limit
    long long start          # rank ranges, sanitized
    long long rangelen
    fk_zrangespec sr
    fk_zlexrangespec lr


cdef long long range_walk(fk_entry *e, RangeArgs *a, int mode, Client c, fk_entry *dst) except -1:
    """Walk the range: mode 0 counts, 1 replies each element, 2 adds each
    to dst (ZRANGESTORE).  genericZrangeby{rank,score,lex}Command."""
    cdef fk_zset_iter it
    cdef const char *p
    cdef size_t n
    cdef double s
    cdef long long count = 0
    cdef long long offset, limit, k
    cdef unsigned long llen = fk_zset_length(e)
    cdef int retflags
    cdef double newscore
    cdef bint valid
    if a.rangetype == ZRANGE_RANK:
        if a.reverse:
            fk_zset_iter_rank(&it, e, llen - 1 - a.start)
        else:
            fk_zset_iter_rank(&it, e, a.start)
        for k in range(a.rangelen):
            if mode:
                fk_zset_iter_get(&it, &p, &n, &s)
                if mode == 1:
                    emit(c, p, n, s, a.withscores)
                else:
                    fk_zset_add(dst, s, p, n, ZADD_IN_NX, &retflags, &newscore)
            count += 1
            if a.reverse:
                fk_zset_iter_prev(&it)
            else:
                fk_zset_iter_next(&it)
        return count
    if a.rangetype == ZRANGE_SCORE:
        valid = fk_zset_iter_score(&it, e, &a.sr, a.reverse)
    else:
        valid = fk_zset_iter_lex(&it, e, &a.lr, a.reverse)
    offset = a.offset
    limit = a.limit
    while valid and offset != 0:
        offset -= 1
        if a.reverse:
            fk_zset_iter_prev(&it)
        else:
            fk_zset_iter_next(&it)
        valid = fk_zset_iter_valid(&it)
    while valid and limit != 0:
        limit -= 1
        fk_zset_iter_get(&it, &p, &n, &s)
        if a.rangetype == ZRANGE_SCORE:
            if a.reverse:
                if not fk_zset_value_gte_min(s, &a.sr): break
            elif not fk_zset_value_lte_max(s, &a.sr): break
        else:
            if a.reverse:
                if not fk_zset_lex_gte_min(p, n, &a.lr): break
            elif not fk_zset_lex_lte_max(p, n, &a.lr): break
        if mode == 1:
            emit(c, p, n, s, a.withscores)
        elif mode == 2:
            fk_zset_add(dst, s, p, n, ZADD_IN_NX, &retflags, &newscore)
        count += 1
        if a.reverse:
            fk_zset_iter_prev(&it)
        else:
            fk_zset_iter_next(&it)
        valid = fk_zset_iter_valid(&it)
    return count


cdef int zrange_generic(Client c, int argc_start, bint store, int rangetype, int direction) except -1:
    """zrangeGenericCommand"""
    cdef RangeArgs a
    cdef int minidx = argc_start + 1, maxidx = argc_start + 2, tmpi
    cdef int j, leftargs
    cdef long long opt_start = 0, opt_end = 0, llen
    cdef bint withscores = False
    cdef long long offset = 0, limit = -1
    cdef fk_entry *e
    cdef fk_entry tmp
    cdef long long count
    j = argc_start + 3
    while j < c.argc:
        leftargs = c.argc - j - 1
        if not store and arg_eq(c, j, b"withscores", 10):
            withscores = True
        elif arg_eq(c, j, b"limit", 5) and leftargs >= 2:
            if get_long_or_reply(c, j + 1, &offset) or get_long_or_reply(c, j + 2, &limit):
                return 0
            j += 2
        elif direction == DIR_AUTO and arg_eq(c, j, b"rev", 3):
            direction = DIR_REVERSE
        elif rangetype == -1 and arg_eq(c, j, b"bylex", 5):
            rangetype = ZRANGE_LEX
        elif rangetype == -1 and arg_eq(c, j, b"byscore", 7):
            rangetype = ZRANGE_SCORE
        else:
            return c.add_syntax_error()
        j += 1
    if direction == DIR_AUTO:
        direction = DIR_FORWARD
    if rangetype == -1:
        rangetype = ZRANGE_RANK
    if limit != -1 and rangetype == ZRANGE_RANK:
        return c.add_error_str("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
    if withscores and rangetype == ZRANGE_LEX:
        return c.add_error_str("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
    if direction == DIR_REVERSE and rangetype != ZRANGE_RANK:
        tmpi = maxidx
        maxidx = minidx
        minidx = tmpi
    if rangetype == ZRANGE_RANK:
        if get_long_or_reply(c, minidx, &opt_start) or get_long_or_reply(c, maxidx, &opt_end):
            return 0
    elif rangetype == ZRANGE_SCORE:
        if fk_zset_parse_range(c.argv[minidx].p, c.argv[minidx].n, c.argv[maxidx].p,
                               c.argv[maxidx].n, &a.sr):
            return c.add_error_str("ERR min or max is not a float")
    else:
        if fk_zset_parse_lex_range(c.argv[minidx].p, c.argv[minidx].n, c.argv[maxidx].p,
                                   c.argv[maxidx].n, &a.lr):
            return c.add_error_str("ERR min or max not valid string range item")
    a.rangetype = rangetype
    a.reverse = direction == DIR_REVERSE
    a.withscores = withscores
    a.offset = offset
    a.limit = limit
    a.start = 0
    a.rangelen = 0
    e = c.db.lookup(c.argv[argc_start].p, c.argv[argc_start].n, LOOKUP_NONE)
    if e == NULL:
        if store:
            init_tmp(&tmp, 0, 0)
            return store_tmp(c, 1, &tmp, b"zrangestore")
        return c.add_array_len(0)
    if entry_type(e) != OBJ_ZSET:
        return c.add_wrongtype()
    llen = fk_zset_length(e)
    if rangetype == ZRANGE_RANK:
        if opt_start < 0: opt_start = llen + opt_start
        if opt_end < 0: opt_end = llen + opt_end
        if opt_start < 0: opt_start = 0
        if opt_start > opt_end or opt_start >= llen:
            a.rangelen = 0
        else:
            if opt_end >= llen: opt_end = llen - 1
            a.start = opt_start
            a.rangelen = opt_end - opt_start + 1
        count = a.rangelen
    elif offset > 0 and offset >= llen:
        count = 0
        a.rangelen = 0
        a.rangetype = ZRANGE_RANK    # "invalid offset": an empty range
    else:
        count = -1
    if store:
        init_tmp(&tmp, count if count >= 0 else 0, 0)
        try:
            range_walk(e, &a, 2, c, &tmp)
        except BaseException:
            free_tmp(&tmp)
            raise
        return store_tmp(c, 1, &tmp, b"zrangestore")
    if count < 0:
        count = range_walk(e, &a, 0, c, NULL)
    array_header(c, count, withscores)
    if count:
        range_walk(e, &a, 1, c, NULL)
    return 0


cdef int zrange_impl(Client c) except -1:
    return zrange_generic(c, 1, False, -1, DIR_AUTO)

cdef int zrangestore_impl(Client c) except -1:
    return zrange_generic(c, 2, True, -1, DIR_AUTO)

cdef int zrevrange_impl(Client c) except -1:
    return zrange_generic(c, 1, False, ZRANGE_RANK, DIR_REVERSE)

cdef int zrangebyscore_impl(Client c) except -1:
    return zrange_generic(c, 1, False, ZRANGE_SCORE, DIR_FORWARD)

cdef int zrevrangebyscore_impl(Client c) except -1:
    return zrange_generic(c, 1, False, ZRANGE_SCORE, DIR_REVERSE)

cdef int zrangebylex_impl(Client c) except -1:
    return zrange_generic(c, 1, False, ZRANGE_LEX, DIR_FORWARD)

cdef int zrevrangebylex_impl(Client c) except -1:
    return zrange_generic(c, 1, False, ZRANGE_LEX, DIR_REVERSE)


# -- ZREMRANGEBY* ----------------------------------------------------------------------

cdef int zremrange_generic(Client c, int rangetype) except -1:
    """zremrangeGenericCommand"""
    cdef long long start = 0, end = 0, llen
    cdef fk_zrangespec sr
    cdef fk_zlexrangespec lr
    cdef fk_entry *e
    cdef unsigned long deleted = 0
    cdef bint keyremoved = False
    cdef const char *event
    if rangetype == ZRANGE_RANK:
        event = b"zremrangebyrank"
        if get_long_or_reply(c, 2, &start) or get_long_or_reply(c, 3, &end):
            return 0
    elif rangetype == ZRANGE_SCORE:
        event = b"zremrangebyscore"
        if fk_zset_parse_range(c.argv[2].p, c.argv[2].n, c.argv[3].p, c.argv[3].n, &sr):
            return c.add_error_str("ERR min or max is not a float")
    else:
        event = b"zremrangebylex"
        if fk_zset_parse_lex_range(c.argv[2].p, c.argv[2].n, c.argv[3].p, c.argv[3].n, &lr):
            return c.add_error_str("ERR min or max not valid string range item")
    e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_ZSET)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_int(0)
    if rangetype == ZRANGE_RANK:
        llen = fk_zset_length(e)
        if start < 0: start = llen + start
        if end < 0: end = llen + end
        if start < 0: start = 0
        if start > end or start >= llen:
            return c.add_int(0)
        if end >= llen: end = llen - 1
        deleted = fk_zset_delete_rank(e, start, end)
    elif rangetype == ZRANGE_SCORE:
        deleted = fk_zset_delete_score(e, &sr)
    else:
        deleted = fk_zset_delete_lex(e, &lr)
    if fk_zset_length(e) == 0:
        c.db.delete(c.argv[1].p, c.argv[1].n)
        keyremoved = True
    if deleted:
        signal_modified_key(c.db, c.argv[1].p, c.argv[1].n)
        notify_event(c.db, NOTIFY_ZSET, event, c.argv[1].p, c.argv[1].n)
        if keyremoved:
            notify_key_removed(c, c.argv[1].p, c.argv[1].n)
    mark_dirty(c, deleted)
    return c.add_int(deleted)


cdef int zremrangebyrank_impl(Client c) except -1:
    return zremrange_generic(c, ZRANGE_RANK)

cdef int zremrangebyscore_impl(Client c) except -1:
    return zremrange_generic(c, ZRANGE_SCORE)

cdef int zremrangebylex_impl(Client c) except -1:
    return zremrange_generic(c, ZRANGE_LEX)


# -- ZPOPMIN ZPOPMAX ZMPOP and the blocking forms -------------------------------------

cdef int generic_zpop(Client c, int first, int nkeys, int where, bint emitkey, long long count,
                      bint nested, bint nil_when_empty) except -1:
    """genericZpopCommand over argv[first:first+nkeys]."""
    cdef fk_entry *e = NULL
    cdef int ki = first, j
    cdef long long llen, rangelen, result_count = 0
    cdef unsigned long rank
    cdef fk_zset_iter it
    cdef const char *p
    cdef size_t n
    cdef double score
    cdef char sbuf[256]
    cdef char *buf
    cdef fk_zsl_node *x
    for j in range(first, first + nkeys):
        e = lookup_typed(c, j, LOOKUP_WRITE, OBJ_ZSET)
        if e == WRONGTYPE_ENTRY:
            return 0
        if e != NULL:
            ki = j
            break
    if e == NULL:
        if nil_when_empty:
            return c.add_null_array()
        return c.add_array_len(0)
    if count == 0:
        return c.add_array_len(0)
    if count == -1:
        count = 1
    llen = fk_zset_length(e)
    rangelen = count if count < llen else llen
    if not nested and not emitkey:
        c.add_array_len(rangelen * 2)
    elif nested and not emitkey:
        c.add_array_len(rangelen)
    elif not nested and emitkey:
        c.add_array_len(rangelen * 2 + 1)
        c.add_bulk(c.argv[ki].p, c.argv[ki].n)
    else:
        c.add_array_len(2)
        c.add_bulk(c.argv[ki].p, c.argv[ki].n)
        c.add_array_len(rangelen)
    while rangelen > 0:
        rangelen -= 1
        if entry_encoding(e) == ENC_SKIPLIST:
            # detach the end node and reply from it: no copy, no search for MIN
            x = fk_zset_detach_end(<fk_zset *>e.v.ptr, where == ZSET_MAX)
            mark_dirty(c, 1)
            try:
                if result_count == 0:
                    notify_event(c.db, NOTIFY_ZSET, b"zpopmin" if where == ZSET_MIN else b"zpopmax",
                                 c.argv[ki].p, c.argv[ki].n)
                if nested:
                    c.add_array_len(2)
                c.add_bulk(fk_zsl_member(x), x.mlen)
                c.add_double(x.score)
            finally:
                fk_free(x)
            result_count += 1
            continue
        rank = 0 if where == ZSET_MIN else fk_zset_length(e) - 1
        fk_zset_iter_rank(&it, e, rank)
        fk_zset_iter_get(&it, &p, &n, &score)
        if n <= sizeof(sbuf):
            buf = sbuf
        else:
            buf = <char *>malloc(n)
        memcpy(buf, p, n)
        fk_zset_delete_rank(e, rank, rank)
        mark_dirty(c, 1)
        if result_count == 0:
            notify_event(c.db, NOTIFY_ZSET, b"zpopmin" if where == ZSET_MIN else b"zpopmax",
                         c.argv[ki].p, c.argv[ki].n)
        if nested:
            c.add_array_len(2)
        try:
            c.add_bulk(buf, n)
        finally:
            if buf != sbuf:
                free(buf)
        c.add_double(score)
        result_count += 1
    if entry_encoding(e) == ENC_SKIPLIST:
        fk_zset_shrink(<fk_zset *>e.v.ptr)
    if fk_zset_length(e) == 0:
        delete_emptied_key(c, ki)
    signal_modified_key(c.db, c.argv[ki].p, c.argv[ki].n)
    return 0


cdef int zpop_minmax(Client c, int where) except -1:
    cdef long long count = -1
    if c.argc > 3:
        return c.add_syntax_error()
    if c.argc == 3:
        if not arg_ll(c, 2, &count) or count < 0:
            return c.add_error_str("ERR value is out of range, must be positive")
    return generic_zpop(c, 1, 1, where, False, count, c.resp > 2 and count != -1, False)


cdef int zpopmin_impl(Client c) except -1:
    return zpop_minmax(c, ZSET_MIN)

cdef int zpopmax_impl(Client c) except -1:
    return zpop_minmax(c, ZSET_MAX)


cdef int blocking_zpop(Client c, int first, int nkeys, int where, int timeout_idx, long long count,
                       bint nested, bint nil_when_empty) except -1:
    """blockingGenericZpopCommand"""
    cdef long long deadline
    cdef fk_entry *e
    cdef int j
    if c.parse_timeout(timeout_idx, &deadline):
        return 0
    for j in range(first, first + nkeys):
        e = lookup_typed(c, j, LOOKUP_WRITE, OBJ_ZSET)
        if e == WRONGTYPE_ENTRY:
            return 0
        if e == NULL or fk_zset_length(e) == 0:
            continue
        return generic_zpop(c, j, 1, where, True, count, nested, nil_when_empty)
    if c.deny_blocking():
        return c.add_null_array()
    return c.block_for_keys(first, nkeys, deadline, BLOCKED_ZSET)


cdef int bzpopmin_impl(Client c) except -1:
    return blocking_zpop(c, 1, c.argc - 2, ZSET_MIN, c.argc - 1, -1, False, False)

cdef int bzpopmax_impl(Client c) except -1:
    return blocking_zpop(c, 1, c.argc - 2, ZSET_MAX, c.argc - 1, -1, False, False)


cdef int zmpop_generic(Client c, int numkeys_idx, bint is_block) except -1:
    """zmpopGenericCommand"""
    cdef long long numkeys, count = -1, where_idx
    cdef int where, j
    if not arg_ll(c, numkeys_idx, &numkeys) or numkeys < 1:
        return c.add_error_str("ERR numkeys should be greater than 0")
    if numkeys >= c.argc:
        return c.add_syntax_error()
    where_idx = numkeys_idx + numkeys + 1
    if where_idx >= c.argc:
        return c.add_syntax_error()
    if arg_eq(c, where_idx, b"min", 3):
        where = ZSET_MIN
    elif arg_eq(c, where_idx, b"max", 3):
        where = ZSET_MAX
    else:
        return c.add_syntax_error()
    j = where_idx + 1
    while j < c.argc:
        if count == -1 and arg_eq(c, j, b"count", 5) and (c.argc - 1 - j) > 0:
            j += 1
            if not arg_ll(c, j, &count) or count < 1:
                return c.add_error_str("ERR count should be greater than 0")
        else:
            return c.add_syntax_error()
        j += 1
    if count == -1:
        count = 1
    if is_block:
        return blocking_zpop(c, numkeys_idx + 1, numkeys, where, 1, count, True, True)
    return generic_zpop(c, numkeys_idx + 1, numkeys, where, True, count, True, True)


cdef int zmpop_impl(Client c) except -1:
    return zmpop_generic(c, 1, False)

cdef int bzmpop_impl(Client c) except -1:
    return zmpop_generic(c, 2, True)


# -- ZRANDMEMBER ---------------------------------------------------------------------------

cdef int reply_rank(Client c, fk_entry *e, unsigned long rank, bint withscores) except -1:
    cdef fk_zset_iter it
    cdef const char *p
    cdef size_t n
    cdef double s
    fk_zset_iter_rank(&it, e, rank)
    fk_zset_iter_get(&it, &p, &n, &s)
    return emit(c, p, n, s, withscores)


cdef int zrandmember_with_count(Client c, long long l, bint withscores) except -1:
    """zrandmemberWithCountCommand"""
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_ZSET)
    cdef unsigned long long count, size, k
    cdef bint uniq = True
    cdef fk_zset_iter it
    cdef const char *p
    cdef size_t n
    cdef double s
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_array_len(0)
    size = fk_zset_length(e)
    count = rand_count(l, &uniq)
    if count == 0:
        return c.add_array_len(0)
    # CASE 1: negative count (or 1): N independent picks, repetitions allowed
    if not uniq or count == 1:
        array_header(c, count, withscores)
        for k in range(count):
            reply_rank(c, e, fk_zset_rand() % size, withscores)
        return 0
    # CASE 2: the whole set
    if count >= size:
        # (Redis 7.0 walks it from the highest score down)
        array_header(c, size, withscores)
        fk_zset_iter_rank(&it, e, size - 1)
        while fk_zset_iter_valid(&it):
            fk_zset_iter_get(&it, &p, &n, &s)
            emit(c, p, n, s, withscores)
            fk_zset_iter_prev(&it)
        return 0
    # CASE 3/4: `count` distinct members, in random order
    import random
    ranks = random.sample(range(size), count)
    array_header(c, count, withscores)
    if entry_encoding(e) == ENC_LISTPACK:
        # one pass over the listpack instead of a seek per pick
        pairs = zset_pairs(e)
        for r in ranks:
            m, sc = pairs[r]
            emit(c, m, len(m), sc, withscores)
    else:
        for r in ranks:
            reply_rank(c, e, r, withscores)
    return 0


cdef int zrandmember_impl(Client c) except -1:
    cdef long long l
    cdef bint withscores = False
    cdef fk_entry *e
    if c.argc >= 3:
        if rand_count_args(c, b"withscores", 10, &l, &withscores):
            return 0
        return zrandmember_with_count(c, l, withscores)
    e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_ZSET)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_null()
    return reply_rank(c, e, fk_zset_rand() % fk_zset_length(e), False)


# -- ZUNION ZINTER ZDIFF (+STORE) ZINTERCARD -----------------------------------------------

cdef inline double aggregate(double target, double val, int aggr) noexcept:
    """zunionInterAggregate"""
    if aggr == AGGR_SUM:
        target = target + val
        if isnan(target):
            target = 0.0
    elif aggr == AGGR_MIN:
        target = val if val < target else target
    else:
        target = val if val > target else target
    return target


cdef object source_dict(fk_entry *e):
    """A zset or set source as {member: score} (sets: score 1)."""
    if e == NULL:
        return {}
    if entry_type(e) == OBJ_SET:
        return dict.fromkeys(set_items(e), 1.0)
    return dict(zset_pairs(e))


cdef int zunion_inter_diff(Client c, int dst_idx, int numkeys_idx, int op, bint cardinality_only) except -1:
    """zunionInterDiffGenericCommand"""
    cdef long long setnum, limit = 0
    cdef int i, j, remaining, aggr = AGGR_SUM
    cdef bint withscores = False
    cdef fk_entry *e
    cdef double score, value, w
    cdef size_t maxelelen = 0, totelelen = 0
    cdef fk_entry tmp
    cdef int retflags
    cdef double newscore
    cdef unsigned long long cardinality = 0
    if get_long_or_reply(c, numkeys_idx, &setnum):
        return 0
    if setnum < 1:
        return c.add_error_str("ERR at least 1 input key is needed for '%s' command"
                               % c.cmd.name.decode())
    if setnum > c.argc - (numkeys_idx + 1):
        return c.add_syntax_error()
    entries = []        # (entry address, or 0 when absent)
    weights = [1.0] * setnum
    j = numkeys_idx + 1
    for i in range(setnum):
        e = c.db.lookup(c.argv[j].p, c.argv[j].n, LOOKUP_NONE)
        if e != NULL and entry_type(e) != OBJ_ZSET and entry_type(e) != OBJ_SET:
            return c.add_wrongtype()
        entries.append(<size_t>e)
        j += 1
    remaining = c.argc - j
    while remaining:
        if op != SET_OP_DIFF and not cardinality_only and remaining >= setnum + 1 and \
                arg_eq(c, j, b"weights", 7):
            j += 1
            remaining -= 1
            for i in range(setnum):
                if get_double_or_reply(c, j, &w, "weight value is not a float"):
                    return 0
                weights[i] = w
                j += 1
                remaining -= 1
        elif op != SET_OP_DIFF and not cardinality_only and remaining >= 2 and \
                arg_eq(c, j, b"aggregate", 9):
            j += 1
            remaining -= 1
            if arg_eq(c, j, b"sum", 3): aggr = AGGR_SUM
            elif arg_eq(c, j, b"min", 3): aggr = AGGR_MIN
            elif arg_eq(c, j, b"max", 3): aggr = AGGR_MAX
            else: return c.add_syntax_error()
            j += 1
            remaining -= 1
        elif remaining >= 1 and dst_idx == 0 and not cardinality_only and \
                arg_eq(c, j, b"withscores", 10):
            j += 1
            remaining -= 1
            withscores = True
        elif cardinality_only and remaining >= 2 and arg_eq(c, j, b"limit", 5):
            j += 1
            remaining -= 1
            if not arg_ll(c, j, &limit) or limit < 0:
                return c.add_error_str("ERR LIMIT can't be negative")
            j += 1
            remaining -= 1
        else:
            return c.add_syntax_error()

    srcs = []
    for i in range(setnum):
        e = <fk_entry *><size_t>entries[i]
        d = source_dict(e)
        srcs.append((len(d), entries[i], d, weights[i]))
    if op != SET_OP_DIFF:
        srcs.sort(key=lambda t: t[0])     # zuiCompareByCardinality (stable)

    result = {}
    if op == SET_OP_INTER:
        if srcs[0][0] > 0:
            first = srcs[0]
            w = first[3]
            for m, s0 in first[2].items():
                score = w * <double>s0
                if isnan(score):
                    score = 0
                ok = True
                for src in srcs[1:]:
                    if src[1] == first[1]:
                        value = <double>s0 * <double>src[3]
                    else:
                        sv = src[2].get(m)
                        if sv is None:
                            ok = False
                            break
                        value = <double>sv * <double>src[3]
                    score = aggregate(score, value, aggr)
                if not ok:
                    continue
                if cardinality_only:
                    cardinality += 1
                    if limit and cardinality >= <unsigned long long>limit:
                        break
                else:
                    result[m] = score
    elif op == SET_OP_UNION:
        for src in srcs:
            w = src[3]
            for m, s0 in src[2].items():
                score = w * <double>s0
                if isnan(score):
                    score = 0
                old = result.get(m)
                if old is None:
                    result[m] = score
                else:
                    result[m] = aggregate(<double>old, score, aggr)
    else:
        first = srcs[0]
        others = [src[2] for src in srcs[1:]]
        for m, s0 in first[2].items():
            for d in others:
                if m in d:
                    break
            else:
                result[m] = s0

    if cardinality_only:
        return c.add_int(cardinality)
    items = sorted(result.items(), key=lambda kv: (kv[1], kv[0]))
    if dst_idx:
        for m, _ in items:
            totelelen += len(m)
            if <size_t>len(m) > maxelelen:
                maxelelen = len(m)
        init_tmp(&tmp, len(items), maxelelen)
        for m, sc in items:
            fk_zset_add(&tmp, sc, m, len(m), 0, &retflags, &newscore)
        return store_tmp(c, dst_idx, &tmp,
                         b"zunionstore" if op == SET_OP_UNION else
                         (b"zinterstore" if op == SET_OP_INTER else b"zdiffstore"))
    array_header(c, len(items), withscores)
    for m, sc in items:
        emit(c, m, len(m), sc, withscores)
    return 0


cdef int zunionstore_impl(Client c) except -1:
    return zunion_inter_diff(c, 1, 2, SET_OP_UNION, False)

cdef int zinterstore_impl(Client c) except -1:
    return zunion_inter_diff(c, 1, 2, SET_OP_INTER, False)

cdef int zdiffstore_impl(Client c) except -1:
    return zunion_inter_diff(c, 1, 2, SET_OP_DIFF, False)

cdef int zunion_impl(Client c) except -1:
    return zunion_inter_diff(c, 0, 1, SET_OP_UNION, False)

cdef int zinter_impl(Client c) except -1:
    return zunion_inter_diff(c, 0, 1, SET_OP_INTER, False)

cdef int zdiff_impl(Client c) except -1:
    return zunion_inter_diff(c, 0, 1, SET_OP_DIFF, False)

cdef int zintercard_impl(Client c) except -1:
    return zunion_inter_diff(c, 0, 1, SET_OP_INTER, True)


# -- ZSCAN ------------------------------------------------------------------------------------

cdef void _scan_collect(void *priv, fk_zsl_node *x) noexcept:
    cdef char buf[128]
    cdef int k
    try:
        k = fk_d2string(buf, sizeof(buf), x.score)
        (<list>priv).append((fk_zsl_member(x)[:x.mlen], buf[:k]))
    except BaseException:
        pass


cdef int zscan_impl(Client c) except -1:
    cdef unsigned long long cursor
    cdef long long maxiter
    cdef ScanOpts o
    cdef fk_entry *e
    cdef list pairs = []
    cdef fk_zset_iter it
    cdef unsigned char *lp
    cdef unsigned char *pe
    cdef long long lv
    cdef unsigned char ibuf[32]
    if not fk_parse_scan_cursor(c.argv[2].p, c.argv[2].n, &cursor):
        return c.add_error_str("ERR invalid cursor")
    e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_ZSET)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_raw(b"*2\r\n$1\r\n0\r\n*0\r\n", 15)
    if scan_options(c, 3, &o, False):
        return 0
    if entry_encoding(e) == ENC_LISTPACK:
        # the whole listpack at once, elements as stored (scores as d2string wrote them)
        lp = <unsigned char *>e.v.ptr
        pe = fk_lp_first(lp)
        while pe != NULL:
            m = _lp_text(pe)
            pe = fk_lp_next(lp, pe)
            pairs.append((m, _lp_text(pe)))
            pe = fk_lp_next(lp, pe)
        cursor = 0
    else:
        maxiter = scan_max_iterations(&o)
        while True:
            cursor = fk_zset_scan(<fk_zset *>e.v.ptr, cursor, _scan_collect, <void *>pairs)
            maxiter -= 1
            if cursor == 0 or maxiter <= 0 or len(pairs) >= o.count:
                break
    pairs = [pr for pr in pairs if scan_match(&o, pr[0], len(pr[0]))]
    reply_scan_cursor(c, cursor)
    c.add_array_len(len(pairs) * 2)
    for m, sc in pairs:
        c.add_bulk(m, len(m))
        c.add_bulk(sc, len(sc))
    return 0


cdef bytes _lp_text(unsigned char *p):
    cdef unsigned char buf[32]
    cdef int64_t n
    cdef unsigned char *s = fk_lp_get(p, &n, buf)
    return (<char *>s)[:n]


# -- the table's handles --------------------------------------------------------------------

zadd_cmd = wrap(zadd_impl)
zincrby_cmd = wrap(zincrby_impl)
zrem_cmd = wrap(zrem_impl)
zcard_cmd = wrap(zcard_impl)
zscore_cmd = wrap(zscore_impl)
zmscore_cmd = wrap(zmscore_impl)
zrank_cmd = wrap(zrank_impl)
zrevrank_cmd = wrap(zrevrank_impl)
zcount_cmd = wrap(zcount_impl)
zlexcount_cmd = wrap(zlexcount_impl)
zrange_cmd = wrap(zrange_impl)
zrangestore_cmd = wrap(zrangestore_impl)
zrevrange_cmd = wrap(zrevrange_impl)
zrangebyscore_cmd = wrap(zrangebyscore_impl)
zrevrangebyscore_cmd = wrap(zrevrangebyscore_impl)
zrangebylex_cmd = wrap(zrangebylex_impl)
zrevrangebylex_cmd = wrap(zrevrangebylex_impl)
zremrangebyrank_cmd = wrap(zremrangebyrank_impl)
zremrangebyscore_cmd = wrap(zremrangebyscore_impl)
zremrangebylex_cmd = wrap(zremrangebylex_impl)
zpopmin_cmd = wrap(zpopmin_impl)
zpopmax_cmd = wrap(zpopmax_impl)
zmpop_cmd = wrap(zmpop_impl)
bzpopmin_cmd = wrap(bzpopmin_impl)
bzpopmax_cmd = wrap(bzpopmax_impl)
bzmpop_cmd = wrap(bzmpop_impl)
zrandmember_cmd = wrap(zrandmember_impl)
zunion_cmd = wrap(zunion_impl)
zinter_cmd = wrap(zinter_impl)
zdiff_cmd = wrap(zdiff_impl)
zunionstore_cmd = wrap(zunionstore_impl)
zinterstore_cmd = wrap(zinterstore_impl)
zdiffstore_cmd = wrap(zdiffstore_impl)
zintercard_cmd = wrap(zintercard_impl)
zscan_cmd = wrap(zscan_impl)
