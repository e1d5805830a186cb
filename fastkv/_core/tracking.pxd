# Client-side caching: the tracking table and the invalidation messages
# (Redis's tracking.c).  See tracking.pyx for the design.
from fastkv._core.client cimport Client, Command, ServerState
from fastkv._core.keyspace cimport Keyspace

# ClientTracking.flags (Redis's CLIENT_TRACKING_* bits)
cdef enum:
    TRK_BCAST = 1 << 0           # broadcast mode: prefixes, no table
    TRK_OPTIN = 1 << 1           # remember keys only after CLIENT CACHING yes
    TRK_OPTOUT = 1 << 2          # remember keys unless CLIENT CACHING no
    TRK_CACHING = 1 << 3         # CLIENT CACHING was given for the next command
    TRK_NOLOOP = 1 << 4          # no invalidation of keys the client changed itself
    TRK_BROKEN_REDIR = 1 << 5    # the redirection client went away

cdef class ClientTracking:
    """One client's CLIENT TRACKING state (Client.tracking while it is on)."""
    cdef public int flags
    cdef public long long redirect     # client id the messages go to, 0 = this client
    cdef public dict prefixes          # BCAST: prefix -> None

cdef class BcastState:
    """One BCAST prefix: its subscribers and the keys changed since the last
    broadcast (key -> the tracking client that changed it, or None)."""
    cdef public dict keys
    cdef public dict clients           # Client -> None

cdef class Tracking:
    cdef ServerState srv
    cdef Keyspace ks
    cdef public dict table             # key -> {client id: None}
    cdef list keylist                  # the table's keys, for random eviction
    cdef dict keypos                   # key -> its index in keylist
    cdef public long long total_items  # client ids in the whole table
    cdef public dict prefix_table      # prefix -> BcastState
    cdef public long long nclients     # INFO tracking_clients
    cdef public long long max_keys     # tracking-table-max-keys, 0 = no limit
    cdef public object getkeys         # fn(cmd, argv) -> [(pos, flags)] for movable-keys commands
    cdef Client current                # the tracking client running a command, or None
    cdef int depth                     # nesting of its calls (EXEC runs its queue inside)
    cdef list pending                  # invalidations for `current`: keys, None = flush
    cdef bint bcast_scheduled
    cdef unsigned int limit_counter    # trackingLimitUsedSlots's effort multiplier

    cdef int update_flag(self) except -1
    cdef int remember_keys(self, Client c, Client executing, Command cmd) except -1
    cdef int invalidate(self, bytes key, bint bcast) except -1
    cdef int send(self, Client c, bytes payload) except -1
    cdef int send_pending(self, Client c) except -1
    cdef int limit_used_slots(self) except -1
    cdef int schedule_broadcast(self) except -1

# Scripting's hook: after the script client `executing` ran `cmd` for the
# script's caller (7.0 then remembers the caller's own keys, EVAL's KEYS, when
# cmd is read-only).  Usage, after each redis.call/pcall command:
#     if caller.tracking is not None:
#         remember_script_keys(caller, script_client, cmd)
cdef int remember_script_keys(Client caller, Client executing, Command cmd) except -1
