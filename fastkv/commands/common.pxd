# Helpers shared by the Cython command modules.
from fastkv._core.cdefs cimport fk_entry, fk_string2ll, fk_mstime
from fastkv._core.client cimport Client
from fastkv._core.keyspace cimport string_view, entry_type, OBJ_STRING

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

cdef inline int reply_string(Client c, fk_entry *e) except -1:
    cdef char tmp[24]
    cdef const char *p
    cdef Py_ssize_t n = string_view(e, &p, tmp)
    return c.add_bulk(p, n)

cdef inline void mark_dirty(Client c, long long n) noexcept:
    c.srv.keyspace.dirty += n
