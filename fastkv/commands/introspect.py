"""Server introspection: INFO, CONFIG, TIME, LASTSAVE, MEMORY, SLOWLOG and
LATENCY.  The INFO text, the memory figures, the slow log and the latency
events come from the server services (fastkv/services/).

Handler conventions are in util.py.
"""
from __future__ import annotations

import ctypes
import time

from fastkv._core.client import ReplyError
from fastkv.commands.util import SYNTAX_ERROR, err_subcommand, help_handler, reply_txt, to_ll
from fastkv.config import ConfigError, decode_value, encode_value
from fastkv.services import info as _info
from fastkv.services import memory as _memory
from fastkv.services.clients import is_local
from fastkv.services.state import config_of, state_of


# --------------------------------------------------------------------------
# INFO
# --------------------------------------------------------------------------

def info_cmd(c, argv):
    st = state_of(c.srv)
    text = _info.generate(st.info_ctx(config_of(c.srv)), argv[1:])
    reply_txt(c, text)


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


def config_get_cmd(c, argv):
    pairs = config_of(c.srv).config_get([decode_value(a) for a in argv[2:]])
    c.reply_map_len(len(pairs))
    for name, value in pairs:
        c.reply_bulk(encode_value(name))
        c.reply_bulk(encode_value(value))


def config_set_cmd(c, argv):
    if len(argv) & 1:
        raise ReplyError(SYNTAX_ERROR)
    pairs = [(decode_value(argv[i]), decode_value(argv[i + 1])) for i in range(2, len(argv), 2)]
    try:
        config_of(c.srv).config_set(pairs, is_local_client=is_local(c))
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


def config_resetstat_cmd(c, argv):
    reset_server_stats(c.srv)
    c.reply_ok()


def config_rewrite_cmd(c, argv):
    cfg = config_of(c.srv)
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


config_help_cmd = help_handler(CONFIG_HELP)


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


def memory_usage_cmd(c, argv):
    from fastkv.commands import t_keys
    j = 3
    samples = 5
    while j < len(argv):
        if argv[j].lower() == b"samples" and j + 1 < len(argv):
            n = to_ll(argv[j + 1])
            if n is None:
                raise ReplyError("ERR value is not an integer or out of range")
            if n < 0:
                raise ReplyError(SYNTAX_ERROR)
            samples = n
            j += 2
        else:
            raise ReplyError(SYNTAX_ERROR)
    usage = t_keys.key_memory_usage(c.db, argv[2], samples)
    if usage is None:
        c.reply_null()
    else:
        c.reply_int(usage)


def memory_stats_cmd(c, argv):
    c.reply(_memory.memory_stats(c.srv, state_of(c.srv).mem))


def memory_malloc_stats_cmd(c, argv):
    # What Redis answers when it is not built with jemalloc.
    reply_txt(c, "Stats not supported for the current allocator")


def memory_purge_cmd(c, argv):
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass
    c.reply_ok()


memory_help_cmd = help_handler(MEMORY_HELP)


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


def slowlog_get_cmd(c, argv):
    if len(argv) > 3:
        err_subcommand(argv)
    log = state_of(c.srv).slowlog.entries
    count = 10
    if len(argv) == 3:
        count = to_ll(argv[2])
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


def slowlog_len_cmd(c, argv):
    c.reply_int(len(state_of(c.srv).slowlog))


def slowlog_reset_cmd(c, argv):
    state_of(c.srv).slowlog.reset()
    c.reply_ok()


slowlog_help_cmd = help_handler(SLOWLOG_HELP)


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


def latency_latest_cmd(c, argv):
    events = state_of(c.srv).latency.events
    c.reply_array_len(len(events))
    for name, ts in events.items():
        t, lat = ts.latest()
        c.reply_array_len(4)
        c.reply_bulk(name)
        c.reply_int(t)
        c.reply_int(lat)
        c.reply_int(ts.max)


def latency_history_cmd(c, argv):
    ts = state_of(c.srv).latency.events.get(argv[2].decode("utf-8", "surrogateescape"))
    samples = ts.history() if ts is not None else []
    c.reply_array_len(len(samples))
    for t, lat in samples:
        c.reply_array_len(2)
        c.reply_int(t)
        c.reply_int(lat)


def latency_reset_cmd(c, argv):
    names = [a.decode("utf-8", "surrogateescape") for a in argv[2:]]
    c.reply_int(state_of(c.srv).latency.reset(names or None))


latency_help_cmd = help_handler(LATENCY_HELP)
