# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The keyspace: where every key lives.

Design
------
A Database is two fk_dicts, like a redisDb: `dict` (key -> value) and
`expires` (key -> absolute unix time in ms).  No Python object exists per key:
the dict entry holds the key bytes inline and the value in one of three
string encodings, exactly the ones Redis reports through OBJECT ENCODING:

    int     e.v.i is the number itself             "12345"
    embstr  e.v.u is the length, bytes inline      short strings (<= 44 bytes)
            after the key, in the same malloc
    raw     e.v.ptr is an fk_str (growable)        long or modified strings

so a small key with a small value is a single allocation plus its bucket
slot.  Collection types (implemented later, possibly in Python) store an
owned PyObject* (ENC_PYOBJ); the dict's entry_free callback releases it.

An entry with a TTL carries FK_HAS_EXPIRE in its klen, so reads of keys
without a TTL never touch the expires dict.

Expiry is Redis's: lazy (every lookup checks the key it found) plus an
active cycle run from cron that walks the expires dict with a SCAN cursor,
20 keys per round, repeating while more than 10% of a round had expired and
the time budget (25% of a cron tick) lasts.
"""
from cpython.ref cimport PyObject, Py_INCREF, Py_DECREF
from libc.string cimport memcpy, memcmp
from libc.stdint cimport uint8_t, uint32_t, uint64_t, int64_t
from fastkv._core.cdefs cimport *

import os

cdef fk_dict_type MAIN_TYPE
cdef fk_dict_type EXPIRES_TYPE

cdef void _entry_free(fk_dict *d, fk_entry *e) noexcept:
    cdef uint32_t enc = entry_encoding(e)
    if enc == ENC_RAW and entry_type(e) == OBJ_STRING:
        fk_free(e.v.ptr)
    elif enc == ENC_PYOBJ:
        Py_DECREF(<object>e.v.ptr)

MAIN_TYPE.entry_free = _entry_free
EXPIRES_TYPE.entry_free = NULL

def _seed_hash():
    cdef bytes seed = os.urandom(16)
    fk_dict_set_seed(<const uint8_t *><const char *>seed)
_seed_hash()

cdef uint32_t lru_clock() noexcept nogil:
    return <uint32_t>((fk_mstime() // 1000) & LRU_CLOCK_MAX)

cdef Py_ssize_t string_view(fk_entry *e, const char **p, char *tmp) noexcept nogil:
    cdef uint32_t enc = entry_encoding(e)
    cdef fk_str *s
    if enc == ENC_EMBSTR:
        p[0] = fk_entry_extra(e)
        return <Py_ssize_t>e.v.u
    if enc == ENC_INT:
        p[0] = tmp
        return fk_ll2string(tmp, 24, e.v.i)
    s = <fk_str *>e.v.ptr
    p[0] = s.buf
    return s.len


cdef fk_dict_type PLAIN_TYPE
PLAIN_TYPE.entry_free = NULL

cdef fk_dict *dict_new_plain() noexcept:
    return fk_dict_new(&PLAIN_TYPE)

cdef void dict_free(fk_dict *d) noexcept:
    fk_dict_free(d)

cdef fk_entry *dict_find(fk_dict *d, const char *k, size_t n) noexcept:
    return fk_dict_find(d, k, n)

cdef fk_entry *dict_add(fk_dict *d, const char *k, size_t n, size_t extra) noexcept:
    return fk_dict_add(d, k, n, extra)

cdef uint64_t dict_scan(fk_dict *d, uint64_t cursor, void (*fn)(void *, fk_entry *) noexcept, void *priv) noexcept:
    return fk_dict_scan(d, cursor, fn, priv)

cdef fk_entry *dict_random(fk_dict *d) noexcept:
    return fk_dict_random(d)

cdef fk_str *str_new(const char *p, size_t n) noexcept:
    return fk_str_new(p, n)

cdef fk_str *str_reserve(fk_str *s, size_t n) noexcept:
    return fk_str_reserve(s, n)

cdef size_t alloc_usable(void *p) noexcept:
    return fk_usable(p)


cdef class Database:
    def __cinit__(self, Keyspace ks, int id):
        self.ks = ks
        self.id = id
        self.dict = fk_dict_new(&MAIN_TYPE)
        self.expires = fk_dict_new(&EXPIRES_TYPE)
        self.expire_cursor = 0
        self.avg_ttl = 0

    def __dealloc__(self):
        # expires first: its entries don't own anything
        fk_dict_free(self.expires)
        fk_dict_free(self.dict)

    cdef uint64_t size(self) noexcept:
        return fk_dict_size(self.dict)

    cdef long long get_expire(self, fk_entry *e) noexcept:
        cdef fk_entry *x
        if not (e.klen & FK_HAS_EXPIRE):
            return -1
        x = fk_dict_find(self.expires, e.key, fk_entry_klen(e))
        if x == NULL:
            return -1
        return x.v.i

    cdef void set_expire(self, fk_entry *e, long long when) noexcept:
        cdef uint32_t n = fk_entry_klen(e)
        cdef fk_entry *x
        if e.klen & FK_HAS_EXPIRE:
            x = fk_dict_find(self.expires, e.key, n)
            if x != NULL:
                x.v.i = when
                return
        x = fk_dict_add(self.expires, e.key, n, 0)
        x.v.i = when
        e.klen |= FK_HAS_EXPIRE

    cdef bint remove_expire(self, fk_entry *e) noexcept:
        if not (e.klen & FK_HAS_EXPIRE):
            return False
        e.klen &= ~(<uint32_t>FK_HAS_EXPIRE)
        return fk_dict_delete(self.expires, e.key, fk_entry_klen(e)) == 1

    cdef bint expire_if_needed(self, fk_entry *e) except -1:
        """Delete e if its TTL passed; True if it did (e is then freed)."""
        cdef long long when = self.get_expire(e)
        if when < 0 or when > fk_mstime():
            return False
        self.ks.expired_keys += 1
        self.delete(e.key, fk_entry_klen(e))
        return True

    cdef fk_entry *lookup(self, const char *k, size_t n, int flags) except? NULL:
        cdef fk_entry *e = fk_dict_find(self.dict, k, n)
        if e != NULL and (e.klen & FK_HAS_EXPIRE) and self.expire_if_needed(e):
            e = NULL
        if not (flags & (LOOKUP_WRITE | LOOKUP_NOSTATS)):
            if e == NULL:
                self.ks.keyspace_misses += 1
            else:
                self.ks.keyspace_hits += 1
        if e != NULL and not (flags & LOOKUP_NOTOUCH) and not self.ks.lookup_notouch:
            e.meta = (e.meta & 0xFF) | (self.ks.lruclock << 8)
        return e

    cdef int delete(self, const char *k, size_t n) except -1:
        cdef fk_entry *e = fk_dict_unlink(self.dict, k, n)
        if e == NULL:
            return 0
        if e.klen & FK_HAS_EXPIRE:
            fk_dict_delete(self.expires, e.key, fk_entry_klen(e))
        fk_dict_free_unlinked(self.dict, e)
        return 1

    cdef fk_entry *prepare_value(self, const char *k, size_t n, size_t extra, bint keepttl) except NULL:
        """The entry for key k, emptied of its old value, with `extra`
        inline bytes; created if absent.  The caller sets v and meta."""
        cdef fk_entry *e = fk_dict_find(self.dict, k, n)
        if e == NULL:
            return fk_dict_add(self.dict, k, n, extra)
        cdef bint had_inline = entry_encoding(e) == ENC_EMBSTR
        _entry_free(self.dict, e)
        e.meta = 0
        e.v.u = 0
        if not keepttl and (e.klen & FK_HAS_EXPIRE):
            self.remove_expire(e)
        if extra or had_inline:     # grow, or give back the old inline bytes
            e = fk_dict_resize_entry(self.dict, e, extra)
        return e

    cdef fk_entry *set_string(self, const char *k, size_t n, const char *v, size_t vn, bint keepttl, bint try_int=True) except NULL:
        cdef long long ll
        cdef fk_entry *e
        if try_int and vn <= 20 and fk_string2ll(v, vn, &ll):
            return self.set_int(k, n, ll, keepttl)
        if vn <= EMBSTR_LIMIT:
            e = self.prepare_value(k, n, vn, keepttl)
            memcpy(fk_entry_extra(e), v, vn)
            e.v.u = vn
            entry_set_meta(e, OBJ_STRING, ENC_EMBSTR, self.ks.lruclock)
            return e
        e = self.prepare_value(k, n, 0, keepttl)
        e.v.ptr = fk_str_new(v, vn)
        entry_set_meta(e, OBJ_STRING, ENC_RAW, self.ks.lruclock)
        return e

    cdef fk_entry *set_int(self, const char *k, size_t n, long long v, bint keepttl) except NULL:
        cdef fk_entry *e = fk_dict_find(self.dict, k, n)
        if e != NULL and entry_type(e) == OBJ_STRING and entry_encoding(e) == ENC_INT:
            # INCR's common case: same entry, new number
            if not keepttl and (e.klen & FK_HAS_EXPIRE):
                self.remove_expire(e)
        else:
            e = self.prepare_value(k, n, 0, keepttl)
        e.v.i = v
        entry_set_meta(e, OBJ_STRING, ENC_INT, self.ks.lruclock)
        return e

    cdef fk_entry *set_pyobj(self, const char *k, size_t n, object o, uint32_t typ, uint32_t enc) except NULL:
        cdef fk_entry *e = self.prepare_value(k, n, 0, False)
        Py_INCREF(o)
        e.v.ptr = <PyObject *>o
        entry_set_meta(e, typ, ENC_PYOBJ, self.ks.lruclock)
        return e

    cdef fk_entry *entry_string_raw(self, fk_entry *e) except NULL:
        """Convert a string entry to the raw encoding (before an in-place
        change such as APPEND or SETRANGE); returns the (maybe moved) entry."""
        cdef char tmp[24]
        cdef const char *p
        cdef Py_ssize_t n
        cdef fk_str *s
        cdef uint32_t enc = entry_encoding(e)
        if enc == ENC_RAW:
            return e
        n = string_view(e, &p, tmp)
        s = fk_str_new(p, n)
        if enc == ENC_EMBSTR:
            e = fk_dict_resize_entry(self.dict, e, 0)
        e.v.ptr = s
        entry_set_meta(e, OBJ_STRING, ENC_RAW, entry_lru(e))
        return e

    cdef int active_expire(self, long long now, int max_loops, long long deadline_us) except -1:
        """One db's share of the active expire cycle (activeExpireCycle)."""
        cdef ExpireSample sample
        cdef int i, loops = 0, expired, sampled
        cdef fk_entry *x
        cdef bytes key
        cdef long long ttl_sum, ttl_samples
        while loops < max_loops and fk_dict_size(self.expires) > 0:
            loops += 1
            sample.n = 0
            sampled = 0
            while sample.n < 20:
                self.expire_cursor = fk_dict_scan(self.expires, self.expire_cursor, _collect, &sample)
                sampled += 1
                if self.expire_cursor == 0 or sampled > 200:
                    break
            expired = 0
            ttl_sum = 0
            ttl_samples = 0
            keys = []
            for i in range(sample.n):
                x = sample.e[i]
                if x.v.i <= now:
                    keys.append(x.key[:fk_entry_klen(x)])
                else:
                    ttl_sum += x.v.i - now
                    ttl_samples += 1
            for key in keys:
                self.delete(key, len(key))
                expired += 1
            self.ks.expired_keys += expired
            self.ks.cycle_sampled += sample.n
            self.ks.cycle_expired += expired
            if ttl_samples:
                # running average, as Redis: weight the old estimate 98%
                if self.avg_ttl == 0:
                    self.avg_ttl = ttl_sum // ttl_samples
                else:
                    self.avg_ttl = (self.avg_ttl // 50) * 49 + (ttl_sum // ttl_samples) // 50
            if sample.n == 0 or expired * 100 // sample.n <= 10:
                break
            if fk_monotonic_us() > deadline_us:
                break
        if fk_dict_size(self.expires) == 0:
            self.avg_ttl = 0
        return loops

    # -- Python-facing helpers (tests, INFO, slow commands) -----------------
    def dbsize(self):
        return fk_dict_size(self.dict)

    def expires_count(self):
        return fk_dict_size(self.expires)

    def buckets(self):
        return (self.dict.size[0], self.dict.size[1], fk_dict_is_rehashing(self.dict))

    def rehash_step(self, int ms):
        if fk_dict_is_rehashing(self.dict):
            fk_dict_rehash_ms(self.dict, ms)
        elif fk_dict_is_rehashing(self.expires):
            fk_dict_rehash_ms(self.expires, ms)

    def shrink_if_needed(self):
        fk_dict_shrink_if_needed(self.dict)
        fk_dict_shrink_if_needed(self.expires)

    def clear(self):
        fk_dict_clear(self.expires)
        fk_dict_clear(self.dict)
        self.avg_ttl = 0
        self.expire_cursor = 0

    def swap_with(self, Database other):
        cdef fk_dict *d = self.dict
        cdef fk_dict *x = self.expires
        self.dict, self.expires = other.dict, other.expires
        other.dict, other.expires = d, x
        self.avg_ttl, other.avg_ttl = other.avg_ttl, self.avg_ttl
        self.expire_cursor = other.expire_cursor = 0

    def get(self, bytes key):
        """The string value of key as bytes, None if absent (tests, tools)."""
        cdef char tmp[24]
        cdef const char *p
        cdef fk_entry *e = self.lookup(key, len(key), LOOKUP_NOTOUCH | LOOKUP_NOSTATS)
        if e == NULL:
            return None
        if entry_type(e) != OBJ_STRING:
            raise TypeError("not a string")
        n = string_view(e, &p, tmp)
        return p[:n]

    def set(self, bytes key, bytes value):
        self.set_string(key, len(key), value, len(value), False)


cdef struct ExpireSample:
    int n
    fk_entry *e[64]

cdef void _collect(void *priv, fk_entry *e) noexcept:
    cdef ExpireSample *s = <ExpireSample *>priv
    if s.n < 64:
        s.e[s.n] = e
        s.n += 1


cdef class Keyspace:
    def __cinit__(self, int ndbs=16):
        self.ndbs = ndbs
        self.dbs = [Database(self, i) for i in range(ndbs)]
        self.lruclock = lru_clock()

    def active_expire_cycle(self, int budget_us=25000):
        """Redis's slow active expire cycle, bounded by budget_us."""
        cdef long long start = fk_monotonic_us()
        cdef long long deadline = start + budget_us
        cdef long long now = fk_mstime()
        cdef Database db
        cdef double current_perc
        self.lruclock = lru_clock()    # cron refreshes the cached LRU clock
        self.cycle_sampled = self.cycle_expired = 0
        for db in self.dbs:
            if fk_dict_size(db.expires):
                db.active_expire(now, 1000, deadline)
            if fk_monotonic_us() > deadline:
                break
        self.expire_cycle_cpu_us += fk_monotonic_us() - start
        # Redis's estimate of logically expired keys still in memory: a
        # moving average of the share of sampled keys found expired.
        current_perc = (<double>self.cycle_expired / self.cycle_sampled) if self.cycle_sampled else 0.0
        self.expired_stale_perc_x100 = <long long>(
            current_perc * 10000 * 0.05 + self.expired_stale_perc_x100 * 0.95)

    def rehash_cron(self, int ms=1):
        cdef Database db
        for db in self.dbs:
            db.shrink_if_needed()
            db.rehash_step(ms)

    def total_keys(self):
        cdef Database db
        cdef uint64_t total = 0
        for db in self.dbs:
            total += fk_dict_size(db.dict)
        return total

    def reset_stats(self):
        self.keyspace_hits = self.keyspace_misses = 0
        self.expired_keys = self.evicted_keys = 0
        self.expire_cycle_cpu_us = 0


def used_memory():
    return fk_used_memory()
