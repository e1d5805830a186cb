"""What the Python command modules share: per-server state and small helpers.

The connection and server commands written in Python (cold paths) live in
conn.py, t_client.py, t_command.py, introspect.py and debug.py.  Each
handler is ``fn(client, argv)`` where argv is a list of bytes including the
command name; replies go through the client's reply_* methods, errors are
raised as ReplyError.  The core has already checked the arity (from Redis's
metadata) and authentication, and dispatched container commands (CLIENT,
CONFIG ...) to their subcommand rows, so a handler only deals with what
Redis's own *Command() function checks.  Replies and error texts are Redis
7.0.15's, byte for byte where the values are deterministic.

Per-server state (the slow log, latency events, memory peak, caches of the
COMMAND replies) lives in a ``_State`` attached to the Python Server object.
``install(server)`` creates it at start-up and hooks the slow log into the
core.  The core's
MONITOR feed and the slow log both log argv through ``redact_argv``.
"""
from __future__ import annotations

import collections
import hashlib
import os
import time

from fastkv import __version__
from fastkv._core.client import CLIENT_FLAGS, FLAG_BITS, ReplyError
from fastkv.commands import info as _info
from fastkv.config import decode_value, string2ll

_F_UNIX = CLIENT_FLAGS["unix"]
_CMD_FAST = FLAG_BITS["fast"]

SYNTAX_ERROR = "ERR syntax error"
REDACTED = b"(redacted)"


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------

def to_ll(b: bytes):
    """Redis's strict string2ll() on an argument; None if not an integer."""
    try:
        return string2ll(b.decode("ascii"))
    except UnicodeDecodeError:
        return None


def err_subcommand(argv):
    """addReplySubcommandSyntaxError()."""
    raise ReplyError("ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP."
                     % (argv[1][:128].decode("utf-8", "replace"),
                        argv[0].decode("utf-8", "replace").upper()))


def reply_help(c, argv, lines):
    """addReplyHelp(): a header naming the command as typed, the lines, HELP."""
    c.reply_array_len(len(lines) + 3)
    c.reply_status(argv[0].upper() + b" <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
    for line in lines:
        c.reply_status(line)
    c.reply_status(b"HELP")
    c.reply_status(b"    Prints this help.")


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


def reply_txt(c, text: str):
    c.reply_verbatim(text.encode("utf-8", "surrogateescape"), "txt")


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
                 peer_id(c).encode("utf-8", "surrogateescape"), c.name or b"")
        self.slowlog_next_id += 1
        self.slowlog.appendleft(entry)
        limit = config_of(self.srv)["slowlog-max-len"]
        while len(self.slowlog) > limit:
            self.slowlog.pop()

    # -- latency monitor ---------------------------------------------------
    def latency_add(self, event, latency_ms):
        ts = self.latency.get(event)
        if ts is None:
            ts = self.latency[event] = _LatencySeries()
        ts.add(int(time.time()), latency_ms)

    # -- INFO --------------------------------------------------------------
    def info_ctx(self, cfg):
        return _info.Context(self.srv, cfg, self.mem, self.replid, self.build_id)


SLOWLOG_ENTRY_MAX_ARGC = 32
SLOWLOG_ENTRY_MAX_STRING = 128

def config_of(srv):
    return srv.server.config


def state_of(srv) -> _State:
    """This module's per-server state (created by install() at start-up)."""
    return srv.server._commands_state


def install(server):
    """Create the per-server state and hook the slow log / latency monitor
    into the core; Server calls it once its ServerState is set up."""
    st = server._commands_state = _State(server.state)
    st.hook(server.config)
    return st


def cron_tick(server):
    """Bookkeeping for the server cron: samples used_memory for the peak."""
    st = getattr(server, "_commands_state", None)
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
        cfg = config_of(srv)
        out = list(argv)
        for j in range(2, len(out) - 1, 2):
            if cfg.is_sensitive(decode_value(out[j])):
                out[j + 1] = REDACTED
        return out
    return argv


def help_handler(lines):
    """A HELP subcommand: replies ``lines`` the way addReplyHelp() does."""
    def help_cmd(c, argv):
        reply_help(c, argv, lines)
    return help_cmd
