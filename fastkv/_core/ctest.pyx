# cython: language_level=3
"""Thin Python handles on the C structures, for their unit tests
(tests/test_cstructs.py).  Not used by the server."""
from libc.stdint cimport uint64_t
from libc.string cimport memcpy
from fastkv._core.cdefs cimport *
from fastkv._core.shared cimport attach

attach()

cdef fk_dict_type PLAIN_TYPE
PLAIN_TYPE.entry_free = NULL

cdef void _collect(void *priv, fk_entry *e) noexcept:
    try:
        (<list>priv).append(e.key[:fk_entry_klen(e)])
    except BaseException:
        pass


cdef class CDict:
    """An fk_dict of bytes -> int."""
    cdef fk_dict *d

    def __cinit__(self):
        self.d = fk_dict_new(&PLAIN_TYPE)

    def __dealloc__(self):
        fk_dict_free(self.d)

    def __len__(self):
        return fk_dict_size(self.d)

    def set(self, bytes k, long long v):
        cdef fk_entry *e = fk_dict_find(self.d, k, len(k))
        if e == NULL:
            e = fk_dict_add(self.d, k, len(k), 0)
        e.v.i = v

    def set_extra(self, bytes k, bytes extra):
        """Store bytes inline after the key (resizing the entry)."""
        cdef fk_entry *e = fk_dict_find(self.d, k, len(k))
        if e == NULL:
            e = fk_dict_add(self.d, k, len(k), len(extra))
        else:
            e = fk_dict_resize_entry(self.d, e, len(extra))
        memcpy(fk_entry_extra(e), <const char *>extra, len(extra))
        e.v.u = len(extra)

    def get_extra(self, bytes k):
        cdef fk_entry *e = fk_dict_find(self.d, k, len(k))
        if e == NULL:
            return None
        return fk_entry_extra(e)[:e.v.u]

    def get(self, bytes k):
        cdef fk_entry *e = fk_dict_find(self.d, k, len(k))
        return None if e == NULL else e.v.i

    def delete(self, bytes k):
        return fk_dict_delete(self.d, k, len(k)) == 1

    def scan(self, uint64_t cursor):
        cdef list out = []
        cursor = fk_dict_scan(self.d, cursor, _collect, <void *>out)
        return cursor, out

    def rehash(self, int n):
        return fk_dict_rehash(self.d, n)

    def expand(self, uint64_t n):
        return fk_dict_expand(self.d, n)

    def shrink_if_needed(self):
        return fk_dict_shrink_if_needed(self.d)

    def random_key(self):
        cdef fk_entry *e = fk_dict_random(self.d)
        return None if e == NULL else e.key[:fk_entry_klen(e)]

    @property
    def rehashing(self):
        return fk_dict_is_rehashing(self.d) != 0

    @property
    def sizes(self):
        return (self.d.size[0], self.d.size[1])

    def clear(self):
        fk_dict_clear(self.d)


cdef class CStr:
    """An fk_str, for the growth and zero-fill tests."""
    cdef fk_str *s

    def __cinit__(self, bytes init=b""):
        self.s = fk_str_new(init, len(init))

    def __dealloc__(self):
        fk_free(self.s)

    def append(self, bytes b):
        self.s = fk_str_reserve(self.s, self.s.len + len(b))
        memcpy(self.s.buf + self.s.len, <const char *>b, len(b))
        self.s.len += len(b)

    def value(self):
        return self.s.buf[:self.s.len]

    @property
    def alloc(self):
        return self.s.alloc


def string2ll(bytes s):
    cdef long long v
    return v if fk_string2ll(s, len(s), &v) else None

def ld2string(double d):
    cdef char buf[5200]
    cdef int n = fk_ld2string(buf, sizeof(buf), <long double>d)
    return buf[:n]

def stringmatch(bytes pattern, bytes s, bint nocase=False):
    return fk_stringmatchlen(pattern, len(pattern), s, len(s), nocase) == 1

def used_memory():
    return fk_used_memory()


# -- the type table (csrc/fk_object.h) --------------------------------------
from fastkv._core.keyspace cimport Database, Keyspace, string_view

def objtype_rows():
    """Every row of the type table: (type, encoding, type_name, enc_name,
    and which operations it has)."""
    cdef const fk_objtype *t
    cdef unsigned int typ, enc
    out = []
    for typ in range(OBJ_NTYPES):
        for enc in range(ENC_NENCODINGS):
            t = fk_objtype_get(typ, enc)
            if t == NULL:
                continue
            out.append({"type": typ, "encoding": enc,
                        "type_name": t.type_name.decode(), "enc_name": t.enc_name.decode(),
                        "free": t.free != NULL, "inline_size": t.inline_size != NULL,
                        "dup": t.dup != NULL, "mem_usage": t.mem_usage != NULL})
    return out

# A sample value per row, built through the keyspace's own constructors.
# A new row without a sample here fails test_every_row_has_a_sample.
STRING_SAMPLES = {ENC_INT: b"-12345", ENC_EMBSTR: b"short value", ENC_RAW: b"r" * 100}

def has_sample(int typ, int enc):
    return typ == OBJ_STRING and enc in STRING_SAMPLES

def row_roundtrip(int typ, int enc):
    """Make a value of this type/encoding, then exercise its row: names,
    dup (COPY) into an independent equal value, memory usage, free.
    Returns what the test checks."""
    cdef Keyspace ks = Keyspace(1)
    cdef Database db = ks.dbs[0]
    cdef fk_entry *e
    cdef fk_entry *ne
    cdef const fk_objtype *t
    cdef char t1[24]
    cdef char t2[24]
    cdef const char *p1
    cdef const char *p2
    cdef Py_ssize_t n1, n2
    if not has_sample(typ, enc):
        raise NotImplementedError((typ, enc))
    for k in (b"w1", b"w2", b"w3"):        # size the tables first
        db.set(k, b"x")
    for k in (b"w1", b"w2", b"w3"):
        db.delete(k, len(k))
    base = fk_used_memory()
    value = STRING_SAMPLES[enc]
    e = db.set_string(b"orig", 4, value, len(value), False)
    if enc == ENC_RAW:
        e = db.entry_string_raw(e)
    t = fk_objtype_of(e)
    ne = db.dup_entry(e, b"copy", 4)
    e = db.lookup(b"orig", 4, 0)
    n1 = string_view(e, &p1, t1)
    n2 = string_view(ne, &p2, t2)
    res = {"type_name": fk_objtype_of(e).type_name.decode(),
           "enc_name": fk_objtype_of(e).enc_name.decode(),
           "copy_enc_name": fk_objtype_of(ne).enc_name.decode(),
           "equal": p1[:n1] == p2[:n2] == value,
           "independent": (enc != ENC_RAW) or (<void *>e.v.ptr != <void *>ne.v.ptr),
           "mem_usage": t.mem_usage(e, 0),
           "inline_size": t.inline_size(e)}
    db.delete(b"orig", 4)
    db.delete(b"copy", 4)
    res["leaked"] = fk_used_memory() - base
    return res


def monotonic_us():
    return fk_monotonic_us()

def tsc_ticks_per_us():
    return fk_sh.tsc_ticks_per_us
