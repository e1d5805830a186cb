"""The latency monitor (Redis's latency.c): per event ("command",
"fast-command" ...) a ring of the worst latency seen in each second."""
from __future__ import annotations

import time

LATENCY_TS_LEN = 160


class LatencySeries:
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


class LatencyMonitor:
    def __init__(self):
        self.events: dict[str, LatencySeries] = {}   # event name -> series

    def add(self, event: str, latency_ms: int):
        """latencyAddSample()."""
        ts = self.events.get(event)
        if ts is None:
            ts = self.events[event] = LatencySeries()
        ts.add(int(time.time()), latency_ms)

    def reset(self, names=None) -> int:
        """LATENCY RESET: forget the named events (all without names);
        returns how many were known."""
        if names is None:
            n = len(self.events)
            self.events.clear()
            return n
        return sum(self.events.pop(name, None) is not None for name in names)
