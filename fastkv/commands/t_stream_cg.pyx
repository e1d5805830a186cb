# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Stream reads and consumer groups (Redis 7.0's t_stream.c): XREAD,
XREADGROUP, XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO.

The stream, its groups, consumers and pending-entry lists are C
(csrc/fk_stream.h, csrc/fk_rax.h); the handlers port 7.0's command
functions one by one (the comments name them): the same option parsing and
error texts, the same group bookkeeping (last delivered ID, entries-read,
NACKs created or reassigned on delivery, delivery counts of history reads),
the same lag computation, keyspace events and dirty counts.  Replies are
written straight into the client buffer, with no Python object per entry.

Blocking (XREAD/XREADGROUP BLOCK) uses the core's machinery (BLOCKED_STREAM):
a command that finds nothing blocks on its stream keys and is run again
when one gets entries.  The IDs resolved when it blocked ('$') are kept in
Client.bstate and used on re-execution, and a re-run uses 7.0's
blocked-client rules: COUNT defaults to 1000, a XREADGROUP whose key is gone
or whose group was destroyed is answered with 7.0's UNBLOCKED / NOGROUP
errors.
"""
from libc.stdlib cimport malloc, free
from libc.string cimport memcpy, memcmp, memchr
from libc.stdint cimport uint64_t, int64_t
from cpython.bytes cimport PyBytes_FromStringAndSize, PyBytes_AS_STRING, PyBytes_GET_SIZE
from fastkv._core.cdefs cimport (fk_entry, fk_str, fk_mstime, fk_ll2string, fk_string2ll,
    OBJ_STREAM, ENC_STREAM)
from fastkv._core.cdefs_stream cimport *
from fastkv._core.client cimport Client, wrap, BLOCKED_STREAM, CF_REPROCESSING, CF_SCRIPT
from fastkv._core.keyspace cimport (Database, notify_event, signal_modified_key,
    signal_key_as_ready, LOOKUP_NONE, LOOKUP_WRITE, NOTIFY_STREAM)
from fastkv._core.shared cimport attach
from fastkv.commands.common cimport arg_eq, arg_ll, mark_dirty, WRONGTYPE_ENTRY
from fastkv.commands.t_stream cimport (lookup_stream, parse_id, parse_strict_id,
    parse_interval_id, reply_stream_id, reply_entry, reply_range, deferred_len_begin,
    deferred_len_end, ids_alloc, parse_strict_ids)

attach()

cdef extern from *:
    """
    #define FK_U64_MAX UINT64_MAX
    #define FK_LLONG_MAX LLONG_MAX
    """
    uint64_t U64_MAX "FK_U64_MAX"
    long long LLONG_MAX "FK_LLONG_MAX"

DEF STATIC_IDS = 8
DEF XREAD_BLOCKED_DEFAULT_COUNT = 1000
DEF SCG_INVALID = -1


cdef inline fk_stream *S(fk_entry *e) noexcept:
    return <fk_stream *>e.v.ptr


cdef bytes cstr(Client c, int i):
    """argv[i] as Redis's %s of an sds prints it: up to the first NUL."""
    cdef const char *p = c.argv[i].p
    cdef const char *z = <const char *>memchr(p, 0, c.argv[i].n)
    cdef Py_ssize_t n = (z - p) if z != NULL else c.argv[i].n
    return PyBytes_FromStringAndSize(p, n)


cdef int error_fmt(Client c, bytes msg) except -1:
    return c.add_error(msg, len(msg))


cdef int subcommand_syntax_error(Client c, bytes cmdname) except -1:
    """addReplySubcommandSyntaxError."""
    cdef bytes sub = cstr(c, 1)[:128]
    return error_fmt(c, b"ERR unknown subcommand or wrong number of arguments for '" + sub +
                     b"'. Try " + cmdname + b" HELP.")


cdef inline int add_bulk_ll(Client c, long long v) except -1:
    cdef char buf[24]
    cdef int n = fk_ll2string(buf, sizeof(buf), v)
    return c.add_bulk(buf, n)


cdef inline bint is_word(Client c, int i, char ch) noexcept:
    return c.argv[i].n == 1 and c.argv[i].p[0] == ch


# -- group delivery (streamReplyWithRange's group path) ----------------------

cdef int deliver_nack(fk_stream_cg *group, fk_stream_consumer *consumer, const fk_streamid *id,
                      long long now) except -1:
    """A NACK for id in the group PEL and the consumer PEL; an entry pending
    for another consumer (XGROUP SETID moved last_id back) moves to this one."""
    cdef unsigned char buf[16]
    cdef void *found = NULL
    cdef fk_stream_nack *nack
    cdef int group_inserted
    fk_streamid_encode(buf, id)
    nack = fk_stream_create_nack(consumer, now)
    group_inserted = fk_rax_try_insert(group.pel, buf, 16, nack, NULL)
    fk_rax_try_insert(consumer.pel, buf, 16, nack, NULL)
    if group_inserted == 0:
        fk_stream_free_nack(nack)
        fk_rax_find(group.pel, buf, 16, &found)
        nack = <fk_stream_nack *>found
        fk_rax_remove(nack.consumer.pel, buf, 16, NULL)
        nack.consumer = consumer
        nack.delivery_time = now
        nack.delivery_count = 1
        fk_rax_insert(consumer.pel, buf, 16, nack, NULL)
    return 0


cdef long long reply_range_group(Client c, fk_stream *s, const fk_streamid *start, long long count,
                                 fk_stream_cg *group, fk_stream_consumer *consumer,
                                 bint noack) except -1:
    """streamReplyWithRange(c, s, start, NULL, count, 0, group, consumer, ...):
    the array of entries after start, advancing the group's last_id and
    entries_read, creating/reassigning NACKs unless noack."""
    cdef fk_stream_iter si
    cdef fk_streamid id
    cdef int64_t numfields
    cdef long long n = 0
    cdef long long now = fk_mstime()
    cdef Py_ssize_t off = deferred_len_begin(c)
    fk_stream_iter_start(&si, s, start, NULL, 0)
    try:
        while fk_stream_iter_get_id(&si, &id, &numfields):
            if fk_streamid_cmp(&id, &group.last_id) > 0:
                if group.entries_read != SCG_INVALID and not fk_stream_range_has_tombstones(s, &id, NULL):
                    # a valid counter and no tombstones ahead: count this read
                    group.entries_read += 1
                elif s.entries_added:
                    group.entries_read = fk_stream_estimate_distance(s, &id)
                group.last_id = id
            reply_entry(c, &si, &id, numfields)
            if not noack:
                deliver_nack(group, consumer, &id, now)
            n += 1
            if count and n == count:
                break
    finally:
        fk_stream_iter_stop(&si)
    deferred_len_end(c, off, n, b'*')
    return n


cdef bint reply_first_entry(Client c, fk_stream *s, const fk_streamid *start,
                           const fk_streamid *end, bint rev) except -1:
    """streamReplyWithRange(start, end, 1, rev, RAWENTRIES): [id, [fields...]]
    of the first entry in range if any; nothing written otherwise.  Returns
    whether there was one."""
    cdef fk_stream_iter si
    cdef fk_streamid got
    cdef int64_t numfields
    cdef bint found = False
    fk_stream_iter_start(&si, s, start, end, rev)
    try:
        if fk_stream_iter_get_id(&si, &got, &numfields):
            reply_entry(c, &si, &got, numfields)
            found = True
    finally:
        fk_stream_iter_stop(&si)
    return found


cdef inline bint reply_one_entry(Client c, fk_stream *s, const fk_streamid *id) except -1:
    """The entry id ([id, [fields...]]) if it exists; nothing otherwise."""
    return reply_first_entry(c, s, id, id, False)


cdef bint entry_exists(fk_stream *s, const fk_streamid *id) noexcept:
    """streamEntryExists."""
    cdef fk_stream_iter si
    cdef fk_streamid got
    cdef int64_t numfields
    cdef int found
    fk_stream_iter_start(&si, s, id, id, 0)
    found = fk_stream_iter_get_id(&si, &got, &numfields)
    fk_stream_iter_stop(&si)
    return found != 0


cdef long long reply_from_consumer_pel(Client c, fk_stream *s, const fk_streamid *start,
                                       long long count, fk_stream_consumer *consumer) except -1:
    """streamReplyWithRangeFromConsumerPEL: the consumer's pending entries
    from start (history read); a deleted entry is [id, nil]; each served
    one is delivered again (delivery time, count)."""
    cdef fk_rax_iter ri
    cdef unsigned char startkey[16]
    cdef fk_streamid thisid
    cdef fk_stream_nack *nack
    cdef long long n = 0
    cdef long long now = fk_mstime()
    cdef Py_ssize_t off = deferred_len_begin(c)
    fk_streamid_encode(startkey, start)
    fk_rax_start(&ri, consumer.pel)
    try:
        fk_rax_seek(&ri, b">=", startkey, 16)
        while fk_rax_next(&ri) and (not count or n < count):
            fk_streamid_decode(ri.key, &thisid)
            if not reply_one_entry(c, s, &thisid):
                c.add_array_len(2)
                reply_stream_id(c, &thisid)
                c.add_null_array()
            else:
                nack = <fk_stream_nack *>ri.data
                nack.delivery_time = now
                nack.delivery_count += 1
            n += 1
    finally:
        fk_rax_stop(&ri)
    deferred_len_end(c, off, n, b'*')
    return n


cdef fk_stream_consumer *consumer_for_read(Client c, fk_stream_cg *group, int gi, int ci,
                                           int ki) except NULL:
    """streamLookupConsumer(SLC_DEFAULT) (refreshes seen_time), else
    streamCreateConsumer(SCC_DEFAULT): dirty++ and xgroup-createconsumer."""
    cdef long long now = fk_mstime()
    cdef fk_stream_consumer *consumer = fk_stream_lookup_consumer(group, c.argv[ci].p, c.argv[ci].n)
    if consumer != NULL:
        consumer.seen_time = now
        return consumer
    consumer = fk_stream_create_consumer(group, c.argv[ci].p, c.argv[ci].n, now)
    mark_dirty(c, 1)
    notify_event(c.db, NOTIFY_STREAM, b"xgroup-createconsumer", c.argv[ki].p, c.argv[ki].n)
    return consumer


# -- XREAD / XREADGROUP (xreadCommand) ----------------------------------------

cdef inline bint has_entry_after(fk_stream *s, const fk_streamid *id) noexcept:
    """streamLastValidID(s) > id (the last live entry's ID; no iterator
    needed when the stream's last ID is not past id)."""
    cdef fk_streamid maxid
    if not s.length or fk_streamid_cmp(&s.last_id, id) <= 0:
        return False
    fk_stream_get_edge_id(s, 0, 1, &maxid)
    return fk_streamid_cmp(&maxid, id) > 0


cdef int parse_block_ms(Client c, int i, long long *deadline) except -1:
    """getTimeoutFromObjectOrReply(UNIT_MILLISECONDS); on re-execution the
    original deadline.  Returns 1 after replying an error."""
    cdef long long tval, now
    if c.flags & CF_REPROCESSING:
        deadline[0] = c.bdeadline_ms
        return 0
    if not arg_ll(c, i, &tval):
        c.add_error_str("ERR timeout is not an integer or out of range")
        return 1
    if tval < 0:
        c.add_error_str("ERR timeout is negative")
        return 1
    if tval > 0:
        now = fk_mstime()
        if tval > LLONG_MAX - now:
            # 7.0.15 has no range check: the deadline overflows and the
            # client waits forever (its timeout never fires)
            tval = 0
        else:
            tval += now
    deadline[0] = tval
    return 0


cdef int xread_generic(Client c, bint xreadgroup) except -1:
    cdef long long deadline = 0
    cdef bint block = False
    cdef long long count = 0
    cdef int streams_count = 0, streams_arg = 0
    cdef bint noack = False
    cdef int group_i = 0      # argv index of the group name, 0 = none
    cdef int i, moreargs, id_idx, ki
    cdef fk_streamid ids_static[STATIC_IDS]
    cdef fk_stream_cg *groups_static[STATIC_IDS]
    cdef fk_streamid *ids = ids_static
    cdef fk_stream_cg **groups = groups_static
    cdef bint reprocessing = (c.flags & CF_REPROCESSING) != 0
    cdef int ready_idx = -1   # on a re-run: the index of the key that became ready
    cdef bytes saved
    cdef const char *saved_p
    cdef fk_entry *e
    cdef fk_stream *s
    cdef fk_stream_cg *group
    cdef fk_stream_consumer *consumer
    cdef fk_streamid maxid, start
    cdef fk_streamid *gt
    cdef bint serve_sync, serve_history
    cdef long long arraylen = 0
    cdef Py_ssize_t off = 0

    # Parse arguments.
    i = 1
    while i < c.argc:
        moreargs = c.argc - i - 1
        if arg_eq(c, i, b"block", 5) and moreargs:
            if c.flags & CF_SCRIPT:
                # 7.0: no BLOCK inside scripts, an error rather than a null
                c.add_error_str("ERR %s command is not allowed with BLOCK option from scripts"
                                % c.arg(0).decode("utf-8", "replace"))
                return 0
            i += 1
            if parse_block_ms(c, i, &deadline):
                return 0
            block = True
        elif arg_eq(c, i, b"count", 5) and moreargs:
            i += 1
            if not arg_ll(c, i, &count):
                c.add_error_str("ERR value is not an integer or out of range")
                return 0
            if count < 0:
                count = 0
        elif arg_eq(c, i, b"streams", 7) and moreargs:
            streams_arg = i + 1
            streams_count = c.argc - streams_arg
            if streams_count % 2 != 0:
                # (7.0.15 says XREAD and '$' for XREADGROUP too)
                c.add_error_str("ERR Unbalanced XREAD list of streams: for each stream "
                                "key an ID or '$' must be specified.")
                return 0
            streams_count //= 2
            break
        elif arg_eq(c, i, b"group", 5) and moreargs >= 2:
            if not xreadgroup:
                c.add_error_str("ERR The GROUP option is only supported by XREADGROUP. "
                                "You called XREAD instead.")
                return 0
            group_i = i + 1
            i += 2
        elif arg_eq(c, i, b"noack", 5):
            if not xreadgroup:
                c.add_error_str("ERR The NOACK option is only supported by XREADGROUP. "
                                "You called XREAD instead.")
                return 0
            noack = True
        else:
            c.add_syntax_error()
            return 0
        i += 1

    if streams_arg == 0:
        c.add_syntax_error()
        return 0
    if xreadgroup and group_i == 0:
        c.add_error_str("ERR Missing GROUP option for XREADGROUP")
        return 0

    if streams_count > STATIC_IDS:
        ids = <fk_streamid *>malloc(sizeof(fk_streamid) * streams_count)
        groups = <fk_stream_cg **>malloc(sizeof(fk_stream_cg *) * streams_count)
        if ids == NULL or groups == NULL:
            free(ids)
            free(groups)
            raise MemoryError()
    try:
        if reprocessing and c.bready_key is not None:
            # 7.0 serves a woken client from the key that became ready (the
            # first signalled one), its first occurrence in STREAMS
            for i in range(streams_count):
                ki = streams_arg + i
                if (c.argv[ki].n == PyBytes_GET_SIZE(c.bready_key) and
                        memcmp(c.argv[ki].p, PyBytes_AS_STRING(c.bready_key), c.argv[ki].n) == 0):
                    ready_idx = i
                    break
        # Parse the IDs and resolve the groups.
        for i in range(streams_arg + streams_count, c.argc):
            id_idx = i - streams_arg - streams_count
            ki = i - streams_count
            if ready_idx >= 0 and id_idx != ready_idx:
                continue        # only the ready key matters on a re-run
            e = lookup_stream(c, ki, LOOKUP_NONE) if not reprocessing else \
                c.db.lookup(c.argv[ki].p, c.argv[ki].n, LOOKUP_NONE)
            if reprocessing and e != NULL and (e.meta & 0xF) != OBJ_STREAM:
                # The key the client blocked on holds something else now.
                if group_i:
                    c.add_error_str("UNBLOCKED the stream key no longer exists")
                    return 0
                e = NULL
            if e == WRONGTYPE_ENTRY:
                return 0
            group = NULL
            if group_i:
                if e != NULL:
                    group = fk_stream_lookup_cg(S(e), c.argv[group_i].p, c.argv[group_i].n)
                if e == NULL or group == NULL:
                    if reprocessing:
                        if e == NULL:
                            c.add_error_str("UNBLOCKED the stream key no longer exists")
                        else:
                            c.add_error_str("NOGROUP the consumer group this client was "
                                            "blocked on no longer exists")
                        return 0
                    return error_fmt(c, b"NOGROUP No such key '" + cstr(c, ki) +
                                     b"' or consumer group '" + cstr(c, group_i) +
                                     b"' in XREADGROUP with GROUP option")
                groups[id_idx] = group
            if is_word(c, i, b'$'):
                if xreadgroup:
                    c.add_error_str("ERR The $ ID is meaningless in the context of XREADGROUP: "
                                    "you want to read the history of this consumer by "
                                    "specifying a proper ID, or use the > ID to get new "
                                    "messages. The $ ID would just return an empty result set.")
                    return 0
                if (reprocessing and type(c.bstate) is bytes and
                        PyBytes_GET_SIZE(c.bstate) == <Py_ssize_t>(sizeof(fk_streamid) * streams_count)):
                    # '$' is the last ID when the client blocked
                    saved = <bytes>c.bstate
                    saved_p = PyBytes_AS_STRING(saved)
                    memcpy(&ids[id_idx], saved_p + id_idx * sizeof(fk_streamid), sizeof(fk_streamid))
                elif e != NULL:
                    ids[id_idx] = S(e).last_id
                else:
                    ids[id_idx].ms = 0
                    ids[id_idx].seq = 0
                continue
            elif is_word(c, i, b'>'):
                if not xreadgroup:
                    c.add_error_str("ERR The > ID can be specified only when calling XREADGROUP "
                                    "using the GROUP <group> <consumer> option.")
                    return 0
                ids[id_idx].ms = U64_MAX
                ids[id_idx].seq = U64_MAX
                continue
            if parse_strict_id(c, i, &ids[id_idx], 0, NULL):
                return 0

        if reprocessing and count == 0:
            # blocked clients are served at most this many entries (7.0)
            count = XREAD_BLOCKED_DEFAULT_COUNT

        # Try to serve the client synchronously.
        for i in range(streams_count):
            if ready_idx >= 0 and i != ready_idx:
                continue
            ki = streams_arg + i
            e = c.db.lookup(c.argv[ki].p, c.argv[ki].n, LOOKUP_NONE)
            if e == NULL or (e.meta & 0xF) != OBJ_STREAM:
                continue
            s = S(e)
            gt = &ids[i]
            serve_sync = False
            serve_history = False
            if reprocessing:
                # serveClientsBlockedOnStreamKey: served when the stream's
                # last ID passed the one waited for, even if the entries
                # after it were deleted meanwhile (an empty array then)
                if group_i:
                    gt[0] = groups[i].last_id
                serve_sync = fk_streamid_cmp(&s.last_id, gt) > 0
            elif group_i:
                if gt.ms != U64_MAX or gt.seq != U64_MAX:
                    serve_sync = True
                    serve_history = True
                elif has_entry_after(s, &groups[i].last_id):
                    serve_sync = True
                    gt[0] = groups[i].last_id
            elif has_entry_after(s, gt):
                serve_sync = True
            if not serve_sync:
                continue
            arraylen += 1
            if arraylen == 1:
                off = deferred_len_begin(c)
            start = gt[0]
            fk_streamid_incr(&start)
            if c.resp == 2:
                c.add_array_len(2)
            c.add_bulk(c.argv[ki].p, c.argv[ki].n)
            if group_i:
                consumer = consumer_for_read(c, groups[i], group_i, group_i + 1, ki)
                if serve_history:
                    reply_from_consumer_pel(c, s, &start, count, consumer)
                else:
                    reply_range_group(c, s, &start, count, groups[i], consumer, noack)
                if not reprocessing:
                    mark_dirty(c, 1)
            else:
                reply_range(c, s, &start, NULL, count, False)
            if reprocessing:
                # a blocked client is served one stream, the ready one (7.0)
                break

        if arraylen:
            deferred_len_end(c, off, arraylen, b'*' if c.resp == 2 else b'%')
            return 0

        # Block if needed.
        if block:
            if c.deny_blocking():
                return c.add_null_array()
            if not reprocessing:
                c.bstate = PyBytes_FromStringAndSize(<char *>ids, sizeof(fk_streamid) * streams_count)
            c.block_for_keys(streams_arg, streams_count, deadline, BLOCKED_STREAM)
            return 0
        return c.add_null_array()
    finally:
        if ids != ids_static:
            free(ids)
            free(groups)


cdef int xread_impl(Client c) except -1:
    return xread_generic(c, False)


cdef int xreadgroup_impl(Client c) except -1:
    return xread_generic(c, True)


# -- XGROUP (xgroupCommand) -------------------------------------------------

XGROUP_HELP = [
    b"CREATE <key> <groupname> <id|$> [option]",
    b"    Create a new consumer group. Options are:",
    b"    * MKSTREAM",
    b"      Create the empty stream if it does not exist.",
    b"    * ENTRIESREAD entries_read",
    b"      Set the group's entries_read counter (internal use).",
    b"CREATECONSUMER <key> <groupname> <consumer>",
    b"    Create a new consumer in the specified group.",
    b"DELCONSUMER <key> <groupname> <consumer>",
    b"    Remove the specified consumer.",
    b"DESTROY <key> <groupname>",
    b"    Remove the specified group.",
    b"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    b"    Set the current group ID and entries_read counter.",
]

XINFO_HELP = [
    b"CONSUMERS <key> <groupname>",
    b"    Show consumers of <groupname>.",
    b"GROUPS <key>",
    b"    Show the stream consumer groups.",
    b"STREAM <key> [FULL [COUNT <count>]",
    b"    Show information about the stream.",
]

cdef enum:
    XG_CREATE = 1
    XG_SETID = 2
    XG_DESTROY = 3
    XG_CREATECONSUMER = 4
    XG_DELCONSUMER = 5


cdef int xgroup_generic(Client c, int sub) except -1:
    cdef fk_stream *s = NULL
    cdef fk_stream_cg *cg = NULL
    cdef fk_stream_consumer *consumer
    cdef bint mkstream = False
    cdef long long entries_read = SCG_INVALID
    cdef fk_entry *e
    cdef int i
    cdef fk_streamid id
    cdef bint create = sub == XG_CREATE, setid = sub == XG_SETID
    cdef long long pending
    cdef const char *k = c.argv[2].p
    cdef Py_ssize_t kn = c.argv[2].n

    # Options (MKSTREAM for CREATE, ENTRIESREAD for CREATE and SETID).
    i = 5
    while i < c.argc:
        if create and arg_eq(c, i, b"mkstream", 8):
            mkstream = True
            i += 1
        elif (create or setid) and arg_eq(c, i, b"entriesread", 11) and i + 1 < c.argc:
            if not arg_ll(c, i + 1, &entries_read):
                c.add_error_str("ERR value is not an integer or out of range")
                return 0
            if entries_read < 0 and entries_read != SCG_INVALID:
                c.add_error_str("ERR value for ENTRIESREAD must be positive or -1")
                return 0
            i += 2
        else:
            return subcommand_syntax_error(c, b"XGROUP")

    e = lookup_stream(c, 2, LOOKUP_WRITE)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e != NULL:
        s = S(e)
    if not mkstream:
        if s == NULL:
            c.add_error_str("ERR The XGROUP subcommand requires the key to exist. Note that for "
                            "CREATE you may want to use the MKSTREAM option to create an empty "
                            "stream automatically.")
            return 0
        cg = fk_stream_lookup_cg(s, c.argv[3].p, c.argv[3].n)
        if cg == NULL and (setid or sub == XG_CREATECONSUMER or sub == XG_DELCONSUMER):
            return error_fmt(c, b"NOGROUP No such consumer group '" + cstr(c, 3) +
                             b"' for key name '" + cstr(c, 2) + b"'")

    if create:
        if c.argc > 8:
            return subcommand_syntax_error(c, b"XGROUP")
        if is_word(c, 4, b'$'):
            if s != NULL:
                id = s.last_id
            else:
                id.ms = 0
                id.seq = 0
        elif parse_strict_id(c, 4, &id, 0, NULL):
            return 0
        if s == NULL:
            s = fk_stream_new()
            c.db.add_value(k, kn, OBJ_STREAM, ENC_STREAM, s)
            signal_modified_key(c.db, k, kn)
        cg = fk_stream_create_cg(s, c.argv[3].p, c.argv[3].n, &id, entries_read)
        if cg != NULL:
            c.add_ok()
            mark_dirty(c, 1)
            notify_event(c.db, NOTIFY_STREAM, b"xgroup-create", k, kn)
        else:
            c.add_error_str("BUSYGROUP Consumer Group name already exists")
    elif setid:
        if c.argc != 5 and c.argc != 7:
            return subcommand_syntax_error(c, b"XGROUP")
        if is_word(c, 4, b'$'):
            id = s.last_id
        elif parse_id(c, 4, &id, 0):
            return 0
        cg.last_id = id
        cg.entries_read = entries_read
        c.add_ok()
        mark_dirty(c, 1)
        notify_event(c.db, NOTIFY_STREAM, b"xgroup-setid", k, kn)
    elif sub == XG_DESTROY:
        if cg != NULL:
            fk_stream_destroy_cg(s, c.argv[3].p, c.argv[3].n)
            c.add_int(1)
            mark_dirty(c, 1)
            notify_event(c.db, NOTIFY_STREAM, b"xgroup-destroy", k, kn)
            # XREADGROUP clients blocked on this group get -NOGROUP
            signal_key_as_ready(c.db, k, kn)
        else:
            c.add_int(0)
    elif sub == XG_CREATECONSUMER:
        consumer = fk_stream_create_consumer(cg, c.argv[4].p, c.argv[4].n, fk_mstime())
        if consumer != NULL:
            mark_dirty(c, 1)
            notify_event(c.db, NOTIFY_STREAM, b"xgroup-createconsumer", k, kn)
        c.add_int(1 if consumer != NULL else 0)
    elif sub == XG_DELCONSUMER:
        pending = 0
        consumer = fk_stream_lookup_consumer(cg, c.argv[4].p, c.argv[4].n)
        if consumer != NULL:
            pending = <long long>fk_rax_size(consumer.pel)
            fk_stream_del_consumer(cg, consumer)
            mark_dirty(c, 1)
            notify_event(c.db, NOTIFY_STREAM, b"xgroup-delconsumer", k, kn)
        c.add_int(pending)
    return 0


cdef int xgroup_create_impl(Client c) except -1:
    return xgroup_generic(c, XG_CREATE)


cdef int xgroup_setid_impl(Client c) except -1:
    return xgroup_generic(c, XG_SETID)


cdef int xgroup_destroy_impl(Client c) except -1:
    return xgroup_generic(c, XG_DESTROY)


cdef int xgroup_createconsumer_impl(Client c) except -1:
    return xgroup_generic(c, XG_CREATECONSUMER)


cdef int xgroup_delconsumer_impl(Client c) except -1:
    return xgroup_generic(c, XG_DELCONSUMER)


# -- XACK (xackCommand) -------------------------------------------------------

cdef int xack_impl(Client c) except -1:
    cdef fk_stream_cg *group = NULL
    cdef fk_entry *e = lookup_stream(c, 1, LOOKUP_NONE)
    cdef fk_streamid ids_static[STATIC_IDS]
    cdef fk_streamid *ids = ids_static
    cdef int id_count = c.argc - 3
    cdef int j
    cdef long long acknowledged = 0
    cdef unsigned char buf[16]
    cdef void *found
    cdef fk_stream_nack *nack
    if e == WRONGTYPE_ENTRY:
        return 0
    if e != NULL:
        group = fk_stream_lookup_cg(S(e), c.argv[2].p, c.argv[2].n)
    if e == NULL or group == NULL:
        return c.add_int(0)
    ids = ids_alloc(id_count, ids_static, STATIC_IDS)
    try:
        # All or nothing: parse every ID first.
        if parse_strict_ids(c, 3, id_count, ids):
            return 0
        for j in range(id_count):
            fk_streamid_encode(buf, &ids[j])
            if fk_rax_remove(group.pel, buf, 16, &found):
                nack = <fk_stream_nack *>found
                fk_rax_remove(nack.consumer.pel, buf, 16, NULL)
                fk_stream_free_nack(nack)
                acknowledged += 1
        mark_dirty(c, acknowledged)
        return c.add_int(acknowledged)
    finally:
        if ids != ids_static:
            free(ids)


# -- XPENDING (xpendingCommand) ---------------------------------------------

cdef int xpending_impl(Client c) except -1:
    cdef bint justinfo = c.argc == 3
    cdef int consumer_i = 0
    cdef fk_streamid startid, endid, id
    cdef long long count = 0, minidle = 0
    cdef bint startex = False, endex = False
    cdef int startidx
    cdef fk_entry *e
    cdef fk_stream_cg *group = NULL
    cdef fk_stream_consumer *consumer = NULL
    cdef fk_rax *pel
    cdef fk_rax_iter ri
    cdef unsigned char startkey[16]
    cdef unsigned char endkey[16]
    cdef fk_stream_nack *nack
    cdef long long now, elapsed, n
    cdef Py_ssize_t off

    if c.argc != 3 and (c.argc < 6 or c.argc > 9):
        c.add_syntax_error()
        return 0
    if c.argc >= 6:
        startidx = 3
        if arg_eq(c, 3, b"idle", 4):
            if not arg_ll(c, 4, &minidle):
                c.add_error_str("ERR value is not an integer or out of range")
                return 0
            if c.argc < 8:
                c.add_syntax_error()
                return 0
            startidx += 2
        if not arg_ll(c, startidx + 2, &count):
            c.add_error_str("ERR value is not an integer or out of range")
            return 0
        if count < 0:
            count = 0
        if parse_interval_id(c, startidx, &startid, &startex, 0):
            return 0
        if startex and fk_streamid_incr(&startid) != 0:
            c.add_error_str("ERR invalid start ID for the interval")
            return 0
        if parse_interval_id(c, startidx + 1, &endid, &endex, U64_MAX):
            return 0
        if endex and fk_streamid_decr(&endid) != 0:
            c.add_error_str("ERR invalid end ID for the interval")
            return 0
        if startidx + 3 < c.argc:
            consumer_i = startidx + 3

    e = lookup_stream(c, 1, LOOKUP_NONE)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e != NULL:
        group = fk_stream_lookup_cg(S(e), c.argv[2].p, c.argv[2].n)
    if e == NULL or group == NULL:
        return error_fmt(c, b"NOGROUP No such key '" + cstr(c, 1) + b"' or consumer group '" +
                         cstr(c, 2) + b"'")

    if justinfo:
        c.add_array_len(4)
        c.add_int(<long long>fk_rax_size(group.pel))
        if fk_rax_size(group.pel) == 0:
            c.add_null()
            c.add_null()
            c.add_null_array()
            return 0
        fk_rax_start(&ri, group.pel)
        try:
            fk_rax_seek(&ri, b"^", NULL, 0)
            fk_rax_next(&ri)
            fk_streamid_decode(ri.key, &startid)
            reply_stream_id(c, &startid)
            fk_rax_seek(&ri, b"$", NULL, 0)
            fk_rax_next(&ri)
            fk_streamid_decode(ri.key, &endid)
            reply_stream_id(c, &endid)
        finally:
            fk_rax_stop(&ri)
        # consumers with pending messages
        off = deferred_len_begin(c)
        n = 0
        fk_rax_start(&ri, group.consumers)
        try:
            fk_rax_seek(&ri, b"^", NULL, 0)
            while fk_rax_next(&ri):
                consumer = <fk_stream_consumer *>ri.data
                if fk_rax_size(consumer.pel) == 0:
                    continue
                c.add_array_len(2)
                c.add_bulk(<char *>ri.key, ri.key_len)
                add_bulk_ll(c, <long long>fk_rax_size(consumer.pel))
                n += 1
        finally:
            fk_rax_stop(&ri)
        deferred_len_end(c, off, n, b'*')
        return 0

    if consumer_i:
        consumer = fk_stream_lookup_consumer(group, c.argv[consumer_i].p, c.argv[consumer_i].n)
        if consumer == NULL:
            return c.add_array_len(0)
    pel = consumer.pel if consumer != NULL else group.pel
    now = fk_mstime()
    fk_streamid_encode(startkey, &startid)
    fk_streamid_encode(endkey, &endid)
    off = deferred_len_begin(c)
    n = 0
    fk_rax_start(&ri, pel)
    try:
        fk_rax_seek(&ri, b">=", startkey, 16)
        while count and fk_rax_next(&ri) and memcmp(ri.key, endkey, ri.key_len) <= 0:
            nack = <fk_stream_nack *>ri.data
            if minidle:
                if now - nack.delivery_time < minidle:
                    continue
            n += 1
            count -= 1
            c.add_array_len(4)
            fk_streamid_decode(ri.key, &id)
            reply_stream_id(c, &id)
            c.add_bulk(nack.consumer.name.buf, nack.consumer.name.len)
            elapsed = now - nack.delivery_time
            if elapsed < 0:
                elapsed = 0
            c.add_int(elapsed)
            c.add_int(<long long>nack.delivery_count)
    finally:
        fk_rax_stop(&ri)
    deferred_len_end(c, off, n, b'*')
    return 0


# -- XCLAIM (xclaimCommand) ---------------------------------------------------

cdef fk_stream_consumer *claim_consumer(Client c, fk_stream_cg *group) except NULL:
    """streamLookupConsumer(SLC_DEFAULT) or streamCreateConsumer for argv[3]."""
    return consumer_for_read(c, group, 2, 3, 1)


cdef int xclaim_impl(Client c) except -1:
    cdef fk_stream_cg *group = NULL
    cdef fk_entry *e = lookup_stream(c, 1, LOOKUP_NONE)
    cdef fk_stream *s
    cdef long long minidle, retrycount = -1, deliverytime = -1, now, this_idle
    cdef bint force = False, justid = False, propagate_last_id = False
    cdef int j, last_id_arg, moreargs, id_count = c.argc - 5
    cdef fk_streamid ids_static[STATIC_IDS]
    cdef fk_streamid *ids = ids_static
    cdef fk_streamid last_id
    cdef fk_stream_consumer *consumer = NULL
    cdef unsigned char buf[16]
    cdef void *found
    cdef fk_stream_nack *nack
    cdef long long arraylen = 0
    cdef Py_ssize_t off
    if e == WRONGTYPE_ENTRY:
        return 0
    if e != NULL:
        group = fk_stream_lookup_cg(S(e), c.argv[2].p, c.argv[2].n)
    if e == NULL or group == NULL:
        return error_fmt(c, b"NOGROUP No such key '" + cstr(c, 1) + b"' or consumer group '" +
                         cstr(c, 2) + b"'")
    s = S(e)
    if not arg_ll(c, 4, &minidle):
        c.add_error_str("ERR Invalid min-idle-time argument for XCLAIM")
        return 0
    if minidle < 0:
        minidle = 0
    ids = ids_alloc(id_count, ids_static, STATIC_IDS)
    try:
        # The IDs, then (from the first thing that is not an ID) the options.
        j = 5
        while j < c.argc:
            if fk_streamid_parse(c.argv[j].p, c.argv[j].n, &ids[j - 5], 0, 1, NULL) != 0:
                break
            j += 1
        last_id_arg = j - 1
        now = fk_mstime()
        last_id.ms = 0
        last_id.seq = 0
        while j < c.argc:
            moreargs = c.argc - 1 - j
            if arg_eq(c, j, b"force", 5):
                force = True
            elif arg_eq(c, j, b"justid", 6):
                justid = True
            elif arg_eq(c, j, b"idle", 4) and moreargs:
                j += 1
                if not arg_ll(c, j, &deliverytime):
                    c.add_error_str("ERR Invalid IDLE option argument for XCLAIM")
                    return 0
                # now - IDLE, wrapping as Redis's does (IDLE may be LLONG_MIN)
                deliverytime = <long long>(<unsigned long long>now - <unsigned long long>deliverytime)
            elif arg_eq(c, j, b"time", 4) and moreargs:
                j += 1
                if not arg_ll(c, j, &deliverytime):
                    c.add_error_str("ERR Invalid TIME option argument for XCLAIM")
                    return 0
            elif arg_eq(c, j, b"retrycount", 10) and moreargs:
                j += 1
                if not arg_ll(c, j, &retrycount):
                    c.add_error_str("ERR Invalid RETRYCOUNT option argument for XCLAIM")
                    return 0
            elif arg_eq(c, j, b"lastid", 6) and moreargs:
                j += 1
                if parse_strict_id(c, j, &last_id, 0, NULL):
                    return 0
            else:
                return error_fmt(c, b"ERR Unrecognized XCLAIM option '" + cstr(c, j) + b"'")
            j += 1

        if fk_streamid_cmp(&last_id, &group.last_id) > 0:
            group.last_id = last_id
            propagate_last_id = True
        if deliverytime != -1:
            if deliverytime < 0 or deliverytime > now:
                deliverytime = now
        else:
            deliverytime = now

        off = deferred_len_begin(c)
        for j in range(5, last_id_arg + 1):
            fk_streamid_encode(buf, &ids[j - 5])
            found = NULL
            if not fk_rax_find(group.pel, buf, 16, &found):
                found = NULL
            nack = <fk_stream_nack *>found
            if not entry_exists(s, &ids[j - 5]):
                # the entry is gone: its NACK leaves the PEL
                if nack != NULL:
                    fk_rax_remove(group.pel, buf, 16, NULL)
                    fk_rax_remove(nack.consumer.pel, buf, 16, NULL)
                    fk_stream_free_nack(nack)
                    mark_dirty(c, 1)
                    propagate_last_id = False
                continue
            if force and nack == NULL:
                nack = fk_stream_create_nack(NULL, now)
                fk_rax_insert(group.pel, buf, 16, nack, NULL)
            if nack != NULL:
                if nack.consumer != NULL and minidle:
                    this_idle = now - nack.delivery_time
                    if this_idle < minidle:
                        continue
                if consumer == NULL:
                    consumer = claim_consumer(c, group)
                if nack.consumer != consumer and nack.consumer != NULL:
                    fk_rax_remove(nack.consumer.pel, buf, 16, NULL)
                nack.delivery_time = deliverytime
                if retrycount >= 0:
                    nack.delivery_count = retrycount
                elif not justid:
                    nack.delivery_count += 1
                if nack.consumer != consumer:
                    fk_rax_insert(consumer.pel, buf, 16, nack, NULL)
                    nack.consumer = consumer
                if justid:
                    reply_stream_id(c, &ids[j - 5])
                elif not reply_one_entry(c, s, &ids[j - 5]):
                    c.add_null()
                arraylen += 1
                mark_dirty(c, 1)
                propagate_last_id = False
        if propagate_last_id:
            # 7.0 propagates the new last ID as XGROUP SETID: one change
            mark_dirty(c, 1)
        deferred_len_end(c, off, arraylen, b'*')
        return 0
    finally:
        if ids != ids_static:
            free(ids)


# -- XAUTOCLAIM (xautoclaimCommand) -------------------------------------------

cdef int xautoclaim_impl(Client c) except -1:
    cdef fk_stream_cg *group = NULL
    cdef fk_entry *e
    cdef fk_stream *s
    cdef long long minidle, count = 100, attempts, now
    cdef fk_streamid startid, endid, id
    cdef bint startex = False, justid = False
    cdef int j, moreargs
    cdef long long max_count = LLONG_MAX // 16
    cdef fk_stream_consumer *consumer = NULL
    cdef fk_rax_iter ri
    cdef unsigned char startkey[16]
    cdef unsigned char keybuf[16]
    cdef fk_stream_nack *nack
    cdef fk_streamid *claimed = NULL
    cdef fk_streamid *deleted = NULL
    cdef long long nclaimed = 0, ndeleted = 0, cap
    if not arg_ll(c, 4, &minidle):
        c.add_error_str("ERR Invalid min-idle-time argument for XAUTOCLAIM")
        return 0
    if minidle < 0:
        minidle = 0
    if parse_interval_id(c, 5, &startid, &startex, 0):
        return 0
    if startex and fk_streamid_incr(&startid) != 0:
        c.add_error_str("ERR invalid start ID for the interval")
        return 0
    j = 6
    while j < c.argc:
        moreargs = c.argc - 1 - j
        if arg_eq(c, j, b"count", 5) and moreargs:
            if not arg_ll(c, j + 1, &count) or count < 1 or count > max_count:
                c.add_error_str("ERR COUNT must be > 0")
                return 0
            j += 1
        elif arg_eq(c, j, b"justid", 6):
            justid = True
        else:
            c.add_syntax_error()
            return 0
        j += 1

    e = lookup_stream(c, 1, LOOKUP_NONE)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e != NULL:
        group = fk_stream_lookup_cg(S(e), c.argv[2].p, c.argv[2].n)
    if e == NULL or group == NULL:
        return error_fmt(c, b"NOGROUP No such key '" + cstr(c, 1) + b"' or consumer group '" +
                         cstr(c, 2) + b"'")
    s = S(e)
    attempts = count * 10
    # what the reply lists can hold: no more than the PEL or COUNT
    cap = <long long>fk_rax_size(group.pel)
    if cap > count:
        cap = count
    claimed = <fk_streamid *>malloc(sizeof(fk_streamid) * (cap + 1))
    deleted = <fk_streamid *>malloc(sizeof(fk_streamid) * (cap + 1))
    if claimed == NULL or deleted == NULL:
        free(claimed)
        free(deleted)
        raise MemoryError()
    try:
        now = fk_mstime()
        fk_streamid_encode(startkey, &startid)
        fk_rax_start(&ri, group.pel)
        try:
            fk_rax_seek(&ri, b">=", startkey, 16)
            while True:
                # while (attempts-- && count && raxNext(&ri))
                attempts -= 1
                if attempts + 1 == 0 or not count or not fk_rax_next(&ri):
                    break
                nack = <fk_stream_nack *>ri.data
                fk_streamid_decode(ri.key, &id)
                if not entry_exists(s, &id):
                    memcpy(keybuf, ri.key, 16)
                    fk_rax_remove(group.pel, keybuf, 16, NULL)
                    fk_rax_remove(nack.consumer.pel, keybuf, 16, NULL)
                    fk_stream_free_nack(nack)
                    mark_dirty(c, 1)
                    deleted[ndeleted] = id
                    ndeleted += 1
                    fk_rax_seek(&ri, b">=", keybuf, 16)
                    count -= 1
                    continue
                if minidle:
                    if now - nack.delivery_time < minidle:
                        continue
                if consumer == NULL:
                    consumer = claim_consumer(c, group)
                if nack.consumer != consumer:
                    fk_rax_remove(nack.consumer.pel, ri.key, 16, NULL)
                nack.delivery_time = now
                if not justid:
                    nack.delivery_count += 1
                if nack.consumer != consumer:
                    fk_rax_insert(consumer.pel, ri.key, 16, nack, NULL)
                    nack.consumer = consumer
                claimed[nclaimed] = id
                nclaimed += 1
                count -= 1
                mark_dirty(c, 1)
            # the next entry is the cursor of the next call
            fk_rax_next(&ri)
            if fk_rax_eof(&ri):
                endid.ms = 0
                endid.seq = 0
            else:
                fk_streamid_decode(ri.key, &endid)
        finally:
            fk_rax_stop(&ri)

        c.add_array_len(3)
        reply_stream_id(c, &endid)
        c.add_array_len(nclaimed)
        for j in range(nclaimed):
            if justid:
                reply_stream_id(c, &claimed[j])
            else:
                reply_one_entry(c, s, &claimed[j])
        c.add_array_len(ndeleted)
        for j in range(ndeleted):
            reply_stream_id(c, &deleted[j])
        return 0
    finally:
        free(claimed)
        free(deleted)


# -- XINFO (xinfoCommand) -----------------------------------------------------

cdef int reply_cg_lag(Client c, fk_stream *s, fk_stream_cg *cg) except -1:
    """streamReplyWithCGLag."""
    cdef bint valid = False
    cdef long long lag = 0, entries_read
    if not s.entries_added:
        lag = 0
        valid = True
    elif cg.entries_read != SCG_INVALID and not fk_stream_range_has_tombstones(s, &cg.last_id, NULL):
        lag = <long long>s.entries_added - cg.entries_read
        valid = True
    else:
        entries_read = fk_stream_estimate_distance(s, &cg.last_id)
        if entries_read != SCG_INVALID:
            lag = <long long>s.entries_added - entries_read
            valid = True
    if valid:
        return c.add_int(lag)
    return c.add_null()


cdef inline int add_key(Client c, const char *name) except -1:
    cdef Py_ssize_t n = 0
    while name[n]:
        n += 1
    return c.add_bulk(name, n)


cdef int reply_entries_read(Client c, fk_stream_cg *cg) except -1:
    if cg.entries_read != SCG_INVALID:
        return c.add_int(cg.entries_read)
    return c.add_null()


cdef long long rax_node_count(fk_rax *r) except -1:
    """The node count of Redis's radix tree holding these 16-byte keys
    (rax.numnodes), for XINFO STREAM's radix-tree-nodes.  In the compressed
    trie Redis keeps, the nodes are: the root, every branching position,
    every leaf, and every child of a branching position that is neither
    (a compressed chain starts there).  Branching positions come from the
    common prefixes of neighbouring keys in order (a Cartesian-tree walk)."""
    cdef fk_rax_iter ri
    cdef unsigned char prev[16]
    cdef bint first = True
    cdef long long nkeys = <long long>fk_rax_size(r)
    cdef long long lcp, k, dx, gx, parent_depth
    cdef long long sdepth[17]
    cdef long long sdeg[17]
    cdef int top = 0
    cdef long long branches = 0, edges = 0, leaf_children = 0, branch_children = 0
    cdef bint root_branching = False
    if nkeys == 0:
        return 1
    fk_rax_start(&ri, r)
    try:
        fk_rax_seek(&ri, b"^", NULL, 0)
        while fk_rax_next(&ri):
            if ri.key_len != 16:
                return 0
            if not first:
                lcp = 0
                while lcp < 16 and ri.key[lcp] == prev[lcp]:
                    lcp += 1
                while top and sdepth[top - 1] > lcp:
                    top -= 1
                    dx = sdepth[top]
                    gx = sdeg[top]
                    branches += 1
                    edges += gx
                    if dx == 15:
                        leaf_children += gx
                    parent_depth = sdepth[top - 1] if (top and sdepth[top - 1] >= lcp) else lcp
                    if dx == parent_depth + 1:
                        branch_children += 1
                if top and sdepth[top - 1] == lcp:
                    sdeg[top - 1] += 1
                else:
                    sdepth[top] = lcp
                    sdeg[top] = 2
                    top += 1
            memcpy(prev, ri.key, 16)
            first = False
    finally:
        fk_rax_stop(&ri)
    while top:
        top -= 1
        dx = sdepth[top]
        gx = sdeg[top]
        branches += 1
        edges += gx
        if dx == 15:
            leaf_children += gx
        if dx == 0:
            root_branching = True
        if top and dx == sdepth[top - 1] + 1:
            branch_children += 1
    return (branches + nkeys + (edges - leaf_children - branch_children)
            + (0 if root_branching else 1))


cdef int reply_pel_full(Client c, fk_rax *pel, long long count, bint with_consumer) except -1:
    """XINFO STREAM FULL's pending lists: the first count NACKs (0 = all) as
    [id, consumer name (group PEL only), delivery time, delivery count]."""
    cdef fk_rax_iter pi
    cdef fk_stream_nack *nack
    cdef fk_streamid id
    cdef long long n = 0
    cdef Py_ssize_t off = deferred_len_begin(c)
    fk_rax_start(&pi, pel)
    try:
        fk_rax_seek(&pi, b"^", NULL, 0)
        while fk_rax_next(&pi) and (not count or n < count):
            nack = <fk_stream_nack *>pi.data
            c.add_array_len(4 if with_consumer else 3)
            fk_streamid_decode(pi.key, &id)
            reply_stream_id(c, &id)
            if with_consumer:
                c.add_bulk(nack.consumer.name.buf, nack.consumer.name.len)
            c.add_int(nack.delivery_time)
            c.add_int(<long long>nack.delivery_count)
            n += 1
    finally:
        fk_rax_stop(&pi)
    return deferred_len_end(c, off, n, b'*')


cdef int xinfo_stream_reply(Client c, fk_stream *s) except -1:
    """xinfoReplyWithStreamInfo."""
    cdef bint full = True
    cdef long long count = 10
    cdef int optc = c.argc - 3
    cdef fk_streamid start, end, id
    cdef fk_rax_iter gi, pi, ci
    cdef fk_stream_cg *cg
    cdef fk_stream_consumer *consumer
    cdef fk_stream_nack *nack
    cdef long long n
    cdef Py_ssize_t off
    cdef fk_stream_iter si
    cdef int64_t numfields
    if optc == 0:
        full = False
    else:
        if optc != 1 and optc != 3:
            return subcommand_syntax_error(c, b"XINFO")
        if not arg_eq(c, 3, b"full", 4):
            return subcommand_syntax_error(c, b"XINFO")
        if optc == 3:
            if not arg_eq(c, 4, b"count", 5):
                return subcommand_syntax_error(c, b"XINFO")
            if not arg_ll(c, 5, &count):
                c.add_error_str("ERR value is not an integer or out of range")
                return 0
            if count < 0:
                count = 10
    c.add_map_len(9 if full else 10)
    add_key(c, b"length")
    c.add_int(<long long>s.length)
    add_key(c, b"radix-tree-keys")
    c.add_int(<long long>fk_rax_size(s.rax))
    add_key(c, b"radix-tree-nodes")
    c.add_int(rax_node_count(s.rax))
    add_key(c, b"last-generated-id")
    reply_stream_id(c, &s.last_id)
    add_key(c, b"max-deleted-entry-id")
    reply_stream_id(c, &s.max_deleted_entry_id)
    add_key(c, b"entries-added")
    c.add_int(<long long>s.entries_added)
    add_key(c, b"recorded-first-entry-id")
    reply_stream_id(c, &s.first_id)
    if not full:
        add_key(c, b"groups")
        c.add_int(<long long>fk_rax_size(s.cgroups) if s.cgroups != NULL else 0)
        add_key(c, b"first-entry")
        if not reply_first_entry(c, s, NULL, NULL, False):
            c.add_null()
        add_key(c, b"last-entry")
        if not reply_first_entry(c, s, NULL, NULL, True):
            c.add_null()
        return 0

    add_key(c, b"entries")
    reply_range(c, s, NULL, NULL, count, False)

    add_key(c, b"groups")
    if s.cgroups == NULL:
        return c.add_array_len(0)
    c.add_array_len(<long long>fk_rax_size(s.cgroups))
    fk_rax_start(&gi, s.cgroups)
    try:
        fk_rax_seek(&gi, b"^", NULL, 0)
        while fk_rax_next(&gi):
            cg = <fk_stream_cg *>gi.data
            c.add_map_len(7)
            add_key(c, b"name")
            c.add_bulk(<char *>gi.key, gi.key_len)
            add_key(c, b"last-delivered-id")
            reply_stream_id(c, &cg.last_id)
            add_key(c, b"entries-read")
            reply_entries_read(c, cg)
            add_key(c, b"lag")
            reply_cg_lag(c, s, cg)
            add_key(c, b"pel-count")
            c.add_int(<long long>fk_rax_size(cg.pel))
            add_key(c, b"pending")
            reply_pel_full(c, cg.pel, count, True)
            add_key(c, b"consumers")
            c.add_array_len(<long long>fk_rax_size(cg.consumers))
            fk_rax_start(&ci, cg.consumers)
            try:
                fk_rax_seek(&ci, b"^", NULL, 0)
                while fk_rax_next(&ci):
                    consumer = <fk_stream_consumer *>ci.data
                    c.add_map_len(4)
                    add_key(c, b"name")
                    c.add_bulk(consumer.name.buf, consumer.name.len)
                    add_key(c, b"seen-time")
                    c.add_int(consumer.seen_time)
                    add_key(c, b"pel-count")
                    c.add_int(<long long>fk_rax_size(consumer.pel))
                    add_key(c, b"pending")
                    reply_pel_full(c, consumer.pel, count, False)
            finally:
                fk_rax_stop(&ci)
    finally:
        fk_rax_stop(&gi)
    return 0


cdef fk_stream *xinfo_lookup(Client c) except? NULL:
    """lookupKeyReadOrReply(nokeyerr) + checkType; NULL after replying."""
    cdef fk_entry *e = lookup_stream(c, 2, LOOKUP_NONE)
    if e == WRONGTYPE_ENTRY:
        return NULL
    if e == NULL:
        c.add_error_str("ERR no such key")
        return NULL
    return S(e)


cdef int xinfo_stream_impl(Client c) except -1:
    cdef fk_stream *s = xinfo_lookup(c)
    if s == NULL:
        return 0
    return xinfo_stream_reply(c, s)


cdef int xinfo_groups_impl(Client c) except -1:
    cdef fk_stream *s = xinfo_lookup(c)
    cdef fk_rax_iter ri
    cdef fk_stream_cg *cg
    if s == NULL:
        return 0
    if c.argc != 3:
        return subcommand_syntax_error(c, b"XINFO")
    if s.cgroups == NULL:
        return c.add_array_len(0)
    c.add_array_len(<long long>fk_rax_size(s.cgroups))
    fk_rax_start(&ri, s.cgroups)
    try:
        fk_rax_seek(&ri, b"^", NULL, 0)
        while fk_rax_next(&ri):
            cg = <fk_stream_cg *>ri.data
            c.add_map_len(6)
            add_key(c, b"name")
            c.add_bulk(<char *>ri.key, ri.key_len)
            add_key(c, b"consumers")
            c.add_int(<long long>fk_rax_size(cg.consumers))
            add_key(c, b"pending")
            c.add_int(<long long>fk_rax_size(cg.pel))
            add_key(c, b"last-delivered-id")
            reply_stream_id(c, &cg.last_id)
            add_key(c, b"entries-read")
            reply_entries_read(c, cg)
            add_key(c, b"lag")
            reply_cg_lag(c, s, cg)
    finally:
        fk_rax_stop(&ri)
    return 0


cdef int xinfo_consumers_impl(Client c) except -1:
    cdef fk_stream *s = xinfo_lookup(c)
    cdef fk_stream_cg *cg
    cdef fk_rax_iter ri
    cdef fk_stream_consumer *consumer
    cdef long long now, idle
    if s == NULL:
        return 0
    if c.argc != 4:
        return subcommand_syntax_error(c, b"XINFO")
    cg = fk_stream_lookup_cg(s, c.argv[3].p, c.argv[3].n)
    if cg == NULL:
        return error_fmt(c, b"NOGROUP No such consumer group '" + cstr(c, 3) +
                         b"' for key name '" + cstr(c, 2) + b"'")
    c.add_array_len(<long long>fk_rax_size(cg.consumers))
    now = fk_mstime()
    fk_rax_start(&ri, cg.consumers)
    try:
        fk_rax_seek(&ri, b"^", NULL, 0)
        while fk_rax_next(&ri):
            consumer = <fk_stream_consumer *>ri.data
            idle = now - consumer.seen_time
            if idle < 0:
                idle = 0
            c.add_map_len(3)
            add_key(c, b"name")
            c.add_bulk(consumer.name.buf, consumer.name.len)
            add_key(c, b"pending")
            c.add_int(<long long>fk_rax_size(consumer.pel))
            add_key(c, b"idle")
            c.add_int(idle)
    finally:
        fk_rax_stop(&ri)
    return 0


xread_cmd = wrap(xread_impl)
xreadgroup_cmd = wrap(xreadgroup_impl)
xgroup_create_cmd = wrap(xgroup_create_impl)
xgroup_setid_cmd = wrap(xgroup_setid_impl)
xgroup_destroy_cmd = wrap(xgroup_destroy_impl)
xgroup_createconsumer_cmd = wrap(xgroup_createconsumer_impl)
xgroup_delconsumer_cmd = wrap(xgroup_delconsumer_impl)
xack_cmd = wrap(xack_impl)
xpending_cmd = wrap(xpending_impl)
xclaim_cmd = wrap(xclaim_impl)
xautoclaim_cmd = wrap(xautoclaim_impl)
xinfo_stream_cmd = wrap(xinfo_stream_impl)
xinfo_groups_cmd = wrap(xinfo_groups_impl)
xinfo_consumers_cmd = wrap(xinfo_consumers_impl)
