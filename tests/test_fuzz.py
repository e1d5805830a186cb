"""Robustness fuzzer: no command may kill or hang the server.

For every command in fastkv's command table (fastkv.commands.table.ROWS,
subcommands included) the fuzzer sends, on a raw socket with timeouts,
commands built from extreme and odd arguments: LLONG_MAX/LLONG_MIN, 2^31,
2^32, 2^64-1, 2^64, -1, 0, nan/inf, the empty string, binary bytes, a
100 KB string, the option words of the command (tokens from COMMAND DOCS),
and argument counts of arity-1, arity, arity+1 ...; key positions (from
COMMAND INFO) get keys holding a string, an integer, a big string, or no
value.  After every command a ``PING <nonce>`` must come back (a hang is a
failure: each read has a timeout), and at the end a sentinel key written
before the run must be intact.  The run is seeded per command name, so it
is deterministic and adding a command doesn't change the others' cases.

The same fuzzer runs against a real redis-server too (test parametrised on
the target): that checks the fuzzer itself (it must not "find" things that
Redis legitimately does, such as blocking on CLIENT PAUSE).  Commands the
target doesn't know are skipped.  Both targets are dedicated servers (with
DEBUG enabled), so CONFIG SET during fuzzing can't disturb the session
servers.

Commands that legitimately stop, block or take over the server or the
connection are left out or sent only in safe forms (see SPECIAL below):
SHUTDOWN, MONITOR, (P|S)SUBSCRIBE, blocking commands, DEBUG SLEEP with long
times, CLIENT PAUSE ALL with long timeouts (always followed by CLIENT
UNPAUSE), MULTI (followed by DISCARD), FLUSHALL/FLUSHDB/SWAPDB only in forms
that keep the sentinel, CONFIG SET of parameters that would cut the test off
the server (port, bind, requirepass, maxclients, maxmemory, ...).

The second half of the file has regression tests for the overflow bugs the
fuzzer is about (SETRANGE offset + length, EXPIRETIME of a far expire,
DEBUG SLEEP inf ...), compared with redis-server's replies.
"""

import os
import random
import socket
import time
import zlib

import pytest

from kvtest import (IS_OVERRIDE, ConnectionClosed, ProtocolViolation, Unordered, encode_args,
                    to_py)

SEED = int(os.environ.get("FASTKV_FUZZ_SEED", "0x5EED_F022"), 0)
#: fuzz cases per command (subcommands count as commands); FASTKV_FUZZ_CASES
#: and FASTKV_FUZZ_SEED explore more, e.g. before a release
CASES = int(os.environ.get("FASTKV_FUZZ_CASES", "100"))
#: one read may take at most this long before the server counts as hung
READ_TIMEOUT = 10.0

LLONG_MAX = (1 << 63) - 1
LLONG_MIN = -(1 << 63)

BIG = b"x" * (100 * 1024)
BINARY = b"\x00\xff\r\n"

INTS = [LLONG_MAX, LLONG_MIN, LLONG_MAX - 1, LLONG_MIN + 1, 1 << 31, (1 << 31) - 1, -(1 << 31),
        -(1 << 31) - 1, 1 << 32, (1 << 32) - 1, (1 << 64) - 1, 1 << 64, -1, 0, 1, 2, 3, 10, 100,
        1000000, 536870912, 4294967295 // 1000 + 1]
FLOATS = [b"nan", b"inf", b"-inf", b"+inf", b"1e308", b"-1e308", b"1e400", b"1.5", b"-0.0",
          b"4.9e-324", b"1.7976931348623157e308", b"0.001"]
ODD = [b"", BINARY, b"\x00", b" 1", b"1 ", b"0x10", b"1e3", b"abc", b"*", b"?", b"[", b"[^", b"\\",
       b'"', b"-", b"+", b"%s%n%x", "é".encode(), b"\r\n", b"*" * 200 + b"x", BIG]
VALUES = [str(v).encode() for v in INTS] + FLOATS + ODD

SENTINEL = b"fuzz:sentinel:9b1f"
SENTINEL_VALUE = b"still-here"
# the keys the fuzzer reads and writes (never the sentinel)
KEY_VALUES = {
    b"fz:str": b"hello world",
    b"fz:int": b"12345",
    b"fz:max": str(LLONG_MAX).encode(),
    b"fz:min": str(LLONG_MIN).encode(),
    b"fz:float": b"3.5",
    b"fz:big": BIG,
}
KEYS = list(KEY_VALUES) + [b"fz:absent", b"fz:absent2"]

# Never sent: they stop the server, take over the connection, or block it
# for good (Redis does the same, so this is not a bug).
EXCLUDED = {
    "shutdown", "monitor", "subscribe", "psubscribe", "ssubscribe", "sync", "psync",
    "replicaof", "slaveof", "failover", "wait", "waitaof", "migrate", "module", "acl",
    "save", "bgsave", "bgrewriteaof", "cluster", "readonly", "readwrite", "replconf",
}

# CONFIG SET parameters that would cut the test off its server or change
# what the fuzzer relies on (the sentinel, the connection, the files).
CONFIG_DENY = (
    "port", "bind", "bind-source-addr", "unixsocket", "unixsocketperm", "tls-", "dir",
    "dbfilename", "logfile", "pidfile", "requirepass", "masterauth", "masteruser",
    "maxclients", "maxmemory", "client-output-buffer-limit", "save", "appendonly",
    "appendfsync", "appendfilename", "appenddirname", "aof-", "rdb", "daemonize",
    "supervised", "timeout", "oom-score-adj", "min-replicas", "min-slaves", "replicaof",
    "slaveof", "enable-", "protected-mode", "watchdog-period", "syslog", "aclfile",
    "cluster-", "io-threads", "disable-thp", "stop-writes-on-bgsave-error", "shutdown-",
    "set-proc-title", "proc-title-template", "always-show-logo",
)

DEBUG_SUBS = [b"help", b"object", b"protocol", b"error", b"log", b"sleep", b"jmap-unknown"]
PROTOCOL_TYPES = [b"string", b"integer", b"double", b"bignum", b"null", b"array", b"set", b"map",
                  b"attrib", b"push", b"verbatim", b"true", b"false", b"nope"]
# DEBUG SLEEP arguments that return at once (or nearly) on Redis too: an
# out-of-range double makes Redis's `long long utime = dtime*1e6` LLONG_MIN
SLEEP_ARGS = [b"0", b"-1", b"0.001", b"inf", b"-inf", b"+inf", b"nan", b"1e300", b"-1e300",
              str(LLONG_MAX).encode(), str(LLONG_MIN).encode(), str(1 << 64).encode(), b"abc",
              b"", BINARY]


# --------------------------------------------------------------------------
# command specs
# --------------------------------------------------------------------------

class Spec:
    def __init__(self, name, arity, first, last, step, flags, tokens):
        self.name = name                    # "config|set"
        self.parts = [p.upper().encode() for p in name.split("|")]
        self.arity = arity
        self.first, self.last, self.step = first, last, step
        self.flags = flags
        self.tokens = tokens

    def __repr__(self):
        return "<Spec %s arity=%d>" % (self.name, self.arity)

    def is_key_pos(self, i, argc):
        if self.first <= 0 or self.step <= 0 or i < self.first:
            return False
        last = self.last if self.last >= 0 else argc + self.last
        return i <= last and (i - self.first) % self.step == 0


def fastkv_command_names():
    """Every command of fastkv's table, subcommands as "container|sub"."""
    from fastkv.commands.table import ROWS
    names = []
    for row in ROWS:
        if row.handler is not None:
            names.append(row.name)
        names.extend(sub.name for sub in row.subcommands)
    return names


def _as_dict(x):
    """A RESP3 map (dict) or a RESP2 flat key/value list as a dict."""
    if isinstance(x, dict):
        return {(k.decode() if isinstance(k, bytes) else k): v for k, v in x.items()}
    return {x[i].decode(): x[i + 1] for i in range(0, len(x) - 1, 2)}


def _tokens(args, out):
    for a in args or ():
        a = _as_dict(a)
        if a.get("token"):
            out.add(a["token"])
        if a.get("arguments"):
            _tokens(a["arguments"], out)


def _command_info(conn, name):
    """(arity, first, last, step, flags) from COMMAND INFO, None if unknown."""
    info = conn.call("COMMAND", "INFO", name)[0]
    if info is None:
        return None
    return info[1], info[3], info[4], info[5], {f.decode() for f in info[2]}


def _command_tokens(conn, name):
    top, _, sub = name.partition("|")
    docs = conn.call("COMMAND", "DOCS", top)
    docs = _as_dict(docs)
    if top not in docs:
        return set()
    d = _as_dict(docs[top])
    if sub:
        subs = _as_dict(d.get("subcommands") or [])
        d = _as_dict(subs.get(name) or [])
    out = set()
    _tokens(d.get("arguments"), out)
    return out


def load_specs(conn, names):
    specs, unknown = [], []
    for name in names:
        info = _command_info(conn, name)
        if info is None:
            unknown.append(name)
            continue
        arity, first, last, step, flags = info
        specs.append(Spec(name, arity, first, last, step, flags, sorted(_command_tokens(conn, name))))
    return specs, unknown


def config_params(conn):
    got = to_dict_pairs(conn.call("CONFIG", "GET", "*"))
    return sorted(p for p in got if not any(p.decode().startswith(d) for d in CONFIG_DENY))


def to_dict_pairs(x):
    if isinstance(x, dict):
        return list(x)
    return [x[i] for i in range(0, len(x), 2)]


# --------------------------------------------------------------------------
# case generation
# --------------------------------------------------------------------------

def _value(rng, spec, extra=()):
    r = rng.random()
    if spec.tokens and r < 0.3:
        t = rng.choice(spec.tokens)
        return t.lower() if rng.random() < 0.2 else t
    if r < 0.4:
        return rng.choice(KEYS)
    if extra and r < 0.5:
        return rng.choice(extra)
    return rng.choice(VALUES)


def _argc_choices(spec):
    a = spec.arity
    if a > 0:
        return [a - 1, a, a, a, a, a + 1]
    m = -a
    return [m - 1, m, m, m + 1, m + 1, m + 2, m + 3, m + 5]


def generic_case(rng, spec, extra=()):
    argc = max(1, rng.choice(_argc_choices(spec)))
    argv = list(spec.parts[:argc])
    for i in range(len(argv), argc):
        if spec.is_key_pos(i, argc) and rng.random() < 0.85:
            argv.append(rng.choice(KEYS))
        else:
            argv.append(_value(rng, spec, extra))
    return [argv]


def case_config_set(rng, spec, params):
    argv = [b"CONFIG", b"SET"]
    for _ in range(rng.choice([0, 1, 1, 1, 2])):
        argv += [rng.choice(params), rng.choice(VALUES)]
    if rng.random() < 0.1:
        argv.append(rng.choice(VALUES))      # odd count
    return [argv]


def case_client_pause(rng, spec):
    timeout = rng.choice([b"0", b"1", b"10", b"-1", str(LLONG_MAX).encode(), str(LLONG_MIN).encode(),
                          str(1 << 64).encode(), b"abc", b"", b"1.5", str(1 << 31).encode(),
                          str(1 << 32).encode(), BINARY])
    mode = rng.choice([None, b"ALL", b"WRITE", b"write", b"junk"])
    long_pause = timeout in (str(1 << 31).encode(), str(1 << 32).encode())
    if long_pause and mode in (None, b"ALL"):
        mode = b"WRITE"      # a long PAUSE ALL stops Redis too: not a bug to find
    argv = [b"CLIENT", b"PAUSE", timeout] + ([mode] if mode else [])
    if rng.random() < 0.1:
        argv.append(b"extra")
    return [argv, [b"CLIENT", b"UNPAUSE"]]


def case_client_reply(rng, spec):
    argv = [b"CLIENT", b"REPLY"] + [rng.choice([b"ON", b"OFF", b"SKIP", b"on", b"bad", b""])
                                    for _ in range(rng.choice([0, 1, 1, 1, 2]))]
    return [argv, [b"CLIENT", b"REPLY", b"ON"]]


def case_debug(rng, spec):
    sub = rng.choice(DEBUG_SUBS)
    argv = [b"DEBUG", sub.upper() if rng.random() < 0.5 else sub]
    n = rng.choice([0, 1, 1, 1, 2])
    for _ in range(n):
        if sub == b"sleep":
            argv.append(rng.choice(SLEEP_ARGS))
        elif sub == b"protocol":
            argv.append(rng.choice(PROTOCOL_TYPES))
        elif sub == b"object":
            argv.append(rng.choice(KEYS))
        else:
            argv.append(rng.choice(VALUES))
    return [argv]


def case_multi(rng, spec):
    return generic_case(rng, spec) + [[b"DISCARD"]]


def case_swapdb(rng, spec):
    # swapping twice puts everything back (the sentinel lives in db 0)
    argv = generic_case(rng, spec)[0]
    return [argv, list(argv)]


def case_flushdb(rng, spec):
    # only in a db other than 0 (the sentinel's)
    return [[b"SELECT", b"1"]] + generic_case(rng, spec) + [[b"SELECT", b"0"]]


def case_flushall(rng, spec):
    # never a valid FLUSHALL (it would take the sentinel): odd arguments only
    args = [v for v in VALUES if v.lower() not in (b"sync", b"async")]
    return [[b"FLUSHALL"] + [rng.choice(args) for _ in range(rng.choice([1, 1, 2]))]]


SPECIAL = {
    "client|pause": case_client_pause,
    "client|reply": case_client_reply,
    "debug": case_debug,
    "multi": case_multi,
    "swapdb": case_swapdb,
    "flushdb": case_flushdb,
    "flushall": case_flushall,
}


def cases_for(spec, params, names):
    rng = random.Random(SEED ^ zlib.crc32(spec.name.encode()))
    extra = [n.encode() for n in names] if spec.name.startswith("command") else ()
    out = []
    for _ in range(CASES):
        if spec.name == "config|set":
            out.append(case_config_set(rng, spec, params))
        elif spec.name in SPECIAL:
            out.append(SPECIAL[spec.name](rng, spec))
        else:
            out.append(generic_case(rng, spec, extra))
    return out


def skipped(spec):
    top = spec.name.split("|")[0]
    return (top in EXCLUDED or spec.name in EXCLUDED or "blocking" in spec.flags
            or ("pubsub" in spec.flags and "subscribe" in spec.name))


# --------------------------------------------------------------------------
# the run
# --------------------------------------------------------------------------

def _short(argv):
    return [a if len(a) <= 40 else a[:20] + b"...<%d bytes>" % len(a) for a in argv]


class Fuzzer:
    def __init__(self, srv):
        self.srv = srv
        self.conn = None
        self.nonce = 0
        self.history = []
        self.internal_errors = []
        self.closed_by = []

    def connect(self, resp3=None):
        if resp3 is not None:
            self.resp3 = resp3
        if self.conn is not None:
            self.conn.close()
        self.conn = self.srv.raw(timeout=READ_TIMEOUT)
        if getattr(self, "resp3", False):
            assert self.conn.call("HELLO", "3")

    def fail(self, msg):
        self.srv.check_alive()      # a dead server reports its log tail
        raise AssertionError("%s\nlast commands: %r" % (msg, [_short(a) for a in self.history[-8:]]))

    def reset_keys(self):
        self.run_batch([[b"SELECT", b"0"], [b"CLIENT", b"REPLY", b"ON"],
                        [b"DEL"] + KEYS, [b"MSET"] + [x for kv in KEY_VALUES.items() for x in kv]])

    def run_batch(self, cmds):
        """Send the commands and a PING <nonce>; read until the nonce comes
        back.  Returns the replies before it (raw bytes)."""
        self.nonce += 1
        nonce = b"fz-nonce-%d" % self.nonce
        want = b"$%d\r\n%s\r\n" % (len(nonce), nonce)
        self.history.extend(cmds)
        data = b"".join(encode_args(c) for c in cmds) + encode_args([b"PING", nonce])
        replies = []
        try:
            self.conn.send(data)
            while True:
                raw, node = self.conn.read_reply()
                if raw == want:
                    break
                replies.append(raw)
                if node.t in "-!" and b"internal error" in (node.v or b""):
                    self.internal_errors.append((_short(cmds[0]), node.v[:300]))
        except ProtocolViolation as e:
            self.fail("invalid RESP in the replies to %r: %s (buffered: %r)"
                      % ([_short(c) for c in cmds], e, bytes(self.conn.reader.buf[:300])))
        except socket.timeout:
            self.fail("server unresponsive: no reply to PING within %.0fs after %r"
                      % (READ_TIMEOUT, [_short(c) for c in cmds]))
        except (ConnectionClosed, ConnectionResetError, BrokenPipeError) as e:
            # QUIT, CLIENT KILL, RESET ... may close the connection: the server
            # must still be there and answer on a new one.
            self.closed_by.append(_short(cmds[0]))
            if not self.srv.alive():
                self.fail("server died on %r (%s)" % ([_short(c) for c in cmds], e))
            try:
                self.connect()
                assert self.conn.call_raw("PING") == b"+PONG\r\n"
            except (OSError, ConnectionClosed, AssertionError) as e2:
                self.fail("server unreachable after %r: %r" % ([_short(c) for c in cmds], e2))
            self.reset_keys()
        return replies

    def cleanup_dbs(self):
        """Drop what the fuzzing created (keeps the run's memory bounded)."""
        cmds = []
        for db in range(1, 16):
            cmds += [[b"SELECT", str(db).encode()], [b"FLUSHDB"]]
        self.run_batch(cmds + [[b"SELECT", b"0"]])
        keys = self.conn.call("KEYS", "*")
        doomed = [k for k in keys if k != SENTINEL]
        for i in range(0, len(doomed), 500):
            self.run_batch([[b"DEL"] + doomed[i:i + 500]])


@pytest.fixture
def fuzz_target(request, start_server, start_real_redis):
    if request.param == "fastkv":
        return start_server("--enable-debug-command", "yes", name="fastkv-fuzz")
    return start_real_redis("--enable-debug-command", "yes", name="redis-fuzz")


@pytest.mark.parametrize("fuzz_target", ["fastkv", "redis"], indirect=True)
def test_fuzz_all_commands(fuzz_target):
    srv = fuzz_target
    names = fastkv_command_names()
    meta_conn = srv.raw(timeout=READ_TIMEOUT)
    try:
        specs, unknown = load_specs(meta_conn, names)
        params = config_params(meta_conn)
        assert meta_conn.call_raw("SET", SENTINEL, SENTINEL_VALUE) == b"+OK\r\n"
    finally:
        meta_conn.close()
    assert len(specs) > 50, "the command list looks wrong: %r" % specs
    if unknown:
        print("commands the target doesn't know (skipped): %s" % " ".join(unknown))

    fz = Fuzzer(srv)
    fz.connect()
    fz.reset_keys()
    started = time.monotonic()
    n = 0
    for i, spec in enumerate(specs):
        if skipped(spec):
            continue
        fz.connect(resp3=i % 2 == 1)      # every other command over RESP3
        for case in cases_for(spec, params, names):
            fz.run_batch(case)
            n += len(case)
            if n % 16 == 0:
                fz.reset_keys()
        fz.cleanup_dbs()
        fz.reset_keys()
    elapsed = time.monotonic() - started
    print("fuzzed %d commands in %.1fs; connections closed by: %r" % (n, elapsed, fz.closed_by[:20]))

    srv.check_alive()
    with srv.raw(timeout=5) as c:
        assert c.call_raw("PING") == b"+PONG\r\n"
        assert c.call_raw("GET", SENTINEL) == b"$%d\r\n%s\r\n" % (len(SENTINEL_VALUE), SENTINEL_VALUE)
    assert not fz.internal_errors, "internal errors (Python exceptions in handlers): %r" \
        % fz.internal_errors[:20]


# --------------------------------------------------------------------------
# regression tests: the overflows, compared with redis-server
# --------------------------------------------------------------------------

@pytest.mark.compat
def test_setrange_offset_overflow(compat):
    compat.check(
        "SETRANGE k 9223372036854775807 A",
        "EXISTS k",
        "SETRANGE k 9223372036854775806 AB",
        "SETRANGE k 536870912 A",
        "SETRANGE k 4294967295 A",
        "SETRANGE k 4294967296 A",
        "SETRANGE k 18446744073709551615 A",
        "SETRANGE k -9223372036854775808 A",
        "SETRANGE k 9223372036854775807 ''",
        "SET s hello",
        "SETRANGE s 9223372036854775807 A",
        "SETRANGE s 9223372036854775806 AB",
        "SETRANGE s 4294967296 A",
        "SETRANGE s 9223372036854775807 ''",
        "SET n 12345",
        "SETRANGE n 9223372036854775807 A",
        "SETRANGE n 2 9",
        "GET s",
        "GET n",
        "PING",
    )


@pytest.mark.compat
def test_append_getrange_extremes(compat):
    compat.check(
        "SET s hello",
        "APPEND s ''",
        "APPEND s ' world'",
        "GETRANGE s -9223372036854775808 9223372036854775807",
        "GETRANGE s 9223372036854775807 -9223372036854775808",
        "GETRANGE s 9223372036854775807 9223372036854775807",
        "GETRANGE s -9223372036854775808 -9223372036854775808",
        "GETRANGE s 0 -9223372036854775808",
        "GETRANGE s -1 9223372036854775807",
        "GETRANGE s 0 9223372036854775808",
        "SUBSTR s -9223372036854775808 9223372036854775807",
        "GETRANGE missing 0 9223372036854775807",
    )


@pytest.mark.compat
def test_incr_decr_extremes(compat):
    compat.check(
        "INCRBY n -9223372036854775808",
        "INCRBY n -1",
        "DECRBY n 1",
        "DECRBY n -9223372036854775808",
        "SET m 9223372036854775807",
        "INCR m",
        "INCRBY m 0",
        "DECRBY m 9223372036854775807",
        "DECRBY m -9223372036854775807",
        "INCRBY m 9223372036854775808",
        "SET m -9223372036854775808",
        "DECR m",
        "INCRBY m 9223372036854775807",
        "DECRBY x 9223372036854775807",
        "DECR x",
        "DECR x",
    )


@pytest.mark.compat
def test_incrbyfloat_extremes(compat):
    compat.check(
        "SET f 1e308",
        "INCRBYFLOAT f 1e308",
        "INCRBYFLOAT g 1e400",
        "INCRBYFLOAT h inf",
        "INCRBYFLOAT h -inf",
        "INCRBYFLOAT h nan",
        "INCRBYFLOAT h +inf",
        "EXISTS h",
        "SET i 9223372036854775807",
        "INCRBYFLOAT i 1",
        "INCRBYFLOAT i -1e4932",
        "INCRBYFLOAT j 1e-400",
    )


@pytest.mark.compat
def test_expire_extremes(compat):
    compat.check(
        "SET k v",
        "PEXPIREAT k 9223372036854775807",
        "EXPIRETIME k",
        "PEXPIRETIME k",
        "TTL k",
        "PTTL k",
        "EXPIRE k 9223372036854775807",
        "EXPIRE k 9223372036854775",
        "EXPIRE k 9223372036854776",
        "EXPIREAT k 9223372036854775807",
        "EXPIREAT k 9223372036854776",
        "PEXPIRE k 9223372036854775807",
        "PEXPIRE k 9223372036854775807 GT",
        "EXPIRE k -9223372036854775808 LT",
        "EXISTS k",
        "SET k v EX 9223372036854775807",
        "SET k v EX 9223372036854775",
        "SET k v PX 9223372036854775807",
        "SET k v EXAT 9223372036854775807",
        "SET k v PXAT 9223372036854775807",
        "PEXPIRETIME k",
        "SETEX k 9223372036854775807 v",
        "PSETEX k 9223372036854775807 v",
        "GETEX k EX 9223372036854775807",
        "GETEX k PX 9223372036854775807",
        "GETEX k PXAT 9223372036854775807",
        "EXPIRETIME k",
        "EXPIRE k -9223372036854775808",
        "EXISTS k",
    )


@pytest.mark.compat
def test_scan_huge_count(compat):
    compat.check(
        "MSET a 1 b 2 c 3 d 4 e 5",
        Unordered("SCAN 0 COUNT 9223372036854775807"),
        Unordered("SCAN 0 COUNT 922337203685477581"),
        Unordered("SCAN 0 COUNT 9223372036854775807 MATCH * TYPE string"),
        "SCAN 0 COUNT 0",
        "SCAN 0 COUNT -9223372036854775808",
        "SCAN 18446744073709551616",
    )


@pytest.mark.compat
def test_db_index_extremes(compat):
    compat.check(
        "SET k v",
        "SELECT 9223372036854775807",
        "SELECT -9223372036854775808",
        "SELECT 2147483648",
        "SELECT 4294967296",
        "SELECT -1",
        "MOVE k 9223372036854775807",
        "MOVE k 2147483648",
        "MOVE k 4294967296",
        "MOVE k -1",
        "COPY k k2 DB 9223372036854775807",
        "COPY k k2 DB 4294967296",
        "COPY k k2 DB -1",
        "SWAPDB 0 4294967296",
        "SWAPDB 9223372036854775807 0",
        "SWAPDB -1 0",
        "GET k",
    )


@pytest.mark.compat
def test_lcs_extremes(compat):
    compat.check(
        "MSET a ohmytext b mynewtext",
        "LCS a b MINMATCHLEN 9223372036854775807",
        "LCS a b IDX MINMATCHLEN 9223372036854775807",
        "LCS a b IDX MINMATCHLEN -9223372036854775808 WITHMATCHLEN",
        "LCS a b IDX MINMATCHLEN 18446744073709551616",
    )


def test_debug_sleep_odd_values(compat_pair):
    pair = compat_pair("--enable-debug-command", "yes")
    started = time.monotonic()
    pair.check(*[("DEBUG", "SLEEP", v) for v in
                 ("inf", "-inf", "+inf", "nan", "1e300", "-1e300", str(LLONG_MAX), str(LLONG_MIN),
                  str(1 << 64), "abc", "", "0", "-5")], "PING")
    assert time.monotonic() - started < 5


def test_client_pause_wrapping_timeout(compat):
    # 7.0 adds the timeout to now without an overflow check: the end wraps
    # into the past and nothing is paused.
    compat.check(
        "CLIENT PAUSE 9223372036854775807",
        "PING",
        "SET k v",
        "CLIENT PAUSE 9223372036854775807 WRITE",
        "SET k v",
        "CLIENT PAUSE 9223372036854775808",
        "CLIENT PAUSE -9223372036854775808",
        "CLIENT UNPAUSE",
        "GET k",
    )


@pytest.mark.skipif(IS_OVERRIDE, reason="the fastkv-only limit check")
def test_huge_bulk_length_with_huge_proto_max_bulk_len(start_server):
    """With proto-max-bulk-len at LLONG_MAX, a bulk length near it must not
    overflow the parser's size arithmetic (it would read past the buffer)."""
    srv = start_server()
    with srv.raw(timeout=5) as c:
        assert c.call_raw("CONFIG", "SET", "proto-max-bulk-len", str(LLONG_MAX)) == b"+OK\r\n"
        c.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\nabc\r\n" % LLONG_MAX)
        time.sleep(0.2)
    with srv.raw(timeout=5) as c:
        assert c.call_raw("PING") == b"+PONG\r\n"
        c.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$%d\r\nabc\r\n" % (LLONG_MAX - 1))
        time.sleep(0.2)
    srv.check_alive()
    with srv.raw(timeout=5) as c:
        assert c.call_raw("PING") == b"+PONG\r\n"
