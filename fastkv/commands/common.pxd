# Helpers shared by the Cython command modules.
from fastkv._core.cdefs cimport fk_entry, fk_string2ll, fk_mstime, OBJ_STRING
from fastkv._core.client cimport Client
from fastkv._core.keyspace cimport (Database, string_view, entry_type, notify_event,
    signal_modified_key, LOOKUP_NONE, LOOKUP_WRITE)

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
