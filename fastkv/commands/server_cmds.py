"""Connection and server commands written in Python (cold paths).

PING ECHO QUIT RESET AUTH HELLO, CLIENT *, COMMAND *, INFO, CONFIG *, TIME,
LASTSAVE, MEMORY *, SLOWLOG *, LATENCY *, MONITOR, DEBUG and SHUTDOWN.

Each handler is ``fn(client, argv)`` where argv is a list of bytes including
the command name; replies go through the client's reply_* methods, errors
are raised as ReplyError.  The core has already checked the arity (from
Redis's metadata) and authentication, and dispatched container commands
(CLIENT, CONFIG ...) to their subcommand rows, so a handler only deals with
what Redis's own *Command() function checks.  Replies and error texts are
Redis 7.0.15's, byte for byte where the values are deterministic.

Per-server state (the slow log, latency events, memory peak, caches of the
COMMAND replies) lives in a ``_State`` attached to the Python Server object.
``install(server)`` creates it and hooks the slow log into the core; it is
also done lazily by the first handler of this module that runs.
"""
from __future__ import annotations

import collections
import ctypes
import hashlib
import os
import time

from fastkv import __version__
from fastkv._core.client import CLIENT_FLAGS, FLAG_BITS, ReplyError
from fastkv.commands import info as _info
from fastkv.commands import meta
from fastkv.config import ConfigError, decode_value, encode_value, string2ll, stringmatch

REDIS_VERSION = "7.0.15"
LLONG_MAX = (1 << 63) - 1

_F_MONITOR = CLIENT_FLAGS["monitor"]
_F_REPLY_OFF = CLIENT_FLAGS["reply_off"]
_F_REPLY_SKIP_NEXT = CLIENT_FLAGS["reply_skip_next"]
_F_REPLY_SKIP = CLIENT_FLAGS["reply_skip"]
_F_NO_EVICT = CLIENT_FLAGS["no_evict"]
_F_NO_TOUCH = CLIENT_FLAGS["no_touch"]
_F_CLOSE_AFTER_REPLY = CLIENT_FLAGS["close_after_reply"]
_F_CLOSED = CLIENT_FLAGS["closed"]
_F_PAUSED = CLIENT_FLAGS["paused"]
_F_UNIX = CLIENT_FLAGS["unix"]
_CMD_FAST = FLAG_BITS["fast"]

SYNTAX_ERROR = "ERR syntax error"
REDACTED = b"(redacted)"


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------

def _ll(b: bytes):
    """Redis's strict string2ll() on an argument; None if not an integer."""
    try:
        return string2ll(b.decode("ascii"))
    except UnicodeDecodeError:
        return None


def _err_subcommand(argv):
    """addReplySubcommandSyntaxError()."""
    raise ReplyError("ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP."
                     % (argv[1][:128].decode("utf-8", "replace"),
                        argv[0].decode("utf-8", "replace").upper()))


def _reply_help(c, argv, lines):
    """addReplyHelp(): a header naming the command as typed, the lines, HELP."""
    c.reply_array_len(len(lines) + 3)
    c.reply_status(argv[0].upper() + b" <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
    for line in lines:
        c.reply_status(line)
    c.reply_status(b"HELP")
    c.reply_status(b"    Prints this help.")


def _config(c):
    server = c.srv.server
    if server is not None:
        return server.config
    return _state(c.srv).fallback_config()


def _peer_id(c) -> str:
    """getClientPeerId(): "ip:port", "[ipv6]:port" or "<unixsocket>:0"."""
    if c.flags & _F_UNIX:
        return "%s:0" % (c.laddr or "")
    return _fmt_addr(c.addr)


def _sock_name(c) -> str:
    if c.flags & _F_UNIX:
        return "%s:0" % (c.laddr or "")
    return _fmt_addr(c.laddr)


def _fmt_addr(a) -> str:
    if not a:
        return "?:0"
    host, port = a[0], a[1]
    return ("[%s]:%d" if ":" in host else "%s:%d") % (host, port)


def _is_local(c) -> bool:
    """islocalClient(): unix socket or a loopback address."""
    if c.flags & _F_UNIX:
        return True
    return bool(c.addr) and c.addr[0] in ("127.0.0.1", "::1")


def _live_clients(srv):
    return [x for x in list(srv.clients.values()) if not (x.flags & _F_CLOSED)]


# --------------------------------------------------------------------------
# per-server state
# --------------------------------------------------------------------------

LATENCY_TS_LEN = 160


class _LatencySeries:
    """One monitored event: a ring of (unix time, max latency ms in that second)."""
    __slots__ = ("samples", "idx", "max")

    def __init__(self):
        self.samples = [(0, 0)] * LATENCY_TS_LEN
        self.idx = 0
        self.max = 0

    def add(self, now: int, latency: int):
        if latency > self.max:
            self.max = latency
        prev = (self.idx + LATENCY_TS_LEN - 1) % LATENCY_TS_LEN
        t, lat = self.samples[prev]
        if t == now:
            if latency > lat:
                self.samples[prev] = (t, latency)
            return
        self.samples[self.idx] = (now, latency)
        self.idx = (self.idx + 1) % LATENCY_TS_LEN

    def history(self):
        out = []
        for j in range(LATENCY_TS_LEN):
            t, lat = self.samples[(self.idx + j) % LATENCY_TS_LEN]
            if t:
                out.append((t, lat))
        return out

    def latest(self):
        return self.samples[(self.idx + LATENCY_TS_LEN - 1) % LATENCY_TS_LEN]


# The core calls srv.slowlog for commands slower than one threshold; this
# module owns it (the lower of the two below) and re-pushes it on change.
_THRESHOLD_PARAMS = ("slowlog-log-slower-than", "latency-monitor-threshold")


class _State:
    def __init__(self, srv):
        self.srv = srv
        self.slowlog = collections.deque()      # newest first
        self.slowlog_next_id = 0
        self.slow_us = 10000                     # slowlog-log-slower-than
        self.latency_ms = 0                      # latency-monitor-threshold
        self.latency = {}                        # event name -> _LatencySeries
        self.mem = _info.MemState()
        self.replid = os.urandom(20).hex()
        self.build_id = hashlib.sha1(("fastkv-" + __version__).encode()).hexdigest()[:15]
        self.cmd_cache = {}                      # (kind, name) -> reply shape
        self._fallback_cfg = None

    def fallback_config(self):
        if self._fallback_cfg is None:
            from fastkv.config import Config
            self._fallback_cfg = Config()
        return self._fallback_cfg

    # -- hooks -----------------------------------------------------------
    def hook(self, cfg):
        for name in _THRESHOLD_PARAMS:
            cfg.on_change(name, lambda n, v: self.sync_thresholds(cfg))
        self.sync_thresholds(cfg)
        self.srv.slowlog = self.on_slow_command

    def sync_thresholds(self, cfg):
        """The core calls srv.slowlog for commands >= slowlog_threshold_us;
        both the slow log and the latency monitor feed from that call."""
        self.slow_us = cfg["slowlog-log-slower-than"]
        self.latency_ms = cfg["latency-monitor-threshold"]
        candidates = []
        if self.slow_us >= 0:
            candidates.append(self.slow_us)
        if self.latency_ms > 0:
            candidates.append(self.latency_ms * 1000)
        self.srv.slowlog_threshold_us = min(candidates) if candidates else -1

    def on_slow_command(self, c, argv, duration_us):
        if self.slow_us >= 0 and duration_us >= self.slow_us:
            self.slowlog_push(c, argv, duration_us)
        if self.latency_ms > 0 and duration_us // 1000 >= self.latency_ms:
            cmd = self.srv.lookup(c.last_cmd) if c.last_cmd else None
            event = "fast-command" if cmd is not None and cmd.flags & _CMD_FAST else "command"
            self.latency_add(event, duration_us // 1000)

    # -- slow log ----------------------------------------------------------
    def slowlog_push(self, c, argv, duration_us):
        argv = redact_argv(argv, self.srv)
        argc = len(argv)
        n = min(argc, SLOWLOG_ENTRY_MAX_ARGC)
        args = []
        for j in range(n):
            if n != argc and j == n - 1:
                args.append(b"... (%d more arguments)" % (argc - n + 1))
            else:
                a = argv[j]
                if len(a) > SLOWLOG_ENTRY_MAX_STRING:
                    a = a[:SLOWLOG_ENTRY_MAX_STRING] + b"... (%d more bytes)" % (
                        len(a) - SLOWLOG_ENTRY_MAX_STRING)
                args.append(a)
        entry = (self.slowlog_next_id, int(time.time()), duration_us, args,
                 _peer_id(c).encode("utf-8", "surrogateescape"), c.name or b"")
        self.slowlog_next_id += 1
        self.slowlog.appendleft(entry)
        limit = _config_of(self.srv)["slowlog-max-len"]
        while len(self.slowlog) > limit:
            self.slowlog.pop()

    # -- latency monitor ---------------------------------------------------
    def latency_add(self, event, latency_ms):
        ts = self.latency.get(event)
        if ts is None:
            ts = self.latency[event] = _LatencySeries()
        ts.add(int(time.time()), latency_ms)

    # -- COMMAND replies ---------------------------------------------------
    def info_ctx(self, cfg):
        return _info.Context(self.srv, cfg, self.mem, self.replid, self.build_id)


SLOWLOG_ENTRY_MAX_ARGC = 32
SLOWLOG_ENTRY_MAX_STRING = 128

_STATES: dict = {}


def _config_of(srv):
    server = srv.server
    return server.config if server is not None else _state(srv).fallback_config()


def _state(srv) -> _State:
    server = srv.server
    st = getattr(server, "_server_cmds_state", None) if server is not None else _STATES.get(id(srv))
    if st is None or st.srv is not srv:
        st = _State(srv)
        if server is not None:
            server._server_cmds_state = st
            st.hook(server.config)
        else:
            _STATES[id(srv)] = st
            st.hook(st.fallback_config())
    return st


def install(server):
    """Create this module's per-server state and hook the slow log / latency
    monitor into the core.  Meant to be called by Server once its
    ServerState is set up; handlers also call it lazily."""
    return _state(server.state)


def cron_tick(server):
    """Bookkeeping for the server cron: samples used_memory for the peak."""
    st = getattr(server, "_server_cmds_state", None)
    if st is not None:
        st.mem.sample()


def redact_argv(argv, srv):
    """argv as Redis logs it in SLOWLOG and MONITOR: passwords (AUTH, HELLO
    AUTH, sensitive CONFIG SET values) replaced by "(redacted)"."""
    if not argv:
        return argv
    name = argv[0].lower()
    if name == b"auth" and len(argv) <= 3:
        return [argv[0]] + [REDACTED] * (len(argv) - 1)
    if name == b"hello":
        out = list(argv)
        j = 2
        while j < len(out):
            more = len(out) - 1 - j
            opt = out[j].lower()
            if opt == b"auth" and more >= 2:
                out[j + 1] = out[j + 2] = REDACTED
                j += 3
            elif opt == b"setname" and more:
                j += 2
            else:
                break
        return out
    if name == b"config" and len(argv) >= 4 and argv[1].lower() == b"set" and not (len(argv) & 1):
        cfg = _config_of(srv)
        out = list(argv)
        for j in range(2, len(out) - 1, 2):
            if cfg.is_sensitive(decode_value(out[j])):
                out[j + 1] = REDACTED
        return out
    return argv


def _ensure(fn):
    """Decorator: make sure the per-server state exists before the handler runs."""
    def wrapper(c, argv):
        srv = c.srv
        if srv.slowlog is None:
            _state(srv)
        return fn(c, argv)
    wrapper.__name__ = fn.__name__
    wrapper.__qualname__ = fn.__qualname__
    wrapper.__doc__ = fn.__doc__
    return wrapper


# --------------------------------------------------------------------------
# PING ECHO QUIT RESET SHUTDOWN
# --------------------------------------------------------------------------

@_ensure
def ping_cmd(c, argv):
    if len(argv) > 2:
        raise ReplyError("ERR wrong number of arguments for 'ping' command")
    if len(argv) == 2:
        c.reply_bulk(argv[1])
    else:
        c.reply_status(b"PONG")


def echo_cmd(c, argv):
    c.reply_bulk(argv[1])


def quit_cmd(c, argv):
    c.reply_ok()
    c.close_after_reply()


def shutdown_cmd(c, argv):
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


@_ensure
def reset_cmd(c, argv):
    """RESET: clearClientConnectionState(), then +RESET."""
    _stop_monitor(c)
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


@_ensure
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


@_ensure
def hello_cmd(c, argv):
    ver = 0
    j = 1
    if len(argv) >= 2:
        ver = _ll(argv[1])
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
            _validate_client_name(clientname)
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
# CLIENT
# --------------------------------------------------------------------------

CLIENT_HELP = [
    b"CACHING (YES|NO)",
    b"    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    b"GETREDIR",
    b"    Return the client ID we are redirecting to when tracking is enabled.",
    b"GETNAME",
    b"    Return the name of the current connection.",
    b"ID",
    b"    Return the ID of the current connection.",
    b"INFO",
    b"    Return information about the current client connection.",
    b"KILL <ip:port>",
    b"    Kill connection made from <ip:port>.",
    b"KILL <option> <value> [<option> <value> [...]]",
    b"    Kill connections. Options are:",
    b"    * ADDR (<ip:port>|<unixsocket>:0)",
    b"      Kill connections made from the specified address",
    b"    * LADDR (<ip:port>|<unixsocket>:0)",
    b"      Kill connections made to specified local address",
    b"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    b"      Kill connections by type.",
    b"    * USER <username>",
    b"      Kill connections authenticated by <username>.",
    b"    * SKIPME (YES|NO)",
    b"      Skip killing current connection (default: yes).",
    b"LIST [options ...]",
    b"    Return information about client connections. Options:",
    b"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    b"      Return clients of specified type.",
    b"UNPAUSE",
    b"    Stop the current client pause, resuming traffic.",
    b"PAUSE <timeout> [WRITE|ALL]",
    b"    Suspend all, or just write, clients for <timeout> milliseconds.",
    b"REPLY (ON|OFF|SKIP)",
    b"    Control the replies sent to the current connection.",
    b"SETNAME <name>",
    b"    Assign the name <name> to the current connection.",
    b"UNBLOCK <clientid> [TIMEOUT|ERROR]",
    b"    Unblock the specified blocked client.",
    b"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    b"         [OPTIN] [OPTOUT] [NOLOOP]",
    b"    Control server assisted client side caching.",
    b"TRACKINGINFO",
    b"    Report tracking status for the current connection.",
    b"NO-EVICT (ON|OFF)",
    b"    Protect current client connection from eviction.",
]

# getClientTypeByName(); fastkv has only normal clients (MONITOR clients
# count as normal in Redis too).
CLIENT_TYPE_NORMAL, CLIENT_TYPE_SLAVE, CLIENT_TYPE_PUBSUB, CLIENT_TYPE_MASTER = 0, 1, 2, 3
_CLIENT_TYPES = {b"normal": CLIENT_TYPE_NORMAL, b"slave": CLIENT_TYPE_SLAVE,
                 b"replica": CLIENT_TYPE_SLAVE, b"pubsub": CLIENT_TYPE_PUBSUB,
                 b"master": CLIENT_TYPE_MASTER}


def _client_type(c) -> int:
    return CLIENT_TYPE_NORMAL


def _client_type_by_name(name: bytes) -> int:
    t = _CLIENT_TYPES.get(name.lower())
    if t is None:
        raise ReplyError("ERR Unknown client type '%s'" % name.decode("utf-8", "replace"))
    return t


def _validate_client_name(name: bytes):
    """clientSetNameOrReply(): printable ASCII without spaces."""
    for ch in name:
        if ch < 0x21 or ch > 0x7E:
            raise ReplyError("ERR Client names cannot contain spaces, newlines or special characters.")


def _flags_string(x) -> str:
    f = x.flags
    out = ""
    if f & _F_MONITOR:
        out += "O"
    if f & _F_PAUSED:
        out += "b"          # a client held by CLIENT PAUSE is "blocked" in Redis
    if f & _F_CLOSE_AFTER_REPLY:
        out += "c"
    if f & _F_CLOSED:
        out += "A"
    if f & _F_UNIX:
        out += "U"
    if f & _F_NO_EVICT:
        out += "e"
    if f & _F_NO_TOUCH:
        out += "T"
    return out or "N"


def _fd(x) -> int:
    t = x.transport
    if t is None:
        return -1
    try:
        sock = t.get_extra_info("socket")
        return sock.fileno() if sock is not None else -1
    except Exception:  # noqa: BLE001 - closing transports
        return -1


def _pending_output(x) -> int:
    t = x.transport
    if t is None:
        return 0
    try:
        return t.get_write_buffer_size()
    except Exception:  # noqa: BLE001
        return 0


def client_info_string(x, current=None) -> str:
    """catClientInfoString(): one CLIENT LIST line (without the newline).

    ``current`` is the client executing the command: its cmd= is the command
    running now, like Redis (which sets lastcmd before calling it)."""
    now = int(time.time())
    if x is current and x.current_command is not None:
        cmd = x.current_command.name
    else:
        cmd = x.last_cmd or b"NULL"
    pending = _pending_output(x)
    qlen, qcap = x.qbuf_len, x.qbuf_cap
    obl = x.obuf_len
    argv_mem = x.argv_len_sum if x is current else 0
    tot = _info.client_memory(x)
    name = x.name.decode("utf-8", "surrogateescape") if x.name else ""
    return ("id=%d addr=%s laddr=%s fd=%d name=%s age=%d idle=%d flags=%s db=%d sub=0 psub=0 "
            "ssub=0 multi=-1 qbuf=%d qbuf-free=%d argv-mem=%d multi-mem=0 rbs=%d rbp=%d obl=%d "
            "oll=%d omem=%d tot-mem=%d events=%s cmd=%s user=%s redir=-1 resp=%d" % (
                x.id, _peer_id(x), _sock_name(x), _fd(x), name,
                max(0, now - x.ctime_ms // 1000), max(0, now - x.last_interaction_ms // 1000),
                _flags_string(x), x.db.id, qlen, max(0, qcap - qlen), argv_mem,
                max(1024, obl), obl, obl, 1 if pending else 0, pending, tot,
                "rw" if pending else "r", cmd.decode("utf-8", "replace"), x.user or "default",
                x.resp))


def _reply_txt(c, text: str):
    c.reply_verbatim(text.encode("utf-8", "surrogateescape"), "txt")


@_ensure
def client_id_cmd(c, argv):
    c.reply_int(c.id)


@_ensure
def client_info_cmd(c, argv):
    _reply_txt(c, client_info_string(c, c) + "\n")


@_ensure
def client_list_cmd(c, argv):
    srv = c.srv
    ctype = -1
    ids = None
    if len(argv) == 4 and argv[2].lower() == b"type":
        ctype = _client_type_by_name(argv[3])
    elif len(argv) > 3 and argv[2].lower() == b"id":
        ids = []
        for a in argv[3:]:
            cid = _ll(a)
            if cid is None:
                raise ReplyError("ERR Invalid client ID")
            ids.append(cid)
    elif len(argv) != 2:
        raise ReplyError(SYNTAX_ERROR)
    lines = []
    if ids is not None:
        for cid in ids:
            x = srv.clients.get(cid)
            if x is not None and not (x.flags & _F_CLOSED):
                lines.append(client_info_string(x, c) + "\n")
    else:
        for x in _live_clients(srv):
            if ctype != -1 and _client_type(x) != ctype:
                continue
            lines.append(client_info_string(x, c) + "\n")
    _reply_txt(c, "".join(lines))


@_ensure
def client_kill_cmd(c, argv):
    addr = laddr = user = None
    ctype = -1
    cid = 0
    skipme = True
    if len(argv) == 3:
        addr = argv[2].decode("utf-8", "surrogateescape")      # old form: CLIENT KILL addr
        skipme = False
    else:
        i = 2
        while i < len(argv):
            opt = argv[i].lower()
            more = i + 1 < len(argv)
            if opt == b"id" and more:
                v = _ll(argv[i + 1])
                if v is None or v < 1:
                    raise ReplyError("ERR client-id should be greater than 0")
                cid = v
            elif opt == b"type" and more:
                ctype = _client_type_by_name(argv[i + 1])
            elif opt == b"addr" and more:
                addr = argv[i + 1].decode("utf-8", "surrogateescape")
            elif opt == b"laddr" and more:
                laddr = argv[i + 1].decode("utf-8", "surrogateescape")
            elif opt == b"user" and more:
                if argv[i + 1] != b"default":
                    raise ReplyError("ERR No such user '%s'" % argv[i + 1].decode("utf-8", "replace"))
                user = "default"
            elif opt == b"skipme" and more:
                v = argv[i + 1].lower()
                if v == b"yes":
                    skipme = True
                elif v == b"no":
                    skipme = False
                else:
                    raise ReplyError(SYNTAX_ERROR)
            else:
                raise ReplyError(SYNTAX_ERROR)
            i += 2
    killed = 0
    close_me = False
    for x in _live_clients(c.srv):
        if addr is not None and _peer_id(x) != addr:
            continue
        if laddr is not None and _sock_name(x) != laddr:
            continue
        if ctype != -1 and _client_type(x) != ctype:
            continue
        if cid and x.id != cid:
            continue
        if user is not None and x.user != user:
            continue
        if x is c and skipme:
            continue
        if x is c:
            close_me = True
        else:
            x.close()
        killed += 1
    if close_me:
        c.close_after_reply()
    if len(argv) == 3:
        if not killed:
            raise ReplyError("ERR No such client")
        c.reply_ok()
    else:
        c.reply_int(killed)


@_ensure
def client_setname_cmd(c, argv):
    name = argv[2]
    _validate_client_name(name)
    c.name = name or None
    c.reply_ok()


@_ensure
def client_getname_cmd(c, argv):
    if c.name:
        c.reply_bulk(c.name)
    else:
        c.reply_null()


@_ensure
def client_pause_cmd(c, argv):
    if len(argv) not in (3, 4):
        _err_subcommand(argv)
    writes_only = False
    if len(argv) == 4:
        mode = argv[3].lower()
        if mode == b"write":
            writes_only = True
        elif mode != b"all":
            raise ReplyError("ERR CLIENT PAUSE mode must be WRITE or ALL")
    ms = _ll(argv[2])
    if ms is None:
        raise ReplyError("ERR timeout is not an integer or out of range")
    if ms < 0:
        raise ReplyError("ERR timeout is negative")
    now = int(time.time() * 1000)
    end = ms + now if ms > 0 else 0
    if end > LLONG_MAX:
        # Redis 7.0 adds without an overflow check: the end time wraps
        # around into the past, so such a pause changes nothing.
        end -= 1 << 64
    srv = c.srv
    if srv.paused_until_ms > now:
        # pauseClients(): an active pause only gets longer or stricter.
        end = max(end, srv.paused_until_ms)
        writes_only = writes_only and srv.pause_writes_only
    if end > now:
        srv.paused_until_ms = end
        srv.pause_writes_only = writes_only
    c.reply_ok()


@_ensure
def client_unpause_cmd(c, argv):
    server = c.srv.server
    if server is not None:
        server.unpause_clients()
    else:
        srv = c.srv
        srv.paused_until_ms = 0
        paused, srv.paused_clients = srv.paused_clients, []
        for x in paused:
            x.resume_paused()
    c.reply_ok()


@_ensure
def client_reply_cmd(c, argv):
    mode = argv[2].lower()
    if mode == b"on":
        c.flags &= ~(_F_REPLY_SKIP | _F_REPLY_SKIP_NEXT | _F_REPLY_OFF)
        c.reply_ok()
    elif mode == b"off":
        c.flags |= _F_REPLY_OFF
    elif mode == b"skip":
        if not (c.flags & _F_REPLY_OFF):
            c.flags |= _F_REPLY_SKIP_NEXT
    else:
        raise ReplyError(SYNTAX_ERROR)


def _on_off_flag(c, argv, bit):
    v = argv[2].lower()
    if v == b"on":
        c.flags |= bit
    elif v == b"off":
        c.flags &= ~bit
    else:
        raise ReplyError(SYNTAX_ERROR)
    c.reply_ok()


@_ensure
def client_no_evict_cmd(c, argv):
    _on_off_flag(c, argv, _F_NO_EVICT)


@_ensure
def client_no_touch_cmd(c, argv):
    """CLIENT NO-TOUCH ON|OFF (Redis 7.2): reads don't touch the LRU/LFU."""
    _on_off_flag(c, argv, _F_NO_TOUCH)


# Client-side caching is not implemented: tracking is never on, and these
# report exactly that (what Redis answers for a client without tracking).
@_ensure
def client_getredir_cmd(c, argv):
    c.reply_int(-1)


@_ensure
def client_trackinginfo_cmd(c, argv):
    c.reply({b"flags": meta.RSet([b"off"]), b"redirect": -1, b"prefixes": []})


@_ensure
def client_caching_cmd(c, argv):
    raise ReplyError("ERR CLIENT CACHING can be called only when the client is in tracking mode "
                     "with OPTIN or OPTOUT mode enabled")


@_ensure
def client_help_cmd(c, argv):
    _reply_help(c, argv, CLIENT_HELP)


# The metadata of CLIENT NO-TOUCH (added in Redis 7.2, so not in the 7.0.15
# data file); registered only if the command table accepts extra metadata.
CLIENT_NO_TOUCH_META = {
    "arity": 3,
    "flags": ["noscript", "loading", "stale"],
    "first_key": 0, "last_key": 0, "step": 0,
    "acl_categories": ["@slow", "@connection"],
    "tips": [],
    "key_specs": [],
    "subcommands": {},
    "docs": {
        "summary": "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.",
        "since": "7.2.0",
        "group": "connection",
        "complexity": "O(1)",
        "arguments": [{"name": "enabled", "type": "oneof", "arguments": [
            {"name": "on", "type": "pure-token", "token": "ON"},
            {"name": "off", "type": "pure-token", "token": "OFF"}]}],
    },
}


# --------------------------------------------------------------------------
# COMMAND
# --------------------------------------------------------------------------

COMMAND_HELP = [
    b"(no subcommand)",
    b"    Return details about all Redis commands.",
    b"COUNT",
    b"    Return the total number of commands in this Redis server.",
    b"LIST",
    b"    Return a list of all commands in this Redis server.",
    b"INFO [<command-name> ...]",
    b"    Return details about multiple Redis commands.",
    b"    If no command names are given, documentation details for all",
    b"    commands are returned.",
    b"DOCS [<command-name> ...]",
    b"    Return documentation details about multiple Redis commands.",
    b"    If no command names are given, documentation details for all",
    b"    commands are returned.",
    b"GETKEYS <full-command>",
    b"    Return the keys from a full Redis command.",
    b"GETKEYSANDFLAGS <full-command>",
    b"    Return the keys and the access flags from a full Redis command.",
]


def _served(cmd) -> bool:
    """A command fastkv really serves: a handler, or a served subcommand."""
    if cmd.has_handler:
        return True
    return bool(cmd.subcommands) and any(s.has_handler for s in cmd.subcommands.values())


def _commands(srv):
    return [cmd for cmd in srv.command_objects.values() if _served(cmd)]


def _subcommands(cmd):
    if not cmd.subcommands:
        return []
    return sorted((s for s in cmd.subcommands.values() if s.has_handler), key=lambda s: s.name)


def _entry(cmd) -> dict:
    """The command's metadata with only the subcommands fastkv serves."""
    entry = cmd.meta
    subs = _subcommands(cmd)
    if not subs and not entry["subcommands"]:
        return entry
    e = dict(entry)
    e["subcommands"] = {s.name.decode(): _entry(s) for s in subs}
    return e


def _cmd_info(st, cmd):
    key = ("info", cmd.name)
    v = st.cmd_cache.get(key)
    if v is None:
        v = st.cmd_cache[key] = meta.command_info(cmd.name.decode(), _entry(cmd))
    return v


def _cmd_docs(st, cmd):
    key = ("docs", cmd.name)
    v = st.cmd_cache.get(key)
    if v is None:
        v = st.cmd_cache[key] = meta.command_docs(_entry(cmd))
    return v


def _lookup_by_name(srv, name: bytes):
    """lookupCommandBySds(): "get" or "config|get" (strict), served commands only."""
    parts = name.lower().split(b"|")
    if len(parts) > 2:
        return None
    cmd = srv.command_objects.get(parts[0])
    if cmd is None or not _served(cmd):
        return None
    if len(parts) == 1:
        return cmd
    sub = (cmd.subcommands or {}).get(parts[1])
    return sub if sub is not None and sub.has_handler else None


def _lookup_argv(srv, args):
    """lookupCommand() on a command line (not strict): the subcommand when
    the command is a container and a second argument is given."""
    cmd = srv.command_objects.get(args[0].lower())
    if cmd is None or not _served(cmd):
        return None
    if len(args) == 1 or not cmd.subcommands:
        return cmd
    sub = cmd.subcommands.get(args[1].lower())
    return sub if sub is not None and sub.has_handler else None


@_ensure
def command_cmd(c, argv):
    st = _state(c.srv)
    cmds = _commands(c.srv)
    c.reply_array_len(len(cmds))
    for cmd in cmds:
        c.reply(_cmd_info(st, cmd))


@_ensure
def command_count_cmd(c, argv):
    c.reply_int(len(_commands(c.srv)))


def _acl_category_matches(cmd, cat: str) -> bool:
    return ("@" + cat.lower()) in cmd.meta["acl_categories"]


@_ensure
def command_list_cmd(c, argv):
    ftype = farg = None
    i = 2
    while i < len(argv):
        more = len(argv) - 1 - i
        if argv[i].lower() == b"filterby" and more == 2:
            ftype = argv[i + 1].lower()
            if ftype not in (b"module", b"aclcat", b"pattern"):
                raise ReplyError(SYNTAX_ERROR)
            farg = argv[i + 2]
            i += 3
        else:
            raise ReplyError(SYNTAX_ERROR)
    names = []

    def keep(cmd):
        if ftype is None:
            return True
        if ftype == b"module":
            return False                       # no module commands in fastkv
        if ftype == b"aclcat":
            return _acl_category_matches(cmd, farg.decode("latin-1"))
        return stringmatch(farg.decode("latin-1"), cmd.name.decode("latin-1"), nocase=True)

    for cmd in _commands(c.srv):
        if keep(cmd):
            names.append(cmd.name)
        for sub in _subcommands(cmd):
            if keep(sub):
                names.append(sub.name)
    c.reply_array_len(len(names))
    for n in names:
        c.reply_bulk(n)


@_ensure
def command_info_cmd(c, argv):
    st = _state(c.srv)
    if len(argv) == 2:
        return command_cmd(c, argv)
    c.reply_array_len(len(argv) - 2)
    for name in argv[2:]:
        cmd = _lookup_by_name(c.srv, name)
        if cmd is None:
            c.reply_null()
        else:
            c.reply(_cmd_info(st, cmd))


@_ensure
def command_docs_cmd(c, argv):
    st = _state(c.srv)
    if len(argv) == 2:
        cmds = _commands(c.srv)
    else:
        cmds = [x for x in (_lookup_by_name(c.srv, n) for n in argv[2:]) if x is not None]
    c.reply_map_len(len(cmds))
    for cmd in cmds:
        c.reply_bulk(cmd.name)
        c.reply(_cmd_docs(st, cmd))


# key flags of the native getkeys functions (Redis's CMD_KEY_* names, in
# the order addReplyFlagsForKeyArgs prints them)
_KF_RW_ACCESS_UPDATE = ["RW", "access", "update"]
_KF_OW_UPDATE = ["OW", "update"]
_KF_RO_ACCESS = ["RO", "access"]
_KF_RW_ACCESS_DELETE = ["RW", "access", "delete"]


def _generic_getkeys(store_ofs, count_ofs, first_ofs, step):
    def fn(argv):
        num = _atoi(argv[count_ofs]) if count_ofs < len(argv) else 0
        if num < 1 or num > (len(argv) - first_ofs) // step:
            return []
        keys = [(first_ofs + i * step, []) for i in range(num)]
        if store_ofs:
            keys.append((store_ofs, []))
        return keys
    return fn


def _atoi(b: bytes) -> int:
    """C atoi(): leading spaces, optional sign, digits; 0 if none."""
    s = b.lstrip(b" \t\n\v\f\r")
    sign = 1
    if s[:1] in (b"+", b"-"):
        sign = -1 if s[:1] == b"-" else 1
        s = s[1:]
    n = 0
    for ch in s:
        if 48 <= ch <= 57:
            n = n * 10 + ch - 48
        else:
            break
    n *= sign
    return ((n + (1 << 31)) % (1 << 32)) - (1 << 31)


def _set_getkeys(argv):
    for a in argv[3:]:
        if a.lower() == b"get":
            return [(1, _KF_RW_ACCESS_UPDATE)]
    return [(1, _KF_OW_UPDATE)]


def _bitfield_getkeys(argv):
    readonly = True
    i = 2
    while i < len(argv):
        rem = len(argv) - i - 1
        a = argv[i].lower()
        if a == b"get" and rem >= 2:
            i += 3
        elif a in (b"set", b"incrby") and rem >= 3:
            readonly = False
            break
        elif a == b"overflow" and rem >= 1:
            i += 2
        else:
            readonly = False
            break
    return [(1, _KF_RO_ACCESS if readonly else _KF_RW_ACCESS_UPDATE)]


def _sort_getkeys(argv):
    keys = [(1, _KF_RO_ACCESS)]
    store = None
    skips = {b"limit": 2, b"get": 1, b"by": 1}
    i = 2
    while i < len(argv):
        a = argv[i].lower()
        if a in skips:
            i += skips[a]
        elif a == b"store" and i + 1 < len(argv):
            store = (i + 1, _KF_OW_UPDATE)
        i += 1
    return keys + ([store] if store else [])


def _sort_ro_getkeys(argv):
    return [(1, _KF_RO_ACCESS)]


def _xread_getkeys(argv):
    streams = -1
    i = 1
    while i < len(argv):
        a = argv[i].lower()
        if a in (b"block", b"count"):
            i += 1
        elif a == b"group":
            i += 2
        elif a == b"noack":
            pass
        elif a == b"streams":
            streams = i
            break
        else:
            break
        i += 1
    num = len(argv) - streams - 1 if streams != -1 else 0
    if streams == -1 or num == 0 or num % 2:
        return []
    return [(i, []) for i in range(streams + 1, len(argv) - num // 2)]


def _georadius_getkeys(argv):
    stored = -1
    i = 5
    while i < len(argv):
        if argv[i].lower() in (b"store", b"storedist") and i + 1 < len(argv):
            stored = i + 1
            i += 1
        i += 1
    return [(1, [])] + ([(stored, [])] if stored != -1 else [])


def _migrate_getkeys(argv):
    first, num = 3, 1
    if len(argv) > 6:
        skips = {b"copy": 0, b"replace": 0, b"auth": 1, b"auth2": 2}
        i = 6
        while i < len(argv):
            a = argv[i].lower()
            if a == b"keys":
                if argv[3]:
                    num = 0
                else:
                    first, num = i + 1, len(argv) - i - 1
                break
            i += skips.get(a, 0) + 1
    return [(first + i, _KF_RW_ACCESS_DELETE) for i in range(num)]


# Redis's getkeys_proc functions (used when the key specs can't answer).
NATIVE_GETKEYS = {
    b"set": _set_getkeys,
    b"bitfield": _bitfield_getkeys,
    b"sort": _sort_getkeys,
    b"sort_ro": _sort_ro_getkeys,
    b"migrate": _migrate_getkeys,
    b"georadius": _georadius_getkeys,
    b"georadiusbymember": _georadius_getkeys,
    b"xread": _xread_getkeys,
    b"xreadgroup": _xread_getkeys,
    b"zunion": _generic_getkeys(0, 1, 2, 1),
    b"zinter": _generic_getkeys(0, 1, 2, 1),
    b"zdiff": _generic_getkeys(0, 1, 2, 1),
    b"zintercard": _generic_getkeys(0, 1, 2, 1),
    b"zunionstore": _generic_getkeys(1, 2, 3, 1),
    b"zinterstore": _generic_getkeys(1, 2, 3, 1),
    b"zdiffstore": _generic_getkeys(1, 2, 3, 1),
    b"sintercard": _generic_getkeys(0, 1, 2, 1),
    b"eval": _generic_getkeys(0, 2, 3, 1),
    b"evalsha": _generic_getkeys(0, 2, 3, 1),
    b"eval_ro": _generic_getkeys(0, 2, 3, 1),
    b"evalsha_ro": _generic_getkeys(0, 2, 3, 1),
    b"fcall": _generic_getkeys(0, 2, 3, 1),
    b"fcall_ro": _generic_getkeys(0, 2, 3, 1),
    b"lmpop": _generic_getkeys(0, 1, 2, 1),
    b"blmpop": _generic_getkeys(0, 2, 3, 1),
    b"zmpop": _generic_getkeys(0, 1, 2, 1),
    b"bzmpop": _generic_getkeys(0, 2, 3, 1),
}


def _keys_from_specs(cmd, argv):
    """getKeysUsingKeySpecs(): [(pos, flags)] or None for an invalid spec."""
    argc = len(argv)
    keys = []
    for spec in cmd.meta["key_specs"]:
        flags = spec["flags"]
        if "not_key" in flags:
            continue
        bs, fk = spec["begin_search"], spec["find_keys"]
        if bs["type"] == "index":
            first = bs["spec"]["index"]
        elif bs["type"] == "keyword":
            kw = bs["spec"]["keyword"].lower().encode()
            startfrom = bs["spec"]["startfrom"]
            start = startfrom if startfrom > 0 else argc + startfrom
            end = argc - 1 if startfrom > 0 else 1
            first = 0
            i = start
            while i != end:
                if i >= argc or i < 1:
                    break
                if argv[i].lower() == kw:
                    first = i + 1
                    break
                i = i + 1 if start <= end else i - 1
            if not first:
                continue
        else:
            return None
        if fk["type"] == "range":
            step = fk["spec"]["keystep"]
            lastkey, limit = fk["spec"]["lastkey"], fk["spec"]["limit"]
            if lastkey >= 0:
                last = first + lastkey
            elif not limit:
                last = argc + lastkey
            else:
                last = first + ((argc - first) // limit + lastkey)
        elif fk["type"] == "keynum":
            step = fk["spec"]["keystep"]
            idx = first + fk["spec"]["keynumidx"]
            if idx >= argc:
                return None
            numkeys = _ll(argv[idx])
            if numkeys is None or numkeys < 0:
                return None
            first += fk["spec"]["firstkey"]
            last = first + numkeys - 1
        else:
            return None
        if last >= argc or last < first or first >= argc:
            return None
        i = first
        while i <= last:
            keys.append((i, flags))
            i += step
        if "incomplete" in flags:
            return None
    return keys


def get_keys(cmd, argv):
    """getKeysFromCommandWithSpecs(): [(position, key flags)] of a command line."""
    specs = cmd.meta["key_specs"]
    has_keyspec = any("not_key" not in s["flags"] for s in specs)
    has_varflags = any("variable_flags" in s["flags"] for s in specs)
    if has_keyspec and not has_varflags:
        keys = _keys_from_specs(cmd, argv)
        if keys is not None:
            return keys
    native = NATIVE_GETKEYS.get(cmd.name)
    return native(argv) if native is not None else []


def _getkeys(c, argv, with_flags):
    args = argv[2:]
    cmd = _lookup_argv(c.srv, args)
    if cmd is None:
        raise ReplyError("ERR Invalid command specified")
    specs = cmd.meta["key_specs"]
    if cmd.name not in NATIVE_GETKEYS and not any("not_key" not in s["flags"] for s in specs):
        raise ReplyError("ERR The command has no key arguments")
    if (cmd.arity > 0 and cmd.arity != len(args)) or len(args) < -cmd.arity:
        raise ReplyError("ERR Invalid number of arguments specified for command")
    keys = get_keys(cmd, args)
    if not keys:
        if "no_mandatory_keys" in cmd.meta["flags"]:
            c.reply_array_len(0)
            return
        raise ReplyError("ERR Invalid arguments specified for command")
    c.reply_array_len(len(keys))
    for pos, flags in keys:
        if with_flags:
            c.reply_array_len(2)
            c.reply_bulk(args[pos])
            c.reply(meta.RSet(meta.RStatus(f) for f in flags))
        else:
            c.reply_bulk(args[pos])


@_ensure
def command_getkeys_cmd(c, argv):
    _getkeys(c, argv, False)


@_ensure
def command_getkeysandflags_cmd(c, argv):
    _getkeys(c, argv, True)


@_ensure
def command_help_cmd(c, argv):
    _reply_help(c, argv, COMMAND_HELP)


# --------------------------------------------------------------------------
# INFO
# --------------------------------------------------------------------------

@_ensure
def info_cmd(c, argv):
    st = _state(c.srv)
    text = _info.generate(st.info_ctx(_config(c)), argv[1:])
    _reply_txt(c, text)


# --------------------------------------------------------------------------
# CONFIG
# --------------------------------------------------------------------------

CONFIG_HELP = [
    b"GET <pattern>",
    b"    Return parameters matching the glob-like <pattern> and their values.",
    b"SET <directive> <value>",
    b"    Set the configuration <directive> to <value>.",
    b"RESETSTAT",
    b"    Reset statistics reported by the INFO command.",
    b"REWRITE",
    b"    Rewrite the configuration file.",
]


@_ensure
def config_get_cmd(c, argv):
    pairs = _config(c).config_get([decode_value(a) for a in argv[2:]])
    c.reply_map_len(len(pairs))
    for name, value in pairs:
        c.reply_bulk(encode_value(name))
        c.reply_bulk(encode_value(value))


@_ensure
def config_set_cmd(c, argv):
    if len(argv) & 1:
        raise ReplyError(SYNTAX_ERROR)
    pairs = [(decode_value(argv[i]), decode_value(argv[i + 1])) for i in range(2, len(argv), 2)]
    try:
        _config(c).config_set(pairs, is_local_client=_is_local(c))
    except ConfigError as e:
        raise ReplyError("ERR %s" % e) from None
    c.reply_ok()


def reset_server_stats(srv):
    """CONFIG RESETSTAT: resetServerStats() + command and error stats."""
    srv.total_commands = 0
    srv.total_connections = 0
    srv.rejected_connections = 0
    srv.net_input_bytes = 0
    srv.net_output_bytes = 0
    srv.total_error_replies = 0
    srv.unexpected_error_replies = 0
    srv.error_stats.clear()
    for cmd in srv.command_objects.values():
        cmd.reset_stats()
        for sub in (cmd.subcommands or {}).values():
            sub.reset_stats()
    srv.keyspace.reset_stats()
    server = srv.server
    if server is not None:
        if hasattr(server, "ops_samples"):
            server.ops_samples.clear()
        server.instantaneous = (0, 0.0, 0.0)


@_ensure
def config_resetstat_cmd(c, argv):
    reset_server_stats(c.srv)
    c.reply_ok()


@_ensure
def config_rewrite_cmd(c, argv):
    cfg = _config(c)
    server = c.srv.server
    try:
        cfg.rewrite()
    except ConfigError as e:
        msg = str(e)
        if server is not None and cfg.config_file:
            server.log_warning("CONFIG REWRITE failed: %s" % msg.split(": ", 1)[-1])
        raise ReplyError("ERR %s" % msg) from None
    if server is not None:
        server.log("CONFIG REWRITE executed with success.")
    c.reply_ok()


@_ensure
def config_help_cmd(c, argv):
    _reply_help(c, argv, CONFIG_HELP)


# --------------------------------------------------------------------------
# TIME LASTSAVE
# --------------------------------------------------------------------------

def time_cmd(c, argv):
    now_us = time.time_ns() // 1000
    c.reply_array_len(2)
    c.reply_bulk(b"%d" % (now_us // 1_000_000))
    c.reply_bulk(b"%d" % (now_us % 1_000_000))


def lastsave_cmd(c, argv):
    server = c.srv.server
    c.reply_int(server.lastsave if server is not None else 0)


# --------------------------------------------------------------------------
# MEMORY
# --------------------------------------------------------------------------

MEMORY_HELP = [
    b"DOCTOR",
    b"    Return memory problems reports.",
    b"MALLOC-STATS",
    b"    Return internal statistics report from the memory allocator.",
    b"PURGE",
    b"    Attempt to purge dirty pages for reclamation by the allocator.",
    b"STATS",
    b"    Return information about the memory usage of the server.",
    b"USAGE <key> [SAMPLES <count>]",
    b"    Return memory in bytes used by <key> and its value. Nested values are",
    b"    sampled up to <count> times (default: 5, 0 means sample all).",
]


@_ensure
def memory_usage_cmd(c, argv):
    from fastkv.commands import t_keys
    j = 3
    while j < len(argv):
        if argv[j].lower() == b"samples" and j + 1 < len(argv):
            n = _ll(argv[j + 1])
            if n is None:
                raise ReplyError("ERR value is not an integer or out of range")
            if n < 0:
                raise ReplyError(SYNTAX_ERROR)
            j += 2
        else:
            raise ReplyError(SYNTAX_ERROR)
    usage = t_keys.key_memory_usage(c.db, argv[2])
    if usage is None:
        c.reply_null()
    else:
        c.reply_int(usage)


def _float32(x: float) -> float:
    """Redis keeps these ratios in C floats: reply what a float holds."""
    import struct
    return struct.unpack("f", struct.pack("f", x))[0]


@_ensure
def memory_stats_cmd(c, argv):
    st = _state(c.srv)
    mh = _info.memory_overhead(c.srv, st.mem)
    c.reply_map_len(27 + len(mh["dbs"]))

    def kv_int(k, v):
        c.reply_bulk(k)
        c.reply_int(v)

    def kv_double(k, v):
        c.reply_bulk(k)
        c.reply_double(_float32(v))

    kv_int(b"peak.allocated", mh["peak"])
    kv_int(b"total.allocated", mh["used"])
    kv_int(b"startup.allocated", mh["startup"])
    kv_int(b"replication.backlog", 0)
    kv_int(b"clients.slaves", 0)
    kv_int(b"clients.normal", mh["clients_normal"])
    kv_int(b"cluster.links", 0)
    kv_int(b"aof.buffer", 0)
    kv_int(b"lua.caches", 0)
    kv_int(b"functions.caches", 0)
    for dbid, main, expires in mh["dbs"]:
        c.reply_bulk(b"db.%d" % dbid)
        c.reply_map_len(3)
        kv_int(b"overhead.hashtable.main", main)
        kv_int(b"overhead.hashtable.expires", expires)
        kv_int(b"overhead.hashtable.slot-to-keys", 0)
    kv_int(b"overhead.total", mh["overhead"])
    kv_int(b"keys.count", mh["keys"])
    kv_int(b"keys.bytes-per-key", mh["bytes_per_key"])
    kv_int(b"dataset.bytes", mh["dataset"])
    kv_double(b"dataset.percentage", mh["dataset_perc"])
    kv_double(b"peak.percentage", mh["peak_perc"])
    kv_int(b"allocator.allocated", mh["allocator_allocated"])
    kv_int(b"allocator.active", mh["allocator_active"])
    kv_int(b"allocator.resident", mh["allocator_resident"])
    kv_double(b"allocator-fragmentation.ratio", mh["allocator_frag"])
    kv_int(b"allocator-fragmentation.bytes", mh["allocator_frag_bytes"])
    kv_double(b"allocator-rss.ratio", mh["allocator_rss"])
    kv_int(b"allocator-rss.bytes", mh["allocator_rss_bytes"])
    kv_double(b"rss-overhead.ratio", mh["rss_extra"])
    kv_int(b"rss-overhead.bytes", mh["rss_extra_bytes"])
    kv_double(b"fragmentation", mh["total_frag"])
    kv_int(b"fragmentation.bytes", mh["total_frag_bytes"])


@_ensure
def memory_malloc_stats_cmd(c, argv):
    # What Redis answers when it is not built with jemalloc.
    _reply_txt(c, "Stats not supported for the current allocator")


@_ensure
def memory_purge_cmd(c, argv):
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass
    c.reply_ok()


@_ensure
def memory_help_cmd(c, argv):
    _reply_help(c, argv, MEMORY_HELP)


# --------------------------------------------------------------------------
# SLOWLOG
# --------------------------------------------------------------------------

SLOWLOG_HELP = [
    b"GET [<count>]",
    b"    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
    b"    Entries are made of:",
    b"    id, timestamp, time in microseconds, arguments array, client IP and port,",
    b"    client name",
    b"LEN",
    b"    Return the length of the slowlog.",
    b"RESET",
    b"    Reset the slowlog.",
]


@_ensure
def slowlog_get_cmd(c, argv):
    if len(argv) > 3:
        _err_subcommand(argv)
    log = _state(c.srv).slowlog
    count = 10
    if len(argv) == 3:
        count = _ll(argv[2])
        if count is None or count < -1:
            raise ReplyError("ERR count should be greater than or equal to -1")
        if count == -1:
            count = len(log)
    count = min(count, len(log))
    c.reply_array_len(count)
    for i in range(count):
        eid, ts, dur, args, peer, name = log[i]
        c.reply_array_len(6)
        c.reply_int(eid)
        c.reply_int(ts)
        c.reply_int(dur)
        c.reply_array_len(len(args))
        for a in args:
            c.reply_bulk(a)
        c.reply_bulk(peer)
        c.reply_bulk(name)


@_ensure
def slowlog_len_cmd(c, argv):
    c.reply_int(len(_state(c.srv).slowlog))


@_ensure
def slowlog_reset_cmd(c, argv):
    _state(c.srv).slowlog.clear()
    c.reply_ok()


@_ensure
def slowlog_help_cmd(c, argv):
    _reply_help(c, argv, SLOWLOG_HELP)


# --------------------------------------------------------------------------
# LATENCY
# --------------------------------------------------------------------------

LATENCY_HELP = [
    b"DOCTOR",
    b"    Return a human readable latency analysis report.",
    b"GRAPH <event>",
    b"    Return an ASCII latency graph for the <event> class.",
    b"HISTORY <event>",
    b"    Return time-latency samples for the <event> class.",
    b"LATEST",
    b"    Return the latest latency samples for all events.",
    b"RESET [<event> ...]",
    b"    Reset latency data of one or more <event> classes.",
    b"    (default: reset all data for all event classes)",
    b"HISTOGRAM [COMMAND ...]",
    b"    Return a cumulative distribution of latencies in the format of a histogram for the "
    b"specified command names.",
    b"    If no commands are specified then all histograms are replied.",
]


@_ensure
def latency_latest_cmd(c, argv):
    events = _state(c.srv).latency
    c.reply_array_len(len(events))
    for name, ts in events.items():
        t, lat = ts.latest()
        c.reply_array_len(4)
        c.reply_bulk(name)
        c.reply_int(t)
        c.reply_int(lat)
        c.reply_int(ts.max)


@_ensure
def latency_history_cmd(c, argv):
    ts = _state(c.srv).latency.get(argv[2].decode("utf-8", "surrogateescape"))
    samples = ts.history() if ts is not None else []
    c.reply_array_len(len(samples))
    for t, lat in samples:
        c.reply_array_len(2)
        c.reply_int(t)
        c.reply_int(lat)


@_ensure
def latency_reset_cmd(c, argv):
    events = _state(c.srv).latency
    if len(argv) == 2:
        n = len(events)
        events.clear()
    else:
        n = 0
        for a in argv[2:]:
            if events.pop(a.decode("utf-8", "surrogateescape"), None) is not None:
                n += 1
    c.reply_int(n)


@_ensure
def latency_help_cmd(c, argv):
    _reply_help(c, argv, LATENCY_HELP)


# --------------------------------------------------------------------------
# MONITOR
# --------------------------------------------------------------------------

@_ensure
def monitor_cmd(c, argv):
    if c.flags & _F_MONITOR:
        return                      # already monitoring: Redis ignores it silently
    c.flags |= _F_MONITOR
    c.srv.monitors.append(c)
    c.reply_ok()


# --------------------------------------------------------------------------
# DEBUG
# --------------------------------------------------------------------------

# The subcommands fastkv implements, with Redis's help text for them.
DEBUG_HELP = [
    b"ERROR <string>",
    b"    Return a Redis protocol error with <string> as message. Useful for clients",
    b"    unit tests to simulate Redis errors.",
    b"LOG <message>",
    b"    Write <message> to the server log.",
    b"OBJECT <key>",
    b"    Show low level info about `key` and associated value.",
    b"PROTOCOL <type>",
    b"    Reply with a test value of the specified type. <type> can be: string,",
    b"    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
    b"    true, false.",
    b"SLEEP <seconds>",
    b"    Stop the server for <seconds>. Decimals allowed.",
]


def _rdb_len_size(n: int) -> int:
    """Bytes rdbSaveLen() uses for a length."""
    if n < 1 << 6:
        return 1
    if n < 1 << 14:
        return 2
    if n <= 0xFFFFFFFF:
        return 5
    return 9


def _rdb_string_len(s: bytes) -> int:
    """rdbSaveRawString() size without LZF: integer encoding or length + bytes."""
    if len(s) <= 11:
        v = _ll(s)
        if v is not None and b"%d" % v == s:
            if -(1 << 7) <= v < 1 << 7:
                return 2
            if -(1 << 15) <= v < 1 << 15:
                return 3
            if -(1 << 31) <= v < 1 << 31:
                return 5
    return _rdb_len_size(len(s)) + len(s)


def _strtod_prefix(b: bytes) -> float:
    """C strtod() on the longest numeric prefix (0 if none)."""
    import re
    m = re.match(rb"\s*([+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf(?:inity)?|nan))",
                 b, re.I)
    if not m:
        return 0.0
    try:
        return float(m.group(1))
    except ValueError:
        return 0.0


def _debug_protocol(c, kind: bytes):
    if kind == b"string":
        c.reply_bulk(b"Hello World")
    elif kind == b"integer":
        c.reply_int(12345)
    elif kind == b"double":
        c.reply_double(3.141)
    elif kind == b"bignum":
        n = b"1234567999999999999999999999999999999"
        if c.resp == 3:
            c.reply_raw(b"(" + n + b"\r\n")
        else:
            c.reply_bulk(n)
    elif kind == b"null":
        c.reply_null()
    elif kind == b"array":
        c.reply([0, 1, 2])
    elif kind == b"set":
        c.reply(meta.RSet([0, 1, 2]))
    elif kind == b"map":
        c.reply_map_len(3)
        for j in range(3):
            c.reply_int(j)
            _reply_bool(c, j == 1)
    elif kind == b"attrib":
        if c.resp >= 3:
            c.reply_raw(b"|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n")
        c.reply_bulk(b"Some real reply following the attribute")
    elif kind == b"push":
        if c.resp < 3:
            raise ReplyError("ERR RESP2 is not supported by this command")
        c.reply_raw(b">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n")
        c.reply_bulk(b"Some real reply following the push reply")
    elif kind == b"true":
        _reply_bool(c, True)
    elif kind == b"false":
        _reply_bool(c, False)
    elif kind == b"verbatim":
        c.reply_verbatim(b"This is a verbatim\nstring", "txt")
    else:
        raise ReplyError("ERR Wrong protocol type name. Please use one of the following: "
                         "string|integer|double|bignum|null|array|set|map|attrib|push|"
                         "verbatim|true|false")


def _reply_bool(c, v: bool):
    if c.resp == 3:
        c.reply_raw(b"#t\r\n" if v else b"#f\r\n")
    else:
        c.reply_int(1 if v else 0)


def _debug_object(c, key: bytes):
    from fastkv.commands import t_keys
    d = t_keys.debug_object(c.db, key)
    if d is None:
        raise ReplyError("ERR no such key")
    serlen = d["serializedlength"]
    enc = d["encoding"]
    if isinstance(enc, bytes):
        enc = enc.decode()
    if enc in ("int", "embstr", "raw"):
        try:
            value = c.db.get(key)
        except TypeError:
            value = None
        if value is not None:
            serlen = _rdb_string_len(value)
    c.reply_status(("Value at:0x%x refcount:%d encoding:%s serializedlength:%d lru:%d "
                    "lru_seconds_idle:%d" % (d["addr"], d["refcount"], enc, serlen, d["lru"],
                                             d["lru_seconds_idle"])).encode())


@_ensure
def debug_cmd(c, argv):
    cfg = _config(c)
    if not cfg.allows("enable-debug-command", _is_local(c)):
        raise ReplyError('ERR DEBUG command not allowed. If the enable-debug-command option is '
                         'set to "local", you can run it from a local connection, otherwise you '
                         'need to set this option in the configuration file, and then restart '
                         'the server.')
    sub = argv[1].lower()
    argc = len(argv)
    if sub == b"help" and argc == 2:
        _reply_help(c, argv, DEBUG_HELP)
    elif sub == b"sleep" and argc == 3:
        secs = _strtod_prefix(argv[2])
        usecs = int(secs * 1_000_000)
        if usecs > 0:
            time.sleep(usecs / 1_000_000)
        c.reply_ok()
    elif sub == b"object" and argc == 3:
        _debug_object(c, argv[2])
    elif sub == b"protocol" and argc == 3:
        _debug_protocol(c, argv[2].lower())
    elif sub == b"error" and argc == 3:
        c.reply_error(argv[2])
    elif sub == b"log" and argc == 3:
        server = c.srv.server
        if server is not None:
            server.log_warning("DEBUG LOG: %s" % argv[2].decode("utf-8", "replace"))
        c.reply_ok()
    else:
        _err_subcommand(argv)


# --------------------------------------------------------------------------
# the rows
# --------------------------------------------------------------------------

def ROWS(C):
    client_subs = [
        C("client|id", client_id_cmd),
        C("client|info", client_info_cmd),
        C("client|list", client_list_cmd),
        C("client|kill", client_kill_cmd),
        C("client|setname", client_setname_cmd),
        C("client|getname", client_getname_cmd),
        C("client|pause", client_pause_cmd),
        C("client|unpause", client_unpause_cmd),
        C("client|reply", client_reply_cmd),
        C("client|no-evict", client_no_evict_cmd),
        C("client|getredir", client_getredir_cmd),
        C("client|trackinginfo", client_trackinginfo_cmd),
        C("client|caching", client_caching_cmd),
        C("client|help", client_help_cmd),
    ]
    # CLIENT NO-TOUCH is Redis 7.2: the 7.0.15 metadata file lacks it.
    client_subs.append(C("client|no-touch", client_no_touch_cmd,
                         meta=meta.lookup("client|no-touch") or CLIENT_NO_TOUCH_META))
    return [
        C("ping", ping_cmd),
        C("echo", echo_cmd),
        C("quit", quit_cmd),
        C("reset", reset_cmd),
        C("auth", auth_cmd),
        C("hello", hello_cmd),
        C("shutdown", shutdown_cmd),
        C("client", None, *client_subs),
        C("command", command_cmd,
          C("command|count", command_count_cmd),
          C("command|list", command_list_cmd),
          C("command|info", command_info_cmd),
          C("command|docs", command_docs_cmd),
          C("command|getkeys", command_getkeys_cmd),
          C("command|getkeysandflags", command_getkeysandflags_cmd),
          C("command|help", command_help_cmd)),
        C("info", info_cmd),
        C("config", None,
          C("config|get", config_get_cmd),
          C("config|set", config_set_cmd),
          C("config|resetstat", config_resetstat_cmd),
          C("config|rewrite", config_rewrite_cmd),
          C("config|help", config_help_cmd)),
        C("time", time_cmd),
        C("lastsave", lastsave_cmd),
        C("memory", None,
          C("memory|usage", memory_usage_cmd),
          C("memory|stats", memory_stats_cmd),
          C("memory|malloc-stats", memory_malloc_stats_cmd),
          C("memory|purge", memory_purge_cmd),
          C("memory|help", memory_help_cmd)),
        C("slowlog", None,
          C("slowlog|get", slowlog_get_cmd),
          C("slowlog|len", slowlog_len_cmd),
          C("slowlog|reset", slowlog_reset_cmd),
          C("slowlog|help", slowlog_help_cmd)),
        C("latency", None,
          C("latency|latest", latency_latest_cmd),
          C("latency|history", latency_history_cmd),
          C("latency|reset", latency_reset_cmd),
          C("latency|help", latency_help_cmd)),
        C("monitor", monitor_cmd),
        C("debug", debug_cmd),
    ]
