#!/usr/bin/env python3
"""Load-generator workers for bench/run.py (standard library only).

Run as a separate process (``taskset``-pinned by run.py) so that the client
work is accounted to the client core, exactly like redis-benchmark.  Every
mode takes one JSON argument and prints one JSON object on stdout.

``load``       -- N connections, each sends a pre-encoded block of
                  ``pipeline`` units (a unit = one or more RESP commands,
                  e.g. MULTI/SET/INCR/GET/EXEC), waits for the replies and
                  sends the next block.  Replies are not parsed: a unit's
                  replies contain a known number of b"\\n" (measured by
                  run.py on a validation round trip), so counting newlines
                  in C (bytes.count) is enough to know when a block is done.
                  Any b"-" in the reply stream (an error reply; the benches
                  never produce other dashes) aborts the run.  Stops after
                  ``total`` units and/or ``seconds``.
``subscribe``  -- N connections SUBSCRIBE (or PSUBSCRIBE) to one
                  channel/pattern, print ``READY``, then drain the sockets
                  with epoll, counting delivered messages by a marker
                  (b"message\\r\\n$", present once in every message and
                  pmessage push) until ``expected`` messages in total
                  arrived, stdin says ``DONE`` and the sockets stayed idle
                  for ``idle`` seconds, or ``timeout`` passed.

Times are CLOCK_MONOTONIC, which is shared by all processes on the host,
so run.py can combine the publisher's start with the readers' end.
"""

from __future__ import annotations

import json
import os
import select
import socket
import sys
import time

HOST = "127.0.0.1"
MARKER = b"message\r\n$"  # in every "message" and "pmessage" push, once
RECV = 1 << 18


def encode_command(*args) -> bytes:
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        if not isinstance(a, bytes):
            a = str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)


def _connect(port: int, timeout: float = 10.0) -> socket.socket:
    s = socket.create_connection((HOST, port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def _error_line(data: bytes) -> str:
    i = data.find(b"-")
    return data[i:i + 160].split(b"\r\n")[0].decode(errors="replace")


# --------------------------------------------------------------------------
# Pipelined load
# --------------------------------------------------------------------------


def run_load(cfg: dict) -> dict:
    """cfg: port, conns, pipeline, units (list of unit request bytes as
    latin-1 str; connection i uses units[i % len(units)]), newlines (b"\n"
    in the replies to one unit), total (units over all connections, sent
    exactly; or None), seconds (stop sending new blocks after this; or None).
    """
    port, nconn, pipeline = cfg["port"], cfg["conns"], cfg["pipeline"]
    units = [u.encode("latin-1") for u in cfg["units"]]
    nl_unit = cfg["newlines"]
    total = cfg.get("total")
    seconds = cfg.get("seconds")
    if total is None and seconds is None:
        raise ValueError("need total and/or seconds")

    socks = [_connect(port) for _ in range(nconn)]
    sockmap, unit_of, blocks, quota, pending, inflight = {}, {}, {}, {}, {}, {}
    ep = select.epoll()
    for i, s in enumerate(socks):
        s.setblocking(False)
        fd = s.fileno()
        sockmap[fd] = s
        unit_of[fd] = units[i % len(units)]
        blocks[fd] = unit_of[fd] * pipeline
        # Units this connection still has to send (exact total overall).
        quota[fd] = (total // nconn + (i < total % nconn)) if total is not None else 1 << 62
        ep.register(fd, select.EPOLLIN)
    done = 0

    def send_block(fd):
        k = pipeline if quota[fd] >= pipeline else quota[fd]
        _send_all(sockmap[fd], blocks[fd] if k == pipeline else unit_of[fd] * k)
        quota[fd] -= k
        inflight[fd] = k
        pending[fd] = nl_unit * k

    cpu0 = _cpu()
    t0 = time.monotonic()
    stop_at = t0 + seconds if seconds is not None else float("inf")
    active = 0
    for fd in sockmap:
        if quota[fd] > 0:
            send_block(fd)
            active += 1
        else:
            ep.unregister(fd)
    error = None
    t_end = t0
    poll = ep.poll
    buf = bytearray(RECV)
    recv_into = _recv_into(sockmap)
    while active:
        for fd, _ in poll(1.0):
            try:
                n = recv_into(fd, buf)
            except BlockingIOError:
                continue
            if not n:
                error = "server closed a connection"
                active = 0
                break
            if buf.find(b"-", 0, n) >= 0:
                error = "error reply: " + _error_line(bytes(buf[:n]))
                active = 0
                break
            left = pending[fd] - buf.count(b"\n", 0, n)
            if left > 0:
                pending[fd] = left
                continue
            done += inflight[fd]
            now = time.monotonic()
            t_end = now
            if quota[fd] > 0 and now < stop_at:
                send_block(fd)
            else:
                ep.unregister(fd)
                active -= 1
        else:
            if time.monotonic() > stop_at + 30:
                error = "timed out waiting for replies"
                break
    cpu = _cpu() - cpu0
    for s in socks:
        s.close()
    elapsed = t_end - t0
    return {
        "units": done,
        "elapsed": elapsed,
        "rate": done / elapsed if elapsed > 0 and not error else None,
        "start_t": t0,
        "end_t": t_end,
        "client_cpu": cpu / elapsed if elapsed > 0 else None,
        "error": error,
    }


def _recv_into(sockmap):
    """fd, buffer -> bytes read (into a preallocated buffer: no allocation,
    which for large reads would mean an mmap/munmap pair per recv)."""
    bound = {fd: s.recv_into for fd, s in sockmap.items()}

    def recv_into(fd, buf):
        return bound[fd](buf)

    return recv_into


def _send_all(s: socket.socket, data: bytes) -> None:
    """sendall for a non-blocking socket (blocks are small; rarely loops)."""
    view = memoryview(data)
    while view:
        try:
            n = s.send(view)
            view = view[n:]
        except BlockingIOError:
            select.select([], [s], [], 5.0)


# --------------------------------------------------------------------------
# Subscriber reader
# --------------------------------------------------------------------------


def run_subscribe(cfg: dict) -> dict:
    """cfg: port, subs, kind ('subscribe'|'psubscribe'), target, expected
    (total messages over all subscribers or None), idle, timeout."""
    port, nsubs, kind = cfg["port"], cfg["subs"], cfg["kind"].lower()
    target = cfg["target"].encode()
    expected = cfg.get("expected")
    idle = cfg.get("idle", 1.0)
    hard_end = time.monotonic() + cfg.get("timeout", 60.0)
    ack = b"*3\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n:1\r\n" % (len(kind), kind.encode(), len(target), target)

    socks = []
    for _ in range(nsubs):
        s = _connect(port)
        s.sendall(encode_command(kind.upper(), target))
        buf = b""
        while len(buf) < len(ack) and not (buf[:1] == b"-" and b"\r\n" in buf):
            chunk = s.recv(4096)
            if not chunk:
                break
            buf += chunk
        if buf != ack:
            print(json.dumps({"error": f"{kind.upper()} reply {buf[:120]!r}, expected {ack!r}"}), flush=True)
            return None
        socks.append(s)
    print("READY", flush=True)

    ep = select.epoll()
    sockmap, counts, tails = {}, {}, {}
    for s in socks:
        s.setblocking(False)
        fd = s.fileno()
        sockmap[fd] = s
        counts[fd] = 0
        tails[fd] = b""
        ep.register(fd, select.EPOLLIN)
    stdin_fd = sys.stdin.fileno()
    ep.register(stdin_fd, select.EPOLLIN)
    mlen1 = len(MARKER) - 1

    cpu0 = _cpu()
    total = 0
    nbytes = 0
    closed = 0
    publisher_done = False
    t_first = t_last = None
    t_data = time.monotonic()
    poll = ep.poll
    buf = bytearray(RECV)
    recv_into = _recv_into(sockmap)
    while True:
        now = time.monotonic()
        if expected is not None and total >= expected:
            break
        if now >= hard_end:
            break
        if publisher_done and now - t_data >= idle:
            break
        if closed == len(sockmap):
            break
        for fd, _ in poll(min(0.2, max(0.0, hard_end - now))):
            if fd == stdin_fd:
                line = sys.stdin.buffer.readline()
                if not line or line.strip() == b"DONE":
                    publisher_done = True
                    t_data = max(t_data, time.monotonic())
                    ep.unregister(stdin_fd)
                continue
            try:
                got = recv_into(fd, buf)
            except BlockingIOError:
                continue
            if not got:
                closed += 1
                ep.unregister(fd)
                continue
            nbytes += got
            # Markers in this chunk, plus one spanning the previous chunk
            # and this one (the marker cannot overlap itself).
            n = buf.count(MARKER, 0, got)
            tail = tails[fd]
            if tail:
                n += (tail + buf[:min(got, mlen1)]).count(MARKER)
            tails[fd] = bytes((tail + buf[:got])[-mlen1:]) if got < mlen1 else bytes(buf[got - mlen1:got])
            if n:
                counts[fd] += n
                total += n
                t_data = time.monotonic()
                if t_first is None:
                    t_first = t_data
                t_last = t_data
    cpu = _cpu() - cpu0
    for s in socks:
        s.close()
    per = sorted(counts.values())
    return {
        "messages": total,
        "bytes": nbytes,
        "per_sub_min": per[0] if per else 0,
        "per_sub_max": per[-1] if per else 0,
        "closed_by_server": closed,
        "first_t": t_first,
        "last_t": t_last,
        "reader_cpu_s": cpu,
        "error": None,
    }


def main() -> int:
    mode, cfg = sys.argv[1], json.loads(sys.argv[2])
    if mode == "load":
        res = run_load(cfg)
    elif mode == "subscribe":
        res = run_subscribe(cfg)
        if res is None:
            return 1
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    print(json.dumps(res), flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
