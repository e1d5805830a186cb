# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""List commands (Redis's t_list.c)."""
from fastkv._core.cdefs cimport *
from fastkv._core.cdefs_list cimport *
from fastkv._core.keyspace cimport Database
from fastkv._core.shared cimport attach

attach()


cdef list list_items(fk_entry *e):
    cdef fk_qliter it
    cdef fk_qlentry qe
    cdef list out = []
    fk_ql_iter_init(&it, <fk_quicklist *>e.v.ptr, FK_QL_START_HEAD)
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
    ql = fk_ql_new(fk_sh.list_max_listpack_size, fk_sh.list_compress_depth)
    for v in items:
        fk_ql_push_tail(ql, <const char *>v, len(v))
    db.set_value(key, len(key), OBJ_LIST, ENC_QUICKLIST, ql)
    return 0
