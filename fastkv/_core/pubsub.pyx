# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Pub/sub fan-out (Redis's pubsub.c) and the delivery of keyspace events.

Subscriptions are kept twice, as Redis does: per channel (or pattern) the
clients in subscription order, and per client its channels, patterns and
shard channels (Client.pubsub_*).  Both are dicts used as ordered sets.

A publish builds each message frame once per protocol (RESP2 array, RESP3
push) and copies it into every subscriber's C output buffer through a cdef
call: no Python-level call per subscriber.  The subscribers are then marked
for a deferred write (ServerState.add_pending_write) and written once after
the publisher's batch, however many messages they got in it.  A subscriber
that does not read fills its transport's buffer and is cut off by
client-output-buffer-limit (Client.check_obuf_limits).

Keyspace events reach pub/sub through the keyspace's notify hook
(`deliver_event`, a C function pointer): it returns at once when nobody is
subscribed to anything, and otherwise publishes __keyspace@<db>__:<key> and
__keyevent@<db>__:<event> as the K and E flags ask.
"""
from fastkv._core.cdefs cimport fk_stringmatchlen
from fastkv._core.client cimport Client, ServerState, CF_PUBSUB
from fastkv._core.keyspace cimport Keyspace, NOTIFY_KEYSPACE, NOTIFY_KEYEVENT
from fastkv._core.shared cimport attach

attach()


cdef bytes frame(int resp, bytes kind, bytes pattern, bytes channel, bytes message):
    """A message as RESP2 array or RESP3 push: [kind, (pattern,) channel, message]."""
    cdef char t = b'>' if resp == 3 else b'*'
    if pattern is None:
        return b"%c3\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n" % (
            t, len(kind), kind, len(channel), channel, len(message), message)
    return b"%c4\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n$%d\r\n%b\r\n" % (
        t, len(kind), kind, len(pattern), pattern, len(channel), channel, len(message), message)


cdef inline long long deliver(ServerState srv, dict clients, bytes kind, bytes pattern,
                              bytes channel, bytes message) except -1:
    cdef Client c
    cdef bytes f2 = None, f3 = None
    cdef long long n = 0
    for c in clients:
        if c.resp == 3:
            if f3 is None:
                f3 = frame(3, kind, pattern, channel, message)
            c.add_push_raw(f3, len(f3))
        else:
            if f2 is None:
                f2 = frame(2, kind, pattern, channel, message)
            c.add_push_raw(f2, len(f2))
        srv.add_pending_write(c)
        n += 1
    return n


cdef int deliver_event(object ctx, int type, const char *event, int dbid,
                       const char *key, Py_ssize_t klen) except -1:
    """The keyspace's notify hook (notifyKeyspaceEvent's pub/sub half)."""
    cdef PubSub ps = <PubSub>ctx
    cdef int flags
    cdef bytes ev, k
    if not ps.channels and not ps.patterns:
        return 0          # nobody could receive it: build nothing
    flags = ps.srv.keyspace.notify_flags
    ev = event
    k = key[:klen]
    if flags & NOTIFY_KEYSPACE:
        ps.publish(b"__keyspace@%d__:%b" % (dbid, k), ev, False)
    if flags & NOTIFY_KEYEVENT:
        ps.publish(b"__keyevent@%d__:%b" % (dbid, ev), k, False)
    return 0


cdef class PubSub:
    def __cinit__(self, ServerState srv):
        self.srv = srv
        self.channels = {}
        self.patterns = {}
        self.shard_channels = {}
        srv.pubsub = self
        (<Keyspace>srv.keyspace).set_notify_hook(deliver_event, self)

    cdef long long publish(self, bytes channel, bytes message, bint sharded) except -1:
        """pubsubPublishMessage: the number of clients that received it."""
        cdef long long n = 0
        cdef dict subs
        cdef bytes pat
        if sharded:
            subs = self.shard_channels.get(channel)
            if subs:
                n += deliver(self.srv, subs, b"smessage", None, channel, message)
            return n
        subs = self.channels.get(channel)
        if subs:
            n += deliver(self.srv, subs, b"message", None, channel, message)
        if self.patterns:
            for pat, subs in list(self.patterns.items()):
                if fk_stringmatchlen(pat, len(pat), channel, len(channel), 0):
                    n += deliver(self.srv, subs, b"pmessage", pat, channel, message)
        return n

    cdef int update_mode(self, Client c) except -1:
        """The client is in pub/sub mode while it has any subscription."""
        if c.pubsub_channels or c.pubsub_patterns or c.pubsub_shard_channels:
            c.flags |= CF_PUBSUB
        else:
            c.flags &= ~CF_PUBSUB
        return 0

    cdef bint subscribe(self, Client c, bytes channel, bint sharded) except -1:
        cdef dict mine = c.pubsub_shard_channels if sharded else c.pubsub_channels
        cdef dict registry = self.shard_channels if sharded else self.channels
        if channel in mine:
            return False
        mine[channel] = None
        registry.setdefault(channel, {})[c] = None
        c.flags |= CF_PUBSUB
        return True

    cdef bint unsubscribe(self, Client c, bytes channel, bint sharded) except -1:
        cdef dict mine = c.pubsub_shard_channels if sharded else c.pubsub_channels
        cdef dict registry = self.shard_channels if sharded else self.channels
        cdef dict subs
        if channel not in mine:
            return False
        del mine[channel]
        subs = registry.get(channel)
        if subs is not None:
            subs.pop(c, None)
            if not subs:
                del registry[channel]
        return True

    cdef bint psubscribe(self, Client c, bytes pattern) except -1:
        if pattern in c.pubsub_patterns:
            return False
        c.pubsub_patterns[pattern] = None
        self.patterns.setdefault(pattern, {})[c] = None
        c.flags |= CF_PUBSUB
        return True

    cdef bint punsubscribe(self, Client c, bytes pattern) except -1:
        cdef dict subs
        if pattern not in c.pubsub_patterns:
            return False
        del c.pubsub_patterns[pattern]
        subs = self.patterns.get(pattern)
        if subs is not None:
            subs.pop(c, None)
            if not subs:
                del self.patterns[pattern]
        return True

    def unsubscribe_all(self, Client c):
        """A client goes away (or RESET): drop every subscription, no replies."""
        cdef bytes x
        for x in list(c.pubsub_channels):
            self.unsubscribe(c, x, False)
        for x in list(c.pubsub_shard_channels):
            self.unsubscribe(c, x, True)
        for x in list(c.pubsub_patterns):
            self.punsubscribe(c, x)
        self.update_mode(c)

    # -- introspection (PUBSUB) and tests --------------------------------
    def publish_message(self, bytes channel, bytes message, bint sharded=False):
        return self.publish(channel, message, sharded)

    def numpat(self):
        return len(self.patterns)
