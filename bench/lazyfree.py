#!/usr/bin/env python3
"""Latency of other clients while a huge set is freed: fastkv vs redis-server.

For each server (fresh process): build one set of --members members (SADD
with --per-cmd members a command, pipelined), then start a prober process
that sends PING after PING on its own connection and records every
round-trip, UNLINK the set, and poll INFO until lazyfree_pending_objects is
back to 0 (the background free is over).  Reported over the PINGs sent
between the UNLINK and the end of the free: p50 / p99 / max round-trip, and
how long the UNLINK reply and the free took.  Issue 6 target: p99 < 10 ms
for a 10,000,000-member set.

--with-flushall also times FLUSHALL ASYNC of the same set (rebuilt), and
--with-del a plain (synchronous) DEL, to show what the lazy free avoids.

Servers are not pinned by default: like Redis's bio thread, fastkv's lazy
free thread is meant to run on another core than the event loop
(--pin puts the whole server on one core, the prober on the other).

    python bench/lazyfree.py                     # 10M members (~2 minutes)
    python bench/lazyfree.py --quick             # 1M members
    python bench/lazyfree.py --with-del --markdown

Standard library only; reuses bench/run.py's server handling.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import socket
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import run  # noqa: E402
from loadgen import encode_command  # noqa: E402


# ---------------------------------------------------------------- prober

def prober(port: int, stop, ready, conn_out) -> None:
    """PING in a loop; send back [(t_sent, rtt)] (time.monotonic seconds)."""
    s = socket.create_connection((run.HOST, port), timeout=120)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    ping = b"*1\r\n$4\r\nPING\r\n"
    out = []
    ready.set()
    buf = b""
    while not stop.is_set():
        t0 = time.monotonic()
        s.sendall(ping)
        while b"\r\n" not in buf:
            chunk = s.recv(4096)
            if not chunk:
                raise ConnectionError("server closed the prober connection")
            buf += chunk
        t1 = time.monotonic()
        line, buf = buf.split(b"\r\n", 1)
        if line != b"+PONG":
            raise RuntimeError(f"unexpected reply {line!r}")
        out.append((t0, t1 - t0))
    s.close()
    conn_out.send(out)
    conn_out.close()


# ---------------------------------------------------------------- building

def build_batches(members: int, per_cmd: int, cmds_per_batch: int = 8) -> list[tuple[bytes, int]]:
    batches, cur = [], []
    for i in range(0, members, per_cmd):
        cur.append(encode_command(b"SADD", b"bigset", *[b"m:%d" % j for j in range(i, min(members, i + per_cmd))]))
        if len(cur) == cmds_per_batch:
            batches.append((b"".join(cur), len(cur)))
            cur = []
    if cur:
        batches.append((b"".join(cur), len(cur)))
    return batches


def build(c: run.RespConn, batches, members: int) -> float:
    t0 = time.monotonic()
    for payload, n in batches:
        c.sock.sendall(payload)
        for _ in range(n):
            r = c.read_reply()
            if isinstance(r, run.RespError):
                raise run.BenchError(f"SADD failed: {r}")
    got = c.command("SCARD", "bigset")
    if got != members:
        raise run.BenchError(f"SCARD is {got}, expected {members}")
    return time.monotonic() - t0


def pending(c: run.RespConn) -> int:
    v = run.info_field(c, "memory", "lazyfree_pending_objects")
    return 0 if v is None else v


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = min(len(xs) - 1, max(0, int(round(p / 100.0 * len(xs) + 0.5)) - 1))
    return xs[k]


def one_free(c: run.RespConn, port: int, command: str, settle: float = 0.3) -> dict:
    """Run `command bigset` while a prober PINGs; stats of the PINGs sent
    from the command until the free is over (lazyfree_pending_objects 0)."""
    ctx = mp.get_context("fork")
    stop, ready = ctx.Event(), ctx.Event()
    rx, tx = ctx.Pipe(duplex=False)
    p = ctx.Process(target=prober, args=(port, stop, ready, tx), daemon=True)
    p.start()
    try:
        if not ready.wait(10):
            raise run.BenchError("prober did not start")
        time.sleep(settle)
        used0 = run.info_field(c, "memory", "used_memory")
        t0 = time.monotonic()
        if command == "FLUSHALL ASYNC":
            reply = c.command("FLUSHALL", "ASYNC")
            reply = 1 if reply in ("OK", b"OK") else reply
        else:
            reply = c.command(command, "bigset")
        t1 = time.monotonic()
        if reply != 1:
            raise run.BenchError(f"{command} replied {reply!r}")
        while pending(c):          # INFO costs the server too: poll gently
            time.sleep(0.05)
        t2 = time.monotonic()
        time.sleep(settle)
        stop.set()
        samples = rx.recv()
    finally:
        stop.set()
        p.join(10)
        if p.is_alive():
            p.kill()
    used1 = run.info_field(c, "memory", "used_memory")
    during = [rtt for (ts, rtt) in samples if t0 <= ts <= t2]
    # a PING sent just before the command and stuck behind it counts too
    during += [rtt for (ts, rtt) in samples if ts < t0 and ts + rtt > t0]
    return {
        "command": command, "reply_ms": (t1 - t0) * 1e3, "free_s": t2 - t0,
        "pings": len(during), "p50_ms": pct(during, 50) * 1e3, "p99_ms": pct(during, 99) * 1e3,
        "max_ms": max(during) * 1e3 if during else float("nan"),
        "baseline_p99_ms": pct([rtt for (ts, rtt) in samples if ts < t0 - 0.01], 99) * 1e3,
        "used_memory_freed": (used0 - used1) if used0 is not None and used1 is not None else None,
    }


def measure(name: str, template: str, pin: list[str], batches, members: int, commands: list[str],
            start_timeout: float) -> list[dict]:
    out = []
    with run.Server(name, template, pin, start_timeout) as s:
        with run.RespConn(s.port, timeout=600) as c:
            for command in commands:
                secs = build(c, batches, members)
                run.log(f"  {name}: built a {members:,}-member set in {secs:.1f}s "
                        f"({members / secs:,.0f} members/s); {command} ...")
                r = one_free(c, s.port, command)
                r.update(server=name, members=members, build_s=secs)
                run.log(f"  {name}: {command} replied in {r['reply_ms']:.1f} ms, free done after "
                        f"{r['free_s']:.2f}s; {r['pings']} PINGs meanwhile: p50 {r['p50_ms']:.2f} ms, "
                        f"p99 {r['p99_ms']:.2f} ms, max {r['max_ms']:.1f} ms")
                out.append(r)
    return out


def rows(results: list[dict]) -> tuple[list[str], list[list[str]]]:
    headers = ["server", "command", "members", "reply ms", "free s", "PINGs", "p50 ms", "p99 ms", "max ms",
               "idle p99 ms"]
    return headers, [[r["server"], r["command"], f"{r['members']:,}", f"{r['reply_ms']:.1f}",
                      f"{r['free_s']:.2f}", str(r["pings"]), f"{r['p50_ms']:.2f}", f"{r['p99_ms']:.2f}",
                      f"{r['max_ms']:.1f}", f"{r['baseline_p99_ms']:.2f}"] for r in results]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--members", type=int, default=None, help="set size (default 10,000,000; 1,000,000 with --quick)")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--per-cmd", type=int, default=1000, help="members per SADD")
    p.add_argument("--fastkv-cmd", default=run.DEFAULT_FASTKV_CMD)
    p.add_argument("--redis-cmd", default=run.DEFAULT_REDIS_CMD)
    p.add_argument("--servers", default="fastkv,redis", help="which to run, in order")
    p.add_argument("--with-del", action="store_true", help="also time a synchronous DEL (rebuilds the set)")
    p.add_argument("--with-flushall", action="store_true", help="also time FLUSHALL ASYNC of the set (rebuilds it)")
    p.add_argument("--pin", action="store_true", help="servers on one core, the prober on the other (taskset)")
    p.add_argument("--start-timeout", type=float, default=15.0)
    p.add_argument("--markdown", action="store_true")
    a = p.parse_args(argv)
    members = a.members or (1_000_000 if a.quick else 10_000_000)
    a.no_pin = not a.pin
    server_pin, _, pin_desc = run.pinning(a)
    run.log(f"lazy free latency: one {members:,}-member set, UNLINK{', FLUSHALL ASYNC' if a.with_flushall else ''}"
            f"{', DEL' if a.with_del else ''}; "
            f"pinning: {pin_desc}; load average {os.getloadavg()[0]:.2f}")
    t = time.monotonic()
    batches = build_batches(members, a.per_cmd)
    run.log(f"  generated {len(batches):,} pipelined SADD batches in {time.monotonic() - t:.1f}s")
    templates = {"fastkv": a.fastkv_cmd, "redis": a.redis_cmd}
    commands = ["UNLINK"] + (["FLUSHALL ASYNC"] if a.with_flushall else []) + (["DEL"] if a.with_del else [])
    results = []
    try:
        for name in [x.strip() for x in a.servers.split(",") if x.strip()]:
            results += measure(name, templates[name], server_pin, batches, members, commands, a.start_timeout)
    except run.BenchError as e:
        run.log(f"error: {e}")
        return 1
    h, r = rows(results)
    print(f"\nPING latency of another client while a {members:,}-member set is freed "
          f"(PINGs sent from the command until lazyfree_pending_objects is 0; idle = before it)")
    print(run.text_table(h, r))
    if a.markdown:
        print("\n" + run.md_table(h, r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
