# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Bitmap commands on string values (Redis 7.0's bitops.c): SETBIT GETBIT
BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO.

A bitmap is an ordinary string value: bit 0 is the most significant bit of
byte 0.  Reads accept every string encoding (an int-encoded value is read
as its decimal digits, as Redis's getObjectReadOnlyString does); writes
first turn the value into a raw fk_str (Redis's dbUnshareStringValue) and
grow it with zero bytes up to the highest bit written.

The bit work itself is C (csrc/fk_bitops.c: word-wide popcount with POPCNT
or AVX-512 chosen at run time, word-wide BITOP and bit search, bitfield
integers with Redis's overflow rules); the handlers here parse arguments in
Redis's order (which decides which error a bad command gets), look keys up,
fire events and write replies straight into the client buffer.

Redis 7.0 details kept on purpose (checked against redis-server 7.0.15):
  * BITCOUNT and BITPOS look the key up before parsing the range: a missing
    key answers 0 (BITPOS: 0 or -1) whatever the other arguments are;
  * BITCOUNT answers 0 for `start < 0 and end < 0 and start > end` before
    looking at BIT|BYTE;
  * SETBIT and BITFIELD count as a change (dirty, "setbit" event, WATCH)
    only when a bit really changed or the string grew;
  * bit offsets are limited by proto-max-bulk-len (offset >> 3 must be
    below it: 2^32 - 1 bits with the default 512 MB).
"""
from libc.string cimport memset, memchr, strlen
from libc.stdlib cimport malloc, free
from libc.stdint cimport uint8_t, uint32_t, uint64_t, int64_t
from fastkv._core.cdefs cimport *
from fastkv._core.cdefs_bitops cimport *
from fastkv._core.client cimport Client, wrap
from fastkv._core.keyspace cimport (Database, string_view, entry_type, LOOKUP_NONE, LOOKUP_WRITE,
    NOTIFY_GENERIC, NOTIFY_STRING)
from fastkv._core.shared cimport attach
from fastkv.commands.common cimport arg_eq, arg_ll, mark_dirty, lookup_typed, key_written, WRONGTYPE_ENTRY

attach()

cdef enum:
    BF_GET = 0
    BF_SET = 1
    BF_INCRBY = 2
    BF_STACK_OPS = 16
    MAX_FK_STR = 0xffffffff      # an fk_str's length is 32-bit

cdef struct BfOp:
    uint64_t offset     # bit offset of the field
    int64_t i64         # SET value / INCRBY increment
    int opcode
    int owtype          # FK_BF_WRAP / SAT / FAIL in force when the op was parsed
    int bits
    int sign


cdef inline int err(Client c, const char *msg) except -1:
    return c.add_error(msg, strlen(msg))

cdef int offset_error(Client c) except -1:
    return err(c, b"ERR bit offset is not an integer or out of range")

cdef int bit_offset(Client c, int i, bint hash, int bits, uint64_t *off) except -1:
    """getBitOffsetFromArgument: argv[i] as a bit offset, "#N" (N * bits)
    when hash.  Returns 1 after replying an error."""
    cdef const char *p = c.argv[i].p
    cdef Py_ssize_t n = c.argv[i].n
    cdef int usehash = 1 if (hash and bits > 0 and n > 0 and p[0] == b'#') else 0
    cdef long long l
    if not fk_string2ll(p + usehash, n - usehash, &l):
        offset_error(c)
        return 1
    if usehash:
        # wraps like Redis's signed multiply does on the machines it runs on
        l = <long long>(<unsigned long long>l * <unsigned long long>bits)
    if l < 0 or (l >> 3) >= c.srv.proto_max_bulk_len:
        offset_error(c)
        return 1
    off[0] = <uint64_t>l
    return 0


cdef fk_entry *string_for_bits(Client c, uint64_t maxbit, bint *grew) except? NULL:
    """lookupStringForBitCommand: argv[1] as a raw string of at least
    maxbit/8 + 1 bytes, created (dbAdd, "new" event) or zero-padded as
    needed; grew says whether it was created or lengthened.  NULL after
    replying an error (WRONGTYPE)."""
    cdef uint64_t need = (maxbit >> 3) + 1
    cdef fk_entry *e
    cdef fk_str *s
    grew[0] = False
    if need > MAX_FK_STR:
        c.add_error_str("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
        return NULL
    e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_STRING)
    if e == WRONGTYPE_ENTRY:
        return NULL
    if e == NULL:
        e = c.db.add_value(c.argv[1].p, c.argv[1].n, OBJ_STRING, ENC_RAW, fk_str_new(NULL, need))
        grew[0] = True
        return e
    e = c.db.entry_string_raw(e)
    s = <fk_str *>e.v.ptr
    if s.len < need:
        s = fk_str_reserve(s, need)
        memset(s.buf + s.len, 0, need - s.len)
        s.len = <uint32_t>need
        e.v.ptr = s
        grew[0] = True
    return e


# -- SETBIT GETBIT -----------------------------------------------------------

cdef int setbit_impl(Client c) except -1:
    cdef uint64_t off
    cdef long long on
    cdef bint grew
    cdef fk_entry *e
    cdef unsigned char *byte
    cdef unsigned char mask
    cdef bint old
    if bit_offset(c, 2, False, 0, &off):
        return 0
    if not arg_ll(c, 3, &on) or (on & ~1):
        return err(c, b"ERR bit is not an integer or out of range")
    e = string_for_bits(c, off, &grew)
    if e == NULL:
        return 0
    byte = <unsigned char *>(<fk_str *>e.v.ptr).buf + (off >> 3)
    mask = <unsigned char>(1 << (7 - (off & 7)))
    old = (byte[0] & mask) != 0
    if grew or old != on:
        if on:
            byte[0] |= mask
        else:
            byte[0] &= ~mask
        key_written(c, 1, NOTIFY_STRING, b"setbit")
        mark_dirty(c, 1)
    if old:
        return c.add_raw(b":1\r\n", 4)
    return c.add_raw(b":0\r\n", 4)

cdef int getbit_impl(Client c) except -1:
    cdef uint64_t off
    cdef fk_entry *e
    cdef char tmp[24]
    cdef const char *p
    cdef Py_ssize_t n
    if bit_offset(c, 2, False, 0, &off):
        return 0
    e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_STRING)
    if e == WRONGTYPE_ENTRY:
        return 0
    if e != NULL:
        n = string_view(e, &p, tmp)
        if (off >> 3) < <uint64_t>n and (<unsigned char>p[off >> 3] & (1 << (7 - (off & 7)))):
            return c.add_raw(b":1\r\n", 4)
    return c.add_raw(b":0\r\n", 4)


# -- BITCOUNT BITPOS ---------------------------------------------------------

cdef int bit_or_byte(Client c, int i, int *isbit) except -1:
    """argv[i] as BIT (1) or BYTE (0); 1 after replying a syntax error."""
    if arg_eq(c, i, b"bit", 3):
        isbit[0] = 1
    elif arg_eq(c, i, b"byte", 4):
        isbit[0] = 0
    else:
        c.add_syntax_error()
        return 1
    return 0

cdef int bitcount_impl(Client c) except -1:
    cdef long long start = 0, end = 0
    cdef int isbit = 0
    cdef int has_range = 0
    cdef char tmp[24]
    cdef const char *p
    cdef Py_ssize_t n
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_STRING)
    if e == NULL:
        return c.add_raw(b":0\r\n", 4)
    if e == WRONGTYPE_ENTRY:
        return 0
    if c.argc == 4 or c.argc == 5:
        if not arg_ll(c, 2, &start) or not arg_ll(c, 3, &end):
            return c.add_not_integer()
        if start < 0 and end < 0 and start > end:
            return c.add_raw(b":0\r\n", 4)
        if c.argc == 5 and bit_or_byte(c, 4, &isbit):
            return 0
        has_range = 1
    elif c.argc != 2:
        return c.add_syntax_error()
    n = string_view(e, &p, tmp)
    return c.add_int(fk_bitcount_range(<const unsigned char *>p, n, has_range, start, end, isbit))

cdef int bitpos_impl(Client c) except -1:
    cdef long long bit, start = 0, end = 0
    cdef int isbit = 0
    cdef char tmp[24]
    cdef const char *p
    cdef Py_ssize_t n
    cdef fk_entry *e
    if not arg_ll(c, 2, &bit):
        return c.add_not_integer()
    if bit != 0 and bit != 1:
        return err(c, b"ERR The bit argument must be 1 or 0.")
    e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_STRING)
    if e == NULL:
        return c.add_int(-1 if bit else 0)
    if e == WRONGTYPE_ENTRY:
        return 0
    if 4 <= c.argc <= 6:
        if not arg_ll(c, 3, &start):
            return c.add_not_integer()
        if c.argc == 6 and bit_or_byte(c, 5, &isbit):
            return 0
        if c.argc >= 5 and not arg_ll(c, 4, &end):
            return c.add_not_integer()
    elif c.argc != 3:
        return c.add_syntax_error()
    n = string_view(e, &p, tmp)
    return c.add_int(fk_bitpos_range(<const unsigned char *>p, n, <int>bit, c.argc >= 4, start,
                                     c.argc >= 5, end, isbit))


# -- BITOP -------------------------------------------------------------------

cdef int bitop_impl(Client c) except -1:
    cdef int op
    cdef Py_ssize_t numkeys, j
    cdef fk_entry *e
    cdef size_t maxlen = 0
    cdef const unsigned char **src
    cdef size_t *lens
    cdef char *tmps
    cdef const char *p
    cdef fk_str *res = NULL
    if arg_eq(c, 1, b"and", 3):
        op = FK_BITOP_AND
    elif arg_eq(c, 1, b"or", 2):
        op = FK_BITOP_OR
    elif arg_eq(c, 1, b"xor", 3):
        op = FK_BITOP_XOR
    elif arg_eq(c, 1, b"not", 3):
        op = FK_BITOP_NOT
    else:
        return c.add_syntax_error()
    if op == FK_BITOP_NOT and c.argc != 4:
        return err(c, b"ERR BITOP NOT must be called with a single source key.")
    numkeys = c.argc - 3
    # one transient block: source pointers, lengths, digit buffers of
    # int-encoded sources
    src = <const unsigned char **>malloc(numkeys * (sizeof(void *) + sizeof(size_t) + 24))
    if src == NULL:
        raise MemoryError()
    lens = <size_t *>(src + numkeys)
    tmps = <char *>(lens + numkeys)
    try:
        for j in range(numkeys):
            e = c.db.lookup(c.argv[j + 3].p, c.argv[j + 3].n, LOOKUP_NONE)
            if e == NULL:
                src[j] = NULL
                lens[j] = 0
                continue
            if entry_type(e) != OBJ_STRING:
                return c.add_wrongtype()
            lens[j] = <size_t>string_view(e, &p, tmps + 24 * j)
            src[j] = <const unsigned char *>p
            if lens[j] > maxlen:
                maxlen = lens[j]
        if maxlen:
            # not zero-filled: fk_bitop writes every byte
            res = <fk_str *>fk_malloc(sizeof(fk_str) + maxlen)
            res.len = <uint32_t>maxlen
            res.alloc = <uint32_t>maxlen
            fk_bitop(op, <unsigned char *>res.buf, maxlen, src, lens, numkeys)
    finally:
        free(src)
    if maxlen:
        # setKey: lookupKeyWrite first (an expired target goes, "expired"),
        # then the new value (dbAdd's "new" if absent), then "set"
        c.db.lookup(c.argv[2].p, c.argv[2].n, LOOKUP_WRITE)
        c.db.set_value(c.argv[2].p, c.argv[2].n, OBJ_STRING, ENC_RAW, res)
        key_written(c, 2, NOTIFY_STRING, b"set")
        mark_dirty(c, 1)
    elif c.db.delete(c.argv[2].p, c.argv[2].n):
        key_written(c, 2, NOTIFY_GENERIC, b"del")
        mark_dirty(c, 1)
    return c.add_int(<long long>maxlen)


# -- BITFIELD BITFIELD_RO ----------------------------------------------------

cdef int bitfield_type(Client c, int i, int *sign, int *bits) except -1:
    """getBitfieldTypeFromArgument: i<1..64> or u<1..63>; 1 after an error.
    Like Redis, the digits end at the first NUL byte."""
    cdef const char *p = c.argv[i].p
    cdef Py_ssize_t n = c.argv[i].n
    cdef const char *nul
    cdef long long ll
    if n > 0 and p[0] == b'i':
        sign[0] = 1
    elif n > 0 and p[0] == b'u':
        sign[0] = 0
    else:
        return bitfield_type_error(c)
    nul = <const char *>memchr(p + 1, 0, n - 1)
    if nul != NULL:
        n = nul - p
    if (not fk_string2ll(p + 1, n - 1, &ll) or ll < 1 or (sign[0] and ll > 64)
            or (not sign[0] and ll > 63)):
        return bitfield_type_error(c)
    bits[0] = <int>ll
    return 0

cdef int bitfield_type_error(Client c) except -1:
    c.add_error_str("ERR Invalid bitfield type. Use something like i16 u8. "
                    "Note that u64 is not supported but i64 is.")
    return 1

cdef int bitfield_generic(Client c, bint ro) except -1:
    cdef BfOp stack_ops[BF_STACK_OPS]
    cdef BfOp *ops = stack_ops
    cdef int cap = BF_STACK_OPS
    cdef int numops = 0
    try:
        return bitfield_run(c, ro, &ops, &cap, &numops)
    finally:
        if ops != stack_ops:
            free(ops)

cdef int bitfield_run(Client c, bint ro, BfOp **opsp, int *capp, int *numopsp) except -1:
    cdef int j = 2
    cdef int remargs, opcode, sign = 0, bits = 0
    cdef int owtype = FK_BF_WRAP
    cdef bint readonly = True
    cdef uint64_t off, highest = 0
    cdef long long i64
    cdef BfOp *ops
    cdef BfOp *op
    cdef int numops = 0
    cdef long long changes = 0
    cdef fk_entry *e = NULL
    cdef bint grew = False
    cdef char tmp[24]
    cdef const char *cp
    cdef const unsigned char *p = NULL
    cdef unsigned char *wp = NULL
    cdef Py_ssize_t plen = 0
    cdef int64_t ret
    cdef int changed
    while j < c.argc:
        remargs = c.argc - j - 1
        if arg_eq(c, j, b"get", 3) and remargs >= 2:
            opcode = BF_GET
        elif arg_eq(c, j, b"set", 3) and remargs >= 3:
            opcode = BF_SET
        elif arg_eq(c, j, b"incrby", 6) and remargs >= 3:
            opcode = BF_INCRBY
        elif arg_eq(c, j, b"overflow", 8) and remargs >= 1:
            j += 1
            if arg_eq(c, j, b"wrap", 4):
                owtype = FK_BF_WRAP
            elif arg_eq(c, j, b"sat", 3):
                owtype = FK_BF_SAT
            elif arg_eq(c, j, b"fail", 4):
                owtype = FK_BF_FAIL
            else:
                return err(c, b"ERR Invalid OVERFLOW type specified")
            j += 1
            continue
        else:
            return c.add_syntax_error()
        if bitfield_type(c, j + 1, &sign, &bits):
            return 0
        if bit_offset(c, j + 2, True, bits, &off):
            return 0
        i64 = 0
        if opcode != BF_GET:
            readonly = False
            if highest < off + <uint64_t>bits - 1:
                highest = off + <uint64_t>bits - 1
            if not arg_ll(c, j + 3, &i64):
                return c.add_not_integer()
        if numops == capp[0]:
            grow_ops(opsp, capp, numops)
        op = opsp[0] + numops
        op.offset = off
        op.i64 = i64
        op.opcode = opcode
        op.owtype = owtype
        op.bits = bits
        op.sign = sign
        numops += 1
        numopsp[0] = numops
        j += 3 if opcode == BF_GET else 4
    ops = opsp[0]

    if readonly:
        e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_STRING)
        if e == WRONGTYPE_ENTRY:
            return 0
        if e != NULL:
            plen = string_view(e, &cp, tmp)
            p = <const unsigned char *>cp
    else:
        if ro:
            return err(c, b"ERR BITFIELD_RO only supports the GET subcommand")
        e = string_for_bits(c, highest, &grew)
        if e == NULL:
            return 0

    c.add_array_len(numops)
    for j in range(numops):
        op = ops + j
        if not readonly:
            # the string may only grow inside this loop (it doesn't), but
            # re-read it anyway: it is cheap and keeps GETs after SETs right
            wp = <unsigned char *>(<fk_str *>e.v.ptr).buf
            p = wp
            plen = (<fk_str *>e.v.ptr).len
        if op.opcode == BF_GET:
            if op.sign:
                c.add_int(fk_bf_get_signed(p, plen, op.offset, op.bits))
            else:
                c.add_int(<long long>fk_bf_get_unsigned(p, plen, op.offset, op.bits))
            continue
        if fk_bf_write(wp, plen, op.offset, op.bits, op.sign, op.opcode == BF_INCRBY, op.i64,
                       op.owtype, &ret, &changed):
            c.add_null()        # OVERFLOW FAIL
            continue
        c.add_int(ret)
        if grew or changed:
            changes += 1
    if changes:
        key_written(c, 1, NOTIFY_STRING, b"setbit")
        mark_dirty(c, changes)
    return 0

cdef int grow_ops(BfOp **opsp, int *capp, int numops) except -1:
    """Double the op array (the first one lives on bitfield_generic's stack)."""
    cdef int cap = capp[0] * 2
    cdef BfOp *n = <BfOp *>malloc(cap * sizeof(BfOp))
    cdef int i
    if n == NULL:
        raise MemoryError()
    for i in range(numops):
        n[i] = opsp[0][i]
    if capp[0] != BF_STACK_OPS:
        free(opsp[0])
    opsp[0] = n
    capp[0] = cap
    return 0

cdef int bitfield_impl(Client c) except -1:
    return bitfield_generic(c, False)

cdef int bitfield_ro_impl(Client c) except -1:
    return bitfield_generic(c, True)


setbit_cmd = wrap(setbit_impl)
getbit_cmd = wrap(getbit_impl)
bitcount_cmd = wrap(bitcount_impl)
bitpos_cmd = wrap(bitpos_impl)
bitop_cmd = wrap(bitop_impl)
bitfield_cmd = wrap(bitfield_impl)
bitfield_ro_cmd = wrap(bitfield_ro_impl)
