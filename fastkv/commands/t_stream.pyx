# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Stream commands without consumer groups (Redis 7.0's t_stream.c):
XADD XRANGE XREVRANGE XLEN XDEL XTRIM XSETID, and the helpers the group
commands (t_stream_cg.pyx) share (t_stream.pxd).

The stream itself is C (csrc/fk_stream.h: listpack nodes in Redis's format
under an ordered index).  Handlers parse arguments in Redis's order (so the
same bad command gets the same error), and replies are written straight
into the client buffer: no Python object per entry."""
from libc.stdlib cimport malloc, free
from libc.string cimport memcpy, memmove
from libc.stdint cimport uint64_t, int64_t
from fastkv._core.cdefs cimport *
from fastkv._core.cdefs_stream cimport *
from fastkv._core.client cimport Client, wrap, CF_REPLY_OFF, CF_REPLY_SKIP
from fastkv._core.keyspace cimport (Database, notify_event, signal_modified_key, signal_key_as_ready,
    LOOKUP_NONE, LOOKUP_WRITE, NOTIFY_STREAM)
from fastkv._core.shared cimport attach
from fastkv.commands.common cimport (arg_eq, arg_ll, mark_dirty, lookup_typed, key_written,
    WRONGTYPE_ENTRY)

attach()

cdef extern from *:
    """
    #define FK_UINT64_MAX UINT64_MAX
    """
    uint64_t UINT64_MAX "FK_UINT64_MAX"

cdef enum:
    SV_STATIC = 64


# -- helpers shared with t_stream_cg.pyx (declared in t_stream.pxd) ---------

cdef fk_entry *lookup_stream(Client c, int i, int flags) except? NULL:
    return lookup_typed(c, i, flags, OBJ_STREAM)


cdef int parse_id_or_reply(Client c, int i, fk_streamid *id, uint64_t missing_seq,
                           bint strict, int *seq_given) except -1:
    if fk_streamid_parse(c.argv[i].p, c.argv[i].n, id, missing_seq, strict, seq_given) == 0:
        return 0
    c.add_error_str("ERR Invalid stream ID specified as stream command argument")
    return 1


cdef int parse_id(Client c, int i, fk_streamid *id, uint64_t missing_seq) except -1:
    return parse_id_or_reply(c, i, id, missing_seq, False, NULL)


cdef int parse_strict_id(Client c, int i, fk_streamid *id, uint64_t missing_seq,
                         int *seq_given) except -1:
    return parse_id_or_reply(c, i, id, missing_seq, True, seq_given)


cdef int parse_interval_id(Client c, int i, fk_streamid *id, bint *exclude,
                           uint64_t missing_seq) except -1:
    """streamParseIntervalIDOrReply: "(" makes the bound exclusive (then strict)."""
    cdef const char *p = c.argv[i].p
    cdef Py_ssize_t n = c.argv[i].n
    exclude[0] = n > 1 and p[0] == b'('
    if exclude[0]:
        if fk_streamid_parse(p + 1, n - 1, id, missing_seq, 1, NULL) == 0:
            return 0
        c.add_error_str("ERR Invalid stream ID specified as stream command argument")
        return 1
    return parse_id_or_reply(c, i, id, missing_seq, False, NULL)


cdef int reply_stream_id(Client c, const fk_streamid *id) except -1:
    cdef char buf[48]
    cdef size_t n = fk_streamid_format(buf, id)
    return c.add_bulk(buf, n)


cdef int reply_entry(Client c, fk_stream_iter *si, const fk_streamid *id, int64_t numfields) except -1:
    cdef unsigned char *f
    cdef unsigned char *v
    cdef int64_t fl, vl
    c.add_array_len(2)
    reply_stream_id(c, id)
    c.add_array_len(numfields * 2)
    while numfields > 0:
        fk_stream_iter_get_field(si, &f, &v, &fl, &vl)
        c.add_bulk(<const char *>f, fl)
        c.add_bulk(<const char *>v, vl)
        numfields -= 1
    return 0


cdef long long reply_range(Client c, fk_stream *s, const fk_streamid *start,
                           const fk_streamid *end, long long count, bint rev) except -1:
    cdef fk_stream_iter si
    cdef fk_streamid id
    cdef int64_t numfields
    cdef long long n = 0
    cdef Py_ssize_t off = deferred_len_begin(c)
    fk_stream_iter_start(&si, s, start, end, rev)
    try:
        while fk_stream_iter_get_id(&si, &id, &numfields):
            reply_entry(c, &si, &id, numfields)
            n += 1
            if count and count == n:
                break
    finally:
        fk_stream_iter_stop(&si)
    deferred_len_end(c, off, n, b'*')
    return n


cdef fk_streamid *ids_alloc(int n, fk_streamid *buf, int buf_n) except NULL:
    if n <= buf_n:
        return buf
    cdef fk_streamid *ids = <fk_streamid *>malloc(sizeof(fk_streamid) * n)
    if ids == NULL:
        raise MemoryError()
    return ids


cdef int parse_strict_ids(Client c, int first, int n, fk_streamid *ids) except -1:
    cdef int j
    for j in range(n):
        if parse_strict_id(c, first + j, &ids[j], 0, NULL):
            return 1
    return 0


cdef Py_ssize_t deferred_len_begin(Client c) noexcept:
    return c.olen


cdef int deferred_len_end(Client c, Py_ssize_t off, long long n, char prefix) except -1:
    """Insert the header `prefix n` before what was written since off."""
    cdef char hdr[32]
    cdef int hl = 1
    cdef char tmp[24]
    cdef int tl = 0
    cdef unsigned long long u
    if c.flags & (CF_REPLY_OFF | CF_REPLY_SKIP):
        return 0
    hdr[0] = prefix
    u = <unsigned long long>n
    while True:
        tmp[tl] = <char>(48 + u % 10)
        tl += 1
        u //= 10
        if u == 0:
            break
    while tl > 0:
        tl -= 1
        hdr[hl] = tmp[tl]
        hl += 1
    hdr[hl] = b'\r'
    hdr[hl + 1] = b'\n'
    hl += 2
    c.reserve(hl)
    memmove(c.ob + off + hl, c.ob + off, c.olen - off)
    memcpy(c.ob + off, hdr, hl)
    c.olen += hl
    return 0


cdef struct AddArgs:
    fk_stream_trim_args trim
    fk_streamid id
    bint id_given
    int seq_given
    bint no_mkstream
    int idpos


cdef int parse_trim_args(Client c, int i, fk_stream_trim_args *args, bint xadd,
                         int *next_i) except -1:
    """streamParseAddOrTrimArgsOrReply from argv[i] (XTRIM: i = 2), with
    its LIMIT defaults applied.  xadd: also NOMKSTREAM, stopping at the ID
    ("*" or explicit, not parsed here when "*"); next_i = where it stopped.
    0 ok, 1 after replying an error."""
    cdef AddArgs a
    cdef int rc = parse_add_or_trim(c, &a, xadd, i)
    args[0] = a.trim
    next_i[0] = a.idpos
    return rc


cdef int finish_trim_args(Client c, fk_stream_trim_args *args, bint xadd, bint limit_given) except -1:
    if args.limit and args.strategy == FK_TRIM_STRATEGY_NONE:
        c.add_error_str("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy")
        return 1
    if not xadd and args.strategy == FK_TRIM_STRATEGY_NONE:
        c.add_error_str("ERR syntax error, XTRIM must be called with a trimming strategy")
        return 1
    if limit_given:
        if not args.approx:
            c.add_error_str("ERR syntax error, LIMIT cannot be used without the special ~ option")
            return 1
    elif args.approx:
        # 100 * stream-node-max-entries, at most 10000 (0 or an overflow: 10000)
        if 0 < fk_sh.stream_node_max_entries <= 100:
            args.limit = 100 * fk_sh.stream_node_max_entries
        else:
            args.limit = 10000
    else:
        args.limit = 0
    return 0


cdef int parse_add_or_trim(Client c, AddArgs *a, bint xadd, int i) except -1:
    """streamParseAddOrTrimArgsOrReply: 0 ok (a.idpos = the ID's index for
    XADD), 1 after replying an error."""
    cdef int moreargs, strategy
    cdef const char *opt
    cdef const char *nxt
    cdef bint limit_given = False
    a.trim.strategy = FK_TRIM_STRATEGY_NONE
    a.trim.approx = 0
    a.trim.limit = 0
    a.trim.maxlen = 0
    a.trim.minid.ms = 0
    a.trim.minid.seq = 0
    a.id_given = False
    a.seq_given = 1
    a.no_mkstream = False
    a.id.ms = 0
    a.id.seq = 0
    while i < c.argc:
        moreargs = c.argc - 1 - i
        opt = c.argv[i].p
        if xadd and c.argv[i].n == 1 and opt[0] == b'*':
            break
        elif moreargs and (arg_eq(c, i, b"maxlen", 6) or arg_eq(c, i, b"minid", 5)):
            if a.trim.strategy != FK_TRIM_STRATEGY_NONE:
                c.add_error_str("ERR syntax error, MAXLEN and MINID options at the same time are not compatible")
                return 1
            strategy = FK_TRIM_STRATEGY_MAXLEN if c.argv[i].n == 6 else FK_TRIM_STRATEGY_MINID
            # MAXLEN|MINID [~|=] threshold
            a.trim.approx = 0
            nxt = c.argv[i + 1].p
            if moreargs >= 2 and c.argv[i + 1].n == 1 and nxt[0] == b'~':
                a.trim.approx = 1
                i += 1
            elif moreargs >= 2 and c.argv[i + 1].n == 1 and nxt[0] == b'=':
                i += 1
            i += 1
            if strategy == FK_TRIM_STRATEGY_MAXLEN:
                if not arg_ll(c, i, &a.trim.maxlen):
                    c.add_not_integer()
                    return 1
                if a.trim.maxlen < 0:
                    c.add_error_str("ERR The MAXLEN argument must be >= 0.")
                    return 1
            elif parse_strict_id(c, i, &a.trim.minid, 0, NULL):
                return 1
            a.trim.strategy = strategy
        elif moreargs and arg_eq(c, i, b"limit", 5):
            if not arg_ll(c, i + 1, &a.trim.limit):
                c.add_not_integer()
                return 1
            if a.trim.limit < 0:
                c.add_error_str("ERR The LIMIT argument must be >= 0.")
                return 1
            limit_given = True
            i += 1
        elif xadd and arg_eq(c, i, b"nomkstream", 10):
            a.no_mkstream = True
        elif xadd:
            if parse_strict_id(c, i, &a.id, 0, &a.seq_given):
                return 1
            a.id_given = True
            break
        else:
            c.add_syntax_error()
            return 1
        i += 1
    a.idpos = i
    return finish_trim_args(c, &a.trim, xadd, limit_given)


# -- XADD --------------------------------------------------------------------

cdef int xadd_impl(Client c) except -1:
    cdef AddArgs a
    cdef int field_pos, nargs, j
    cdef fk_entry *e
    cdef fk_stream *s
    cdef fk_streamid id
    cdef fk_sv sv_static[SV_STATIC]
    cdef fk_sv *sv = sv_static
    cdef int rc
    cdef bint created
    if parse_add_or_trim(c, &a, True, 2):
        return 0
    field_pos = a.idpos + 1
    nargs = c.argc - field_pos
    if nargs < 2 or nargs % 2 == 1:
        c.add_wrong_arity()
        return 0
    if a.id_given and a.seq_given and a.id.ms == 0 and a.id.seq == 0:
        c.add_error_str("ERR The ID specified in XADD must be greater than 0-0")
        return 0
    e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_STREAM)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        if a.no_mkstream:
            c.add_null()
            return 0
        s = fk_stream_new()
        c.db.add_value(c.argv[1].p, c.argv[1].n, OBJ_STREAM, ENC_STREAM, s)
        created = True
    else:
        s = <fk_stream *>e.v.ptr
        created = False
    if s.last_id.ms == UINT64_MAX and s.last_id.seq == UINT64_MAX:
        c.add_error_str("ERR The stream has exhausted the last possible ID, unable to add more items")
        return 0
    if nargs > SV_STATIC:
        sv = <fk_sv *>malloc(sizeof(fk_sv) * nargs)
        if sv == NULL:
            raise MemoryError()
    for j in range(nargs):
        sv[j].p = c.argv[field_pos + j].p
        sv[j].n = c.argv[field_pos + j].n
    rc = fk_stream_append(s, sv, nargs // 2, &id, &a.id if a.id_given else NULL, a.seq_given)
    if sv != sv_static:
        free(sv)
    if rc == -1:
        c.add_error_str("ERR The ID specified in XADD is equal or smaller than the target stream top item")
        return 0
    elif rc != 0:
        c.add_error_str("ERR Elements are too large to be stored")
        return 0
    reply_stream_id(c, &id)
    key_written(c, 1, NOTIFY_STREAM, b"xadd")
    mark_dirty(c, 1)
    if a.trim.strategy != FK_TRIM_STRATEGY_NONE:
        if fk_stream_trim(s, &a.trim):
            notify_event(c.db, NOTIFY_STREAM, b"xtrim", c.argv[1].p, c.argv[1].n)
    if not created:
        signal_key_as_ready(c.db, c.argv[1].p, c.argv[1].n)
    return 0


# -- XRANGE / XREVRANGE --------------------------------------------------------

cdef int xrange_generic(Client c, bint rev) except -1:
    cdef fk_streamid startid, endid
    cdef bint startex = False, endex = False
    cdef long long count = -1
    cdef int si_ = 3 if rev else 2
    cdef int ei = 2 if rev else 3
    cdef int j
    cdef fk_entry *e
    if parse_interval_id(c, si_, &startid, &startex, 0):
        return 0
    if startex and fk_streamid_incr(&startid) != 0:
        c.add_error_str("ERR invalid start ID for the interval")
        return 0
    if parse_interval_id(c, ei, &endid, &endex, UINT64_MAX):
        return 0
    if endex and fk_streamid_decr(&endid) != 0:
        c.add_error_str("ERR invalid end ID for the interval")
        return 0
    j = 4
    while j < c.argc:
        if arg_eq(c, j, b"count", 5) and c.argc - j - 1 >= 1:
            if not arg_ll(c, j + 1, &count):
                c.add_not_integer()
                return 0
            if count < 0:
                count = 0
            j += 2
        else:
            c.add_syntax_error()
            return 0
    e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_STREAM)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        c.add_array_len(0)
        return 0
    if count == 0:
        c.add_null_array()
        return 0
    if count == -1:
        count = 0
    reply_range(c, <fk_stream *>e.v.ptr, &startid, &endid, count, rev)
    return 0


cdef int xrange_impl(Client c) except -1:
    return xrange_generic(c, False)


cdef int xrevrange_impl(Client c) except -1:
    return xrange_generic(c, True)


# -- XLEN ----------------------------------------------------------------------

cdef int xlen_impl(Client c) except -1:
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_STREAM)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_int(0)
    return c.add_int(<long long>(<fk_stream *>e.v.ptr).length)


# -- XDEL ----------------------------------------------------------------------

cdef int xdel_impl(Client c) except -1:
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_STREAM)
    cdef fk_stream *s
    cdef fk_streamid *ids
    cdef fk_streamid static_ids[8]
    cdef int n = c.argc - 2, j
    cdef long long deleted = 0
    cdef bint first_entry = False
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_int(0)
    s = <fk_stream *>e.v.ptr
    ids = ids_alloc(n, static_ids, 8)
    try:
        if parse_strict_ids(c, 2, n, ids):
            return 0
        for j in range(n):
            if fk_stream_delete_item(s, &ids[j]):
                if fk_streamid_cmp(&ids[j], &s.first_id) == 0:
                    first_entry = True
                if fk_streamid_cmp(&ids[j], &s.max_deleted_entry_id) > 0:
                    s.max_deleted_entry_id = ids[j]
                deleted += 1
    finally:
        if ids != static_ids:
            free(ids)
    if deleted:
        if s.length == 0:
            s.first_id.ms = 0
            s.first_id.seq = 0
        elif first_entry:
            fk_stream_get_edge_id(s, 1, 1, &s.first_id)
        key_written(c, 1, NOTIFY_STREAM, b"xdel")
        mark_dirty(c, deleted)
    return c.add_int(deleted)


# -- XTRIM ---------------------------------------------------------------------

cdef int xtrim_impl(Client c) except -1:
    cdef AddArgs a
    cdef fk_entry *e
    cdef int64_t deleted
    if parse_add_or_trim(c, &a, False, 2):
        return 0
    e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_STREAM)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_int(0)
    deleted = fk_stream_trim(<fk_stream *>e.v.ptr, &a.trim)
    if deleted:
        notify_event(c.db, NOTIFY_STREAM, b"xtrim", c.argv[1].p, c.argv[1].n)
        signal_modified_key(c.db, c.argv[1].p, c.argv[1].n)
        mark_dirty(c, deleted)
    return c.add_int(deleted)


# -- XSETID --------------------------------------------------------------------

cdef int xsetid_impl(Client c) except -1:
    cdef fk_streamid id, max_xdel_id, maxid
    cdef long long entries_added = -1
    cdef int i = 3
    cdef fk_entry *e
    cdef fk_stream *s
    max_xdel_id.ms = 0
    max_xdel_id.seq = 0
    if parse_strict_id(c, 2, &id, 0, NULL):
        return 0
    while i < c.argc:
        if arg_eq(c, i, b"entriesadded", 12) and c.argc - 1 - i > 0:
            if not arg_ll(c, i + 1, &entries_added):
                c.add_not_integer()
                return 0
            if entries_added < 0:
                c.add_error_str("ERR entries_added must be positive")
                return 0
            i += 2
        elif arg_eq(c, i, b"maxdeletedid", 12) and c.argc - 1 - i > 0:
            if parse_strict_id(c, i + 1, &max_xdel_id, 0, NULL):
                return 0
            if fk_streamid_cmp(&id, &max_xdel_id) < 0:
                c.add_error_str("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id")
                return 0
            i += 2
        else:
            c.add_syntax_error()
            return 0
    e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_STREAM)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        c.add_error_str("ERR no such key")
        return 0
    s = <fk_stream *>e.v.ptr
    if s.length > 0:
        fk_stream_get_edge_id(s, 0, 1, &maxid)
        if fk_streamid_cmp(&id, &maxid) < 0:
            c.add_error_str("ERR The ID specified in XSETID is smaller than the target stream top item")
            return 0
        if entries_added != -1 and s.length > <uint64_t>entries_added:
            c.add_error_str("ERR The entries_added specified in XSETID is smaller than the target stream length")
            return 0
    s.last_id = id
    if entries_added != -1:
        s.entries_added = <uint64_t>entries_added
    if max_xdel_id.ms != 0 or max_xdel_id.seq != 0:
        s.max_deleted_entry_id = max_xdel_id
    c.add_ok()
    key_written(c, 1, NOTIFY_STREAM, b"xsetid")
    mark_dirty(c, 1)
    return 0


xadd_cmd = wrap(xadd_impl)
xrange_cmd = wrap(xrange_impl)
xrevrange_cmd = wrap(xrevrange_impl)
xlen_cmd = wrap(xlen_impl)
xdel_cmd = wrap(xdel_impl)
xtrim_cmd = wrap(xtrim_impl)
xsetid_cmd = wrap(xsetid_impl)
