# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Pub/sub commands (Redis's pubsub.c): SUBSCRIBE and friends, PUBLISH,
SPUBLISH and PUBSUB introspection.  The registry and the fan-out are in
fastkv/_core/pubsub.pyx.

Subscription replies are push frames in RESP3 and 3-element arrays in RESP2,
one per channel, each with the client's subscription count after it.
"""
from fastkv._core.cdefs cimport fk_stringmatchlen
from fastkv._core.client cimport Client, wrap, CF_IN_EXEC
from fastkv._core.pubsub cimport PubSub
from fastkv._core.shared cimport attach

attach()


cdef inline PubSub ps_of(Client c):
    return <PubSub>c.srv.pubsub

cdef inline long long sub_count(Client c):
    """clientSubscriptionsCount: channels + patterns."""
    return len(c.pubsub_channels) + len(c.pubsub_patterns)

cdef inline long long shard_count(Client c):
    return len(c.pubsub_shard_channels)

cdef int reply_ack(Client c, bytes kind, bytes channel, long long count) except -1:
    c.add_push_len(3)
    c.add_bulk(kind, len(kind))
    if channel is None:
        c.add_null()
    else:
        c.add_bulk(channel, len(channel))
    return c.add_int(count)


cdef enum:
    SUB_CHANNEL = 0
    SUB_SHARD = 1
    SUB_PATTERN = 2

cdef int subscribe_generic(Client c, int what, bytes kind) except -1:
    """(S|P)SUBSCRIBE: one acknowledgement per name, with the count after it."""
    cdef PubSub ps = ps_of(c)
    cdef int i
    cdef bytes name
    for i in range(1, c.argc):
        name = c.arg(i)
        if what == SUB_PATTERN:
            ps.psubscribe(c, name)
        else:
            ps.subscribe(c, name, what == SUB_SHARD)
        reply_ack(c, kind, name, shard_count(c) if what == SUB_SHARD else sub_count(c))
    return 0

cdef int subscribe_impl(Client c) except -1:
    return subscribe_generic(c, SUB_CHANNEL, b"subscribe")

cdef int ssubscribe_impl(Client c) except -1:
    if c.flags & CF_IN_EXEC:
        return c.add_error_str("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client")
    return subscribe_generic(c, SUB_SHARD, b"ssubscribe")

cdef int psubscribe_impl(Client c) except -1:
    return subscribe_generic(c, SUB_PATTERN, b"psubscribe")

cdef int unsubscribe_generic(Client c, int what, bytes kind) except -1:
    """(S|P)UNSUBSCRIBE: the names given, or every subscription of that kind
    (one acknowledgement with a null name if there is none)."""
    cdef PubSub ps = ps_of(c)
    cdef dict mine = (c.pubsub_patterns if what == SUB_PATTERN else
                      c.pubsub_shard_channels if what == SUB_SHARD else c.pubsub_channels)
    cdef list names
    cdef bytes name
    cdef int i
    if c.argc > 1:
        names = [c.arg(i) for i in range(1, c.argc)]
    else:
        names = list(mine)
        if not names:
            reply_ack(c, kind, None, shard_count(c) if what == SUB_SHARD else sub_count(c))
    for name in names:
        if what == SUB_PATTERN:
            ps.punsubscribe(c, name)
        else:
            ps.unsubscribe(c, name, what == SUB_SHARD)
        reply_ack(c, kind, name, shard_count(c) if what == SUB_SHARD else sub_count(c))
    ps.update_mode(c)
    return 0

cdef int unsubscribe_impl(Client c) except -1:
    return unsubscribe_generic(c, SUB_CHANNEL, b"unsubscribe")

cdef int sunsubscribe_impl(Client c) except -1:
    return unsubscribe_generic(c, SUB_SHARD, b"sunsubscribe")

cdef int punsubscribe_impl(Client c) except -1:
    return unsubscribe_generic(c, SUB_PATTERN, b"punsubscribe")


cdef int publish_impl(Client c) except -1:
    return c.add_int(ps_of(c).publish_c(c.argv[1].p, c.argv[1].n, c.argv[2].p, c.argv[2].n, False))

cdef int spublish_impl(Client c) except -1:
    return c.add_int(ps_of(c).publish_c(c.argv[1].p, c.argv[1].n, c.argv[2].p, c.argv[2].n, True))


cdef int reply_channels(Client c, dict registry) except -1:
    if c.argc > 3:
        return c.add_error_str("ERR unknown subcommand or wrong number of arguments for '%s'. Try PUBSUB HELP."
                               % c.arg(1)[:128].decode("utf-8", "replace"))
    cdef bytes pat = c.arg(2) if c.argc == 3 else None
    cdef list out = []
    cdef bytes ch
    for ch in registry:
        if pat is None or fk_stringmatchlen(pat, len(pat), ch, len(ch), 0):
            out.append(ch)
    c.add_array_len(len(out))
    for ch in out:
        c.add_bulk(ch, len(ch))
    return 0

cdef int reply_numsub(Client c, dict registry) except -1:
    cdef int i
    cdef bytes ch
    c.add_array_len((c.argc - 2) * 2)
    for i in range(2, c.argc):
        ch = c.arg(i)
        c.add_bulk(ch, len(ch))
        c.add_int(len(registry.get(ch, ())))
    return 0

cdef int pubsub_channels_impl(Client c) except -1:
    return reply_channels(c, ps_of(c).channels)

cdef int pubsub_shardchannels_impl(Client c) except -1:
    return reply_channels(c, ps_of(c).shard_channels)

cdef int pubsub_numsub_impl(Client c) except -1:
    return reply_numsub(c, ps_of(c).channels)

cdef int pubsub_shardnumsub_impl(Client c) except -1:
    return reply_numsub(c, ps_of(c).shard_channels)

cdef int pubsub_numpat_impl(Client c) except -1:
    return c.add_int(len(ps_of(c).patterns))

PUBSUB_HELP = [   # addReplyHelp adds the header and HELP
    b"CHANNELS [<pattern>]",
    b"    Return the currently active channels matching a <pattern> (default: '*').",
    b"NUMPAT",
    b"    Return number of subscriptions to patterns.",
    b"NUMSUB [<channel> ...]",
    b"    Return the number of subscribers for the specified channels, excluding",
    b"    pattern subscriptions(default: no channels).",
    b"SHARDCHANNELS [<pattern>]",
    b"    Return the currently active shard level channels matching a <pattern> (default: '*').",
    b"SHARDNUMSUB [<shardchannel> ...]",
    b"    Return the number of subscribers for the specified shard level channel(s)",
]

subscribe_cmd = wrap(subscribe_impl)
unsubscribe_cmd = wrap(unsubscribe_impl)
psubscribe_cmd = wrap(psubscribe_impl)
punsubscribe_cmd = wrap(punsubscribe_impl)
ssubscribe_cmd = wrap(ssubscribe_impl)
sunsubscribe_cmd = wrap(sunsubscribe_impl)
publish_cmd = wrap(publish_impl)
spublish_cmd = wrap(spublish_impl)
pubsub_channels_cmd = wrap(pubsub_channels_impl)
pubsub_numsub_cmd = wrap(pubsub_numsub_impl)
pubsub_numpat_cmd = wrap(pubsub_numpat_impl)
pubsub_shardchannels_cmd = wrap(pubsub_shardchannels_impl)
pubsub_shardnumsub_cmd = wrap(pubsub_shardnumsub_impl)
