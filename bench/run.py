#!/usr/bin/env python3
"""Benchmark fastkv against a real redis-server.

Two measurements:

* throughput -- ``redis-benchmark`` (set, get, incr, mset; 50 clients;
  pipeline 1 and 16; random keys) against both servers, alternating
  fastkv / redis run by run, median of ``--repeat`` runs.
* memory     -- fresh instance of each server, load N exact keys with
  16-byte values through a raw RESP pipeline, report RSS growth and
  INFO ``used_memory`` growth per key.

``--profile issue3`` runs instead (each part on a fresh pair of servers):

* throughput -- redis-benchmark ping_mbulk, set, get at -P 1 and -P 16
  (-n 100000 / 500000).
* notify     -- redis-benchmark SET at -P 1 and -P 16 after
  ``CONFIG SET notify-keyspace-events KEA``, with one PSUBSCRIBE
  '__key*__:*' subscriber draining its socket (bench/loadgen.py process);
  a run FAILs unless the subscriber got exactly 2 notifications per SET.
* pubsub     -- PUBLISH fan-out to 1, 10 and 100 subscribers of one
  channel: one reader process (epoll) holds the subscribers, --clients
  publisher connections pipeline N PUBLISHes (bench/loadgen.py); reported
  rate = messages received by all subscribers / seconds from the first
  PUBLISH sent to the last message received.  N per subscriber is bounded
  (<= 500k, ~28 MB) so a lagging reader cannot hit the 32 MB pubsub
  output-buffer limit.
* multi      -- own load generator: --clients connections, each with P
  transactions (MULTI, SET, INCR, GET, EXEC) in flight, pre-encoded, epoll,
  time-bounded runs; transactions/s, checked against the INCR counters.
  Client and server CPU use are logged per run (client ~85-90% at -P 1 on
  this 2-core box, like redis-benchmark's).

``--profile issue4`` (alias ``collections``):

* throughput -- redis-benchmark's own lpush, rpush, lpop, rpop, sadd, hset,
  spop, zadd, zpopmin, lrange_100, lrange_600 at -P 1 and -P 16, alternating
  servers.  Each test is its own redis-benchmark run on the same pair of
  servers, in that order, so both see the same key states (LPOP/RPOP drain
  what LPUSH/RPUSH added).  SPOP and ZPOPMIN run as ``-t sadd,spop`` and
  ``-t zadd,zpopmin`` (redis-benchmark fills the key, then pops; the pop's
  row is reported), so every run pops from the same state.  ``-t
  lrange_N`` makes redis-benchmark run its "LPUSH (needed to benchmark
  LRANGE)" phase first, exactly as it does on its own; the LRANGE row is
  the one reported.  lrange_100 runs half and lrange_600 a fifth of -n.
* memtypes   -- bench/memory_types.py: used_memory of 100,000 hashes x 10
  fields, 100,000 sets x 10 integers, a 1,000,000-item list and a
  1,000,000-member sorted set (a tenth with --quick).

Everything runs on 127.0.0.1.  Servers are pinned to one core and
redis-benchmark to another (``taskset``) when the machine has >= 2 cores.
All servers are killed on exit, including Ctrl-C / SIGTERM.

Usage examples::

    python bench/run.py                       # full run (a few minutes)
    python bench/run.py --quick               # smoke test (~1 minute)
    python bench/run.py --only memory --keys 2000000
    python bench/run.py --markdown --json results.json
    python bench/run.py --fastkv-cmd "python -m fastkv"
    # self-test of the harness: both sides are redis-server
    python bench/run.py --quick --fastkv-cmd redis-server
    python bench/run.py --profile issue3               # ~2.5 min idle, ~5 min on a busy box
    python bench/run.py --profile issue3 --quick --fastkv-cmd redis-server  # ~1 minute
    python bench/run.py --profile issue3 --only pubsub,multi --json out.json
    python bench/run.py --profile issue4 --quick --repeat 1   # collections smoke test

Progress goes to stderr; result tables go to stdout.  Standard library only
(bench/loadgen.py holds the load-generator workers).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import select
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Optional

HOST = "127.0.0.1"  # loopback only, never anything else

# Arguments every server gets: no RDB snapshots, no AOF.
SERVER_ARGS = '--port {port} --save "" --appendonly no'
DEFAULT_FASTKV_CMD = "fastkv-server " + SERVER_ARGS
DEFAULT_REDIS_CMD = "redis-server " + SERVER_ARGS + " --daemonize no"

DEFAULT_TESTS = "set,get,incr,mset"
DEFAULT_PIPELINES = "1,16"

# --profile: which parts run, which redis-benchmark tests, default -n values
# (at -P 1, at -P > 1; the --quick values are the same for every profile).
PARTS = ("throughput", "memory", "notify", "pubsub", "multi", "memtypes")
ISSUE4_TESTS = "lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,lrange_600"
PROFILES = {
    "default": {"parts": ("throughput", "memory"), "tests": DEFAULT_TESTS,
                "requests": (200_000, 2_000_000)},
    "issue3": {"parts": ("throughput", "notify", "pubsub", "multi"), "tests": "ping_mbulk,set,get",
               "requests": (100_000, 500_000)},
    # Collections (issue 6): redis-benchmark's own list/set/hash/zset tests,
    # then the memory of collection-shaped data (bench/memory_types.py).
    # LRANGE_* replies are 100/600 elements: fewer requests per run.
    "issue4": {"parts": ("throughput", "memtypes"), "tests": ISSUE4_TESTS, "prefill": True,
               "requests": (100_000, 1_000_000), "scale": {"lrange_100": 0.5, "lrange_600": 0.2}},
}
PROFILE_ALIASES = {"collections": "issue4"}
# Pop tests that run, in the same redis-benchmark invocation, the push test
# that fills their key first (as `-t sadd,spop` does), so that every run
# pops from the same state instead of an emptied set after the first run.
# Only the pop's row is reported.  (lrange_* fill their list themselves.)
PREFILL = {"spop": ["sadd"], "zpopmin": ["zadd"]}


# --------------------------------------------------------------------------
# Small utilities
# --------------------------------------------------------------------------


class BenchError(Exception):
    """A fatal, user-facing error (printed without a traceback)."""


class Interrupted(BaseException):
    """Raised from the SIGTERM/SIGHUP handler so `finally` blocks run."""


def log(msg: str) -> None:
    """Progress output goes to stderr so stdout holds only the results."""
    print(msg, file=sys.stderr, flush=True)


class Deadline:
    """Global wall-clock budget for the whole run (``--max-time``)."""

    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise BenchError("--max-time exceeded; aborting")
        return left

    def cap(self, seconds: float) -> float:
        """Timeout for one step: its own limit, but never past the deadline."""
        return min(seconds, self.remaining())


def free_port() -> int:
    """Ask the kernel for a free loopback port (tiny race, fine for a bench)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def fmt_int(x: Optional[float]) -> str:
    return "FAIL" if x is None else f"{x:,.0f}"


def fmt_ratio(a: Optional[float], b: Optional[float]) -> str:
    r = ratio(a, b)
    return "n/a" if r is None else f"{r:.2f}x"


def ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    if a is None or b is None or b == 0:
        return None
    return a / b


def text_table(headers: list[str], rows: list[list[str]]) -> str:
    """Plain fixed-width table; first column left-aligned, others right."""
    widths = [max(len(str(r[i])) for r in [headers] + rows) for i in range(len(headers))]

    def line(cells):
        out = []
        for i, c in enumerate(cells):
            out.append(str(c).ljust(widths[i]) if i == 0 else str(c).rjust(widths[i]))
        return "  ".join(out)

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), sep] + [line(r) for r in rows])


def md_table(headers: list[str], rows: list[list[str]]) -> str:
    """GitHub-flavoured Markdown table, numeric columns right-aligned."""
    align = ["---"] + ["---:"] * (len(headers) - 1)
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Minimal RESP client (enough for PING / INFO / DBSIZE / GET / bulk SET)
# --------------------------------------------------------------------------


class RespError(Exception):
    pass


from loadgen import encode_command  # noqa: E402  (bench/ is on sys.path: run as a script)


class RespConn:
    def __init__(self, port: int, timeout: float = 10.0):
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile = self.sock.makefile("rb", buffering=1 << 16)

    def close(self) -> None:
        try:
            self.rfile.close()
        finally:
            self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def read_reply(self):
        """Parse one RESP2 reply. Errors are returned as RespError instances."""
        line = self.rfile.readline()
        if not line.endswith(b"\r\n"):
            raise ConnectionError("connection closed by server")
        kind, body = line[:1], line[1:-2]
        if kind == b"+":
            return body.decode()
        if kind == b"-":
            return RespError(body.decode(errors="replace"))
        if kind == b":":
            return int(body)
        if kind == b"$":
            n = int(body)
            if n < 0:
                return None
            data = self.rfile.read(n + 2)
            if len(data) != n + 2:
                raise ConnectionError("connection closed by server")
            return data[:-2]
        if kind == b"*":
            n = int(body)
            return None if n < 0 else [self.read_reply() for _ in range(n)]
        raise ConnectionError(f"protocol error: unexpected reply {line[:60]!r}")

    def command(self, *args):
        self.sock.sendall(encode_command(*args))
        reply = self.read_reply()
        if isinstance(reply, RespError):
            raise reply
        return reply


# --------------------------------------------------------------------------
# Server process management
# --------------------------------------------------------------------------


def build_server_argv(template: str, port: int) -> list[str]:
    """Split a command template and substitute {port}.

    If the template has no {port}, the standard arguments
    (--port N --save "" --appendonly no) are appended, so both
    ``--fastkv-cmd "python -m fastkv"`` and ``--fastkv-cmd redis-server``
    work as-is.
    """
    if "{port}" not in template:
        template = template + " " + SERVER_ARGS
    return [tok.replace("{port}", str(port)) for tok in shlex.split(template)]


def check_executable(argv0: str, name: str) -> None:
    found = os.path.exists(argv0) if os.sep in argv0 else shutil.which(argv0)
    if found:
        return
    if name == "fastkv":
        raise BenchError(
            f"fastkv server command {argv0!r} not found on PATH.\n"
            "  Install the package (e.g. `pip install -e .` in the repo root) so the\n"
            "  `fastkv-server` console script exists, or pass e.g.\n"
            "  --fastkv-cmd \"python -m fastkv\"   (template may use {port})."
        )
    raise BenchError(f"{name} command {argv0!r} not found on PATH (see --{name}-cmd).")


def _socket_inodes_listening(port: int) -> set[str]:
    """Inodes of TCP sockets in LISTEN state on `port` (from /proc/net/tcp*)."""
    inodes = set()
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(path) as f:
                next(f)
                for ln in f:
                    parts = ln.split()
                    local, state, inode = parts[1], parts[3], parts[9]
                    if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                        inodes.add(inode)
        except OSError:
            pass
    return inodes


def _descendants(root: int) -> list[int]:
    """root plus all its descendant PIDs (via /proc/*/stat ppid)."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(d))
        except (OSError, ValueError, IndexError):
            continue
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def find_listening_pid(root: int, port: int) -> int:
    """PID (root or a descendant) that owns the listening socket on `port`.

    Normally that is `root` itself (taskset and console scripts exec), but a
    shell-wrapped --fastkv-cmd would put the real server in a child process,
    and we want the RSS of the actual server.
    """
    inodes = _socket_inodes_listening(port)
    if not inodes:
        return root
    targets = {f"socket:[{i}]" for i in inodes}
    for pid in _descendants(root):
        fd_dir = f"/proc/{pid}/fd"
        try:
            for fd in os.listdir(fd_dir):
                try:
                    if os.readlink(f"{fd_dir}/{fd}") in targets:
                        return pid
                except OSError:
                    continue
        except OSError:
            continue
    return root


def read_rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for ln in f:
            if ln.startswith("VmRSS:"):
                return int(ln.split()[1]) * 1024  # value is in kB
    raise BenchError(f"VmRSS not found for pid {pid}")


def info_field(conn: RespConn, section: str, key: str) -> Optional[int]:
    """Integer field from INFO <section>, or None if unsupported/missing."""
    try:
        raw = conn.command("INFO", section)
    except RespError:
        return None
    if not isinstance(raw, (bytes, str)):
        return None
    text = raw.decode() if isinstance(raw, bytes) else raw
    for ln in text.splitlines():
        if ln.startswith(key + ":"):
            try:
                return int(ln.split(":", 1)[1].strip())
            except ValueError:
                return None
    return None


@dataclass
class Server:
    """One server process on a free loopback port; use as context manager."""

    name: str
    template: str
    pin_prefix: list[str]
    start_timeout: float = 15.0
    port: int = 0
    proc: Optional[subprocess.Popen] = None
    pid: int = 0  # PID owning the listening socket (for RSS)
    logfile: Optional[io.TextIOWrapper] = None
    argv: list[str] = field(default_factory=list)
    death_reported: bool = False

    def start(self) -> "Server":
        self.port = free_port()
        self.argv = build_server_argv(self.template, self.port)
        check_executable(self.argv[0], self.name)
        full = self.pin_prefix + self.argv
        self.logfile = tempfile.NamedTemporaryFile(
            "w+", prefix=f"fastkv-bench-{self.name}-", suffix=".log", delete=False
        )
        log(f"  starting {self.name}: {shlex.join(full)}")
        try:
            # Own session: terminal Ctrl-C is handled by us, and stop() can
            # kill the whole group (covers shell-wrapped commands too).
            self.proc = subprocess.Popen(
                full,
                stdin=subprocess.DEVNULL,
                stdout=self.logfile,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except FileNotFoundError as e:
            raise BenchError(f"cannot start {self.name}: {e}") from None
        try:
            self._wait_ready()
            self.pid = find_listening_pid(self.proc.pid, self.port)
        except BaseException:
            # `with Server(...)` does not call __exit__ when __enter__ fails,
            # so a server that hangs or dies during startup is cleaned up here.
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        """Poll with PING until the server answers, it dies, or we time out."""
        end = time.monotonic() + self.start_timeout
        last_err: Exception | None = None
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise BenchError(
                    f"{self.name} exited with code {self.proc.returncode} during startup.\n"
                    + self.log_tail()
                )
            try:
                with RespConn(self.port, timeout=2) as c:
                    if c.command("PING") in ("PONG", b"PONG"):
                        return
            except (OSError, RespError) as e:
                last_err = e
            time.sleep(0.05)
        raise BenchError(
            f"{self.name} did not answer PING on port {self.port} within "
            f"{self.start_timeout:.0f}s (last error: {last_err}).\n" + self.log_tail()
        )

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, n: int = 15) -> str:
        if not self.logfile:
            return ""
        try:
            with open(self.logfile.name, errors="replace") as f:
                lines = f.readlines()[-n:]
        except OSError:
            return ""
        body = "".join("    | " + ln for ln in lines).rstrip()
        return f"  last lines of {self.logfile.name}:\n{body}" if body else ""

    def stop(self) -> None:
        """SIGTERM the server's process group, escalate to SIGKILL after 5s."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self.logfile:
            self.logfile.close()
            # Keep the log only if something went wrong.
            if self.proc.returncode not in (0, -signal.SIGTERM, None):
                log(f"  ({self.name} log kept at {self.logfile.name})")
            else:
                try:
                    os.unlink(self.logfile.name)
                except OSError:
                    pass
        self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# --------------------------------------------------------------------------
# Throughput (redis-benchmark)
# --------------------------------------------------------------------------


def run_redis_benchmark(
    server: Server, test: str, pipeline: int, requests: int, args, deadline: Deadline, pin: list[str]
) -> tuple[Optional[float], str]:
    """One redis-benchmark run. Returns (ops/s or None, error message)."""
    if not server.alive():
        return None, f"{server.name} is not running (exit code {server.proc.returncode if server.proc else '?'})"
    cmd = pin + [
        args.redis_benchmark, "-h", HOST, "-p", str(server.port),
        "-c", str(args.clients), "-n", str(requests), "-P", str(pipeline),
        "-r", str(args.keyspace), "-t", ",".join(PREFILL.get(test, []) + [test]) if args.prefill else test,
        "--csv", "-q",
    ]
    proc = subprocess.Popen(
        cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )
    limit = deadline.cap(args.run_timeout)
    try:
        out, err = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return None, f"redis-benchmark timed out after {limit:.0f}s"
    except BaseException:  # Ctrl-C etc.: don't leave it running
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        raise
    if proc.returncode != 0:
        msg = (err.strip() or out.strip()).splitlines()
        return None, f"redis-benchmark exit {proc.returncode}: " + " / ".join(msg[-3:])
    # CSV: header "test","rps",... then one row per test, e.g. "MSET (10 keys)".
    # Some tests print more than one row: -t lrange_100 first runs
    # "LPUSH (needed to benchmark LRANGE)" to fill the list (redis-benchmark's
    # own behaviour), then "LRANGE_100 (first 100 elements)": take the row
    # named like the test, else the last one.
    rows = list(csv.reader(io.StringIO(out)))
    found = []
    for row in rows[1:]:
        if len(row) >= 2:
            try:
                rps = float(row[1])
            except ValueError:
                continue
            if rps > 0:
                found.append((row[0].split()[0].lower() if row[0].split() else "", rps))
    for name, rps in found:
        if name == test.lower():
            return rps, ""
    if found:
        return found[-1][1], ""
    return None, f"could not parse redis-benchmark output: {out.strip()[:200]!r}"


def throughput(args, deadline: Deadline, server_pin: list[str], bench_pin: list[str],
               results: list[dict]) -> None:
    """Fill `results` (appended as we go, so partial results survive an abort)."""
    tests = [t.strip() for t in args.tests.split(",") if t.strip()]
    pipelines = [int(p) for p in args.pipelines.split(",")]
    fastkv = Server("fastkv", args.fastkv_cmd, server_pin, args.start_timeout)
    redis = Server("redis", args.redis_cmd, server_pin, args.start_timeout)
    try:
        fastkv.start()
        redis.start()
        servers = [fastkv, redis]  # run order inside each repetition
        for pipeline in pipelines:
            n_base = args.requests if pipeline == 1 else args.requests_pipelined
            for test in tests:
                n = max(1000, int(n_base * args.scale.get(test, 1.0)))
                runs: dict[str, list[Optional[float]]] = {s.name: [] for s in servers}
                errors: dict[str, list[str]] = {s.name: [] for s in servers}
                for rep in range(args.repeat):
                    for s in servers:  # alternate fastkv, redis, fastkv, redis ...
                        rps, err = run_redis_benchmark(s, test, pipeline, n, args, deadline, bench_pin)
                        runs[s.name].append(rps)
                        if err:
                            errors[s.name].append(err)
                            log(f"  {test:<10} -P {pipeline:<3} {s.name:<6} run {rep + 1}: FAILED: {err}")
                            if not s.alive() and not s.death_reported:
                                s.death_reported = True  # show its log once
                                log(s.log_tail())
                        else:
                            log(f"  {test:<10} -P {pipeline:<3} {s.name:<6} run {rep + 1}: {rps:>12,.0f} ops/s")
                entry = {"test": test, "pipeline": pipeline, "requests": n, "clients": args.clients}
                for s in servers:
                    ok = [r for r in runs[s.name] if r is not None]
                    # Median only over a complete set of runs; any failure => FAIL.
                    med = statistics.median(ok) if ok and len(ok) == len(runs[s.name]) else None
                    entry[s.name] = {"runs": runs[s.name], "median": med, "errors": errors[s.name]}
                entry["ratio"] = ratio(entry["fastkv"]["median"], entry["redis"]["median"])
                results.append(entry)
    finally:
        fastkv.stop()
        redis.stop()


def throughput_rows(results: list[dict]) -> tuple[list[str], list[list[str]]]:
    headers = ["test", "pipeline", "fastkv ops/s", "redis ops/s", "fastkv/redis"]
    rows = [
        [r["test"], str(r["pipeline"]), fmt_int(r["fastkv"]["median"]),
         fmt_int(r["redis"]["median"]), fmt_ratio(r["fastkv"]["median"], r["redis"]["median"])]
        for r in results
    ]
    return headers, rows


# --------------------------------------------------------------------------
# Memory
# --------------------------------------------------------------------------


def key_name(i: int) -> bytes:
    """Exact key for index i: 16 bytes, e.g. b'key:000000000042'."""
    return b"key:%012d" % i


def value_for(i: int, value_size: int) -> bytes:
    """'v' + zero-padded index, exactly value_size bytes (low digits kept)."""
    return b"v" + (b"%0*d" % (value_size - 1, i))[-(value_size - 1):]


def load_keys(conn: RespConn, nkeys: int, value_size: int, deadline: Deadline,
              batch: int = 10_000) -> float:
    """SET key:%012d -> value for i in [0, nkeys), pipelined in batches.

    Every batch is sent with one sendall() and then all its replies are
    read.  A batch of 10k "+OK" replies is ~50 KB, well inside the default
    socket buffers, so server and client can't deadlock on full buffers.
    Replies are checked in bulk against b"+OK\r\n" * n, so any error reply
    (or garbage) aborts the load with the offending line.

    Returns the seconds spent talking to the server (command generation in
    Python is excluded, so the rate reflects the server, not this script).
    """
    # Constant parts of each command; keys are always 16 bytes.
    head = b"*3\r\n$3\r\nSET\r\n$16\r\n"
    vhead = b"\r\n$%d\r\n" % value_size
    busy = 0.0
    for start in range(0, nkeys, batch):
        deadline.remaining()  # raises once --max-time is used up
        stop = min(start + batch, nkeys)
        payload = b"".join(
            head + key_name(i) + vhead + value_for(i, value_size) + b"\r\n"
            for i in range(start, stop)
        )
        expected = b"+OK\r\n" * (stop - start)
        t0 = time.monotonic()
        conn.sock.sendall(payload)
        got = bytearray()
        while len(got) < len(expected):
            chunk = conn.rfile.read1(len(expected) - len(got))
            if not chunk:
                raise BenchError("server closed the connection during load")
            got += chunk
            if not expected.startswith(got):  # an error reply or garbage
                bad = got.rfind(b"\r\n", 0, _first_diff(got, expected)) + 2
                line = bytes(got[bad:bad + 120]).split(b"\r\n")[0]
                raise BenchError(f"unexpected reply during load: {line!r}")
        busy += time.monotonic() - t0
    return busy


def _first_diff(a: bytes | bytearray, b: bytes) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


def measure_memory_one(name: str, template: str, args, pin: list[str], deadline: Deadline) -> dict:
    """Fresh server -> baseline -> load keys -> verify -> measure -> stop."""
    with Server(name, template, pin, args.start_timeout) as s:
        with RespConn(s.port, timeout=deadline.cap(args.run_timeout)) as c:
            time.sleep(0.2)  # let the freshly started process settle
            dbsize0 = c.command("DBSIZE")
            rss0 = read_rss_bytes(s.pid)
            used0 = info_field(c, "memory", "used_memory")

            load_s = load_keys(c, args.keys, args.value_size, deadline)

            dbsize = c.command("DBSIZE")
            if dbsize - dbsize0 != args.keys:
                raise BenchError(f"{name}: DBSIZE is {dbsize} after loading {args.keys} keys (was {dbsize0})")
            # Spot-check a few values round-trip correctly.
            for i in (0, args.keys // 2, args.keys - 1):
                got = c.command("GET", key_name(i))
                want = value_for(i, args.value_size)
                if got != want:
                    raise BenchError(f"{name}: GET key:{i:012d} returned {got!r}, expected {want!r}")

            time.sleep(0.2)
            rss1 = read_rss_bytes(s.pid)
            used1 = info_field(c, "memory", "used_memory")
    res = {
        "pid_measured": s.pid,
        "dbsize": dbsize,
        "load_seconds": load_s,
        "load_keys_per_sec": args.keys / load_s if load_s > 0 else None,
        "rss_before": rss0,
        "rss_after": rss1,
        "rss_bytes_per_key": (rss1 - rss0) / args.keys,
        "used_memory_before": used0,
        "used_memory_after": used1,
        "used_memory_bytes_per_key": (used1 - used0) / args.keys if used0 is not None and used1 is not None else None,
    }
    log(
        f"  {name}: loaded {args.keys:,} keys in {load_s:.1f}s; RSS {rss0 / 2**20:.1f} -> {rss1 / 2**20:.1f} MiB"
        + (f"; used_memory {used0 / 2**20:.1f} -> {used1 / 2**20:.1f} MiB" if res["used_memory_bytes_per_key"] is not None else "; used_memory n/a")
    )
    return res


def memory(args, deadline: Deadline, server_pin: list[str]) -> dict:
    out = {"keys": args.keys, "value_size": args.value_size, "key_size": 16}
    out["fastkv"] = measure_memory_one("fastkv", args.fastkv_cmd, args, server_pin, deadline)
    out["redis"] = measure_memory_one("redis", args.redis_cmd, args, server_pin, deadline)
    out["ratio_rss"] = ratio(out["fastkv"]["rss_bytes_per_key"], out["redis"]["rss_bytes_per_key"])
    out["ratio_used_memory"] = ratio(
        out["fastkv"]["used_memory_bytes_per_key"], out["redis"]["used_memory_bytes_per_key"]
    )
    return out


def memory_rows(m: dict) -> tuple[list[str], list[list[str]]]:
    def mib(x):
        return "n/a" if x is None else f"{x / 2**20:,.1f}"

    def bpk(x):
        return "n/a" if x is None else f"{x:,.1f}"

    headers = ["metric", "fastkv", "redis", "fastkv/redis"]
    f, r = m["fastkv"], m["redis"]
    rows = [
        ["RSS bytes/key", bpk(f["rss_bytes_per_key"]), bpk(r["rss_bytes_per_key"]),
         fmt_ratio(f["rss_bytes_per_key"], r["rss_bytes_per_key"])],
        ["used_memory bytes/key", bpk(f["used_memory_bytes_per_key"]), bpk(r["used_memory_bytes_per_key"]),
         fmt_ratio(f["used_memory_bytes_per_key"], r["used_memory_bytes_per_key"])],
        ["RSS after load (MiB)", mib(f["rss_after"]), mib(r["rss_after"]), fmt_ratio(f["rss_after"], r["rss_after"])],
        ["load rate (keys/s)", fmt_int(f["load_keys_per_sec"]), fmt_int(r["load_keys_per_sec"]),
         fmt_ratio(f["load_keys_per_sec"], r["load_keys_per_sec"])],
    ]
    return headers, rows


# --------------------------------------------------------------------------
# Own load generators (bench/loadgen.py workers): keyspace notifications,
# PUBLISH fan-out, MULTI/EXEC
# --------------------------------------------------------------------------

LOADGEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "loadgen.py")


class Worker:
    """A bench/loadgen.py process (pinned like redis-benchmark), killed on exit."""

    def __init__(self, pin: list[str], mode: str, cfg: dict):
        self.proc = subprocess.Popen(
            pin + [sys.executable, LOADGEN, mode, json.dumps(cfg)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float) -> Optional[str]:
        """Wait for the READY line; returns an error message or None."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            r, _, _ = select.select([self.proc.stdout], [], [], max(0.0, end - time.monotonic()))
            if not r:
                break
            line = self.proc.stdout.readline()
            if line.strip() == b"READY":
                return None
            if not line:  # exited
                err = self.proc.stderr.read().decode(errors="replace").strip().splitlines()
                return "subscriber failed: " + (" / ".join(err[-3:]) or f"exit {self.proc.wait()}")
            try:
                return json.loads(line).get("error") or f"unexpected output {line[:100]!r}"
            except ValueError:
                return f"unexpected output {line[:100]!r}"
        return f"subscriber not ready after {timeout:.0f}s"

    def tell(self, line: str) -> None:
        try:
            self.proc.stdin.write(line.encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass  # already finished (e.g. got all it expected)

    def result(self, timeout: float) -> tuple[Optional[dict], str]:
        """(JSON result, error) once the worker exits (killed after `timeout`)."""
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None, f"load generator timed out after {timeout:.0f}s"
        lines = out.decode(errors="replace").strip().splitlines()
        if self.proc.returncode != 0 or not lines:
            msg = err.decode(errors="replace").strip().splitlines() or lines
            return None, f"load generator exit {self.proc.returncode}: " + " / ".join(msg[-3:])
        try:
            res = json.loads(lines[-1])
        except ValueError:
            return None, f"could not parse load generator output {lines[-1][:200]!r}"
        return res, res.get("error") or ""

    def kill(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.communicate()


def cpu_seconds(pid: int) -> Optional[float]:
    """utime + stime of a process (for "was the server saturated?" notes)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def alternate(servers: list[Server], repeat: int, label: str, unit: str, fn) -> dict:
    """Run fn(server) -> (value|None, error, detail) `repeat` times per server,
    alternating servers; returns {name: {runs, median, errors, details}}."""
    runs = {s.name: [] for s in servers}
    errors = {s.name: [] for s in servers}
    details = {s.name: [] for s in servers}
    for rep in range(repeat):
        for s in servers:
            if not s.alive():
                val, err, det = None, f"{s.name} is not running (exit code {s.proc.returncode if s.proc else '?'})", {}
            else:
                val, err, det = fn(s)
            runs[s.name].append(val)
            details[s.name].append(det)
            extra = det.get("note", "") if det else ""
            if val is None:
                errors[s.name].append(err)
                log(f"  {label} {s.name:<6} run {rep + 1}: FAILED: {err}")
                if s.proc is not None and not s.alive() and not s.death_reported:
                    s.death_reported = True
                    log(s.log_tail())
            else:
                log(f"  {label} {s.name:<6} run {rep + 1}: {val:>12,.0f} {unit}" + (f"  ({extra})" if extra else ""))
                if err:
                    errors[s.name].append(err)
                    log(f"      warning: {err}")
    out = {}
    for s in servers:
        ok = [r for r in runs[s.name] if r is not None]
        med = statistics.median(ok) if ok and len(ok) == len(runs[s.name]) else None
        out[s.name] = {"runs": runs[s.name], "median": med, "errors": errors[s.name], "details": details[s.name]}
    out["ratio"] = ratio(out["fastkv"]["median"], out["redis"]["median"]) if "fastkv" in out else None
    return out


def server_pair(args, server_pin: list[str]) -> list[Server]:
    """Fresh fastkv + redis (started; caller stops them)."""
    servers = [Server("fastkv", args.fastkv_cmd, server_pin, args.start_timeout),
               Server("redis", args.redis_cmd, server_pin, args.start_timeout)]
    try:
        for s in servers:
            s.start()
    except BaseException:
        for s in servers:
            s.stop()
        raise
    return servers


def try_command(server: Server, *cmd) -> tuple[object, str]:
    """One command on a fresh connection: (reply, error message or '')."""
    try:
        with RespConn(server.port, timeout=10) as c:
            return c.command(*cmd), ""
    except RespError as e:
        return None, f"{' '.join(map(str, cmd[:3]))}: -{e}"
    except OSError as e:
        return None, f"{' '.join(map(str, cmd[:3]))}: {type(e).__name__}: {e}"


# ---- (b) keyspace notifications ------------------------------------------


def notify_part(args, deadline: Deadline, server_pin, bench_pin, results: list[dict]) -> None:
    """redis-benchmark SET with notify-keyspace-events KEA and one pattern
    subscriber draining its socket in a loadgen.py process."""
    servers = server_pair(args, server_pin)
    try:
        setup_err = {}
        for s in servers:
            _, err = try_command(s, "CONFIG", "SET", "notify-keyspace-events", "KEA")
            setup_err[s.name] = err
            if err:
                log(f"  {s.name}: {err}")
        for pipeline in [int(p) for p in args.pipelines.split(",")]:
            n = args.requests if pipeline == 1 else args.requests_pipelined
            # SET emits one keyspace and one keyevent notification.
            expected = 2 * n

            def one(s: Server):
                if setup_err[s.name]:
                    return None, setup_err[s.name], {}
                reader = Worker(bench_pin, "subscribe", {
                    "port": s.port, "subs": 1, "kind": "psubscribe", "target": args.notify_pattern,
                    "expected": expected, "idle": 2.0, "timeout": deadline.cap(args.run_timeout),
                })
                try:
                    err = reader.wait_ready(deadline.cap(20))
                    if err:
                        return None, err, {}
                    rps, err = run_redis_benchmark(s, "set", pipeline, n, args, deadline, bench_pin)
                    reader.tell("DONE")
                    res, rerr = reader.result(deadline.cap(60))
                finally:
                    reader.kill()
                if rps is None:
                    return None, err, {}
                if res is None:
                    return None, rerr, {}
                det = {"notifications": res["messages"], "expected": expected,
                       "closed_by_server": res["closed_by_server"],
                       "note": f"{res['messages']:,}/{expected:,} notifications"}
                if res["closed_by_server"]:
                    return None, f"subscriber disconnected by the server after {res['messages']:,} notifications", det
                if res["messages"] != expected:
                    # Without (all) the notifications the rate is not comparable: FAIL.
                    det["ops_per_sec_unverified"] = rps
                    return None, (f"subscriber got {res['messages']:,} notifications, expected {expected:,} "
                                  f"({rps:,.0f} ops/s not counted)"), det
                return rps, "", det

            entry = alternate(servers, args.repeat, f"set+notify -P {pipeline:<3}", "ops/s", one)
            entry.update({"test": "set+notify", "pipeline": pipeline, "requests": n, "clients": args.clients,
                          "pattern": args.notify_pattern, "notify_keyspace_events": "KEA"})
            results.append(entry)
    finally:
        for s in servers:
            s.stop()


# ---- (c) PUBLISH fan-out -----------------------------------------------------


def pubsub_messages(args, subs: int) -> int:
    """Messages to publish for `subs` subscribers (bounded per subscriber so a
    lagging reader can't hit the 32 MB pubsub output-buffer hard limit)."""
    if args.pubsub_messages:
        return args.pubsub_messages
    target, cap = (1_000_000, 100_000) if args.quick else (5_000_000, 500_000)
    return max(1000, min(cap, target // subs))


def pubsub_part(args, deadline: Deadline, server_pin, bench_pin, results: list[dict]) -> None:
    """S subscribers (one loadgen.py reader process) on one channel; N
    PUBLISHes from --clients pipelined connections.  Rate = messages received
    by all subscribers / (last message received - first PUBLISH sent)."""
    servers = server_pair(args, server_pin)
    payload = b"p" * args.pubsub_payload
    chan = "bench:chan"
    try:
        for subs in [int(x) for x in args.pubsub_subscribers.split(",")]:
            n = pubsub_messages(args, subs)
            expected = subs * (n + 1)  # +1: the probe PUBLISH below

            def one(s: Server):
                reader = Worker(bench_pin, "subscribe", {
                    "port": s.port, "subs": subs, "kind": "subscribe", "target": chan,
                    "expected": expected, "idle": 2.0, "timeout": deadline.cap(args.run_timeout),
                })
                try:
                    err = reader.wait_ready(deadline.cap(30))
                    if err:
                        return None, err, {}
                    got, err = try_command(s, "PUBLISH", chan, payload)
                    if err or got != subs:
                        return None, err or f"PUBLISH returned {got!r}, expected {subs} receivers", {}
                    cpu0 = cpu_seconds(s.pid)
                    pub = Worker(bench_pin, "load", {
                        "port": s.port, "conns": args.clients, "pipeline": args.pubsub_pipeline,
                        "units": [encode_command("PUBLISH", chan, payload).decode("latin-1")],
                        "newlines": 1, "total": n, "seconds": None,
                    })
                    try:
                        pres, perr = pub.result(deadline.cap(args.run_timeout))
                    finally:
                        pub.kill()
                    reader.tell("DONE")
                    res, rerr = reader.result(deadline.cap(60))
                    cpu1 = cpu_seconds(s.pid)
                finally:
                    reader.kill()
                if pres is None or perr:
                    return None, "publisher: " + perr, {}
                if res is None:
                    return None, rerr, {}
                det = {"received": res["messages"], "expected": expected,
                       "publish_rate": pres["rate"], "publisher_cpu": pres["client_cpu"],
                       "reader_cpu_s": res["reader_cpu_s"], "closed_by_server": res["closed_by_server"]}
                if res["closed_by_server"]:
                    return None, f"{res['closed_by_server']} subscriber(s) disconnected by the server", det
                if res["messages"] != expected:
                    return None, f"subscribers got {res['messages']:,} messages, expected {expected:,}", det
                secs = res["last_t"] - pres["start_t"]
                scpu = (cpu1 - cpu0) / secs if cpu0 is not None and cpu1 is not None else None
                det.update(seconds=secs, server_cpu=scpu)
                det["note"] = (f"{pres['rate']:,.0f} PUBLISH/s, {secs:.2f}s, publisher cpu "
                               f"{100 * (pres['client_cpu'] or 0):.0f}%"
                               + (f", server cpu {100 * scpu:.0f}%" if scpu is not None else ""))
                return subs * n / secs, "", det

            entry = alternate(servers, args.repeat, f"publish -> {subs:<3} subs", "msgs/s", one)
            entry.update({"subscribers": subs, "messages": n, "publishers": args.clients,
                          "pipeline": args.pubsub_pipeline, "payload": args.pubsub_payload})
            results.append(entry)
    finally:
        for s in servers:
            s.stop()


# ---- (d) MULTI/EXEC ------------------------------------------------------------


def _reply_newlines(reply) -> int:
    """b"\\n" count of a reply's RESP2 encoding (values never contain one)."""
    if isinstance(reply, list):
        return 1 + sum(_reply_newlines(r) for r in reply)
    if isinstance(reply, bytes):
        return 2
    return 1  # simple string, integer, error, nil


def multi_part(args, deadline: Deadline, server_pin, bench_pin, results: list[dict]) -> None:
    """--clients connections, each pipelining P transactions
    MULTI / SET k v / INCR c / GET k / EXEC (time-bounded runs)."""
    servers = server_pair(args, server_pin)
    value = b"v" * 16
    nconn = args.clients

    def tx(i: int) -> list[tuple]:
        return [("MULTI",), ("SET", f"mx:{i}", value), ("INCR", f"mxc:{i}"), ("GET", f"mx:{i}"), ("EXEC",)]

    units = [b"".join(encode_command(*c) for c in tx(i)).decode("latin-1") for i in range(nconn)]
    try:
        # Validate one transaction per server and learn the reply shape.
        setup = {}
        for s in servers:
            try:
                with RespConn(s.port, timeout=10) as c:
                    c.sock.sendall(units[0].encode("latin-1"))
                    replies = [c.read_reply() for _ in tx(0)]
                want = ["OK", "QUEUED", "QUEUED", "QUEUED"]
                execr = replies[-1]
                if replies[:4] != want or not (isinstance(execr, list) and len(execr) == 3
                                               and execr[0] == "OK" and isinstance(execr[1], int)
                                               and execr[2] == value):
                    setup[s.name] = (None, f"unexpected MULTI/EXEC replies: {replies!r}"[:300])
                else:
                    setup[s.name] = (sum(_reply_newlines(r) for r in replies), "")
            except OSError as e:
                setup[s.name] = (None, f"{type(e).__name__}: {e}")
            if setup[s.name][1]:
                log(f"  {s.name}: {setup[s.name][1]}")

        for pipeline in [int(p) for p in args.pipelines.split(",")]:

            def one(s: Server):
                newlines, err = setup[s.name]
                if err:
                    return None, err, {}
                before, err = _counters(s, nconn)
                if err:
                    return None, err, {}
                cpu0 = cpu_seconds(s.pid)
                w = Worker(bench_pin, "load", {
                    "port": s.port, "conns": nconn, "pipeline": pipeline, "units": units,
                    "newlines": newlines, "total": None, "seconds": args.multi_seconds,
                })
                try:
                    res, err = w.result(deadline.cap(args.multi_seconds + 60))
                finally:
                    w.kill()
                if res is None or err:
                    return None, err, {}
                cpu1 = cpu_seconds(s.pid)
                after, err = _counters(s, nconn)
                if err:
                    return None, err, {}
                # Server CPU over the worker's lifetime (incl. connection setup):
                # near 100% means the server, not the client, is the limit.
                scpu = (cpu1 - cpu0) / res["elapsed"] if cpu0 is not None and cpu1 is not None else None
                det = {"transactions": res["units"], "seconds": res["elapsed"], "client_cpu": res["client_cpu"],
                       "server_cpu": scpu,
                       "note": f"client cpu {100 * (res['client_cpu'] or 0):.0f}%"
                               + (f", server cpu {100 * scpu:.0f}%" if scpu is not None else "")}
                if after - before != res["units"]:
                    return None, f"INCR counters grew by {after - before:,}, expected {res['units']:,}", det
                return res["rate"], "", det

            entry = alternate(servers, args.repeat, f"multi/exec -P {pipeline:<3}", "tx/s", one)
            entry.update({"test": "multi(set,incr,get)", "pipeline": pipeline, "clients": nconn,
                          "seconds": args.multi_seconds})
            results.append(entry)
    finally:
        for s in servers:
            s.stop()


def _counters(s: Server, nconn: int) -> tuple[int, str]:
    """Sum of the INCR counters of all connections."""
    try:
        with RespConn(s.port, timeout=10) as c:
            c.sock.sendall(b"".join(encode_command("GET", f"mxc:{i}") for i in range(nconn)))
            vals = [c.read_reply() for _ in range(nconn)]
        return sum(int(v) for v in vals if v is not None), ""
    except (OSError, ValueError, TypeError) as e:
        return 0, f"reading counters: {type(e).__name__}: {e}"


# ---- tables -------------------------------------------------------------------


def _ops_rows(results: list[dict], first: str, unit: str) -> tuple[list[str], list[list[str]]]:
    headers = [first, "pipeline", f"fastkv {unit}", f"redis {unit}", "fastkv/redis"]
    rows = [
        [r["test"], str(r["pipeline"]), fmt_int(r["fastkv"]["median"]),
         fmt_int(r["redis"]["median"]), fmt_ratio(r["fastkv"]["median"], r["redis"]["median"])]
        for r in results
    ]
    return headers, rows


def _notify_notes(results: list[dict]) -> list[str]:
    notes = []
    for r in results:
        for name in ("fastkv", "redis"):
            for d in r[name]["details"]:
                if d and d.get("notifications") != d.get("expected"):
                    notes.append(f"  note: {name} -P {r['pipeline']}: subscriber got {d.get('notifications'):,} "
                                 f"of {d.get('expected'):,} notifications in a run")
    return notes


def notify_rows(results):
    return _ops_rows(results, "test", "ops/s")


def multi_rows(results):
    return _ops_rows(results, "test", "tx/s")


def pubsub_rows(results: list[dict]) -> tuple[list[str], list[list[str]]]:
    headers = ["subscribers", "messages", "fastkv msgs/s", "redis msgs/s", "fastkv/redis"]
    rows = [
        [str(r["subscribers"]), f"{r['messages']:,}", fmt_int(r["fastkv"]["median"]),
         fmt_int(r["redis"]["median"]), fmt_ratio(r["fastkv"]["median"], r["redis"]["median"])]
        for r in results
    ]
    return headers, rows


# --------------------------------------------------------------------------
# Environment / CLI
# --------------------------------------------------------------------------


def pinning(args) -> tuple[list[str], list[str], str]:
    """taskset prefixes for servers and for redis-benchmark, plus a description."""
    if args.no_pin:
        return [], [], "disabled (--no-pin)"
    if not shutil.which("taskset"):
        return [], [], "disabled (taskset not found)"
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return [], [], "disabled (fewer than 2 cores)"
    srv, bench = cpus[0], cpus[1]
    return (["taskset", "-c", str(srv)], ["taskset", "-c", str(bench)],
            f"servers on cpu {srv}, redis-benchmark on cpu {bench}")


def tool_version(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for ln in f:
                if ln.startswith("model name"):
                    return ln.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Show "(default: X)" except for None/False defaults (explained in the help)."""

    def _get_help_string(self, action):
        if action.default in (None, False):
            return action.help
        return super()._get_help_string(action)


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Benchmark fastkv against redis-server (throughput + memory; or --profile issue3).",
        formatter_class=_HelpFormatter,
    )
    p.add_argument("--profile", choices=sorted(PROFILES) + sorted(PROFILE_ALIASES), default="default",
                   help="default: throughput (set,get,incr,mset) + memory.  issue3: throughput "
                        "(ping_mbulk,set,get) + notify + pubsub + multi, -n 100000/500000.  "
                        "issue4 (alias collections): throughput (" + ISSUE4_TESTS + "; lrange_100 at "
                        "half and lrange_600 at a fifth of -n) + memtypes (bench/memory_types.py)")
    p.add_argument("--only", metavar="PARTS",
                   help="comma-separated parts to run instead of the profile's: " + ", ".join(PARTS)
                        + " (memtypes = used_memory of hashes, sets, a list, a sorted set; notify = SET with notify-keyspace-events KEA and a pattern subscriber; "
                          "pubsub = PUBLISH fan-out; multi = MULTI/SET/INCR/GET/EXEC transactions)")
    p.add_argument("--quick", action="store_true",
                   help="small counts for a smoke test (20k/200k requests, 100k keys) unless given explicitly")
    p.add_argument("--fastkv-cmd", default=DEFAULT_FASTKV_CMD,
                   help='fastkv server command template; {port} is substituted. Without {port}, '
                        f"'{SERVER_ARGS}' is appended (so 'python -m fastkv' works)")
    p.add_argument("--redis-cmd", default=DEFAULT_REDIS_CMD, help="reference redis-server command template")
    p.add_argument("--redis-benchmark", default="redis-benchmark", help="redis-benchmark binary")
    p.add_argument("--tests", default=None,
                   help=f"comma-separated redis-benchmark -t tests (default {DEFAULT_TESTS}; "
                        f"{PROFILES['issue3']['tests']} with --profile issue3)")
    p.add_argument("--pipelines", default=DEFAULT_PIPELINES, help="comma-separated -P values")
    p.add_argument("-c", "--clients", type=int, default=50, help="redis-benchmark -c")
    p.add_argument("-n", "--requests", type=int, default=None,
                   help="requests per run at -P 1, also for notify (default 200000, 100000 with "
                        "--profile issue3; 20000 with --quick)")
    p.add_argument("--requests-pipelined", type=int, default=None,
                   help="requests per run at -P > 1 (default 2000000, 500000 with --profile issue3; "
                        "200000 with --quick)")
    p.add_argument("-r", "--keyspace", type=int, default=1_000_000, help="redis-benchmark -r (random keyspace)")
    p.add_argument("--repeat", type=int, default=3, help="runs per server per test; the median is reported")
    p.add_argument("--keys", type=int, default=None, help="keys for the memory test (default 1000000; 100000 with --quick)")
    p.add_argument("--value-size", type=int, default=16, help="value size in bytes for the memory test")
    p.add_argument("--notify-pattern", default="__key*__:*",
                   help="notify: PSUBSCRIBE pattern of the subscriber (SET emits 2 notifications)")
    p.add_argument("--pubsub-subscribers", default="1,10,100", help="pubsub: subscriber counts, one run set each")
    p.add_argument("--pubsub-messages", type=int, default=None,
                   help="pubsub: PUBLISHes per run (default min(500000, 5000000/subscribers); "
                        "min(100000, 1000000/subscribers) with --quick)")
    p.add_argument("--pubsub-payload", type=int, default=16, help="pubsub: message size in bytes")
    p.add_argument("--pubsub-pipeline", type=int, default=16,
                   help="pubsub: PUBLISHes in flight per publisher connection (there are --clients publishers)")
    p.add_argument("--multi-seconds", type=float, default=None,
                   help="multi: seconds per run (default 2; 0.5 with --quick)")
    p.add_argument("--no-pin", action="store_true", help="do not use taskset")
    p.add_argument("--start-timeout", type=float, default=15.0, help="seconds to wait for a server to answer PING")
    p.add_argument("--run-timeout", type=float, default=600.0,
                   help="max seconds for one redis-benchmark run / one memory load")
    p.add_argument("--max-time", type=float, default=3600.0, help="max seconds for the whole run")
    p.add_argument("--markdown", action="store_true", help="also print Markdown tables (for the README)")
    p.add_argument("--json", metavar="FILE", help="write all results (incl. individual runs) as JSON")
    a = p.parse_args(argv)

    a.profile = PROFILE_ALIASES.get(a.profile, a.profile)
    prof = PROFILES[a.profile]
    a.scale = prof.get("scale", {})
    a.prefill = prof.get("prefill", False)
    if a.only:
        a.parts = [x.strip() for x in a.only.split(",") if x.strip()]
        bad = [x for x in a.parts if x not in PARTS]
        if bad or not a.parts:
            p.error(f"--only: unknown part(s) {', '.join(bad)!s}; choose from {', '.join(PARTS)}")
    else:
        a.parts = list(prof["parts"])
    if a.tests is None:
        a.tests = prof["tests"]
    if a.requests is None:
        a.requests = 20_000 if a.quick else prof["requests"][0]
    if a.requests_pipelined is None:
        a.requests_pipelined = 200_000 if a.quick else prof["requests"][1]
    if a.multi_seconds is None:
        a.multi_seconds = 0.5 if a.quick else 2.0
    try:
        subs = [int(x) for x in a.pubsub_subscribers.split(",")]
        pipes = [int(x) for x in a.pipelines.split(",")]
    except ValueError:
        p.error("--pubsub-subscribers and --pipelines take comma-separated integers")
    if min(subs) < 1 or min(pipes) < 1 or a.pubsub_pipeline < 1 or a.pubsub_payload < 1:
        p.error("subscriber counts, pipelines and the pubsub payload must be >= 1")
    if a.multi_seconds <= 0 or (a.pubsub_messages is not None and a.pubsub_messages < 1):
        p.error("--multi-seconds and --pubsub-messages must be > 0")
    if a.keys is None:
        a.keys = 100_000 if a.quick else 1_000_000
    if a.repeat < 1 or a.keys < 1 or a.clients < 1:
        p.error("--repeat, --keys and --clients must be >= 1")
    if a.keys >= 10**12:
        p.error("--keys must be < 10**12 (keys are key:%012d)")
    if a.value_size < 2:
        p.error("--value-size must be >= 2")
    return a


def _raise_interrupted(signum, frame):
    raise Interrupted(signal.Signals(signum).name)


def main(argv=None) -> int:
    args = parse_args(argv)
    # SIGTERM / SIGHUP behave like Ctrl-C: unwind so every server gets killed.
    # SIGINT is set explicitly because it may be inherited as ignored
    # (e.g. background jobs of non-interactive shells).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _raise_interrupted)
    signal.signal(signal.SIGHUP, _raise_interrupted)

    deadline = Deadline(args.max_time)
    server_pin, bench_pin, pin_desc = pinning(args)
    # Fail fast, before any work, if a binary is missing.
    try:
        check_executable(build_server_argv(args.fastkv_cmd, 0)[0], "fastkv")
        check_executable(build_server_argv(args.redis_cmd, 0)[0], "redis")
        if "throughput" in args.parts or "notify" in args.parts:
            check_executable(args.redis_benchmark, "redis-benchmark")
    except (BenchError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "host": platform.node(),
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "pinning": pin_desc,
        "fastkv_cmd": args.fastkv_cmd,
        "redis_cmd": args.redis_cmd,
        "redis_server_version": tool_version(["redis-server", "--version"]),
        "redis_benchmark_version": tool_version([args.redis_benchmark, "--version"]),
        "clients": args.clients,
        "keyspace": args.keyspace,
        "repeat": args.repeat,
        "profile": args.profile,
        "parts": args.parts,
        "loadavg_start": os.getloadavg(),
    }
    log(f"fastkv benchmark -- {meta['cpu']} x{meta['cpus']}, pinning: {pin_desc}, "
        f"load average {meta['loadavg_start'][0]:.2f} (other load on the box skews every number)")
    log(f"  fastkv: {args.fastkv_cmd}")
    log(f"  redis:  {args.redis_cmd}  ({meta['redis_server_version'][:40]})")

    results: dict = {"meta": meta}
    failed = False
    try:
        if "throughput" in args.parts:
            log(f"\n== throughput: -c {args.clients}, -r {args.keyspace}, "
                f"-n {args.requests} (-P 1) / {args.requests_pipelined} (-P >1), {args.repeat} runs each ==")
            results["throughput"] = []
            throughput(args, deadline, server_pin, bench_pin, results["throughput"])
            failed |= any(r["fastkv"]["median"] is None or r["redis"]["median"] is None
                          for r in results["throughput"])
        if "memory" in args.parts:
            log(f"\n== memory: {args.keys:,} keys (16-byte keys, {args.value_size}-byte values) ==")
            results["memory"] = memory(args, deadline, server_pin)
        if "memtypes" in args.parts:
            import memory_types  # bench/memory_types.py
            log(f"\n== memtypes: hashes, sets, a list, a sorted set ({'a tenth of ' if args.quick else ''}issue 6 sizes) ==")
            results["memtypes"] = memory_types.run_cases(args.fastkv_cmd, args.redis_cmd, server_pin, deadline,
                                                         args.quick, start_timeout=args.start_timeout)
        for part, fn, what in (
            ("notify", notify_part, f"SET + notify-keyspace-events KEA + PSUBSCRIBE {args.notify_pattern!r} reader, "
                                    f"-c {args.clients}, -n {args.requests} (-P 1) / {args.requests_pipelined} (-P >1)"),
            ("pubsub", pubsub_part, f"PUBLISH fan-out to {args.pubsub_subscribers} subscribers, {args.clients} "
                                    f"publishers x -P {args.pubsub_pipeline}, {args.pubsub_payload}-byte payload"),
            ("multi", multi_part, f"MULTI/SET/INCR/GET/EXEC, {args.clients} connections, "
                                  f"{args.multi_seconds:g}s per run"),
        ):
            if part in args.parts:
                log(f"\n== {part}: {what}, {args.repeat} runs each ==")
                results[part] = []
                fn(args, deadline, server_pin, bench_pin, results[part])
                failed |= any(r["fastkv"]["median"] is None or r["redis"]["median"] is None
                              for r in results[part])
    except (KeyboardInterrupt, Interrupted) as e:
        log(f"\ninterrupted ({str(e) or 'SIGINT'}); servers stopped")
        return 130
    except BenchError as e:
        log(f"\nerror: {e}")
        failed = True
    except (OSError, RespError) as e:
        log(f"\nerror: {type(e).__name__}: {e}")
        failed = True

    # ---- report -----------------------------------------------------------
    tables = []  # (title, headers, rows, notes)
    if results.get("throughput"):
        mset = "; MSET = 10 keys/op" if any(r["test"] == "mset" for r in results["throughput"]) else ""
        tables.append((f"Throughput (median of {args.repeat}, -c {args.clients}, ops/s{mset})",
                       *throughput_rows(results["throughput"]), []))
    if "memory" in results:
        tables.append((f"Memory ({args.keys:,} keys, {args.value_size}-byte values)",
                       *memory_rows(results["memory"]), []))
    if results.get("memtypes"):
        import memory_types
        tables.append((memory_types.title(results["memtypes"]), *memory_types.rows(results["memtypes"]), []))
    if results.get("notify"):
        tables.append((f"SET with keyspace notifications (notify-keyspace-events KEA, one PSUBSCRIBE "
                       f"{args.notify_pattern!r} reader; median of {args.repeat}, -c {args.clients}, ops/s)",
                       *notify_rows(results["notify"]), _notify_notes(results["notify"])))
    if results.get("pubsub"):
        tables.append((f"PUBLISH fan-out (median of {args.repeat}; {args.clients} publishers x {args.pubsub_pipeline} "
                       f"in flight, {args.pubsub_payload}-byte payload; msgs/s = messages received by all "
                       f"subscribers / seconds from first PUBLISH to last message received)",
                       *pubsub_rows(results["pubsub"]), []))
    if results.get("multi"):
        tables.append((f"MULTI/EXEC (MULTI, SET, INCR, GET, EXEC; median of {args.repeat}, {args.clients} "
                       f"connections, {args.multi_seconds:g}s runs; transactions/s; pipeline = transactions "
                       f"in flight per connection)", *multi_rows(results["multi"]), []))
    out = []
    for title, h, rows, notes in tables:
        out.append(("\n" if out else "") + title)
        out.append(text_table(h, rows))
        out.extend(notes)
    if args.markdown:
        for title, h, rows, notes in tables:
            out.append("\n" + md_table(h, rows))
    if out:
        print("\n" + "\n".join(out), flush=True)

    meta["loadavg_end"] = os.getloadavg()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
        log(f"\nwrote {args.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
