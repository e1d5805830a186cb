# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Hash commands (Redis 7.0's t_hash.c).

The structure (listpack or hashtable, and when one becomes the other) is C,
in csrc/fk_t_hash.c; these handlers parse arguments, call it, and write
replies straight into the client's buffer.  Values are read as (pointer,
length) views into the hash (a listpack integer is printed into a stack
buffer), so no Python object is made per field.  The comments name the
Redis function each handler mirrors: error texts, reply shapes, keyspace
events and their order are Redis's.
"""
from libc.stdint cimport uint64_t
from libc.stdlib cimport malloc, free
from libc.math cimport isnan, isinf
from fastkv._core.cdefs cimport *
from fastkv._core.cdefs_hash cimport *
from fastkv._core.client cimport Client, wrap
from fastkv._core.keyspace cimport (Database, notify_event, LOOKUP_NONE, LOOKUP_WRITE,
    NOTIFY_GENERIC, NOTIFY_HASH)
from fastkv._core.shared cimport attach
from fastkv.commands.common cimport (arg_eq, arg_ll, mark_dirty, lookup_typed, key_written,
    WRONGTYPE_ENTRY, ScanOpts, scan_options, scan_match, scan_max_iterations, reply_scan_cursor,
    rand_count_args, rand_count, notify_key_removed, delete_emptied_key)

attach()

cdef extern from *:
    long long LLONG_MAX
    long long LLONG_MIN

cdef enum:
    HRANDFIELD_RANDOM_SAMPLE_LIMIT = 1000


# ---------------------------------------------------------------- helpers

cdef object hash_get_field(fk_entry *e, const char *f, Py_ssize_t n):
    """The value of field f (bytes), or None (SORT's GET/BY key->field)."""
    cdef char buf[FK_HASH_BUF]
    cdef const char *v
    cdef size_t vn
    if fk_hash_get(e, f, n, &v, &vn, buf):
        return v[:vn]
    return None


cdef inline fk_entry *lookup_write_or_create(Client c) except? NULL:
    """hashTypeLookupWriteOrCreate: the hash at argv[1], created empty (a
    listpack; dbAdd fires "new") if absent; NULL after replying WRONGTYPE."""
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_HASH)
    if e == WRONGTYPE_ENTRY:
        return NULL
    if e == NULL:
        e = c.db.add_value(c.argv[1].p, c.argv[1].n, OBJ_HASH, ENC_LISTPACK, fk_hash_new())
    return e


cdef inline void try_conversion(Client c, fk_entry *e, int start, int end) noexcept:
    """hashTypeTryConversion over argv[start..end]."""
    cdef size_t maxlen = 0, total = 0, n
    cdef int i
    if entry_enc(e) != ENC_LISTPACK:
        return
    for i in range(start, end + 1):
        n = <size_t>c.argv[i].n
        total += n
        if n > maxlen:
            maxlen = n
    fk_hash_try_conversion(e, maxlen, total)


cdef inline unsigned int entry_enc(fk_entry *e) noexcept nogil:
    return (e.meta >> 4) & 0xF


cdef inline int reply_field(Client c, fk_entry *e, int i) except -1:
    """addHashFieldToReply: the value of field argv[i], or a null."""
    cdef char buf[FK_HASH_BUF]
    cdef const char *v
    cdef size_t vn
    if e != NULL and fk_hash_get(e, c.argv[i].p, c.argv[i].n, &v, &vn, buf):
        return c.add_bulk(v, vn)
    return c.add_null()


cdef inline int reply_lp_entry(Client c, fk_lp_entry *ent) except -1:
    cdef char buf[24]
    cdef int n
    if ent.sval != NULL:
        return c.add_bulk(<const char *>ent.sval, ent.slen)
    n = fk_ll2string(buf, sizeof(buf), ent.lval)
    return c.add_bulk(buf, n)


cdef inline int reply_ht_entry(Client c, fk_entry *he, bint withvalues) except -1:
    cdef const char *p
    cdef size_t n
    if withvalues and c.resp > 2:
        c.add_array_len(2)
    p = fk_hash_entry_field(he, &n)
    c.add_bulk(p, n)
    if withvalues:
        p = fk_hash_entry_value(he, &n)
        c.add_bulk(p, n)
    return 0


# ---------------------------------------------------------------- writes

cdef int hset_generic(Client c, bint hmset) except -1:
    """hsetCommand (HSET and the deprecated HMSET)."""
    cdef fk_entry *e
    cdef long long created = 0
    cdef int i
    if c.argc % 2 == 1:
        return c.add_wrong_arity()
    e = lookup_write_or_create(c)
    if e == NULL:
        return 0
    try_conversion(c, e, 2, c.argc - 1)
    i = 2
    while i < c.argc:
        created += fk_hash_set(e, c.argv[i].p, c.argv[i].n, c.argv[i + 1].p, c.argv[i + 1].n) == 0
        i += 2
    if hmset:
        c.add_ok()
    else:
        c.add_int(created)
    key_written(c, 1, NOTIFY_HASH, b"hset")
    mark_dirty(c, (c.argc - 2) // 2)
    return 0

cdef int hset_impl(Client c) except -1:
    return hset_generic(c, False)

cdef int hmset_impl(Client c) except -1:
    return hset_generic(c, True)


cdef int hsetnx_impl(Client c) except -1:
    cdef fk_entry *e = lookup_write_or_create(c)
    if e == NULL:
        return 0
    if fk_hash_exists(e, c.argv[2].p, c.argv[2].n):
        return c.add_int(0)
    try_conversion(c, e, 2, 3)
    fk_hash_set(e, c.argv[2].p, c.argv[2].n, c.argv[3].p, c.argv[3].n)
    c.add_int(1)
    key_written(c, 1, NOTIFY_HASH, b"hset")
    mark_dirty(c, 1)
    return 0


cdef int hdel_impl(Client c) except -1:
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_HASH)
    cdef long long deleted = 0
    cdef bint keyremoved = False
    cdef int j
    if e == NULL:
        return c.add_int(0)
    if e == WRONGTYPE_ENTRY:
        return 0
    for j in range(2, c.argc):
        if fk_hash_delete(e, c.argv[j].p, c.argv[j].n):
            deleted += 1
            if fk_hash_len(e) == 0:
                c.db.delete(c.argv[1].p, c.argv[1].n)
                keyremoved = True
                break
    if deleted:
        key_written(c, 1, NOTIFY_HASH, b"hdel")
        if keyremoved:
            notify_key_removed(c, c.argv[1].p, c.argv[1].n)
        mark_dirty(c, deleted)
    return c.add_int(deleted)


cdef int hincrby_impl(Client c) except -1:
    cdef long long value = 0, incr, oldvalue
    cdef fk_entry *e
    cdef char buf[FK_HASH_BUF]
    cdef char out[24]
    cdef const char *v
    cdef size_t vn
    cdef int n
    if not arg_ll(c, 3, &incr):
        return c.add_not_integer()
    e = lookup_write_or_create(c)
    if e == NULL:
        return 0
    if fk_hash_get(e, c.argv[2].p, c.argv[2].n, &v, &vn, buf):
        if not fk_string2ll(v, vn, &value):
            return c.add_error_str("ERR hash value is not an integer")
    oldvalue = value
    if ((incr < 0 and oldvalue < 0 and incr < (LLONG_MIN - oldvalue)) or
            (incr > 0 and oldvalue > 0 and incr > (LLONG_MAX - oldvalue))):
        return c.add_error_str("ERR increment or decrement would overflow")
    value += incr
    n = fk_ll2string(out, sizeof(out), value)
    fk_hash_set(e, c.argv[2].p, c.argv[2].n, out, n)
    c.add_int(value)
    key_written(c, 1, NOTIFY_HASH, b"hincrby")
    mark_dirty(c, 1)
    return 0


cdef int hincrbyfloat_impl(Client c) except -1:
    cdef long double value = 0, incr
    cdef long long ll
    cdef fk_entry *e
    cdef char buf[FK_HASH_BUF]
    cdef char out[5200]
    cdef const char *v
    cdef size_t vn
    cdef int n
    if not fk_string2ld(c.argv[3].p, c.argv[3].n, &incr):
        return c.add_error_str("ERR value is not a valid float")
    if isnan(incr) or isinf(incr):
        return c.add_error_str("ERR value is NaN or Infinity")
    e = lookup_write_or_create(c)
    if e == NULL:
        return 0
    if fk_hash_get(e, c.argv[2].p, c.argv[2].n, &v, &vn, buf):
        if not fk_string2ld(v, vn, &value):
            return c.add_error_str("ERR hash value is not a float")
    value += incr
    if isnan(value) or isinf(value):
        return c.add_error_str("ERR increment would produce NaN or Infinity")
    n = fk_ld2string(out, sizeof(out), value)
    if n == 0:
        return c.add_error_str("ERR increment would produce NaN or Infinity")
    fk_hash_set(e, c.argv[2].p, c.argv[2].n, out, n)
    c.add_bulk(out, n)
    key_written(c, 1, NOTIFY_HASH, b"hincrbyfloat")
    mark_dirty(c, 1)
    return 0


# ---------------------------------------------------------------- reads

cdef int hget_impl(Client c) except -1:
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_HASH)
    if e == WRONGTYPE_ENTRY:
        return 0
    return reply_field(c, e, 2)


cdef int hmget_impl(Client c) except -1:
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_HASH)
    cdef int i
    if e == WRONGTYPE_ENTRY:
        return 0
    c.add_array_len(c.argc - 2)
    for i in range(2, c.argc):
        reply_field(c, e, i)
    return 0


cdef int hlen_impl(Client c) except -1:
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_HASH)
    if e == WRONGTYPE_ENTRY:
        return 0
    return c.add_int(0 if e == NULL else <long long>fk_hash_len(e))


cdef int hstrlen_impl(Client c) except -1:
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_HASH)
    cdef char buf[FK_HASH_BUF]
    cdef const char *v
    cdef size_t vn
    if e == WRONGTYPE_ENTRY:
        return 0
    if e != NULL and fk_hash_get(e, c.argv[2].p, c.argv[2].n, &v, &vn, buf):
        return c.add_int(<long long>vn)
    return c.add_int(0)


cdef int hexists_impl(Client c) except -1:
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_HASH)
    if e == WRONGTYPE_ENTRY:
        return 0
    return c.add_int(1 if e != NULL and fk_hash_exists(e, c.argv[2].p, c.argv[2].n) else 0)


cdef enum:
    OBJ_HASH_KEY = 1
    OBJ_HASH_VALUE = 2

cdef int getall_generic(Client c, int flags) except -1:
    """genericHgetallCommand: HGETALL is a map (RESP3), HKEYS/HVALS arrays."""
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_HASH)
    cdef fk_hash_iter it
    cdef const char *p
    cdef size_t n
    cdef bint both = flags == (OBJ_HASH_KEY | OBJ_HASH_VALUE)
    if e == WRONGTYPE_ENTRY:
        return 0
    n = 0 if e == NULL else fk_hash_len(e)
    if both:
        c.add_map_len(n)
    else:
        c.add_array_len(n)
    if e == NULL:
        return 0
    fk_hash_iter_init(&it, e)
    while fk_hash_iter_next(&it):
        if flags & OBJ_HASH_KEY:
            p = fk_hash_iter_field(&it, &n)
            c.add_bulk(p, n)
        if flags & OBJ_HASH_VALUE:
            p = fk_hash_iter_value(&it, &n)
            c.add_bulk(p, n)
    return 0

cdef int hkeys_impl(Client c) except -1:
    return getall_generic(c, OBJ_HASH_KEY)

cdef int hvals_impl(Client c) except -1:
    return getall_generic(c, OBJ_HASH_VALUE)

cdef int hgetall_impl(Client c) except -1:
    return getall_generic(c, OBJ_HASH_KEY | OBJ_HASH_VALUE)


# ---------------------------------------------------------------- HRANDFIELD

cdef int reply_lp_pairs(Client c, unsigned long n, fk_lp_entry *keys, fk_lp_entry *vals) except -1:
    """hrandfieldReplyWithListpack."""
    cdef unsigned long i
    for i in range(n):
        if vals != NULL and c.resp > 2:
            c.add_array_len(2)
        reply_lp_entry(c, &keys[i])
        if vals != NULL:
            reply_lp_entry(c, &vals[i])
    return 0


cdef int hrandfield_with_count(Client c, long long l, bint withvalues) except -1:
    """hrandfieldWithCountCommand."""
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_HASH)
    cdef unsigned long long count, size, limit, sample
    cdef bint uniq = True
    cdef fk_lp_entry *keys = NULL
    cdef fk_lp_entry *vals = NULL
    cdef unsigned char *lp
    cdef fk_hash_iter it
    cdef fk_hash_evec vec
    cdef const char *p
    cdef size_t n
    cdef size_t i
    if e == NULL:
        return c.add_array_len(0)
    if e == WRONGTYPE_ENTRY:
        return 0
    size = fk_hash_len(e)
    count = rand_count(l, &uniq)
    if count == 0:
        return c.add_array_len(0)

    # CASE 1: negative count (repeats allowed, random order), or one field
    if not uniq or count == 1:
        if withvalues and c.resp == 2:
            c.add_array_len(count * 2)
        else:
            c.add_array_len(count)
        if entry_enc(e) == ENC_HT:
            while count:
                count -= 1
                reply_ht_entry(c, fk_hash_ht_random(e), withvalues)
            return 0
        lp = <unsigned char *>e.v.ptr
        limit = HRANDFIELD_RANDOM_SAMPLE_LIMIT if count > HRANDFIELD_RANDOM_SAMPLE_LIMIT else count
        keys = <fk_lp_entry *>malloc(sizeof(fk_lp_entry) * limit)
        if withvalues:
            vals = <fk_lp_entry *>malloc(sizeof(fk_lp_entry) * limit)
        if keys == NULL or (withvalues and vals == NULL):
            free(keys)
            free(vals)
            raise MemoryError()
        try:
            while count:
                sample = limit if count > limit else count
                count -= sample
                fk_lp_random_pairs(lp, <unsigned int>sample, keys, vals)
                reply_lp_pairs(c, sample, keys, vals)
        finally:
            free(keys)
            free(vals)
        return 0

    # unique fields: RESP2 flat, RESP3 nested pairs
    if withvalues and c.resp == 2:
        c.add_array_len((count if count < size else size) * 2)
    else:
        c.add_array_len(count if count < size else size)

    # CASE 2: at least as many as there are: the whole hash
    if count >= size:
        fk_hash_iter_init(&it, e)
        while fk_hash_iter_next(&it):
            if withvalues and c.resp > 2:
                c.add_array_len(2)
            p = fk_hash_iter_field(&it, &n)
            c.add_bulk(p, n)
            if withvalues:
                p = fk_hash_iter_value(&it, &n)
                c.add_bulk(p, n)
        return 0

    # CASE 2.5: listpack: unique picks, in listpack order
    if entry_enc(e) == ENC_LISTPACK:
        keys = <fk_lp_entry *>malloc(sizeof(fk_lp_entry) * count)
        if withvalues:
            vals = <fk_lp_entry *>malloc(sizeof(fk_lp_entry) * count)
        if keys == NULL or (withvalues and vals == NULL):
            free(keys)
            free(vals)
            raise MemoryError()
        try:
            n = fk_lp_random_pairs_unique(<unsigned char *>e.v.ptr, <unsigned int>count, keys, vals)
            reply_lp_pairs(c, n, keys, vals)
        finally:
            free(keys)
            free(vals)
        return 0

    # CASES 3 and 4: hashtable, fewer than there are
    vec.v = NULL
    vec.n = vec.cap = 0
    try:
        if fk_hash_ht_random_unique(e, count, &vec) != 0:
            raise MemoryError()
        for i in range(vec.n):
            reply_ht_entry(c, vec.v[i], withvalues)
    finally:
        fk_hash_evec_free(&vec)
    return 0


cdef int hrandfield_impl(Client c) except -1:
    cdef long long l
    cdef bint withvalues = False
    cdef fk_entry *e
    cdef fk_lp_entry key
    if c.argc >= 3:
        if rand_count_args(c, b"withvalues", 10, &l, &withvalues):
            return 0
        return hrandfield_with_count(c, l, withvalues)
    e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_HASH)
    if e == NULL:
        return c.add_null()
    if e == WRONGTYPE_ENTRY:
        return 0
    if entry_enc(e) == ENC_HT:
        return reply_ht_entry(c, fk_hash_ht_random(e), False)
    fk_lp_random_pair(<unsigned char *>e.v.ptr, fk_hash_len(e), &key, NULL)
    return reply_lp_entry(c, &key)


# ---------------------------------------------------------------- HSCAN

cdef int hscan_impl(Client c) except -1:
    """hscanCommand + scanGenericCommand: a listpack hash is returned whole
    with cursor 0; a hashtable is scanned with fk_dict_scan's cursor."""
    cdef unsigned long long ucursor
    cdef uint64_t cursor
    cdef ScanOpts o
    cdef fk_entry *e
    cdef fk_hash_iter it
    cdef fk_hash_evec vec
    cdef const char *p
    cdef size_t n, k, nmatch
    if not fk_parse_scan_cursor(c.argv[2].p, c.argv[2].n, &ucursor):
        return c.add_error_str("ERR invalid cursor")
    cursor = ucursor
    e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_HASH)
    if e == NULL:
        return c.add_raw(b"*2\r\n$1\r\n0\r\n*0\r\n", 15)
    if e == WRONGTYPE_ENTRY:
        return 0
    if scan_options(c, 3, &o, False):
        return 0

    if entry_enc(e) == ENC_LISTPACK:
        nmatch = 0
        fk_hash_iter_init(&it, e)
        while fk_hash_iter_next(&it):
            p = fk_hash_iter_field(&it, &n)
            if scan_match(&o, p, n):
                nmatch += 1
        c.add_raw(b"*2\r\n$1\r\n0\r\n", 11)
        c.add_array_len(nmatch * 2)
        fk_hash_iter_init(&it, e)
        while fk_hash_iter_next(&it):
            p = fk_hash_iter_field(&it, &n)
            if scan_match(&o, p, n):
                c.add_bulk(p, n)
                p = fk_hash_iter_value(&it, &n)
                c.add_bulk(p, n)
        return 0

    vec.v = NULL
    vec.n = vec.cap = 0
    try:
        fk_hash_ht_scan(e, &cursor, o.count, &vec)
        nmatch = 0
        for k in range(vec.n):
            p = fk_hash_entry_field(vec.v[k], &n)
            if scan_match(&o, p, n):
                vec.v[nmatch] = vec.v[k]
                nmatch += 1
        reply_scan_cursor(c, cursor)
        c.add_array_len(nmatch * 2)
        for k in range(nmatch):
            reply_pair_flat(c, vec.v[k])
    finally:
        fk_hash_evec_free(&vec)
    return 0


cdef inline int reply_pair_flat(Client c, fk_entry *he) except -1:
    cdef const char *p
    cdef size_t n
    p = fk_hash_entry_field(he, &n)
    c.add_bulk(p, n)
    p = fk_hash_entry_value(he, &n)
    return c.add_bulk(p, n)


hset_cmd = wrap(hset_impl)
hmset_cmd = wrap(hmset_impl)
hsetnx_cmd = wrap(hsetnx_impl)
hget_cmd = wrap(hget_impl)
hmget_cmd = wrap(hmget_impl)
hdel_cmd = wrap(hdel_impl)
hlen_cmd = wrap(hlen_impl)
hstrlen_cmd = wrap(hstrlen_impl)
hexists_cmd = wrap(hexists_impl)
hkeys_cmd = wrap(hkeys_impl)
hvals_cmd = wrap(hvals_impl)
hgetall_cmd = wrap(hgetall_impl)
hincrby_cmd = wrap(hincrby_impl)
hincrbyfloat_cmd = wrap(hincrbyfloat_impl)
hrandfield_cmd = wrap(hrandfield_impl)
hscan_cmd = wrap(hscan_impl)
