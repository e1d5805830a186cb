#!/usr/bin/env python3
"""Bitmaps, HyperLogLog and streams: fastkv vs redis-server (issue 7).

Each test is a redis-benchmark run of one command (50 clients, -P 1 and
-P 16), on a key state prepared the same way on both servers right before
every run, alternating fastkv / redis, median of ``--repeat`` runs:

* setbit      -- SETBIT flags:__rand_int__ 1023 1   (-r 100000 keys: per-user flag bitmaps)
* bitcount    -- BITCOUNT bitmap, a 1 MB string of random bytes
* pfadd       -- PFADD hll __rand_int__ (-r 10,000,000: sparse, then dense)
* pfcount3    -- PFCOUNT hll:1 hll:2 hll:3, each holding 5,000 distinct items (dense)
* xadd        -- XADD stream * field __rand_int__ (auto IDs, one stream)
* xrange100   -- XRANGE xr - + COUNT 100 on a 1,000-entry stream
* xreadgroup  -- XREADGROUP GROUP g c COUNT 1 STREAMS s > on a 100,000-entry
                 stream (IDs 1-1 .. 100000-1, group at 0): -n 100,000 requests,
                 so every request delivers exactly one new entry
* xack        -- then XACK s g __rand_int__-1 (-r 100000) on that pending list
* xreadgroup+xack -- the pair: 1 / (1/xreadgroup + 1/xack) pairs per second

``--suite scripting`` (issue 8) runs instead:

* evalsha1    -- EVALSHA of ``return redis.call('INCR', KEYS[1])``, one key
* evalsha10   -- EVALSHA of a script making 10 redis.call('INCR', KEYS[1])
* fcall1      -- FCALL of the same one-call function (a library loaded by FUNCTION LOAD)
* fcall10     -- FCALL of the same 10-call function

redis-benchmark's __rand_int__ is 12 zero-padded digits, which SETBIT's
offset parser refuses (in Redis too): the random part is in the key.

    python bench/datatypes.py                  # ~5 minutes
    python bench/datatypes.py --quick          # one run each, fewer requests
    python bench/datatypes.py --tests xadd,xrange100 --pipelines 16 --repeat 5
    python bench/datatypes.py --fastkv-cmd redis-server    # harness self-test
    python bench/datatypes.py --suite scripting             # EVALSHA / FCALL, ~2 minutes

Standard library only; reuses bench/run.py's server handling.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import random
import signal
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import run  # noqa: E402  (bench/run.py: Server, RespConn, tables)
from loadgen import encode_command  # noqa: E402


def _pipeline(conn: run.RespConn, cmds, batch: int = 500) -> None:
    """Send argv lists pipelined; every reply must not be an error."""
    cmds = list(cmds)
    for i in range(0, len(cmds), batch):
        chunk = cmds[i:i + batch]
        conn.sock.sendall(b"".join(encode_command(*c) for c in chunk))
        for _ in chunk:
            r = conn.read_reply()
            if isinstance(r, run.RespError):
                raise run.BenchError(f"error reply during setup: {r}")


BITMAP = random.Random(7).randbytes(1 << 20)


def setup_setbit(c):
    _pipeline(c, [["FLUSHALL"]])


def setup_bitcount(c):
    _pipeline(c, [["FLUSHALL"], ["SET", "bitmap", BITMAP]])


def setup_pfadd(c):
    _pipeline(c, [["FLUSHALL"]])


def setup_pfcount3(c):
    cmds = [["FLUSHALL"]]
    for k in (1, 2, 3):
        for i in range(0, 5000, 500):
            cmds.append(["PFADD", f"hll:{k}"] + [f"item:{k}:{j}" for j in range(i, i + 500)])
    _pipeline(c, cmds)


def setup_xadd(c):
    _pipeline(c, [["FLUSHALL"]])


def setup_xrange100(c):
    _pipeline(c, [["FLUSHALL"]] + [["XADD", "xr", "*", "field", f"value:{i}"] for i in range(1000)])


def setup_xreadgroup(c):
    _pipeline(c, [["FLUSHALL"]] + [["XADD", "s", f"{i}-1", "field", f"value:{i}"] for i in range(1, 100_001)]
              + [["XGROUP", "CREATE", "s", "g", "0"]])


SCRIPT1 = "return redis.call('INCR', KEYS[1])"
SCRIPT10 = "local n for i = 1, 10 do n = redis.call('INCR', KEYS[1]) end return n"
LIBRARY = ("#!lua name=benchlib\n"
           "redis.register_function('incr1', function(keys, args) " + SCRIPT1.replace("KEYS", "keys") + " end)\n"
           "redis.register_function('incr10', function(keys, args) " + SCRIPT10.replace("KEYS", "keys") + " end)\n")


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def setup_scripts(c):
    _pipeline(c, [["FLUSHALL"], ["SCRIPT", "FLUSH"], ["FUNCTION", "FLUSH"], ["SCRIPT", "LOAD", SCRIPT1],
                  ["SCRIPT", "LOAD", SCRIPT10], ["FUNCTION", "LOAD", LIBRARY]])


# name: (setup, command, -r, requests at -P 1, requests at -P > 1)
TESTS = {
    "setbit": (setup_setbit, ["SETBIT", "flags:__rand_int__", "1023", "1"], 100_000, 200_000, 1_000_000),
    "bitcount": (setup_bitcount, ["BITCOUNT", "bitmap"], 0, 20_000, 20_000),
    "pfadd": (setup_pfadd, ["PFADD", "hll", "__rand_int__"], 10_000_000, 200_000, 1_000_000),
    "pfcount3": (setup_pfcount3, ["PFCOUNT", "hll:1", "hll:2", "hll:3"], 0, 50_000, 100_000),
    "xadd": (setup_xadd, ["XADD", "stream", "*", "field", "__rand_int__"], 1_000_000, 200_000, 1_000_000),
    "xrange100": (setup_xrange100, ["XRANGE", "xr", "-", "+", "COUNT", "100"], 0, 50_000, 100_000),
    # xreadgroup then xack, on the same state, in one "run" (see run_pair)
    "xreadgroup": (setup_xreadgroup, ["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">"],
                   0, 100_000, 100_000),
}
SCRIPTING_TESTS = {
    "evalsha1": (setup_scripts, ["EVALSHA", sha1(SCRIPT1), "1", "counter"], 0, 200_000, 1_000_000),
    "evalsha10": (setup_scripts, ["EVALSHA", sha1(SCRIPT10), "1", "counter"], 0, 100_000, 200_000),
    "fcall1": (setup_scripts, ["FCALL", "incr1", "1", "counter"], 0, 200_000, 1_000_000),
    "fcall10": (setup_scripts, ["FCALL", "incr10", "1", "counter"], 0, 100_000, 200_000),
}
SUITES = {"issue7": list(TESTS), "scripting": list(SCRIPTING_TESTS)}
TESTS.update(SCRIPTING_TESTS)
XACK_CMD = ["XACK", "s", "g", "__rand_int__-1"]


def bench_once(server: run.Server, argv: list[str], rnd: int, n: int, pipeline: int, args,
               deadline: run.Deadline, pin: list[str]) -> float:
    cmd = pin + [args.redis_benchmark, "-h", run.HOST, "-p", str(server.port), "-c", str(args.clients),
                 "-n", str(n), "-P", str(pipeline), "--csv", "-q"]
    if rnd:
        cmd += ["-r", str(rnd)]
    cmd += argv
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=deadline.cap(args.run_timeout))
    except BaseException:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        raise
    if proc.returncode != 0:
        raise run.BenchError(f"redis-benchmark exit {proc.returncode}: {(err or out).strip()[-300:]}")
    for row in list(csv.reader(io.StringIO(out)))[1:]:
        try:
            rps = float(row[1])
        except (IndexError, ValueError):
            continue
        if rps > 0:
            return rps
    raise run.BenchError(f"could not parse redis-benchmark output: {out.strip()[:200]!r}")


def check_state(server: run.Server, test: str, n: int) -> None:
    """What the run must have done (a server answering errors fast would
    otherwise look fast: redis-benchmark doesn't count error replies)."""
    with run.RespConn(server.port) as c:
        if test == "setbit":
            got = c.command("DBSIZE")
            if not got:
                raise run.BenchError(f"{server.name}: SETBIT created no key")
        elif test == "pfadd":
            if not c.command("PFCOUNT", "hll"):
                raise run.BenchError(f"{server.name}: PFADD added nothing")
        elif test == "xadd":
            if c.command("XLEN", "stream") != n:
                raise run.BenchError(f"{server.name}: XLEN after {n} XADD is {c.command('XLEN', 'stream')}")
        elif test in SCRIPTING_TESTS:
            per = 10 if test.endswith("10") else 1
            if int(c.command("GET", "counter")) != n * per:
                raise run.BenchError(f"{server.name}: counter is {c.command('GET', 'counter')} after {n} {test}")
        elif test == "xreadgroup":
            summary = c.command("XPENDING", "s", "g")
            if summary[0] != min(n, 100_000):
                raise run.BenchError(f"{server.name}: {summary[0]} pending after {n} XREADGROUP")
        elif test == "xack":
            summary = c.command("XPENDING", "s", "g")
            if summary[0] >= 100_000:
                raise run.BenchError(f"{server.name}: XACK acknowledged nothing")


def run_tests(args, deadline: run.Deadline, server_pin, bench_pin) -> list[dict]:
    results = []
    tests = [t for t in args.tests.split(",") if t]
    with run.Server("fastkv", args.fastkv_cmd, server_pin) as fk, run.Server("redis", args.redis_cmd, server_pin) as rd:
        servers = [fk, rd]
        for pipeline in [int(p) for p in args.pipelines.split(",")]:
            for test in tests:
                setup, argv, rnd, n1, n16 = TESTS[test]
                n = n1 if pipeline == 1 else n16
                if args.quick:
                    n = max(1000, n // 5) if test != "xreadgroup" else n
                names = [test] + (["xack", "xreadgroup+xack"] if test == "xreadgroup" else [])
                runs = {name: {s.name: [] for s in servers} for name in names}
                for rep in range(args.repeat):
                    for s in servers:
                        with run.RespConn(s.port, timeout=120) as c:
                            setup(c)
                        rps = bench_once(s, argv, rnd, n, pipeline, args, deadline, bench_pin)
                        check_state(s, test, n)
                        runs[test][s.name].append(rps)
                        line = f"  {test:<10} -P {pipeline:<3} {s.name:<6} run {rep + 1}: {rps:>12,.0f} ops/s"
                        if test == "xreadgroup":
                            ack = bench_once(s, XACK_CMD, 100_000, n, pipeline, args, deadline, bench_pin)
                            check_state(s, "xack", n)
                            runs["xack"][s.name].append(ack)
                            runs["xreadgroup+xack"][s.name].append(1.0 / (1.0 / rps + 1.0 / ack))
                            line += f", xack {ack:,.0f} ops/s"
                        run.log(line)
                for name in names:
                    entry = {"test": name, "pipeline": pipeline, "requests": n, "clients": args.clients}
                    for s in servers:
                        entry[s.name] = {"runs": runs[name][s.name], "median": statistics.median(runs[name][s.name])}
                    entry["ratio"] = run.ratio(entry["fastkv"]["median"], entry["redis"]["median"])
                    results.append(entry)
    return results


def rows(results):
    headers = ["test", "pipeline", "fastkv ops/s", "redis ops/s", "fastkv/redis"]
    return headers, [[r["test"], str(r["pipeline"]), run.fmt_int(r["fastkv"]["median"]),
                      run.fmt_int(r["redis"]["median"]), run.fmt_ratio(r["fastkv"]["median"], r["redis"]["median"])]
                     for r in results]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--suite", default="issue7", choices=sorted(SUITES),
                   help="issue7: bitmaps, HLL, streams; scripting: EVALSHA, FCALL")
    p.add_argument("--tests", default=None, help="comma-separated (default: the suite's): " + ", ".join(TESTS))
    p.add_argument("--pipelines", default="1,16")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--quick", action="store_true", help="a fifth of the requests")
    p.add_argument("--fastkv-cmd", default=run.DEFAULT_FASTKV_CMD)
    p.add_argument("--redis-cmd", default=run.DEFAULT_REDIS_CMD)
    p.add_argument("--redis-benchmark", default="redis-benchmark")
    p.add_argument("--run-timeout", type=float, default=300.0)
    p.add_argument("--no-pin", action="store_true", help="do not use taskset")
    p.add_argument("--markdown", action="store_true")
    p.add_argument("--max-time", type=float, default=3600.0)
    a = p.parse_args(argv)
    if a.tests is None:
        a.tests = ",".join(SUITES[a.suite])
    bad = [t for t in a.tests.split(",") if t and t not in TESTS]
    if bad:
        p.error("unknown test(s): " + ", ".join(bad))
    server_pin, bench_pin, pin_desc = run.pinning(a)
    run.log(f"bitmaps, HyperLogLog, streams -- pinning: {pin_desc}")
    t0 = time.monotonic()
    try:
        results = run_tests(a, run.Deadline(a.max_time), server_pin, bench_pin)
    except run.BenchError as e:
        run.log(f"error: {e}")
        return 1
    h, r = rows(results)
    print(f"\n{'Scripting' if a.suite == 'scripting' else 'Bitmaps, HyperLogLog, streams'}: redis-benchmark, {a.clients} clients, median of {a.repeat} "
          f"(took {time.monotonic() - t0:.0f}s)")
    print(run.text_table(h, r))
    if a.markdown:
        print("\n" + run.md_table(h, r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
