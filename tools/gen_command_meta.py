#!/usr/bin/env python3
"""Generate fastkv/meta/redis_commands.json from a real redis-server.

Redis builds its command table from src/commands/*.json (-> commands.def).
fastkv instead records what a real ``redis-server`` *replies* to
``COMMAND`` / ``COMMAND DOCS``, so fastkv can reproduce those replies
byte-for-byte.

What this script does:

1. starts ``redis-server --port P --save "" --appendonly no`` on a free port,
2. switches the connection to RESP3 (``HELLO 3``) so that maps, sets and
   simple strings can be told apart, and reads ``COMMAND`` (info for every
   command) and ``COMMAND DOCS`` (docs for every command),
3. converts the replies into plain JSON (see fastkv/meta/__init__.py for the
   layout), sorted so the output is deterministic,
4. self-checks: for every command and subcommand it re-encodes the stored
   entry with fastkv.meta and compares the bytes with what the
   server sends for ``COMMAND INFO <name>`` / ``COMMAND DOCS <name>`` in both
   RESP2 and RESP3.  Redis iterates subcommands in hash-table order (random
   seed per process), so for that check only, the stored (sorted)
   subcommands are put into the order the server used,
5. writes the JSON file.

Usage::

    python tools/gen_command_meta.py [--redis-server PATH] [--output FILE]

Only the standard library is used (raw sockets).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "fastkv" / "meta" / "redis_commands.json"

sys.path.insert(0, str(ROOT))
from fastkv import meta  # noqa: E402  (after sys.path tweak)
from fastkv.meta import RSet, RStatus  # noqa: E402

CRLF = b"\r\n"


# --------------------------------------------------------------------------
# Minimal RESP2/RESP3 client on a raw socket
# --------------------------------------------------------------------------

class RespError(Exception):
    pass


class Conn:
    """Blocking raw-socket connection that returns both the parsed reply
    (in fastkv.meta's reply-shape representation) and the exact raw bytes."""

    def __init__(self, host: str, port: int, timeout: float = 10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.rfile = self.sock.makefile("rb")
        self._raw = bytearray()

    def close(self) -> None:
        try:
            self.rfile.close()
        finally:
            self.sock.close()

    # -- low level --------------------------------------------------------
    def _line(self) -> bytes:
        line = self.rfile.readline()
        if not line.endswith(CRLF):
            raise ConnectionError("connection closed while reading reply")
        self._raw += line
        return line[:-2]

    def _exact(self, n: int) -> bytes:
        data = self.rfile.read(n + 2)
        if len(data) != n + 2 or data[-2:] != CRLF:
            raise ConnectionError("short read")
        self._raw += data
        return data[:-2]

    def _parse(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return RStatus(rest.decode())
        if t == b"-":
            return RespError(rest.decode())
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n).decode()
        if t == b"_":
            return None
        if t in (b"*", b"~"):
            n = int(rest)
            if n < 0:
                return None
            items = [self._parse() for _ in range(n)]
            return RSet(items) if t == b"~" else items
        if t == b"%":
            n = int(rest)
            out = {}
            for _ in range(n):
                k = self._parse()
                out[k] = self._parse()
            if len(out) != n:
                raise ValueError("duplicate map key in reply")
            return out
        raise ValueError(f"unsupported RESP type byte {t!r}")

    # -- public -----------------------------------------------------------
    def call_raw(self, *args: str):
        """Send a command; return (parsed_reply, raw_reply_bytes)."""
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            b = a.encode() if isinstance(a, str) else a
            out.append(b"$%d\r\n%s\r\n" % (len(b), b))
        self.sock.sendall(b"".join(out))
        self._raw = bytearray()
        reply = self._parse()
        return reply, bytes(self._raw)

    def call(self, *args: str):
        reply, _ = self.call_raw(*args)
        if isinstance(reply, RespError):
            raise reply
        return reply


# --------------------------------------------------------------------------
# Reference encoder for the self-check (mirrors fastkv.meta's documentation)
# --------------------------------------------------------------------------

def encode(obj, proto: int) -> bytes:
    if obj is None:
        return b"_\r\n" if proto == 3 else b"$-1\r\n"
    if isinstance(obj, bool):
        raise TypeError("bool not used in command metadata")
    if isinstance(obj, int):
        return b":%d\r\n" % obj
    if isinstance(obj, RStatus):
        return b"+%s\r\n" % obj.encode()
    if isinstance(obj, (str, bytes)):
        b = obj.encode() if isinstance(obj, str) else obj
        return b"$%d\r\n%s\r\n" % (len(b), b)
    if isinstance(obj, dict):
        if proto == 3:
            head = b"%%%d\r\n" % len(obj)
        else:
            head = b"*%d\r\n" % (2 * len(obj))
        return head + b"".join(encode(k, proto) + encode(v, proto)
                               for k, v in obj.items())
    if isinstance(obj, list):  # includes RSet
        tag = b"~" if (proto == 3 and isinstance(obj, RSet)) else b"*"
        return tag + b"%d\r\n" % len(obj) + b"".join(encode(x, proto) for x in obj)
    raise TypeError(f"cannot encode {type(obj).__name__}")


# --------------------------------------------------------------------------
# Server management
# --------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(binary: str):
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--save", "", "--appendonly", "no",
         "--bind", "127.0.0.1", "--daemonize", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"redis-server exited with {proc.returncode}")
        try:
            c = Conn("127.0.0.1", port, timeout=1)
            if c.call("PING") == "PONG":
                c.close()
                return proc, port
            c.close()
        except (OSError, RespError):
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("redis-server did not come up")
        time.sleep(0.05)


def stop_server(proc) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --------------------------------------------------------------------------
# Reply -> JSON conversion
# --------------------------------------------------------------------------

def plain(obj):
    """Strip reply-shape classes: RSet -> list, RStatus -> str, keep order."""
    if isinstance(obj, dict):
        return {plain(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [plain(x) for x in obj]
    if isinstance(obj, RStatus):
        return str(obj)
    if isinstance(obj, RespError):
        raise obj
    return obj


def build_entry(info: list, docs_by_name: dict) -> tuple[str, dict]:
    """Turn one RESP3 COMMAND INFO array (+ its docs) into a JSON entry."""
    if len(info) != 10:
        raise ValueError(f"unexpected COMMAND INFO shape: {info!r}")
    (name, arity, flags, first_key, last_key, step,
     acl, tips, key_specs, subcommands) = info
    name = name.lower()
    docs = dict(plain(docs_by_name[name]))
    sub_docs = docs.pop("subcommands", {})
    subs = {}
    for sub in subcommands:
        sub_name, sub_entry = build_entry(sub, sub_docs)
        subs[sub_name] = sub_entry
    if set(sub_docs) != set(subs):
        raise ValueError(f"{name}: docs/info subcommand mismatch")
    entry = {
        "arity": arity,
        "flags": plain(flags),
        "first_key": first_key,
        "last_key": last_key,
        "step": step,
        "acl_categories": plain(acl),
        "tips": plain(tips),
        "key_specs": plain(key_specs),
        "subcommands": {k: subs[k] for k in sorted(subs)},
        "docs": docs,
    }
    return name, entry


# --------------------------------------------------------------------------
# Self-check
# --------------------------------------------------------------------------

def info_sub_order(reply, proto: int) -> list[str]:
    """Subcommand names, in server order, from a single-command COMMAND INFO."""
    return [s[0] for s in reply[0][9]]


def docs_sub_order(reply, proto: int) -> list[str]:
    if proto == 3:
        (docs,) = reply.values()
        return list(docs.get("subcommands", {}))
    flat = reply[1]
    kv = dict(zip(flat[0::2], flat[1::2]))
    return list(kv.get("subcommands", [])[0::2])


def reorder(entry: dict, order: list[str]) -> dict:
    if list(entry["subcommands"]) == order:
        return entry
    e = dict(entry)
    e["subcommands"] = {k: entry["subcommands"][k] for k in order}
    return e


def verify(conn: Conn, table: dict) -> int:
    checked = 0
    for proto in (2, 3):
        conn.call("HELLO", str(proto))
        for name, entry in table.items():
            got, raw = conn.call_raw("COMMAND", "INFO", name)
            e = reorder(entry, info_sub_order(got, proto))
            mine = encode([meta.command_info(name, e)], proto)
            if mine != raw:
                raise SystemExit(f"self-check failed: COMMAND INFO {name} "
                                 f"RESP{proto}\nserver: {raw!r}\nours:   {mine!r}")
            got, raw = conn.call_raw("COMMAND", "DOCS", name)
            e = reorder(entry, docs_sub_order(got, proto))
            mine = encode({name: meta.command_docs(e)}, proto)
            if mine != raw:
                raise SystemExit(f"self-check failed: COMMAND DOCS {name} "
                                 f"RESP{proto}\nserver: {raw!r}\nours:   {mine!r}")
            checked += 2
    return checked


# --------------------------------------------------------------------------

def generate(binary: str) -> tuple[dict, str, int]:
    proc, port = start_server(binary)
    try:
        conn = Conn("127.0.0.1", port)
        try:
            hello = conn.call("HELLO", "3")
            version = hello["version"]
            infos = conn.call("COMMAND")
            docs = conn.call("COMMAND", "DOCS")
            docs = {k.lower(): v for k, v in docs.items()}

            commands = {}
            for info in infos:
                name, entry = build_entry(info, docs)
                commands[name] = entry
            if set(commands) != set(docs):
                raise ValueError("COMMAND and COMMAND DOCS disagree on names")

            flat = {}
            for name, entry in commands.items():
                flat[name] = entry
                for sub_name, sub in entry["subcommands"].items():
                    flat[sub_name] = sub
            checked = verify(conn, flat)
        finally:
            conn.close()
    finally:
        stop_server(proc)

    out = {"_generated": (
        f"GENERATED FILE - DO NOT EDIT BY HAND. Produced by "
        f"tools/gen_command_meta.py from redis-server {version} "
        f"(COMMAND / COMMAND DOCS replies). Re-run the script to update.")}
    for name in sorted(commands):
        out[name] = commands[name]
    return out, version, checked


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--redis-server",
                    default=os.environ.get("REDIS_SERVER")
                    or shutil.which("redis-server") or "/usr/bin/redis-server")
    ap.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = ap.parse_args(argv)

    data, version, checked = generate(args.redis_server)
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.output.with_suffix(".json.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, args.output)
    n_sub = sum(len(v["subcommands"]) for k, v in data.items()
                if not k.startswith("_"))
    print(f"wrote {args.output} ({len(text.encode())} bytes): "
          f"{len(data) - 1} commands, {n_sub} subcommands, redis {version}, "
          f"{checked} replies verified byte-for-byte")
    return 0


if __name__ == "__main__":
    sys.exit(main())
