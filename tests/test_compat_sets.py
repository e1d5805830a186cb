"""Compat tests for the set commands (SADD ... SSCAN): fastkv's replies must
equal a real redis-server 7.0's byte for byte.

Intset-encoded sets iterate in sorted order on both servers, so their
SMEMBERS/SUNION/SSCAN replies are compared exactly; hashtable-encoded ones
iterate in hash order (seeded per process), compared ``Unordered``.
Random picks (SPOP, SRANDMEMBER) are never compared with Redis's values:
their reply shapes are, and their properties (members of the set, distinct
for positive counts, repeats allowed for negative ones, what is left in the
set after SPOP) are checked on both servers alike.
"""
import random

import pytest

from kvtest import Shape, TypeOnly, Unordered, NoCompare, to_py
from test_notify import kn  # noqa: F401  (fixture)

pytestmark = pytest.mark.compat


@pytest.fixture
def set_config(compat):
    """CONFIG SET set-max-intset-entries inside a test; restored after."""
    yield
    for srv in (compat.fk_server, compat.rd_server):
        with srv.raw() as c:
            assert c.call_raw("CONFIG", "SET", "set-max-intset-entries", "512") == b"+OK\r\n"


def U(cmd):
    return Unordered(cmd)


# --------------------------------------------------------------------------
# SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS
# --------------------------------------------------------------------------

def test_sadd_srem_basic_intset(compat):
    compat.check(
        "SADD s 3 1 2", "SADD s 2 3 4", "SADD s 4", "SMEMBERS s", "SCARD s",
        "OBJECT ENCODING s", "TYPE s",
        "SISMEMBER s 1", "SISMEMBER s 5", "SISMEMBER s x", "SISMEMBER s 01",
        "SMISMEMBER s 1 5 x 4 4", "SMISMEMBER missing a b",
        "SREM s 1 9 x", "SREM s 1", "SMEMBERS s",
        "SREM s 2 3 4 5", "EXISTS s", "SCARD s", "SMEMBERS s", "SREM missing a",
        "SISMEMBER missing a", "SCARD missing",
        "SADD n -5 -32768 32767 -32769 32768 2147483647 -2147483648 2147483648 -2147483649",
        "SADD n 9223372036854775807 -9223372036854775808 0", "SMEMBERS n", "OBJECT ENCODING n",
        "SREM n -9223372036854775808 32767", "SMEMBERS n", "SCARD n",
    )


def test_sadd_hashtable(compat):
    compat.check(
        "SADD h a b c", "OBJECT ENCODING h", U("SMEMBERS h"), "SADD h a d 1", "SCARD h",
        "SISMEMBER h 1", "SISMEMBER h a", "SISMEMBER h z", "SMISMEMBER h a z 1",
        "SREM h a 1 zz", U("SMEMBERS h"), "SREM h b c d", "EXISTS h",
        ("SADD", "bin", b"\x00\xff", b"", b"a b", b"\r\n"), U("SMEMBERS bin"),
        ("SISMEMBER", "bin", b""), ("SREM", "bin", b"", b"\x00\xff"), U("SMEMBERS bin"),
    )


def test_integer_like_members_are_strings(compat):
    # not integers for Redis's string2ll: they force the hashtable encoding
    for m in ["01", "-0", "+1", " 1", "1 ", "1.0", "0x10", "9223372036854775808",
              "-9223372036854775809", "1e3", ""]:
        compat.check(("SADD", "s", "1", "2"), "OBJECT ENCODING s", ("SADD", "s", m),
                     "OBJECT ENCODING s", ("SISMEMBER", "s", m), ("SISMEMBER", "s", "1"),
                     U("SMEMBERS s"), ("SREM", "s", m), "OBJECT ENCODING s")
    compat.check("SADD s -0", "OBJECT ENCODING s", "SADD t 0", "SISMEMBER t -0",
                 "SISMEMBER t 00", "SREM t -0", "SCARD t")


def test_encoding_thresholds(compat, set_config):
    with compat.session() as s:
        s.check("CONFIG SET set-max-intset-entries 4",
                "SADD s 1 2 3 4", "OBJECT ENCODING s",
                "SADD s 5", "OBJECT ENCODING s", U("SMEMBERS s"),
                "SREM s 1 2 3 4", "OBJECT ENCODING s",      # never converts back
                "SADD t 1 2 3 4 5", "OBJECT ENCODING t",     # at creation
                "SADD u 4 3 2 1 1 2", "OBJECT ENCODING u", "SMEMBERS u",
                "SADD u 4", "OBJECT ENCODING u",
                "CONFIG SET set-max-intset-entries 0",
                "SADD z 1", "OBJECT ENCODING z",
                "CONFIG SET set-max-intset-entries 1",
                "SADD o 7", "OBJECT ENCODING o", "SADD o 8", "OBJECT ENCODING o",
                "CONFIG SET set-max-intset-entries 512")
        big = tuple(str(i) for i in range(512))
        s.check(("SADD", "b") + big, "OBJECT ENCODING b", "SCARD b",
                "SADD b 512", "OBJECT ENCODING b", "SCARD b",
                ("SADD", "c") + big + ("512",), "OBJECT ENCODING c")


def test_large_intset_ops(compat):
    rng = random.Random(7)
    vals = [rng.randint(-2**63, 2**63 - 1) for _ in range(200)] + \
           [rng.randint(-40000, 40000) for _ in range(200)]
    with compat.session() as s:
        for i in range(0, len(vals), 37):
            s.check(("SADD", "s") + tuple(str(v) for v in vals[i:i + 37]))
        s.check("SMEMBERS s", "SCARD s", "OBJECT ENCODING s")
        for v in vals[::3]:
            s.check(("SREM", "s", str(v)), ("SISMEMBER", "s", str(v)))
        s.check("SMEMBERS s", "SCARD s", "OBJECT ENCODING s")


# --------------------------------------------------------------------------
# WRONGTYPE and arity
# --------------------------------------------------------------------------

WRONGTYPE_CMDS = [
    "SADD str a", "SREM str a", "SCARD str", "SISMEMBER str a", "SMISMEMBER str a",
    "SMEMBERS str", "SPOP str", "SPOP str 2", "SPOP str 0", "SRANDMEMBER str",
    "SRANDMEMBER str 2", "SRANDMEMBER str -2", "SRANDMEMBER str 0",
    "SMOVE str s 1", "SMOVE s str 1", "SMOVE missing str 1", "SMOVE str missing 1",
    "SMOVE s str 99",
    "SINTER str", "SINTER s str", "SINTER str s", "SINTER missing str", "SINTER s missing str",
    "SINTERCARD 2 s str", "SINTERCARD 2 missing str", "SINTERCARD 1 str LIMIT 1",
    "SINTERSTORE d str", "SINTERSTORE d s str", "SINTERSTORE d missing str",
    "SINTERSTORE str s", "SINTERSTORE str s missing",
    "SUNION str", "SUNION s missing str", "SUNIONSTORE d s str", "SUNIONSTORE str s",
    "SDIFF str", "SDIFF s str", "SDIFF missing str", "SDIFF s s str", "SDIFFSTORE d s str",
    "SDIFFSTORE str s", "SDIFFSTORE str missing",
    "SSCAN str 0", "SSCAN str x", "SSCAN str 0 COUNT 0",
]


def test_wrongtype_everywhere(compat):
    with compat.session() as s:
        for cmd in WRONGTYPE_CMDS:
            s.check("FLUSHALL", "SET str v", "SADD s 1 2", cmd, "TYPE str", "TYPE d",
                    "SMEMBERS s", "GET str")


def test_arity_and_syntax(compat):
    compat.check("SADD s", "SADD", "SREM s", "SCARD", "SCARD a b", "SISMEMBER s",
                 "SMISMEMBER s", "SMEMBERS", "SMEMBERS a b", "SPOP", "SPOP s 1 2",
                 "SADD s 1", "SPOP s 1 2", "SRANDMEMBER", "SRANDMEMBER s 1 2",
                 "SMOVE a b", "SINTER", "SINTERSTORE d", "SUNION", "SDIFF", "SINTERCARD",
                 "SINTERCARD 1", "SSCAN s", "SMISMEMBER")


# --------------------------------------------------------------------------
# SPOP SRANDMEMBER
# --------------------------------------------------------------------------

def _call(conn, *args):
    conn.send_command(*args)
    return to_py(conn.read_reply()[1])


def test_spop_srandmember_errors_and_empty(compat):
    compat.check(
        "SPOP missing", "SPOP missing 0", "SPOP missing 3", "SPOP missing -1",
        "SPOP missing x", "SRANDMEMBER missing", "SRANDMEMBER missing 0",
        "SRANDMEMBER missing 5", "SRANDMEMBER missing -5",
        "SADD s 1 2 3",
        "SPOP s -1", "SPOP s x", "SPOP s 1.5", "SPOP s 0", "SPOP s -9223372036854775808",
        "SPOP s 9223372036854775808",
        "SRANDMEMBER s 0", "SRANDMEMBER s x", "SRANDMEMBER s -9223372036854775808",
        "SRANDMEMBER s 9223372036854775807",
        "SRANDMEMBER s 3", "SRANDMEMBER s 4", "SRANDMEMBER s 100",
        "SCARD s",
    )
    compat.check("SADD h a b c", U("SRANDMEMBER h 3"), U("SRANDMEMBER h 10"),
                 U("SPOP h 3"), "EXISTS h",
                 "SADD h a b c", U("SPOP h 4"), "EXISTS h", "SADD i 1 2", "SPOP i 2", "EXISTS i")


@pytest.mark.parametrize("kind", ["intset", "hashtable"])
@pytest.mark.parametrize("size,count", [(1, 1), (5, 1), (10, 3), (10, 9), (10, 10), (10, 11),
                                        (20, 16), (20, 17), (100, 99), (100, 30), (60, 55)])
def test_spop_count_properties(compat, kind, size, count):
    members = [str(i) if kind == "intset" else "m%d" % i for i in range(size)]
    for conn in (compat.fk_server, compat.rd_server):
        with conn.raw() as c:
            _call(c, "FLUSHALL")
            _call(c, "SADD", "s", *members)
            popped = _call(c, "SPOP", "s", str(count))
            assert len(popped) == min(count, size)
            assert len(set(popped)) == len(popped)
            assert set(popped) <= {m.encode() for m in members}
            left = set(_call(c, "SMEMBERS", "s"))
            assert left | set(popped) == {m.encode() for m in members}
            assert not (left & set(popped))
            assert _call(c, "EXISTS", "s") == (1 if left else 0)
            if left:
                enc = _call(c, "OBJECT", "ENCODING", "s")
                if kind == "hashtable":
                    assert enc == b"hashtable"
            one = _call(c, "SPOP", "s")
            if left:
                assert one in left
            else:
                assert one is None


@pytest.mark.parametrize("kind", ["intset", "hashtable"])
@pytest.mark.parametrize("size,count", [(1, 1), (5, 1), (10, 2), (10, 3), (10, 4), (10, 9),
                                        (10, 10), (10, 20), (100, 5), (100, 40), (100, -5),
                                        (3, -10), (1, -3)])
def test_srandmember_properties(compat, kind, size, count):
    members = {(str(i) if kind == "intset" else "m%d" % i).encode() for i in range(size)}
    for conn in (compat.fk_server, compat.rd_server):
        with conn.raw() as c:
            _call(c, "FLUSHALL")
            _call(c, "SADD", "s", *members)
            for _ in range(5):
                got = _call(c, "SRANDMEMBER", "s", str(count))
                if count >= 0:
                    assert len(got) == min(count, size)
                    assert len(set(got)) == len(got)
                else:
                    assert len(got) == -count
                assert set(got) <= members
                assert _call(c, "SRANDMEMBER", "s") in members
            assert _call(c, "SCARD", "s") == size


def test_srandmember_negative_repeats(r):
    r.delete("s")
    r.sadd("s", "a", "b")
    got = r.srandmember("s", -200)
    assert len(got) == 200 and set(got) == {b"a", b"b"}
    r.sadd("i", 1, 2)
    got = r.srandmember("i", -200)
    assert set(got) == {b"1", b"2"}
    # every member comes out sometimes (both encodings)
    r.sadd("big", *range(50))
    seen = set()
    for _ in range(40):
        seen.update(r.srandmember("big", 10))
    assert len(seen) == 50


def test_spop_case3_keeps_ttl_and_encoding(compat):
    compat.check("SADD s 1 2 3 4 5 6 7 8 9 10", "EXPIRE s 100", NoCompare("SPOP s 9"),
                 "SCARD s", "TTL s", "OBJECT ENCODING s",
                 "SADD h a b c d e f g h i j", "EXPIRE h 100", NoCompare("SPOP h 9"),
                 "SCARD h", "TTL h", "OBJECT ENCODING h")


# --------------------------------------------------------------------------
# SMOVE
# --------------------------------------------------------------------------

def test_smove(compat):
    compat.check(
        "SADD a 1 2 3", "SADD b x",
        "SMOVE a b 1", "SMEMBERS a", U("SMEMBERS b"), "OBJECT ENCODING b",
        "SMOVE a b 9", "SMOVE a a 2", "SMOVE a a 9", "SMOVE missing b 1",
        "SMOVE a c 2", "SMEMBERS c", "OBJECT ENCODING c",
        "SMOVE a d x", "SMOVE a e 3", "EXISTS a", "SMEMBERS e",
        "SADD f 3", "SMOVE e f 3", "EXISTS e", "SMEMBERS f",
        "SADD g y", "SMOVE g h y", "OBJECT ENCODING h", "SMEMBERS h",
    )


# --------------------------------------------------------------------------
# SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE
# --------------------------------------------------------------------------

SETUP_OPS = [
    "SADD i1 1 2 3 4 5 6", "SADD i2 4 5 6 7 8", "SADD i3 5 6 100",
    "SADD h1 a b c 1 2", "SADD h2 b c d 2 3", "SADD h3 c 2 zz",
    "SADD one 5", "SADD mixed 1 2 3 x",
]


def test_set_operations(compat):
    with compat.session() as s:
        s.check(*SETUP_OPS)
        keys = ["i1", "i2", "i3", "h1", "h2", "h3", "one", "mixed", "missing"]
        rng = random.Random(3)
        combos = [(k,) for k in keys] + [(a, b) for a in keys for b in keys]
        combos += [tuple(rng.sample(keys, 3)) for _ in range(20)]
        for ks in combos:
            for op in ("SINTER", "SUNION", "SDIFF"):
                s.check(U((op,) + ks))
            s.check(("SINTERCARD", str(len(ks))) + ks,
                    ("SINTERCARD", str(len(ks))) + ks + ("LIMIT", "1"),
                    ("SINTERCARD", str(len(ks))) + ks + ("LIMIT", "0"))
            for op in ("SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"):
                s.check(("SET", "dst", "old"), (op, "dst") + ks, "TYPE dst",
                        "OBJECT ENCODING dst", U("SMEMBERS dst"), "SCARD dst")


def test_set_operations_exact_order_intsets(compat):
    compat.check(*SETUP_OPS, "SINTER i1 i2", "SINTER i2 i1 i3", "SUNION i1 i2 i3",
                 "SDIFF i1 i2", "SDIFF i1 i3 i2", "SDIFF i1 i1", "SDIFF i1 missing i1",
                 "SUNION missing", "SINTER missing", "SDIFF missing i1", "SINTER i1 missing",
                 "SMEMBERS missing", "SINTER i1 i1 i1", "SUNION i1 i1")


def test_store_overwrites_and_deletes(compat):
    compat.check(
        *SETUP_OPS,
        "SET dst v", "EXPIRE dst 100", "SINTERSTORE dst i1 i2", "TTL dst", "SMEMBERS dst",
        "SINTERSTORE dst i1 missing", "EXISTS dst", "SINTERSTORE dst i1 missing",
        "SET dst v", "SINTERSTORE dst i1 h3", "EXISTS dst",
        "SET dst v", "SUNIONSTORE dst missing", "EXISTS dst",
        "SET dst v", "SDIFFSTORE dst i1 i1", "EXISTS dst",
        "SET dst v", "SDIFFSTORE dst missing i1", "EXISTS dst",
        "SDIFFSTORE i1 i1 i3", "SMEMBERS i1", "SUNIONSTORE i1 i1 i2", "SMEMBERS i1",
        "SINTERSTORE i1 i1 i2", "SMEMBERS i1",
        "SINTERSTORE i1 i1", "SMEMBERS i1",
    )


def test_store_encodings(compat, set_config):
    with compat.session() as s:
        s.check("CONFIG SET set-max-intset-entries 5",
                "SADD a 1 2 3 4 5 6 7", "OBJECT ENCODING a",
                "SADD b 1 2 3", "SADD c x 1 2",
                "SINTERSTORE d a b", "OBJECT ENCODING d",       # ints, small: intset
                "SINTERSTORE d a c", "OBJECT ENCODING d",       # from a hashtable, ints: intset
                "SUNIONSTORE d a b", "OBJECT ENCODING d",       # 7 > 5: hashtable
                "SUNIONSTORE d b", "OBJECT ENCODING d",
                "SUNIONSTORE d b c", "OBJECT ENCODING d",
                "SDIFFSTORE d a b", "OBJECT ENCODING d", "SMEMBERS d",
                "SDIFFSTORE d c b", "OBJECT ENCODING d",
                # SDIFF's algorithm 2 (first set big): adds all then removes
                "SADD big 1 2 3 4 5 6 7 8 9 10", "SADD small1 1 2 3 4 5 6 7 8",
                "SDIFFSTORE d big small1", "OBJECT ENCODING d", U("SMEMBERS d"),
                "SADD x1 1", "SDIFFSTORE d big x1", "OBJECT ENCODING d",
                "SINTERSTORE d big big", "OBJECT ENCODING d",
                "CONFIG SET set-max-intset-entries 512")


def test_sintercard_args(compat):
    compat.check(
        *SETUP_OPS,
        "SINTERCARD 0 i1", "SINTERCARD -1 i1", "SINTERCARD x i1", "SINTERCARD 3 i1 i2",
        "SINTERCARD 2 i1 i2", "SINTERCARD 2 i1 i2 LIMIT 2", "SINTERCARD 2 i1 i2 LIMIT 3",
        "SINTERCARD 2 i1 i2 LIMIT 10", "SINTERCARD 2 i1 i2 LIMIT -1", "SINTERCARD 2 i1 i2 LIMIT x",
        "SINTERCARD 2 i1 i2 LIMIT", "SINTERCARD 2 i1 i2 FOO 1", "SINTERCARD 2 i1 i2 LIMIT 1 LIMIT 2",
        "SINTERCARD 1 missing", "SINTERCARD 2 i1 missing LIMIT 1", "SINTERCARD 1 h1 limit 2",
        "SINTERCARD 9223372036854775807 a", "SINTERCARD 9223372036854775808 a",
    )


# --------------------------------------------------------------------------
# SSCAN
# --------------------------------------------------------------------------

def test_sscan_intset_and_errors(compat):
    compat.check(
        "SADD s 5 1 3 -7 100000", "SSCAN s 0", "SSCAN s 0 COUNT 1", "SSCAN s 0 MATCH 1*",
        "SSCAN s 0 MATCH *0* COUNT 100", "SSCAN s 0 match -* count 2", "SSCAN s 0 MATCH *",
        "SSCAN s 0 COUNT 0", "SSCAN s 0 COUNT -1", "SSCAN s 0 COUNT x", "SSCAN s 0 MATCH",
        "SSCAN s 0 TYPE set", "SSCAN s 0 FOO bar", "SSCAN s x", "SSCAN s -1", "SSCAN s 1",
        "SSCAN missing 0", "SSCAN missing x", "SSCAN missing 0 COUNT 0", "SSCAN missing 0 FOO",
        "SSCAN s 18446744073709551615", "SSCAN s 18446744073709551616",
    )


def test_sscan_hashtable_full_iteration(compat):
    members = ["m%d" % i for i in range(300)] + ["k%d" % i for i in range(50)]
    for srv in (compat.fk_server, compat.rd_server):
        with srv.raw() as c:
            _call(c, "FLUSHALL")
            _call(c, "SADD", "h", *members)
            for count, pattern in ((10, None), (1, None), (1000, None), (7, "k*")):
                cursor, seen, calls = b"0", set(), 0
                while True:
                    args = ["SSCAN", "h", cursor, "COUNT", str(count)]
                    if pattern:
                        args += ["MATCH", pattern]
                    cursor, got = _call(c, *args)
                    seen.update(got)
                    calls += 1
                    if cursor == b"0":
                        break
                want = {m.encode() for m in members if pattern is None or m.startswith("k")}
                assert seen == want
                if count == 1000:
                    assert calls == 1
    compat.check(("SADD", "h") + tuple(members), TypeOnly("SSCAN h 0"))


# --------------------------------------------------------------------------
# RESP3 shapes
# --------------------------------------------------------------------------

def test_resp3_shapes(compat):
    compat.check(
        *SETUP_OPS,
        "SMEMBERS i1", U("SMEMBERS h1"), "SMEMBERS missing", "SINTER i1 i2", "SINTER i1 missing",
        "SUNION i1 i2", "SDIFF i1 i2", "SUNION missing", "SDIFF missing",
        "SISMEMBER i1 1", "SMISMEMBER i1 1 2 9", "SCARD i1",
        "SPOP missing", "SPOP missing 2", "SPOP i3 0", "SRANDMEMBER missing",
        "SRANDMEMBER missing 2", "SRANDMEMBER one 0", "SRANDMEMBER one 1", "SRANDMEMBER one -1",
        "SRANDMEMBER one -3", "SRANDMEMBER one 5", Shape("SRANDMEMBER i1 3"),
        Shape("SRANDMEMBER i1 -3"), Shape("SRANDMEMBER i1 5"), Shape("SRANDMEMBER i1 1"),
        Shape("SRANDMEMBER h1 2"), Shape("SRANDMEMBER h1 -2"), Shape("SRANDMEMBER h1 4"),
        Shape("SPOP i1 2"), Shape("SPOP i1 1"), Shape("SPOP i1"), Shape("SPOP i2 100"),
        Shape("SPOP h1 4"), "SSCAN i3 0", "SSCAN missing 0", "SINTERCARD 1 i3",
        "SINTERSTORE d i3 one", "SMOVE i3 one 100",
        resp3=True)


# --------------------------------------------------------------------------
# keyspace events
# --------------------------------------------------------------------------

def _run(n, *cmds):
    """Runs commands on both servers; random replies (SPOP, SRANDMEMBER)
    compared by shape only."""
    for cmd in cmds:
        word = cmd.split()[0].upper()
        n.c.call(cmd, mode="shape" if word in ("SPOP", "SRANDMEMBER") else None)


def test_events(kn):
    n = kn("KEAn")
    _run(n, "SADD s 1 2", "SADD s 2", "SADD s 3 x", "SREM s 9", "SREM s 1", "SREM s 2 3 x",
         "SADD s 1 2 3", "SPOP s", "SPOP s 0", "SPOP s 1", "SPOP s 5", "SPOP missing",
         "SPOP missing 2", "SMISMEMBER s 1", "SCARD s")
    ev = n.events()
    assert ev[:4] == ["K0 new s", "E0 new s", "K0 sadd s", "E0 sadd s"]
    assert "K0 srem s" in ev and "K0 del s" in ev and "K0 spop s" in ev


def test_events_smove_and_store(kn):
    n = kn("KEAn")
    _run(n, "SADD a 1 2", "SADD b 1", "SMOVE a b 1", "SMOVE a b 9", "SMOVE a c 2",
         "SADD c 5", "SMOVE c c 5", "SMOVE c b 5", "SMOVE b c 1",
         "SADD i 1 2 3", "SADD j 2 3",
         "SINTERSTORE d i j", "SINTERSTORE d i j", "SUNIONSTORE d i j", "SDIFFSTORE d i j",
         "SDIFFSTORE d j i", "SDIFFSTORE d j i", "SINTERSTORE d i missing",
         "SET str v", "EXPIRE str 100", "SUNIONSTORE str i", "SINTERSTORE str missing",
         "SINTERSTORE str missing", "SINTERCARD 2 i j", "SUNIONSTORE e missing",
         "SDIFFSTORE e i i", "SUNIONSTORE e i", "SDIFFSTORE e missing i")
    ev = n.events()
    assert ev[:2] == ["K0 new a", "E0 new a"]
    assert "K0 sinterstore d" in ev and "K0 sunionstore d" in ev and "K0 sdiffstore d" in ev


def test_events_spop_count_cases(kn):
    n = kn("KEAn")
    _run(n, "SADD s 1 2 3 4 5 6 7 8 9 10", "SPOP s 2", "SPOP s 7", "SPOP s 1", "SPOP s 0",
         "SADD h a b c", "SPOP h 3", "SADD h a b c", "SPOP h 10")
    ev = n.events()
    assert ev.count("K0 spop s") == 3
    _run(n, "SADD e 1", "SREM e 1", "SADD e 1", "SPOP e", "SADD e x", "SMOVE e f x")
    ev = n.events()
    assert ev.count("K0 del e") == 3


def test_events_expired_destination(kn):
    n = kn("KEAn")
    _run(n, "SADD i 1 2", "SADD dst 5", "PEXPIRE dst 1")
    import time
    time.sleep(0.05)
    _run(n, "SINTERSTORE dst i i", "SMEMBERS dst")
    n.events()


# --------------------------------------------------------------------------
# the type table: TYPE COPY RENAME MOVE MEMORY USAGE SCAN TYPE DEBUG OBJECT
# --------------------------------------------------------------------------

def test_type_table(compat):
    compat.check(
        "SADD i 1 2 3", "SADD h a b", "COPY i i2", "COPY h h2", "SMEMBERS i2", U("SMEMBERS h2"),
        "OBJECT ENCODING i2", "OBJECT ENCODING h2", "SADD i2 4", "SMEMBERS i",
        "SREM h2 a", U("SMEMBERS h"), "RENAME i r", "SMEMBERS r", "TYPE r",
        "MOVE r 1", "SELECT 1", "SMEMBERS r", "SELECT 0",
        TypeOnly("MEMORY USAGE h"), TypeOnly("MEMORY USAGE r"), U("SCAN 0 TYPE set COUNT 100"),
    )


def test_memory_usage_scales(r):
    r.delete("big")
    for i in range(0, 2000, 500):
        r.sadd("big", *("member:%d" % j for j in range(i, i + 500)))
    full = r.memory_usage("big", samples=0)
    est = r.memory_usage("big")
    assert full > 2000 * 24
    assert 0.5 * full < est < 2 * full
    r.sadd("small", *range(10))
    assert r.memory_usage("small") < 200


# --------------------------------------------------------------------------
# a random model test against Redis
# --------------------------------------------------------------------------

def test_random_ops_vs_redis(compat, set_config):
    rng = random.Random(11)
    keys = ["a", "b", "c"]

    def member():
        r = rng.random()
        if r < 0.6:
            return str(rng.randint(-20, 40))
        if r < 0.7:
            return str(rng.choice([2**15, -2**15 - 1, 2**31, -2**31 - 1, 2**63 - 1]))
        return "m%d" % rng.randint(0, 30)

    with compat.session() as s:
        s.check("CONFIG SET set-max-intset-entries 16")
        for _ in range(600):
            k = rng.choice(keys)
            op = rng.random()
            if op < 0.4:
                s.check(("SADD", k) + tuple(member() for _ in range(rng.randint(1, 4))))
            elif op < 0.6:
                s.check(("SREM", k) + tuple(member() for _ in range(rng.randint(1, 4))))
            elif op < 0.65:
                s.check(("SMOVE", k, rng.choice(keys), member()))
            elif op < 0.75:
                s.check(U((rng.choice(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]),
                           rng.choice(keys)) + tuple(rng.sample(keys, 2))))
            else:
                s.check(("SISMEMBER", k, member()), ("SCARD", k))
            s.check(("OBJECT", "ENCODING", k), U(("SMEMBERS", k)))


# --------------------------------------------------------------------------
# memory: small integer sets are intsets, at most Redis's footprint
# --------------------------------------------------------------------------

def _used_memory(conn):
    info = _call(conn, "INFO", "memory").decode()
    return int(info.split("used_memory:")[1].split("\r\n")[0])


def test_memory_small_int_sets_vs_redis(compat):
    from kvtest import encode_command
    used = {}
    for name, srv in (("fastkv", compat.fk_server), ("redis", compat.rd_server)):
        with srv.raw() as c:
            _call(c, "FLUSHALL")
            base = _used_memory(c)
            n = 20000
            for start in range(0, n, 1000):
                c.send(b"".join(encode_command("SADD", "set:%d" % i, *range(10))
                                for i in range(start, start + 1000)))
                for _ in range(1000):
                    c.read_reply()
            assert _call(c, "OBJECT", "ENCODING", "set:7") == b"intset"
            used[name] = _used_memory(c) - base
            _call(c, "FLUSHALL")
    assert used["fastkv"] <= used["redis"], used


# --------------------------------------------------------------------------
# WATCH: a set command that changes the key fails EXEC; a no-op doesn't
# --------------------------------------------------------------------------

@pytest.mark.parametrize("cmd,watched", [
    ("SADD s 1", "s"), ("SADD s 9", "s"), ("SREM s 9", "s"), ("SREM s 1", "s"),
    ("SPOP s 0", "s"), ("SPOP s", "s"), ("SPOP s 1", "s"), ("SPOP s 5", "s"),
    ("SMOVE s t 1", "s"), ("SMOVE s t 1", "t"), ("SMOVE s t 9", "t"), ("SMOVE s s 1", "s"),
    ("SINTERSTORE d s", "d"), ("SINTERSTORE d missing", "d"), ("SINTERSTORE s missing", "s"),
    ("SUNIONSTORE d s", "d"), ("SDIFFSTORE d s s", "d"), ("SDIFFSTORE d s", "d"),
    ("SRANDMEMBER s 2", "s"), ("SINTERCARD 1 s", "s"), ("SMEMBERS s", "s"),
])
def test_watch(compat, cmd, watched):
    a = compat.twin("a")
    b = compat.twin("b")
    try:
        a.call("FLUSHALL")
        a.call("SADD s 1 2 3")
        a.call(("WATCH", watched))
        word = cmd.split()[0]
        b.call(cmd, mode="shape" if word in ("SPOP", "SRANDMEMBER") else None)
        a.call("MULTI")
        a.call("PING")
        a.call("EXEC")
    finally:
        a.close()
        b.close()
