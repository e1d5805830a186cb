"""Check fastkv/meta (redis_commands.json + __init__.py) against real Redis.

For a sample of commands, the stored entry is turned into a reply shape by
fastkv.meta, encoded with the small RESP encoder below (RESP2 and
RESP3) and compared byte-for-byte with what a real redis-server sends for
``COMMAND INFO x`` / ``COMMAND DOCS x`` on a raw socket.

Redis lists subcommands in hash-table order, which is randomised per
process; the data file stores them sorted.  For the comparison the stored
subcommands are put in the order this server used; everything else must
match exactly.

Needs only a redis-server binary (not fastkv's server).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

import pytest

from fastkv import meta
from fastkv.meta import RSet, RStatus

REDIS_SERVER = (os.environ.get("REDIS_SERVER") or shutil.which("redis-server")
                or "/usr/bin/redis-server")

SAMPLE = ["get", "set", "config", "client", "zadd", "xreadgroup", "command"]


# --------------------------------------------------------------------------
# Independent mini RESP encoder (reply shape -> bytes)
# --------------------------------------------------------------------------

def resp_encode(obj, proto: int) -> bytes:
    if obj is None:
        return b"_\r\n" if proto == 3 else b"$-1\r\n"
    if isinstance(obj, RStatus):
        return b"+" + obj.encode() + b"\r\n"
    if isinstance(obj, str):
        obj = obj.encode()
    if isinstance(obj, bytes):
        return b"$" + str(len(obj)).encode() + b"\r\n" + obj + b"\r\n"
    if isinstance(obj, int) and not isinstance(obj, bool):
        return b":" + str(obj).encode() + b"\r\n"
    if isinstance(obj, dict):
        if proto == 3:
            out = [b"%" + str(len(obj)).encode() + b"\r\n"]
        else:
            out = [b"*" + str(2 * len(obj)).encode() + b"\r\n"]
        for k, v in obj.items():
            out.append(resp_encode(k, proto))
            out.append(resp_encode(v, proto))
        return b"".join(out)
    if isinstance(obj, RSet):
        prefix = b"~" if proto == 3 else b"*"
        return (prefix + str(len(obj)).encode() + b"\r\n"
                + b"".join(resp_encode(x, proto) for x in obj))
    if isinstance(obj, list):
        return (b"*" + str(len(obj)).encode() + b"\r\n"
                + b"".join(resp_encode(x, proto) for x in obj))
    raise TypeError(type(obj))


# --------------------------------------------------------------------------
# Raw-socket client returning (raw bytes, loosely parsed tree)
# --------------------------------------------------------------------------

class RawClient:
    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.f = self.sock.makefile("rb")
        self.buf = bytearray()

    def close(self):
        self.f.close()
        self.sock.close()

    def _line(self) -> bytes:
        line = self.f.readline()
        assert line.endswith(b"\r\n"), "connection closed"
        self.buf += line
        return line[:-2]

    def _read(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t in (b"+", b"-"):
            return rest.decode()
        if t == b":":
            return int(rest)
        if t == b"_":
            return None
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)
            self.buf += data
            return data[:-2].decode()
        if t in (b"*", b"~"):
            n = int(rest)
            return None if n < 0 else [self._read() for _ in range(n)]
        if t == b"%":
            n = int(rest)
            return {self._read(): self._read() for _ in range(n)}
        raise AssertionError(f"unexpected RESP type {t!r}")

    def call(self, *args):
        """Send a command, return (raw_reply_bytes, parsed_reply)."""
        req = b"*%d\r\n" % len(args) + b"".join(
            b"$%d\r\n%s\r\n" % (len(a.encode()), a.encode()) for a in args)
        self.sock.sendall(req)
        self.buf = bytearray()
        parsed = self._read()
        return bytes(self.buf), parsed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_port():
    if not os.path.exists(REDIS_SERVER):
        pytest.skip("redis-server not installed")
    port = _free_port()
    proc = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--save", "", "--appendonly", "no",
         "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            assert proc.poll() is None, "redis-server exited early"
            try:
                c = RawClient(port)
                ok = c.call("PING")[1] == "PONG"
                c.close()
                if ok:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        yield port
    finally:
        proc.kill()
        proc.wait()


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def client(request, redis_port):
    c = RawClient(redis_port)
    raw, _ = c.call("HELLO", str(request.param))
    assert not raw.startswith(b"-"), raw
    c.proto = request.param
    yield c
    c.close()


# --------------------------------------------------------------------------
# Helpers: match the server's (random) subcommand order
# --------------------------------------------------------------------------

def _with_sub_order(entry: dict, order: list) -> dict:
    assert sorted(order) == sorted(entry["subcommands"])
    e = dict(entry)
    e["subcommands"] = {n: entry["subcommands"][n] for n in order}
    return e


def _info_order(parsed) -> list:
    return [sub[0] for sub in parsed[0][9]]


def _docs_order(parsed, proto: int) -> list:
    if proto == 3:
        (docs,) = parsed.values()
        return list(docs.get("subcommands", {}))
    flat = parsed[1]
    kv = dict(zip(flat[0::2], flat[1::2]))
    return kv.get("subcommands", [])[0::2]


def _check_info(client, name):
    raw, parsed = client.call("COMMAND", "INFO", name)
    entry = _with_sub_order(meta.lookup(name), _info_order(parsed))
    ours = resp_encode([meta.command_info(name, entry)], client.proto)
    assert ours == raw


def _check_docs(client, name):
    raw, parsed = client.call("COMMAND", "DOCS", name)
    entry = _with_sub_order(meta.lookup(name), _docs_order(parsed, client.proto))
    ours = resp_encode({name: meta.command_docs(entry)}, client.proto)
    assert ours == raw


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------

@pytest.mark.parametrize("name", SAMPLE)
def test_command_info_bytes(client, name):
    _check_info(client, name)


@pytest.mark.parametrize("name", SAMPLE)
def test_command_docs_bytes(client, name):
    _check_docs(client, name)


@pytest.mark.parametrize("name", ["config|get", "client|kill", "command|docs"])
def test_subcommand_direct(client, name):
    _check_info(client, name)
    _check_docs(client, name)


def test_every_command_and_subcommand(client):
    for name in meta.flat():
        _check_info(client, name)
        _check_docs(client, name)


def test_command_table_matches_server(client):
    _, count = client.call("COMMAND", "COUNT")
    assert count == len(meta.load())
    _, names = client.call("COMMAND", "LIST")
    assert sorted(names) == sorted(meta.flat())  # LIST includes subcommands


def test_unknown_command_shapes(client):
    raw, _ = client.call("COMMAND", "INFO", "nosuchcmd")
    assert resp_encode([meta.info("nosuchcmd")], client.proto) == raw
    raw, _ = client.call("COMMAND", "DOCS", "nosuchcmd")
    assert meta.docs("nosuchcmd") is None
    assert resp_encode({}, client.proto) == raw


def test_cached_helpers_and_case(client):
    # Redis echoes the stored lowercase name whatever case was typed.
    raw, _ = client.call("COMMAND", "INFO", "GeT", "CONFIG|GET")
    assert resp_encode([meta.info("GeT"), meta.info(b"CONFIG|GET")],
                       client.proto) == raw


def test_loader_and_layout():
    data = meta.load()
    assert not any(k.startswith("_") for k in data)
    assert "tools/gen_command_meta.py" in meta.generated_header()
    assert "7.0.15" in meta.generated_header()
    assert meta.load() is data  # cached
    cfg = data["config"]
    assert "config|get" in cfg["subcommands"]
    assert meta.lookup("config|get") is cfg["subcommands"]["config|get"]
    assert meta.lookup("CONFIG", "get") is cfg["subcommands"]["config|get"]
    assert meta.lookup("config|nope") is None
    get = data["get"]
    assert set(get) == {"arity", "flags", "first_key", "last_key", "step",
                        "acl_categories", "tips", "key_specs", "subcommands",
                        "docs"}
    assert get["flags"] == ["readonly", "fast"]
    assert get["acl_categories"] == ["@read", "@string", "@fast"]
    info = meta.command_info("get", get)
    assert isinstance(info[2], RSet) and all(isinstance(f, RStatus) for f in info[2])
    assert type(info[9]) is RSet and info[9] == []
    assert type(meta.command_info("config", cfg)[9]) is list
