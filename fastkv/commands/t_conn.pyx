# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""PING and ECHO: redis-benchmark's first tests, so on the C path."""
from fastkv._core.client cimport Client, wrap, CF_PUBSUB
from fastkv._core.shared cimport attach

attach()


cdef int ping_impl(Client c) except -1:
    if c.argc > 2:
        return c.add_wrong_arity()
    if (c.flags & CF_PUBSUB) and c.resp == 2:
        # subscribed mode in RESP2: a "pong" message with the payload
        c.add_raw(b"*2\r\n$4\r\npong\r\n", 14)
        if c.argc == 1:
            return c.add_bulk(b"", 0)
        return c.add_bulk(c.argv[1].p, c.argv[1].n)
    if c.argc == 1:
        return c.add_raw(b"+PONG\r\n", 7)
    return c.add_bulk(c.argv[1].p, c.argv[1].n)

cdef int echo_impl(Client c) except -1:
    return c.add_bulk(c.argv[1].p, c.argv[1].n)


ping_cmd = wrap(ping_impl)
echo_cmd = wrap(echo_impl)
