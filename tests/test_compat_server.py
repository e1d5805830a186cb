"""Server / connection commands: PING ECHO QUIT RESET AUTH HELLO CLIENT
COMMAND INFO CONFIG TIME LASTSAVE MEMORY SLOWLOG LATENCY MONITOR DEBUG.

Compat tests compare raw replies with a real redis-server; values that
differ between two processes (ids, times, versions, addresses) are compared
by type/shape only, and checked for plausibility on fastkv separately.
"""

import re
import threading
import time

import pytest

from kvtest import IS_OVERRIDE, NoCompare, RespError, Shape, TypeOnly, Unordered

compat_mark = pytest.mark.compat


def _wait_for(pred, timeout, interval=0.02):
    deadline = time.monotonic() + timeout
    while True:
        val = pred()
        if val or time.monotonic() > deadline:
            return val
        time.sleep(interval)


def _parse_client_line(line):
    if isinstance(line, bytes):
        line = line.decode()
    out = {}
    for part in line.strip().split(" "):
        k, _, v = part.partition("=")
        out[k] = v
    return out


# --------------------------------------------------------------------------
# PING ECHO QUIT RESET
# --------------------------------------------------------------------------

@compat_mark
@pytest.mark.parametrize("resp3", [False, True], ids=["resp2", "resp3"])
def test_ping_echo(compat, resp3):
    compat.check(
        "PING",
        "ping",
        "PING hello",
        ("PING", ""),
        ("PING", b"\x00bin\r\n"),
        "PING a b",
        "ECHO hello",
        ("ECHO", ""),
        ("ECHO", b"x" * 10000),
        "ECHO",
        "ECHO a b",
        resp3=resp3,
    )


@compat_mark
def test_quit(compat):
    with compat.session() as s:
        s.check("SET a 1", "QUIT")
        for conn in (s.fk, s.rd):
            assert conn.read_until_closed(timeout=5) == b""
    compat.check("GET a", flush=False)


def test_quit_discards_rest_of_pipeline(raw, r):
    c = raw()
    c.send(b"SET a 1\r\nQUIT\r\nSET b 2\r\n")
    assert c.read_until_closed(timeout=5) == b"+OK\r\n+OK\r\n"
    assert r.get(b"a") == b"1"
    assert r.get(b"b") is None


@compat_mark
def test_reset(compat):
    compat.check(
        "SELECT 3",
        "SET k v",
        "CLIENT SETNAME foo",
        "RESET",
        "CLIENT GETNAME",
        "GET k",
        "SELECT 3",
        "GET k",
        "RESET extra",
        "reset",
    )


@compat_mark
def test_reset_from_resp3(compat):
    with compat.session(resp3=True) as s:
        s.check("GET missing", "RESET", "GET missing", "MGET missing")


# --------------------------------------------------------------------------
# AUTH (separate servers started with --requirepass)
# --------------------------------------------------------------------------

@compat_mark
def test_auth_without_password_configured(compat):
    compat.check(
        "AUTH foo",
        "AUTH default foo",
        "AUTH nosuchuser foo",
        "AUTH",
        "AUTH a b c",
        "PING",
    )


@compat_mark
def test_auth_requirepass_compat(compat_pair):
    pair = compat_pair("--requirepass", "s3cret")
    with pair.session(flush=False) as s:
        s.check(
            "PING",
            "GET a",
            "SET a 1",
            "FOO",
            "AUTH wrong",
            "AUTH default wrong",
            "AUTH nosuchuser s3cret",
            "PING",
            "HELLO 3",
            "HELLO 3 AUTH default wrong",
            "HELLO 3 AUTH default",
            "AUTH s3cret",
            "PING",
            "SET a 1",
            "GET a",
            "AUTH wrong",
            "PING",
            "AUTH default s3cret",
            Shape("HELLO 3 AUTH default s3cret"),
            "GET a",
        )
    with pair.session(flush=False) as s:
        s.check(Shape("HELLO 2 AUTH default s3cret"), "GET a", "DEL a")
    with pair.session(flush=False) as s:
        s.check(Shape("HELLO 3 AUTH default s3cret SETNAME cli"),
                "CLIENT GETNAME", "RESET", "PING")


def test_auth_requirepass_texts(start_server):
    srv = start_server("--requirepass", "s3cret")
    with srv.raw(timeout=5) as c:
        assert c.call_raw("PING") == b"-NOAUTH Authentication required.\r\n"
        assert c.call_raw("SET", "a", "1") == b"-NOAUTH Authentication required.\r\n"
        assert c.call_raw("AUTH", "bad") == \
            b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
        assert c.call_raw("AUTH", "default", "bad") == \
            b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
        assert c.call_raw("AUTH", "s3cret") == b"+OK\r\n"
        assert c.call_raw("PING") == b"+PONG\r\n"
        assert c.call_raw("SET", "a", "1") == b"+OK\r\n"
    # a new connection is unauthenticated again; AUTH default <pass> works
    with srv.raw(timeout=5) as c:
        assert c.call_raw("GET", "a") == b"-NOAUTH Authentication required.\r\n"
        assert c.call_raw("AUTH", "default", "s3cret") == b"+OK\r\n"
        assert c.call_raw("GET", "a") == b"$1\r\n1\r\n"
    # redis-py with password
    cl = srv.client(password="s3cret")
    try:
        assert cl.get("a") == b"1"
    finally:
        cl.close()


# --------------------------------------------------------------------------
# HELLO
# --------------------------------------------------------------------------

@compat_mark
def test_hello(compat):
    compat.check(
        Shape("HELLO"),
        Shape("HELLO 2"),
        "GET missing",
        Shape("HELLO 3"),
        "GET missing",
        Shape("HELLO"),
        "HELLO 4",
        "HELLO 1",
        "HELLO 0",
        "HELLO -1",
        "HELLO abc",
        "HELLO 3 FOO",
        "HELLO 3 AUTH default",
        "HELLO 3 SETNAME",
        "HELLO 3 SETNAME 'bad name'",
        "GET missing",
        Shape("HELLO 2 SETNAME myname"),
        "CLIENT GETNAME",
        "GET missing",
        Shape("HELLO 3 AUTH default anything SETNAME other"),
        "CLIENT GETNAME",
        "hello 4",
    )


def test_hello_fields(fastkv_server, r):
    with fastkv_server.raw(timeout=5) as c:
        reply = c.call("HELLO", "3")
        assert isinstance(reply, dict)
        assert list(reply) == [b"server", b"version", b"proto", b"id", b"mode",
                               b"role", b"modules"]
        assert reply[b"proto"] == 3
        assert isinstance(reply[b"id"], int)
        assert reply[b"mode"] == b"standalone"
        assert reply[b"role"] == b"master"
        assert reply[b"modules"] == []
        assert re.match(rb"^\d+\.\d+\.\d+$", reply[b"version"])
        assert reply[b"id"] == c.call("CLIENT", "ID")
        assert c.call_raw("GET", "missing") == b"_\r\n"
        reply2 = c.call("HELLO", "2")
        assert isinstance(reply2, list) and len(reply2) == 14
        assert reply2[4:6] == [b"proto", 2]
        assert c.call_raw("GET", "missing") == b"$-1\r\n"
        assert c.call_raw("HELLO", "4") == b"-NOPROTO unsupported protocol version\r\n"


@pytest.mark.parametrize("protocol", [2, 3])
def test_redis_py_protocols(fastkv_server, r, protocol):
    # note: redis-py 8 defaults to protocol=3 (sends HELLO 3 on connect)
    c = fastkv_server.client(protocol=protocol)
    try:
        c.set("a", "1")
        assert c.get("a") == b"1"
        assert c.get("missing") is None
        assert c.incrbyfloat("f", 1.5) == 1.5
        assert c.mget("a", "missing") == [b"1", None]
        assert c.ttl("a") == -1
        assert c.execute_command("CLIENT", "INFO").split(b"resp=")[1][:1] == str(protocol).encode()
    finally:
        c.close()


# --------------------------------------------------------------------------
# CLIENT
# --------------------------------------------------------------------------

@compat_mark
def test_client_subcommands(compat):
    compat.check(
        TypeOnly("CLIENT ID"),
        "CLIENT GETNAME",
        "CLIENT SETNAME foo",
        "CLIENT GETNAME",
        "CLIENT SETNAME 'a b'",
        ("CLIENT", "SETNAME", "a\nb"),
        ("CLIENT", "SETNAME", "caf\xe9"),
        "CLIENT GETNAME",
        "CLIENT SETNAME ''",
        "CLIENT GETNAME",
        "CLIENT SETNAME",
        "CLIENT SETNAME a b",
        "CLIENT GETNAME extra",
        TypeOnly("CLIENT INFO"),
        TypeOnly("CLIENT LIST"),
        TypeOnly("CLIENT LIST TYPE normal"),
        "CLIENT LIST TYPE pubsub",
        "CLIENT LIST TYPE foo",
        "CLIENT LIST FOO",
        "CLIENT LIST ID abc",
        "CLIENT KILL ID 99999999",
        "CLIENT KILL ID abc",
        "CLIENT KILL ID 0",
        "CLIENT KILL 1.2.3.4:5",
        "CLIENT KILL ADDR 1.2.3.4:5",
        "CLIENT KILL FOO bar",
        "CLIENT KILL ID",
        "CLIENT NO-EVICT on",
        "CLIENT NO-EVICT OFF",
        "CLIENT NO-EVICT foo",
        "CLIENT REPLY foo",
        "CLIENT REPLY ON",
        "CLIENT PAUSE abc",
        "CLIENT PAUSE -1",
        "CLIENT PAUSE 10 FOO",
        "CLIENT PAUSE 0",
        "CLIENT UNPAUSE",
        "CLIENT UNPAUSE extra",
        "CLIENT FOO",
        "CLIENT",
        "client getname",
    )


@compat_mark
def test_client_resp3(compat):
    compat.check("CLIENT GETNAME", "CLIENT SETNAME n", "CLIENT GETNAME",
                 TypeOnly("CLIENT INFO"), TypeOnly("CLIENT LIST"), TypeOnly("CLIENT ID"),
                 resp3=True)


CLIENT_FIELDS = ["id", "addr", "laddr", "fd", "name", "age", "idle", "flags",
                 "db", "sub", "psub", "multi", "qbuf", "omem", "tot-mem",
                 "events", "cmd", "user", "resp"]


def test_client_info_and_list_fields(fastkv_server, r):
    with fastkv_server.raw(timeout=5) as c:
        cid = c.call("CLIENT", "ID")
        assert isinstance(cid, int) and cid > 0
        assert c.call("CLIENT", "SETNAME", "tester") == b"OK"
        assert c.call("SELECT", "3") == b"OK"
        info = c.call("CLIENT", "INFO")
        assert isinstance(info, bytes) and info.endswith(b"\n")
        assert info.count(b"\n") == 1
        f = _parse_client_line(info)
        for name in CLIENT_FIELDS:
            assert name in f, "CLIENT INFO lacks %s: %r" % (name, info)
        assert f["id"] == str(cid)
        assert f["name"] == "tester"
        assert f["db"] == "3"
        assert f["cmd"] == "client|info"
        assert f["resp"] == "2"
        assert f["user"] == "default"
        assert f["flags"] == "N"
        assert f["multi"] == "-1"
        lhost, lport = c.sock.getsockname()[:2]
        assert f["addr"] == "%s:%d" % (lhost, lport)
        assert f["laddr"] == "127.0.0.1:%d" % fastkv_server.port
        assert 0 <= int(f["idle"]) <= int(f["age"]) < 60

        with fastkv_server.raw(timeout=5) as c2:
            c2.call("CLIENT", "SETNAME", "second")
            c2id = c2.call("CLIENT", "ID")
            listing = c.call("CLIENT", "LIST")
            lines = [ln for ln in listing.split(b"\n") if ln]
            assert all(ln.endswith(b"\r") is False for ln in lines)
            parsed = {p["id"]: p for p in map(_parse_client_line, lines)}
            assert str(cid) in parsed and str(c2id) in parsed
            assert parsed[str(c2id)]["name"] == "second"
            assert parsed[str(c2id)]["cmd"] == "client|id"
            assert parsed[str(cid)]["cmd"] == "client|list"
            only = c.call("CLIENT", "LIST", "ID", str(c2id))
            assert [_parse_client_line(x)["id"] for x in only.split(b"\n") if x] \
                == [str(c2id)]
            both = c.call("CLIENT", "LIST", "ID", str(cid), str(c2id), "999999")
            assert sorted(_parse_client_line(x)["id"] for x in both.split(b"\n") if x) \
                == sorted([str(cid), str(c2id)])
        # HELLO 3 is reflected in resp=
        c.call("HELLO", "3")
        assert _parse_client_line(c.call("CLIENT", "INFO"))["resp"] == "3"


def test_client_id_unique_and_increasing(fastkv_server, r):
    ids = []
    for _ in range(5):
        with fastkv_server.raw(timeout=5) as c:
            ids.append(c.call("CLIENT", "ID"))
    assert ids == sorted(ids) and len(set(ids)) == 5


def test_client_kill(fastkv_server, r):
    with fastkv_server.raw(timeout=5) as killer, \
            fastkv_server.raw(timeout=5) as v1, \
            fastkv_server.raw(timeout=5) as v2, \
            fastkv_server.raw(timeout=5) as v3:
        v1id = v1.call("CLIENT", "ID")
        assert killer.call("CLIENT", "KILL", "ID", str(v1id)) == 1
        assert v1.read_until_closed(timeout=5) == b""
        assert killer.call("CLIENT", "KILL", "ID", str(v1id)) == 0

        host, port = v2.sock.getsockname()[:2]
        assert v2.call("PING") == b"PONG"
        assert killer.call("CLIENT", "KILL", "ADDR", "%s:%d" % (host, port)) == 1
        assert v2.read_until_closed(timeout=5) == b""

        # old style: CLIENT KILL ip:port -> +OK
        host, port = v3.sock.getsockname()[:2]
        assert v3.call("PING") == b"PONG"
        assert killer.call_raw("CLIENT", "KILL", "%s:%d" % (host, port)) == b"+OK\r\n"
        assert v3.read_until_closed(timeout=5) == b""
        assert killer.call_raw("CLIENT", "KILL", "%s:%d" % (host, port)) == \
            b"-ERR No such client\r\n"
        # a killer can kill itself (SKIPME no)
        kid = killer.call("CLIENT", "ID")
        killer.send_command("CLIENT", "KILL", "ID", str(kid), "SKIPME", "no")
        data = killer.read_until_closed(timeout=5)
        assert data in (b"", b":1\r\n")


def test_client_pause_write(fastkv_server, r):
    r.set(b"k", b"v")
    with fastkv_server.raw(timeout=5) as admin, fastkv_server.raw(timeout=5) as c:
        try:
            assert admin.call("CLIENT", "PAUSE", "400", "WRITE") == b"OK"
            t0 = time.monotonic()
            assert c.call("GET", "k") == b"v"  # reads are not paused
            assert time.monotonic() - t0 < 0.3
            t0 = time.monotonic()
            assert c.call("SET", "k", "v2") == b"OK"
            assert time.monotonic() - t0 >= 0.25
        finally:
            admin.call("CLIENT", "UNPAUSE")
    assert r.get(b"k") == b"v2"


def test_client_pause_unpause(fastkv_server, r):
    with fastkv_server.raw(timeout=5) as admin, fastkv_server.raw(timeout=5) as c:
        try:
            assert admin.call("CLIENT", "PAUSE", "20000", "WRITE") == b"OK"
            c.send_command("SET", "p", "1")
            c.assert_no_data(0.3)
            t0 = time.monotonic()
            assert admin.call("CLIENT", "UNPAUSE") == b"OK"
            assert c.read_raw_reply(timeout=2) == b"+OK\r\n"
            assert time.monotonic() - t0 < 1.0
        finally:
            admin.call("CLIENT", "UNPAUSE")
    assert r.get(b"p") == b"1"


def test_client_pause_all(fastkv_server, r):
    with fastkv_server.raw(timeout=5) as admin, fastkv_server.raw(timeout=5) as c:
        t0 = time.monotonic()
        assert admin.call("CLIENT", "PAUSE", "300") == b"OK"
        assert c.call("GET", "k") is None  # reads are delayed too
        assert time.monotonic() - t0 >= 0.2


def test_client_reply_off_on_skip(raw, r):
    c = raw()
    c.send(b"".join([
        b"CLIENT REPLY OFF\r\n",
        b"SET a 1\r\n",
        b"GET a\r\n",
        b"CLIENT REPLY ON\r\n",
        b"CLIENT REPLY SKIP\r\n",
        b"SET b 2\r\n",
        b"GET b\r\n",
        b"GET a\r\n",
    ]))
    assert c.read_raw_reply() == b"+OK\r\n"
    assert c.read_raw_reply() == b"$1\r\n2\r\n"
    assert c.read_raw_reply() == b"$1\r\n1\r\n"
    c.assert_no_data(0.1)
    assert r.get(b"b") == b"2"


def test_client_no_evict(raw):
    c = raw()
    assert c.call_raw("CLIENT", "NO-EVICT", "on") == b"+OK\r\n"
    assert b"e" in _parse_client_line(c.call("CLIENT", "INFO"))["flags"].encode()
    assert c.call_raw("CLIENT", "NO-EVICT", "off") == b"+OK\r\n"
    assert b"e" not in _parse_client_line(c.call("CLIENT", "INFO"))["flags"].encode()


def test_client_no_touch(raw, r):
    """CLIENT NO-TOUCH (Redis >= 7.2): reads don't update the LRU clock, TOUCH does."""
    c = raw()
    reply = c.call("CLIENT", "NO-TOUCH", "on")
    if isinstance(reply, RespError) and b"unknown subcommand" in reply.msg and IS_OVERRIDE:
        pytest.skip("reference server has no CLIENT NO-TOUCH (Redis < 7.2)")
    assert reply == b"OK"
    assert "T" in _parse_client_line(c.call("CLIENT", "INFO"))["flags"]
    assert c.call_raw("CLIENT", "NO-TOUCH", "foo") == b"-ERR syntax error\r\n"
    r.set(b"k", b"v")
    assert _wait_for(lambda: r.object("idletime", b"k") >= 2, timeout=3.5, interval=0.1)
    assert c.call("GET", "k") == b"v"
    assert r.object("idletime", b"k") >= 2
    assert c.call("TOUCH", "k") == 1
    assert r.object("idletime", b"k") <= 1
    assert c.call_raw("CLIENT", "NO-TOUCH", "off") == b"+OK\r\n"


# --------------------------------------------------------------------------
# COMMAND
# --------------------------------------------------------------------------

INFO_COMMANDS = [
    "get", "set", "setnx", "setex", "psetex", "getset", "getdel", "getex",
    "mget", "mset", "msetnx", "append", "strlen", "getrange", "setrange",
    "substr", "incr", "decr", "incrby", "decrby", "incrbyfloat", "lcs",
    "del", "unlink", "exists", "type", "keys", "scan", "randomkey", "rename",
    "renamenx", "copy", "move", "touch", "expire", "pexpire", "expireat",
    "pexpireat", "ttl", "pttl", "expiretime", "pexpiretime", "persist",
    "select", "swapdb", "dbsize", "flushdb", "flushall", "ping", "echo",
    "quit", "reset", "auth", "hello", "time", "lastsave", "monitor", "info",
    "shutdown",
]


@compat_mark
@pytest.mark.parametrize("resp3", [False, True], ids=["resp2", "resp3"])
def test_command_info_exact(compat, resp3):
    cmds = [("COMMAND", "INFO", name) for name in INFO_COMMANDS]
    compat.check(*cmds, resp3=resp3)


@compat_mark
def test_command_info_misc(compat):
    compat.check(
        "COMMAND INFO get set nosuchcommand",
        "COMMAND INFO GET",
        "COMMAND INFO nosuch",
        "COMMAND INFO get|foo",
        "COMMAND INFO config|get",
        "COMMAND INFO client|id",
        "COMMAND INFO object|encoding",
    )


@compat_mark
@pytest.mark.parametrize("resp3", [False, True], ids=["resp2", "resp3"])
def test_command_docs_exact(compat, resp3):
    compat.check(
        "COMMAND DOCS get",
        "COMMAND DOCS set",
        "COMMAND DOCS getex",
        "COMMAND DOCS lcs",
        "COMMAND DOCS expire",
        "COMMAND DOCS scan",
        "COMMAND DOCS nosuchcommand",
        "COMMAND DOCS get set",
        resp3=resp3,
    )


@compat_mark
def test_command_getkeys_count_list(compat):
    compat.check(
        TypeOnly("COMMAND COUNT"),
        TypeOnly("COMMAND LIST"),
        "COMMAND GETKEYS SET a b",
        "COMMAND GETKEYS set a b EX 10",
        "COMMAND GETKEYS MSET a 1 b 2",
        "COMMAND GETKEYS MGET a b c",
        "COMMAND GETKEYS DEL a b c",
        "COMMAND GETKEYS EXISTS a",
        "COMMAND GETKEYS LCS a b",
        "COMMAND GETKEYS COPY a b DB 1",
        "COMMAND GETKEYS RENAME a b",
        "COMMAND GETKEYS GET",
        "COMMAND GETKEYS GET a b",
        "COMMAND GETKEYS MSET a",
        "COMMAND GETKEYS PING",
        "COMMAND GETKEYS FOO a",
        "COMMAND GETKEYS",
        "COMMAND COUNT extra",
        "COMMAND FOO",
        TypeOnly("COMMAND INFO"),
        "COMMAND GETKEYS GETEX a PERSIST",
    )


def test_command_count_list_consistent(raw):
    c = raw()
    count = c.call("COMMAND", "COUNT")
    names = c.call("COMMAND", "LIST")
    assert isinstance(count, int)
    # COMMAND LIST also lists subcommands ("config|get"), COUNT does not
    assert len(names) == len(set(names))
    top = [n for n in names if b"|" not in n]
    assert count == len(top)
    assert b"config|get" in names and b"client|id" in names
    lowered = {n.lower() for n in names}
    for name in INFO_COMMANDS + ["command", "client", "config", "object",
                                 "memory", "slowlog", "latency", "debug"]:
        assert name.encode() in lowered, "COMMAND LIST lacks %s" % name
    full = c.call("COMMAND")
    assert len(full) == count
    assert sorted(e[0] for e in full) == sorted(top)


def test_command_via_redis_py(r):
    info = r.command()
    assert "get" in info and info["get"]["arity"] == 2
    assert r.command_count() == len(info)
    keys = r.command_getkeys("MSET", "a", "1", "b", "2")
    assert [k.decode() if isinstance(k, bytes) else k for k in keys] == ["a", "b"]


# --------------------------------------------------------------------------
# INFO
# --------------------------------------------------------------------------

REQUIRED_INFO_FIELDS = {
    "server": ["redis_version", "redis_mode", "os", "arch_bits", "process_id",
               "run_id", "tcp_port", "uptime_in_seconds", "uptime_in_days",
               "hz", "executable", "config_file"],
    "clients": ["connected_clients", "blocked_clients", "maxclients"],
    "memory": ["used_memory", "used_memory_human", "used_memory_rss",
               "used_memory_peak", "maxmemory", "maxmemory_human",
               "maxmemory_policy"],
    "persistence": ["loading", "rdb_changes_since_last_save",
                    "rdb_last_save_time", "aof_enabled"],
    "stats": ["total_connections_received", "total_commands_processed",
              "instantaneous_ops_per_sec", "rejected_connections",
              "expired_keys", "evicted_keys", "keyspace_hits",
              "keyspace_misses"],
    "replication": ["role", "connected_slaves"],
    "cpu": ["used_cpu_sys", "used_cpu_user"],
}


def _info_raw(fastkv_server, *args):
    with fastkv_server.raw(timeout=5) as c:
        raw = c.call_raw("INFO", *args)
    assert raw.startswith(b"$")
    header, _, body = raw.partition(b"\r\n")
    assert len(body) == int(header[1:]) + 2
    return body[:-2].decode()


def _info_fields(text):
    out = {}
    for line in text.split("\r\n"):
        if line and not line.startswith("#"):
            k, sep, v = line.partition(":")
            assert sep, "bad INFO line %r" % line
            out[k] = v
    return out


def test_info_format_and_fields(fastkv_server, r):
    text = _info_raw(fastkv_server)
    assert text.startswith("# Server\r\n")
    assert "\n" not in text.replace("\r\n", "")
    sections = [ln[2:] for ln in text.split("\r\n") if ln.startswith("# ")]
    for s in ["Server", "Clients", "Memory", "Persistence", "Stats",
              "Replication", "CPU", "Keyspace"]:
        assert s in sections, "INFO lacks section %s: %r" % (s, sections)
    fields = _info_fields(text)
    for sec, names in REQUIRED_INFO_FIELDS.items():
        for n in names:
            assert n in fields, "INFO lacks %s (section %s)" % (n, sec)
    assert re.match(r"^\d+\.\d+\.\d+$", fields["redis_version"])
    assert fields["redis_mode"] == "standalone"
    assert fields["tcp_port"] == str(fastkv_server.port)
    assert fields["process_id"] == str(fastkv_server.proc.pid)
    assert fields["role"] == "master"
    assert int(fields["used_memory"]) > 0
    assert int(fields["connected_clients"]) >= 1
    assert fields["maxmemory_policy"] == "noeviction"


@pytest.mark.fastkv_only
def test_info_fastkv_version(fastkv_server, r):
    fields = _info_fields(_info_raw(fastkv_server, "server"))
    assert "fastkv_version" in fields
    assert re.match(r"^\d+\.\d+", fields["fastkv_version"])


def test_info_sections_selection(fastkv_server, r):
    t = _info_raw(fastkv_server, "server")
    assert t.startswith("# Server\r\n") and "# Clients" not in t
    t = _info_raw(fastkv_server, "CLIENTS")
    assert t.startswith("# Clients\r\n") and "# Server" not in t
    t = _info_raw(fastkv_server, "server", "clients")
    assert "# Server" in t and "# Clients" in t and "# Memory" not in t
    t = _info_raw(fastkv_server, "all")
    assert "# Server" in t and "# Keyspace" in t
    t = _info_raw(fastkv_server, "everything")
    assert "# Server" in t and "# Keyspace" in t
    t = _info_raw(fastkv_server, "default")
    assert "# Server" in t and "# Keyspace" in t


@compat_mark
def test_info_keyspace_compat(compat):
    compat.check(
        "INFO keyspace",
        "MSET a 1 b 2",
        "INFO keyspace",
        "SELECT 5",
        "SET c 3",
        "INFO keyspace",
        "INFO KEYSPACE",
        "INFO nosuchsection",
        "FLUSHALL",
        "INFO keyspace",
        "INFO keyspace",
    )


def test_info_keyspace_with_ttl(fastkv_server, r):
    r.set(b"a", b"1", ex=1000)
    r.set(b"b", b"1")
    text = _info_raw(fastkv_server, "keyspace")
    assert re.search(r"^db0:keys=2,expires=1,avg_ttl=\d+\r?$", text, re.M), text
    info = r.info("keyspace")
    assert info["db0"]["keys"] == 2 and info["db0"]["expires"] == 1
    assert 0 <= info["db0"]["avg_ttl"] <= 1000 * 1000


def test_info_stats_counters(fastkv_server, r):
    r.set(b"k", b"v")
    r.config_resetstat()
    r.get(b"k")
    r.get(b"k")
    r.get(b"missing")
    stats = r.info("stats")
    assert stats["keyspace_hits"] == 2
    assert stats["keyspace_misses"] == 1
    before = stats["total_commands_processed"]
    for _ in range(5):
        r.ping()
    assert r.info("stats")["total_commands_processed"] >= before + 5
    before_conn = r.info("stats")["total_connections_received"]
    for _ in range(3):
        with fastkv_server.raw(timeout=5) as c:
            c.call("PING")
    assert r.info("stats")["total_connections_received"] >= before_conn + 3


def test_info_connected_clients(fastkv_server, r):
    base = r.info("clients")["connected_clients"]
    conns = [fastkv_server.raw(timeout=5) for _ in range(3)]
    try:
        for c in conns:
            assert c.call("PING") == b"PONG"
        assert r.info("clients")["connected_clients"] == base + 3
    finally:
        for c in conns:
            c.close()
    assert _wait_for(lambda: r.info("clients")["connected_clients"] == base, 3.0)


# --------------------------------------------------------------------------
# CONFIG
# --------------------------------------------------------------------------

@compat_mark
def test_config_get_set(compat):
    try:
        compat.check(
            "CONFIG GET maxmemory",
            "CONFIG GET MAXMEMORY",
            "CONFIG GET timeout",
            "CONFIG GET databases",
            "CONFIG GET save",
            "CONFIG GET appendonly",
            "CONFIG GET maxmemory-policy",
            "CONFIG GET proto-max-bulk-len",
            "CONFIG GET slowlog-log-slower-than",
            "CONFIG GET slowlog-max-len",
            "CONFIG GET requirepass",
            "CONFIG GET hz",
            "CONFIG GET maxclients",
            Shape("CONFIG GET port"),
            Shape("CONFIG GET bind"),
            "CONFIG GET nosuchparam",
            Unordered("CONFIG GET maxmemory timeout"),
            "CONFIG SET maxmemory 10mb",
            "CONFIG GET maxmemory",
            "CONFIG SET maxmemory 1gb",
            "CONFIG GET maxmemory",
            "CONFIG SET maxmemory 12345",
            "CONFIG GET maxmemory",
            "CONFIG SET maxmemory abc",
            "CONFIG SET maxmemory -1",
            "CONFIG SET maxmemory 0",
            "CONFIG SET MAXMEMORY 0",
            "CONFIG SET maxmemory-policy allkeys-lru",
            "CONFIG GET maxmemory-policy",
            "CONFIG SET maxmemory-policy nosuch",
            "CONFIG SET maxmemory-policy noeviction",
            "CONFIG SET timeout 0",
            "CONFIG SET timeout abc",
            "CONFIG SET nosuchparam 1",
            "CONFIG SET databases 5",
            "CONFIG SET maxmemory",
            "CONFIG SET",
            "CONFIG GET",
            "CONFIG FOO",
            "CONFIG",
            "CONFIG RESETSTAT",
            "CONFIG RESETSTAT extra",
        )
    finally:
        # restore the shared servers without masking the original failure
        compat.check(NoCompare("CONFIG SET maxmemory 0"),
                     NoCompare("CONFIG SET maxmemory-policy noeviction"),
                     NoCompare("CONFIG SET timeout 0"), flush=False)


def test_config_port_and_bind(raw, fastkv_server):
    c = raw()
    assert c.call("CONFIG", "GET", "port") == [b"port", str(fastkv_server.port).encode()]
    assert c.call("CONFIG", "GET", "bind")[0] == b"bind"
    c.call("HELLO", "3")
    assert c.call("CONFIG", "GET", "port") == {b"port": str(fastkv_server.port).encode()}


def test_config_redis_py(r):
    try:
        assert r.config_get("maxmemory") == {"maxmemory": "0"}
        assert r.config_set("maxmemory", "1mb") is True
        assert r.config_get("maxmemory") == {"maxmemory": "1048576"}
    finally:
        r.config_set("maxmemory", "0")


# --------------------------------------------------------------------------
# TIME LASTSAVE MEMORY
# --------------------------------------------------------------------------

@compat_mark
def test_time_lastsave_memory(compat):
    compat.check(
        Shape("TIME"),
        "TIME extra",
        TypeOnly("LASTSAVE"),
        "LASTSAVE extra",
        "MEMORY USAGE missing",
        "SET k hello",
        TypeOnly("MEMORY USAGE k"),
        TypeOnly("MEMORY USAGE k SAMPLES 5"),
        TypeOnly("MEMORY USAGE k SAMPLES 0"),
        "MEMORY USAGE k SAMPLES",
        "MEMORY USAGE k SAMPLES abc",
        "MEMORY USAGE k FOO",
        "MEMORY USAGE",
        "MEMORY FOO",
        "MEMORY",
    )


def test_time_value(r):
    sec, usec = r.execute_command("TIME")
    now = time.time()
    t = int(sec) + int(usec) / 1e6
    assert abs(t - now) < 2.0
    assert 0 <= int(usec) < 1000000


def test_lastsave_value(raw):
    ts = raw().call("LASTSAVE")
    assert isinstance(ts, int)
    assert 0 < ts <= time.time() + 2


def test_memory_usage_grows(r):
    r.set(b"small", b"x")
    r.set(b"large", b"x" * 100000)
    small = r.memory_usage(b"small")
    large = r.memory_usage(b"large")
    assert 0 < small < large
    assert large >= 100000


# --------------------------------------------------------------------------
# SLOWLOG LATENCY
# --------------------------------------------------------------------------

@compat_mark
def test_slowlog_latency_compat(compat):
    compat.check(
        "SLOWLOG RESET",
        "SLOWLOG LEN",
        "SLOWLOG GET",
        "SLOWLOG GET 5",
        "SLOWLOG GET -1",
        "SLOWLOG GET -2",
        "SLOWLOG GET abc",
        "SLOWLOG FOO",
        "SLOWLOG",
        "SLOWLOG LEN extra",
        "LATENCY LATEST",
        "LATENCY HISTORY command",
        "LATENCY HISTORY",
        "LATENCY RESET",
        "LATENCY RESET command",
        "LATENCY FOO",
        "LATENCY",
    )


def test_slowlog_records_commands(r):
    try:
        r.config_set("slowlog-log-slower-than", 0)
        r.slowlog_reset()
        r.set(b"slowkey", b"slowvalue")
        r.execute_command("CLIENT", "SETNAME", "slowpoke")
        r.get(b"slowkey")
        entries = r.execute_command("SLOWLOG", "GET", "10")
        assert len(entries) >= 2
        # newest first: [id, timestamp, duration_us, [args], addr, name]
        ids = [e[0] for e in entries]
        assert ids == sorted(ids, reverse=True)
        args = [list(e[3]) for e in entries]
        assert [b"SET", b"slowkey", b"slowvalue"] in args
        assert [b"GET", b"slowkey"] in args
        get_entry = entries[args.index([b"GET", b"slowkey"])]
        assert abs(get_entry[1] - time.time()) < 5
        assert 0 <= get_entry[2] < 1_000_000      # microseconds, and GET is fast
        assert re.match(rb"^127\.0\.0\.1:\d+$", get_entry[4])
        assert get_entry[5] == b"slowpoke"
        n = r.slowlog_len()
        assert n >= 3
        r.config_set("slowlog-max-len", 3)
        for i in range(10):
            r.ping()
        assert r.slowlog_len() == 3
        assert r.execute_command("SLOWLOG", "RESET") == b"OK"
        r.config_set("slowlog-log-slower-than", 10000)
        r.slowlog_reset()
        r.ping()
        assert r.slowlog_len() == 0
    finally:
        r.config_set("slowlog-log-slower-than", 10000)
        r.config_set("slowlog-max-len", 128)
        r.slowlog_reset()


def test_slowlog_truncates_long_args(r):
    try:
        r.config_set("slowlog-log-slower-than", 0)
        r.slowlog_reset()
        r.execute_command("MSET", *[b"k%d" % i for i in range(40)])
        r.set(b"long", b"x" * 200)
        entries = r.execute_command("SLOWLOG", "GET", "10")
        args = [list(e[3]) for e in entries]
        mset = [a for a in args if a[0] == b"MSET"][0]
        assert len(mset) == 32
        assert mset[-1] == b"... (10 more arguments)"  # 41 args, 31 kept
        setargs = [a for a in args if a[:2] == [b"SET", b"long"]][0]
        assert setargs[2] == b"x" * 128 + b"... (72 more bytes)"
    finally:
        r.config_set("slowlog-log-slower-than", 10000)
        r.slowlog_reset()


# --------------------------------------------------------------------------
# MONITOR
# --------------------------------------------------------------------------

MONITOR_LINE = re.compile(rb'^\+(\d+\.\d{6}) \[(\d+) ([^\]]+)\] (.*)\r\n$')


def _read_monitor_lines(conn, n, timeout=5.0):
    lines = []
    deadline = time.monotonic() + timeout
    buf = b""
    while len(lines) < n:
        left = deadline - time.monotonic()
        assert left > 0, "timeout waiting for MONITOR lines, got %r" % lines
        chunk = conn.recv_some(timeout=left)
        assert chunk, "monitor connection closed"
        buf += chunk
        while b"\r\n" in buf:
            line, buf = buf.split(b"\r\n", 1)
            lines.append(line + b"\r\n")
    return lines


def test_monitor(fastkv_server, r):
    with fastkv_server.raw(timeout=5) as mon, fastkv_server.raw(timeout=5) as c:
        assert mon.call_raw("MONITOR") == b"+OK\r\n"
        c.call("SET", "foo", "bar")
        c.call("SELECT", "2")
        c.call("SET", "k", b'a"b\\c\n\x01\xff')
        lines = _read_monitor_lines(mon, 3)
        m = [MONITOR_LINE.match(ln) for ln in lines]
        assert all(m), lines
        host, port = c.sock.getsockname()[:2]
        assert m[0].group(2) == b"0"
        assert m[0].group(3) == b"%s:%d" % (host.encode(), port)
        assert m[0].group(4) == b'"SET" "foo" "bar"'
        assert m[1].group(4) == b'"SELECT" "2"'
        assert m[2].group(2) == b"2"
        assert m[2].group(4) == b'"SET" "k" "a\\"b\\\\c\\n\\x01\\xff"'
        assert abs(float(m[0].group(1)) - time.time()) < 5


# --------------------------------------------------------------------------
# DEBUG
# --------------------------------------------------------------------------

@compat_mark
def test_debug_disabled_by_default(compat):
    compat.check("DEBUG SLEEP 0", "DEBUG OBJECT k", "DEBUG FOO")


def test_debug_enabled(start_server):
    srv = start_server("--enable-debug-command", "yes")
    with srv.raw(timeout=5) as c:
        assert c.call_raw("DEBUG", "SLEEP", "0") == b"+OK\r\n"
        t0 = time.monotonic()
        assert c.call_raw("DEBUG", "SLEEP", "0.2") == b"+OK\r\n"
        assert time.monotonic() - t0 >= 0.18
        assert c.call_raw("DEBUG", "OBJECT", "missing") == b"-ERR no such key\r\n"
        c.call("SET", "s", "hello")
        c.call("SET", "i", "12345")
        c.call("SET", "raw", "x" * 100)
        for key, enc in [("s", "embstr"), ("i", "int"), ("raw", "raw")]:
            reply = c.call_raw("DEBUG", "OBJECT", key)
            assert re.match(
                rb"^\+Value at:0x[0-9a-f]+ refcount:\d+ encoding:%s "
                rb"serializedlength:\d+ lru:\d+ lru_seconds_idle:\d+\r\n$" % enc.encode(),
                reply), reply
        assert c.call_raw("PING") == b"+PONG\r\n"


# --------------------------------------------------------------------------
# misc: commands from many concurrent clients
# --------------------------------------------------------------------------

def test_concurrent_clients_incr(fastkv_server, r):
    errors = []

    def worker():
        try:
            with fastkv_server.raw(timeout=10) as c:
                for _ in range(200):
                    c.call("INCR", "counter")
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert r.get(b"counter") == b"1600"
