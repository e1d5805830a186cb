# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Pub/sub fan-out (Redis's pubsub.c) and the delivery of keyspace events.

Subscriptions are kept twice, as Redis does: per channel (or pattern) the
clients in subscription order, and per client its channels, patterns and
shard channels (Client.pubsub_*).  Both are dicts used as ordered sets.

A publish builds each message frame once, in a C scratch buffer (the RESP2
array and the RESP3 push differ in their first byte only), and copies it
into every subscriber's C output buffer through a cdef call: no Python-level
call and no Python object per subscriber.  The subscribers are then marked
for a deferred write (ServerState.add_pending_write) and written once after
the publisher's batch, however many messages they got in it.  A subscriber
that does not read fills its transport's buffer and is cut off by
client-output-buffer-limit (Client.check_obuf_limits).

Keyspace events reach pub/sub through the keyspace's notify hook
(`deliver_event`, a C function pointer): it returns at once when nobody is
subscribed to anything, and otherwise publishes __keyspace@<db>__:<key> and
__keyevent@<db>__:<event> as the K and E flags ask.
"""
from libc.stdlib cimport malloc, realloc, free
from libc.string cimport memcpy, strlen
from fastkv._core.cdefs cimport fk_stringmatchlen, fk_ll2string
from fastkv._core.client cimport Client, ServerState, CF_PUBSUB
from fastkv._core.keyspace cimport Keyspace, NOTIFY_KEYSPACE, NOTIFY_KEYEVENT
from fastkv._core.shared cimport attach

attach()


cdef inline char *put_bulk(char *w, const char *p, Py_ssize_t n) noexcept nogil:
    w[0] = b'$'
    w += 1
    w += fk_ll2string(w, 24, n)
    w[0] = b'\r'
    w[1] = b'\n'
    memcpy(w + 2, p, n)
    w += 2 + n
    w[0] = b'\r'
    w[1] = b'\n'
    return w + 2


cdef int deliver_event(object ctx, int type, const char *event, int dbid,
                       const char *key, Py_ssize_t klen) except -1:
    """The keyspace's notify hook (notifyKeyspaceEvent's pub/sub half)."""
    cdef PubSub ps = <PubSub>ctx
    cdef int flags
    cdef Py_ssize_t elen
    if not ps.channels and not ps.patterns:
        return 0          # nobody could receive it: build nothing
    flags = ps.srv.keyspace.notify_flags
    elen = strlen(event)
    if flags & NOTIFY_KEYSPACE:
        ps.publish_event(ps.prefix(ps.keyspace_prefix, b"__keyspace@%d__:", dbid), key, klen, event, elen)
    if flags & NOTIFY_KEYEVENT:
        ps.publish_event(ps.prefix(ps.keyevent_prefix, b"__keyevent@%d__:", dbid), event, elen, key, klen)
    return 0


cdef class PubSub:
    def __cinit__(self, ServerState srv):
        self.srv = srv
        self.channels = {}
        self.patterns = {}
        self.shard_channels = {}
        self.scratch_cap = 4096
        self.scratch = <char *>malloc(self.scratch_cap)
        if self.scratch == NULL:
            raise MemoryError()
        self.chan_cap = 256
        self.chan = <char *>malloc(self.chan_cap)
        if self.chan == NULL:
            raise MemoryError()
        self.keyspace_prefix = []
        self.keyevent_prefix = []
        srv.pubsub = self
        (<Keyspace>srv.keyspace).set_notify_hook(deliver_event, self)

    def __dealloc__(self):
        free(self.scratch)
        free(self.chan)

    cdef bytes prefix(self, list cache, bytes fmt, int dbid):
        """The channel prefix of db `dbid`, made once."""
        while len(cache) <= dbid:
            cache.append(fmt % len(cache))
        return cache[dbid]

    cdef char *reserve(self, Py_ssize_t n) except NULL:
        cdef char *p
        if n > self.scratch_cap:
            p = <char *>realloc(self.scratch, n)
            if p == NULL:
                raise MemoryError()
            self.scratch = p
            self.scratch_cap = n
        return self.scratch

    cdef long long publish_event(self, bytes prefix, const char *name, Py_ssize_t nlen,
                                 const char *msg, Py_ssize_t mlen) except -1:
        """Publish to channel prefix+name, building the channel in C: the
        usual listener of keyspace events is one pattern, which needs no
        Python object per event."""
        cdef Py_ssize_t plen = len(prefix)
        cdef Py_ssize_t clen = plen + nlen
        cdef char *ch
        if clen > self.chan_cap:
            ch = <char *>realloc(self.chan, clen)
            if ch == NULL:
                raise MemoryError()
            self.chan = ch
            self.chan_cap = clen
        memcpy(self.chan, <const char *>prefix, plen)
        memcpy(self.chan + plen, name, nlen)
        return self.publish_c(self.chan, clen, msg, mlen, False)

    cdef long long deliver(self, dict clients, const char *kind, Py_ssize_t kn, bytes pattern,
                           const char *channel, Py_ssize_t clen, const char *msg, Py_ssize_t mlen) except -1:
        """Copy one message into every client of `clients` (one frame per
        protocol, built once in the scratch buffer) and schedule their writes."""
        cdef Client c
        cdef ServerState srv = self.srv
        cdef Py_ssize_t plen = len(pattern) if pattern is not None else 0
        cdef char *buf = self.reserve(4 * 32 + kn + plen + clen + mlen)
        cdef char *w = buf + 4          # room for the header: '*3\r\n' or '>4\r\n'
        cdef Py_ssize_t n
        cdef long long count = 0
        w = put_bulk(w, kind, kn)
        if pattern is not None:
            w = put_bulk(w, pattern, plen)
        w = put_bulk(w, channel, clen)
        w = put_bulk(w, msg, mlen)
        n = w - buf
        buf[1] = b'4' if pattern is not None else b'3'
        buf[2] = b'\r'
        buf[3] = b'\n'
        for c in clients:
            buf[0] = b'>' if c.resp == 3 else b'*'
            c.add_push_raw(buf, n)
            srv.add_pending_write(c)
            count += 1
        return count

    cdef long long publish_c(self, const char *ch, Py_ssize_t clen, const char *msg, Py_ssize_t mlen,
                             bint sharded) except -1:
        """pubsubPublishMessage: the number of clients that received it."""
        cdef long long n = 0
        cdef dict subs
        cdef bytes pat
        if sharded:
            if self.shard_channels:
                subs = self.shard_channels.get(ch[:clen])
                if subs:
                    n += self.deliver(subs, b"smessage", 8, None, ch, clen, msg, mlen)
            return n
        if self.channels:
            subs = self.channels.get(ch[:clen])
            if subs:
                n += self.deliver(subs, b"message", 7, None, ch, clen, msg, mlen)
        if self.patterns:
            # (subscriptions change only through commands, never while a
            # message is delivered, so the dict is iterated as it is)
            for pat, subs in self.patterns.items():
                if fk_stringmatchlen(pat, len(pat), ch, <int>clen, 0):
                    n += self.deliver(subs, b"pmessage", 8, pat, ch, clen, msg, mlen)
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
        return self.publish_c(channel, len(channel), message, len(message), sharded)

    def numpat(self):
        return len(self.patterns)
