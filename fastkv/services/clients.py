"""How a client is named in CLIENT LIST, SLOWLOG and protection checks."""
from __future__ import annotations

from fastkv._core.client import CLIENT_FLAGS

_F_UNIX = CLIENT_FLAGS["unix"]


def peer_id(c) -> str:
    """getClientPeerId(): "ip:port", "[ipv6]:port" or "<unixsocket>:0"."""
    if c.flags & _F_UNIX:
        return "%s:0" % (c.laddr or "")
    return fmt_addr(c.addr)


def fmt_addr(a) -> str:
    if not a:
        return "?:0"
    host, port = a[0], a[1]
    return ("[%s]:%d" if ":" in host else "%s:%d") % (host, port)


def is_local(c) -> bool:
    """islocalClient(): unix socket or a loopback address."""
    if c.flags & _F_UNIX:
        return True
    return bool(c.addr) and c.addr[0] in ("127.0.0.1", "::1")
