# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Set commands (Redis 7.0's t_set.c): SADD SREM SCARD SISMEMBER SMISMEMBER
SMEMBERS SPOP SRANDMEMBER SMOVE SINTER SINTERCARD SINTERSTORE SUNION
SUNIONSTORE SDIFF SDIFFSTORE SSCAN.

A set is an intset while all its members are integers and there are at
most set-max-intset-entries of them, then a hash table of member strings
(csrc/fk_t_set.h does the encodings and the conversion).  Handlers work on
the C structures and write replies straight into the client buffer: no
Python object per member (SSCAN and set_items excepted).

The algorithms (SPOP/SRANDMEMBER strategies, SINTER by increasing
cardinality, SDIFF's two algorithms) and the order of keyspace events are
Redis 7.0's, so encodings of stored results and events match.
"""
from cpython.mem cimport PyMem_Malloc, PyMem_Realloc, PyMem_Free
from cpython.ref cimport PyObject
from libc.stdint cimport int64_t, uint64_t
from libc.stdlib cimport qsort
from fastkv._core.cdefs cimport *
from fastkv._core.cdefs_set cimport *
from fastkv._core.client cimport Client, wrap
from fastkv._core.keyspace cimport (Database, entry_type, entry_encoding, entry_lru,
    entry_set_meta, notify_event, signal_modified_key, LOOKUP_NONE, LOOKUP_WRITE,
    NOTIFY_GENERIC, NOTIFY_SET, NOTIFY_NEW)
from fastkv._core.shared cimport attach
from fastkv.commands.common cimport (arg_eq, arg_ll, lookup_typed, mark_dirty, key_written,
    WRONGTYPE_ENTRY, ScanOpts, scan_options, scan_match, scan_max_iterations, reply_scan_cursor,
    rand_count_args, rand_count, notify_key_removed, delete_emptied_key)

attach()

cdef extern from *:
    long long LLONG_MAX

cdef enum:
    SPOP_MOVE_STRATEGY_MUL = 5
    SRANDMEMBER_SUB_STRATEGY_MUL = 3
    SET_OP_UNION = 0
    SET_OP_DIFF = 1


# -- helpers -----------------------------------------------------------------

cdef inline int reply_member(Client c, int enc, const char *p, size_t n, int64_t ll) except -1:
    cdef char buf[24]
    cdef int k
    if enc == ENC_INTSET:
        k = fk_ll2string(buf, sizeof(buf), ll)
        return c.add_bulk(buf, k)
    return c.add_bulk(p, n)


cdef inline int add_member(fk_entry *dst, int enc, const char *p, size_t n, int64_t ll) noexcept:
    if enc == ENC_INTSET:
        return fk_set_add_ll(dst, ll)
    return fk_set_add(dst, p, n)


cdef inline int remove_member(fk_entry *dst, int enc, const char *p, size_t n, int64_t ll) noexcept:
    if enc == ENC_INTSET:
        return fk_set_remove_ll(dst, ll)
    return fk_set_remove(dst, p, n)


cdef inline bint is_member(fk_entry *s, int enc, const char *p, size_t n, int64_t ll) noexcept:
    if enc == ENC_INTSET:
        return fk_set_ismember_ll(s, ll)
    return fk_set_ismember(s, p, n)


cdef int reply_whole_set(Client c, fk_entry *s, bint as_array=False) except -1:
    """The set's members as a set reply (or an array), in iteration order."""
    cdef fk_set_iter it
    cdef const char *p = NULL
    cdef size_t n = 0
    cdef int64_t ll = 0
    cdef int enc
    if as_array:
        c.add_array_len(<long long>fk_set_size(s))
    else:
        c.add_set_len(<long long>fk_set_size(s))
    fk_set_iter_init(&it, s)
    while True:
        enc = fk_set_next(&it, &p, &n, &ll)
        if enc < 0:
            break
        reply_member(c, enc, p, n, ll)
    return 0


cdef fk_entry *create_set_key(Client c, int ki, const char *p, size_t n) except NULL:
    """setTypeCreate(member p) + dbAdd(argv[ki]) (the key is absent; add_value
    fires "new")."""
    cdef fk_entry *e = c.db.add_value(c.argv[ki].p, c.argv[ki].n, OBJ_SET, ENC_INTSET, NULL)
    fk_set_init_for(e, p, n)
    return e


cdef list set_items(fk_entry *e):
    cdef fk_set_iter it
    cdef const char *p = NULL
    cdef size_t n = 0
    cdef int64_t ll = 0
    cdef int enc
    cdef char buf[24]
    cdef int k
    cdef list out = []
    fk_set_iter_init(&it, e)
    while True:
        enc = fk_set_next(&it, &p, &n, &ll)
        if enc < 0:
            break
        if enc == ENC_INTSET:
            k = fk_ll2string(buf, sizeof(buf), ll)
            out.append(buf[:k])
        else:
            out.append(p[:n])
    return out


cdef int store_result(Client c, int di, fk_entry *tmp, const char *event) except -1:
    """The end of the *STORE commands: argv[di] gets the scratch set `tmp`
    (setKey, or dbDelete when it is empty), the reply, the events."""
    cdef const char *k = c.argv[di].p
    cdef Py_ssize_t kn = c.argv[di].n
    cdef uint64_t size = fk_set_size(tmp)
    if size > 0:
        c.db.lookup(k, kn, LOOKUP_WRITE)     # setKey's lookupKeyWrite: expires it first
        c.db.set_value(k, kn, OBJ_SET, (tmp.meta >> 4) & 0xF, tmp.v.ptr)   # "new" if added
        tmp.v.ptr = NULL
        signal_modified_key(c.db, k, kn)
        c.add_int(<long long>size)
        notify_event(c.db, NOTIFY_SET, event, k, kn)
        mark_dirty(c, 1)
    else:
        fk_set_release(tmp)
        c.add_int(0)
        if c.db.delete(k, kn):
            mark_dirty(c, 1)
            signal_modified_key(c.db, k, kn)
            notify_key_removed(c, k, kn)
    return 0


# -- SADD SREM SCARD SISMEMBER SMISMEMBER -------------------------------------

cdef int sadd_impl(Client c) except -1:
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_SET)
    cdef int j
    cdef long long added = 0
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        e = create_set_key(c, 1, c.argv[2].p, c.argv[2].n)
    for j in range(2, c.argc):
        added += fk_set_add(e, c.argv[j].p, c.argv[j].n)
    if added:
        key_written(c, 1, NOTIFY_SET, b"sadd")
    mark_dirty(c, added)
    return c.add_int(added)


cdef int srem_impl(Client c) except -1:
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_SET)
    cdef int j
    cdef long long deleted = 0
    cdef bint keyremoved = False
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_int(0)
    for j in range(2, c.argc):
        if fk_set_remove(e, c.argv[j].p, c.argv[j].n):
            deleted += 1
            if fk_set_size(e) == 0:
                c.db.delete(c.argv[1].p, c.argv[1].n)
                keyremoved = True
                break
    if deleted:
        key_written(c, 1, NOTIFY_SET, b"srem")
        if keyremoved:
            notify_key_removed(c, c.argv[1].p, c.argv[1].n)
        mark_dirty(c, deleted)
    return c.add_int(deleted)


cdef int scard_impl(Client c) except -1:
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_SET)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_int(0)
    return c.add_int(<long long>fk_set_size(e))


cdef int sismember_impl(Client c) except -1:
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_SET)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_int(0)
    return c.add_int(fk_set_ismember(e, c.argv[2].p, c.argv[2].n))


cdef int smismember_impl(Client c) except -1:
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_SET)
    cdef int j
    if e == WRONGTYPE_ENTRY:
        return 0
    c.add_array_len(c.argc - 2)
    for j in range(2, c.argc):
        c.add_int(0 if e == NULL else fk_set_ismember(e, c.argv[j].p, c.argv[j].n))
    return 0


# -- SMOVE -------------------------------------------------------------------

cdef int smove_impl(Client c) except -1:
    cdef Database db = c.db
    cdef fk_entry *src = db.lookup(c.argv[1].p, c.argv[1].n, LOOKUP_WRITE)
    cdef fk_entry *dst = db.lookup(c.argv[2].p, c.argv[2].n, LOOKUP_WRITE)
    cdef const char *ele = c.argv[3].p
    cdef size_t elen = c.argv[3].n
    if src == NULL:
        return c.add_int(0)
    if entry_type(src) != OBJ_SET or (dst != NULL and entry_type(dst) != OBJ_SET):
        return c.add_wrongtype()
    if src == dst:
        return c.add_int(fk_set_ismember(src, ele, elen))
    if not fk_set_remove(src, ele, elen):
        return c.add_int(0)
    notify_event(db, NOTIFY_SET, b"srem", c.argv[1].p, c.argv[1].n)
    if fk_set_size(src) == 0:
        db.delete(c.argv[1].p, c.argv[1].n)
        notify_key_removed(c, c.argv[1].p, c.argv[1].n)
    if dst == NULL:
        dst = create_set_key(c, 2, ele, elen)
    signal_modified_key(db, c.argv[1].p, c.argv[1].n)
    signal_modified_key(db, c.argv[2].p, c.argv[2].n)
    mark_dirty(c, 1)
    if fk_set_add(dst, ele, elen):
        mark_dirty(c, 1)
        notify_event(db, NOTIFY_SET, b"sadd", c.argv[2].p, c.argv[2].n)
    return c.add_int(1)


# -- SPOP --------------------------------------------------------------------

cdef int spop_with_count(Client c) except -1:
    cdef long long l
    cdef unsigned long long count, size, remaining
    cdef fk_entry *e
    cdef fk_entry newset
    cdef fk_set_iter it
    cdef const char *p = NULL
    cdef size_t n = 0
    cdef int64_t ll = 0
    cdef int enc
    cdef bint have_new = False
    if not arg_ll(c, 2, &l):
        return c.add_error_str("ERR value is out of range, must be positive")
    if l < 0:
        return c.add_error_str("ERR value is out of range, must be positive")
    count = <unsigned long long>l
    e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_SET)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL or count == 0:
        return c.add_set_len(0)
    size = fk_set_size(e)
    notify_event(c.db, NOTIFY_SET, b"spop", c.argv[1].p, c.argv[1].n)
    mark_dirty(c, <long long>count)

    # CASE 1: everything is asked for: the whole set, and the key goes.
    if count >= size:
        reply_whole_set(c, e)
        c.db.delete(c.argv[1].p, c.argv[1].n)
        notify_key_removed(c, c.argv[1].p, c.argv[1].n)
        signal_modified_key(c.db, c.argv[1].p, c.argv[1].n)
        mark_dirty(c, 1)
        return 0

    remaining = size - count
    c.add_set_len(<long long>count)
    if remaining * SPOP_MOVE_STRATEGY_MUL > count:
        # CASE 2: few elements: pop random ones.
        while count:
            count -= 1
            enc = fk_set_random(e, &p, &n, &ll)
            reply_member(c, enc, p, n, ll)
            remove_member(e, enc, p, n, ll)
    else:
        # CASE 3: most of the set: move the `remaining` random elements to a
        # new set, reply what is left of the old one, keep the new one.
        while remaining:
            remaining -= 1
            enc = fk_set_random(e, &p, &n, &ll)
            if not have_new:
                if enc == ENC_INTSET:
                    fk_set_init_tmp(&newset)
                else:
                    fk_set_init_for(&newset, p, n)
                have_new = True
            add_member(&newset, enc, p, n, ll)
            remove_member(e, enc, p, n, ll)
        fk_set_iter_init(&it, e)
        while True:
            enc = fk_set_next(&it, &p, &n, &ll)
            if enc < 0:
                break
            reply_member(c, enc, p, n, ll)
        fk_set_release(e)
        e.v.ptr = newset.v.ptr
        entry_set_meta(e, OBJ_SET, (newset.meta >> 4) & 0xF, entry_lru(e))
    signal_modified_key(c.db, c.argv[1].p, c.argv[1].n)
    mark_dirty(c, 1)
    return 0


cdef int spop_impl(Client c) except -1:
    cdef fk_entry *e
    cdef const char *p = NULL
    cdef size_t n = 0
    cdef int64_t ll = 0
    cdef int enc
    if c.argc == 3:
        return spop_with_count(c)
    if c.argc > 3:
        return c.add_syntax_error()
    e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_SET)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_null()
    enc = fk_set_random(e, &p, &n, &ll)
    notify_event(c.db, NOTIFY_SET, b"spop", c.argv[1].p, c.argv[1].n)
    reply_member(c, enc, p, n, ll)
    remove_member(e, enc, p, n, ll)     # p is gone after this
    if fk_set_size(e) == 0:
        c.db.delete(c.argv[1].p, c.argv[1].n)
        notify_key_removed(c, c.argv[1].p, c.argv[1].n)
    signal_modified_key(c.db, c.argv[1].p, c.argv[1].n)
    mark_dirty(c, 1)
    return 0


# -- SRANDMEMBER -------------------------------------------------------------

cdef inline void aux_add(fk_dict *d, int enc, const char *p, size_t n, int64_t ll, int *added) noexcept:
    cdef char buf[24]
    if enc == ENC_INTSET:
        n = <size_t>fk_ll2string(buf, sizeof(buf), ll)
        p = buf
    if fk_dict_find(d, p, n) == NULL:
        fk_dict_add(d, p, n, 0)
        added[0] = 1
    else:
        added[0] = 0


cdef int srandmember_with_count(Client c) except -1:
    cdef long long l
    cdef unsigned long long count, size
    cdef bint uniq = True
    cdef fk_entry *e
    cdef const char *p = NULL
    cdef size_t n = 0
    cdef int64_t ll = 0
    cdef int enc, added
    cdef fk_dict *d
    cdef fk_entry *m
    cdef fk_entry aux
    cdef fk_set_iter it
    if not arg_ll(c, 2, &l):
        return c.add_not_integer()
    if l < -LLONG_MAX:
        return c.add_error_str("ERR value is out of range, value must between "
                               "-9223372036854775807 and 9223372036854775807")
    count = rand_count(l, &uniq)
    e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_SET)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL or count == 0:
        return c.add_array_len(0)
    size = fk_set_size(e)

    # Redis 7.0 replies arrays here, even in RESP3.
    # CASE 1: negative count (or 1): independent picks, in random order.
    if not uniq or count == 1:
        c.add_array_len(<long long>count)
        while count:
            count -= 1
            enc = fk_set_random(e, &p, &n, &ll)
            reply_member(c, enc, p, n, ll)
        return 0

    # CASE 2: at least the whole set.
    if count >= size:
        return reply_whole_set(c, e, True)

    d = fk_set_dict_new()
    try:
        if count * SRANDMEMBER_SUB_STRATEGY_MUL > size:
            # CASE 3: copy the set, then drop random members down to count.
            fk_dict_expand(d, size)
            fk_set_iter_init(&it, e)
            while True:
                enc = fk_set_next(&it, &p, &n, &ll)
                if enc < 0:
                    break
                aux_add(d, enc, p, n, ll, &added)
            while size > count:
                m = fk_dict_random(d)
                fk_dict_delete(d, m.key, fk_entry_klen(m))
                size -= 1
        else:
            # CASE 4: random picks until count distinct ones.
            size = 0
            while size < count:
                enc = fk_set_random(e, &p, &n, &ll)
                aux_add(d, enc, p, n, ll, &added)
                size += added
        c.add_array_len(<long long>count)
        aux.meta = OBJ_SET | (ENC_HT << 4)
        aux.v.ptr = d
        fk_set_iter_init(&it, &aux)
        while True:
            enc = fk_set_next(&it, &p, &n, &ll)
            if enc < 0:
                break
            c.add_bulk(p, n)
    finally:
        fk_dict_free(d)
    return 0


cdef int srandmember_impl(Client c) except -1:
    cdef fk_entry *e
    cdef const char *p = NULL
    cdef size_t n = 0
    cdef int64_t ll = 0
    cdef int enc
    if c.argc == 3:
        return srandmember_with_count(c)
    if c.argc > 3:
        return c.add_syntax_error()
    e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_SET)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_null()
    enc = fk_set_random(e, &p, &n, &ll)
    return reply_member(c, enc, p, n, ll)


# -- SINTER SINTERCARD SINTERSTORE -------------------------------------------

cdef struct Member:
    const char *p
    size_t n
    int64_t ll
    int enc


cdef int cmp_card(const void *a, const void *b) noexcept nogil:
    cdef uint64_t x = fk_set_size((<fk_entry **>a)[0])
    cdef uint64_t y = fk_set_size((<fk_entry **>b)[0])
    return 1 if x > y else (-1 if x < y else 0)


cdef int cmp_rev_card(const void *a, const void *b) noexcept nogil:
    cdef fk_entry *o1 = (<fk_entry **>a)[0]
    cdef fk_entry *o2 = (<fk_entry **>b)[0]
    cdef uint64_t x = fk_set_size(o1) if o1 != NULL else 0
    cdef uint64_t y = fk_set_size(o2) if o2 != NULL else 0
    return 1 if x < y else (-1 if x > y else 0)


cdef int lookup_sets(Client c, int first, int setnum, fk_entry **sets, int *empty) except -1:
    """Looks up argv[first:first+setnum] as sets (NULL for missing keys).
    Returns 1 after replying WRONGTYPE."""
    cdef int j
    cdef fk_entry *e
    empty[0] = 0
    for j in range(setnum):
        e = c.db.lookup(c.argv[first + j].p, c.argv[first + j].n, LOOKUP_NONE)
        if e == NULL:
            empty[0] += 1
            sets[j] = NULL
            continue
        if entry_type(e) != OBJ_SET:
            c.add_wrongtype()
            return 1
        sets[j] = e
    return 0


cdef int sinter_generic(Client c, int first, int setnum, int dsti, bint cardinality_only,
                        unsigned long long limit) except -1:
    cdef fk_entry **sets = <fk_entry **>PyMem_Malloc(sizeof(fk_entry *) * setnum)
    cdef Member *out = NULL
    cdef Py_ssize_t nout = 0, cap = 0
    cdef int empty, j, enc
    cdef unsigned long long cardinality = 0
    cdef fk_entry dstset
    cdef fk_set_iter it
    cdef const char *p = NULL
    cdef size_t n = 0
    cdef int64_t ll = 0
    cdef Py_ssize_t i
    if sets == NULL:
        raise MemoryError()
    dstset.v.ptr = NULL
    try:
        if lookup_sets(c, first, setnum, sets, &empty):
            return 0
        if empty > 0:
            if dsti >= 0:
                if c.db.delete(c.argv[dsti].p, c.argv[dsti].n):
                    signal_modified_key(c.db, c.argv[dsti].p, c.argv[dsti].n)
                    notify_key_removed(c, c.argv[dsti].p, c.argv[dsti].n)
                    mark_dirty(c, 1)
                c.add_int(0)
            elif cardinality_only:
                c.add_int(0)
            else:
                c.add_set_len(0)
            return 0
        qsort(sets, setnum, sizeof(fk_entry *), cmp_card)
        if dsti >= 0:
            fk_set_init_tmp(&dstset)
        fk_set_iter_init(&it, sets[0])
        while True:
            enc = fk_set_next(&it, &p, &n, &ll)
            if enc < 0:
                break
            j = 1
            while j < setnum:
                if sets[j] != sets[0] and not is_member(sets[j], enc, p, n, ll):
                    break
                j += 1
            if j != setnum:
                continue
            if cardinality_only:
                cardinality += 1
                if limit and cardinality >= limit:
                    break
            elif dsti < 0:
                if nout == cap:
                    cap = cap * 2 if cap else 16
                    out = <Member *>PyMem_Realloc(out, sizeof(Member) * cap)
                    if out == NULL:
                        raise MemoryError()
                out[nout].p = p
                out[nout].n = n
                out[nout].ll = ll
                out[nout].enc = enc
                nout += 1
            else:
                add_member(&dstset, enc, p, n, ll)
        if cardinality_only:
            c.add_int(<long long>cardinality)
        elif dsti >= 0:
            store_result(c, dsti, &dstset, b"sinterstore")
        else:
            c.add_set_len(nout)
            for i in range(nout):
                reply_member(c, out[i].enc, out[i].p, out[i].n, out[i].ll)
    finally:
        PyMem_Free(sets)
        PyMem_Free(out)
        if dstset.v.ptr != NULL:
            fk_set_release(&dstset)
    return 0


cdef int sinter_impl(Client c) except -1:
    return sinter_generic(c, 1, c.argc - 1, -1, False, 0)


cdef int smembers_impl(Client c) except -1:
    return sinter_generic(c, 1, 1, -1, False, 0)


cdef int sinterstore_impl(Client c) except -1:
    return sinter_generic(c, 2, c.argc - 2, 1, False, 0)


cdef int sintercard_impl(Client c) except -1:
    cdef long long numkeys, limit = 0
    cdef int j
    if not arg_ll(c, 1, &numkeys) or numkeys < 1:
        return c.add_error_str("ERR numkeys should be greater than 0")
    if numkeys > c.argc - 2:
        return c.add_error_str("ERR Number of keys can't be greater than number of args")
    j = 2 + <int>numkeys
    while j < c.argc:
        if arg_eq(c, j, b"limit", 5) and c.argc - 1 - j > 0:
            j += 1
            if not arg_ll(c, j, &limit) or limit < 0:
                return c.add_error_str("ERR LIMIT can't be negative")
        else:
            return c.add_syntax_error()
        j += 1
    return sinter_generic(c, 2, <int>numkeys, -1, True, <unsigned long long>limit)


# -- SUNION SUNIONSTORE SDIFF SDIFFSTORE ---------------------------------------

cdef int sunion_diff_generic(Client c, int first, int setnum, int dsti, int op) except -1:
    cdef fk_entry **sets = <fk_entry **>PyMem_Malloc(sizeof(fk_entry *) * setnum)
    cdef int empty, j, enc
    cdef bint sameset = False
    cdef int diff_algo = 1
    cdef long long algo_one_work = 0, algo_two_work = 0, cardinality = 0
    cdef fk_entry dstset
    cdef fk_set_iter it
    cdef const char *p = NULL
    cdef size_t n = 0
    cdef int64_t ll = 0
    if sets == NULL:
        raise MemoryError()
    dstset.v.ptr = NULL
    try:
        if lookup_sets(c, first, setnum, sets, &empty):
            return 0
        for j in range(1, setnum):
            if sets[j] != NULL and sets[j] == sets[0]:
                sameset = True
        if op == SET_OP_DIFF and sets[0] != NULL and not sameset:
            for j in range(setnum):
                if sets[j] == NULL:
                    continue
                algo_one_work += <long long>fk_set_size(sets[0])
                algo_two_work += <long long>fk_set_size(sets[j])
            algo_one_work //= 2
            diff_algo = 1 if algo_one_work <= algo_two_work else 2
            if diff_algo == 1 and setnum > 1:
                qsort(sets + 1, setnum - 1, sizeof(fk_entry *), cmp_rev_card)
        fk_set_init_tmp(&dstset)
        if op == SET_OP_UNION:
            for j in range(setnum):
                if sets[j] == NULL:
                    continue
                fk_set_iter_init(&it, sets[j])
                while True:
                    enc = fk_set_next(&it, &p, &n, &ll)
                    if enc < 0:
                        break
                    cardinality += add_member(&dstset, enc, p, n, ll)
        elif op == SET_OP_DIFF and sameset:
            pass    # a set minus itself is empty
        elif op == SET_OP_DIFF and sets[0] != NULL and diff_algo == 1:
            # each element of the first set, kept if no other set has it
            fk_set_iter_init(&it, sets[0])
            while True:
                enc = fk_set_next(&it, &p, &n, &ll)
                if enc < 0:
                    break
                j = 1
                while j < setnum:
                    if sets[j] != NULL:
                        if sets[j] == sets[0] or is_member(sets[j], enc, p, n, ll):
                            break
                    j += 1
                if j == setnum:
                    add_member(&dstset, enc, p, n, ll)
                    cardinality += 1
        elif op == SET_OP_DIFF and sets[0] != NULL and diff_algo == 2:
            # the first set, minus every element of the others
            for j in range(setnum):
                if sets[j] == NULL:
                    continue
                fk_set_iter_init(&it, sets[j])
                while True:
                    enc = fk_set_next(&it, &p, &n, &ll)
                    if enc < 0:
                        break
                    if j == 0:
                        cardinality += add_member(&dstset, enc, p, n, ll)
                    else:
                        cardinality -= remove_member(&dstset, enc, p, n, ll)
                if cardinality == 0:
                    break
        if dsti < 0:
            reply_whole_set(c, &dstset)
            fk_set_release(&dstset)
        else:
            store_result(c, dsti, &dstset,
                         b"sunionstore" if op == SET_OP_UNION else b"sdiffstore")
    finally:
        PyMem_Free(sets)
        if dstset.v.ptr != NULL:
            fk_set_release(&dstset)
    return 0


cdef int sunion_impl(Client c) except -1:
    return sunion_diff_generic(c, 1, c.argc - 1, -1, SET_OP_UNION)


cdef int sunionstore_impl(Client c) except -1:
    return sunion_diff_generic(c, 2, c.argc - 2, 1, SET_OP_UNION)


cdef int sdiff_impl(Client c) except -1:
    return sunion_diff_generic(c, 1, c.argc - 1, -1, SET_OP_DIFF)


cdef int sdiffstore_impl(Client c) except -1:
    return sunion_diff_generic(c, 2, c.argc - 2, 1, SET_OP_DIFF)


# -- SSCAN -------------------------------------------------------------------

cdef void _scan_collect(void *priv, fk_entry *e) noexcept:
    try:
        (<list>priv).append(e.key[:fk_entry_klen(e)])
    except BaseException:
        pass


cdef int sscan_impl(Client c) except -1:
    cdef unsigned long long cursor
    cdef long long maxiter
    cdef ScanOpts o
    cdef fk_entry *e
    cdef list keys = []
    cdef list out
    cdef bytes k
    if not fk_parse_scan_cursor(c.argv[2].p, c.argv[2].n, &cursor):
        return c.add_error_str("ERR invalid cursor")
    e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_SET)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        return c.add_raw(b"*2\r\n$1\r\n0\r\n*0\r\n", 15)
    if scan_options(c, 3, &o, False):
        return 0
    if entry_encoding(e) == ENC_INTSET:
        keys = set_items(e)
        cursor = 0
    else:
        maxiter = scan_max_iterations(&o)
        while True:
            cursor = fk_dict_scan(<fk_dict *>e.v.ptr, cursor, _scan_collect, <void *>keys)
            maxiter -= 1
            if cursor == 0 or maxiter <= 0 or len(keys) >= o.count:
                break
    out = [k for k in keys if scan_match(&o, k, len(k))]
    reply_scan_cursor(c, cursor)
    c.add_array_len(len(out))
    for k in out:
        c.add_bulk(k, len(k))
    return 0


sadd_cmd = wrap(sadd_impl)
srem_cmd = wrap(srem_impl)
scard_cmd = wrap(scard_impl)
sismember_cmd = wrap(sismember_impl)
smismember_cmd = wrap(smismember_impl)
smembers_cmd = wrap(smembers_impl)
spop_cmd = wrap(spop_impl)
srandmember_cmd = wrap(srandmember_impl)
smove_cmd = wrap(smove_impl)
sinter_cmd = wrap(sinter_impl)
sintercard_cmd = wrap(sintercard_impl)
sinterstore_cmd = wrap(sinterstore_impl)
sunion_cmd = wrap(sunion_impl)
sunionstore_cmd = wrap(sunionstore_impl)
sdiff_cmd = wrap(sdiff_impl)
sdiffstore_cmd = wrap(sdiffstore_impl)
sscan_cmd = wrap(sscan_impl)
