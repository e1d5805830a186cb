# Helpers shared by the Cython command modules.
from fastkv._core.cdefs cimport fk_entry, fk_string2ll, fk_ll2string, fk_stringmatchlen, fk_mstime, OBJ_STRING
from fastkv._core.client cimport Client
from fastkv._core.keyspace cimport (Database, string_view, entry_type, notify_event,
    signal_modified_key, LOOKUP_NONE, LOOKUP_WRITE, NOTIFY_GENERIC)

# What lookup_typed returns after it replied WRONGTYPE (never dereferenced).
cdef extern from *:
    """
    #define FK_WRONGTYPE_ENTRY ((fk_entry *)1)
    """
    fk_entry *WRONGTYPE_ENTRY "FK_WRONGTYPE_ENTRY"

cdef inline bint arg_eq(Client c, int i, const char *lower, Py_ssize_t n) noexcept:
    """Case-insensitive compare of argv[i] with a lowercase ASCII word."""
    cdef const char *p = c.argv[i].p
    cdef Py_ssize_t k
    cdef char ch
    if c.argv[i].n != n:
        return False
    for k in range(n):
        ch = p[k]
        if c'A' <= ch <= c'Z':
            ch += 32
        if ch != lower[k]:
            return False
    return True

cdef inline bint arg_ll(Client c, int i, long long *v) noexcept:
    return fk_string2ll(c.argv[i].p, c.argv[i].n, v) != 0

cdef inline fk_entry *lookup_typed(Client c, int i, int flags, unsigned int typ) except? NULL:
    """The key argv[i] in the client's db if it holds type `typ`; NULL if
    absent; WRONGTYPE_ENTRY, after replying WRONGTYPE, if it holds another
    type (Redis's lookupKey + checkType, in one place)."""
    cdef fk_entry *e = c.db.lookup(c.argv[i].p, c.argv[i].n, flags)
    if e != NULL and entry_type(e) != typ:
        c.add_wrongtype()
        return WRONGTYPE_ENTRY
    return e

cdef inline int reply_string(Client c, fk_entry *e) except -1:
    cdef char tmp[24]
    cdef const char *p
    cdef Py_ssize_t n = string_view(e, &p, tmp)
    return c.add_bulk(p, n)

cdef inline void mark_dirty(Client c, long long n) noexcept:
    c.srv.keyspace.dirty += n

cdef inline int key_written(Client c, int i, int type, const char *event) except -1:
    """argv[i] was written by this command: WATCH/tracking + keyspace event
    (Redis's signalModifiedKey + notifyKeyspaceEvent pair)."""
    signal_modified_key(c.db, c.argv[i].p, c.argv[i].n)
    return notify_event(c.db, type, event, c.argv[i].p, c.argv[i].n)


# -- SCAN and the *SCAN commands: one option parser (scanGenericCommand) ----

cdef struct ScanOpts:
    long long count         # COUNT, default 10
    const char *pat         # MATCH pattern, NULL = everything (also for "*")
    int patlen
    const char *typ         # SCAN's TYPE, NULL = any type
    int typlen

cdef inline int scan_options(Client c, int i, ScanOpts *o, bint allow_type) except -1:
    """COUNT, MATCH (and, for SCAN, TYPE) from argv[i:].  Returns 1 after
    replying an error.  Pointers stay valid while the command runs."""
    o.count = 10
    o.pat = NULL
    o.patlen = 0
    o.typ = NULL
    o.typlen = 0
    while i < c.argc:
        if arg_eq(c, i, b"count", 5) and c.argc - i >= 2:
            if not arg_ll(c, i + 1, &o.count):
                c.add_not_integer()
                return 1
            if o.count < 1:
                c.add_syntax_error()
                return 1
            i += 2
        elif arg_eq(c, i, b"match", 5) and c.argc - i >= 2:
            o.pat = c.argv[i + 1].p
            o.patlen = <int>c.argv[i + 1].n
            if o.patlen == 1 and o.pat[0] == b'*':
                o.pat = NULL
            i += 2
        elif allow_type and arg_eq(c, i, b"type", 4) and c.argc - i >= 2:
            o.typ = c.argv[i + 1].p
            o.typlen = <int>c.argv[i + 1].n
            i += 2
        else:
            c.add_syntax_error()
            return 1
    return 0

cdef inline bint scan_match(ScanOpts *o, const char *s, Py_ssize_t n) noexcept:
    return o.pat == NULL or fk_stringmatchlen(o.pat, o.patlen, s, <int>n, 0) != 0

cdef inline long long scan_max_iterations(ScanOpts *o) noexcept:
    """Buckets a scan call may visit: COUNT*10, without overflow for huge COUNTs."""
    return o.count * 10 if o.count <= 922337203685477580 else 9223372036854775807

cdef inline int reply_scan_cursor(Client c, unsigned long long cursor) except -1:
    """The head of a SCAN reply: [cursor as a bulk string, ...]."""
    cdef char buf[24]
    cdef int n = fk_ll2string(buf, sizeof(buf), <long long>cursor) if cursor <= 9223372036854775807 else 0
    c.add_array_len(2)
    if n == 0:
        s = str(cursor).encode()
        return c.add_bulk(s, len(s))
    return c.add_bulk(buf, n)


# -- SRANDMEMBER / HRANDFIELD / ZRANDMEMBER count ---------------------------

cdef inline int rand_count_args(Client c, const char *word, Py_ssize_t wn, long long *l,
                                bint *withflag) except -1:
    """The `count [WITHVALUES|WITHSCORES]` of the random-pick commands, with
    Redis's checks in Redis's order (range, syntax, the halved range when
    the flag doubles the reply).  word=NULL: no flag allowed.  Returns 1
    after replying an error."""
    withflag[0] = False
    if not arg_ll(c, 2, l):
        c.add_not_integer()
        return 1
    if l[0] < -9223372036854775807:
        c.add_error_str("ERR value is out of range, value must between "
                        "-9223372036854775807 and 9223372036854775807")
        return 1
    if c.argc > 4 or (c.argc == 4 and (word == NULL or not arg_eq(c, 3, word, wn))):
        c.add_syntax_error()
        return 1
    if c.argc == 4:
        withflag[0] = True
        if l[0] < -4611686018427387903 or l[0] > 4611686018427387903:
            c.add_error_str("ERR value is out of range")
            return 1
    return 0

cdef inline unsigned long long rand_count(long long l, bint *uniq) noexcept:
    """|l|; uniq is False for a negative count (picks may repeat)."""
    uniq[0] = l >= 0
    return <unsigned long long>l if l >= 0 else <unsigned long long>(-l)


# -- a collection emptied by its command ------------------------------------

cdef inline int notify_key_removed(Client c, const char *k, Py_ssize_t n) except -1:
    """The generic "del" event of a key whose collection its command emptied
    (fired after the type's own event, as Redis does)."""
    return notify_event(c.db, NOTIFY_GENERIC, b"del", k, n)

cdef inline int delete_emptied_key(Client c, int ki) except -1:
    """dbDelete of argv[ki], emptied by the command, + its "del" event."""
    c.db.delete(c.argv[ki].p, c.argv[ki].n)
    return notify_key_removed(c, c.argv[ki].p, c.argv[ki].n)
