# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""HyperLogLog commands (Redis's hyperloglog.c, the command half).

The algorithms and the byte format are C (csrc/fk_hll.c); these handlers
do what Redis's pfaddCommand & co do around them: lookups (read or write,
as Redis, so the keyspace hit/miss stats agree), the HLL checks and their
two error texts, unsharing the string (an embstr becomes raw, as
dbUnshareStringValue), events, dirty.  No Python object on the PFADD and
PFCOUNT paths: the registers of a PFCOUNT of several keys are merged in C
into a buffer on the C stack.

An HLL is an ordinary string: GET, SET, APPEND ... see its bytes, and a
string that isn't one answers WRONGTYPE ("Key is not a valid HyperLogLog
string value.") or, when its sparse opcodes don't add up to 16384
registers, INVALIDOBJ.
"""
from libc.string cimport memset
from libc.stdint cimport uint8_t, uint64_t
from libc.stdlib cimport malloc, free
from fastkv._core.cdefs cimport *
from fastkv._core.cdefs_hll cimport *
from fastkv._core.client cimport Client, wrap
from fastkv._core.keyspace cimport (Database, string_view, entry_type, entry_encoding,
    signal_modified_key, LOOKUP_NONE, LOOKUP_WRITE, NOTIFY_STRING)
from fastkv._core.shared cimport attach
from fastkv.commands.common cimport (arg_eq, mark_dirty, lookup_typed, key_written,
    WRONGTYPE_ENTRY)

attach()

cdef const char *HLL_WRONGTYPE = b"WRONGTYPE Key is not a valid HyperLogLog string value."
cdef const char *HLL_INVALID = b"INVALIDOBJ Corrupted HLL object detected"


cdef inline int reply_not_hll(Client c) except -1:
    return c.add_error(HLL_WRONGTYPE, 54)

cdef inline int reply_invalid(Client c) except -1:
    return c.add_error(HLL_INVALID, 40)


cdef inline Py_ssize_t hll_view(fk_entry *e, const char **p) noexcept:
    """The bytes of the string e (*p, the length returned) if it passes
    isHLLObjectOrReply's checks after checkType, else -1: an int-encoded
    string is never an HLL (not sds-encoded in Redis)."""
    cdef Py_ssize_t n
    if entry_encoding(e) == ENC_INT:
        return -1
    n = string_view(e, p, NULL)
    return n if fk_hll_valid(<const unsigned char *>p[0], n) else -1


cdef inline bint is_hll(fk_entry *e) noexcept:
    cdef const char *p
    return hll_view(e, &p) >= 0


cdef inline fk_str *hll_str(fk_entry *e) noexcept:
    return <fk_str *>e.v.ptr


# -- PFADD ---------------------------------------------------------------------

cdef int pfadd_impl(Client c) except -1:
    cdef Database db = c.db
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_STRING)
    cdef fk_str *s
    cdef long long updated = 0
    cdef int j, r
    if e == WRONGTYPE_ENTRY:
        return 0
    if e == NULL:
        e = db.add_value(c.argv[1].p, c.argv[1].n, OBJ_STRING, ENC_RAW, fk_hll_new())
        updated += 1
    else:
        if not is_hll(e):
            return reply_not_hll(c)
        e = db.entry_string_raw(e)
    s = hll_str(e)
    for j in range(2, c.argc):
        r = fk_hll_add(&s, <const unsigned char *>c.argv[j].p, c.argv[j].n)
        if r == 1:
            updated += 1
        elif r < 0:
            e.v.ptr = s
            return reply_invalid(c)
    e.v.ptr = s
    if updated:
        key_written(c, 1, NOTIFY_STRING, b"pfadd")
        mark_dirty(c, updated)
        fk_hll_cache_invalidate(<unsigned char *>s.buf)
        return c.add_raw(b":1\r\n", 4)
    return c.add_raw(b":0\r\n", 4)


# -- PFCOUNT -------------------------------------------------------------------

cdef int merge_keys(Client c, int first, uint8_t *regs, bint *use_dense) except -1:
    """MAX of the registers of argv[first:] into regs (16384 bytes; absent
    keys count as empty HLLs).  Returns 1 after replying an error."""
    cdef fk_entry *e
    cdef const char *p
    cdef Py_ssize_t n
    cdef int j
    for j in range(first, c.argc):
        e = lookup_typed(c, j, LOOKUP_NONE, OBJ_STRING)
        if e == NULL:
            continue
        if e == WRONGTYPE_ENTRY:
            return 1
        n = hll_view(e, &p)
        if n < 0:
            reply_not_hll(c)
            return 1
        if p[4] == FK_HLL_DENSE:
            use_dense[0] = True
        if fk_hll_merge(regs, <const unsigned char *>p, n) != 0:
            reply_invalid(c)
            return 1
    return 0


cdef int pfcount_impl(Client c) except -1:
    cdef uint8_t regs[FK_HLL_REGISTERS]
    cdef bint use_dense = False
    cdef fk_entry *e
    cdef fk_str *s
    cdef uint64_t card
    cdef int invalid = 0
    if c.argc > 2:
        # The cardinality of the union: no cache, nothing written.
        memset(regs, 0, FK_HLL_REGISTERS)
        if merge_keys(c, 1, regs, &use_dense):
            return 0
        return c.add_int(<long long>fk_hll_count_raw(regs))
    e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_STRING)
    if e == NULL:
        return c.add_raw(b":0\r\n", 4)
    if e == WRONGTYPE_ENTRY:
        return 0
    if not is_hll(e):
        return reply_not_hll(c)
    e = c.db.entry_string_raw(e)
    s = hll_str(e)
    if not fk_hll_cache_get(<unsigned char *>s.buf, &card):
        card = fk_hll_count(<unsigned char *>s.buf, s.len, &invalid)
        if invalid:
            return reply_invalid(c)
        # Writing the cache changes the string: Redis counts it as a write
        # (WATCH, dirty, propagation) though PFCOUNT is a read command.
        fk_hll_cache_set(<unsigned char *>s.buf, card)
        signal_modified_key(c.db, c.argv[1].p, c.argv[1].n)
        mark_dirty(c, 1)
    return c.add_int(<long long>card)


# -- PFMERGE -------------------------------------------------------------------

cdef int pfmerge_impl(Client c) except -1:
    cdef uint8_t regs[FK_HLL_REGISTERS]
    cdef bint use_dense = False
    cdef Database db = c.db
    cdef fk_entry *e
    cdef fk_str *s
    memset(regs, 0, FK_HLL_REGISTERS)
    # The destination is one of the inputs (argv[1:]).
    if merge_keys(c, 1, regs, &use_dense):
        return 0
    e = db.lookup(c.argv[1].p, c.argv[1].n, LOOKUP_WRITE)
    if e == NULL:
        e = db.add_value(c.argv[1].p, c.argv[1].n, OBJ_STRING, ENC_RAW, fk_hll_new())
    else:
        e = db.entry_string_raw(e)     # checked above: an HLL
    s = hll_str(e)
    # Dense if any input was (Redis 7.0), else sparse as long as it fits.
    if use_dense and fk_hll_to_dense(&s) != 0:
        e.v.ptr = s
        return reply_invalid(c)
    fk_hll_store_max(&s, regs)
    e.v.ptr = s
    fk_hll_cache_invalidate(<unsigned char *>s.buf)
    # Redis fires "pfadd" for PFMERGE too ("a mass-add of elements").
    key_written(c, 1, NOTIFY_STRING, b"pfadd")
    mark_dirty(c, 1)
    return c.add_ok()


# -- PFDEBUG / PFSELFTEST ----------------------------------------------------

cdef int pfdebug_impl(Client c) except -1:
    cdef Database db = c.db
    cdef fk_entry *e = db.lookup(c.argv[2].p, c.argv[2].n, LOOKUP_WRITE)
    cdef fk_str *s
    cdef int j
    cdef size_t need
    cdef char *buf
    cdef bint conv
    if e == NULL:
        return c.add_error_str("ERR The specified key does not exist")
    if entry_type(e) != OBJ_STRING:
        return c.add_wrongtype()
    if not is_hll(e):
        return reply_not_hll(c)
    e = db.entry_string_raw(e)
    s = hll_str(e)
    if arg_eq(c, 1, b"getreg", 6):
        if s.buf[4] == FK_HLL_SPARSE:
            if fk_hll_to_dense(&s) != 0:
                return reply_invalid(c)
            e.v.ptr = s
            mark_dirty(c, 1)     # force propagation of the encoding change
        c.add_array_len(FK_HLL_REGISTERS)
        for j in range(FK_HLL_REGISTERS):
            c.add_int(fk_hll_dense_get(<unsigned char *>s.buf, j))
        return 0
    if arg_eq(c, 1, b"decode", 6):
        if s.buf[4] != FK_HLL_SPARSE:
            return c.add_error_str("ERR HLL encoding is not sparse")
        need = fk_hll_decode(<unsigned char *>s.buf, s.len, NULL, 0)
        buf = <char *>malloc(need + 16)
        if buf == NULL:
            raise MemoryError()
        try:
            fk_hll_decode(<unsigned char *>s.buf, s.len, buf, need + 16)
            c.add_bulk(buf, need)
        finally:
            free(buf)
        return 0
    if arg_eq(c, 1, b"encoding", 8):
        if s.buf[4] == FK_HLL_DENSE:
            return c.add_simple(b"dense", 5)
        return c.add_simple(b"sparse", 6)
    if arg_eq(c, 1, b"todense", 7):
        conv = False
        if s.buf[4] == FK_HLL_SPARSE:
            if fk_hll_to_dense(&s) != 0:
                return reply_invalid(c)
            e.v.ptr = s
            conv = True
            mark_dirty(c, 1)
        if conv:
            return c.add_raw(b":1\r\n", 4)
        return c.add_raw(b":0\r\n", 4)
    msg = b"ERR Unknown PFDEBUG subcommand '" + c.arg(1) + b"'"
    return c.add_error(msg, len(msg))


cdef int pfselftest_impl(Client c) except -1:
    cdef char err[256]
    if fk_hll_selftest(err, sizeof(err)) != 0:
        return c.add_error_str(err.decode("utf-8", "replace"))
    return c.add_ok()


# -- the table's handles ---------------------------------------------------------

pfadd_cmd = wrap(pfadd_impl)
pfcount_cmd = wrap(pfcount_impl)
pfmerge_cmd = wrap(pfmerge_impl)
pfdebug_cmd = wrap(pfdebug_impl)
pfselftest_cmd = wrap(pfselftest_impl)
