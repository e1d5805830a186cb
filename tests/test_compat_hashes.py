"""Compat tests for the hash commands (HSET ... HSCAN): fastkv's replies must
equal a real redis-server 7.0's byte for byte.

Listpack-encoded hashes iterate in insertion order on both servers, so their
HGETALL/HKEYS/HVALS/HSCAN replies are compared exactly; hashtable-encoded
ones iterate in hash order (seeded per process), compared ``Unordered``.
Random picks (HRANDFIELD) are never compared with Redis's: their reply
shapes are, and their properties (uniqueness for positive counts, repeats
allowed for negative ones, fields and values belonging to the hash) are
checked on fastkv alone.
"""
import random

import pytest

from kvtest import Shape, TypeOnly, Unordered, NoCompare, to_py
from test_notify import kn  # noqa: F401  (fixture)

pytestmark = pytest.mark.compat

LONG = "x" * 65          # one over hash-max-listpack-value's default
EDGE = "y" * 64          # exactly at it


@pytest.fixture
def hash_config(compat):
    """CONFIG SET of the hash thresholds inside a test; restored after."""
    yield
    for srv in (compat.fk_server, compat.rd_server):
        with srv.raw() as c:
            assert c.call_raw("CONFIG", "SET", "hash-max-listpack-entries", "512") == b"+OK\r\n"
            assert c.call_raw("CONFIG", "SET", "hash-max-listpack-value", "64") == b"+OK\r\n"


# --------------------------------------------------------------------------
# basics
# --------------------------------------------------------------------------

def test_hset_hget_basic(compat):
    compat.check(
        "HSET h f v",
        "HGET h f",
        "HSET h f v2 g w",
        "HGET h f",
        "HGET h g",
        "HGET h nofield",
        "HLEN h",
        "HGETALL h",
        "HKEYS h",
        "HVALS h",
        "HEXISTS h f",
        "HEXISTS h nofield",
        "HSTRLEN h f",
        "HSTRLEN h nofield",
        "OBJECT ENCODING h",
        "TYPE h",
        ("HSET", "h", "", ""),
        ("HGET", "h", ""),
        ("HSET", "h", b"\x00bin\xff\r\n", b"\r\n$3\r\n"),
        ("HGET", "h", b"\x00bin\xff\r\n"),
        "HGETALL h",
    )


def test_integers_in_listpack(compat):
    """Values and fields that look like integers are stored as integers in a
    listpack: they must come back as the same text."""
    compat.check(
        "HSET h 1 1 -1 -1 0 0 007 007 +5 +5 12345678901234567890 9223372036854775807",
        "HSET h -9223372036854775808 -9223372036854775808 9223372036854775808 x",
        "HSET h 1.5 1.5 ' 1' ' 2' 127 128 -4096 4095 8191 -8192 32767 -32768 8388607 -8388608",
        "HGETALL h",
        "HKEYS h",
        "HVALS h",
        "HGET h 1",
        "HGET h -1",
        "HGET h 007",
        "HGET h +5",
        "HSTRLEN h 12345678901234567890",
        "HSTRLEN h -9223372036854775808",
        "HSTRLEN h 127",
        "HMGET h 1 -1 0 007 missing 8191",
        "HEXISTS h 1",
        "HEXISTS h 01",
        "HDEL h 1 0",
        "HGETALL h",
        "OBJECT ENCODING h",
    )


def test_hmset_and_arity(compat):
    compat.check(
        "HMSET h a 1 b 2",
        "HGETALL h",
        "HMSET h a 3",
        "HGETALL h",
        "HMSET h a",
        "HMSET h a b c",
        "HSET h a",
        "HSET h a b c",
        "HSET h",
        "HGET h",
        "HMGET h",
        "HDEL h",
        "HGETALL h",
    )


def test_hset_return_counts_and_duplicates(compat):
    compat.check(
        "HSET h a 1 a 2 a 3",
        "HGET h a",
        "HLEN h",
        "HSET h a 1 b 2 c 3",
        "HSET h a 1 b 2 c 3",
        "HGETALL h",
    )


def test_hsetnx(compat):
    compat.check(
        "HSETNX h f v",
        "HSETNX h f other",
        "HGET h f",
        "HSETNX h g w",
        "HGETALL h",
        "HSETNX nokey f v",
        "TYPE nokey",
    )


def test_hmget(compat):
    compat.check(
        "HMGET missing a b",
        "HSET h a 1 b 2",
        "HMGET h a b c a",
        "HMGET h c",
    )


def test_hdel(compat):
    compat.check(
        "HDEL missing f",
        "HSET h a 1 b 2 c 3 d 4",
        "HDEL h a",
        "HDEL h a",
        "HDEL h nofield",
        "HDEL h b b c",
        "HGETALL h",
        "EXISTS h",
        "HDEL h d x",
        "EXISTS h",
        "HLEN h",
        "HSET h a 1 b 2",
        # deleting the last field stops at once: the rest isn't looked at
        "HDEL h a b a",
        "EXISTS h",
    )


def test_empty_results(compat):
    for resp3 in (False, True):
        compat.check(
            "HGET k f",
            "HMGET k a b",
            "HLEN k",
            "HSTRLEN k f",
            "HEXISTS k f",
            "HGETALL k",
            "HKEYS k",
            "HVALS k",
            "HDEL k f",
            "HRANDFIELD k",
            "HRANDFIELD k 0",
            "HRANDFIELD k 5",
            "HRANDFIELD k -5",
            "HRANDFIELD k 5 WITHVALUES",
            "HRANDFIELD k -5 WITHVALUES",
            "HSCAN k 0",
            "HSCAN k 0 MATCH * COUNT 100",
            "HSCAN k 0 COUNT x",
            "EXISTS k",
            resp3=resp3,
        )


@pytest.mark.parametrize("cmd", [
    "HSET s f v", "HSETNX s f v", "HGET s f", "HMGET s f g", "HMSET s f v", "HDEL s f",
    "HLEN s", "HSTRLEN s f", "HEXISTS s f", "HKEYS s", "HVALS s", "HGETALL s",
    "HINCRBY s f 1", "HINCRBYFLOAT s f 1.5", "HRANDFIELD s", "HRANDFIELD s 0",
    "HRANDFIELD s 3", "HRANDFIELD s -3 WITHVALUES", "HSCAN s 0", "HSCAN s 0 COUNT x",
])
def test_wrongtype(compat, cmd):
    compat.check("SET s v", cmd, "GET s")


def test_hash_refused_by_other_types(compat):
    compat.check(
        "HSET h f v",
        "GET h",
        "INCR h",
        "APPEND h x",
        "STRLEN h",
        "SETRANGE h 0 x",
        "HGET h f",
        "SET h v",
        "TYPE h",
        "HSET h f v",
    )


# --------------------------------------------------------------------------
# HINCRBY / HINCRBYFLOAT
# --------------------------------------------------------------------------

def test_hincrby(compat):
    compat.check(
        "HINCRBY h f 1",
        "HINCRBY h f 10",
        "HINCRBY h f -100",
        "HGET h f",
        "HINCRBY h g 0",
        "HGET h g",
        "HINCRBY h f x",
        "HINCRBY h f 1.5",
        "HINCRBY h f ''",
        "HINCRBY h f 99999999999999999999",
        "HSET h s abc sp ' 1' big 9223372036854775807 small -9223372036854775808 z 0x1",
        "HINCRBY h s 1",
        "HINCRBY h sp 1",
        "HINCRBY h z 1",
        "HINCRBY h big 1",
        "HINCRBY h big 0",
        "HINCRBY h big -1",
        "HINCRBY h small -1",
        "HINCRBY h small 1",
        "HINCRBY h small 9223372036854775807",
        "HINCRBY h big -9223372036854775808",
        "HGETALL h",
        "HINCRBY newkey f -5",
        "HGETALL newkey",
        "HINCRBY newkey2 f x",
        "EXISTS newkey2",
    )


def test_hincrbyfloat(compat):
    compat.check(
        "HINCRBYFLOAT h f 1.5",
        "HINCRBYFLOAT h f 1",
        "HINCRBYFLOAT h f -0.25",
        "HINCRBYFLOAT h f 5.0e3",
        "HINCRBYFLOAT h f 1e-5",
        "HGET h f",
        "HINCRBYFLOAT h i 3",
        "HSET h n 10 s abc e ''",
        "HINCRBYFLOAT h n 0.1",
        "HINCRBYFLOAT h n -0.1",
        "HGET h n",
        "HINCRBYFLOAT h s 1",
        "HINCRBYFLOAT h e 1",
        "HINCRBYFLOAT h f x",
        "HINCRBYFLOAT h f nan",
        "HINCRBYFLOAT h f inf",
        "HINCRBYFLOAT h f -inf",
        "HINCRBYFLOAT h f ''",
        "HSET h big 1e308",
        "HINCRBYFLOAT h big 1e308",
        Unordered("HGETALL h"),
        "OBJECT ENCODING h",
        "HINCRBYFLOAT newkey f nan",
        "EXISTS newkey",
    )


def test_hincrbyfloat_long_result_converts(compat):
    """A result longer than hash-max-listpack-value converts the hash
    (hashTypeSet checks the value it is given)."""
    compat.check(
        "HSET h a 1",
        "HINCRBYFLOAT h f 1e60",
        "OBJECT ENCODING h",
        "HSTRLEN h f",
        "HINCRBYFLOAT h f 1e70",
        "OBJECT ENCODING h",
        "HGET h f",
        Unordered("HGETALL h"),
    )


def test_hincrby_long_field_converts(compat):
    compat.check(
        "HSET h a 1",
        "HINCRBY h %s 5" % EDGE,
        "OBJECT ENCODING h",
        "HINCRBY h %s 5" % LONG,
        "OBJECT ENCODING h",
        "HGET h %s" % LONG,
    )


# --------------------------------------------------------------------------
# encoding conversions at the exact thresholds
# --------------------------------------------------------------------------

def test_value_length_threshold(compat):
    compat.check(
        "HSET h f %s" % EDGE,
        "OBJECT ENCODING h",
        "HSET h %s v" % EDGE,
        "OBJECT ENCODING h",
        "HSET h f %s" % LONG,
        "OBJECT ENCODING h",
        "HGET h f",
        # never back, even when the long value goes
        "HDEL h f",
        "OBJECT ENCODING h",
        Unordered("HGETALL h"),
        "HSET h2 %s v" % LONG,
        "OBJECT ENCODING h2",
        "HSETNX h3 f %s" % EDGE,
        "OBJECT ENCODING h3",
        "HSETNX h3 g %s" % LONG,
        "OBJECT ENCODING h3",
        # HSETNX on an existing field doesn't convert
        "HSETNX h4 f v",
        "HSETNX h4 f %s" % LONG,
        "OBJECT ENCODING h4",
        # a long argument converts even when that field pair comes second
        "HMSET h5 a 1 b %s" % LONG,
        "OBJECT ENCODING h5",
    )


def test_entries_threshold(compat, hash_config):
    compat.check("CONFIG SET hash-max-listpack-entries 4")
    compat.check(
        "HSET h a 1 b 2 c 3 d 4",
        "OBJECT ENCODING h",
        "HSET h a 5",
        "OBJECT ENCODING h",
        "HGETALL h",
        "HSET h e 5",
        "OBJECT ENCODING h",
        Unordered("HGETALL h"),
        "HDEL h a b c d",
        "OBJECT ENCODING h",
        "HSET h2 a 1 b 2 c 3 d 4 e 5",
        "OBJECT ENCODING h2",
        "HSETNX h3 a 1",
        "HSETNX h3 b 1",
        "HSETNX h3 c 1",
        "HSETNX h3 d 1",
        "OBJECT ENCODING h3",
        "HSETNX h3 e 1",
        "OBJECT ENCODING h3",
        "HINCRBY h4 a 1",
        "HINCRBY h4 b 1",
        "HINCRBY h4 c 1",
        "HINCRBY h4 d 1",
        "OBJECT ENCODING h4",
        "HINCRBYFLOAT h4 e 1.5",
        "OBJECT ENCODING h4",
        Unordered("HGETALL h4"),
        flush=False,
    )


def test_entries_threshold_zero_and_aliases(compat, hash_config):
    compat.check(
        "CONFIG SET hash-max-ziplist-entries 0",
        "CONFIG GET hash-max-listpack-entries",
        "HSET h a 1",
        "OBJECT ENCODING h",
        "CONFIG SET hash-max-ziplist-entries 512",
        "CONFIG SET hash-max-ziplist-value 3",
        "CONFIG GET hash-max-listpack-value",
        "HSET h2 abc 123",
        "OBJECT ENCODING h2",
        "HSET h2 abcd 1",
        "OBJECT ENCODING h2",
        "HSET h3 a 1234",
        "OBJECT ENCODING h3",
        "CONFIG SET hash-max-listpack-value 0",
        "HSET h4 a ''",
        "OBJECT ENCODING h4",
        "HSET h4 '' b",
        "OBJECT ENCODING h4",
    )


def test_threshold_change_does_not_convert_existing(compat, hash_config):
    compat.check(
        "HSET h a 1 b 2 c 3",
        "CONFIG SET hash-max-listpack-entries 1",
        "OBJECT ENCODING h",
        "HGET h a",
        "HSET h a 9",
        "OBJECT ENCODING h",
        "HSET h z 9",
        "OBJECT ENCODING h",
        flush=True,
    )


def test_hashtable_encoding_commands(compat):
    """Every command on a hashtable-encoded hash."""
    fields = " ".join("f%d v%d" % (i, i) for i in range(200))
    compat.check(
        "HSET h " + fields,
        "OBJECT ENCODING h",
        "HLEN h",
        "HGET h f17",
        "HMGET h f0 f199 nope",
        "HSTRLEN h f150",
        "HEXISTS h f3",
        "HEXISTS h nope",
        "HSETNX h f3 x",
        "HSETNX h new x",
        "HSET h f4 %s" % ("z" * 1000),
        "HGET h f4",
        "HSET h f4 short",
        "HGET h f4",
        "HINCRBY h cnt 5",
        "HINCRBY h cnt 5",
        "HINCRBYFLOAT h flt 2.5",
        "HINCRBY h f5 1",
        Unordered("HKEYS h"),
        Unordered("HVALS h"),
        Unordered("HGETALL h"),
        "HDEL h f1 f2 nope",
        "HLEN h",
        Unordered("HGETALL h"),
        "COPY h h2",
        "OBJECT ENCODING h2",
        Unordered("HGETALL h2"),
    )


def test_delete_all_of_hashtable(compat):
    compat.check(
        "HSET h a %s b 1 c 2" % LONG,
        "OBJECT ENCODING h",
        "HDEL h a b",
        "OBJECT ENCODING h",
        "HDEL h c",
        "EXISTS h",
    )


def test_shrinking_hashtable(compat):
    """Deleting most of a big hash (the table shrinks) keeps the rest."""
    fields = " ".join("f%d %d" % (i, i) for i in range(600))
    dels = " ".join("f%d" % i for i in range(590))
    compat.check(
        "HSET h " + fields,
        "HDEL h " + dels,
        "HLEN h",
        Unordered("HGETALL h"),
        "HSET h f0 back",
        Unordered("HGETALL h"),
    )


# --------------------------------------------------------------------------
# RESP3 shapes
# --------------------------------------------------------------------------

def test_resp3_shapes(compat):
    compat.check(
        "HSET h a 1 b 2 c 3",
        "HGETALL h",
        "HKEYS h",
        "HVALS h",
        "HMGET h a x",
        "HGET h x",
        "HGETALL nokey",
        "HKEYS nokey",
        "HRANDFIELD nokey",
        "HRANDFIELD h 10",
        "HRANDFIELD h 10 WITHVALUES",
        "HRANDFIELD h 0 WITHVALUES",
        Shape("HRANDFIELD h -5 WITHVALUES"),
        Shape("HRANDFIELD h 2 WITHVALUES"),
        Shape("HRANDFIELD h 1 WITHVALUES"),
        Shape("HRANDFIELD h -1"),
        "HSCAN h 0",
        "HINCRBYFLOAT h a 1.5",
        "HSET big a %s b 1 c 2" % LONG,
        Unordered("HGETALL big"),
        Unordered("HRANDFIELD big 10 WITHVALUES"),
        Shape("HRANDFIELD big 2 WITHVALUES"),
        Shape("HRANDFIELD big -4 WITHVALUES"),
        resp3=True,
    )


# --------------------------------------------------------------------------
# HRANDFIELD
# --------------------------------------------------------------------------

def test_hrandfield_errors_and_edges(compat):
    compat.check(
        "HSET h a 1 b 2 c 3",
        "HRANDFIELD h x",
        "HRANDFIELD h 1.5",
        "HRANDFIELD h 1 foo",
        "HRANDFIELD h 1 WITHVALUES x",
        "HRANDFIELD h 1 withvalues extra args",
        "HRANDFIELD h -9223372036854775808",
        "HRANDFIELD h -9223372036854775807 WITHVALUES",
        "HRANDFIELD h 9223372036854775807 WITHVALUES",
        "HRANDFIELD h -4611686018427387904 WITHVALUES",
        "HRANDFIELD h 9223372036854775807",
        Unordered("HRANDFIELD h 3"),
        Unordered("HRANDFIELD h 4 withvalues"),
        Unordered("HRANDFIELD h 100 WITHVALUES"),
        "HRANDFIELD h 0",
        "HRANDFIELD h 0 WITHVALUES",
        TypeOnly("HRANDFIELD h"),
        Shape("HRANDFIELD h -10"),
        Shape("HRANDFIELD h -10 WITHVALUES"),
        Shape("HRANDFIELD h 2"),
        Shape("HRANDFIELD h 2 WITHVALUES"),
        Shape("HRANDFIELD h 1"),
        "HRANDFIELD missing x",
    )


def _model(pairs):
    return {pairs[i]: pairs[i + 1] for i in range(0, len(pairs), 2)}


@pytest.mark.parametrize("size,long", [(3, False), (50, False), (50, True), (700, False)])
def test_hrandfield_properties(compat, size, long):
    """Positive counts: distinct fields of the hash, min(count, size) of
    them; negative counts: exactly |count|, repeats allowed; WITHVALUES
    pairs each field with its own value.  Both encodings, every case of
    hrandfieldWithCountCommand (whole hash, listpack unique, few and many
    of a hashtable)."""
    h = {b"f%d" % i: (b"%d" % (i * 7)) for i in range(size)}
    if long:
        h[b"longfield"] = b"v" * 100
    args = ["HSET", "h"]
    for k, v in h.items():
        args += [k, v]
    with compat.session() as s:
        s.check(tuple(args), "OBJECT ENCODING h")
        conn = s.fk
        n = len(h)
        counts = [1, 2, n // 4 or 1, n // 3, n // 2, n - 1, n, n + 5]
        for count in counts:
            if count <= 0:
                continue
            got = conn.call("HRANDFIELD", "h", count)
            assert len(got) == min(count, n) and len(set(got)) == len(got), (count, got)
            assert set(got) <= set(h)
            got = conn.call("HRANDFIELD", "h", count, "WITHVALUES")
            assert len(got) == 2 * min(count, n)
            fields = got[0::2]
            assert len(set(fields)) == len(fields)
            assert all(h[f] == v for f, v in zip(got[0::2], got[1::2]))
            got = conn.call("HRANDFIELD", "h", -count)
            assert len(got) == count and set(got) <= set(h)
            got = conn.call("HRANDFIELD", "h", -count, "WITHVALUES")
            assert len(got) == 2 * count
            assert all(h[f] == v for f, v in zip(got[0::2], got[1::2]))
        # repeats do show up with a negative count much larger than the hash
        got = conn.call("HRANDFIELD", "h", -(3 * n + 10))
        assert len(got) == 3 * n + 10 and len(set(got)) < len(got)
        # over many draws every field comes up (no field is unreachable)
        seen = set()
        for _ in range(50):
            seen.update(conn.call("HRANDFIELD", "h", -n))
            if len(seen) == n:
                break
        assert seen == set(h)
        assert conn.call("HRANDFIELD", "h") in h


def test_hrandfield_resp3_properties(compat):
    with compat.session(resp3=True) as s:
        s.check("HSET h a 1 b 2 c 3 d 4 e 5 f 6")
        for count in (1, 3, 6, 10, -3, -20):
            got = s.fk.call("HRANDFIELD", "h", count, "WITHVALUES")
            assert len(got) == (abs(count) if count < 0 else min(count, 6))
            for pair in got:
                assert isinstance(pair, list) and len(pair) == 2
                assert int(pair[1]) == ord(pair[0]) - ord("a") + 1


# --------------------------------------------------------------------------
# HSCAN
# --------------------------------------------------------------------------

def test_hscan_listpack(compat):
    compat.check(
        "HSET h a 1 b 2 c 3 ab 4 123 5",
        "HSCAN h 0",
        "HSCAN h 0 COUNT 1",
        "HSCAN h 0 MATCH a*",
        "HSCAN h 0 MATCH 1*",
        "HSCAN h 0 MATCH nomatch",
        "HSCAN h 0 match * count 1000",
        "HSCAN h 5",
        "HSCAN h 0 COUNT 0",
        "HSCAN h 0 COUNT -1",
        "HSCAN h 0 COUNT x",
        "HSCAN h 0 MATCH",
        "HSCAN h 0 TYPE string",
        "HSCAN h 0 foo bar",
        "HSCAN h x",
        "HSCAN h -1",
        "HSCAN h 18446744073709551615",
        "HSCAN h 18446744073709551616",
    )
    compat.check("HSET h a 1 b 2", "HSCAN h 0", "HSCAN h 0 MATCH a", resp3=True)


def _hscan_all(conn, key, *opts):
    cursor = b"0"
    out = {}
    rounds = 0
    while True:
        cursor, items = conn.call("HSCAN", key, cursor, *opts)
        for i in range(0, len(items), 2):
            out[items[i]] = items[i + 1]
        rounds += 1
        if cursor == b"0":
            return out, rounds
        assert rounds < 100000


def test_hscan_hashtable(compat):
    h = {b"field:%d" % i: b"val%d" % i for i in range(1000)}
    args = ["HSET", "h"]
    for k, v in h.items():
        args += [k, v]
    with compat.session() as s:
        s.check(tuple(args), "OBJECT ENCODING h")
        got, rounds = _hscan_all(s.fk, "h")
        assert got == h and rounds > 1
        got, rounds = _hscan_all(s.fk, "h", "COUNT", 100)
        assert got == h
        got, _ = _hscan_all(s.fk, "h", "MATCH", "field:1*")
        assert got == {k: v for k, v in h.items() if k.startswith(b"field:1")}
        got, _ = _hscan_all(s.fk, "h", "MATCH", "nomatch*", "COUNT", 5)
        assert got == {}
        # one huge COUNT returns everything at once
        cursor, items = s.fk.call("HSCAN", "h", 0, "COUNT", 100000)
        assert cursor == b"0" and len(items) == 2000
        s.check(TypeOnly("HSCAN h 0"), "HSCAN h 0 COUNT 0", "HSCAN h 0 TYPE hash")


def test_hscan_while_growing(compat):
    """Fields present for the whole scan are returned at least once even if
    the table grows between calls."""
    with compat.session() as s:
        conn = s.fk
        base = {b"k%d" % i: b"1" for i in range(300)}
        args = ["HSET", "h"]
        for k, v in base.items():
            args += [k, v]
        conn.call(*args)
        cursor = b"0"
        seen = set()
        i = 0
        while True:
            cursor, items = conn.call("HSCAN", "h", cursor)
            seen.update(items[0::2])
            conn.call("HSET", "h", *[x for j in range(20) for x in (b"n%d" % (i * 20 + j), b"2")])
            i += 1
            if cursor == b"0":
                break
        assert set(base) <= seen


# --------------------------------------------------------------------------
# keyspace events
# --------------------------------------------------------------------------

def test_events(kn):
    n = kn("KEA")
    n.run("HSET h a 1 b 2",
          "HSET h a 1",
          "HMSET h c 3",
          "HSETNX h a 1",     # no-op: no event
          "HSETNX h d 4",
          "HINCRBY h n 1",
          "HINCRBYFLOAT h f 1.5",
          "HINCRBY h a x",    # errors: no event
          "HINCRBYFLOAT h f nan",
          "HDEL h nofield",   # nothing deleted: no event
          "HDEL h a b",
          "HDEL nokey a",
          "HGET h c",
          "HDEL h c d n f",   # emptied: hdel then del
          "EXISTS h")
    assert n.events() == [
        "K0 hset h", "E0 hset h",
        "K0 hset h", "E0 hset h",
        "K0 hset h", "E0 hset h",
        "K0 hset h", "E0 hset h",
        "K0 hincrby h", "E0 hincrby h",
        "K0 hincrbyfloat h", "E0 hincrbyfloat h",
        "K0 hdel h", "E0 hdel h",
        "K0 hdel h", "E0 hdel h",
        "K0 del h", "E0 del h",
    ]


def test_events_new_and_classes(kn):
    n = kn("KEhgn")
    n.run("HSET h a 1", "HSET h b 2", "HINCRBY h2 a 1", "HINCRBYFLOAT h3 a 1",
          "HSETNX h4 a 1", "HDEL h a b", "HSET s x y", "SET str v", "HSET str a b")
    n.events()     # compared byte for byte with redis
    n2 = kn("Kh")
    n2.run("HSET h a 1", "HDEL h a")
    assert n2.events() == ["K0 hset h", "K0 hdel h"]
    n3 = kn("Eg")
    n3.run("HSET h a 1", "HDEL h a")
    assert n3.events() == ["E0 del h"]


# --------------------------------------------------------------------------
# keyspace integration (COPY, RENAME, MOVE, EXPIRE, MULTI, SCAN TYPE ...)
# --------------------------------------------------------------------------

def test_keyspace_integration(compat):
    compat.check(
        "HSET h a 1 b 2",
        "HSET big a %s" % LONG,
        "COPY h h2",
        "HGETALL h2",
        "HSET h2 c 3",
        "HGETALL h",
        "HGETALL h2",
        "COPY big big2",
        "HSET big2 z 1",
        "HLEN big",
        "HLEN big2",
        "RENAME h hr",
        "HGETALL hr",
        "EXISTS h",
        "MOVE hr 1",
        "EXISTS hr",
        "SELECT 1",
        "HGETALL hr",
        "OBJECT ENCODING hr",
        "SELECT 0",
        "EXPIRE big 100",
        "HSET big b 2",
        "TTL big",
        "HDEL big a b",
        "EXISTS big",
        "TTL big",
        "MULTI",
        "HSET m a 1",
        "HINCRBY m a 2",
        "HGET m a",
        "EXEC",
        Unordered("SCAN 0 TYPE hash COUNT 100"),
        "TYPE h2",
        "DEL h2",
        "EXISTS h2",
        TypeOnly("MEMORY USAGE big2"),
    )


def test_memory_usage_is_sane(compat):
    with compat.session() as s:
        s.fk.call("HSET", "small", "a", "1")
        fields = []
        for i in range(1000):
            fields += [b"f%d" % i, b"v" * 20]
        s.fk.call("HSET", "big", *fields)
        small = s.fk.call("MEMORY", "USAGE", "small")
        big = s.fk.call("MEMORY", "USAGE", "big")
        big_all = s.fk.call("MEMORY", "USAGE", "big", "SAMPLES", 0)
        assert 0 < small < 200
        assert 1000 * 40 < big < 1000 * 120, big
        assert abs(big - big_all) < big * 0.2


# --------------------------------------------------------------------------
# random operations, both servers, across the conversion
# --------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_ops_vs_redis(compat, hash_config, seed):
    rnd = random.Random(seed)
    with compat.session() as s:
        s.check("CONFIG SET hash-max-listpack-entries 16",
                "CONFIG SET hash-max-listpack-value 12")
        keys = ["h1", "h2", "h3"]
        fields = ["f%d" % i for i in range(40)] + ["1", "-2", "300", ""]

        def val():
            r = rnd.random()
            if r < 0.3:
                return str(rnd.randint(-1000, 1000))
            if r < 0.4:
                return "%.3f" % rnd.uniform(-10, 10)
            return "v" * rnd.randint(0, 15)

        for _ in range(600):
            k = rnd.choice(keys)
            op = rnd.random()
            if op < 0.3:
                args = []
                for _ in range(rnd.randint(1, 4)):
                    args += [rnd.choice(fields), val()]
                cmd = ("HSET", k, *args)
            elif op < 0.4:
                cmd = ("HSETNX", k, rnd.choice(fields), val())
            elif op < 0.55:
                cmd = ("HDEL", k, *rnd.sample(fields, rnd.randint(1, 6)))
            elif op < 0.65:
                cmd = ("HINCRBY", k, rnd.choice(fields), str(rnd.randint(-50, 50)))
            elif op < 0.72:
                cmd = ("HINCRBYFLOAT", k, rnd.choice(fields), "%.2f" % rnd.uniform(-5, 5))
            elif op < 0.8:
                cmd = ("HMGET", k, *rnd.sample(fields, 3))
            elif op < 0.85:
                cmd = ("HSTRLEN", k, rnd.choice(fields))
            elif op < 0.9:
                cmd = ("HLEN", k)
            elif op < 0.95:
                cmd = ("OBJECT", "ENCODING", k)
            else:
                cmd = ("HEXISTS", k, rnd.choice(fields))
            s.check(cmd)
        for k in keys:
            s.check(("OBJECT", "ENCODING", k), Unordered(("HGETALL", k)), ("HLEN", k))
