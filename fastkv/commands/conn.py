"""Connection commands: PING ECHO QUIT RESET SHUTDOWN, AUTH HELLO, MONITOR.

Handler conventions are in util.py.
"""
from __future__ import annotations

from fastkv import REDIS_VERSION
from fastkv._core.client import CLIENT_FLAGS, ReplyError
from fastkv.commands.t_client import validate_client_name
from fastkv.commands.util import SYNTAX_ERROR, to_ll

_F_MONITOR = CLIENT_FLAGS["monitor"]
_F_REPLY_OFF = CLIENT_FLAGS["reply_off"]
_F_REPLY_SKIP_NEXT = CLIENT_FLAGS["reply_skip_next"]
_F_NO_TOUCH = CLIENT_FLAGS["no_touch"]


# --------------------------------------------------------------------------
# PING ECHO QUIT RESET SHUTDOWN
# --------------------------------------------------------------------------

def quit_cmd(c, argv):
    c.reply_ok()
    c.close_after_reply()


def shutdown_cmd(c, argv):
    from fastkv.scripting import lua as _lua
    if _lua.is_busy() and b"nosave" not in [a.lower() for a in argv[1:]]:
        # a script runs past busy-reply-threshold: only SHUTDOWN NOSAVE (7.0)
        raise ReplyError(_lua.busy_error())
    c.srv.server.shutdown_command(c, argv)


def _stop_monitor(c):
    if c.flags & _F_MONITOR:
        try:
            c.srv.monitors.remove(c)
        except ValueError:
            pass
        c.flags &= ~_F_MONITOR


def _set_default_auth(c):
    """clientSetDefaultAuth(): the default user; authenticated unless it has a password."""
    c.user = "default"
    c.authenticated = len(c.srv.requirepass) == 0


def reset_cmd(c, argv):
    """RESET: clearClientConnectionState(), then +RESET."""
    _stop_monitor(c)
    c.discard_transaction()
    if c.srv.pubsub is not None:
        c.srv.pubsub.unsubscribe_all(c)
    if c.tracking is not None:
        c.srv.keyspace.tracking_ctx.disable(c)
    c.db = c.srv.keyspace.dbs[0]
    c.resp = 2
    _set_default_auth(c)
    c.name = None
    c.flags &= ~(_F_NO_TOUCH | _F_REPLY_OFF | _F_REPLY_SKIP_NEXT)
    c.reply_status(b"RESET")


# --------------------------------------------------------------------------
# AUTH HELLO
# --------------------------------------------------------------------------

WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled."


def _check_credentials(c, username: bytes, password: bytes) -> bool:
    """ACLAuthenticateUser() with the only user fastkv has: "default"."""
    if username != b"default":
        return False
    required = c.srv.requirepass
    if required and password != required:
        return False
    c.user = "default"
    c.authenticated = True
    return True


def auth_cmd(c, argv):
    if len(argv) > 3:
        raise ReplyError(SYNTAX_ERROR)
    if len(argv) == 2:
        if not c.srv.requirepass:
            raise ReplyError("ERR AUTH <password> called without any password configured for the "
                             "default user. Are you sure your configuration is correct?")
        username, password = b"default", argv[1]
    else:
        username, password = argv[1], argv[2]
    if not _check_credentials(c, username, password):
        raise ReplyError(WRONGPASS)
    c.reply_ok()


def hello_cmd(c, argv):
    ver = 0
    j = 1
    if len(argv) >= 2:
        ver = to_ll(argv[1])
        if ver is None:
            raise ReplyError("ERR Protocol version is not an integer or out of range")
        if ver < 2 or ver > 3:
            raise ReplyError("NOPROTO unsupported protocol version")
        j = 2
    username = password = clientname = None
    while j < len(argv):
        more = len(argv) - 1 - j
        opt = argv[j].lower()
        if opt == b"auth" and more >= 2:
            username, password = argv[j + 1], argv[j + 2]
            j += 3
        elif opt == b"setname" and more:
            clientname = argv[j + 1]
            validate_client_name(clientname)
            j += 2
        else:
            raise ReplyError("ERR Syntax error in HELLO option '%s'"
                             % argv[j].decode("utf-8", "replace"))
    if username is not None and not _check_credentials(c, username, password):
        raise ReplyError(WRONGPASS)
    if not c.authenticated:
        raise ReplyError("NOAUTH HELLO must be called with the client already authenticated, "
                         "otherwise the HELLO AUTH <user> <pass> option can be used to "
                         "authenticate the client and select the RESP protocol version at the "
                         "same time")
    if clientname is not None:
        c.name = clientname or None
    if ver:
        c.resp = ver
    c.reply_map_len(7)
    for k, v in ((b"server", b"redis"), (b"version", REDIS_VERSION.encode()),
                 (b"proto", c.resp), (b"id", c.id), (b"mode", b"standalone"),
                 (b"role", b"master")):
        c.reply_bulk(k)
        if isinstance(v, int):
            c.reply_int(v)
        else:
            c.reply_bulk(v)
    c.reply_bulk(b"modules")
    c.reply_array_len(0)


# --------------------------------------------------------------------------
# MONITOR
# --------------------------------------------------------------------------

def monitor_cmd(c, argv):
    if c.flags & _F_MONITOR:
        return                      # already monitoring: Redis ignores it silently
    c.flags |= _F_MONITOR
    c.srv.monitors.append(c)
    c.reply_ok()
