# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""String commands (Redis's t_string.c).

Every handler here is a cdef function reached through a C pointer from the
dispatcher; replies go straight into the client's C buffer.  Behaviour and
error texts follow Redis 7.0 line by line (the comments name the Redis
function each piece mirrors), because clients match on them.
"""
from libc.string cimport memcpy, memset
from libc.stdint cimport uint32_t
from libc.stdlib cimport malloc, free
from libc.math cimport isnan, isinf
from fastkv._core.cdefs cimport *
from fastkv._core.client cimport Client, wrap
from fastkv._core.keyspace cimport (Database, string_view, entry_type, entry_encoding, entry_lru,
    entry_set_meta, lru_clock, notify_event, LOOKUP_NONE, LOOKUP_WRITE,
    NOTIFY_GENERIC, NOTIFY_STRING, NOTIFY_NEW)
from fastkv._core.shared cimport attach
from fastkv.commands.common cimport (arg_eq, arg_ll, reply_string, mark_dirty, lookup_typed,
    key_written, WRONGTYPE_ENTRY)

attach()

cdef extern from *:
    long long LLONG_MAX
    long long LLONG_MIN

# SET/GETEX option flags (OBJ_SET_* in Redis)
cdef enum:
    SET_NX = 1 << 0
    SET_XX = 1 << 1
    SET_EX = 1 << 2
    SET_PX = 1 << 3
    SET_KEEPTTL = 1 << 4
    SET_GET = 1 << 5
    SET_EXAT = 1 << 6
    SET_PXAT = 1 << 7
    SET_PERSIST = 1 << 8
    EXPIRE_FLAGS = SET_EX | SET_PX | SET_EXAT | SET_PXAT

cdef enum:
    COMMAND_SET = 0
    COMMAND_GET = 1


cdef inline int key_created(Client c, int i) except -1:
    """dbAdd's "new" event: argv[i] did not exist before this command."""
    return notify_event(c.db, NOTIFY_NEW, b"new", c.argv[i].p, c.argv[i].n)


cdef int invalid_expire(Client c) except -1:
    return c.add_error_str("ERR invalid expire time in '%s' command" % c.cmd.name.decode())


cdef int expire_option(Client c, int j) noexcept:
    """The SET_EX/PX/EXAT/PXAT flag argv[j] names, or 0."""
    if arg_eq(c, j, b"ex", 2): return SET_EX
    if arg_eq(c, j, b"px", 2): return SET_PX
    if arg_eq(c, j, b"exat", 4): return SET_EXAT
    if arg_eq(c, j, b"pxat", 4): return SET_PXAT
    return 0


cdef int parse_extended(Client c, int start, int command_type, int *flags, long long *when) except -1:
    """parseExtendedStringArgumentsOrReply + getExpireMillisecondsOrReply.
    Returns 0 on success (when = absolute ms, or -1 for none), 1 after
    replying an error."""
    cdef int j = start
    cdef int f = 0
    cdef int expire_idx = -1
    cdef int unit
    cdef long long ms
    cdef long long now
    while j < c.argc:
        unit = expire_option(c, j) if j + 1 < c.argc else 0   # needs a value after it
        if arg_eq(c, j, b"nx", 2) and not (f & SET_XX) and command_type == COMMAND_SET:
            f |= SET_NX
        elif arg_eq(c, j, b"xx", 2) and not (f & SET_NX) and command_type == COMMAND_SET:
            f |= SET_XX
        elif arg_eq(c, j, b"get", 3) and command_type == COMMAND_SET:
            f |= SET_GET
        elif arg_eq(c, j, b"keepttl", 7) and not (f & (SET_PERSIST | EXPIRE_FLAGS)) and command_type == COMMAND_SET:
            f |= SET_KEEPTTL
        elif arg_eq(c, j, b"persist", 7) and command_type == COMMAND_GET and not (f & (EXPIRE_FLAGS | SET_KEEPTTL)):
            f |= SET_PERSIST
        elif unit and not (f & (SET_KEEPTTL | SET_PERSIST | (EXPIRE_FLAGS & ~unit))):
            f |= unit
            j += 1
            expire_idx = j
        else:
            c.add_syntax_error()
            return 1
        j += 1
    flags[0] = f
    when[0] = -1
    if expire_idx >= 0:
        if not arg_ll(c, expire_idx, &ms):
            c.add_not_integer()
            return 1
        if ms <= 0 or ((f & (SET_EX | SET_EXAT)) and ms > LLONG_MAX // 1000):
            invalid_expire(c)
            return 1
        if f & (SET_EX | SET_EXAT):
            ms *= 1000
        if f & (SET_EX | SET_PX):
            now = fk_mstime()
            if ms > LLONG_MAX - now:
                invalid_expire(c)
                return 1
            ms += now
        when[0] = ms
    return 0


cdef int set_generic(Client c, int flags, int kidx, int vidx, long long when,
                     const char *ok_reply, Py_ssize_t ok_len, bint int_reply) except -1:
    """setGenericCommand.  Events, as Redis: "new" (dbAdd), "set", then
    "expire" when a TTL is given; the GET reply comes before them, the
    OK/1 reply after."""
    cdef Database db = c.db
    cdef fk_entry *e
    cdef const char *k = c.argv[kidx].p
    cdef Py_ssize_t kn = c.argv[kidx].n
    cdef bint found
    if flags & SET_GET:
        e = lookup_typed(c, kidx, LOOKUP_NONE, OBJ_STRING)
        if e == WRONGTYPE_ENTRY:
            return 0
        if e == NULL:
            c.add_null()
        else:
            reply_string(c, e)
        found = e != NULL
    else:
        found = db.lookup(k, kn, LOOKUP_WRITE) != NULL
    if ((flags & SET_NX) and found) or ((flags & SET_XX) and not found):
        if not (flags & SET_GET):
            if int_reply:
                c.add_int(0)
            else:
                c.add_null()
        return 0
    e = db.set_string(k, kn, c.argv[vidx].p, c.argv[vidx].n, (flags & SET_KEEPTTL) != 0)
    mark_dirty(c, 1)
    if when >= 0:
        db.set_expire(e, when)
    if not found:
        key_created(c, kidx)
    key_written(c, kidx, NOTIFY_STRING, b"set")
    if when >= 0:
        notify_event(db, NOTIFY_GENERIC, b"expire", k, kn)
    if not (flags & SET_GET):
        if int_reply:
            c.add_int(1)
        else:
            c.add_raw(ok_reply, ok_len)
    return 0


cdef int set_impl(Client c) except -1:
    cdef int flags = 0
    cdef long long when = -1
    if c.argc > 3 and parse_extended(c, 3, COMMAND_SET, &flags, &when):
        return 0
    return set_generic(c, flags, 1, 2, when, b"+OK\r\n", 5, False)

cdef int setnx_impl(Client c) except -1:
    return set_generic(c, SET_NX, 1, 2, -1, NULL, 0, True)

cdef int setex_common(Client c, int unit_flag) except -1:
    cdef long long ms, now
    if not arg_ll(c, 2, &ms):
        return c.add_not_integer()
    if ms <= 0 or (unit_flag == SET_EX and ms > LLONG_MAX // 1000):
        return invalid_expire(c)
    if unit_flag == SET_EX:
        ms *= 1000
    now = fk_mstime()
    if ms > LLONG_MAX - now:
        return invalid_expire(c)
    return set_generic(c, 0, 1, 3, ms + now, b"+OK\r\n", 5, False)

cdef int setex_impl(Client c) except -1:
    return setex_common(c, SET_EX)

cdef int psetex_impl(Client c) except -1:
    return setex_common(c, SET_PX)

cdef int get_impl(Client c) except -1:
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_STRING)
    if e == NULL:
        return c.add_null()
    if e == WRONGTYPE_ENTRY:
        return 0
    return reply_string(c, e)

cdef int getset_impl(Client c) except -1:
    return set_generic(c, SET_GET, 1, 2, -1, NULL, 0, False)

cdef int getdel_impl(Client c) except -1:
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_STRING)
    if e == NULL:
        return c.add_null()
    if e == WRONGTYPE_ENTRY:
        return 0
    reply_string(c, e)
    if c.db.delete(c.argv[1].p, c.argv[1].n):
        key_written(c, 1, NOTIFY_GENERIC, b"del")
        mark_dirty(c, 1)
    return 0

cdef int getex_impl(Client c) except -1:
    cdef int flags = 0
    cdef long long when = -1
    cdef fk_entry *e
    if c.argc > 2 and parse_extended(c, 2, COMMAND_GET, &flags, &when):
        return 0
    e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_STRING)
    if e == NULL:
        return c.add_null()
    if e == WRONGTYPE_ENTRY:
        return 0
    reply_string(c, e)      # before the key changes, as Redis
    if when >= 0:
        if (flags & (SET_EXAT | SET_PXAT)) and when <= fk_mstime():
            # checkAlreadyExpired: an absolute time in the past deletes
            c.db.delete(c.argv[1].p, c.argv[1].n)
            key_written(c, 1, NOTIFY_GENERIC, b"del")
        else:
            c.db.set_expire(e, when)
            key_written(c, 1, NOTIFY_GENERIC, b"expire")
        mark_dirty(c, 1)
    elif flags & SET_PERSIST:
        if c.db.remove_expire(e):
            key_written(c, 1, NOTIFY_GENERIC, b"persist")
            mark_dirty(c, 1)
    return 0

cdef int mget_impl(Client c) except -1:
    cdef int i
    cdef fk_entry *e
    c.add_array_len(c.argc - 1)
    for i in range(1, c.argc):
        e = c.db.lookup(c.argv[i].p, c.argv[i].n, LOOKUP_NONE)
        if e == NULL or entry_type(e) != OBJ_STRING:
            c.add_null()
        else:
            reply_string(c, e)
    return 0

cdef int mset_generic(Client c, bint nx) except -1:
    cdef int i
    cdef bint found
    if c.argc % 2 == 0:
        return c.add_wrong_arity()
    if nx:
        for i in range(1, c.argc, 2):
            if c.db.lookup(c.argv[i].p, c.argv[i].n, LOOKUP_WRITE) != NULL:
                return c.add_int(0)
    for i in range(1, c.argc, 2):
        # setKey's lookupKeyWrite: an expired key goes first ("expired"),
        # a missing one is created ("new")
        found = c.db.lookup(c.argv[i].p, c.argv[i].n, LOOKUP_WRITE) != NULL
        c.db.set_string(c.argv[i].p, c.argv[i].n, c.argv[i + 1].p, c.argv[i + 1].n, False)
        if not found:
            key_created(c, i)
        key_written(c, i, NOTIFY_STRING, b"set")
    mark_dirty(c, (c.argc - 1) // 2)
    if nx:
        return c.add_int(1)
    return c.add_ok()

cdef int mset_impl(Client c) except -1:
    return mset_generic(c, False)

cdef int msetnx_impl(Client c) except -1:
    return mset_generic(c, True)

cdef int string_too_long(Client c, long long size, long long append) except -1:
    """checkStringLength: 1 (and an error reply) if the result is too big.
    size and append are >= 0; the sum is computed unsigned so that it can't
    overflow (SETRANGE k 9223372036854775807 x), and a value never exceeds
    what an fk_str can hold (uint32 length) even if proto-max-bulk-len
    is configured higher."""
    cdef unsigned long long total = <unsigned long long>size + <unsigned long long>append
    if total > <unsigned long long>c.srv.proto_max_bulk_len or total > 0xffffffffULL:
        c.add_error_str("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
        return 1
    return 0

cdef int append_impl(Client c) except -1:
    cdef Database db = c.db
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_STRING)
    cdef fk_str *s
    cdef Py_ssize_t vn = c.argv[2].n
    cdef Py_ssize_t total
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        db.set_string(c.argv[1].p, c.argv[1].n, c.argv[2].p, vn, False)
        mark_dirty(c, 1)
        key_created(c, 1)
        key_written(c, 1, NOTIFY_STRING, b"append")
        return c.add_int(vn)
    cdef char tmp[24]
    cdef const char *p
    cdef Py_ssize_t olen = string_view(e, &p, tmp)
    if string_too_long(c, olen, vn):
        return 0
    e = db.entry_string_raw(e)
    s = fk_str_reserve(<fk_str *>e.v.ptr, s_len(e) + vn)
    memcpy(s.buf + s.len, c.argv[2].p, vn)
    s.len += <uint32_t>vn
    e.v.ptr = s
    total = s.len
    mark_dirty(c, 1)
    key_written(c, 1, NOTIFY_STRING, b"append")
    return c.add_int(total)

cdef inline Py_ssize_t s_len(fk_entry *e) noexcept:
    return (<fk_str *>e.v.ptr).len

cdef int strlen_impl(Client c) except -1:
    cdef char tmp[24]
    cdef const char *p
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_STRING)
    if e == NULL:
        return c.add_int(0)
    if e == WRONGTYPE_ENTRY:
        return 0
    return c.add_int(string_view(e, &p, tmp))

cdef int getrange_impl(Client c) except -1:
    cdef long long start, end, slen
    cdef char tmp[24]
    cdef const char *p
    cdef fk_entry *e
    if not arg_ll(c, 2, &start) or not arg_ll(c, 3, &end):
        return c.add_not_integer()
    e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_STRING)
    if e == NULL:
        return c.add_bulk(b"", 0)
    if e == WRONGTYPE_ENTRY:
        return 0
    slen = string_view(e, &p, tmp)
    if start < 0 and end < 0 and start > end:
        return c.add_bulk(b"", 0)
    if start < 0:
        start = slen + start
    if end < 0:
        end = slen + end
    if start < 0:
        start = 0
    if end < 0:
        end = 0
    if end >= slen:
        end = slen - 1
    if start > end or slen == 0:
        return c.add_bulk(b"", 0)
    return c.add_bulk(p + start, end - start + 1)

cdef int setrange_impl(Client c) except -1:
    cdef long long offset
    cdef Database db = c.db
    cdef fk_entry *e
    cdef fk_str *s
    cdef Py_ssize_t vn = c.argv[3].n
    cdef char tmp[24]
    cdef const char *p
    cdef Py_ssize_t olen
    cdef bint created
    if not arg_ll(c, 2, &offset) or offset > 0x7fffffffffffffff:
        return c.add_not_integer()
    if offset < 0:
        return c.add_error_str("ERR offset is out of range")
    e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_STRING)
    if e == WRONGTYPE_ENTRY:
        return 0
    created = e == NULL
    if created:
        if vn == 0:
            return c.add_int(0)
        if string_too_long(c, offset, vn):
            return 0
        e = db.prepare_value(c.argv[1].p, c.argv[1].n, 0, False)
        e.v.ptr = fk_str_new(NULL, offset + vn)
        entry_set_meta(e, OBJ_STRING, ENC_RAW, lru_clock())
    else:
        olen = string_view(e, &p, tmp)
        if vn == 0:
            return c.add_int(olen)
        if string_too_long(c, offset, vn):
            return 0
        e = db.entry_string_raw(e)
    s = <fk_str *>e.v.ptr
    if offset + vn > s.len:
        s = fk_str_reserve(s, offset + vn)
        memset(s.buf + s.len, 0, offset + vn - s.len)
        s.len = <uint32_t>(offset + vn)
        e.v.ptr = s
    memcpy(s.buf + offset, c.argv[3].p, vn)
    olen = s.len
    mark_dirty(c, 1)
    if created:
        key_created(c, 1)
    key_written(c, 1, NOTIFY_STRING, b"setrange")
    return c.add_int(olen)

cdef int incr_decr(Client c, long long incr) except -1:
    """incrDecrCommand: keeps the TTL, result is int-encoded; fires "incrby"
    (for all four commands)."""
    cdef Database db = c.db
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_STRING)
    cdef long long value = 0
    cdef char tmp[24]
    cdef const char *p
    cdef Py_ssize_t n
    if e == WRONGTYPE_ENTRY:
        return 0
    if e != NULL:
        if entry_encoding(e) == ENC_INT:
            value = e.v.i
        else:
            n = string_view(e, &p, tmp)
            if not fk_string2ll(p, n, &value):
                return c.add_not_integer()
    if (incr < 0 and value < 0 and incr < LLONG_MIN - value) or \
       (incr > 0 and value > 0 and incr > LLONG_MAX - value):
        return c.add_error_str("ERR increment or decrement would overflow")
    value += incr
    db.set_int(c.argv[1].p, c.argv[1].n, value, True)
    mark_dirty(c, 1)
    if e == NULL:
        key_created(c, 1)
    key_written(c, 1, NOTIFY_STRING, b"incrby")
    return c.add_int(value)

cdef int incr_impl(Client c) except -1:
    return incr_decr(c, 1)

cdef int decr_impl(Client c) except -1:
    return incr_decr(c, -1)

cdef int incrby_impl(Client c) except -1:
    cdef long long incr
    if not arg_ll(c, 2, &incr):
        return c.add_not_integer()
    return incr_decr(c, incr)

cdef int decrby_impl(Client c) except -1:
    cdef long long incr
    if not arg_ll(c, 2, &incr):
        return c.add_not_integer()
    if incr == LLONG_MIN:
        return c.add_error_str("ERR decrement would overflow")
    return incr_decr(c, -incr)

cdef int incrbyfloat_impl(Client c) except -1:
    cdef Database db = c.db
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_STRING)
    cdef long double value = 0, incr
    cdef char tmp[24]
    cdef char buf[5200]
    cdef const char *p
    cdef Py_ssize_t n
    cdef int blen
    if e == WRONGTYPE_ENTRY:
        return 0
    if e != NULL:
        if entry_encoding(e) == ENC_INT:
            value = <long double>e.v.i
        else:
            n = string_view(e, &p, tmp)
            if not fk_string2ld(p, n, &value):
                return c.add_error_str("ERR value is not a valid float")
    if not fk_string2ld(c.argv[2].p, c.argv[2].n, &incr):
        return c.add_error_str("ERR value is not a valid float")
    value += incr
    # long double checks, as Redis: 1e308 + 1e308 is a finite long double
    if isnan(value) or isinf(value):
        return c.add_error_str("ERR increment would produce NaN or Infinity")
    blen = fk_ld2string(buf, sizeof(buf), value)
    if blen == 0:
        return c.add_error_str("ERR increment would produce NaN or Infinity")
    db.set_string(c.argv[1].p, c.argv[1].n, buf, blen, True, False)
    mark_dirty(c, 1)
    if e == NULL:
        key_created(c, 1)
    key_written(c, 1, NOTIFY_STRING, b"incrbyfloat")
    return c.add_bulk(buf, blen)

cdef int lcs_impl(Client c) except -1:
    """lcsCommand (Redis 7.0), same traversal so ranges come out identical."""
    cdef fk_entry *ea = c.db.lookup(c.argv[1].p, c.argv[1].n, LOOKUP_NONE)
    cdef fk_entry *eb = c.db.lookup(c.argv[2].p, c.argv[2].n, LOOKUP_NONE)
    cdef long long minmatchlen = 0
    cdef bint getlen = False, getidx = False, withmatchlen = False
    cdef int j
    cdef char ta[24]
    cdef char tb[24]
    cdef const char *a = b""
    cdef const char *b = b""
    cdef Py_ssize_t alen = 0, blen = 0
    if (ea != NULL and entry_type(ea) != OBJ_STRING) or (eb != NULL and entry_type(eb) != OBJ_STRING):
        return c.add_error_str("ERR The specified keys must contain string values")
    if ea != NULL:
        alen = string_view(ea, &a, ta)
    if eb != NULL:
        blen = string_view(eb, &b, tb)
    j = 3
    while j < c.argc:
        if arg_eq(c, j, b"idx", 3):
            getidx = True
        elif arg_eq(c, j, b"len", 3):
            getlen = True
        elif arg_eq(c, j, b"withmatchlen", 12):
            withmatchlen = True
        elif arg_eq(c, j, b"minmatchlen", 11) and j + 1 < c.argc:
            if not arg_ll(c, j + 1, &minmatchlen):
                return c.add_not_integer()
            if minmatchlen < 0:
                minmatchlen = 0
            j += 1
        else:
            return c.add_syntax_error()
        j += 1
    if getidx and getlen:
        return c.add_error_str("ERR If you want both the length and indexes, please just use IDX.")
    if alen >= 0xfffffffe or blen >= 0xfffffffe:
        return c.add_error_str("ERR String too long for LCS")
    # cells < 2^64 (both lengths < 2^32 - 2); cells * 4 could wrap, so compare cells
    cdef unsigned long long dp_cells = <unsigned long long>(alen + 1) * <unsigned long long>(blen + 1)
    if dp_cells > <unsigned long long>c.srv.proto_max_bulk_len // 4:
        return c.add_error_str("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
    cdef uint32_t *dp = <uint32_t *>malloc(dp_cells * 4)
    if dp == NULL:
        return c.add_error_str("ERR Insufficient memory, failed allocating transient memory for LCS")
    cdef Py_ssize_t i, jj, W = blen + 1
    cdef uint32_t l1, l2
    try:
        for i in range(alen + 1):
            for jj in range(blen + 1):
                if i == 0 or jj == 0:
                    dp[jj + i * W] = 0
                elif a[i - 1] == b[jj - 1]:
                    dp[jj + i * W] = dp[(jj - 1) + (i - 1) * W] + 1
                else:
                    l1 = dp[jj + (i - 1) * W]
                    l2 = dp[(jj - 1) + i * W]
                    dp[jj + i * W] = l1 if l1 > l2 else l2
        total = dp[blen + alen * W]
        idx = total
        computelcs = getidx or not getlen
        result = bytearray(idx) if computelcs else None
        matches = []
        arange_start = alen
        arange_end = brange_start = brange_end = 0
        i = alen
        jj = blen
        while computelcs and i > 0 and jj > 0:
            emit = False
            if a[i - 1] == b[jj - 1]:
                result[idx - 1] = <unsigned char>a[i - 1]
                if arange_start == alen:
                    arange_start = i - 1
                    arange_end = i - 1
                    brange_start = jj - 1
                    brange_end = jj - 1
                elif arange_start == i and brange_start == jj:
                    arange_start -= 1
                    brange_start -= 1
                else:
                    emit = True
                if arange_start == 0 or brange_start == 0:
                    emit = True
                idx -= 1
                i -= 1
                jj -= 1
            else:
                l1 = dp[jj + (i - 1) * W]
                l2 = dp[(jj - 1) + i * W]
                if l1 > l2:
                    i -= 1
                else:
                    jj -= 1
                if arange_start != alen:
                    emit = True
            match_len = arange_end - arange_start + 1
            if emit:
                if minmatchlen == 0 or match_len >= minmatchlen:
                    if getidx:
                        m = [[arange_start, arange_end], [brange_start, brange_end]]
                        if withmatchlen:
                            m.append(match_len)
                        matches.append(m)
                arange_start = alen
    finally:
        free(dp)
    if getidx:
        c.add_map_len(2)
        c.add_bulk(b"matches", 7)
        c.add_array_len(len(matches))
        for m in matches:
            c.add_array_len(len(m))
            for part in m[:2]:
                c.add_array_len(2)
                c.add_int(part[0])
                c.add_int(part[1])
            if withmatchlen:
                c.add_int(m[2])
        c.add_bulk(b"len", 3)
        return c.add_int(total)
    if getlen:
        return c.add_int(total)
    return c.add_bulk(bytes(result), len(result))


get_cmd = wrap(get_impl)
set_cmd = wrap(set_impl)
setnx_cmd = wrap(setnx_impl)
setex_cmd = wrap(setex_impl)
psetex_cmd = wrap(psetex_impl)
getset_cmd = wrap(getset_impl)
getdel_cmd = wrap(getdel_impl)
getex_cmd = wrap(getex_impl)
mget_cmd = wrap(mget_impl)
mset_cmd = wrap(mset_impl)
msetnx_cmd = wrap(msetnx_impl)
append_cmd = wrap(append_impl)
strlen_cmd = wrap(strlen_impl)
getrange_cmd = wrap(getrange_impl)
setrange_cmd = wrap(setrange_impl)
incr_cmd = wrap(incr_impl)
decr_cmd = wrap(decr_impl)
incrby_cmd = wrap(incrby_impl)
decrby_cmd = wrap(decrby_impl)
incrbyfloat_cmd = wrap(incrbyfloat_impl)
lcs_cmd = wrap(lcs_impl)
