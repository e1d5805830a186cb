# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Keyspace commands (Redis's db.c and expire.c): DEL, EXISTS, SCAN, RENAME,
EXPIRE and friends, OBJECT, SELECT, SWAPDB, FLUSHDB ...

Values move between keys without copying: RENAME and MOVE build the new
entry with the old value's bits and then free the old entry as an int
(whose entry_free does nothing), so an fk_str or PyObject changes owner
instead of being duplicated.
"""
from cpython.ref cimport PyObject, Py_INCREF
from libc.string cimport memcpy
from libc.stdint cimport uint32_t, uint64_t
from fastkv._core.cdefs cimport *
from fastkv._core.client cimport Client, ServerState, wrap
from fastkv._core.keyspace cimport (Database, Keyspace, string_view, entry_type, entry_encoding,
    entry_lru, entry_set_meta, lru_clock, notify_event, signal_modified_key, LOOKUP_NONE,
    LOOKUP_WRITE, LOOKUP_NOTOUCH, LOOKUP_NOSTATS, SHARED_INTEGERS, LRU_CLOCK_MAX,
    NOTIFY_GENERIC, NOTIFY_NEW, signal_key_as_ready)
from fastkv._core.shared cimport attach
from fastkv.commands.common cimport (arg_eq, arg_ll, mark_dirty, key_written, ScanOpts, scan_options,
    scan_match, scan_max_iterations, reply_scan_cursor)
from fastkv._core.cdefs_lazyfree cimport (fk_lazyfree_effort, fk_lazyfree_entry,
    fk_lazyfree_user_del, fk_lazyfree_user_flush, FK_LAZYFREE_THRESHOLD)

attach()

cdef extern from *:
    long long LLONG_MAX
    long long LLONG_MIN


cdef bytes type_name(fk_entry *e):
    return fk_objtype_of(e).type_name

cdef bytes encoding_name(fk_entry *e):
    return fk_objtype_of(e).enc_name


cdef inline int key_created(Database db, const char *k, Py_ssize_t kn) except -1:
    """dbAdd's "new" event: key k was added to db."""
    return notify_event(db, NOTIFY_NEW, b"new", k, kn)


cdef inline int maybe_ready(Database db, fk_entry *e, const char *k, Py_ssize_t kn) except -1:
    """dbAdd's signalKeyAsReady: a list, zset or stream arrived at k."""
    cdef uint32_t t = entry_type(e)
    if t == OBJ_LIST or t == OBJ_ZSET or t == OBJ_STREAM:
        signal_key_as_ready(db, k, kn)
    return 0


cdef int move_entry(Database src, fk_entry *e, Database dst, const char *k, Py_ssize_t kn,
                    long long expire) except -1:
    """Give e's value to key k in dst (absent there), delete e from src."""
    cdef size_t extra = fk_objtype_of(e).inline_size(e)
    cdef fk_entry *ne = fk_dict_add(dst.dict, k, kn, extra)
    ne.v = e.v
    ne.meta = e.meta
    if extra:
        memcpy(fk_entry_extra(ne), fk_entry_extra(e), extra)
    if expire >= 0:
        dst.set_expire(ne, expire)
    maybe_ready(dst, ne, k, kn)
    if (e.meta & 0xF) == OBJ_STREAM:
        src.signal_ready(e.key, fk_entry_klen(e))   # dbDelete's signalDeletedKeyAsReady
    # The value now belongs to ne: free e as an int, which owns nothing.
    entry_set_meta(e, OBJ_STRING, ENC_INT, 0)
    src.delete(e.key, fk_entry_klen(e))
    return 0


cdef int copy_entry(fk_entry *e, Database dst, const char *k, Py_ssize_t kn, long long expire) except -1:
    cdef fk_entry *ne = dst.dup_entry(e, k, kn)
    if expire >= 0:
        dst.set_expire(ne, expire)
    return maybe_ready(dst, ne, k, kn)


cdef int delete_async(Database db, const char *k, size_t n) except -1:
    """dbAsyncDelete: a value that frees more than LAZYFREE_THRESHOLD
    allocations leaves the keyspace now and is freed by the lazy free thread
    (csrc/fk_lazyfree.h); a small one is freed at once.  1 if deleted."""
    cdef fk_entry *e = db.unlink(k, n)
    if e == NULL:
        return 0
    if fk_lazyfree_effort(e) <= FK_LAZYFREE_THRESHOLD:
        fk_dict_free_unlinked(db.dict, e)
    else:
        fk_lazyfree_entry(e)
    return 1

cdef int del_generic(Client c, bint lazy) except -1:
    cdef int i
    cdef long long deleted = 0
    cdef int ok
    for i in range(1, c.argc):
        c.db.lookup(c.argv[i].p, c.argv[i].n, LOOKUP_WRITE | LOOKUP_NOTOUCH)   # lazy expiry first
        if lazy:
            ok = delete_async(c.db, c.argv[i].p, c.argv[i].n)
        else:
            ok = c.db.delete(c.argv[i].p, c.argv[i].n)
        if ok:
            key_written(c, i, NOTIFY_GENERIC, b"del")
            deleted += 1
    mark_dirty(c, deleted)
    return c.add_int(deleted)

cdef int del_impl(Client c) except -1:
    return del_generic(c, fk_lazyfree_user_del())

cdef int unlink_impl(Client c) except -1:
    return del_generic(c, True)

cdef int count_existing(Client c, int flags) except -1:
    cdef int i
    cdef long long n = 0
    for i in range(1, c.argc):
        if c.db.lookup(c.argv[i].p, c.argv[i].n, flags) != NULL:
            n += 1
    return c.add_int(n)

cdef int exists_impl(Client c) except -1:
    return count_existing(c, LOOKUP_NOTOUCH)

cdef int touch_impl(Client c) except -1:
    return count_existing(c, LOOKUP_NONE)

cdef int type_impl(Client c) except -1:
    cdef fk_entry *e = c.db.lookup(c.argv[1].p, c.argv[1].n, LOOKUP_NOTOUCH)
    cdef bytes t = b"none" if e == NULL else type_name(e)
    return c.add_simple(t, len(t))


cdef struct ScanAcc:
    PyObject *keys       # borrowed list
    PyObject *entries    # borrowed list of entry addresses (ints), for type checks

cdef void _scan_collect(void *priv, fk_entry *e) noexcept:
    cdef ScanAcc *acc = <ScanAcc *>priv
    try:
        (<list>acc.keys).append(e.key[:fk_entry_klen(e)])
    except BaseException:
        pass

cdef int keys_impl(Client c) except -1:
    cdef Database db = c.db
    cdef ScanAcc acc
    cdef list keys = []
    cdef list out = []
    cdef uint64_t cursor = 0
    cdef const char *pat = c.argv[1].p
    cdef int plen = <int>c.argv[1].n
    cdef bint allkeys = plen == 1 and pat[0] == b'*'
    cdef fk_entry *e
    cdef bytes k
    cdef long long now = fk_mstime()
    acc.keys = <PyObject *>keys
    while True:
        cursor = fk_dict_scan(db.dict, cursor, _scan_collect, &acc)
        if cursor == 0:
            break
    for k in keys:
        if not allkeys and not fk_stringmatchlen(pat, plen, k, len(k), 0):
            continue
        e = fk_dict_find(db.dict, k, len(k))
        if e != NULL and (e.klen & FK_HAS_EXPIRE) and 0 <= db.get_expire(e) <= now:
            continue    # logically expired: KEYS doesn't show it (nor delete it)
        out.append(k)
    c.add_array_len(len(out))
    for k in out:
        c.add_bulk(k, len(k))
    return 0


cdef int parse_cursor(Client c, int i, uint64_t *cursor) except -1:
    cdef unsigned long long v
    if not fk_parse_scan_cursor(c.argv[i].p, c.argv[i].n, &v):
        c.add_error_str("ERR invalid cursor")
        return 1
    cursor[0] = v
    return 0


cdef int scan_impl(Client c) except -1:
    cdef uint64_t cursor
    cdef bytes typ = None
    cdef Database db = c.db
    cdef ScanAcc acc
    cdef list keys = []
    cdef long long maxiter
    cdef fk_entry *e
    cdef ScanOpts o
    if parse_cursor(c, 1, &cursor):
        return 0
    if scan_options(c, 2, &o, True):
        return 0
    if o.typ != NULL:
        typ = o.typ[:o.typlen].lower()
    acc.keys = <PyObject *>keys
    maxiter = scan_max_iterations(&o)
    while True:
        cursor = fk_dict_scan(db.dict, cursor, _scan_collect, &acc)
        maxiter -= 1
        if cursor == 0 or maxiter <= 0 or len(keys) >= o.count:
            break
    out = []
    for k in keys:
        if not scan_match(&o, k, len(k)):
            continue
        e = db.lookup(k, len(k), LOOKUP_NOTOUCH | LOOKUP_NOSTATS | LOOKUP_WRITE)  # expires if due
        if e == NULL:
            continue
        if typ is not None and type_name(e) != typ:
            continue
        out.append(k)
    reply_scan_cursor(c, cursor)
    c.add_array_len(len(out))
    for k in out:
        c.add_bulk(k, len(k))
    return 0


cdef int randomkey_impl(Client c) except -1:
    cdef Database db = c.db
    cdef fk_entry *e
    cdef int tries = 0
    cdef bytes k
    while True:
        e = fk_dict_random(db.dict)
        if e == NULL:
            return c.add_null()
        k = e.key[:fk_entry_klen(e)]
        if (e.klen & FK_HAS_EXPIRE):
            tries += 1
            if tries > 100 and fk_dict_size(db.dict) == fk_dict_size(db.expires):
                # all keys volatile: return one even if it's logically expired
                return c.add_bulk(k, len(k))
            if db.expire_if_needed(e):
                continue
        return c.add_bulk(k, len(k))


cdef int rename_generic(Client c, bint nx) except -1:
    cdef Database db = c.db
    cdef bint samekey = c.arg(1) == c.arg(2)
    cdef fk_entry *e = db.lookup(c.argv[1].p, c.argv[1].n, LOOKUP_WRITE)
    cdef long long expire
    if e == NULL:
        return c.add_error_str("ERR no such key")
    if samekey:
        return c.add_int(0) if nx else c.add_ok()
    expire = db.get_expire(e)
    if db.lookup(c.argv[2].p, c.argv[2].n, LOOKUP_WRITE) != NULL:
        if nx:
            return c.add_int(0)
        db.delete(c.argv[2].p, c.argv[2].n)
        e = db.lookup(c.argv[1].p, c.argv[1].n, LOOKUP_WRITE | LOOKUP_NOTOUCH)
    move_entry(db, e, db, c.argv[2].p, c.argv[2].n, expire)
    mark_dirty(c, 1)
    # as Redis: dbAdd's "new" for the target (even if it replaced a key),
    # then both keys are signalled, then rename_from / rename_to
    key_created(db, c.argv[2].p, c.argv[2].n)
    signal_modified_key(db, c.argv[1].p, c.argv[1].n)
    signal_modified_key(db, c.argv[2].p, c.argv[2].n)
    notify_event(db, NOTIFY_GENERIC, b"rename_from", c.argv[1].p, c.argv[1].n)
    notify_event(db, NOTIFY_GENERIC, b"rename_to", c.argv[2].p, c.argv[2].n)
    return c.add_int(1) if nx else c.add_ok()

cdef int rename_impl(Client c) except -1:
    return rename_generic(c, False)

cdef int renamenx_impl(Client c) except -1:
    return rename_generic(c, True)


cdef Database db_by_index(Client c, long long idx):
    if idx < 0 or idx >= c.srv.keyspace.ndbs:
        return None
    return c.srv.keyspace.dbs[idx]


cdef int arg_int(Client c, int i, long long *v) except -1:
    """getIntFromObjectOrReply: 1 if argv[i] is an int, else 0 after replying."""
    if not arg_ll(c, i, v):
        c.add_not_integer()
        return 0
    if v[0] < -2147483648 or v[0] > 2147483647:
        c.add_error_str("ERR value is out of range, value must between -2147483648 and 2147483647")
        return 0
    return 1


cdef int copy_impl(Client c) except -1:
    cdef Database src = c.db, dst = c.db
    cdef bint replace = False
    cdef long long dbid
    cdef int j = 3
    cdef fk_entry *e
    cdef long long expire
    while j < c.argc:
        if arg_eq(c, j, b"replace", 7):
            replace = True
        elif arg_eq(c, j, b"db", 2) and c.argc - j >= 2:
            if not arg_int(c, j + 1, &dbid):
                return 0
            dst = db_by_index(c, dbid)
            if dst is None:
                return c.add_error_str("ERR DB index is out of range")
            j += 1
        else:
            return c.add_syntax_error()
        j += 1
    if src is dst and c.arg(1) == c.arg(2):
        return c.add_error_str("ERR source and destination objects are the same")
    e = src.lookup(c.argv[1].p, c.argv[1].n, LOOKUP_NONE)
    if e == NULL:
        return c.add_int(0)
    expire = src.get_expire(e)
    if dst.lookup(c.argv[2].p, c.argv[2].n, LOOKUP_WRITE) != NULL:
        if not replace:
            return c.add_int(0)
        dst.delete(c.argv[2].p, c.argv[2].n)
        e = src.lookup(c.argv[1].p, c.argv[1].n, LOOKUP_NOTOUCH | LOOKUP_NOSTATS)
    copy_entry(e, dst, c.argv[2].p, c.argv[2].n, expire)
    mark_dirty(c, 1)
    key_created(dst, c.argv[2].p, c.argv[2].n)
    signal_modified_key(dst, c.argv[2].p, c.argv[2].n)
    notify_event(dst, NOTIFY_GENERIC, b"copy_to", c.argv[2].p, c.argv[2].n)
    return c.add_int(1)


cdef int move_impl(Client c) except -1:
    cdef long long dbid
    cdef Database src = c.db, dst
    cdef fk_entry *e
    cdef long long expire
    if not arg_int(c, 2, &dbid):
        return 0
    dst = db_by_index(c, dbid)
    if dst is None:
        return c.add_error_str("ERR DB index is out of range")
    if src is dst:
        return c.add_error_str("ERR source and destination objects are the same")
    e = src.lookup(c.argv[1].p, c.argv[1].n, LOOKUP_WRITE)
    if e == NULL:
        return c.add_int(0)
    expire = src.get_expire(e)
    if dst.lookup(c.argv[1].p, c.argv[1].n, LOOKUP_WRITE) != NULL:
        return c.add_int(0)
    move_entry(src, e, dst, c.argv[1].p, c.argv[1].n, expire)
    mark_dirty(c, 1)
    key_created(dst, c.argv[1].p, c.argv[1].n)
    signal_modified_key(src, c.argv[1].p, c.argv[1].n)
    signal_modified_key(dst, c.argv[1].p, c.argv[1].n)
    notify_event(src, NOTIFY_GENERIC, b"move_from", c.argv[1].p, c.argv[1].n)
    notify_event(dst, NOTIFY_GENERIC, b"move_to", c.argv[1].p, c.argv[1].n)
    return c.add_int(1)


# ---------------------------------------------------------------- expire

cdef enum:
    EXP_NX = 1
    EXP_XX = 2
    EXP_GT = 4
    EXP_LT = 8

cdef int expire_generic(Client c, long long basetime, bint seconds) except -1:
    cdef int flags = 0, j = 3
    cdef long long when, current
    cdef fk_entry *e
    cdef Database db = c.db
    while j < c.argc:
        if arg_eq(c, j, b"nx", 2): flags |= EXP_NX
        elif arg_eq(c, j, b"xx", 2): flags |= EXP_XX
        elif arg_eq(c, j, b"gt", 2): flags |= EXP_GT
        elif arg_eq(c, j, b"lt", 2): flags |= EXP_LT
        else:
            # addReplyErrorFormat("... %s", argv[j]): the raw bytes up to a NUL
            msg = b"ERR Unsupported option " + c.arg(j).split(b"\0", 1)[0]
            return c.add_error(msg, len(msg))
        j += 1
    if (flags & EXP_NX) and (flags & (EXP_XX | EXP_GT | EXP_LT)):
        return c.add_error_str("ERR NX and XX, GT or LT options at the same time are not compatible")
    if (flags & EXP_GT) and (flags & EXP_LT):
        return c.add_error_str("ERR GT and LT options at the same time are not compatible")
    if not arg_ll(c, 2, &when):
        return c.add_not_integer()
    if seconds:
        if when > LLONG_MAX // 1000 or when < LLONG_MIN // 1000:
            return c.add_error_str("ERR invalid expire time in '%s' command" % c.cmd.name.decode())
        when *= 1000
    if when > LLONG_MAX - basetime:
        return c.add_error_str("ERR invalid expire time in '%s' command" % c.cmd.name.decode())
    when += basetime
    e = db.lookup(c.argv[1].p, c.argv[1].n, LOOKUP_WRITE)
    if e == NULL:
        return c.add_int(0)
    if flags:
        current = db.get_expire(e)
        if (flags & EXP_NX) and current != -1:
            return c.add_int(0)
        if (flags & EXP_XX) and current == -1:
            return c.add_int(0)
        if (flags & EXP_GT) and (when <= current or current == -1):
            return c.add_int(0)
        if (flags & EXP_LT) and current != -1 and when >= current:
            return c.add_int(0)
    if when <= fk_mstime():
        # checkAlreadyExpired: deleted now, fires "del" (before the reply)
        db.delete(c.argv[1].p, c.argv[1].n)
        mark_dirty(c, 1)
        key_written(c, 1, NOTIFY_GENERIC, b"del")
        return c.add_int(1)
    db.set_expire(e, when)
    c.add_int(1)            # Redis replies before it fires "expire"
    key_written(c, 1, NOTIFY_GENERIC, b"expire")
    mark_dirty(c, 1)
    return 0

cdef int expire_impl(Client c) except -1:
    return expire_generic(c, fk_mstime(), True)

cdef int pexpire_impl(Client c) except -1:
    return expire_generic(c, fk_mstime(), False)

cdef int expireat_impl(Client c) except -1:
    return expire_generic(c, 0, True)

cdef int pexpireat_impl(Client c) except -1:
    return expire_generic(c, 0, False)

cdef int ttl_generic(Client c, bint ms, bint absolute) except -1:
    cdef fk_entry *e = c.db.lookup(c.argv[1].p, c.argv[1].n, LOOKUP_NOTOUCH)
    cdef long long expire, ttl
    if e == NULL:
        return c.add_int(-2)
    expire = c.db.get_expire(e)
    if expire == -1:
        return c.add_int(-1)
    ttl = expire if absolute else expire - fk_mstime()
    if ttl < 0:
        ttl = 0
    # ttl + 500 in unsigned: EXPIRETIME of PEXPIREAT k 9223372036854775807
    return c.add_int(ttl if ms else <long long>((<unsigned long long>ttl + 500) // 1000))

cdef int ttl_impl(Client c) except -1:
    return ttl_generic(c, False, False)

cdef int pttl_impl(Client c) except -1:
    return ttl_generic(c, True, False)

cdef int expiretime_impl(Client c) except -1:
    return ttl_generic(c, False, True)

cdef int pexpiretime_impl(Client c) except -1:
    return ttl_generic(c, True, True)

cdef int persist_impl(Client c) except -1:
    cdef fk_entry *e = c.db.lookup(c.argv[1].p, c.argv[1].n, LOOKUP_WRITE)
    if e != NULL and c.db.remove_expire(e):
        key_written(c, 1, NOTIFY_GENERIC, b"persist")
        mark_dirty(c, 1)
        return c.add_int(1)
    return c.add_int(0)


# ---------------------------------------------------------------- OBJECT

cdef fk_entry *object_lookup(Client c) except? NULL:
    cdef fk_entry *e = c.db.lookup(c.argv[2].p, c.argv[2].n, LOOKUP_NOTOUCH | LOOKUP_NOSTATS)
    if e == NULL:
        c.add_null()
    return e

cdef int object_encoding_impl(Client c) except -1:
    cdef fk_entry *e = object_lookup(c)
    cdef bytes name
    if e != NULL:
        name = encoding_name(e)
        c.add_bulk(name, len(name))
    return 0

cdef int object_refcount_impl(Client c) except -1:
    cdef fk_entry *e = object_lookup(c)
    if e != NULL:
        if entry_encoding(e) == ENC_INT and 0 <= e.v.i < SHARED_INTEGERS and not c.srv.keyspace.lfu:
            c.add_int(2147483647)
        else:
            c.add_int(1)
    return 0

cdef long long idle_ms(fk_entry *e) noexcept:
    """estimateObjectIdleTime: the LRU clock wraps every 194 days."""
    cdef long long now = lru_clock()
    cdef long long lru = entry_lru(e)
    if now >= lru:
        return (now - lru) * 1000
    return (now + (LRU_CLOCK_MAX - lru)) * 1000

cdef int object_idletime_impl(Client c) except -1:
    cdef fk_entry *e = object_lookup(c)
    if e != NULL:
        if c.srv.keyspace.lfu:
            return c.add_error_str("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
        c.add_int(idle_ms(e) // 1000)
    return 0

cdef int object_freq_impl(Client c) except -1:
    cdef fk_entry *e = object_lookup(c)
    if e != NULL:
        if not c.srv.keyspace.lfu:
            return c.add_error_str("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
        c.add_int(entry_lru(e) & 0xFF)
    return 0

OBJECT_HELP = [   # addReplyHelp adds the header and HELP
    b"ENCODING <key>",
    b"    Return the kind of internal representation used in order to store the value",
    b"    associated with a <key>.",
    b"FREQ <key>",
    b"    Return the access frequency index of the <key>. The returned integer is",
    b"    proportional to the logarithm of the recent access frequency of the key.",
    b"IDLETIME <key>",
    b"    Return the idle time of the <key>, that is the approximated number of",
    b"    seconds elapsed since the last access to the key.",
    b"REFCOUNT <key>",
    b"    Return the number of references of the value associated with the specified",
    b"    <key>.",
]

# ---------------------------------------------------------------- databases

cdef int select_impl(Client c) except -1:
    cdef long long idx
    cdef Database db
    if not arg_int(c, 1, &idx):
        return 0
    db = db_by_index(c, idx)
    if db is None:
        return c.add_error_str("ERR DB index is out of range")
    c.db = db
    return c.add_ok()

cdef int swapdb_impl(Client c) except -1:
    cdef long long a, b
    cdef Database da, dbb
    if not arg_ll(c, 1, &a) or a < -2147483648 or a > 2147483647:
        return c.add_error_str("ERR invalid first DB index")
    if not arg_ll(c, 2, &b) or b < -2147483648 or b > 2147483647:
        return c.add_error_str("ERR invalid second DB index")
    da = db_by_index(c, a)
    dbb = db_by_index(c, b)
    if da is None or dbb is None:
        return c.add_error_str("ERR DB index is out of range")
    if da is not dbb:
        da.swap_with(dbb)
    mark_dirty(c, 1)
    return c.add_ok()

cdef int dbsize_impl(Client c) except -1:
    return c.add_int(fk_dict_size(c.db.dict))

cdef int flush_flags_ok(Client c) except -1:
    """getFlushCommandFlags: 0 after a syntax error reply, 1 to flush now,
    2 to flush in the background (ASYNC, or lazyfree-lazy-user-flush)."""
    if c.argc > 2:
        c.add_syntax_error()
        return 0
    if c.argc == 2:
        if arg_eq(c, 1, b"async", 5):
            return 2
        if arg_eq(c, 1, b"sync", 4):
            return 1
        c.add_syntax_error()
        return 0
    return 2 if fk_lazyfree_user_flush() else 1

cdef int flushdb_impl(Client c) except -1:
    cdef int how = flush_flags_ok(c)
    if not how:
        return 0
    mark_dirty(c, fk_dict_size(c.db.dict))
    if how == 2:
        c.db.clear_async()
    else:
        c.db.clear()
    if c.srv.keyspace.tracking:
        c.srv.keyspace.tracking_ctx.on_flush(how == 2)   # trackingInvalidateKeysOnFlush
    return c.add_ok()

cdef int flushall_impl(Client c) except -1:
    cdef Database db
    cdef int how = flush_flags_ok(c)
    if not how:
        return 0
    for db in c.srv.keyspace.dbs:
        mark_dirty(c, fk_dict_size(db.dict))
        if how == 2:
            db.clear_async()
        else:
            db.clear()
    if c.srv.keyspace.tracking:
        c.srv.keyspace.tracking_ctx.on_flush(how == 2)   # trackingInvalidateKeysOnFlush
    mark_dirty(c, 1)
    return c.add_ok()


# ---------------------------------------------------------------- helpers for Python code

def key_memory_usage(Database db, bytes key, size_t samples=5):
    """MEMORY USAGE: bytes the key takes (entry + value + bucket slot), None if absent."""
    cdef fk_entry *e = db.lookup(key, len(key), LOOKUP_NOTOUCH | LOOKUP_NOSTATS)
    cdef size_t total
    if e == NULL:
        return None
    total = fk_usable(e) + 8 + fk_objtype_of(e).mem_usage(e, samples)
    if e.klen & FK_HAS_EXPIRE:
        total += 24 + fk_entry_klen(e) + 8
    return total

def debug_object(Database db, bytes key):
    """Fields of DEBUG OBJECT, None if absent."""
    cdef fk_entry *e = db.lookup(key, len(key), LOOKUP_NOTOUCH | LOOKUP_NOSTATS)
    cdef char tmp[24]
    cdef const char *p
    if e == NULL:
        return None
    enc = encoding_name(e)
    if entry_type(e) == OBJ_STRING:
        serlen = string_view(e, &p, tmp)
    else:
        serlen = 0
    refcount = 2147483647 if entry_encoding(e) == ENC_INT and 0 <= e.v.i < SHARED_INTEGERS else 1
    return {"addr": <size_t>e, "refcount": refcount, "encoding": enc,
            "serializedlength": serlen, "lru": entry_lru(e), "lru_seconds_idle": idle_ms(e) // 1000}


del_cmd = wrap(del_impl)
unlink_cmd = wrap(unlink_impl)
exists_cmd = wrap(exists_impl)
touch_cmd = wrap(touch_impl)
type_cmd = wrap(type_impl)
keys_cmd = wrap(keys_impl)
scan_cmd = wrap(scan_impl)
randomkey_cmd = wrap(randomkey_impl)
rename_cmd = wrap(rename_impl)
renamenx_cmd = wrap(renamenx_impl)
copy_cmd = wrap(copy_impl)
move_cmd = wrap(move_impl)
expire_cmd = wrap(expire_impl)
pexpire_cmd = wrap(pexpire_impl)
expireat_cmd = wrap(expireat_impl)
pexpireat_cmd = wrap(pexpireat_impl)
ttl_cmd = wrap(ttl_impl)
pttl_cmd = wrap(pttl_impl)
expiretime_cmd = wrap(expiretime_impl)
pexpiretime_cmd = wrap(pexpiretime_impl)
persist_cmd = wrap(persist_impl)
object_encoding_cmd = wrap(object_encoding_impl)
object_refcount_cmd = wrap(object_refcount_impl)
object_idletime_cmd = wrap(object_idletime_impl)
object_freq_cmd = wrap(object_freq_impl)
select_cmd = wrap(select_impl)
swapdb_cmd = wrap(swapdb_impl)
dbsize_cmd = wrap(dbsize_impl)
flushdb_cmd = wrap(flushdb_impl)
flushall_cmd = wrap(flushall_impl)
