"""INFO: the text report, section by section, with Redis 7.0's field names.

``generate(c, args)`` builds the whole reply text for ``INFO [section ...]``
the way Redis's genRedisInfoString does: sections in a fixed order, each
introduced by ``# Title``, separated by an empty line, every line ending in
CRLF.  Section selection follows genInfoSectionDict: no argument means the
default sections, ``default`` adds them, ``all`` means every section but the
module-generated ones, ``everything`` really everything; names are
case-insensitive and unknown names select nothing.

Values are what fastkv really has.  A field Redis reports for a feature that
fastkv does not have (replication, AOF rewrites, defrag, tracking ...) reports
the value Redis shows when that feature is idle (0, -1, "ok"), so tools that
read INFO keep working.  Other parts of the server can add or override fields
of a section with ``add_provider(section, fn)`` (e.g. persistence):
``fn(server_state)`` returns a list of (name, value) pairs; existing names are
replaced in place, new ones appended.

The memory figures come from memory.py, shared with MEMORY STATS.
"""
from __future__ import annotations

import os
import platform
import resource
import sys
import time

from fastkv import REDIS_VERSION, __version__
from fastkv._core.keyspace import lazyfree_info
from fastkv.services.memory import memory_overhead, total_system_memory

# (section name, title); the order of genRedisInfoString.
SECTIONS = [
    ("server", "Server"),
    ("clients", "Clients"),
    ("memory", "Memory"),
    ("persistence", "Persistence"),
    ("stats", "Stats"),
    ("replication", "Replication"),
    ("cpu", "CPU"),
    ("modules", "Modules"),
    ("commandstats", "Commandstats"),
    ("errorstats", "Errorstats"),
    ("latencystats", "Latencystats"),
    ("cluster", "Cluster"),
    ("keyspace", "Keyspace"),
]
DEFAULT_SECTIONS = ("server", "clients", "memory", "persistence", "stats", "replication",
                    "cpu", "module_list", "errorstats", "cluster", "keyspace")

_providers: dict[str, list] = {}


def add_provider(section: str, fn) -> None:
    """Let another subsystem add/override fields of a section (see module doc)."""
    _providers.setdefault(section, []).append(fn)


# --------------------------------------------------------------------------
# formatting helpers (Redis's util.c / server.c)
# --------------------------------------------------------------------------

def bytes_to_human(n: int) -> str:
    """Redis's bytesToHuman(): 1015.58K, 6.65M, 0B."""
    if n < 1024:
        return "%dB" % n
    for i, unit in enumerate("KMGTP", 1):
        if n < 1024 ** (i + 1):
            return "%.2f%s" % (n / 1024 ** i, unit)
    return "%dB" % n


# --------------------------------------------------------------------------
# sections
# --------------------------------------------------------------------------

def _tracking_info(srv):
    """(tracking_clients, tracking_total_keys, _items, _prefixes)."""
    t = srv.keyspace.tracking_ctx
    return (t.nclients, *t.info()) if t is not None else (0, 0, 0, 0)


def _server(ctx):
    server, cfg = ctx.server, ctx.cfg
    u = os.uname()
    now = time.time()
    uptime = server.uptime() if server is not None else 0
    compiler = platform.python_compiler()       # e.g. "GCC 12.2.0"
    gcc = compiler.split()[1] if compiler.startswith("GCC ") and len(compiler.split()) > 1 else "0.0.0"
    return [
        ("redis_version", REDIS_VERSION),
        ("fastkv_version", __version__),
        ("redis_git_sha1", "00000000"),
        ("redis_git_dirty", 0),
        ("redis_build_id", ctx.build_id),
        ("redis_mode", "standalone"),
        ("os", "%s %s %s" % (u.sysname, u.release, u.machine)),
        ("arch_bits", 64 if sys.maxsize > 2 ** 32 else 32),
        ("monotonic_clock", "POSIX clock_gettime"),
        ("multiplexing_api", "epoll" if sys.platform.startswith("linux") else "kqueue"),
        ("atomicvar_api", "c11-builtin"),
        ("gcc_version", gcc),
        ("process_id", os.getpid()),
        ("process_supervised", cfg.get("supervised") if "supervised" in cfg else "no"),
        ("run_id", server.run_id if server is not None else ""),
        ("tcp_port", cfg["port"]),
        ("server_time_usec", int(now * 1_000_000)),
        ("uptime_in_seconds", uptime),
        ("uptime_in_days", uptime // 86400),
        ("hz", cfg["hz"]),
        ("configured_hz", cfg["hz"]),
        ("lru_clock", int(now) & 0xFFFFFF),
        ("executable", os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else ""),
        ("config_file", os.path.abspath(cfg.config_file) if cfg.config_file else ""),
        ("io_threads_active", 0),
    ]


def _clients(ctx):
    srv = ctx.srv
    clients = list(srv.clients.values())
    max_in = max((c.qbuf_len for c in clients), default=0)
    max_out = max((c.obuf_mem for c in clients), default=0)
    return [
        ("connected_clients", len(clients)),
        ("cluster_connections", 0),
        ("maxclients", ctx.cfg["maxclients"]),
        ("client_recent_max_input_buffer", max_in),
        ("client_recent_max_output_buffer", max_out),
        ("blocked_clients", srv.blocked_clients),
        ("tracking_clients", _tracking_info(srv)[0]),
        ("clients_in_timeout_table", sum(1 for c in clients if c.bdeadline_ms and c.bkeys is not None)),
    ]


def _scripting_rows():
    from fastkv.scripting import lua
    return lua.info_rows(bytes_to_human)


def _memory(ctx):
    cfg = ctx.cfg
    lazy_pending, lazy_freed, _ = lazyfree_info()   # first: collects finished frees
    mh = memory_overhead(ctx.srv, ctx.mem)
    used, peak, rss = mh["used"], mh["peak"], mh["rss"]
    total_sys = total_system_memory()
    maxmemory = cfg["maxmemory"]
    return [
        ("used_memory", used),
        ("used_memory_human", bytes_to_human(used)),
        ("used_memory_rss", rss),
        ("used_memory_rss_human", bytes_to_human(rss)),
        ("used_memory_peak", peak),
        ("used_memory_peak_human", bytes_to_human(peak)),
        ("used_memory_peak_perc", "%.2f%%" % mh["peak_perc"]),
        ("used_memory_overhead", mh["overhead"]),
        ("used_memory_startup", mh["startup"]),
        ("used_memory_dataset", mh["dataset"]),
        ("used_memory_dataset_perc", "%.2f%%" % mh["dataset_perc"]),
        ("allocator_allocated", mh["allocator_allocated"]),
        ("allocator_active", mh["allocator_active"]),
        ("allocator_resident", mh["allocator_resident"]),
        ("total_system_memory", total_sys),
        ("total_system_memory_human", bytes_to_human(total_sys)),
        *_scripting_rows(),       # fastkv/scripting/lua.pyx
        ("maxmemory", maxmemory),
        ("maxmemory_human", bytes_to_human(maxmemory)),
        ("maxmemory_policy", cfg.get("maxmemory-policy")),
        ("allocator_frag_ratio", "%.2f" % mh["allocator_frag"]),
        ("allocator_frag_bytes", mh["allocator_frag_bytes"]),
        ("allocator_rss_ratio", "%.2f" % mh["allocator_rss"]),
        ("allocator_rss_bytes", mh["allocator_rss_bytes"]),
        ("rss_overhead_ratio", "%.2f" % mh["rss_extra"]),
        ("rss_overhead_bytes", mh["rss_extra_bytes"]),
        ("mem_fragmentation_ratio", "%.2f" % mh["total_frag"]),
        ("mem_fragmentation_bytes", mh["total_frag_bytes"]),
        ("mem_not_counted_for_evict", 0),
        ("mem_replication_backlog", 0),
        ("mem_total_replication_buffers", 0),
        ("mem_clients_slaves", 0),
        ("mem_clients_normal", mh["clients_normal"]),
        ("mem_cluster_links", 0),
        ("mem_aof_buffer", 0),
        ("mem_allocator", "libc"),
        ("active_defrag_running", 0),
        ("lazyfree_pending_objects", lazy_pending),
        ("lazyfreed_objects", lazy_freed),
    ]


def _persistence(ctx):
    server, ks = ctx.server, ctx.srv.keyspace
    return [
        ("loading", 0),
        ("async_loading", 0),
        ("current_cow_peak", 0),
        ("current_cow_size", 0),
        ("current_cow_size_age", 0),
        ("current_fork_perc", "0.00"),
        ("current_save_keys_processed", 0),
        ("current_save_keys_total", 0),
        ("rdb_changes_since_last_save", ks.dirty),
        ("rdb_bgsave_in_progress", 0),
        ("rdb_last_save_time", server.lastsave if server is not None else 0),
        ("rdb_last_bgsave_status", "ok"),
        ("rdb_last_bgsave_time_sec", -1),
        ("rdb_current_bgsave_time_sec", -1),
        ("rdb_saves", 0),
        ("rdb_last_cow_size", 0),
        ("rdb_last_load_keys_expired", 0),
        ("rdb_last_load_keys_loaded", 0),
        ("aof_enabled", 0),
        ("aof_rewrite_in_progress", 0),
        ("aof_rewrite_scheduled", 0),
        ("aof_last_rewrite_time_sec", -1),
        ("aof_current_rewrite_time_sec", -1),
        ("aof_last_bgrewrite_status", "ok"),
        ("aof_rewrites", 0),
        ("aof_rewrites_consecutive_failures", 0),
        ("aof_last_write_status", "ok"),
        ("aof_last_cow_size", 0),
        ("module_fork_in_progress", 0),
        ("module_fork_last_cow_size", 0),
    ]


def _stats(ctx):
    srv, server, ks = ctx.srv, ctx.server, ctx.srv.keyspace
    ops, in_kbps, out_kbps = server.instantaneous if server is not None else (0, 0.0, 0.0)
    return [
        ("total_connections_received", srv.total_connections),
        ("total_commands_processed", srv.total_commands),
        ("instantaneous_ops_per_sec", int(ops)),
        ("total_net_input_bytes", srv.net_input_bytes),
        ("total_net_output_bytes", srv.net_output_bytes),
        ("total_net_repl_input_bytes", 0),
        ("total_net_repl_output_bytes", 0),
        ("instantaneous_input_kbps", "%.2f" % in_kbps),
        ("instantaneous_output_kbps", "%.2f" % out_kbps),
        ("instantaneous_input_repl_kbps", "0.00"),
        ("instantaneous_output_repl_kbps", "0.00"),
        ("rejected_connections", srv.rejected_connections),
        ("sync_full", 0),
        ("sync_partial_ok", 0),
        ("sync_partial_err", 0),
        ("expired_keys", ks.expired_keys),
        ("expired_stale_perc", "%.2f" % (ks.expired_stale_perc_x100 / 100.0)),
        ("expired_time_cap_reached_count", 0),
        ("expire_cycle_cpu_milliseconds", ks.expire_cycle_cpu_us // 1000),
        ("evicted_keys", ks.evicted_keys),
        ("evicted_clients", 0),
        ("total_eviction_exceeded_time", 0),
        ("current_eviction_exceeded_time", 0),
        ("keyspace_hits", ks.keyspace_hits),
        ("keyspace_misses", ks.keyspace_misses),
        ("pubsub_channels", len(ctx.srv.pubsub.channels)),
        ("pubsub_patterns", len(ctx.srv.pubsub.patterns)),
        ("pubsubshard_channels", len(ctx.srv.pubsub.shard_channels)),
        ("latest_fork_usec", 0),
        ("total_forks", 0),
        ("migrate_cached_sockets", 0),
        ("slave_expires_tracked_keys", 0),
        ("active_defrag_hits", 0),
        ("active_defrag_misses", 0),
        ("active_defrag_key_hits", 0),
        ("active_defrag_key_misses", 0),
        ("total_active_defrag_time", 0),
        ("current_active_defrag_time", 0),
        ("tracking_total_keys", _tracking_info(srv)[1]),
        ("tracking_total_items", _tracking_info(srv)[2]),
        ("tracking_total_prefixes", _tracking_info(srv)[3]),
        ("unexpected_error_replies", srv.unexpected_error_replies),
        ("total_error_replies", srv.total_error_replies),
        ("dump_payload_sanitizations", 0),
        ("io_threaded_reads_processed", 0),
        ("io_threaded_writes_processed", 0),
    ]


def _replication(ctx):
    return [
        ("role", "master"),
        ("connected_slaves", 0),
        ("master_failover_state", "no-failover"),
        ("master_replid", ctx.replid),
        ("master_replid2", "0" * 40),
        ("master_repl_offset", 0),
        ("second_repl_offset", -1),
        ("repl_backlog_active", 0),
        ("repl_backlog_size", ctx.cfg["repl-backlog-size"]),
        ("repl_backlog_first_byte_offset", 0),
        ("repl_backlog_histlen", 0),
    ]


def _tv(seconds: float) -> str:
    # Redis prints "%ld.%06ld" of a struct timeval
    return "%d.%06d" % (int(seconds), int(round((seconds - int(seconds)) * 1_000_000)) % 1_000_000)


def _cpu(ctx):
    me = resource.getrusage(resource.RUSAGE_SELF)
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        th = resource.getrusage(resource.RUSAGE_THREAD)
    except (AttributeError, ValueError, OSError):
        th = me
    return [
        ("used_cpu_sys", _tv(me.ru_stime)),
        ("used_cpu_user", _tv(me.ru_utime)),
        ("used_cpu_sys_children", _tv(ch.ru_stime)),
        ("used_cpu_user_children", _tv(ch.ru_utime)),
        ("used_cpu_sys_main_thread", _tv(th.ru_stime)),
        ("used_cpu_user_main_thread", _tv(th.ru_utime)),
    ]


def _modules(ctx):
    return []


def _all_commands(srv):
    for cmd in srv.command_objects.values():
        yield cmd
        if cmd.subcommands:
            yield from cmd.subcommands.values()


def _commandstats(ctx):
    out = []
    for cmd in _all_commands(ctx.srv):
        if not cmd.calls and not cmd.failed_calls and not cmd.rejected_calls:
            continue
        out.append(("cmdstat_" + cmd.name.decode("utf-8", "replace"),
                    "calls=%d,usec=%d,usec_per_call=%.2f,rejected_calls=%d,failed_calls=%d"
                    % (cmd.calls, cmd.usec, (cmd.usec / cmd.calls) if cmd.calls else 0.0,
                       cmd.rejected_calls, cmd.failed_calls)))
    return out


def _errorstats(ctx):
    # Redis keeps them in a radix tree: listed in byte order.
    return [("errorstat_" + k.decode("utf-8", "replace"), "count=%d" % v)
            for k, v in sorted(ctx.srv.error_stats.items())]


def _latencystats(ctx):
    # Per-command latency histograms are not recorded by the core yet.
    return []


def _cluster(ctx):
    return [("cluster_enabled", 0)]


def _keyspace(ctx):
    out = []
    for db in ctx.srv.keyspace.dbs:
        keys, expires = db.dbsize(), db.expires_count()
        if keys or expires:
            out.append(("db%d" % db.id, "keys=%d,expires=%d,avg_ttl=%d" % (keys, expires, db.avg_ttl)))
    return out


_BUILDERS = {
    "server": _server, "clients": _clients, "memory": _memory,
    "persistence": _persistence, "stats": _stats, "replication": _replication,
    "cpu": _cpu, "modules": _modules, "commandstats": _commandstats,
    "errorstats": _errorstats, "latencystats": _latencystats, "cluster": _cluster,
    "keyspace": _keyspace,
}


class Context:
    __slots__ = ("srv", "server", "cfg", "mem", "replid", "build_id")

    def __init__(self, srv, cfg, mem, replid, build_id):
        self.srv = srv
        self.server = srv.server
        self.cfg = cfg
        self.mem = mem
        self.replid = replid
        self.build_id = build_id


def select_sections(args) -> tuple[set, bool, bool]:
    """genInfoSectionDict: (names, all, everything) for INFO's arguments."""
    names: set = set()
    all_sections = everything = False
    if not args:
        names.update(DEFAULT_SECTIONS)
    for a in args:
        a = a.decode("utf-8", "surrogateescape").lower() if isinstance(a, bytes) else a.lower()
        if a == "default":
            names.update(DEFAULT_SECTIONS)
        elif a == "all":
            all_sections = True
        elif a == "everything":
            all_sections = everything = True
        else:
            names.add(a)
    return names, all_sections, everything


def _fields(ctx, name):
    fields = _BUILDERS[name](ctx)
    for fn in _providers.get(name, ()):
        extra = fn(ctx.srv)
        if not extra:
            continue
        index = {k: i for i, (k, _) in enumerate(fields)}
        for k, v in extra:
            if k in index:
                fields[index[k]] = (k, v)
            else:
                index[k] = len(fields)
                fields.append((k, v))
    return fields


def generate(ctx: Context, args) -> str:
    names, all_sections, _ = select_sections(args)
    parts = []
    for name, title in SECTIONS:
        wanted = all_sections or name in names or (name == "modules" and "module_list" in names)
        if not wanted:
            continue
        lines = ["# %s\r\n" % title]
        for k, v in _fields(ctx, name):
            lines.append("%s:%s\r\n" % (k, v))
        parts.append("".join(lines))
    return "\r\n".join(parts)
