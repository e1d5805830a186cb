"""THE table of configuration parameters (Redis's ``standardConfig
static_configs[]``): one row per parameter with its name, aliases, type,
default and flags, plus the validators some rows use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from fastkv.config.types import (
    _INT_MAX, _INT_MIN, _LLONG_MAX, _LONG_MAX, _MASK64, _UINT_MAX, DENY_LOADING, IMMUTABLE,
    PROTECTED, SENSITIVE, Check, ConfigError, _Bind, _Bool, _ClientOutputBufferLimit, _Dir,
    _Enum, _FlagsEnum, _NotifyKeyspaceEvents, _Num, _OomScoreAdjValues, _Percentiles,
    _ReplicaOf, _Save, _String, _Type)


# --- validators (Redis's is_valid_fn) ---------------------------------------

def _base_name(what: str, kind: str, allow_empty: bool = True) -> Check:
    def check(v):
        if not allow_empty and v == "":
            raise ConfigError("%s can't be empty" % what)
        if "/" in v:   # Redis's pathIsBaseName()
            raise ConfigError("%s can't be a path, just a %s" % (what, kind))
    return check


def _no_activedefrag(v):
    # fastkv has no allocator-level defragmentation, like a Redis build
    # without jemalloc; Redis rejects the option with this text then.
    if v:
        raise ConfigError("Active defragmentation cannot be enabled: it requires a "
                          "Redis server compiled with a modified Jemalloc like the one "
                          "shipped by default with the Redis source distribution")


def _no_cluster(v):
    if v:
        raise ConfigError("fastkv does not support cluster mode")


def _shutdown_flags(names):
    if "save" in names and "nosave" in names:
        raise ConfigError("shutdown options SAVE and NOSAVE can't be used simultaneously")


# ---------------------------------------------------------------------------
# THE table
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Param:
    name: str
    type: _Type
    default: str | None          # in redis.conf syntax; None = computed (dir)
    aliases: tuple[str, ...] = ()
    flags: int = 0

    def default_value(self):
        if isinstance(self.type, _Dir):
            try:
                return os.getcwd()
            except OSError:
                return ""
        args = _split_config_set(self.default) if self.type.multi_arg else [self.default]
        return self.type.parse(args)


def _p(name, type_, default, *aliases, flags=0):
    return Param(name, type_, default, tuple(aliases), flags)


_MEM = dict(memory=True)

PARAMS: tuple[Param, ...] = (
    # --- networking ---
    _p("port", _Num(0, 65535), "6379"),
    # Redis's built-in default is "* -::*"; fastkv listens on loopback only
    # unless told otherwise (the default of the sample redis.conf).
    _p("bind", _Bind(), "127.0.0.1 -::1"),
    _p("bind-source-addr", _String(null_if_empty=True), ""),
    _p("unixsocket", _String(null_if_empty=True), "", flags=IMMUTABLE),
    _p("unixsocketperm", _Num(0, 0o777, unsigned=True, octal=True), "0", flags=IMMUTABLE),
    # fastkv binds to loopback by default, so protected mode is off.
    _p("protected-mode", _Bool(), "no"),
    _p("tcp-backlog", _Num(0, _INT_MAX), "511", flags=IMMUTABLE),
    _p("tcp-keepalive", _Num(0, _INT_MAX), "300"),
    _p("socket-mark-id", _Num(0, _UINT_MAX, unsigned=True), "0", flags=IMMUTABLE),
    _p("timeout", _Num(0, _INT_MAX), "0"),
    _p("maxclients", _Num(1, _UINT_MAX, unsigned=True), "10000"),
    _p("io-threads", _Num(1, 128), "1", flags=IMMUTABLE),
    _p("io-threads-do-reads", _Bool(), "no", flags=IMMUTABLE),
    # --- general ---
    _p("daemonize", _Bool(), "no", flags=IMMUTABLE),
    _p("supervised", _Enum("upstart", "systemd", "auto", "no"), "no", flags=IMMUTABLE),
    _p("pidfile", _String(null_if_empty=True), "", flags=IMMUTABLE),
    _p("loglevel", _Enum("debug", "verbose", "notice", "warning"), "notice"),
    _p("logfile", _String(), "", flags=IMMUTABLE),
    _p("syslog-enabled", _Bool(), "no", flags=IMMUTABLE),
    _p("syslog-ident", _String(), "redis", flags=IMMUTABLE),
    _p("syslog-facility", _Enum("user", "local0", "local1", "local2", "local3", "local4",
                                "local5", "local6", "local7"), "local0", flags=IMMUTABLE),
    _p("crash-log-enabled", _Bool(), "yes"),
    _p("crash-memcheck-enabled", _Bool(), "yes"),
    _p("databases", _Num(1, _INT_MAX), "16", flags=IMMUTABLE),
    _p("always-show-logo", _Bool(), "no", flags=IMMUTABLE),
    _p("set-proc-title", _Bool(), "yes", flags=IMMUTABLE),
    _p("proc-title-template", _String(), "{title} {listen-addr} {server-mode}"),
    _p("hz", _Num(0, _INT_MAX, clamp=(1, 500)), "10"),
    _p("dynamic-hz", _Bool(), "yes"),
    _p("enable-protected-configs", _Enum("no", "yes", "local"), "no", flags=IMMUTABLE),
    _p("enable-debug-command", _Enum("no", "yes", "local"), "no", flags=IMMUTABLE),
    _p("enable-module-command", _Enum("no", "yes", "local"), "no", flags=IMMUTABLE),
    _p("ignore-warnings", _String(), ""),
    _p("disable-thp", _Bool(), "yes", flags=IMMUTABLE),
    _p("oom-score-adj", _Enum(("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)), "no"),
    _p("oom-score-adj-values", _OomScoreAdjValues(), "0 200 800"),
    _p("server_cpulist", _String(null_if_empty=True), "", flags=IMMUTABLE),
    _p("bio_cpulist", _String(null_if_empty=True), "", flags=IMMUTABLE),
    _p("aof_rewrite_cpulist", _String(null_if_empty=True), "", flags=IMMUTABLE),
    _p("bgsave_cpulist", _String(null_if_empty=True), "", flags=IMMUTABLE),
    _p("shutdown-timeout", _Num(0, _INT_MAX), "10"),
    _p("shutdown-on-sigint", _FlagsEnum(("default", 0), ("save", 1), ("nosave", 2), ("now", 4),
                                        ("force", 8), check=_shutdown_flags), "default"),
    _p("shutdown-on-sigterm", _FlagsEnum(("default", 0), ("save", 1), ("nosave", 2), ("now", 4),
                                         ("force", 8), check=_shutdown_flags), "default"),
    # --- snapshotting ---
    _p("save", _Save(), "3600 1 300 100 60 10000"),
    _p("stop-writes-on-bgsave-error", _Bool(), "yes"),
    _p("rdbcompression", _Bool(), "yes"),
    _p("rdbchecksum", _Bool(), "yes", flags=IMMUTABLE),
    _p("sanitize-dump-payload", _Enum("no", "yes", "clients"), "no"),
    _p("dbfilename", _String(check=_base_name("dbfilename", "filename")), "dump.rdb",
       flags=PROTECTED),
    _p("rdb-del-sync-files", _Bool(), "no"),
    _p("rdb-save-incremental-fsync", _Bool(), "yes"),
    _p("dir", _Dir(), None, flags=PROTECTED | DENY_LOADING),
    # --- append only file ---
    _p("appendonly", _Bool(), "no", flags=DENY_LOADING),
    _p("appendfilename", _String(check=_base_name("appendfilename", "filename", False)),
       "appendonly.aof", flags=IMMUTABLE),
    _p("appenddirname", _String(check=_base_name("appenddirname", "dirname", False)),
       "appendonlydir", flags=IMMUTABLE),
    _p("appendfsync", _Enum("everysec", "always", "no"), "everysec"),
    _p("no-appendfsync-on-rewrite", _Bool(), "no"),
    _p("auto-aof-rewrite-percentage", _Num(0, _INT_MAX), "100"),
    _p("auto-aof-rewrite-min-size", _Num(0, _LLONG_MAX, **_MEM), "64mb"),
    _p("aof-load-truncated", _Bool(), "yes"),
    _p("aof-use-rdb-preamble", _Bool(), "yes"),
    _p("aof-timestamp-enabled", _Bool(), "no"),
    _p("aof-rewrite-incremental-fsync", _Bool(), "yes"),
    _p("aof-disable-auto-gc", _Bool(), "no"),
    # --- security ---
    _p("requirepass", _String(null_if_empty=True), "", flags=SENSITIVE),
    _p("aclfile", _String(), "", flags=IMMUTABLE),
    _p("acllog-max-len", _Num(0, _LONG_MAX), "128"),
    _p("acl-pubsub-default", _Enum(("allchannels", 1), ("resetchannels", 0)), "resetchannels"),
    # --- limits / memory management ---
    _p("maxmemory", _Num(0, _MASK64, unsigned=True, **_MEM), "0"),
    _p("maxmemory-policy", _Enum("volatile-lru", "volatile-lfu", "volatile-random",
                                 "volatile-ttl", "allkeys-lru", "allkeys-lfu",
                                 "allkeys-random", "noeviction"), "noeviction"),
    _p("maxmemory-samples", _Num(1, _INT_MAX), "5"),
    _p("maxmemory-eviction-tenacity", _Num(0, 100), "10"),
    # Negative typed value = percentage of maxmemory (Redis stores it so).
    _p("maxmemory-clients", _Num(-100, _LLONG_MAX, memory=True, percent=True), "0"),
    _p("lfu-log-factor", _Num(0, _INT_MAX), "10"),
    _p("lfu-decay-time", _Num(0, _INT_MAX), "1"),
    _p("active-expire-effort", _Num(1, 10), "1"),
    _p("lazyfree-lazy-eviction", _Bool(), "no"),
    _p("lazyfree-lazy-expire", _Bool(), "no"),
    _p("lazyfree-lazy-server-del", _Bool(), "no"),
    _p("lazyfree-lazy-user-del", _Bool(), "no"),
    _p("lazyfree-lazy-user-flush", _Bool(), "no"),
    _p("activerehashing", _Bool(), "yes"),
    _p("activedefrag", _Bool(check=_no_activedefrag), "no"),
    _p("active-defrag-ignore-bytes", _Num(1, _LLONG_MAX, unsigned=True, **_MEM), "100mb"),
    _p("active-defrag-threshold-lower", _Num(0, 1000), "10"),
    _p("active-defrag-threshold-upper", _Num(0, 1000), "100"),
    _p("active-defrag-cycle-min", _Num(1, 99), "1"),
    _p("active-defrag-cycle-max", _Num(1, 99), "25"),
    _p("active-defrag-max-scan-fields", _Num(1, _LONG_MAX), "1000"),
    _p("jemalloc-bg-thread", _Bool(), "yes"),
    _p("client-output-buffer-limit", _ClientOutputBufferLimit(),
       "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"),
    _p("client-query-buffer-limit", _Num(1 << 20, _LONG_MAX, unsigned=True, **_MEM), "1gb"),
    _p("proto-max-bulk-len", _Num(1 << 20, _LONG_MAX, **_MEM), "512mb"),
    _p("busy-reply-threshold", _Num(0, _LONG_MAX), "5000", "lua-time-limit"),
    # --- encodings of small aggregates ---
    _p("hash-max-listpack-entries", _Num(0, _LONG_MAX, unsigned=True), "512",
       "hash-max-ziplist-entries"),
    _p("hash-max-listpack-value", _Num(0, _LONG_MAX, unsigned=True, **_MEM), "64",
       "hash-max-ziplist-value"),
    _p("list-max-listpack-size", _Num(_INT_MIN, _INT_MAX), "-2", "list-max-ziplist-size"),
    _p("list-compress-depth", _Num(0, _INT_MAX), "0"),
    _p("set-max-intset-entries", _Num(0, _LONG_MAX, unsigned=True), "512"),
    _p("zset-max-listpack-entries", _Num(0, _LONG_MAX, unsigned=True), "128",
       "zset-max-ziplist-entries"),
    _p("zset-max-listpack-value", _Num(0, _LONG_MAX, unsigned=True, **_MEM), "64",
       "zset-max-ziplist-value"),
    _p("hll-sparse-max-bytes", _Num(0, _LONG_MAX, unsigned=True, **_MEM), "3000"),
    _p("stream-node-max-bytes", _Num(0, _LONG_MAX, unsigned=True, **_MEM), "4096"),
    _p("stream-node-max-entries", _Num(0, _LLONG_MAX), "100"),
    # --- monitoring ---
    _p("slowlog-log-slower-than", _Num(-1, _LLONG_MAX), "10000"),
    _p("slowlog-max-len", _Num(0, _LONG_MAX), "128"),
    _p("latency-monitor-threshold", _Num(0, _LLONG_MAX), "0"),
    _p("latency-tracking", _Bool(), "yes"),
    _p("latency-tracking-info-percentiles", _Percentiles(), "50 99 99.9"),
    _p("notify-keyspace-events", _NotifyKeyspaceEvents(), ""),
    _p("tracking-table-max-keys", _Num(0, _LONG_MAX, unsigned=True), "1000000"),
    # --- replication (accepted for compatibility with Redis configs) ---
    _p("replicaof", _ReplicaOf(), "no one", "slaveof", flags=IMMUTABLE),
    _p("masterauth", _String(null_if_empty=True), "", flags=SENSITIVE),
    _p("masteruser", _String(null_if_empty=True), "", flags=SENSITIVE),
    _p("replica-serve-stale-data", _Bool(), "yes", "slave-serve-stale-data"),
    _p("replica-read-only", _Bool(), "yes", "slave-read-only"),
    _p("replica-lazy-flush", _Bool(), "no", "slave-lazy-flush"),
    _p("replica-ignore-maxmemory", _Bool(), "yes", "slave-ignore-maxmemory"),
    _p("replica-ignore-disk-write-errors", _Bool(), "no"),
    _p("replica-announced", _Bool(), "yes"),
    _p("replica-announce-ip", _String(null_if_empty=True), "", "slave-announce-ip"),
    _p("replica-announce-port", _Num(0, 65535), "0", "slave-announce-port"),
    _p("replica-priority", _Num(0, _INT_MAX), "100", "slave-priority"),
    _p("repl-diskless-sync", _Bool(), "yes"),
    _p("repl-diskless-sync-delay", _Num(0, _INT_MAX), "5"),
    _p("repl-diskless-sync-max-replicas", _Num(0, _INT_MAX), "0"),
    _p("repl-diskless-load", _Enum("disabled", "on-empty-db", "swapdb"), "disabled",
       flags=DENY_LOADING),
    _p("repl-ping-replica-period", _Num(1, _INT_MAX), "10", "repl-ping-slave-period"),
    _p("repl-timeout", _Num(1, _INT_MAX), "60"),
    _p("repl-disable-tcp-nodelay", _Bool(), "no"),
    _p("repl-backlog-size", _Num(1, _LLONG_MAX, **_MEM), "1mb"),
    _p("repl-backlog-ttl", _Num(0, _LONG_MAX), "3600"),
    _p("min-replicas-to-write", _Num(0, _INT_MAX), "0", "min-slaves-to-write"),
    _p("min-replicas-max-lag", _Num(0, _INT_MAX), "10", "min-slaves-max-lag"),
    _p("propagation-error-behavior", _Enum("ignore", "panic", "panic-on-replicas"), "ignore"),
    # --- cluster: not supported, but clients probe this one ---
    _p("cluster-enabled", _Bool(check=_no_cluster), "no", flags=IMMUTABLE),
)


def _build_index() -> dict[str, tuple[Param, str]]:
    idx: dict[str, tuple[Param, str]] = {}
    for p in PARAMS:
        for n in (p.name, *p.aliases):
            assert n not in idx, n
            idx[n] = (p, n)
    return idx


# lower-case name (primary or alias) -> (param, registered name)
_INDEX = _build_index()
_DEPRECATED = ("list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands")


def _split_config_set(value: str) -> list[str]:
    # CONFIG SET splits multi-arg values on single spaces (sdssplitlen), so
    # "3600  1" has an empty argument and is rejected, like Redis does.
    return value.split(" ") if value else []
