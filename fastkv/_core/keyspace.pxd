# The keyspace: Database (main dict + expires dict) and Keyspace (all dbs,
# stats, active expiry), and the write path's keyspace side: keyspace events,
# WATCH and the propagation hook.  See keyspace.pyx for the design.
from libc.stdint cimport uint32_t, uint64_t, int64_t
from fastkv._core.cdefs cimport fk_dict, fk_entry, fk_str

cdef enum:
    SHARED_INTEGERS = 10000    # OBJ_SHARED_INTEGERS
    LRU_CLOCK_MAX = 0xFFFFFF

# lookup flags
cdef enum:
    LOOKUP_NONE = 0
    LOOKUP_NOTOUCH = 1     # don't update the LRU clock (OBJECT, TYPE, CLIENT NO-TOUCH)
    LOOKUP_WRITE = 2       # a write lookup: no keyspace hit/miss stats
    LOOKUP_NOSTATS = 4
    LOOKUP_NOEXPIRE = 8    # don't delete the key if it is logically expired

# Keyspace event classes (Redis's NOTIFY_*, the letters of notify-keyspace-events)
cdef enum:
    NOTIFY_KEYSPACE = 1 << 0    # K
    NOTIFY_KEYEVENT = 1 << 1    # E
    NOTIFY_GENERIC = 1 << 2     # g
    NOTIFY_STRING = 1 << 3      # $
    NOTIFY_LIST = 1 << 4        # l
    NOTIFY_SET = 1 << 5         # s
    NOTIFY_HASH = 1 << 6        # h
    NOTIFY_ZSET = 1 << 7        # z
    NOTIFY_EXPIRED = 1 << 8     # x
    NOTIFY_EVICTED = 1 << 9     # e
    NOTIFY_STREAM = 1 << 10     # t
    NOTIFY_KEY_MISS = 1 << 11   # m (not part of A)
    NOTIFY_LOADED = 1 << 12     # modules only
    NOTIFY_MODULE = 1 << 13     # d
    NOTIFY_NEW = 1 << 14        # n (not part of A)
    NOTIFY_ALL = (NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH | NOTIFY_ZSET
                  | NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE)

# Delivers one keyspace event (the pub/sub layer installs it; see
# Keyspace.notify_hook).  `ctx` is the object that installed it.
ctypedef int (*notify_fn)(object ctx, int type, const char *event, int dbid,
                          const char *key, Py_ssize_t klen) except -1

# Client tracking's hooks (installed by fastkv/_core/tracking.pyx): key k
# changed (trackingInvalidateKey), and the tracking client c runs a command
# (phase 0 before, 1 after, 2 it disconnects, 3 a command of it was rejected).
ctypedef int (*tracking_key_fn)(object ctx, const char *key, Py_ssize_t klen) except -1
ctypedef int (*tracking_call_fn)(object ctx, object c, object cmd, int phase) except -1

cdef inline uint32_t entry_type(fk_entry *e) noexcept nogil:
    return e.meta & 0xF

cdef inline uint32_t entry_encoding(fk_entry *e) noexcept nogil:
    return (e.meta >> 4) & 0xF

cdef inline uint32_t entry_lru(fk_entry *e) noexcept nogil:
    return e.meta >> 8

cdef inline void entry_set_meta(fk_entry *e, uint32_t typ, uint32_t enc, uint32_t lru) noexcept nogil:
    e.meta = (typ & 0xF) | ((enc & 0xF) << 4) | ((lru & LRU_CLOCK_MAX) << 8)

cdef uint32_t lru_clock() noexcept nogil

# A string value viewed as bytes: points into the entry, the fk_str, or
# `tmp` (>= 24 bytes) for integers.
cdef Py_ssize_t string_view(fk_entry *e, const char **p, char *tmp) noexcept nogil

cdef class Keyspace

cdef class Watcher:
    """The WATCH state of one client (Redis's CLIENT_DIRTY_CAS + watched_keys)."""
    cdef public bint dirty          # a watched key changed: EXEC must fail
    cdef public list keys           # its WatchedKey objects

cdef class WatchedKey:
    cdef public Watcher watcher
    cdef public object db           # Database
    cdef public bytes key
    cdef public bint expired        # the key was logically expired when WATCHed

cdef class Database:
    cdef fk_dict *dict
    cdef fk_dict *expires
    cdef readonly int id
    cdef Keyspace ks
    cdef uint64_t expire_cursor
    cdef public long long avg_ttl
    cdef public dict watched        # key -> list of WatchedKey
    cdef public dict blocking_keys  # key -> list of Clients blocked on it, in arrival order

    cdef fk_entry *lookup(self, const char *k, size_t n, int flags) except? NULL
    cdef bint expire_if_needed(self, fk_entry *e) except -1
    cdef int delete_expired(self, fk_entry *e) except -1
    cdef fk_entry *set_string(self, const char *k, size_t n, const char *v, size_t vn, bint keepttl, bint try_int=*) except NULL
    cdef fk_entry *set_int(self, const char *k, size_t n, long long v, bint keepttl) except NULL
    cdef fk_entry *prepare_value(self, const char *k, size_t n, size_t extra, bint keepttl) except NULL
    cdef fk_entry *entry_string_raw(self, fk_entry *e) except NULL
    cdef fk_entry *dup_entry(self, fk_entry *e, const char *k, size_t n) except NULL
    cdef fk_entry *add_value(self, const char *k, size_t n, uint32_t typ, uint32_t enc, void *ptr) except NULL
    cdef fk_entry *set_value(self, const char *k, size_t n, uint32_t typ, uint32_t enc, void *ptr) except NULL
    cdef int signal_ready(self, const char *k, size_t n) except -1
    cdef int scan_for_ready_keys(self) except -1
    cdef fk_entry *unlink(self, const char *k, size_t n) noexcept
    cdef int delete(self, const char *k, size_t n) except -1
    cdef void set_expire(self, fk_entry *e, long long when) noexcept
    cdef long long get_expire(self, fk_entry *e) noexcept
    cdef bint remove_expire(self, fk_entry *e) noexcept
    cdef bint key_is_expired(self, const char *k, size_t n) noexcept
    cdef uint64_t size(self) noexcept
    cdef int active_expire(self, long long now, int max_loops, long long deadline_us) except -1
    cdef int touch_watched_key(self, const char *k, size_t n) except -1
    cdef int touch_all_watched(self, Database replaced_with) except -1

cdef class Keyspace:
    cdef readonly list dbs
    cdef readonly int ndbs
    cdef public long long dirty
    cdef public long long keyspace_hits
    cdef public long long keyspace_misses
    cdef public long long expired_keys
    cdef public long long evicted_keys
    cdef public long long expired_stale_perc_x100   # INFO expired_stale_perc, x100
    cdef long long cycle_sampled, cycle_expired     # counts of the running expire cycle
    cdef public long long expire_cycle_cpu_us
    cdef public bint lfu     # maxmemory-policy is an LFU one (OBJECT FREQ)
    cdef public uint32_t lruclock   # LRU clock cached by cron (Redis's server.lruclock)
    cdef public bint lookup_notouch # the running command's client asked CLIENT NO-TOUCH

    # -- the write path (see keyspace.pyx "The write path") --------------
    cdef public int notify_flags        # notify-keyspace-events as NOTIFY_* bits; 0 = off
    cdef notify_fn notify_hook          # delivers an event (installed by pub/sub)
    cdef object notify_ctx
    cdef public long long watched_keys  # WATCHed (client, key) pairs in all dbs; 0 = none
    cdef public bint propagating        # a writer listens (AOF, replicas ...)
    cdef public object propagate_hook   # callable(dbid, argv: list[bytes]) when propagating
    # -- blocking commands (see client.pyx "Blocking") --------------------
    cdef public long long blocking_registrations  # (client, key) waits in all dbs; 0 = none
    cdef public list ready_keys         # [(Database, key)] that may serve blocked clients
    cdef public set ready_set           # {(dbid, key)}: no key listed twice
    # -- client tracking (see tracking.pyx) --------------------------------
    cdef public long long tracking      # key changes must reach the tracking table; 0 = none
    cdef tracking_key_fn tracking_hook  # trackingInvalidateKey
    cdef tracking_call_fn tracking_call # around a tracking client's commands
    cdef public object tracking_ctx     # the Tracking state, None until first used

    cdef int set_notify_hook(self, notify_fn fn, object ctx) except -1
    cdef int propagate(self, int dbid, list argv) except -1


# -- the write path, as inline C checks: free when nobody listens ----------

cdef inline int notify_event(Database db, int type, const char *event, const char *k, Py_ssize_t n) except -1:
    """notifyKeyspaceEvent: `event` (a C string) happened to key k."""
    cdef Keyspace ks = db.ks
    if ks.notify_flags & type:
        ks.notify_hook(ks.notify_ctx, type, event, db.id, k, n)
    return 0

cdef inline int signal_key_as_ready(Database db, const char *k, Py_ssize_t n) except -1:
    """signalKeyAsReady: key k now holds a list, zset or stream; clients
    blocked on it get a chance to be served after the running command.
    Database.add_value/set_value call it; so do RENAME, MOVE, COPY."""
    if db.ks.blocking_registrations:
        db.signal_ready(k, n)
    return 0

cdef inline int signal_modified_key(Database db, const char *k, Py_ssize_t n) except -1:
    """signalModifiedKey: k changed (WATCH, client tracking)."""
    if db.ks.watched_keys:
        db.touch_watched_key(k, n)
    if db.ks.tracking:
        db.ks.tracking_hook(db.ks.tracking_ctx, k, n)
    return 0
