"""Compat tests of the list commands (Redis 7.0's t_list.c): every reply
byte for byte against a real redis-server, including errors and their
order (argument parsing before or after the key lookup), negative and
out-of-range indexes, empty results, counts of 0 and negative counts,
WRONGTYPE, RESP3 null shapes, OBJECT ENCODING, keyspace events and a
randomised run of mixed commands."""
import random

import pytest

from kvtest import Unordered
from test_notify import Notify, TIMEOUT

pytestmark = pytest.mark.compat


def test_push_pop_basics(compat):
    compat.check(
        "LPUSH l a", "LPUSH l b c", "RPUSH l d e 1 -2 3.5 00 18446744073709551616",
        "LRANGE l 0 -1", "LLEN l", "LPOP l", "RPOP l", "LRANGE l 0 -1",
        "LPUSHX l x", "RPUSHX l y", "LPUSHX missing x", "RPUSHX missing x y", "EXISTS missing",
        "LPOP l 0", "LPOP l 1", "LPOP l 3", "RPOP l 2", "LPOP l 100", "EXISTS l",
        "LPOP l", "RPOP l", "LPOP l 2", "RPOP l 0", "LLEN l",
        "LPOP l -1", "RPOP l abc", "LPOP l 1 2", "LPOP", "RPUSH l",
        "RPUSH l a", "LPOP l -1", "LPOP l abc", "LPOP l 1 2", "RPOP l 9223372036854775807",
        "TYPE l", "OBJECT ENCODING l",
    )


def test_pop_resp3_nulls(compat):
    compat.check("LPOP m", "LPOP m 2", "RPOP m 0", "LINDEX m 0", "LPOS m x", "LPOS m x COUNT 0",
                 "LMPOP 1 m LEFT", "LMOVE m n LEFT RIGHT", "RPUSH l a b c", "LPOP l 2", "RPOP l",
                 "BLPOP m 0.01", "BLMPOP 0.01 1 m LEFT", "BLMOVE m n LEFT LEFT 0.01",
                 resp3=True)


def test_lrange_indexes(compat):
    cmds = ["RPUSH l " + " ".join(str(i) for i in range(10))]
    for start, end in [(0, -1), (0, 0), (-1, -1), (-100, 100), (5, 2), (2, 5), (-3, -1), (9, 9),
                       (10, 20), (-20, -11), (-11, -10), (3, -8), (0, 9223372036854775807),
                       (-9223372036854775808, 9223372036854775807)]:
        cmds.append("LRANGE l %d %d" % (start, end))
    cmds += ["LRANGE l a 1", "LRANGE l 0 b", "LRANGE missing 0 -1", "LRANGE missing x 1",
             "LRANGE l 1.5 2", "LRANGE l 0 99999999999999999999"]
    compat.check(*cmds)


def test_lindex_lset(compat):
    compat.check(
        "RPUSH l a b c 12 -7", "LINDEX l 0", "LINDEX l -1", "LINDEX l 3", "LINDEX l 4", "LINDEX l 5",
        "LINDEX l -5", "LINDEX l -6", "LINDEX l x", "LINDEX missing x", "LINDEX missing 0",
        "LSET l 0 A", "LSET l -1 999", "LSET l 5 z", "LSET l -6 z", "LSET l x z", "LSET missing 0 z",
        "LSET missing x z", "LRANGE l 0 -1", "LSET l 2 " + "x" * 300, "LRANGE l 0 -1",
    )


def test_linsert(compat):
    compat.check(
        "RPUSH l a b c b", "LINSERT l BEFORE b X", "LINSERT l after b Y", "LINSERT l AFTER c Z",
        "LINSERT l BEFORE a 0", "LINSERT l before nope q", "LINSERT l middle a q",
        "LINSERT missing BEFORE a q", "LINSERT missing middle a q", "EXISTS missing",
        "RPUSH n 1 2 3", "LINSERT n AFTER 2 4", "LINSERT n AFTER 02 4", "LRANGE n 0 -1",
        "LRANGE l 0 -1",
    )


def test_lrem(compat):
    compat.check(
        "RPUSH l a b a c a b a", "LREM l 2 a", "LRANGE l 0 -1", "LREM l -1 a", "LRANGE l 0 -1",
        "LREM l 0 b", "LRANGE l 0 -1", "LREM l 0 zz", "LREM l x a", "LREM missing 0 a",
        "LREM missing x a", "RPUSH n 1 1 01 1", "LREM n 0 1", "LRANGE n 0 -1", "LREM n 0 01",
        "EXISTS n", "LREM l -100 a", "LREM l 100 c", "EXISTS l",
    )


def test_ltrim(compat):
    cmds = []
    for start, end in [(0, -1), (1, -2), (2, 1), (-3, -1), (0, 0), (5, 100), (-100, 100),
                       (100, 200), (-1, -1)]:
        cmds += ["DEL l", "RPUSH l 0 1 2 3 4 5 6 7", "LTRIM l %d %d" % (start, end),
                 "LRANGE l 0 -1", "EXISTS l"]
    cmds += ["LTRIM missing 0 1", "LTRIM missing a b", "LTRIM l a 1", "LTRIM l 0 b"]
    compat.check(*cmds)


def test_lpos(compat):
    compat.check(
        "RPUSH l a b c 1 2 3 c c", "LPOS l c", "LPOS l c RANK 2", "LPOS l c RANK -1",
        "LPOS l c RANK -3", "LPOS l c RANK 4", "LPOS l c COUNT 0", "LPOS l c COUNT 2",
        "LPOS l c COUNT 2 RANK 2", "LPOS l c RANK -1 COUNT 0", "LPOS l c MAXLEN 3",
        "LPOS l c MAXLEN 3 COUNT 0", "LPOS l c MAXLEN 0", "LPOS l 1", "LPOS l 01", "LPOS l x",
        "LPOS l x COUNT 5", "LPOS l c RANK 0", "LPOS l c COUNT -1", "LPOS l c MAXLEN -1",
        "LPOS l c RANK x", "LPOS l c COUNT x", "LPOS l c MAXLEN x", "LPOS l c FOO 1",
        "LPOS l c RANK", "LPOS l c COUNT", "LPOS missing c", "LPOS missing c COUNT 1",
        "LPOS missing c RANK 0", "LPOS l c RANK -9223372036854775808",
        "LPOS l c RANK 9223372036854775807", "LPOS l c RANK -9223372036854775807",
        "LPOS l c rank 1 count 1 maxlen 8",
    )


def test_lmove_rpoplpush(compat):
    cmds = ["RPUSH src 1 2 3 4 5"]
    for a in ("LEFT", "RIGHT"):
        for b in ("LEFT", "RIGHT"):
            cmds += ["LMOVE src dst %s %s" % (a, b), "LRANGE src 0 -1", "LRANGE dst 0 -1"]
    cmds += ["LMOVE src dst left right", "LMOVE src dst UP LEFT", "LMOVE src dst LEFT DOWN",
             "LMOVE missing dst LEFT LEFT", "LMOVE missing dst UP LEFT", "EXISTS src",
             "RPUSH one x", "LMOVE one one LEFT RIGHT", "LRANGE one 0 -1",
             "RPUSH rot a b c", "LMOVE rot rot LEFT RIGHT", "LRANGE rot 0 -1",
             "RPOPLPUSH rot rot", "LRANGE rot 0 -1", "RPOPLPUSH rot other", "RPOPLPUSH missing other",
             "SET str v", "LMOVE str dst LEFT LEFT", "LMOVE rot str LEFT LEFT", "LRANGE rot 0 -1",
             "RPOPLPUSH rot str", "LMOVE missing str LEFT LEFT",
             "RPUSH last z", "RPOPLPUSH last newdst", "EXISTS last", "LRANGE newdst 0 -1"]
    compat.check(*cmds)


def test_lmpop(compat):
    compat.check(
        "LMPOP 2 a b LEFT", "RPUSH b 1 2 3 4", "LMPOP 2 a b LEFT", "LMPOP 2 a b RIGHT COUNT 2",
        "LMPOP 2 a b left count 10", "EXISTS b", "RPUSH a x y", "LMPOP 1 a RIGHT COUNT 1",
        "LMPOP 0 a LEFT", "LMPOP -1 a LEFT", "LMPOP x a LEFT", "LMPOP 3 a LEFT", "LMPOP 1 a",
        "LMPOP 1 a UP", "LMPOP 1 a LEFT COUNT 0", "LMPOP 1 a LEFT COUNT -1", "LMPOP 1 a LEFT COUNT x",
        "LMPOP 1 a LEFT COUNT", "LMPOP 1 a LEFT COUNT 1 COUNT 1", "LMPOP 1 a LEFT FOO",
        "LMPOP 9223372036854775807 a LEFT", "SET s v", "LMPOP 2 s a LEFT", "LMPOP 2 a s LEFT",
        "LMPOP 2 missing s LEFT",
    )


def test_blocking_immediate_and_errors(compat):
    compat.check(
        "RPUSH a 1 2 3", "BLPOP a 0", "BRPOP a 0", "BLPOP missing a 0", "BRPOP a 0.001",
        "BLPOP a -1", "BLPOP a x", "BLPOP a 1e400", "BLPOP a 0.0001", "BLPOP missing 0.01",
        "RPUSH b 1 2 3", "BLMPOP 0 2 a b LEFT COUNT 2", "BLMPOP 0 1 b RIGHT", "EXISTS b",
        "BLMPOP -1 1 b LEFT", "BLMPOP x 1 b LEFT", "BLMPOP 0 0 b LEFT", "BLMPOP 0 1 b UP",
        "BLMPOP 0.01 1 b LEFT COUNT 0", "BLMPOP 0.01 1 b LEFT",
        "RPUSH c 1 2", "BLMOVE c d LEFT RIGHT 0", "BLMOVE c d UP RIGHT 0", "BLMOVE c d LEFT RIGHT -1",
        "BLMOVE c d LEFT RIGHT x", "BRPOPLPUSH c d 0", "EXISTS c", "BRPOPLPUSH c d -1",
        "BRPOPLPUSH c d 0.01", "BLMOVE c d RIGHT RIGHT 0.01", "LRANGE d 0 -1",
        "SET s v", "BLPOP s 0", "BLPOP missing s 0", "BLMOVE s d LEFT LEFT 0",
        "BLMOVE d s LEFT LEFT 0", "BLMPOP 0 1 s LEFT", "BRPOPLPUSH s d 0",
    )


def test_blocking_inside_multi(compat):
    compat.check(
        "MULTI", "BLPOP missing 0", "BRPOP missing 1", "BLMOVE missing d LEFT LEFT 0",
        "BRPOPLPUSH missing d 0", "BLMPOP 0 1 missing LEFT", "RPUSH a 1", "BLPOP a 0", "EXEC",
    )
    compat.check(
        "MULTI", "BLPOP missing 0", "BLMOVE missing d LEFT LEFT 0", "BLMPOP 0 1 missing LEFT", "EXEC",
        resp3=True,
    )


WRONGTYPE_CMDS = [
    "LPUSH s a", "RPUSH s a", "LPUSHX s a", "RPUSHX s a", "LPOP s", "RPOP s", "LPOP s 2",
    "LLEN s", "LRANGE s 0 -1", "LINDEX s 0", "LSET s 0 a", "LINSERT s BEFORE a b", "LREM s 0 a",
    "LTRIM s 0 1", "LPOS s a", "LMOVE s d LEFT LEFT", "RPOPLPUSH s d", "LMPOP 1 s LEFT",
]


def test_wrongtype(compat):
    compat.check("SET s v", *WRONGTYPE_CMDS, "GET s", "RPUSH l a", "GET l", "INCR l",
                 "APPEND l x", "SETRANGE l 0 x", "STRLEN l", "GETDEL l", "LLEN l")


def test_encoding_and_config(compat):
    compat.check(
        "CONFIG SET list-max-listpack-size 4", "CONFIG SET list-compress-depth 1",
        "RPUSH l " + " ".join("e%d" % i for i in range(40)), "OBJECT ENCODING l", "LRANGE l 0 -1",
        "LINSERT l BEFORE e17 mid", "LRANGE l 10 25", "LSET l 20 " + "q" * 100, "LINDEX l 20",
        "LREM l 0 e30", "LTRIM l 3 -4", "LRANGE l 0 -1", "LPOS l e20",
        "CONFIG SET list-max-ziplist-size -2", "CONFIG GET list-max-listpack-size",
        "CONFIG SET list-compress-depth 0", "CONFIG GET list-compress-depth",
    )


def test_big_elements(compat):
    big = "B" * 9000
    compat.check(
        "RPUSH l a %s b" % big, "LRANGE l 0 -1", "LINSERT l AFTER a %s" % big, "LLEN l",
        "LRANGE l 0 -1", "LSET l 0 %s" % big, "LREM l 0 %s" % big, "LRANGE l 0 -1",
    )


def test_copy_rename_type(compat):
    compat.check(
        "RPUSH l a b c", "COPY l l2", "LRANGE l2 0 -1", "RENAME l l3", "LRANGE l3 0 -1",
        "TYPE l3", "OBJECT ENCODING l2", "EXISTS l", Unordered("SCAN 0 TYPE list"),
        "MOVE l2 1", "SELECT 1", "LRANGE l2 0 -1", "SELECT 0", "DEL l2 l3", "DBSIZE",
    )


# -- a randomised run of mixed list commands -------------------------------

def _random_cmds(rng, n):
    keys = ["k1", "k2", "k3"]
    vals = ["a", "b", "c", "1", "2", "-3", "x" * 70, "0", "yy"]
    cmds = []
    for _ in range(n):
        k = rng.choice(keys)
        v = rng.choice(vals)
        i = rng.randint(-8, 8)
        j = rng.randint(-8, 8)
        cmds.append(rng.choice([
            "LPUSH %s %s %s" % (k, v, rng.choice(vals)), "RPUSH %s %s" % (k, v),
            "LPOP %s" % k, "RPOP %s %d" % (k, rng.randint(0, 3)), "LRANGE %s %d %d" % (k, i, j),
            "LINDEX %s %d" % (k, i), "LSET %s %d %s" % (k, i, v),
            "LINSERT %s %s %s %s" % (k, rng.choice(["BEFORE", "AFTER"]), v, rng.choice(vals)),
            "LREM %s %d %s" % (k, rng.randint(-2, 2), v), "LTRIM %s %d %d" % (k, i, j),
            "LPOS %s %s RANK %d COUNT %d" % (k, v, rng.choice([1, -1, 2]), rng.randint(0, 2)),
            "LMOVE %s %s %s %s" % (k, rng.choice(keys), rng.choice(["LEFT", "RIGHT"]),
                                   rng.choice(["LEFT", "RIGHT"])),
            "LMPOP 2 %s %s %s COUNT %d" % (k, rng.choice(keys), rng.choice(["LEFT", "RIGHT"]),
                                          rng.randint(1, 3)),
            "LLEN %s" % k,
        ]))
    return cmds


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_mixed(compat, seed):
    rng = random.Random(seed)
    with compat.session() as s:
        s.check("CONFIG SET list-max-listpack-size %d" % rng.choice([2, 3, -1]),
                "CONFIG SET list-compress-depth %d" % rng.choice([0, 1, 2]))
        try:
            s.check(*_random_cmds(rng, 400))
            s.check("LRANGE k1 0 -1", "LRANGE k2 0 -1", "LRANGE k3 0 -1")
        finally:
            s.check("CONFIG SET list-max-listpack-size -2", "CONFIG SET list-compress-depth 0")


# -- keyspace events --------------------------------------------------------

@pytest.fixture
def kn(compat):
    made = []

    def make(flags="KEA"):
        n = Notify(compat)
        made.append(n)
        n.flags(flags)
        return n

    yield make
    for n in made:
        n.close()
    for srv in (compat.fk_server, compat.rd_server):
        with srv.raw(TIMEOUT) as c:
            assert c.call_raw("CONFIG", "SET", "notify-keyspace-events", "") == b"+OK\r\n"


EVENT_CASES = [
    ["LPUSH l a b", "RPUSH l c", "LPUSHX l d", "RPUSHX l e", "LPUSHX nope x"],
    ["RPUSH l a b c", "LPOP l", "RPOP l", "LPOP l"],
    ["RPUSH l a b c", "LPOP l 0", "LPOP l 2", "RPOP l 5", "LPOP l 1"],
    ["RPUSH l a b c", "LSET l 0 x", "LSET l 9 x", "LINSERT l BEFORE b y", "LINSERT l AFTER nope z"],
    ["RPUSH l a b a", "LREM l 0 nope", "LREM l 1 a", "LREM l 0 a", "LREM l 0 b"],
    ["RPUSH l a b c", "LTRIM l 0 -1", "LTRIM l 1 1", "LTRIM l 5 6", "LTRIM l 0 1"],
    ["RPUSH s 1 2", "LMOVE s d LEFT RIGHT", "LMOVE s d RIGHT LEFT", "RPOPLPUSH d d", "RPOPLPUSH d e"],
    ["RPUSH a 1 2 3", "LMPOP 2 x a LEFT COUNT 2", "LMPOP 1 a RIGHT COUNT 5"],
    ["RPUSH a 1 2", "BLPOP a 0", "BRPOP a 0", "RPUSH b 1", "BLMOVE b c LEFT LEFT 0",
     "BRPOPLPUSH c d 0", "RPUSH m 1 2", "BLMPOP 0 1 m RIGHT COUNT 9"],
    ["CONFIG SET notify-keyspace-events KEl", "RPUSH a 1", "LPOP a", "RPUSH b 1 2", "LTRIM b 2 3"],
    ["CONFIG SET notify-keyspace-events KEgn", "RPUSH a 1", "LPOP a", "RPUSH b 1", "LMOVE b c LEFT LEFT"],
]


@pytest.mark.parametrize("case", range(len(EVENT_CASES)))
def test_list_events(kn, case):
    n = kn("KEA")
    n.run(*EVENT_CASES[case])
    n.events()   # compared byte for byte between the two servers


def _wait_blocked_both(twin, n, timeout=5.0):
    import time as _t
    deadline = _t.monotonic() + timeout
    for conn in (twin.fk, twin.rd):
        while True:
            conn.send_command("INFO", "clients")
            from kvtest import to_py
            text = to_py(conn.read_reply()[1]).decode()
            got = int(text.split("blocked_clients:")[1].split("\r\n")[0])
            if got == n:
                break
            assert _t.monotonic() < deadline
            _t.sleep(0.01)


@pytest.mark.parametrize("wait_cmd,push_cmds", [
    ("BLPOP q 0", ["RPUSH q a"]),
    ("BRPOP q 0", ["RPUSH q a b"]),
    ("BLMOVE q d RIGHT LEFT 0", ["LPUSH q a"]),
    ("BRPOPLPUSH q d 0", ["MULTI", "RPUSH q a", "RPUSH q b", "EXEC"]),
    ("BLMPOP 0 2 x q LEFT COUNT 3", ["RPUSH q a b"]),
])
def test_events_of_served_waiters(kn, compat, wait_cmd, push_cmds):
    n = kn("KEA")
    w = compat.twin("waiter")
    try:
        w.send(wait_cmd)
        _wait_blocked_both(n.c, 1)
        n.run(*push_cmds)
        w.read_one()
        n.c.call("LRANGE d 0 -1")
        n.events()
    finally:
        w.close()


def test_debug_object_quicklist_fields(compat_pair):
    pair = compat_pair("--enable-debug-command", "yes", "--list-max-listpack-size", "5",
                       "--list-compress-depth", "1")
    with pair.session() as s:
        s.check("RPUSH l " + " ".join("value-%d" % i for i in range(23)), "LINSERT l AFTER value-7 x",
                "LPOP l")
        (fraw, _), (rraw, _) = s.send_both("DEBUG OBJECT l")

        def ql(raw):
            return [kv for kv in raw.decode().strip().split(" ") if kv.startswith("ql_")]
        assert ql(fraw) == ql(rraw) and len(ql(rraw)) == 5, (fraw, rraw)
