"""The per-server services object and how handlers find it.

``install(server)`` creates a ``Services`` at start-up, attaches it to the
Python Server object and hooks the slow log / latency monitor into the core;
handlers reach it with ``state_of(client.srv)``.  ``cron_tick(server)`` is
the services' share of the server cron.
"""
from __future__ import annotations

import hashlib
import os

from fastkv import __version__
from fastkv._core.client import FLAG_BITS
from fastkv.services import info as _info
from fastkv.services.latency import LatencyMonitor
from fastkv.services.memory import MemState
from fastkv.services.slowlog import SlowLog

_CMD_FAST = FLAG_BITS["fast"]

# The core calls srv.slowlog for commands slower than one threshold; the
# services own it (the lower of the two below) and re-push it on change.
_THRESHOLD_PARAMS = ("slowlog-log-slower-than", "latency-monitor-threshold")


class Services:
    def __init__(self, srv):
        self.srv = srv
        self.slowlog = SlowLog()
        self.slow_us = 10000                     # slowlog-log-slower-than
        self.latency_ms = 0                      # latency-monitor-threshold
        self.latency = LatencyMonitor()
        self.mem = MemState()
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
            self.slowlog.push(c, argv, duration_us, self.srv,
                              config_of(self.srv)["slowlog-max-len"])
        if self.latency_ms > 0 and duration_us // 1000 >= self.latency_ms:
            cmd = self.srv.lookup(c.last_cmd) if c.last_cmd else None
            event = "fast-command" if cmd is not None and cmd.flags & _CMD_FAST else "command"
            self.latency.add(event, duration_us // 1000)

    # -- INFO --------------------------------------------------------------
    def info_ctx(self, cfg):
        return _info.Context(self.srv, cfg, self.mem, self.replid, self.build_id)


def config_of(srv):
    return srv.server.config


def state_of(srv) -> Services:
    """The per-server services (created by install() at start-up)."""
    return srv.server._services


def install(server):
    """Create the per-server services and hook the slow log / latency
    monitor into the core; Server calls it once its ServerState is set up."""
    st = server._services = Services(server.state)
    st.hook(server.config)
    return st


def cron_tick(server):
    """Bookkeeping for the server cron: samples used_memory for the peak."""
    st = getattr(server, "_services", None)
    if st is not None:
        st.mem.sample()
