# Pub/sub: channel and pattern subscriptions and the fan-out of messages.
from fastkv._core.client cimport Client, ServerState

cdef class PubSub:
    cdef ServerState srv
    cdef public dict channels          # channel -> {Client: None} (subscription order)
    cdef public dict patterns          # pattern -> {Client: None}
    cdef public dict shard_channels    # shard channel -> {Client: None}
    cdef char *scratch                 # message frames are built here (see deliver)
    cdef Py_ssize_t scratch_cap
    cdef char *chan                    # keyspace event channels are built here
    cdef Py_ssize_t chan_cap
    cdef list keyspace_prefix          # per db: b"__keyspace@<db>__:"
    cdef list keyevent_prefix          # per db: b"__keyevent@<db>__:"

    cdef bytes prefix(self, list cache, bytes fmt, int dbid)
    cdef char *reserve(self, Py_ssize_t n) except NULL
    cdef long long deliver(self, dict clients, const char *kind, Py_ssize_t kn, bytes pattern,
                           const char *channel, Py_ssize_t clen, const char *msg, Py_ssize_t mlen) except -1
    cdef long long publish_c(self, const char *ch, Py_ssize_t clen, const char *msg, Py_ssize_t mlen,
                             bint sharded) except -1
    cdef long long publish_event(self, bytes prefix, const char *name, Py_ssize_t nlen,
                                 const char *msg, Py_ssize_t mlen) except -1
    cdef bint subscribe(self, Client c, bytes channel, bint sharded) except -1
    cdef bint unsubscribe(self, Client c, bytes channel, bint sharded) except -1
    cdef bint psubscribe(self, Client c, bytes pattern) except -1
    cdef bint punsubscribe(self, Client c, bytes pattern) except -1
    cdef int update_mode(self, Client c) except -1
