# cython: language_level=3, boundscheck=False, wraparound=False
"""SORT and SORT_RO (Redis 7.0's sort.c).

    SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]]
         [ASC|DESC] [ALPHA] [STORE destination]

The elements come from the type modules (t_list / t_set / t_zset) as bytes;
BY and GET patterns are resolved as lookupKeyByPattern does: the first '*'
is replaced by the element, `key->field` reads a hash field, `#` is the
element itself, a pattern without '*' finds nothing.

Ordering is Redis's sortCompare:
  - numeric: the score parsed with strtod (leading spaces, hex, inf allowed;
    NaN, ERANGE or trailing bytes are "One or more scores can't be converted
    into double"); a BY key that is missing scores 0; equal scores fall back
    to the binary order of the elements themselves;
  - ALPHA: strcoll in the LC_COLLATE locale of the environment (as Redis,
    which calls setlocale(LC_COLLATE, "") at startup), but the binary order
    when STORE is given; with BY, missing keys sort first and equal keys
    keep their input order (glibc's qsort is a merge sort: stable).
DESC reverses the comparison (equal elements keep their order).
`BY <no star>` does not sort: lists and sorted sets keep their own order
(DESC walks from the tail); a set is sorted ALPHA anyway when STORE is
given, so the stored list does not depend on the set's internal order.
"""
from libc.stdlib cimport malloc, free
from libc.string cimport strlen
from fastkv._core.cdefs cimport *
from fastkv._core.client cimport Client, wrap
from fastkv._core.keyspace cimport (Database, string_view, entry_type, notify_event,
    signal_modified_key, LOOKUP_NONE, NOTIFY_LIST, NOTIFY_GENERIC)
from fastkv._core.shared cimport attach
from fastkv.commands.common cimport arg_eq, arg_ll, mark_dirty
from fastkv.commands.t_list cimport list_items, list_store
from fastkv.commands.t_set cimport set_items
from fastkv.commands.t_zset cimport zset_items
from fastkv.commands.t_hash cimport hash_get_field

attach()

cdef extern from *:
    """
    #include <errno.h>
    #include <math.h>
    #include <stdlib.h>
    /* sortCommandGeneric's score: strtod, the whole string, no ERANGE, no NaN. */
    static int fk_sort_strtod(const char *s, double *out) {
        char *eptr;
        errno = 0;
        *out = strtod(s, &eptr);
        return !(eptr[0] != '\\0' || errno == ERANGE || isnan(*out));
    }
    """
    int fk_sort_strtod(const char *s, double *out) nogil

cdef extern from "<string.h>" nogil:
    size_t strxfrm(char *dst, const char *src, size_t n)

cdef extern from "fk_zset.h" nogil:
    void fk_zset_convert(fk_entry *e, int encoding)

cdef extern from "<locale.h>" nogil:
    enum:
        LC_COLLATE
    char *setlocale(int category, const char *locale)

# As Redis's main(): ALPHA without STORE collates with the environment's locale.
setlocale(LC_COLLATE, b"")


cdef object lookup_by_pattern(Database db, bytes pat, bytes subst):
    """lookupKeyByPattern: bytes or None."""
    cdef Py_ssize_t star, arrow, flen, postlen
    cdef bytes key, field = None
    cdef fk_entry *e
    cdef const char *p
    cdef char tmp[24]
    cdef Py_ssize_t n
    if pat == b"#":
        return subst
    star = pat.find(b"*")
    if star < 0:
        return None
    arrow = pat.find(b"->", star + 1)
    if arrow >= 0 and arrow + 2 < len(pat):
        field = pat[arrow + 2:]
        flen = len(field)
        postlen = len(pat) - (star + 1) - (flen + 2)
    else:
        postlen = len(pat) - (star + 1)
    key = pat[:star] + subst + pat[star + 1:star + 1 + postlen]
    e = db.lookup(key, len(key), LOOKUP_NONE)
    if e == NULL:
        return None
    if field is not None:
        if entry_type(e) != OBJ_HASH:
            return None
        return hash_get_field(e, field, len(field))
    if entry_type(e) != OBJ_STRING:
        return None
    n = string_view(e, &p, tmp)
    return p[:n]


cdef bint parse_score(bytes s, double *out) noexcept:
    """Redis's strtod check: False when the value is not a usable double
    (bytes objects are NUL-terminated, like sds)."""
    return fk_sort_strtod(s, out) != 0


cdef bytes collate_key(bytes s):
    """strxfrm(s): comparing these as bytes is comparing with strcoll (which
    also stops at the first NUL, as Redis's strcoll on the sds does)."""
    cdef const char *cs = s
    cdef size_t n = strxfrm(NULL, cs, 0)
    cdef char *buf = <char *>malloc(n + 1)
    if buf == NULL:
        raise MemoryError()
    try:
        strxfrm(buf, cs, n + 1)
        return buf[:n]
    finally:
        free(buf)


cdef int sort_generic(Client c, bint readonly) except -1:
    cdef int j = 2, leftargs
    cdef bint desc = False, alpha = False, dontsort = False
    cdef long long limit_start = 0, limit_count = -1, start, end, vectorlen, outputlen
    cdef bytes sortby = None, storekey = None
    cdef list gets = []
    cdef fk_entry *e
    cdef unsigned int typ
    cdef list vector
    cdef list keys
    cdef bint conv_error = False
    cdef double score
    cdef Database db = c.db
    cdef const char *bp
    cdef long long i
    cdef bytes ele, val
    cdef list out

    while j < c.argc:
        leftargs = c.argc - j - 1
        if arg_eq(c, j, b"asc", 3):
            desc = False
        elif arg_eq(c, j, b"desc", 4):
            desc = True
        elif arg_eq(c, j, b"alpha", 5):
            alpha = True
        elif arg_eq(c, j, b"limit", 5) and leftargs >= 2:
            if not arg_ll(c, j + 1, &limit_start) or not arg_ll(c, j + 2, &limit_count):
                return c.add_not_integer()
            j += 2
        elif not readonly and arg_eq(c, j, b"store", 5) and leftargs >= 1:
            storekey = c.arg(j + 1)
            j += 1
        elif arg_eq(c, j, b"by", 2) and leftargs >= 1:
            sortby = c.arg(j + 1)
            bp = sortby
            # A BY pattern without '*' (C string, as strchr) means: don't sort.
            if b"*" not in bp[:strlen(bp)]:
                dontsort = True
            j += 1
        elif arg_eq(c, j, b"get", 3) and leftargs >= 1:
            gets.append(c.arg(j + 1))
            j += 1
        else:
            return c.add_syntax_error()
        j += 1

    e = db.lookup(c.argv[1].p, c.argv[1].n, LOOKUP_NONE)
    typ = OBJ_LIST
    if e != NULL:
        typ = entry_type(e)
        if typ != OBJ_SET and typ != OBJ_LIST and typ != OBJ_ZSET:
            return c.add_wrongtype()

    # A set has no order of its own: with STORE, sort it ALPHA anyway.
    if dontsort and typ == OBJ_SET and storekey is not None:
        dontsort = False
        alpha = True
        sortby = None

    # As Redis 7.0 (zsetConvert in sortCommandGeneric): a listpack sorted
    # set becomes a skiplist.
    if e != NULL and typ == OBJ_ZSET:
        fk_zset_convert(e, ENC_SKIPLIST)

    if e == NULL:
        vector = []
    elif typ == OBJ_LIST:
        vector = list_items(e)
    elif typ == OBJ_SET:
        vector = set_items(e)
    else:
        vector = zset_items(e)
    vectorlen = len(vector)

    # LIMIT sanity (Redis 7.0, overflow-safe).
    start = min(max(limit_start, 0), vectorlen)
    limit_count = min(max(limit_count, -1), vectorlen)
    end = vectorlen - 1 if limit_count < 0 else start + limit_count - 1
    if start >= vectorlen:
        start = vectorlen - 1
        end = vectorlen - 2
    if end >= vectorlen:
        end = vectorlen - 1

    if dontsort:
        if desc and typ != OBJ_SET:
            vector.reverse()
    elif sortby is not None:
        if alpha:
            keys = []
            for ele in vector:
                byval = lookup_by_pattern(db, sortby, ele)
                if byval is None:
                    keys.append((0, b""))
                else:
                    keys.append((1, byval if storekey is not None else collate_key(byval)))
        else:
            keys = []
            for ele in vector:
                byval = lookup_by_pattern(db, sortby, ele)
                score = 0
                if byval is not None and not parse_score(byval, &score):
                    conv_error = True
                keys.append((score, ele))
        order = sorted(range(vectorlen), key=keys.__getitem__, reverse=desc)
        vector = [vector[i] for i in order]
    elif alpha:
        if storekey is not None:
            vector.sort(reverse=desc)
        else:
            vector.sort(key=collate_key, reverse=desc)
    else:
        keys = []
        for ele in vector:
            score = 0
            if not parse_score(ele, &score):
                conv_error = True
            keys.append((score, ele))
        order = sorted(range(vectorlen), key=keys.__getitem__, reverse=desc)
        vector = [vector[i] for i in order]

    outputlen = (end - start + 1) * (len(gets) if gets else 1)
    if conv_error:
        return c.add_error_str("ERR One or more scores can't be converted into double")

    if storekey is None:
        c.add_array_len(outputlen)
        for i in range(start, end + 1):
            ele = vector[i]
            if not gets:
                c.add_bulk(ele, len(ele))
            for pat in gets:
                val = lookup_by_pattern(db, pat, ele)
                if val is None:
                    c.add_null()
                else:
                    c.add_bulk(val, len(val))
        return 0

    out = []
    for i in range(start, end + 1):
        ele = vector[i]
        if not gets:
            out.append(ele)
        for pat in gets:
            val = lookup_by_pattern(db, pat, ele)
            out.append(b"" if val is None else val)
    if outputlen:
        list_store(db, storekey, out)
        signal_modified_key(db, storekey, len(storekey))
        notify_event(db, NOTIFY_LIST, b"sortstore", storekey, len(storekey))
        mark_dirty(c, outputlen)
    elif db.delete(storekey, len(storekey)):
        signal_modified_key(db, storekey, len(storekey))
        notify_event(db, NOTIFY_GENERIC, b"del", storekey, len(storekey))
        mark_dirty(c, 1)
    return c.add_int(outputlen)


cdef int sort_impl(Client c) except -1:
    return sort_generic(c, False)


cdef int sort_ro_impl(Client c) except -1:
    return sort_generic(c, True)


sort_cmd = wrap(sort_impl)
sort_ro_cmd = wrap(sort_ro_impl)
