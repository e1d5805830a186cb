# Pub/sub: channel and pattern subscriptions and the fan-out of messages.
from fastkv._core.client cimport Client, ServerState

cdef class PubSub:
    cdef ServerState srv
    cdef public dict channels          # channel -> {Client: None} (subscription order)
    cdef public dict patterns          # pattern -> {Client: None}
    cdef public dict shard_channels    # shard channel -> {Client: None}

    cdef long long publish(self, bytes channel, bytes message, bint sharded) except -1
    cdef bint subscribe(self, Client c, bytes channel, bint sharded) except -1
    cdef bint unsubscribe(self, Client c, bytes channel, bint sharded) except -1
    cdef bint psubscribe(self, Client c, bytes pattern) except -1
    cdef bint punsubscribe(self, Client c, bytes pattern) except -1
    cdef int update_mode(self, Client c) except -1
