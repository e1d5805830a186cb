"""Keyspace notifications compatibility (Redis 7.0 semantics).

CONFIG SET notify-keyspace-events (classes K E g $ x e A n m ..., invalid
strings, CONFIG GET's normalised form) and the events of every string and
keyspace command fastkv has, plus 'expired' events from lazy and active
expiry and 'new' / 'keymiss' events.

A subscriber connection does PSUBSCRIBE '__key*__:*' on fastkv and on a real
redis-server; a client runs the same scripted commands on both (replies
compared byte for byte); then the subscriber's whole stream of frames is
read up to the reply of a PING sent afterwards (every notification of a
command is queued before the command's own reply, so before that PING
reply) and compared byte for byte between the two servers.  Each case also
lists the events Redis is expected to send, as a readable check of the
oracle itself.
"""

import time

import pytest

from kvtest import Sleep, to_py

pytestmark = pytest.mark.compat

TIMEOUT = 5.0
SUB_PATTERN = "__key*__:*"


def _is_pong(node):
    # RESP2 subscribed-mode PING reply: ["pong", ""]; RESP3: +PONG
    if node.t == "+":
        return node.v == b"PONG"
    return node.t == "*" and node.v and node.v[0].v == b"pong"


def frames_to_pong(sub):
    """Sends PING on the subscriber twin; returns the frames each server
    sent before its reply, not compared: ([(raw, node)] fastkv, [...] redis)."""
    sub.send("PING")
    fk, rd = sub.collect_until(_is_pong, limit=10000)
    return fk[:-1], rd[:-1]


def parse_events(frames):
    """pmessage frames -> compact strings 'K<db> <event> <key>' (keyspace
    channel) / 'E<db> <event> <key>' (keyevent channel)."""
    out = []
    for f in frames:
        v = to_py(f)
        assert v[0] == b"pmessage", v
        channel, payload = v[2], v[3]
        prefix, _, rest = channel.partition(b"__:")
        if prefix.startswith(b"__keyspace@"):
            db = prefix[len(b"__keyspace@"):]
            out.append("K%s %s %s" % (db.decode(), payload.decode("latin-1"),
                                      rest.decode("latin-1")))
        elif prefix.startswith(b"__keyevent@"):
            db = prefix[len(b"__keyevent@"):]
            out.append("E%s %s %s" % (db.decode(), rest.decode("latin-1"),
                                      payload.decode("latin-1")))
        else:
            raise AssertionError("unexpected channel %r" % channel)
    return out


def both(*events):
    """Expected events with K and E enabled: 'set a' -> ['K0 set a', 'E0 set a'];
    '1:move_to a' for db 1."""
    out = []
    for e in events:
        db = "0"
        if ":" in e.split(" ")[0]:
            db, e = e.split(":", 1)
        out += ["K%s %s" % (db, e), "E%s %s" % (db, e)]
    return out


class Notify:
    """A client twin, a subscriber twin (PSUBSCRIBE __key*__:*) and the
    notify-keyspace-events setting, on the session fastkv and redis."""

    def __init__(self, compat, resp3_sub=False):
        self.compat = compat
        self.c = compat.twin("client")
        self.c.call("FLUSHALL")
        self.sub = compat.twin("subscriber", resp3=resp3_sub)
        self.sub.call(("PSUBSCRIBE", SUB_PATTERN))

    def flags(self, flags):
        assert self.c.call(("CONFIG", "SET", "notify-keyspace-events", flags)) == b"OK"

    def run(self, *cmds):
        out = []
        for cmd in cmds:
            if isinstance(cmd, Sleep):
                time.sleep(cmd.seconds)
                continue
            out.append(self.c.call(cmd))
        return out

    def raw_events(self):
        """All frames the subscriber got so far (up to a PING's reply),
        compared byte for byte; returns the list of frames (fastkv's)."""
        fk, rd = frames_to_pong(self.sub)
        fr, rr = [x[0] for x in fk], [x[0] for x in rd]
        if fr != rr:
            lines = ["notification streams differ after %r" % (self.c.log[-12:],)]
            for i in range(max(len(fr), len(rr))):
                a = fr[i] if i < len(fr) else b"<none>"
                b = rr[i] if i < len(rr) else b"<none>"
                lines.append("%s %3d fastkv %-70r redis %r" % ("  " if a == b else "!!", i, a, b))
            raise AssertionError("\n".join(lines))
        return [node for _raw, node in fk]

    def events(self):
        return parse_events(self.raw_events())

    def close(self):
        self.sub.close()
        self.c.close()


@pytest.fixture
def kn(compat):
    made = []

    def make(flags="KEA", resp3_sub=False):
        n = Notify(compat, resp3_sub=resp3_sub)
        made.append(n)
        n.flags(flags)
        return n

    yield make
    for n in made:
        n.close()
    # leave the session servers as they were
    for srv in (compat.fk_server, compat.rd_server):
        with srv.raw(TIMEOUT) as c:
            assert c.call_raw("CONFIG", "SET", "notify-keyspace-events", "") == b"+OK\r\n"


def wait_dbsize_zero(n, timeout=3.0):
    """Poll DBSIZE (which does not expire keys by itself) on both servers
    until the active expiry cycle has removed everything."""
    deadline = time.monotonic() + timeout
    for conn in (n.c.fk, n.c.rd):
        while True:
            conn.send_command("DBSIZE")
            if to_py(conn.read_reply()[1]) == 0:
                break
            assert time.monotonic() < deadline, "keys not actively expired in time"
            time.sleep(0.02)


# --------------------------------------------------------------------------
# CONFIG SET / GET notify-keyspace-events
# --------------------------------------------------------------------------

@pytest.mark.parametrize("flags", [
    "", "KEA", "AKE", "A", "K", "E", "g", "$", "x", "e", "Kg", "E$", "EKx$g",
    "gK", "Ex", "KA", "EA", "n", "KEn", "nKE", "Em", "KEm", "KEAm", "KEAmn",
    "KEAn", "Ag$lshzxeKEtmdn", "KEg$lshzxetdn", "KEg$lshzxed", "$$", "KKEE",
    "lshzt", "Kd", "Ed", "KEe", "t", "m", "gx$",
])
def test_config_set_get_flags(compat, flags):
    with compat.session() as s:
        try:
            s.check(("CONFIG", "SET", "notify-keyspace-events", flags),
                    "CONFIG GET notify-keyspace-events",
                    ("CONFIG", "GET", "notify-key*"))
        finally:
            s.check(("CONFIG", "SET", "notify-keyspace-events", ""))


@pytest.mark.parametrize("flags", ["KEQ", "kea", "Z", " ", "KE ", "1", "K,E",
                                   "\x00", "KEa", "b"])
def test_config_set_invalid_flags(compat, flags):
    with compat.session() as s:
        try:
            s.check(("CONFIG", "SET", "notify-keyspace-events", "KEg"),
                    ("CONFIG", "SET", "notify-keyspace-events", flags),
                    # the old value is kept
                    "CONFIG GET notify-keyspace-events")
        finally:
            s.check(("CONFIG", "SET", "notify-keyspace-events", ""))


def test_config_get_normalised_examples(compat):
    with compat.session() as s:
        try:
            for flags, shown in [("KEA", b"AKE"), ("EKx$g", b"g$xKE"), ("KEAmn", b"AKEm"),
                                 ("KEn", b"nKE"), ("$$", b"$"), ("", b"")]:
                s.check(("CONFIG", "SET", "notify-keyspace-events", flags))
                assert s.check("CONFIG GET notify-keyspace-events")[0] == \
                    [b"notify-keyspace-events", shown]
        finally:
            s.check(("CONFIG", "SET", "notify-keyspace-events", ""))


def test_disabled_by_default_and_off(kn):
    n = kn("")
    n.run("SET a 1", "DEL a", "SET b 1 EX 10", "GET missing")
    assert n.events() == []
    n.flags("KEA")
    n.run("SET a 1")
    assert n.events() == both("set a")
    n.flags("")
    n.run("SET a 2", "DEL a")
    assert n.events() == []


# --------------------------------------------------------------------------
# per-command events
# --------------------------------------------------------------------------

# (setup commands, commands under test, expected events with KEA, or None
# to only compare with redis)
CASES = {
    "set": ([], ["SET a 1"], both("set a")),
    "set_ex": ([], ["SET a 1 EX 100"], both("set a", "expire a")),
    "set_px_pxat_exat": ([], ["SET a 1 PX 100000", "SET a 1 EXAT 99999999999",
                              "SET a 1 PXAT 99999999999999"],
                         both("set a", "expire a") * 3),
    "set_keepttl": (["SET a 1 EX 100"], ["SET a 2 KEEPTTL"], both("set a")),
    "set_nx_xx": (["SET a 1"], ["SET a 2 NX", "SET a 3 XX", "SET b 1 XX", "SET b 1 NX"],
                  both("set a", "set b")),
    "set_get": (["SET a 1"], ["SET a 2 GET", "SET b 2 GET"], both("set a", "set b")),
    "set_nx_get": (["SET a 1"], ["SET a 2 NX GET"], []),
    "set_exat_past": ([], ["SET a 1 EXAT 1", "GET a"], None),
    "set_bad_options": ([], ["SET a 1 EX 0", "SET a 1 EX -5", "SET a 1 FOO",
                             "SET a 1 NX XX"], []),
    "setnx": (["SET a 1"], ["SETNX a 2", "SETNX b 2"], both("set b")),
    "setex": ([], ["SETEX a 100 v", "SETEX a 0 v"], both("set a", "expire a")),
    "psetex": ([], ["PSETEX a 100000 v"], both("set a", "expire a")),
    "getset": (["SET a 1"], ["GETSET a 2", "GETSET b 1"], both("set a", "set b")),
    "getdel": (["SET a 1"], ["GETDEL a", "GETDEL a"], both("del a")),
    "getex_ex": (["SET a 1"], ["GETEX a EX 100", "GETEX a PX 100000",
                               "GETEX a EXAT 99999999999", "GETEX a PXAT 99999999999999"],
                 both("expire a") * 4),
    "getex_persist": (["SET a 1 EX 100", "SET b 1"],
                      ["GETEX a PERSIST", "GETEX a PERSIST", "GETEX b PERSIST"],
                      both("persist a")),
    "getex_plain_missing": (["SET a 1"], ["GETEX a", "GETEX missing EX 10"], []),
    "getex_past": (["SET a 1", "SET b 1"], ["GETEX a EXAT 1", "GETEX b PXAT 1"],
                   both("del a", "del b")),
    "mset": ([], ["MSET a 1 b 2 a 3"], both("set a", "set b", "set a")),
    "msetnx": (["SET x 1"], ["MSETNX a 1 b 2", "MSETNX c 1 x 2"],
               both("set a", "set b")),
    "append": (["SET a 1"], ["APPEND a x", "APPEND b y"], both("append a", "append b")),
    "setrange": (["SET a hello"], ["SETRANGE a 1 x", "SETRANGE b 2 y",
                                   "SETRANGE c 0 ''", "SETRANGE a 0 ''"],
                 both("setrange a", "setrange b")),
    "incr_decr": (["SET n 10"], ["INCR n", "DECR n", "INCRBY n 5", "DECRBY n 3",
                                 "INCR new"], None),
    "incr_error": (["SET s abc"], ["INCR s", "INCRBY s 1", "INCRBYFLOAT s 1"], []),
    "incrbyfloat": (["SET f 1.5"], ["INCRBYFLOAT f 2.5", "INCRBYFLOAT g 1"],
                    both("incrbyfloat f", "incrbyfloat g")),
    "del": (["MSET a 1 b 2"], ["DEL a missing b", "DEL a"], both("del a", "del b")),
    "unlink": (["MSET a 1 b 2"], ["UNLINK b a missing"], both("del b", "del a")),
    "rename": (["SET a 1"], ["RENAME a b"], both("rename_from a", "rename_to b")),
    "rename_overwrite": (["MSET a 1 b 2"], ["RENAME a b"],
                         both("rename_from a", "rename_to b")),
    "rename_ttl": (["SET a 1 EX 100"], ["RENAME a b"], None),
    "rename_same": (["SET a 1"], ["RENAME a a", "RENAMENX a a"], []),
    "rename_missing": ([], ["RENAME a b", "RENAMENX a b"], []),
    "renamenx": (["MSET a 1 b 2"], ["RENAMENX a b", "RENAMENX a c"],
                 both("rename_from a", "rename_to c")),
    "copy": (["MSET a 1 b 2"], ["COPY a c", "COPY a b", "COPY a b REPLACE", "COPY x y"],
             both("copy_to c", "copy_to b")),
    "copy_db": (["SET a 1 EX 100"], ["COPY a a DB 1", "COPY a a DB 1"],
                both("1:copy_to a")),
    "move": (["SET a 1"], ["MOVE a 1", "MOVE a 1", "SELECT 1", "MOVE a 0"],
             both("move_from a", "1:move_to a", "1:move_from a", "move_to a")),
    "move_exists": (["SET a 1", "SELECT 2", "SET a 2", "SELECT 0"], ["MOVE a 2"], []),
    "expire": (["SET a 1"], ["EXPIRE a 100", "PEXPIRE a 100000", "EXPIREAT a 99999999999",
                             "PEXPIREAT a 99999999999999"], both("expire a") * 4),
    "expire_options": (["SET a 1"], ["EXPIRE a 100 XX", "EXPIRE a 100 NX",
                                     "EXPIRE a 100 NX", "EXPIRE a 50 GT",
                                     "EXPIRE a 200 GT", "EXPIRE a 300 LT",
                                     "EXPIRE a 10 LT"],
                       both("expire a", "expire a", "expire a")),
    "expire_missing": ([], ["EXPIRE a 10", "PEXPIRE a 10", "PERSIST a"], []),
    "expire_past": (["MSET a 1 b 2 c 3 d 4"], ["EXPIRE a -1", "PEXPIRE b 0",
                                               "EXPIREAT c 1", "PEXPIREAT d 1000"],
                    both("del a", "del b", "del c", "del d")),
    "persist": (["SET a 1 EX 100", "SET b 1"], ["PERSIST a", "PERSIST a", "PERSIST b"],
                both("persist a")),
    "select_db": ([], ["SELECT 3", "SET a 1", "DEL a", "SELECT 15", "SET k v EX 5"],
                  both("3:set a", "3:del a", "15:set k", "15:expire k")),
    "swapdb": (["SET a 1", "SELECT 1", "SET b 2", "SELECT 0"],
               ["SWAPDB 0 1", "DEL b", "SELECT 1", "DEL a"], both("del b", "1:del a")),
    "flushdb_flushall": (["MSET a 1 b 2", "SELECT 1", "SET c 3 EX 100"],
                         ["FLUSHDB", "SELECT 0", "FLUSHALL", "SET x 1", "FLUSHDB ASYNC",
                          "FLUSHALL SYNC"], both("set x")),
    "reads_are_silent": (["SET a hello"], ["GET a", "MGET a b", "STRLEN a", "GETRANGE a 0 1",
                                           "EXISTS a", "TTL a", "TYPE a", "TOUCH a",
                                           "KEYS *", "DBSIZE", "GETEX a",
                                           "SUBSTR a 0 1", "LCS a a",
                                           "OBJECT ENCODING a", "RANDOMKEY"], []),
    "binary_key": ([], [("SET", b"k\x00\xff y", "v"), ("DEL", b"k\x00\xff y")], None),
    "errors_are_silent": (["SET a 1"], ["SET", "GETDEL", "RENAME a", "EXPIRE a abc",
                                        "EXPIRE a 10 FOO", "SETEX a -1 v", "MOVE a 0",
                                        "MOVE a 99", "COPY a a"], []),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_command_events(kn, case):
    setup, cmds, expected = CASES[case]
    n = kn("KEA")
    n.run(*setup)
    n.run("SELECT 0")
    n.raw_events()   # setup events: compared, then ignored
    n.run(*cmds)
    got = n.events()
    if expected is not None:
        assert got == expected, "redis sent %r" % (got,)


def test_incr_family_events(kn):
    n = kn("KEA")
    n.run("SET n 10", "INCR n", "DECR n", "INCRBY n 5", "DECRBY n 3", "INCR m")
    # Redis names the event 'incrby' for all four commands
    assert n.events() == both("set n", "incrby n", "incrby n", "incrby n", "incrby n",
                              "incrby m")


def test_expire_then_set_and_ttl_change_sequence(kn):
    n = kn("KEA")
    n.run("SET a 1", "EXPIRE a 100", "SET a 2", "PERSIST a", "SETEX a 10 x",
          "PERSIST a", "GETSET a y", "RENAME a b", "EXPIRE b 0")
    assert n.events() == both("set a", "expire a", "set a", "set a", "expire a",
                              "persist a", "set a", "rename_from a", "rename_to b",
                              "del b")


# --------------------------------------------------------------------------
# classes
# --------------------------------------------------------------------------

SCRIPT = ["SET a 1", "SET b 2 EX 100", "APPEND a x", "INCR c", "DEL b", "RENAME a d",
          "PERSIST d", "EXPIRE d 100", "PERSIST d", "GET missing", "EXPIRE d 0",
          "SET e 1 PX 1", Sleep(0.02), "GET e", "SELECT 1", "SET f 1", "SELECT 0"]


@pytest.mark.parametrize("flags", ["KEA", "K$", "E$", "Kg", "Eg", "Kx", "Ex", "KE",
                                   "g$x", "KEg", "KE$", "KEx", "KEn", "En", "Kn",
                                   "KEm", "Em", "KEAn", "KEAm", "KEAnm", "Ke", "KEl",
                                   "KElshzt", "K$x", "Eg$xe"])
def test_event_classes(kn, flags):
    n = kn(flags)
    n.run(*SCRIPT)
    got = n.events()
    if "K" not in flags and "E" not in flags:
        assert got == []
    if flags == "K$":
        assert got == ["K0 set a", "K0 set b", "K0 append a", "K0 incrby c", "K0 set e",
                       "K1 set f"]
    if flags == "Ex":
        assert got == ["E0 expired e"]


def test_new_events(kn):
    n = kn("KEn")
    n.run("SET a 1", "SET a 2", "MSET a 3 b 4", "INCR c", "INCR c", "APPEND d x",
          "SETRANGE e 0 y", "SETNX f 1", "GETSET g 1", "INCRBYFLOAT h 1",
          "SET i 1 EX 100", "PSETEX j 1000 v")
    got = n.events()
    assert got == both("new a", "new b", "new c", "new d", "new e", "new f", "new g",
                       "new h", "new i", "new j")
    n.run("RENAME a z", "COPY b y", "MOVE c 1", "MSETNX k 1 l 2", "SET a x GET")
    n.events()  # compared with redis


def test_new_and_set_order(kn):
    n = kn("KEA" + "n")
    n.run("SET a 1", "SET a 2")
    assert n.events() == both("new a", "set a", "set a")


def test_keymiss_events(kn):
    n = kn("KEm")
    n.run("GET missing", "MGET a missing2", "SET a 1", "GET a", "GETDEL nope",
          "GETEX nope2", "STRLEN nope3", "GETRANGE nope4 0 1", "EXISTS nope5",
          "TTL nope6", "TYPE nope7", "APPEND newkey x", "INCR newint",
          "GETSET nope8 v", "SET nope9 v GET", "LCS a nope10", "SUBSTR nope11 0 1")
    got = n.events()
    assert got[:2] == ["K0 keymiss missing", "E0 keymiss missing"]


# --------------------------------------------------------------------------
# expiry
# --------------------------------------------------------------------------

def test_expired_lazy_on_get(kn):
    n = kn("KEA")
    n.run("SET k v PX 20", "SET other v")
    n.raw_events()
    time.sleep(0.06)
    n.run("GET k")    # expired here at the latest (lazily if not yet actively)
    assert n.events() == both("expired k")
    n.run("GET k")
    assert n.events() == []


@pytest.mark.parametrize("cmd, expected", [
    ("SET k new", both("expired k", "set k")),
    ("APPEND k x", both("expired k", "append k")),
    ("INCR k", both("expired k", "incrby k")),
    ("DEL k", both("expired k")),
    ("SETNX k 1", both("expired k", "set k")),
    ("GETSET k 1", both("expired k", "set k")),
    ("EXPIRE k 100", both("expired k")),
    ("RENAME k x", both("expired k")),
    ("SETRANGE k 0 y", both("expired k", "setrange k")),
])
def test_expired_before_write_command(kn, cmd, expected):
    """One key at a time: whether the key is removed by the active cycle
    during the sleep or lazily by the command, 'expired' comes before the
    command's own events."""
    n = kn("KEA")
    n.run("SET k 1 PX 20")
    n.raw_events()
    time.sleep(0.05)
    n.run(cmd)
    assert n.events() == expected


def test_expired_active(kn):
    n = kn("KEA")
    n.run("SET k1 v PX 30", "SET k2 v PX 30", "SELECT 5", "SET k3 v PX 30", "SELECT 0")
    n.raw_events()
    wait_dbsize_zero(n)
    for conn in (n.c.fk, n.c.rd):
        conn.send_command("SELECT 5")
        conn.read_reply()
    wait_dbsize_zero(n)
    for conn in (n.c.fk, n.c.rd):
        conn.send_command("SELECT 0")
        conn.read_reply()
    # active expiry order inside one db follows the hash table: compare
    # as a multiset; keyspace then keyevent frame for each key
    fk, rd = (parse_events([node for _raw, node in frames])
              for frames in frames_to_pong(n.sub))
    assert sorted(fk) == sorted(rd) == sorted(both("expired k1", "expired k2",
                                                   "5:expired k3")), (fk, rd)
    for ev in (fk, rd):
        for i in range(0, len(ev), 2):
            assert ev[i][0] == "K" and ev[i + 1] == "E" + ev[i][1:], ev


def test_expired_only_class(kn):
    n = kn("Ex")
    n.run("SET k v PX 10", "SET j v EX 100", "DEL j")
    time.sleep(0.05)
    n.run("GET k")
    assert n.events() == ["E0 expired k"]


# --------------------------------------------------------------------------
# subscriber variants
# --------------------------------------------------------------------------

def test_resp3_subscriber(kn):
    n = kn("KEA", resp3_sub=True)
    n.run("SET a 1", "DEL a", "SET b 1 EX 100")
    frames = n.raw_events()
    assert all(f.t == ">" for f in frames)
    assert parse_events(frames) == both("set a", "del a", "set b", "expire b")


def test_channel_subscriber_exact_channels(compat, kn):
    n = kn("KEA")
    ch = compat.twin("chsub")
    try:
        ch.send("SUBSCRIBE __keyevent@0__:set __keyspace@0__:a __keyevent@1__:del")
        for _ in range(3):
            ch.rd.read_reply()
            ch.fk.read_reply()
        n.run("SET a 1", "SET b 1", "DEL a", "SELECT 1", "SET a 1", "DEL a", "SELECT 0")
        ch.send("PING")
        for who, conn in (("redis", ch.rd), ("fastkv", ch.fk)):
            got = []
            while True:
                raw, node = conn.read_reply()
                if _is_pong(node):
                    break
                got.append(to_py(node))
            assert got == [
                [b"message", b"__keyspace@0__:a", b"set"],
                [b"message", b"__keyevent@0__:set", b"a"],
                [b"message", b"__keyevent@0__:set", b"b"],
                [b"message", b"__keyspace@0__:a", b"del"],
                [b"message", b"__keyevent@1__:del", b"a"],
            ], who
    finally:
        ch.close()


def test_client_sees_own_events_resp3(kn):
    """The client that runs the commands can itself be a RESP3 subscriber
    and receives the events before its command's reply."""
    n = kn("KEA")
    c = n.c
    c.call("HELLO 3", mode="shape")
    c.call(("PSUBSCRIBE", "__keyevent@0__:*"))
    c.send("SET self 1")
    fk, rd = c.read_nodes(2)   # push, then +OK
    assert [raw for raw, _ in fk] == [raw for raw, _ in rd]
    assert rd[1][0] == b"+OK\r\n"
    c.call("PUNSUBSCRIBE")
    n.events()
