"""Server and connection commands (fastkv/commands/conn.py, t_client.py,
t_command.py, introspect.py, debug.py and the services in fastkv/services/) beyond the basics
of test_compat_server.py: HELP texts, COMMAND for every served command, key
extraction, CLIENT filters, INFO layout, stats resets,
SLOWLOG redaction, LATENCY, MEMORY STATS, DEBUG and MONITOR details.

Replies are compared byte for byte with a real redis-server 7.0 where they
are deterministic; values that differ between two processes (ids, times,
memory figures) are compared by shape, and checked for plausibility.
"""

import random
import re
import shlex
import shutil
import string
import sys
import time

import pytest
import redis

import kvtest
from kvtest import IS_OVERRIDE, RespError, Shape, TypeOnly

compat_mark = pytest.mark.compat
RESP = pytest.mark.parametrize("resp3", [False, True], ids=["resp2", "resp3"])


def _parse_client_line(line):
    if isinstance(line, bytes):
        line = line.decode()
    return dict(p.partition("=")[::2] for p in line.strip().split(" "))


def _pair_conns(compat):
    return compat.fk_server.raw(timeout=5), compat.rd_server.raw(timeout=5)


# --------------------------------------------------------------------------
# HELP
# --------------------------------------------------------------------------

@compat_mark
@RESP
def test_help_texts(compat, resp3):
    compat.check("CLIENT HELP", "client help", "COMMAND HELP", "CONFIG HELP",
                 "Config Help", "MEMORY HELP", "SLOWLOG HELP", "LATENCY HELP",
                 "CLIENT HELP extra", "SLOWLOG HELP extra", resp3=resp3)


# --------------------------------------------------------------------------
# COMMAND
# --------------------------------------------------------------------------

def _served_names(conn):
    return sorted(conn.call("COMMAND", "LIST"))


# Served by fastkv but newer than the reference redis-server 7.0.15, so it
# has nothing to compare with (its metadata is Redis 7.2's).
NEWER_THAN_REFERENCE = {b"client|no-touch"}


@compat_mark
@RESP
def test_command_info_and_docs_of_every_served_command(compat, resp3):
    """COMMAND INFO / DOCS of every command and subcommand fastkv serves are
    Redis's bytes; containers list (a subset of) Redis's subcommands."""
    fk, rd = _pair_conns(compat)
    try:
        if resp3:
            fk.call("HELLO", "3")
            rd.call("HELLO", "3")
        names = [n for n in _served_names(fk) if n not in NEWER_THAN_REFERENCE]
        containers = {n.split(b"|")[0] for n in names if b"|" in n}
        for name in names:
            for what in ("INFO", "DOCS"):
                if name in containers:
                    a, b = fk.call("COMMAND", what, name), rd.call("COMMAND", what, name)
                    _check_container(what, name, a, b)
                else:
                    assert fk.call_raw("COMMAND", what, name) == rd.call_raw("COMMAND", what, name), \
                        (what, name)
    finally:
        fk.close()
        rd.close()


def _check_container(what, name, a, b):
    if what == "INFO":
        (ia,), (ib,) = a, b
        assert ia[:9] == ib[:9], name
        subs_a = {s[0]: s for s in ia[9] if s[0] not in NEWER_THAN_REFERENCE}
        subs_b = {s[0]: s for s in ib[9]}
        assert subs_a and all(subs_a[k] == subs_b[k] for k in subs_a), name
    else:
        da, db = (a, b) if isinstance(a, dict) else (_pairs(a), _pairs(b))
        (va,), (vb,) = da.values(), db.values()
        va = va if isinstance(va, dict) else _pairs(va)
        vb = vb if isinstance(vb, dict) else _pairs(vb)
        sa = va.pop(b"subcommands")
        sb = vb.pop(b"subcommands")
        assert va == vb, name
        sa = sa if isinstance(sa, dict) else _pairs(sa)
        sb = sb if isinstance(sb, dict) else _pairs(sb)
        assert sa and all(sa[k] == sb[k] for k in sa if k not in NEWER_THAN_REFERENCE), name


def _pairs(flat):
    return {flat[i] if not isinstance(flat[i], list) else tuple(flat[i]): flat[i + 1]
            for i in range(0, len(flat), 2)}


@compat_mark
def test_command_list_filters(compat):
    compat.check(
        "COMMAND LIST FILTERBY ACLCAT nosuchcategory",
        "COMMAND LIST FILTERBY MODULE nosuchmodule",
        "COMMAND LIST FILTERBY FOO x",
        "COMMAND LIST FILTERBY PATTERN",
        "COMMAND LIST FILTERBY PATTERN a b",
        "COMMAND LIST FOO",
        "COMMAND LIST FILTERBY",
    )
    fk, rd = _pair_conns(compat)
    try:
        served = set(fk.call("COMMAND", "LIST"))
        for args in (("PATTERN", "get*"), ("PATTERN", "CONFIG|*"), ("PATTERN", "*e?"),
                     ("ACLCAT", "string"), ("ACLCAT", "CONNECTION"), ("ACLCAT", "keyspace")):
            a = fk.call("COMMAND", "LIST", "FILTERBY", *args)
            b = rd.call("COMMAND", "LIST", "FILTERBY", *args)
            assert len(a) == len(set(a)) and a
            assert set(a) - NEWER_THAN_REFERENCE == set(b) & served, args
    finally:
        fk.close()
        rd.close()


@compat_mark
def test_command_count_matches_list(compat):
    fk, _ = _pair_conns(compat)
    try:
        names = fk.call("COMMAND", "LIST")
        assert fk.call("COMMAND", "COUNT") == len([n for n in names if b"|" not in n])
        assert len(fk.call("COMMAND", "INFO")) == fk.call("COMMAND", "COUNT")
        docs = fk.call("COMMAND", "DOCS")
        assert len(docs) == 2 * fk.call("COMMAND", "COUNT")
    finally:
        fk.close()


@compat_mark
@RESP
def test_command_getkeys_and_flags(compat, resp3):
    compat.check(
        "COMMAND GETKEYSANDFLAGS SET a b GET",
        "COMMAND GETKEYSANDFLAGS SET a b",
        "COMMAND GETKEYSANDFLAGS SET a b EX 10 get",
        "COMMAND GETKEYSANDFLAGS MSET a 1 b 2",
        "COMMAND GETKEYSANDFLAGS GETEX a PERSIST",
        "COMMAND GETKEYSANDFLAGS COPY a b",
        "COMMAND GETKEYSANDFLAGS RENAME a b",
        "COMMAND GETKEYSANDFLAGS DEL a b c",
        "COMMAND GETKEYSANDFLAGS LCS a b",
        "COMMAND GETKEYSANDFLAGS OBJECT ENCODING k",
        "COMMAND GETKEYSANDFLAGS MEMORY USAGE k",
        "COMMAND GETKEYS OBJECT ENCODING k",
        "COMMAND GETKEYS MEMORY USAGE k SAMPLES 5",
        "COMMAND GETKEYS CONFIG GET maxmemory",
        "COMMAND GETKEYS CONFIG FOO",
        "COMMAND GETKEYS CONFIG",
        "COMMAND GETKEYS GET",
        "COMMAND GETKEYS PING",
        "COMMAND GETKEYS get a",
        "COMMAND GETKEYSANDFLAGS",
        "COMMAND GETKEYSANDFLAGS FOO",
        resp3=resp3,
    )


# Command lines for commands fastkv may not serve yet: their key extraction
# (key specs, or Redis's native getkeys functions) is checked in-process
# against the real server's COMMAND GETKEYSANDFLAGS.
GETKEYS_LINES = [
    "SORT k", "SORT k STORE d", "SORT k BY w GET g STORE d LIMIT 0 1", "SORT k STORE",
    "SORT k STORE a STORE b", "SORT_RO k BY x",
    "ZUNIONSTORE d 2 a b", "ZUNIONSTORE d 0 a", "ZUNIONSTORE d abc a", "ZUNIONSTORE d 3 a b",
    "ZUNION 2 a b WITHSCORES", "ZINTERCARD 2 a b LIMIT 1", "ZDIFF 1 a",
    "EVAL s 2 a b c", "EVAL s 0", "EVAL s -1 a", "EVAL s 3 a", "EVALSHA s 1 a",
    "FCALL f 1 k", "FCALL_RO f 0",
    "XREAD STREAMS a b 0 0", "XREAD COUNT 2 STREAMS a 0", "XREADGROUP GROUP g c STREAMS a 0",
    "GEORADIUS k 1 2 3 m STORE d", "GEORADIUS k 1 2 3 m", "GEORADIUSBYMEMBER k m 3 km STOREDIST d",
    "MIGRATE h 1 k 0 100", "MIGRATE h 1 '' 0 100 KEYS a b", "MIGRATE h 1 '' 0 100 AUTH p KEYS a",
    "MIGRATE h 1 k 0 100 KEYS a",
    "LMPOP 2 a b LEFT", "BLMPOP 0 2 a b LEFT", "ZMPOP 1 a MIN", "BZMPOP 0 1 a MIN",
    "SINTERCARD 2 a b",
    "SET k v GET", "SET k v", "BITFIELD k GET u8 0", "BITFIELD k SET u8 0 1",
    "BITFIELD k OVERFLOW SAT GET u8 0", "BITFIELD k GET u8", "BITFIELD_RO k GET u8 0",
    "MSET a 1 b 2", "BITOP AND d a b", "LMOVE a b LEFT RIGHT", "XADD s * f v",
    "PFCOUNT a b", "RPOPLPUSH a b", "SMOVE a b m", "BLPOP a b 0", "OBJECT ENCODING k",
]


@pytest.mark.fastkv_only
def test_key_extraction_matches_redis(real_redis):
    from fastkv._core.client import Command
    from fastkv import meta
    from fastkv.commands import t_command

    with real_redis.raw(timeout=5) as rd:
        for line in GETKEYS_LINES:
            args = [a.encode() for a in shlex.split(line)]
            name = args[0].decode().lower()
            entry = meta.lookup(name)
            if entry["subcommands"] and len(args) > 1:
                name = "%s|%s" % (name, args[1].decode().lower())
                entry = meta.lookup(name)
            cmd = Command(name.encode(), None, entry["arity"], 0, entry["first_key"],
                          entry["last_key"], entry["step"], entry, None)
            keys = t_command.get_keys(cmd, args)
            if not keys and "no_mandatory_keys" not in entry["flags"]:
                got = RespError(b"ERR Invalid arguments specified for command")
            else:
                got = [[args[pos], [f.encode() for f in flags]] for pos, flags in keys]
            assert got == rd.call("COMMAND", "GETKEYSANDFLAGS", *args), line


# --------------------------------------------------------------------------
# CLIENT
# --------------------------------------------------------------------------

CLIENT_LINE = re.compile(
    r"^id=\d+ addr=\S+:\d+ laddr=\S+:\d+ fd=\d+ name=\S* age=\d+ idle=\d+ flags=[A-Za-z]+ "
    r"db=\d+ sub=0 psub=0 ssub=0 multi=-1 qbuf=\d+ qbuf-free=\d+ argv-mem=\d+ multi-mem=0 "
    r"rbs=\d+ rbp=\d+ obl=\d+ oll=\d+ omem=\d+ tot-mem=\d+ events=r?w? cmd=\S+ user=default "
    r"redir=-1 resp=[23]$")


def test_client_list_line_format(fastkv_server, r):
    with fastkv_server.raw(timeout=5) as c, fastkv_server.raw(timeout=5) as other:
        other.call("CLIENT", "SETNAME", "other")
        text = c.call("CLIENT", "LIST").decode()
        assert text.endswith("\n")
        lines = text[:-1].split("\n")
        assert len(lines) >= 2
        for line in lines:
            assert CLIENT_LINE.match(line), line
        mine = _parse_client_line(c.call("CLIENT", "INFO"))
        assert mine["cmd"] == "client|info" and mine["argv-mem"] == "10"
        theirs = [_parse_client_line(x) for x in lines if "name=other" in x]
        assert theirs and theirs[0]["cmd"] == "client|setname" and theirs[0]["argv-mem"] == "0"
        # a fresh connection has run nothing yet
        with fastkv_server.raw(timeout=5) as fresh:
            fresh.call("PING")
            listing = c.call("CLIENT", "LIST", "ID", str(fresh.call("CLIENT", "ID")))
            assert _parse_client_line(listing)["cmd"] == "client|id"


@compat_mark
def test_client_list_field_names_match_redis(compat):
    fk, rd = _pair_conns(compat)
    try:
        a = list(_parse_client_line(fk.call("CLIENT", "INFO")))
        b = list(_parse_client_line(rd.call("CLIENT", "INFO")))
        assert a == b
    finally:
        fk.close()
        rd.close()


@compat_mark
@RESP
def test_client_misc_compat(compat, resp3):
    compat.check(
        "CLIENT LIST TYPE pubsub",
        "CLIENT LIST TYPE replica",
        "CLIENT LIST TYPE slave",
        "CLIENT LIST TYPE master",
        TypeOnly("CLIENT LIST TYPE NORMAL"),
        "CLIENT LIST TYPE",
        "CLIENT LIST ID",
        "CLIENT LIST ID 1 abc",
        "CLIENT LIST ID 99999999",
        "CLIENT KILL USER bob ID 1",
        "CLIENT KILL USER default ID 99999999",
        "CLIENT KILL SKIPME maybe",
        "CLIENT KILL TYPE pubsub",
        "CLIENT KILL TYPE foo",
        "CLIENT KILL LADDR 1.1.1.1:1",
        "CLIENT KILL ID 5 TYPE",
        "CLIENT KILL ADDR",
        "CLIENT REPLY ON x",
        "CLIENT PAUSE 10 WRITE x",
        "CLIENT PAUSE 9223372036854775807",
        "GET k",
        "CLIENT GETREDIR",
        "CLIENT TRACKINGINFO",
        "CLIENT CACHING yes",
        "CLIENT CACHING no",
        "CLIENT NO-EVICT",
        "CLIENT SETNAME caf\xe9",
        ("CLIENT", "SETNAME", b"\x7f"),
        ("CLIENT", "SETNAME", b"~!"),
        "CLIENT GETNAME",
        resp3=resp3,
    )


def test_client_kill_filters(fastkv_server, r):
    with fastkv_server.raw(timeout=5) as killer, fastkv_server.raw(timeout=5) as v1, \
            fastkv_server.raw(timeout=5) as v2:
        v1.call("CLIENT", "SETNAME", "victim1")
        v2.call("CLIENT", "SETNAME", "victim2")
        # LADDR: every client of this listener, but not the killer (SKIPME yes)
        n = killer.call("CLIENT", "KILL", "LADDR", "127.0.0.1:%d" % fastkv_server.port,
                        "ID", str(v1.call("CLIENT", "ID")))
        assert n == 1
        assert v1.read_until_closed(timeout=5) == b""
        assert killer.call("PING") == b"PONG"
        # ADDR + TYPE + USER all have to match
        host, port = v2.sock.getsockname()[:2]
        addr = "%s:%d" % (host, port)
        assert killer.call("CLIENT", "KILL", "ADDR", addr, "TYPE", "pubsub") == 0
        assert killer.call("CLIENT", "KILL", "ADDR", addr, "TYPE", "normal",
                           "USER", "default") == 1
        assert v2.read_until_closed(timeout=5) == b""
        names = [_parse_client_line(x)["name"]
                 for x in killer.call("CLIENT", "LIST").decode().splitlines()]
        assert "victim1" not in names and "victim2" not in names
        # killing yourself with the new form: the reply is sent, then the close
        killer.send_command("CLIENT", "KILL", "ADDR",
                            "%s:%d" % killer.sock.getsockname()[:2], "SKIPME", "no")
        assert killer.read_until_closed(timeout=5) == b":1\r\n"


def test_client_pause_only_extends(fastkv_server, r):
    """A second CLIENT PAUSE can't shorten the pause in progress."""
    with fastkv_server.raw(timeout=5) as admin, fastkv_server.raw(timeout=5) as writer, \
            fastkv_server.raw(timeout=5) as reader:
        try:
            t0 = time.monotonic()
            assert admin.call("CLIENT", "PAUSE", "400", "WRITE") == b"OK"
            assert admin.call("CLIENT", "PAUSE", "0", "WRITE") == b"OK"
            assert admin.call("CLIENT", "PAUSE", "10", "WRITE") == b"OK"
            writer.send_command("SET", "k", "v")
            writer.assert_no_data(0.2)
            assert reader.call("GET", "k") is None
            assert writer.read_raw_reply(timeout=3) == b"+OK\r\n"
            assert time.monotonic() - t0 >= 0.35
            assert reader.call("GET", "k") == b"v"
        finally:
            admin.call("CLIENT", "UNPAUSE")


def test_client_pause_expiry_releases_held_clients(fastkv_server, r):
    with fastkv_server.raw(timeout=5) as admin, fastkv_server.raw(timeout=5) as held, \
            fastkv_server.raw(timeout=5) as other:
        try:
            assert admin.call("CLIENT", "PAUSE", "100") == b"OK"
            t0 = time.monotonic()
            held.send_command("GET", "k")
            while time.monotonic() - t0 < 0.102:
                pass
            for _ in range(20):                 # commands right after the expiry
                assert other.call("PING") == b"PONG"
            assert held.read_raw_reply(timeout=1.5) == b"$-1\r\n"
        finally:
            admin.call("CLIENT", "UNPAUSE")


# --------------------------------------------------------------------------
# RESET AUTH
# --------------------------------------------------------------------------

@compat_mark
def test_reset_requirepass(compat_pair):
    pair = compat_pair("--requirepass", "pw")
    with pair.session(flush=False) as s:
        s.check("AUTH pw", "SELECT 2", "SET a 1", "CLIENT SETNAME n", Shape("HELLO 3"),
                "GET nokey", "RESET", "GET nokey", "GET a", "AUTH pw", "GET nokey",
                "CLIENT GETNAME", "GET a", "SELECT 2", "GET a", "FLUSHALL")


@compat_mark
def test_reset_clears_reply_off(compat):
    with compat.session() as s:
        for conn in (s.fk, s.rd):
            conn.send(b"CLIENT REPLY OFF\r\nSET a 1\r\nRESET\r\nGET a\r\n")
            assert conn.read_raw_reply() == b"+RESET\r\n"
            assert conn.read_raw_reply() == b"$1\r\n1\r\n"
            conn.send(b"CLIENT REPLY SKIP\r\nRESET\r\nPING\r\n")
            assert conn.read_raw_reply() == b"+PONG\r\n"


@compat_mark
def test_reset_leaves_monitor_mode(compat):
    with compat.session() as s:
        s.check("MONITOR", "RESET", "PING")
        for conn in (s.fk, s.rd):
            with conn.__class__(port=_port_of(conn), timeout=5) as other:
                other.call("SET", "x", "1")
            conn.assert_no_data(0.2)


def _port_of(conn):
    return conn.sock.getpeername()[1]


def test_monitor_twice_is_silent(fastkv_server, r):
    with fastkv_server.raw(timeout=5) as mon, fastkv_server.raw(timeout=5) as c:
        assert mon.call_raw("MONITOR") == b"+OK\r\n"
        mon.send_command("MONITOR")
        mon.assert_no_data(0.2)
        c.call("SET", "k", "v")
        line = mon.recv_some(timeout=5)
        assert line.startswith(b"+") and line.endswith(b'"SET" "k" "v"\r\n')
        flags = _parse_client_line(c.call("CLIENT", "LIST", "ID",
                                          str(_client_id_by_name(c, mon))))["flags"]
        assert flags == "O"


def _client_id_by_name(c, mon):
    host, port = mon.sock.getsockname()[:2]
    for line in c.call("CLIENT", "LIST").decode().splitlines():
        f = _parse_client_line(line)
        if f["addr"] == "%s:%d" % (host, port):
            return int(f["id"])
    raise AssertionError("monitor client not listed")


# --------------------------------------------------------------------------
# INFO CONFIG RESETSTAT
# --------------------------------------------------------------------------

# Fields fastkv leaves out because it has nothing to measure them with.
INFO_NOT_REPORTED = {"total_reads_processed", "total_writes_processed",
                     "reply_buffer_shrinks", "reply_buffer_expands"}
INFO_EXTRA = {"fastkv_version"}


def _info_sections(text):
    secs, cur = {}, None
    for line in text.split("\r\n"):
        if line.startswith("# "):
            cur = line[2:]
            secs[cur] = []
        elif line:
            secs[cur].append(line.split(":", 1)[0])
    return secs


@compat_mark
def test_info_layout_matches_redis(compat):
    fk, rd = _pair_conns(compat)
    try:
        for args in ((), ("everything",), ("all",), ("default",), ("server", "CPU"),
                     ("commandstats",), ("memory", "memory")):
            a = _info_sections(fk.call("INFO", *args).decode())
            b = _info_sections(rd.call("INFO", *args).decode())
            assert list(a) == list(b), args
            for sec in ("Server", "Clients", "Memory", "Persistence", "Stats",
                        "Replication", "CPU", "Cluster", "Modules"):
                if sec in b:
                    want = [f for f in b[sec] if f not in INFO_NOT_REPORTED]
                    got = [f for f in a[sec] if f not in INFO_EXTRA | INFO_NOT_REPORTED]
                    assert got == want, (args, sec)
    finally:
        fk.close()
        rd.close()


@compat_mark
def test_info_resp3_and_empty(compat):
    compat.check("INFO nosuchsection", "INFO a b", TypeOnly("INFO"), TypeOnly("INFO server"),
                 resp3=True)
    compat.check("INFO nosuchsection", TypeOnly("INFO"), "INFO cluster", "INFO modules")


@compat_mark
def test_info_stats_after_resetstat(compat_pair):
    pair = compat_pair()
    with pair.session() as s:
        s.check("SET s abc", "SET n 1", "CONFIG RESETSTAT", "GET s", "GET missing",
                "INCR s", "INCR n", "GET", "NOSUCHCOMMAND", "CLIENT SETNAME 'a b'",
                "INFO errorstats")
        stats = []
        for conn in (s.fk, s.rd):
            text = conn.call("INFO", "commandstats").decode()
            cmds = {}
            for line in text.split("\r\n")[1:]:
                if line:
                    name, _, v = line.partition(":")
                    kv = dict(x.split("=") for x in v.split(","))
                    cmds[name] = (kv["calls"], kv["rejected_calls"], kv["failed_calls"])
            fields = dict(line.split(":", 1) for line in
                          conn.call("INFO", "stats").decode().split("\r\n")[1:] if line)
            stats.append((cmds, fields["keyspace_hits"], fields["keyspace_misses"],
                          fields["total_error_replies"], fields["total_commands_processed"]))
        assert stats[0] == stats[1]
        assert stats[0][0]["cmdstat_incr"] == ("2", "0", "1")
        assert stats[0][0]["cmdstat_get"] == ("2", "1", "0")


def test_info_memory_and_keyspace_values(fastkv_server, r):
    r.config_resetstat()
    r.set(b"a", b"1")
    r.set(b"b", b"2", ex=100)
    with pytest.raises(redis.ResponseError):
        r.execute_command("SET")               # one ERR (wrong arity)
    info = r.info("everything")
    assert info["used_memory"] > 0
    assert info["used_memory_peak"] >= info["used_memory"]
    assert info["used_memory_human"].endswith(("B", "K", "M", "G"))
    assert info["used_memory_rss"] > 0
    assert info["db0"]["keys"] == 2 and info["db0"]["expires"] == 1
    assert info["connected_clients"] >= 1
    assert info["maxmemory_policy"] == "noeviction"
    assert info["role"] == "master"
    assert info["cluster_enabled"] == 0
    assert info["errorstat_ERR"]["count"] == 1
    assert info["cmdstat_set"]["calls"] == 2
    assert info["cmdstat_set"]["rejected_calls"] == 1
    if not IS_OVERRIDE:
        assert info["fastkv_version"]


@compat_mark
@RESP
def test_config_commands_compat(compat, resp3):
    try:
        compat.check(
            "CONFIG SET maxmemory 1mb maxmemory-policy allkeys-lru",
            "CONFIG GET maxmemory",
            "CONFIG GET maxmemory-policy",
            "CONFIG SET maxmemory 2mb maxmemory 3mb",
            "CONFIG SET maxmemory 1mb nosuch 1",
            "CONFIG SET maxmemory-policy nosuch maxmemory 5",
            "CONFIG GET maxmemory",
            "CONFIG GET 'maxmemory-p*'",
            "CONFIG GET requirepass",
            "CONFIG REWRITE",
            "CONFIG REWRITE extra",
            resp3=resp3,
        )
    finally:
        compat.check("CONFIG SET maxmemory 0 maxmemory-policy noeviction", flush=False)


def test_config_rewrite_with_file(tmp_path):
    conf = tmp_path / "server.conf"
    conf.write_text("# test config\nmaxmemory 1mb\n")

    def argv(port, extra):
        return _server_exe() + [str(conf), "--port", str(port), "--save", "",
                                "--appendonly", "no"]

    srv = kvtest.ServerProcess("conf-rewrite", argv, env=kvtest.fastkv_env())
    srv.start()
    try:
        with srv.raw(timeout=5) as c:
            assert c.call("CONFIG", "GET", "maxmemory") == [b"maxmemory", b"1048576"]
            assert c.call("CONFIG", "SET", "maxmemory", "2mb") == b"OK"
            assert c.call_raw("CONFIG", "REWRITE") == b"+OK\r\n"
        text = conf.read_text()
        assert "# test config" in text and "maxmemory 2mb" in text
    finally:
        srv.cleanup()


def _server_exe():
    if IS_OVERRIDE:
        return shlex.split(kvtest.OVERRIDE_CMD)[:1]
    exe = shutil.which("fastkv-server")
    return [exe] if exe else [sys.executable, "-m", "fastkv"]


# --------------------------------------------------------------------------
# SLOWLOG LATENCY
# --------------------------------------------------------------------------

@compat_mark
def test_slowlog_entries_and_redaction(compat_pair):
    pair = compat_pair()
    entries = []
    with pair.session(flush=False) as s:
        s.check(
            "CONFIG SET slowlog-log-slower-than 0",
            "SLOWLOG RESET",
            "CLIENT SETNAME slowpoke",
            "AUTH default anything",
            "AUTH a b c",
            Shape("HELLO 2 AUTH default pw SETNAME slowpoke"),
            "CONFIG SET masterauth secret maxmemory 0",
            "CONFIG SET masterauth",
            ("SET", "k", b"v" * 300),
            ("MSET",) + tuple("k%d" % i for i in range(50)),
            "CONFIG SET slowlog-log-slower-than -1",
            "PING",
            "SLOWLOG LEN",
            "CONFIG SET masterauth ''",
        )
        for conn in (s.fk, s.rd):
            got = conn.call("SLOWLOG", "GET", "-1")
            entries.append([(e[0], e[3], e[5]) for e in got])
            assert all(isinstance(e[1], int) and isinstance(e[2], int) for e in got)
            assert all(re.match(rb"^127\.0\.0\.1:\d+$", e[4]) for e in got)
    assert entries[0] == entries[1]
    args = [e[1] for e in entries[0]]
    assert [b"AUTH", b"(redacted)", b"(redacted)"] in args
    assert [b"CONFIG", b"SET", b"masterauth", b"(redacted)", b"maxmemory", b"0"] in args


@compat_mark
def test_slowlog_max_len(compat_pair):
    pair = compat_pair("--slowlog-log-slower-than", "0", "--slowlog-max-len", "5")
    pair.check("SLOWLOG RESET", "PING", "PING", "SLOWLOG LEN", "PING", "PING", "PING", "PING",
               "SLOWLOG LEN", "CONFIG SET slowlog-max-len 2", "SLOWLOG LEN", "PING",
               "SLOWLOG LEN", "CONFIG SET slowlog-max-len 0", "PING", "SLOWLOG LEN",
               "SLOWLOG GET", "CONFIG SET slowlog-max-len 3", "PING", "PING",
               Shape("SLOWLOG GET"), "SLOWLOG GET 1 2", "SLOWLOG GET 0", flush=False)


@compat_mark
def test_latency_monitor(compat_pair):
    pair = compat_pair("--enable-debug-command", "yes", "--latency-monitor-threshold", "5",
                       "--slowlog-log-slower-than", "-1")
    with pair.session(flush=False) as s:
        s.check("LATENCY RESET", "LATENCY LATEST", "DEBUG SLEEP 0.03", "PING",
                Shape("LATENCY LATEST"), Shape("LATENCY HISTORY command"),
                "LATENCY HISTORY fast-command", "LATENCY HISTORY nosuch")
        for conn in (s.fk, s.rd):
            (event,) = conn.call("LATENCY", "LATEST")
            assert event[0] == b"command" and event[2] >= 30 and event[3] >= 30
            assert abs(event[1] - time.time()) < 5
        s.check("LATENCY RESET nosuch command", "LATENCY LATEST",
                "CONFIG SET latency-monitor-threshold 0", "DEBUG SLEEP 0.01",
                "LATENCY LATEST", "LATENCY RESET")


# --------------------------------------------------------------------------
# MEMORY
# --------------------------------------------------------------------------

@compat_mark
@RESP
def test_memory_compat(compat, resp3):
    compat.check(
        "SET k v",
        "SET e v EX 100",
        Shape("MEMORY STATS"),
        TypeOnly("MEMORY MALLOC-STATS"),
        "MEMORY PURGE",
        TypeOnly("MEMORY USAGE k SAMPLES 0"),
        "MEMORY USAGE k SAMPLES 1 SAMPLES",
        "MEMORY USAGE k SAMPLES 1 SAMPLES -3",
        "MEMORY PURGE extra",
        resp3=resp3,
    )


def test_memory_stats_values(r):
    r.set(b"k", b"v" * 1000)
    st = r.memory_stats()
    assert st["keys.count"] == 1
    assert st["total.allocated"] > 0 and st["peak.allocated"] >= st["total.allocated"]
    assert "db.0" in st
    assert 0 <= st["dataset.percentage"] <= 100.0001


# --------------------------------------------------------------------------
# DEBUG
# --------------------------------------------------------------------------

@compat_mark
@RESP
def test_debug_protocol_and_errors(compat_pair, resp3):
    pair = compat_pair("--enable-debug-command", "yes")
    pair.check(*["DEBUG PROTOCOL %s" % t for t in (
        "string", "integer", "double", "bignum", "null", "array", "set", "map", "attrib",
        "push", "true", "false", "verbatim", "nosuchtype", "STRING")],
        "DEBUG ERROR 'some error'", "DEBUG ERROR 'WRONGTYPE x'", "DEBUG LOG 'hello log'",
        "DEBUG SLEEP 0", "DEBUG SLEEP abc", "DEBUG SLEEP -1", "DEBUG SLEEP",
        "DEBUG OBJECT", "DEBUG OBJECT missing", "DEBUG FOO", "debug foo", "DEBUG",
        resp3=resp3)


@compat_mark
def test_debug_object(compat_pair):
    pair = compat_pair("--enable-debug-command", "yes")
    values = {"s": "hello", "i": "12345", "neg": "-5", "big": "123456789012",
              "e": "", "lz": "0123", "i3": "70000", "txt": "".join(
                  chr(33 + (i * 37) % 90) for i in range(60)),
              "long": "".join(map(random.Random(7).choice, [string.printable] * 20000))}
    out = []
    with pair.session() as s:
        for k, v in values.items():
            s.check(("SET", k, v))
        for conn in (s.fk, s.rd):
            got = {}
            for k in values:
                raw = conn.call_raw("DEBUG", "OBJECT", k).decode()
                m = re.match(r"^\+Value at:0x[0-9a-f]+ (refcount:\d+ encoding:\w+ "
                             r"serializedlength:\d+) lru:\d+ lru_seconds_idle:\d+\r\n$", raw)
                assert m, raw
                got[k] = m.group(1)
            out.append(got)
    assert out[0] == out[1]


@compat_mark
def test_debug_local_mode(compat_pair):
    pair = compat_pair("--enable-debug-command", "local")
    pair.check("DEBUG SLEEP 0", "DEBUG PROTOCOL integer")


@compat_mark
def test_debug_disabled_text(compat):
    compat.check("DEBUG SLEEP 0", "DEBUG HELP", "DEBUG PROTOCOL integer", "DEBUG")


@pytest.mark.fastkv_only
def test_debug_help_lists_implemented(start_server):
    srv = start_server("--enable-debug-command", "yes")
    with srv.raw(timeout=5) as c:
        lines = c.call("DEBUG", "HELP")
        assert lines[0] == b"DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
        assert lines[-2:] == [b"HELP", b"    Prints this help."]
        subs = [x.split(b" ")[0] for x in lines[1:-2] if not x.startswith(b" ")]
        for sub in subs:
            reply = c.call("DEBUG", sub.decode(), "x")
            assert not (isinstance(reply, RespError) and b"unknown subcommand" in reply.msg), sub
