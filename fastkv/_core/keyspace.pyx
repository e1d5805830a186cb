# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The keyspace: where every key lives.

Design
------
A Database is two fk_dicts, like a redisDb: `dict` (key -> value) and
`expires` (key -> absolute unix time in ms).  No Python object exists per key:
the dict entry holds the key bytes inline and the value as described by the
type table (csrc/fk_object.h): strings are Redis's three encodings

    int     e.v.i is the number itself             "12345"
    embstr  e.v.u is the length, bytes inline      short strings (<= 44 bytes)
            after the key, in the same malloc
    raw     e.v.ptr is an fk_str (growable)        long or modified strings

so a small key with a small value is a single allocation plus its bucket
slot.  Freeing, copying and sizing a value go through its type-table row,
so this module knows no type but the string's constructors.

An entry with a TTL carries FK_HAS_EXPIRE in its klen, so reads of keys
without a TTL never touch the expires dict.

Expiry is Redis's: lazy (every lookup checks the key it found) plus an
active cycle run from cron that walks the expires dict with a SCAN cursor,
20 keys per round, repeating while more than 10% of a round had expired and
the time budget (25% of a cron tick) lasts.

The write path
--------------
Command handlers change keys and then say so, as Redis's do:
`signal_modified_key(db, key)` (WATCH now, client tracking later) and
`notify_event(db, NOTIFY_x, "event", key)` (keyspace notifications).  Both
are inline C checks of a counter or a flag word (keyspace.pxd), so they cost
a load and a branch when nobody watches or listens.  The client's call()
adds the dirty counter and the propagation hook (`propagate`, for the AOF
and replicas: one writer receives (dbid, argv) after each write).  Deletions
that no command asked for take the same path here: expired keys (lazy and
active) fire `expired`, touch WATCHes and propagate as DEL; FLUSHDB,
FLUSHALL and SWAPDB touch the WATCHes of the keys they remove or replace.
"""
from cpython.ref cimport PyObject
from libc.string cimport memcpy, memcmp
from libc.stdint cimport uint8_t, uint32_t, uint64_t, int64_t
from fastkv._core.cdefs cimport *
from fastkv._core.shared cimport attach
from fastkv._core.cdefs_lazyfree cimport *

attach()

cdef fk_dict_type MAIN_TYPE
cdef fk_dict_type EXPIRES_TYPE
MAIN_TYPE.entry_free = fk_object_entry_free
EXPIRES_TYPE.entry_free = NULL

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


cdef int _no_notify(object ctx, int type, const char *event, int dbid,
                    const char *key, Py_ssize_t klen) except -1:
    return 0


cdef class Watcher:
    def __cinit__(self):
        self.dirty = False
        self.keys = []

    def watch(self, Database db, bytes key):
        """watchForKey: start watching key in db (once)."""
        cdef WatchedKey wk
        for wk in self.keys:
            if wk.db is db and wk.key == key:
                return
        wk = WatchedKey.__new__(WatchedKey)
        wk.watcher = self
        wk.db = db
        wk.key = key
        wk.expired = db.key_is_expired(key, len(key))
        db.watched.setdefault(key, []).append(wk)
        self.keys.append(wk)
        db.ks.watched_keys += 1

    def unwatch_all(self, Keyspace ks):
        """unwatchAllKeys (the dirty flag is the caller's to clear)."""
        cdef WatchedKey wk
        cdef list lst
        for wk in self.keys:
            lst = (<Database>wk.db).watched.get(wk.key)
            if lst is not None:
                lst.remove(wk)
                if not lst:
                    del (<Database>wk.db).watched[wk.key]
            ks.watched_keys -= 1
        self.keys = []

    def expired_since_watch(self):
        """isWatchedKeyExpired: a key that was alive when WATCHed is now
        logically expired (its deletion may not have happened yet)."""
        cdef WatchedKey wk
        for wk in self.keys:
            if not wk.expired and (<Database>wk.db).key_is_expired(wk.key, len(wk.key)):
                return True
        return False


cdef class WatchedKey:
    pass


cdef int signal_deleted_streams(Database db, Database replaced_with) except -1:
    """scanDatabaseForDeletedStreams (FLUSHDB/FLUSHALL/SWAPDB): a key waited
    on that holds a stream here and no stream in replaced_with is signalled,
    so blocked XREADGROUPs are answered (-UNBLOCKED)."""
    cdef bytes key
    cdef fk_entry *e
    cdef bint was_stream, is_stream
    if not db.blocking_keys:
        return 0
    for key in list(db.blocking_keys):
        e = fk_dict_find(db.dict, key, len(key))
        was_stream = e != NULL and (e.meta & 0xF) == OBJ_STREAM
        is_stream = False
        if replaced_with is not None:
            e = fk_dict_find(replaced_with.dict, key, len(key))
            is_stream = e != NULL and (e.meta & 0xF) == OBJ_STREAM
        if was_stream and not is_stream:
            db.signal_ready(key, len(key))
    return 0


cdef class Database:
    def __cinit__(self, Keyspace ks, int id):
        self.ks = ks
        self.id = id
        self.dict = fk_dict_new(&MAIN_TYPE)
        self.expires = fk_dict_new(&EXPIRES_TYPE)
        self.expire_cursor = 0
        self.avg_ttl = 0
        self.watched = {}
        self.blocking_keys = {}

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
        self.delete_expired(e)
        return True

    cdef bint key_is_expired(self, const char *k, size_t n) noexcept:
        """keyIsExpired: k exists and its TTL passed (nothing deleted)."""
        cdef fk_entry *e = fk_dict_find(self.dict, k, n)
        cdef long long when
        if e == NULL:
            return False
        when = self.get_expire(e)
        return when >= 0 and when <= fk_mstime()

    cdef int delete_expired(self, fk_entry *e) except -1:
        """deleteExpiredKeyAndPropagate: e's TTL passed; e is freed."""
        cdef Keyspace ks = self.ks
        cdef Py_ssize_t n = fk_entry_klen(e)
        cdef bytes key
        ks.expired_keys += 1
        if not (ks.notify_flags or ks.watched_keys or ks.propagating or ks.tracking):
            self.delete(e.key, n)
            return 0
        key = e.key[:n]
        self.delete(key, n)
        notify_event(self, NOTIFY_EXPIRED, b"expired", key, n)
        signal_modified_key(self, key, n)
        if ks.propagating:
            ks.propagate(self.id, [b"DEL", key])
        return 0

    cdef fk_entry *lookup(self, const char *k, size_t n, int flags) except? NULL:
        cdef fk_entry *e = fk_dict_find(self.dict, k, n)
        if e != NULL and (e.klen & FK_HAS_EXPIRE) and self.expire_if_needed(e):
            e = NULL
        if not (flags & (LOOKUP_WRITE | LOOKUP_NOSTATS)):
            if e == NULL:
                self.ks.keyspace_misses += 1
                notify_event(self, NOTIFY_KEY_MISS, b"keymiss", k, n)
            else:
                self.ks.keyspace_hits += 1
        if e != NULL and not (flags & LOOKUP_NOTOUCH) and not self.ks.lookup_notouch:
            e.meta = (e.meta & 0xFF) | (self.ks.lruclock << 8)
        return e

    cdef fk_entry *unlink(self, const char *k, size_t n) noexcept:
        """Take key k out of the db (and its TTL out of expires) without
        freeing it: the caller frees it (fk_dict_free_unlinked) or hands it
        to the lazy free thread.  NULL if absent."""
        cdef fk_entry *e = fk_dict_unlink(self.dict, k, n)
        if e != NULL and (e.klen & FK_HAS_EXPIRE):
            fk_dict_delete(self.expires, e.key, fk_entry_klen(e))
        if e != NULL and self.ks.blocking_registrations and (e.meta & 0xF) == OBJ_STREAM:
            self.signal_ready(k, n)     # signalDeletedKeyAsReady (blocked XREADGROUP)
        return e

    cdef int delete(self, const char *k, size_t n) except -1:
        cdef fk_entry *e = self.unlink(k, n)
        if e == NULL:
            return 0
        fk_dict_free_unlinked(self.dict, e)
        return 1

    cdef fk_entry *prepare_value(self, const char *k, size_t n, size_t extra, bint keepttl) except NULL:
        """The entry for key k, emptied of its old value, with `extra`
        inline bytes; created if absent.  The caller sets v and meta."""
        cdef fk_entry *e = fk_dict_find(self.dict, k, n)
        if e == NULL:
            return fk_dict_add(self.dict, k, n, extra)
        cdef const fk_objtype *t = fk_objtype_of(e)
        cdef bint had_inline = t.inline_size(e) != 0
        if self.ks.blocking_registrations and (e.meta & 0xF) == OBJ_STREAM:
            self.signal_ready(k, n)     # signalDeletedKeyAsReady (blocked XREADGROUP)
        t.free(e)
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

    cdef fk_entry *dup_entry(self, fk_entry *e, const char *k, size_t n) except NULL:
        """COPY: a new entry for key k (absent here) holding a copy of e's
        value, by its type-table row.  No TTL, same LRU."""
        cdef const fk_objtype *t = fk_objtype_of(e)
        cdef fk_entry *ne = fk_dict_add(self.dict, k, n, t.inline_size(e))
        ne.meta = e.meta
        if t.dup(e, ne) != 0:
            entry_set_meta(ne, OBJ_STRING, ENC_INT, 0)   # owns nothing
            fk_dict_delete(self.dict, k, n)
            raise MemoryError()
        return ne

    cdef fk_entry *add_value(self, const char *k, size_t n, uint32_t typ, uint32_t enc, void *ptr) except NULL:
        """dbAdd for a new collection: key k must be absent (the caller looked
        it up).  The entry takes ownership of ptr; blocked clients waiting on
        k are signalled; the "new" event fires (before the command's own)."""
        cdef fk_entry *e = fk_dict_add(self.dict, k, n, 0)
        e.v.ptr = ptr
        entry_set_meta(e, typ, enc, self.ks.lruclock)
        if typ == OBJ_LIST or typ == OBJ_ZSET or typ == OBJ_STREAM:
            signal_key_as_ready(self, k, n)
        notify_event(self, NOTIFY_NEW, b"new", k, n)
        return e

    cdef fk_entry *set_value(self, const char *k, size_t n, uint32_t typ, uint32_t enc, void *ptr) except NULL:
        """setKey for a collection (the *STORE commands): k gets ptr whatever
        it held before (the old value is freed, the TTL dropped)."""
        cdef bint existed = fk_dict_find(self.dict, k, n) != NULL
        cdef fk_entry *e = self.prepare_value(k, n, 0, False)
        e.v.ptr = ptr
        entry_set_meta(e, typ, enc, self.ks.lruclock)
        if typ == OBJ_LIST or typ == OBJ_ZSET or typ == OBJ_STREAM:
            signal_key_as_ready(self, k, n)
        if not existed:
            notify_event(self, NOTIFY_NEW, b"new", k, n)
        return e

    cdef int signal_ready(self, const char *k, size_t n) except -1:
        cdef bytes key
        cdef tuple tag
        if not self.blocking_keys:
            return 0
        key = k[:n]
        if key not in self.blocking_keys:
            return 0
        tag = (self.id, key)
        if tag in self.ks.ready_set:
            return 0
        self.ks.ready_set.add(tag)
        self.ks.ready_keys.append((self, key))
        return 0

    cdef int touch_watched_key(self, const char *k, size_t n) except -1:
        """touchWatchedKey: every client WATCHing k here must fail EXEC."""
        cdef list lst = self.watched.get(k[:n])
        cdef WatchedKey wk
        if lst is None:
            return 0
        for wk in lst:
            if wk.expired:
                if fk_dict_find(self.dict, k, n) == NULL:
                    # expired when WATCHed and now deleted: no logical change
                    wk.expired = False
                    continue
            wk.watcher.dirty = True
        return 0

    cdef int touch_all_watched(self, Database replaced_with) except -1:
        """touchAllWatchedKeysInDb: this db is being emptied (FLUSHDB) or
        replaced by `replaced_with` (SWAPDB): touch the WATCHed keys that
        exist here or there."""
        cdef bytes key
        cdef list lst
        cdef WatchedKey wk
        cdef bint here, there
        if not self.watched:
            return 0
        for key, lst in list(self.watched.items()):
            here = fk_dict_find(self.dict, key, len(key)) != NULL
            there = replaced_with is not None and fk_dict_find(replaced_with.dict, key, len(key)) != NULL
            if not (here or there):
                continue
            for wk in lst:
                if wk.expired:
                    if not there:
                        wk.expired = False     # expired key now deleted: no change
                        continue
                    if replaced_with.key_is_expired(key, len(key)):
                        continue               # expired key remains expired
                elif not here and replaced_with.key_is_expired(key, len(key)):
                    wk.expired = True          # replaced by an already expired key
                    continue
                wk.watcher.dirty = True
        return 0

    cdef int active_expire(self, long long now, int max_loops, long long deadline_us) except -1:
        """One db's share of the active expire cycle (activeExpireCycle)."""
        cdef ExpireSample sample
        cdef int i, loops = 0, expired, sampled
        cdef fk_entry *x
        cdef fk_entry *e
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
                e = fk_dict_find(self.dict, key, len(key))
                if e != NULL:
                    self.delete_expired(e)
                    expired += 1
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
        """Empty the db (FLUSHDB/FLUSHALL): WATCHes of its keys fire."""
        self.touch_all_watched(None)
        signal_deleted_streams(self, None)
        fk_dict_clear(self.expires)
        fk_dict_clear(self.dict)
        self.avg_ttl = 0
        self.expire_cursor = 0

    def clear_async(self):
        """FLUSHDB/FLUSHALL ASYNC (emptyDbAsync): fresh dicts now; the
        lazy free thread frees the old ones (csrc/fk_lazyfree.h)."""
        cdef fk_dict *d = self.dict
        cdef fk_dict *x = self.expires
        cdef uint64_t n = fk_dict_size(d)
        if n == 0:
            return self.clear()
        self.touch_all_watched(None)
        signal_deleted_streams(self, None)
        self.dict = fk_dict_new(&MAIN_TYPE)
        self.expires = fk_dict_new(&EXPIRES_TYPE)
        fk_lazyfree_dicts(d, x, n)
        self.avg_ttl = 0
        self.expire_cursor = 0

    def swap_with(self, Database other):
        """SWAPDB: the dicts change places; WATCHes stay with the db number."""
        self.touch_all_watched(other)
        other.touch_all_watched(self)
        signal_deleted_streams(self, other)
        signal_deleted_streams(other, self)
        cdef fk_dict *d = self.dict
        cdef fk_dict *x = self.expires
        self.dict, self.expires = other.dict, other.expires
        other.dict, other.expires = d, x
        self.avg_ttl, other.avg_ttl = other.avg_ttl, self.avg_ttl
        self.expire_cursor = other.expire_cursor = 0
        self.scan_for_ready_keys()
        other.scan_for_ready_keys()

    cdef int scan_for_ready_keys(self) except -1:
        """scanDatabaseForReadyKeys (SWAPDB): keys clients wait on that now
        hold a list, zset or stream."""
        cdef fk_entry *e
        cdef uint32_t t
        for key in list(self.blocking_keys):
            e = self.lookup(key, len(key), LOOKUP_NOTOUCH | LOOKUP_NOSTATS)
            if e != NULL:
                t = entry_type(e)
                if t == OBJ_LIST or t == OBJ_ZSET or t == OBJ_STREAM:
                    self.signal_ready(key, len(key))
        return 0

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

    def pexpireat(self, bytes key, long long when_ms):
        """Give an existing key an absolute TTL (tests, tools)."""
        cdef fk_entry *e = fk_dict_find(self.dict, key, len(key))
        if e == NULL:
            raise KeyError(key)
        self.set_expire(e, when_ms)


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
        self.notify_hook = _no_notify
        self.propagate_hook = None
        self.ready_keys = []
        self.ready_set = set()

    cdef int set_notify_hook(self, notify_fn fn, object ctx) except -1:
        """Install the deliverer of keyspace events (the pub/sub layer)."""
        self.notify_hook = fn
        self.notify_ctx = ctx
        return 0

    cdef int propagate(self, int dbid, list argv) except -1:
        """The propagation hook: one writer (AOF, replicas) gets each write
        as (dbid, argv) in execution order.  Called only when propagating."""
        if self.propagate_hook is not None:
            self.propagate_hook(dbid, argv)
        return 0

    def set_propagate_hook(self, hook):
        """Install (or with None remove) the writer that receives writes."""
        self.propagate_hook = hook
        self.propagating = hook is not None

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
        fk_lazyfree_reset_stats()


def used_memory():
    return fk_used_memory()


def lazyfree_info():
    """(lazyfree_pending_objects, lazyfreed_objects, jobs not finished)."""
    return fk_lazyfree_pending_objects(), fk_lazyfree_freed_objects(), fk_lazyfree_queued_jobs()


def set_lazyfree_config(bint user_del, bint user_flush):
    """lazyfree-lazy-user-del and lazyfree-lazy-user-flush (CONFIG)."""
    fk_lazyfree_set_config(user_del, user_flush)


def stringmatch(bytes pattern, bytes s, bint nocase=False):
    """Redis's glob matching (stringmatchlen), for Python callers."""
    return fk_stringmatchlen(pattern, len(pattern), s, len(s), nocase) == 1
