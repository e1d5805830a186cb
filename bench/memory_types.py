#!/usr/bin/env python3
"""Memory of collection-shaped data: fastkv vs redis-server.

Four cases (issue 6), each loaded the same way into a fresh keyspace of
both servers (FLUSHALL between cases), measured as the growth of INFO
memory ``used_memory``:

* hashes -- 100,000 hashes of 10 small fields   (HSET h:N f0 v f1 v ...: listpack)
* sets   -- 100,000 sets of 10 small integers   (SADD s:N 1 2 ...: intset)
* list   -- one list of 1,000,000 short items   (RPUSH, 100 items a command: quicklist)
* zset   -- one sorted set of 1,000,000 members (ZADD, 100 pairs a command: skiplist)
* stream -- one stream of 1,000,000 entries (XADD stream * field value:N; issue 7,
            only with --cases ...,stream)

The commands are generated once and sent as the same bytes to both
servers, pipelined in batches; every reply is checked.  The table prints
bytes per element and the ratio fastkv/redis (issue target: <= 1.0x), with
the encoding each server reports (OBJECT ENCODING of one key).

    python bench/memory_types.py                 # ~1 minute
    python bench/memory_types.py --quick         # a tenth of the data
    python bench/memory_types.py --fastkv-cmd redis-server    # harness self-test
    python bench/run.py --profile issue4 --only memtypes      # the same, from run.py

Standard library only; reuses bench/run.py's server handling.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import run  # noqa: E402  (bench/run.py: Server, RespConn, tables)
from loadgen import encode_command  # noqa: E402

# name, description, elements, per-key sample for OBJECT ENCODING, check command, expected
CASES = ("hashes", "sets", "list", "zset")
# issue 7: one stream of 1,000,000 entries (XADD stream * f <n>, 100 a batch)
ALL_CASES = CASES + ("stream",)


def _cmds_hashes(scale):
    n = 100_000 // scale
    for i in range(n):
        args = [b"HSET", b"h:%d" % i]
        for j in range(10):
            args += [b"f%d" % j, b"v%d" % (i * 10 + j)]
        yield args


def _cmds_sets(scale):
    n = 100_000 // scale
    for i in range(n):
        base = (i % 1000) * 10
        yield [b"SADD", b"s:%d" % i] + [b"%d" % (base + j) for j in range(10)]


def _cmds_list(scale):
    n = 1_000_000 // scale
    for i in range(0, n, 100):
        yield [b"RPUSH", b"list"] + [b"item:%d" % j for j in range(i, min(n, i + 100))]


def _cmds_zset(scale):
    n = 1_000_000 // scale
    for i in range(0, n, 100):
        args = [b"ZADD", b"zset"]
        for j in range(i, min(n, i + 100)):
            args += [repr((j * 7919 % 1_000_003) / 4).encode(), b"m:%d" % j]
        yield args


def _cmds_stream(scale):
    n = 1_000_000 // scale
    for i in range(n):
        yield [b"XADD", b"stream", b"*", b"field", b"value:%d" % i]


def case_spec(name: str, scale: int) -> dict:
    """What a case loads and how it is checked."""
    if name == "hashes":
        n = 100_000 // scale
        return {"title": f"{n:,} hashes x 10 fields", "elements": n * 10, "gen": _cmds_hashes,
                "sample": b"h:0", "check": ([b"DBSIZE"], n), "check2": ([b"HLEN", b"h:%d" % (n - 1)], 10)}
    if name == "sets":
        n = 100_000 // scale
        return {"title": f"{n:,} sets x 10 integers", "elements": n * 10, "gen": _cmds_sets,
                "sample": b"s:0", "check": ([b"DBSIZE"], n), "check2": ([b"SCARD", b"s:%d" % (n - 1)], 10)}
    if name == "list":
        n = 1_000_000 // scale
        return {"title": f"1 list x {n:,} items", "elements": n, "gen": _cmds_list,
                "sample": b"list", "check": ([b"LLEN", b"list"], n), "check2": None}
    if name == "zset":
        n = 1_000_000 // scale
        return {"title": f"1 sorted set x {n:,} members", "elements": n, "gen": _cmds_zset,
                "sample": b"zset", "check": ([b"ZCARD", b"zset"], n), "check2": None}
    if name == "stream":
        n = 1_000_000 // scale
        return {"title": f"1 stream x {n:,} entries", "elements": n, "gen": _cmds_stream,
                "sample": b"stream", "check": ([b"XLEN", b"stream"], n), "check2": None}
    raise ValueError(name)


def build_batches(spec: dict, scale: int, batch: int = 200) -> list[tuple[bytes, int]]:
    """The case's commands, pre-encoded in pipelined batches (same bytes for both servers)."""
    out, cur = [], []
    for args in spec["gen"](scale):
        cur.append(encode_command(*args))
        if len(cur) == batch:
            out.append((b"".join(cur), len(cur)))
            cur = []
    if cur:
        out.append((b"".join(cur), len(cur)))
    return out


def load(conn: run.RespConn, batches, deadline: run.Deadline) -> float:
    t0 = time.monotonic()
    for payload, n in batches:
        deadline.remaining()
        conn.sock.sendall(payload)
        for _ in range(n):
            reply = conn.read_reply()
            if isinstance(reply, run.RespError):
                raise run.BenchError(f"error reply during load: {reply}")
    return time.monotonic() - t0


def used_memory(conn: run.RespConn) -> int:
    v = run.info_field(conn, "memory", "used_memory")
    if v is None:
        raise run.BenchError("INFO memory has no used_memory")
    return v


def measure_server(name: str, template: str, pin: list[str], cases: list[str], prepared: dict,
                   deadline: run.Deadline, start_timeout: float = 15.0) -> dict:
    """One fresh server; every case in turn on an emptied keyspace."""
    res = {}
    with run.Server(name, template, pin, start_timeout) as s:
        with run.RespConn(s.port, timeout=600) as c:
            for case in cases:
                spec, batches = prepared[case]
                c.command("FLUSHALL", "SYNC")
                time.sleep(0.2)
                used0 = used_memory(c)
                secs = load(c, batches, deadline)
                for chk in (spec["check"], spec["check2"]):
                    if chk:
                        got = c.command(*chk[0])
                        if got != chk[1]:
                            raise run.BenchError(f"{name} {case}: {chk[0]} = {got!r}, expected {chk[1]!r}")
                time.sleep(0.2)
                used1 = used_memory(c)
                enc = c.command("OBJECT", "ENCODING", spec["sample"])
                enc = enc.decode() if isinstance(enc, bytes) else str(enc)
                res[case] = {"used_before": used0, "used_after": used1, "bytes": used1 - used0,
                             "bytes_per_element": (used1 - used0) / spec["elements"],
                             "encoding": enc, "load_seconds": secs}
                run.log(f"  {name:<6} {case:<6}: {spec['title']}: used_memory +{(used1 - used0) / 2**20:,.1f} MiB "
                        f"({(used1 - used0) / spec['elements']:.1f} B/element, {enc}), loaded in {secs:.1f}s")
            c.command("FLUSHALL", "SYNC")
    return res


def run_cases(fastkv_cmd: str, redis_cmd: str, pin: list[str], deadline: run.Deadline,
              quick: bool = False, cases=CASES, start_timeout: float = 15.0) -> dict:
    scale = 10 if quick else 1
    prepared = {}
    for case in cases:
        spec = case_spec(case, scale)
        prepared[case] = (spec, build_batches(spec, scale))
    out = {"scale": scale, "cases": {}}
    sides = {}
    for name, template in (("fastkv", fastkv_cmd), ("redis", redis_cmd)):
        sides[name] = measure_server(name, template, pin, list(cases), prepared, deadline, start_timeout)
    for case in cases:
        spec = prepared[case][0]
        f, r = sides["fastkv"][case], sides["redis"][case]
        out["cases"][case] = {"title": spec["title"], "elements": spec["elements"], "fastkv": f, "redis": r,
                              "ratio": run.ratio(f["bytes"], r["bytes"])}
    return out


def rows(result: dict) -> tuple[list[str], list[list[str]]]:
    headers = ["case", "fastkv MiB", "redis MiB", "fastkv B/elem", "redis B/elem", "encodings", "fastkv/redis"]
    out = []
    for case, r in result["cases"].items():
        f, d = r["fastkv"], r["redis"]
        out.append([r["title"], f"{f['bytes'] / 2**20:,.1f}", f"{d['bytes'] / 2**20:,.1f}",
                    f"{f['bytes_per_element']:.1f}", f"{d['bytes_per_element']:.1f}",
                    f"{f['encoding']} / {d['encoding']}", run.fmt_ratio(f["bytes"], d["bytes"])])
    return headers, out


def title(result: dict) -> str:
    return ("Memory of collections (INFO used_memory growth, same commands to both; "
            "encodings fastkv / redis)")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="a tenth of the data")
    p.add_argument("--fastkv-cmd", default=run.DEFAULT_FASTKV_CMD)
    p.add_argument("--redis-cmd", default=run.DEFAULT_REDIS_CMD)
    p.add_argument("--cases", default=",".join(CASES), help="comma-separated: " + ", ".join(ALL_CASES))
    p.add_argument("--no-pin", action="store_true", help="do not use taskset")
    p.add_argument("--markdown", action="store_true")
    p.add_argument("--max-time", type=float, default=1800.0)
    a = p.parse_args(argv)
    cases = [c.strip() for c in a.cases.split(",") if c.strip()]
    bad = [c for c in cases if c not in ALL_CASES]
    if bad:
        p.error("unknown case(s): " + ", ".join(bad))
    a.parts = []
    server_pin, _, pin_desc = run.pinning(a)
    run.log(f"memory of collections -- pinning: {pin_desc}")
    try:
        result = run_cases(a.fastkv_cmd, a.redis_cmd, server_pin, run.Deadline(a.max_time), a.quick, cases)
    except run.BenchError as e:
        run.log(f"error: {e}")
        return 1
    h, r = rows(result)
    print("\n" + title(result))
    print(run.text_table(h, r))
    if a.markdown:
        print("\n" + run.md_table(h, r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
