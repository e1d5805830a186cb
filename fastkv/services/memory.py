"""Memory figures: used/peak/RSS, per-client memory, the overhead
breakdown behind INFO memory and MEMORY STATS (Redis's object.c
getMemoryOverheadData and memoryCommand).
"""
from __future__ import annotations

import os
import resource
import struct

from fastkv._core.keyspace import used_memory as _fk_used_memory


def _ratio(a, b) -> float:
    return a / b if b else 0.0


def rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def total_system_memory() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return 0


def client_memory(c) -> int:
    """Approximate getClientMemoryUsage(): query buffer, argv, output buffers."""
    pending = 0
    t = c.transport
    if t is not None:
        try:
            pending = t.get_write_buffer_size()
        except Exception:  # noqa: BLE001 - closed transports
            pending = 0
    return CLIENT_STRUCT_SIZE + c.qbuf_cap + c.argv_len_sum + max(c.obuf_len, 1024) + pending


CLIENT_STRUCT_SIZE = 1024   # the Client object, its argv array and bookkeeping


class MemState:
    """Per-server memory bookkeeping that INFO needs between calls."""

    def __init__(self):
        self.startup = _fk_used_memory()
        self.peak = self.startup

    def sample(self) -> int:
        used = _fk_used_memory()
        if used > self.peak:
            self.peak = used
        return used


def memory_overhead(srv, mem: MemState) -> dict:
    """getMemoryOverheadData(): the numbers behind INFO memory / MEMORY STATS."""
    used = mem.sample()
    clients_normal = sum(client_memory(c) for c in list(srv.clients.values()))
    dbs = []
    overhead_db = 0
    for db in srv.keyspace.dbs:
        keys = db.dbsize()
        expires = db.expires_count()
        if not keys and not expires:
            continue
        b = db.buckets()
        main = (b[0] + b[1]) * 8
        dbs.append((db.id, main, expires * 8 if expires else 0))
        overhead_db += main + (expires * 8 if expires else 0)
    overhead = mem.startup + clients_normal + overhead_db
    dataset = max(0, used - overhead)
    net = used - mem.startup
    rss = rss_bytes()
    keys = srv.keyspace.total_keys()
    return {
        "used": used, "peak": max(mem.peak, used), "startup": mem.startup,
        "clients_normal": clients_normal, "dbs": dbs, "overhead": overhead,
        "dataset": dataset,
        "dataset_perc": dataset * 100.0 / net if net > 0 else 0.0,
        "peak_perc": used * 100.0 / mem.peak if mem.peak else 0.0,
        "keys": keys, "bytes_per_key": (net // keys) if keys else 0,
        "rss": rss,
        # fastkv's allocator is libc malloc (counted with malloc_usable_size):
        # what was handed out is both "allocated" and "active".
        "allocator_allocated": used, "allocator_active": used,
        "allocator_resident": rss,
        "allocator_frag": _ratio(used, used), "allocator_frag_bytes": 0,
        "allocator_rss": _ratio(rss, used), "allocator_rss_bytes": rss - used,
        "rss_extra": 1.0, "rss_extra_bytes": 0,
        "total_frag": _ratio(rss, used), "total_frag_bytes": rss - used,
    }


def _float32(x: float) -> float:
    """Redis keeps these ratios in C floats: report what a float holds."""
    return struct.unpack("f", struct.pack("f", x))[0]


def memory_stats(srv, mem: MemState) -> dict:
    """MEMORY STATS: the reply map, in Redis's order (ratios are doubles)."""
    mh = memory_overhead(srv, mem)
    out = {
        b"peak.allocated": mh["peak"],
        b"total.allocated": mh["used"],
        b"startup.allocated": mh["startup"],
        b"replication.backlog": 0,
        b"clients.slaves": 0,
        b"clients.normal": mh["clients_normal"],
        b"cluster.links": 0,
        b"aof.buffer": 0,
        b"lua.caches": 0,
        b"functions.caches": 0,
    }
    for dbid, main, expires in mh["dbs"]:
        out[b"db.%d" % dbid] = {
            b"overhead.hashtable.main": main,
            b"overhead.hashtable.expires": expires,
            b"overhead.hashtable.slot-to-keys": 0,
        }
    out.update({
        b"overhead.total": mh["overhead"],
        b"keys.count": mh["keys"],
        b"keys.bytes-per-key": mh["bytes_per_key"],
        b"dataset.bytes": mh["dataset"],
        b"dataset.percentage": _float32(mh["dataset_perc"]),
        b"peak.percentage": _float32(mh["peak_perc"]),
        b"allocator.allocated": mh["allocator_allocated"],
        b"allocator.active": mh["allocator_active"],
        b"allocator.resident": mh["allocator_resident"],
        b"allocator-fragmentation.ratio": _float32(mh["allocator_frag"]),
        b"allocator-fragmentation.bytes": mh["allocator_frag_bytes"],
        b"allocator-rss.ratio": _float32(mh["allocator_rss"]),
        b"allocator-rss.bytes": mh["allocator_rss_bytes"],
        b"rss-overhead.ratio": _float32(mh["rss_extra"]),
        b"rss-overhead.bytes": mh["rss_extra_bytes"],
        b"fragmentation": _float32(mh["total_frag"]),
        b"fragmentation.bytes": mh["total_frag_bytes"],
    })
    return out
