# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""List commands (Redis 7.0's t_list.c), over the quicklist of
csrc/fk_quicklist.c (the only list encoding of Redis 7.0).

Replies are written from the listpacks straight into the client's buffer:
LRANGE and the COUNT forms of the pops walk the nodes, reserve once per
node and let fk_ql_write_bulk format each element, so no Python object is
made per element.  Argument parsing order, error texts, reply shapes
(RESP2/RESP3 nulls) and keyspace events with their order follow Redis
7.0's functions, named in the comments, because clients and tests depend
on them.

Blocking forms (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP) use the core's
re-execution model (client.pyx "Blocking"): try exactly like the
non-blocking form; if nothing can be served, reply as a timeout inside
MULTI/EXEC, else block_for_keys() and return without a reply.  When a key
gets a list the same handler runs again for the waiter.
"""
from libc.string cimport memcpy
from libc.stdlib cimport malloc, free
from fastkv._core.cdefs cimport *
from fastkv._core.cdefs_list cimport *
from fastkv._core.client cimport (Client, wrap, CF_REPLY_OFF, CF_REPLY_SKIP, BLOCKED_LIST)
from fastkv._core.keyspace cimport (Database, notify_event, signal_modified_key, LOOKUP_NONE,
    LOOKUP_WRITE, NOTIFY_GENERIC, NOTIFY_LIST)
from fastkv._core.shared cimport attach
from fastkv.commands.common cimport (arg_eq, arg_ll, mark_dirty, lookup_typed, key_written,
    WRONGTYPE_ENTRY, notify_key_removed)

attach()

cdef extern from *:
    long long LLONG_MAX
    long long LLONG_MIN

cdef enum:
    LIST_HEAD = 0      # Redis's LIST_HEAD / LIST_TAIL
    LIST_TAIL = 1


# ---------------------------------------------------------------- helpers

cdef inline fk_quicklist *QL(fk_entry *e) noexcept:
    return <fk_quicklist *>e.v.ptr


cdef inline int ql_where(int where) noexcept:
    return FK_QL_HEAD if where == LIST_HEAD else FK_QL_TAIL


cdef fk_quicklist *new_list() noexcept:
    return fk_ql_new(fk_sh.list_max_listpack_size, fk_sh.list_compress_depth)


cdef int add_lp_elem(Client c, unsigned char *p) except -1:
    """Reply one listpack element as a bulk string."""
    cdef unsigned int slen
    cdef long long lv
    cdef char buf[24]
    cdef unsigned char *s = fk_lp_get_value(p, &slen, &lv)
    if s != NULL:
        return c.add_bulk(<const char *>s, slen)
    return c.add_bulk(buf, fk_ll2string(buf, sizeof(buf), lv))


cdef int add_qlentry(Client c, fk_qlentry *e) except -1:
    cdef char buf[24]
    if e.value != NULL:
        return c.add_bulk(<const char *>e.value, e.sz)
    return c.add_bulk(buf, fk_ll2string(buf, sizeof(buf), e.longval))


cdef int add_range_elements(Client c, fk_quicklist *ql, long long start, long long n, bint reverse) except -1:
    """Write n elements from index start (towards the tail, or the head if
    reverse) as bulk strings, node by node straight into the reply buffer."""
    cdef fk_qliter it
    cdef fk_qlnode *node
    cdef unsigned char *lp
    cdef unsigned char *p
    cdef long offset
    cdef char *w
    cdef size_t bound
    if n <= 0 or (c.flags & (CF_REPLY_OFF | CF_REPLY_SKIP)):
        return 0
    if not fk_ql_iter_init_at(&it, ql, FK_QL_START_TAIL if reverse else FK_QL_START_HEAD, start):
        return 0
    node = it.current
    offset = it.offset
    while n > 0 and node != NULL:
        lp = fk_ql_node_lp(node)
        bound = fk_ql_node_resp_bound(node, n)
        if c.olen + <Py_ssize_t>bound > c.ocap:
            c.reserve(bound)
        w = c.ob + c.olen
        p = fk_lp_seek(lp, offset)
        if reverse:
            while p != NULL and n > 0:
                w = fk_ql_write_bulk(w, p)
                n -= 1
                p = fk_lp_prev(lp, p)
        else:
            while p != NULL and n > 0:
                w = fk_ql_write_bulk(w, p)
                n -= 1
                p = fk_lp_next(lp, p)
        c.olen = w - c.ob
        fk_ql_node_done(ql, node)
        if reverse:
            node = node.prev
            offset = -1
        else:
            node = node.next
            offset = 0
    return 0


cdef int add_list_range_reply(Client c, fk_quicklist *ql, long long start, long long end, bint reverse) except -1:
    """addListRangeReply: elements start..end (negative = from the tail),
    in reverse order if `reverse`."""
    cdef long long llen = ql.count, rangelen
    if start < 0:
        start = llen + start
    if end < 0:
        end = llen + end
    if start < 0:
        start = 0
    if start > end or start >= llen:
        return c.add_array_len(0)
    if end >= llen:
        end = llen - 1
    rangelen = end - start + 1
    c.add_array_len(rangelen)
    return add_range_elements(c, ql, end if reverse else start, rangelen, reverse)


cdef int elements_removed(Client c, const char *k, Py_ssize_t kn, int where, fk_quicklist *ql,
                          long long count) except -1:
    """listElementsRemoved: the pop event, "del" if the list is now empty
    (deleted after the pop event, before "del"), WATCH, dirty."""
    notify_event(c.db, NOTIFY_LIST, b"lpop" if where == LIST_HEAD else b"rpop", k, kn)
    if ql.count == 0:
        c.db.delete(k, kn)
        notify_key_removed(c, k, kn)
    signal_modified_key(c.db, k, kn)
    mark_dirty(c, count)
    return 0


cdef int parse_where(Client c, int i) except -2:
    """getListPositionFromObjectOrReply: LIST_HEAD/LIST_TAIL, or -1 after
    replying a syntax error."""
    if arg_eq(c, i, b"left", 4):
        return LIST_HEAD
    if arg_eq(c, i, b"right", 5):
        return LIST_TAIL
    c.add_syntax_error()
    return -1


cdef int parse_long(Client c, int i, long long *v) except -1:
    """getLongFromObjectOrReply: 1 after replying the integer error."""
    if not arg_ll(c, i, v):
        c.add_not_integer()
        return 1
    return 0


cdef int pop_range_with_key(Client c, int kidx, fk_quicklist *ql, int where, long long count) except -1:
    """listPopRangeAndReplyWithKey: [key, [elements]] then pop them."""
    cdef long long llen = ql.count
    cdef long long rangelen = llen if count > llen else count
    c.add_array_len(2)
    c.add_bulk(c.argv[kidx].p, c.argv[kidx].n)
    if where == LIST_HEAD:
        add_list_range_reply(c, ql, 0, rangelen - 1, False)
        fk_ql_del_range(ql, 0, rangelen)
    else:
        add_list_range_reply(c, ql, -rangelen, -1, True)
        fk_ql_del_range(ql, -rangelen, rangelen)
    return elements_removed(c, c.argv[kidx].p, c.argv[kidx].n, where, ql, rangelen)


# ---------------------------------------------------------------- SORT API

cdef list list_items(fk_entry *e):
    cdef fk_qliter it
    cdef fk_qlentry qe
    cdef list out = []
    fk_ql_iter_init(&it, QL(e), FK_QL_START_HEAD)
    while fk_ql_next(&it, &qe):
        if qe.value != NULL:
            out.append(qe.value[:qe.sz])
        else:
            out.append(str(qe.longval).encode())
    fk_ql_iter_release(&it)
    return out


cdef int list_store(Database db, bytes key, list items) except -1:
    cdef fk_quicklist *ql
    cdef bytes v
    if not items:
        db.delete(key, len(key))
        return 0
    ql = new_list()
    for v in items:
        fk_ql_push_tail(ql, <const char *>v, len(v))
    db.set_value(key, len(key), OBJ_LIST, ENC_QUICKLIST, ql)
    return 0


# ---------------------------------------------------------------- push

cdef int push_generic(Client c, int where, bint xx) except -1:
    """pushGenericCommand (LPUSH RPUSH LPUSHX RPUSHX)."""
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_LIST)
    cdef fk_quicklist *ql
    cdef int j
    cdef int qw = ql_where(where)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        if xx:
            return c.add_int(0)
        ql = new_list()
        c.db.add_value(c.argv[1].p, c.argv[1].n, OBJ_LIST, ENC_QUICKLIST, ql)
    else:
        ql = QL(e)
    if qw == FK_QL_HEAD:
        for j in range(2, c.argc):
            fk_ql_push_head(ql, c.argv[j].p, c.argv[j].n)
    else:
        for j in range(2, c.argc):
            fk_ql_push_tail(ql, c.argv[j].p, c.argv[j].n)
    mark_dirty(c, c.argc - 2)
    c.add_int(ql.count)
    return key_written(c, 1, NOTIFY_LIST, b"lpush" if where == LIST_HEAD else b"rpush")


cdef int lpush_impl(Client c) except -1:
    return push_generic(c, LIST_HEAD, False)

cdef int rpush_impl(Client c) except -1:
    return push_generic(c, LIST_TAIL, False)

cdef int lpushx_impl(Client c) except -1:
    return push_generic(c, LIST_HEAD, True)

cdef int rpushx_impl(Client c) except -1:
    return push_generic(c, LIST_TAIL, True)


# ---------------------------------------------------------------- pop

cdef int pop_generic(Client c, int where) except -1:
    """popGenericCommand (LPOP/RPOP key [count])."""
    cdef bint hascount = c.argc == 3
    cdef long long count = 0
    cdef fk_entry *e
    cdef fk_quicklist *ql
    cdef unsigned char *p
    cdef long long llen, rangelen
    if c.argc > 3:
        return c.add_wrong_arity()
    if hascount:
        if not arg_ll(c, 2, &count) or count < 0:
            return c.add_error_str("ERR value is out of range, must be positive")
    e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_LIST)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_null_array() if hascount else c.add_null()
    ql = QL(e)
    if hascount and count == 0:
        return c.add_array_len(0)
    if not hascount:
        p = fk_ql_peek(ql, ql_where(where))
        add_lp_elem(c, p)
        fk_ql_del_end(ql, ql_where(where))
        return elements_removed(c, c.argv[1].p, c.argv[1].n, where, ql, 1)
    llen = ql.count
    rangelen = llen if count > llen else count
    if where == LIST_HEAD:
        add_list_range_reply(c, ql, 0, rangelen - 1, False)
        fk_ql_del_range(ql, 0, rangelen)
    else:
        add_list_range_reply(c, ql, -rangelen, -1, True)
        fk_ql_del_range(ql, -rangelen, rangelen)
    return elements_removed(c, c.argv[1].p, c.argv[1].n, where, ql, rangelen)


cdef int lpop_impl(Client c) except -1:
    return pop_generic(c, LIST_HEAD)

cdef int rpop_impl(Client c) except -1:
    return pop_generic(c, LIST_TAIL)


# ---------------------------------------------------------------- read

cdef int llen_impl(Client c) except -1:
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_LIST)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_int(0)
    return c.add_int(QL(e).count)


cdef int lrange_impl(Client c) except -1:
    """lrangeCommand: the indexes are parsed before the key is looked up."""
    cdef long long start, end
    cdef fk_entry *e
    if parse_long(c, 2, &start) or parse_long(c, 3, &end):
        return 0
    e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_LIST)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_array_len(0)
    return add_list_range_reply(c, QL(e), start, end, False)


cdef int lindex_impl(Client c) except -1:
    """lindexCommand: the key first (null if missing), then the index."""
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_LIST)
    cdef long long index
    cdef fk_qliter it
    cdef fk_qlentry qe
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_null()
    if parse_long(c, 2, &index):
        return 0
    if not fk_ql_iter_init_at(&it, QL(e), FK_QL_START_TAIL, index):
        return c.add_null()
    fk_ql_next(&it, &qe)
    add_qlentry(c, &qe)
    fk_ql_iter_release(&it)
    return 0


cdef int lpos_impl(Client c) except -1:
    """lposCommand."""
    cdef long long rank = 1, count = -1, maxlen = 0
    cdef int j, direction = LIST_TAIL
    cdef bint moreargs
    cdef fk_entry *e
    cdef fk_quicklist *ql
    cdef fk_qliter it
    cdef fk_qlentry qe
    cdef long long index = 0, matches = 0, matchindex = -1, llen
    cdef list found
    j = 3
    while j < c.argc:
        moreargs = (c.argc - 1 - j) > 0
        if arg_eq(c, j, b"rank", 4) and moreargs:
            j += 1
            if parse_long(c, j, &rank):
                return 0
            if rank == 0:
                return c.add_error_str("ERR RANK can't be zero: use 1 to start from the first match, "
                                       "2 from the second ... or use negative to start from the end of the list")
        elif arg_eq(c, j, b"count", 5) and moreargs:
            j += 1
            if not arg_ll(c, j, &count) or count < 0:
                return c.add_error_str("ERR COUNT can't be negative")
        elif arg_eq(c, j, b"maxlen", 6) and moreargs:
            j += 1
            if not arg_ll(c, j, &maxlen) or maxlen < 0:
                return c.add_error_str("ERR MAXLEN can't be negative")
        else:
            return c.add_syntax_error()
        j += 1
    if rank < 0:
        # Redis 7.0 negates a C long: LONG_MIN stays negative (any match ranks)
        if rank != LLONG_MIN:
            rank = -rank
        direction = LIST_HEAD
    e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_LIST)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_array_len(0) if count != -1 else c.add_null()
    ql = QL(e)
    llen = ql.count
    found = [] if count != -1 else None
    fk_ql_iter_init(&it, ql, FK_QL_START_TAIL if direction == LIST_HEAD else FK_QL_START_HEAD)
    while fk_ql_next(&it, &qe) and (maxlen == 0 or index < maxlen):
        if fk_ql_compare(&qe, c.argv[2].p, c.argv[2].n):
            matches += 1
            matchindex = index if direction == LIST_TAIL else llen - index - 1
            if matches >= rank:
                if found is not None:
                    found.append(matchindex)
                    if count and matches - rank + 1 >= count:
                        break
                else:
                    break
        index += 1
        matchindex = -1
    fk_ql_iter_release(&it)
    if found is not None:
        c.add_array_len(len(found))
        for index in found:
            c.add_int(index)
        return 0
    if matchindex != -1:
        return c.add_int(matchindex)
    return c.add_null()


# ---------------------------------------------------------------- write

cdef int lset_impl(Client c) except -1:
    """lsetCommand: the key first ("no such key"), then the index."""
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_LIST)
    cdef long long index
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_error_str("ERR no such key")
    if parse_long(c, 2, &index):
        return 0
    if not fk_ql_replace_at_index(QL(e), index, c.argv[3].p, c.argv[3].n):
        return c.add_error_str("ERR index out of range")
    c.add_ok()
    key_written(c, 1, NOTIFY_LIST, b"lset")
    mark_dirty(c, 1)
    return 0


cdef int linsert_impl(Client c) except -1:
    """linsertCommand."""
    cdef bint after
    cdef fk_entry *e
    cdef fk_quicklist *ql
    cdef fk_qliter it
    cdef fk_qlentry qe
    cdef bint inserted = False
    if arg_eq(c, 2, b"after", 5):
        after = True
    elif arg_eq(c, 2, b"before", 6):
        after = False
    else:
        return c.add_syntax_error()
    e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_LIST)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_int(0)
    ql = QL(e)
    fk_ql_iter_init(&it, ql, FK_QL_START_HEAD)
    while fk_ql_next(&it, &qe):
        if fk_ql_compare(&qe, c.argv[3].p, c.argv[3].n):
            if after:
                fk_ql_insert_after(&it, &qe, c.argv[4].p, c.argv[4].n)
            else:
                fk_ql_insert_before(&it, &qe, c.argv[4].p, c.argv[4].n)
            inserted = True
            break
    fk_ql_iter_release(&it)
    if not inserted:
        return c.add_int(-1)
    key_written(c, 1, NOTIFY_LIST, b"linsert")
    mark_dirty(c, 1)
    return c.add_int(ql.count)


cdef int lrem_impl(Client c) except -1:
    """lremCommand: the count first, then the key."""
    cdef long long toremove, removed = 0
    cdef fk_entry *e
    cdef fk_quicklist *ql
    cdef fk_qliter it
    cdef fk_qlentry qe
    if parse_long(c, 2, &toremove):
        return 0
    e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_LIST)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_int(0)
    ql = QL(e)
    if toremove < 0:
        toremove = -toremove
        fk_ql_iter_init(&it, ql, FK_QL_START_TAIL)
    else:
        fk_ql_iter_init(&it, ql, FK_QL_START_HEAD)
    while fk_ql_next(&it, &qe):
        if fk_ql_compare(&qe, c.argv[3].p, c.argv[3].n):
            fk_ql_del_entry(&it, &qe)
            removed += 1
            if toremove and removed == toremove:
                break
    fk_ql_iter_release(&it)
    mark_dirty(c, removed)
    if removed:
        notify_event(c.db, NOTIFY_LIST, b"lrem", c.argv[1].p, c.argv[1].n)
    if ql.count == 0:
        c.db.delete(c.argv[1].p, c.argv[1].n)
        notify_key_removed(c, c.argv[1].p, c.argv[1].n)
    c.add_int(removed)
    if removed:
        signal_modified_key(c.db, c.argv[1].p, c.argv[1].n)
    return 0


cdef int ltrim_impl(Client c) except -1:
    """ltrimCommand: "ltrim" fires even when nothing was removed."""
    cdef long long start, end, llen, ltrim, rtrim
    cdef fk_entry *e
    cdef fk_quicklist *ql
    if parse_long(c, 2, &start) or parse_long(c, 3, &end):
        return 0
    e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_LIST)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_ok()
    ql = QL(e)
    llen = ql.count
    if start < 0:
        start = llen + start
    if end < 0:
        end = llen + end
    if start < 0:
        start = 0
    if start > end or start >= llen:
        ltrim = llen
        rtrim = 0
    else:
        if end >= llen:
            end = llen - 1
        ltrim = start
        rtrim = llen - end - 1
    fk_ql_del_range(ql, 0, ltrim)
    fk_ql_del_range(ql, -rtrim, rtrim)
    notify_event(c.db, NOTIFY_LIST, b"ltrim", c.argv[1].p, c.argv[1].n)
    if ql.count == 0:
        c.db.delete(c.argv[1].p, c.argv[1].n)
        notify_key_removed(c, c.argv[1].p, c.argv[1].n)
    signal_modified_key(c.db, c.argv[1].p, c.argv[1].n)
    mark_dirty(c, ltrim + rtrim)
    return c.add_ok()


# ---------------------------------------------------------------- move

cdef int lmove_generic(Client c, int wherefrom, int whereto) except -1:
    """lmoveGenericCommand + lmoveHandlePush.  Events as Redis 7.0 fires
    them: the push on the destination first (inside lmoveHandlePush), then
    the pop on the source, then "del" if the source became empty."""
    cdef fk_entry *se = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_LIST)
    cdef fk_entry *de
    cdef fk_quicklist *sql
    cdef fk_quicklist *dql
    cdef unsigned char *p
    cdef unsigned char *s
    cdef unsigned int slen
    cdef long long lv
    cdef char numbuf[24]
    cdef char *copy = NULL
    cdef const char *v
    cdef size_t vn
    if se == WRONGTYPE_ENTRY:
        return 0
    if se == NULL:
        return c.add_null()
    sql = QL(se)
    de = lookup_typed(c, 2, LOOKUP_WRITE, OBJ_LIST)
    if de == WRONGTYPE_ENTRY:
        return 0
    # the popped value must outlive its listpack
    p = fk_ql_peek(sql, ql_where(wherefrom))
    s = fk_lp_get_value(p, &slen, &lv)
    if s == NULL:
        vn = fk_ll2string(numbuf, sizeof(numbuf), lv)
        v = numbuf
    else:
        copy = <char *>malloc(slen + 1)
        if copy == NULL:
            raise MemoryError()
        memcpy(copy, s, slen)
        v = copy
        vn = slen
    try:
        fk_ql_del_end(sql, ql_where(wherefrom))
        if de == NULL:
            dql = new_list()
            c.db.add_value(c.argv[2].p, c.argv[2].n, OBJ_LIST, ENC_QUICKLIST, dql)
        else:
            dql = QL(de)
        signal_modified_key(c.db, c.argv[2].p, c.argv[2].n)
        fk_ql_push(dql, v, vn, ql_where(whereto))
        notify_event(c.db, NOTIFY_LIST, b"lpush" if whereto == LIST_HEAD else b"rpush",
                     c.argv[2].p, c.argv[2].n)
        c.add_bulk(v, vn)
    finally:
        if copy != NULL:
            free(copy)
    notify_event(c.db, NOTIFY_LIST, b"lpop" if wherefrom == LIST_HEAD else b"rpop",
                 c.argv[1].p, c.argv[1].n)
    if sql.count == 0:
        c.db.delete(c.argv[1].p, c.argv[1].n)
        notify_key_removed(c, c.argv[1].p, c.argv[1].n)
    signal_modified_key(c.db, c.argv[1].p, c.argv[1].n)
    mark_dirty(c, 1)
    return 0


cdef int lmove_impl(Client c) except -1:
    cdef int wherefrom, whereto
    wherefrom = parse_where(c, 3)
    if wherefrom < 0:
        return 0
    whereto = parse_where(c, 4)
    if whereto < 0:
        return 0
    return lmove_generic(c, wherefrom, whereto)


cdef int rpoplpush_impl(Client c) except -1:
    return lmove_generic(c, LIST_TAIL, LIST_HEAD)


# ---------------------------------------------------------------- LMPOP

cdef int mpop_generic(Client c, int first, long long numkeys, int where, long long count) except -1:
    """mpopGenericCommand: the first non-empty list of the keys."""
    cdef int j
    cdef fk_entry *e
    for j in range(first, first + <int>numkeys):
        e = lookup_typed(c, j, LOOKUP_WRITE, OBJ_LIST)
        if e == WRONGTYPE_ENTRY:
            return 0
        if e == NULL or QL(e).count == 0:
            continue
        return pop_range_with_key(c, j, QL(e), where, count)
    return c.add_null_array()


cdef int lmpop_parse(Client c, int numkeys_idx, long long *numkeys, int *where, long long *count) except -1:
    """lmpopGenericCommand's parsing: 1 after replying an error."""
    cdef long long j, where_idx
    cdef int w
    if not arg_ll(c, numkeys_idx, numkeys) or numkeys[0] < 1:
        c.add_error_str("ERR numkeys should be greater than 0")
        return 1
    if numkeys[0] >= c.argc:
        c.add_syntax_error()
        return 1
    where_idx = numkeys_idx + numkeys[0] + 1
    if where_idx >= c.argc:
        c.add_syntax_error()
        return 1
    w = parse_where(c, <int>where_idx)
    if w < 0:
        return 1
    where[0] = w
    count[0] = -1
    j = where_idx + 1
    while j < c.argc:
        if count[0] == -1 and arg_eq(c, <int>j, b"count", 5) and (c.argc - 1 - j) > 0:
            j += 1
            if not arg_ll(c, <int>j, count) or count[0] < 1:
                c.add_error_str("ERR count should be greater than 0")
                return 1
        else:
            c.add_syntax_error()
            return 1
        j += 1
    if count[0] == -1:
        count[0] = 1
    return 0


cdef int lmpop_impl(Client c) except -1:
    cdef long long numkeys, count
    cdef int where
    if lmpop_parse(c, 1, &numkeys, &where, &count):
        return 0
    return mpop_generic(c, 2, numkeys, where, count)


# ---------------------------------------------------------------- blocking

cdef int blocking_pop_generic(Client c, int first, int nkeys, int where, int timeout_idx,
                              long long count) except -1:
    """blockingPopGenericCommand: serve from the first non-empty list, or
    block (count -1: BLPOP/BRPOP's [key, value]; else BLMPOP's
    [key, [values]])."""
    cdef long long deadline
    cdef int j
    cdef fk_entry *e
    cdef fk_quicklist *ql
    cdef unsigned char *p
    if c.parse_timeout(timeout_idx, &deadline):
        return 0
    for j in range(first, first + nkeys):
        e = lookup_typed(c, j, LOOKUP_WRITE, OBJ_LIST)
        if e == WRONGTYPE_ENTRY:
            return 0
        if e == NULL:
            continue
        ql = QL(e)
        if ql.count == 0:
            continue
        if count != -1:
            return pop_range_with_key(c, j, ql, where, count)
        p = fk_ql_peek(ql, ql_where(where))
        c.add_array_len(2)
        c.add_bulk(c.argv[j].p, c.argv[j].n)
        add_lp_elem(c, p)
        fk_ql_del_end(ql, ql_where(where))
        return elements_removed(c, c.argv[j].p, c.argv[j].n, where, ql, 1)
    if c.deny_blocking():
        return c.add_null_array()
    return c.block_for_keys(first, nkeys, deadline, BLOCKED_LIST)


cdef int blpop_impl(Client c) except -1:
    return blocking_pop_generic(c, 1, c.argc - 2, LIST_HEAD, c.argc - 1, -1)

cdef int brpop_impl(Client c) except -1:
    return blocking_pop_generic(c, 1, c.argc - 2, LIST_TAIL, c.argc - 1, -1)


cdef int blmpop_impl(Client c) except -1:
    cdef long long numkeys, count
    cdef int where
    if lmpop_parse(c, 2, &numkeys, &where, &count):
        return 0
    return blocking_pop_generic(c, 3, <int>numkeys, where, 1, count)


cdef int blmove_generic(Client c, int wherefrom, int whereto, long long deadline) except -1:
    """blmoveGenericCommand: inside MULTI an empty source answers a null
    bulk (not a null array)."""
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_LIST)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        if c.deny_blocking():
            return c.add_null()
        return c.block_for_keys(1, 1, deadline, BLOCKED_LIST)
    return lmove_generic(c, wherefrom, whereto)


cdef int blmove_impl(Client c) except -1:
    cdef int wherefrom, whereto
    cdef long long deadline
    wherefrom = parse_where(c, 3)
    if wherefrom < 0:
        return 0
    whereto = parse_where(c, 4)
    if whereto < 0:
        return 0
    if c.parse_timeout(5, &deadline):
        return 0
    return blmove_generic(c, wherefrom, whereto, deadline)


cdef int brpoplpush_impl(Client c) except -1:
    cdef long long deadline
    if c.parse_timeout(3, &deadline):
        return 0
    return blmove_generic(c, LIST_TAIL, LIST_HEAD, deadline)


lpush_cmd = wrap(lpush_impl)
rpush_cmd = wrap(rpush_impl)
lpushx_cmd = wrap(lpushx_impl)
rpushx_cmd = wrap(rpushx_impl)
lpop_cmd = wrap(lpop_impl)
rpop_cmd = wrap(rpop_impl)
llen_cmd = wrap(llen_impl)
lrange_cmd = wrap(lrange_impl)
lindex_cmd = wrap(lindex_impl)
lset_cmd = wrap(lset_impl)
linsert_cmd = wrap(linsert_impl)
lrem_cmd = wrap(lrem_impl)
ltrim_cmd = wrap(ltrim_impl)
lpos_cmd = wrap(lpos_impl)
lmove_cmd = wrap(lmove_impl)
rpoplpush_cmd = wrap(rpoplpush_impl)
lmpop_cmd = wrap(lmpop_impl)
blpop_cmd = wrap(blpop_impl)
brpop_cmd = wrap(brpop_impl)
blmove_cmd = wrap(blmove_impl)
brpoplpush_cmd = wrap(brpoplpush_impl)
blmpop_cmd = wrap(blmpop_impl)


def debug_object_extra(Database db, bytes key):
    """DEBUG OBJECT's quicklist fields (Redis 7.0 debug.c), or "" when key
    holds no list."""
    cdef fk_entry *e = db.lookup(key, len(key), LOOKUP_NONE)
    cdef fk_quicklist *ql
    cdef fk_qlnode *n
    cdef unsigned long sz = 0
    if e == NULL or (e.meta & 0xF) != OBJ_LIST:
        return ""
    ql = QL(e)
    n = ql.head
    while n != NULL:
        sz += n.sz
        n = n.next
    return (" ql_nodes:%d ql_avg_node:%.2f ql_listpack_max:%d ql_compressed:%d ql_uncompressed_size:%d"
            % (ql.len, (<double>ql.count / ql.len) if ql.len else 0.0, ql.fill,
               1 if ql.compress != 0 else 0, sz))
