"""Compat tests for the sorted-set commands (ZADD ... ZSCAN): fastkv's
replies must equal a real redis-server 7.0's byte for byte.

Sorted sets iterate in (score, member) order on both servers, so range
replies are compared exactly.  Random picks (ZRANDMEMBER) are compared by
shape, and their properties are checked on both servers; ZSCAN of a
skiplist-encoded set iterates in hash order, compared as a multiset.
"""
import random

import pytest

from kvtest import Shape, Unordered, NoCompare, to_py
from test_notify import kn  # noqa: F401  (fixture)

pytestmark = pytest.mark.compat


@pytest.fixture
def zset_config(compat):
    """CONFIG SET zset-max-listpack-* inside a test; restored after."""
    yield
    for srv in (compat.fk_server, compat.rd_server):
        with srv.raw() as c:
            assert c.call_raw("CONFIG", "SET", "zset-max-listpack-entries", "128") == b"+OK\r\n"
            assert c.call_raw("CONFIG", "SET", "zset-max-listpack-value", "64") == b"+OK\r\n"


SCORES = ["0.1", "1e17", "1.5e-7", "inf", "-inf", "3.0", "-0", "1e308", "-2.5", "123456789012",
          "4.5e15", "9007199254740993", "0.30000000000000004", "+5", " 7", "0x10"]


# --------------------------------------------------------------------------
# ZADD ZINCRBY
# --------------------------------------------------------------------------

def test_zadd_scores_printed_as_redis(compat):
    cmds = []
    for i, s in enumerate(SCORES):
        cmds += [("ZADD", "z", s, "m%d" % i), ("ZSCORE", "z", "m%d" % i)]
    compat.check(*cmds, "ZRANGE z 0 -1 WITHSCORES", "ZSCAN z 0", "OBJECT ENCODING z",
                 "ZRANGEBYSCORE z -inf +inf WITHSCORES")
    compat.check(*cmds, resp3=True)


def test_zadd_options_and_errors(compat):
    compat.check(
        "ZADD z 1 a 2 b", "ZADD z NX 5 a 3 c", "ZRANGE z 0 -1 WITHSCORES",
        "ZADD z XX 6 a 4 d", "ZRANGE z 0 -1 WITHSCORES", "ZADD z CH 6 a 7 b 8 e",
        "ZADD z GT 1 a 9 b", "ZADD z LT 1 a 99 b", "ZADD z GT CH 100 a", "ZADD z LT XX CH 0 a 0 zz",
        "ZRANGE z 0 -1 WITHSCORES",
        "ZADD z NX XX 1 a", "ZADD z GT LT 1 a", "ZADD z NX GT 1 a", "ZADD z NX LT 1 a",
        "ZADD z INCR 1 a 2 b", "ZADD z 1", "ZADD z 1 a 2", "ZADD z", "ZADD z nan a",
        "ZADD z abc a", "ZADD z 1 a x b", "ZADD z '' a", "ZADD z INCR nan a",
        "ZADD z INCR 5 a", "ZADD z INCR NX 5 a", "ZADD z INCR XX 5 nope", "ZADD z INCR GT -1 a",
        "ZADD z INCR LT -1 a", "ZADD z INCR LT 1 a",
        "ZADD missing XX 1 a", "EXISTS missing", "ZADD missing XX INCR 1 a", "EXISTS missing",
        "ZADD inf 1 a", "ZADD inf INCR inf a", "ZADD inf INCR -inf a", "ZSCORE inf a",
        "ZINCRBY inf -inf a", "ZINCRBY inf 1 a", "ZINCRBY z 2.5 new", "ZINCRBY z x a",
        "ZINCRBY z 1", "ZSCORE z new",
        "SET s v", "ZADD s 1 a", "ZINCRBY s 1 a", "ZADD s XX 1 a",
    )


def test_zadd_duplicates_and_update_order(compat):
    compat.check(
        "ZADD z 1 a 1 a 2 a", "ZRANGE z 0 -1 WITHSCORES", "ZCARD z",
        "ZADD z 0 b 0 c 0 a", "ZRANGE z 0 -1 WITHSCORES", "ZADD z -0 c", "ZSCORE z c",
        "ZADD z 5 b", "ZRANGE z 0 -1", "ZRANK z b", "ZREVRANK z b",
    )


# --------------------------------------------------------------------------
# ZREM ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK
# --------------------------------------------------------------------------

def test_zrem_zcard_zscore(compat):
    compat.check(
        "ZADD z 1 a 2 b 3 c", "ZREM z a x", "ZREM z x", "ZCARD z", "ZSCORE z b", "ZSCORE z a",
        "ZMSCORE z a b c x", "ZMSCORE missing a b", "ZSCORE missing a", "ZCARD missing",
        "ZRANK z c", "ZREVRANK z c", "ZRANK z a", "ZRANK missing a", "ZREVRANK missing a",
        "ZREM z b c x", "EXISTS z", "ZREM missing a",
        "SET s v", "ZREM s a", "ZCARD s", "ZSCORE s a", "ZMSCORE s a", "ZRANK s a",
    )


# --------------------------------------------------------------------------
# ZCOUNT ZLEXCOUNT, ranges
# --------------------------------------------------------------------------

def _fill(n=10):
    return [("ZADD", "z") + tuple(x for i in range(n) for x in (str(i), "m%d" % i)),
            "ZADD z -inf ninf +inf pinf"]


@pytest.mark.parametrize("skiplist", [False, True])
def test_score_ranges(compat, zset_config, skiplist):
    pre = ["CONFIG SET zset-max-listpack-entries %d" % (0 if skiplist else 128)]
    ranges = [("-inf", "+inf"), ("(1", "3"), ("1", "(3"), ("(1", "(3"), ("(1", "(1"),
              ("1", "1"), ("3", "1"), ("-inf", "-inf"), ("+inf", "+inf"), ("(-inf", "(+inf"),
              ("5", "+inf"), ("-inf", "(0"), ("(8", "100"), ("2.5", "4.5"), ("", "3"), ("(", "2"),
              ("inf", "-inf"), ("-INF", "INF")]
    cmds = list(pre) + _fill()
    for mn, mx in ranges:
        cmds += [("ZCOUNT", "z", mn, mx), ("ZRANGEBYSCORE", "z", mn, mx),
                 ("ZRANGEBYSCORE", "z", mn, mx, "WITHSCORES"),
                 ("ZREVRANGEBYSCORE", "z", mx, mn, "WITHSCORES"),
                 ("ZRANGE", "z", mn, mx, "BYSCORE", "LIMIT", "1", "2"),
                 ("ZRANGE", "z", mx, mn, "BYSCORE", "REV", "LIMIT", "1", "2", "WITHSCORES")]
    cmds += ["OBJECT ENCODING z", "ZCOUNT z a 1", "ZCOUNT z 1 (a", "ZCOUNT z nan 1",
             "ZRANGEBYSCORE z x 1", "ZCOUNT missing 1 2", "ZRANGEBYSCORE missing 1 2"]
    compat.check(*cmds)


@pytest.mark.parametrize("skiplist", [False, True])
def test_limit_edge_cases(compat, zset_config, skiplist):
    cmds = ["CONFIG SET zset-max-listpack-entries %d" % (0 if skiplist else 128)] + _fill()
    for off, cnt in [(0, 0), (0, -1), (0, 3), (3, 3), (11, 1), (12, 1), (100, 5), (-1, 2),
                     (-5, -5), (2, -1), (0, 100)]:
        cmds += [("ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", off, cnt),
                 ("ZREVRANGEBYSCORE", "z", "+inf", "-inf", "WITHSCORES", "LIMIT", off, cnt),
                 ("ZRANGEBYLEX", "z", "-", "+", "LIMIT", off, cnt),
                 ("ZRANGE", "z", "(1", "+inf", "BYSCORE", "LIMIT", off, cnt)]
    cmds += ["ZRANGEBYSCORE z 0 1 LIMIT 0", "ZRANGEBYSCORE z 0 1 LIMIT a 1",
             "ZRANGEBYSCORE z 0 1 LIMIT 0 b", "ZRANGE z 0 1 LIMIT 0 1",
             "ZRANGEBYSCORE z 0 1 WITHSCORES x", "ZRANGE z 0 -1 BYLEX WITHSCORES",
             "ZRANGEBYLEX z - + WITHSCORES", "ZRANGE z 0 1 BYSCORE BYLEX",
             "ZRANGE z 0 1 REV REV", "ZREVRANGE z 0 1 REV", "ZRANGEBYSCORE z 0 1 REV"]
    compat.check(*cmds)


@pytest.mark.parametrize("skiplist", [False, True])
def test_lex_ranges(compat, zset_config, skiplist):
    cmds = ["CONFIG SET zset-max-listpack-entries %d" % (0 if skiplist else 128),
            "ZADD z 0 a 0 b 0 c 0 d 0 e 0 f 0 ab 0 '' 0 1 0 10 0 2"]
    ranges = [("-", "+"), ("[a", "[c"), ("(a", "[c"), ("[a", "(c"), ("(a", "(a"), ("[a", "[a"),
              ("+", "-"), ("-", "-"), ("+", "+"), ("[", "[b"), ("(", "+"), ("[c", "[a"),
              ("-", "(b"), ("[1", "[2"), ("[z", "+")]
    for mn, mx in ranges:
        cmds += [("ZLEXCOUNT", "z", mn, mx), ("ZRANGEBYLEX", "z", mn, mx),
                 ("ZREVRANGEBYLEX", "z", mx, mn), ("ZRANGE", "z", mn, mx, "BYLEX", "LIMIT", 1, 3),
                 ("ZRANGE", "z", mx, mn, "BYLEX", "REV", "LIMIT", 0, 2)]
    cmds += ["ZLEXCOUNT z a b", "ZLEXCOUNT z [a b", "ZLEXCOUNT z ++ +", "ZLEXCOUNT z - --",
             "ZRANGEBYLEX z a +", "ZLEXCOUNT missing - +", "ZRANGEBYLEX missing - +",
             "SET s v", "ZLEXCOUNT s - +", "ZRANGEBYLEX s - +", "ZCOUNT s 0 1"]
    compat.check(*cmds)


@pytest.mark.parametrize("skiplist", [False, True])
def test_rank_ranges(compat, zset_config, skiplist):
    cmds = ["CONFIG SET zset-max-listpack-entries %d" % (0 if skiplist else 128)] + _fill()
    for a, b in [(0, -1), (0, 0), (-1, -1), (-3, -1), (2, 5), (5, 2), (-100, 100), (11, 20),
                 (12, 20), (-20, -13), (0, -13), (3, 3)]:
        cmds += [("ZRANGE", "z", a, b), ("ZRANGE", "z", a, b, "WITHSCORES"),
                 ("ZREVRANGE", "z", a, b, "WITHSCORES"), ("ZRANGE", "z", a, b, "REV")]
    cmds += ["ZRANGE z a 1", "ZRANGE z 0 1.5", "ZRANGE missing 0 -1", "ZREVRANGE missing 0 -1",
             "ZRANGE z 0 9999999999999999999", "SET s v", "ZRANGE s 0 -1"]
    compat.check(*cmds)
    compat.check(*cmds[:3], "ZRANGE z 0 2 WITHSCORES", "ZREVRANGE z 0 2 WITHSCORES",
                 "ZRANGEBYSCORE z 1 3 WITHSCORES", "ZRANGE z 0 2", resp3=True)


# --------------------------------------------------------------------------
# ZRANGESTORE ZREMRANGEBY*
# --------------------------------------------------------------------------

def test_zrangestore(compat, zset_config):
    compat.check(
        *_fill(),
        "ZRANGESTORE d z 0 2", "ZRANGE d 0 -1 WITHSCORES", "OBJECT ENCODING d",
        "ZRANGESTORE d z (1 5 BYSCORE LIMIT 1 2", "ZRANGE d 0 -1 WITHSCORES",
        "ZRANGESTORE d z 5 (1 BYSCORE REV", "ZRANGE d 0 -1 WITHSCORES",
        "ZRANGESTORE d z [m1 [m3 BYLEX", "ZRANGE d 0 -1",
        "ZRANGESTORE d z 50 60", "EXISTS d", "ZRANGESTORE d missing 0 -1", "EXISTS d",
        "ZRANGESTORE d z 0 -1 WITHSCORES", "ZRANGESTORE d z 0 1 LIMIT 0 1",
        "ZRANGESTORE z z 1 2", "ZRANGE z 0 -1 WITHSCORES",
        "SET s v", "ZRANGESTORE s z 0 -1", "TYPE s", "ZRANGESTORE d s 0 -1",
        "CONFIG SET zset-max-listpack-entries 3",
        "ZADD big 1 a 2 b 3 c 4 d", "ZRANGESTORE d big 0 2", "OBJECT ENCODING d",
        "ZRANGESTORE d big 0 3", "OBJECT ENCODING d",
        "ZRANGESTORE d big -inf +inf BYSCORE", "OBJECT ENCODING d",
        "ZRANGESTORE d big -inf 3 BYSCORE", "OBJECT ENCODING d",
        "CONFIG SET zset-max-listpack-value 2", "ZADD lv 1 aaa", "OBJECT ENCODING lv",
        "ZRANGESTORE d lv 0 -1", "OBJECT ENCODING d",
    )


@pytest.mark.parametrize("skiplist", [False, True])
def test_zremrange(compat, zset_config, skiplist):
    pre = ["CONFIG SET zset-max-listpack-entries %d" % (0 if skiplist else 128)]
    cmds = []
    for cmd in ["ZREMRANGEBYRANK z 0 2", "ZREMRANGEBYRANK z -3 -1", "ZREMRANGEBYRANK z 5 2",
                "ZREMRANGEBYRANK z 20 30", "ZREMRANGEBYRANK z -100 100",
                "ZREMRANGEBYSCORE z (1 5", "ZREMRANGEBYSCORE z -inf (0",
                "ZREMRANGEBYSCORE z 3 1", "ZREMRANGEBYSCORE z -inf +inf",
                "ZREMRANGEBYLEX z [m1 [m5", "ZREMRANGEBYLEX z - +", "ZREMRANGEBYLEX z (m9 +",
                "ZREMRANGEBYLEX z (m1 (m1", "ZREMRANGEBYLEX z + -"]:
        if "LEX" in cmd:   # lex ranges are defined when all scores are equal
            fill = [("ZADD", "z") + tuple(x for i in range(10) for x in ("0", "m%d" % i))]
        else:
            fill = _fill()
        cmds += ["DEL z"] + fill + [cmd, "ZRANGE z 0 -1 WITHSCORES", "EXISTS z"]
    cmds += ["ZREMRANGEBYRANK z a 1", "ZREMRANGEBYSCORE z a 1", "ZREMRANGEBYLEX z a b",
             "ZREMRANGEBYRANK missing 0 -1", "SET s v", "ZREMRANGEBYRANK s 0 -1",
             "ZREMRANGEBYSCORE s 0 1", "ZREMRANGEBYLEX s - +"]
    compat.check(*pre, *cmds)


# --------------------------------------------------------------------------
# ZPOPMIN ZPOPMAX ZMPOP
# --------------------------------------------------------------------------

def test_zpop(compat):
    cmds = [*_fill(), "ZPOPMIN z", "ZPOPMAX z", "ZPOPMIN z 2", "ZPOPMAX z 0", "ZPOPMIN z -1",
            "ZPOPMIN z a", "ZPOPMIN z 1 2", "ZPOPMAX z 3", "ZPOPMIN z 100", "EXISTS z",
            "ZPOPMIN missing", "ZPOPMIN missing 2", "ZPOPMAX missing 0",
            *_fill(3),
            "ZMPOP 1 z MIN", "ZMPOP 2 missing z MAX COUNT 2", "ZMPOP 1 z MIN COUNT 10",
            "ZMPOP 1 z MIN", "ZMPOP 0 z MIN", "ZMPOP -1 z MIN", "ZMPOP a z MIN",
            "ZMPOP 1 z", "ZMPOP 1 z LEFT", "ZMPOP 2 z MIN", "ZMPOP 1 z MIN COUNT 0",
            "ZMPOP 1 z MIN COUNT -1", "ZMPOP 1 z MIN COUNT 1 COUNT 1", "ZMPOP 1 z MIN COUNT",
            "ZMPOP 1 z MIN foo", "ZMPOP 5 z MIN",
            "SET s v", "ZPOPMIN s", "ZMPOP 1 s MIN", "ZADD z 1 a", "ZMPOP 2 s z MIN",
            "ZMPOP 2 z s MIN", "ZPOPMAX missing"]
    compat.check(*cmds)
    compat.check(*cmds, resp3=True)


# --------------------------------------------------------------------------
# ZRANDMEMBER
# --------------------------------------------------------------------------

def test_zrandmember_shapes_and_properties(compat):
    cmds = ["ZADD z 1 a 2 b 3 c 4 d 5 e", "ZADD one 7 x",
            "ZRANDMEMBER missing", "ZRANDMEMBER missing 3", "ZRANDMEMBER z 0",
            "ZRANDMEMBER one", "ZRANDMEMBER one 1", "ZRANDMEMBER one -3 WITHSCORES",
            "ZRANDMEMBER one 5 WITHSCORES", "ZRANDMEMBER z 10", "ZRANDMEMBER z 10 WITHSCORES",
            "ZRANDMEMBER z 1 x", "ZRANDMEMBER z a", "ZRANDMEMBER z 1 WITHSCORES x",
            "ZRANDMEMBER z -9223372036854775807 WITHSCORES",
            Shape("ZRANDMEMBER z"), Shape("ZRANDMEMBER z 3"), Shape("ZRANDMEMBER z -7"),
            Shape("ZRANDMEMBER z 3 WITHSCORES"), Shape("ZRANDMEMBER z -8 WITHSCORES"),
            "SET s v", "ZRANDMEMBER s", "ZRANDMEMBER s 1"]
    compat.check(*cmds)
    compat.check(*cmds, resp3=True)


@pytest.mark.parametrize("n", [5, 300])
def test_zrandmember_properties(r, n):
    r.delete("rz")
    members = {b"m%d" % i: float(i) for i in range(n)}
    r.zadd("rz", members)
    for count in [1, 2, 4, n - 1, n, n + 5]:
        got = r.zrandmember("rz", count)
        assert len(got) == min(count, n) and len(set(got)) == len(got)
        assert set(got) <= set(members)
        got = r.zrandmember("rz", -count, withscores=True)
        pairs = list(got) if got and isinstance(got[0], (list, tuple)) else \
            list(zip(got[0::2], got[1::2]))
        assert len(pairs) == count
        for m, s in pairs:
            assert float(s) == members[m]
    seen = set()
    for _ in range(200):
        seen.add(r.zrandmember("rz"))
    assert len(seen) > 1


# --------------------------------------------------------------------------
# ZUNION ZINTER ZDIFF (+STORE) ZINTERCARD
# --------------------------------------------------------------------------

SETOPS = ["ZADD a 1 x 2 y 3 z", "ZADD b 10 y 20 z 30 w", "SADD s x w q", "SADD i 1 2 3",
          "ZADD c inf x -inf y", "ZADD d -inf x inf y"]


def test_set_operations(compat):
    cmds = list(SETOPS)
    for op in ["ZUNION", "ZINTER"]:
        for args in ["2 a b", "2 a b WITHSCORES", "3 a b s WITHSCORES", "2 a missing WITHSCORES",
                     "2 a b WEIGHTS 2 0.5 WITHSCORES", "2 a b AGGREGATE MIN WITHSCORES",
                     "2 a b AGGREGATE MAX WITHSCORES", "2 a b WEIGHTS 1 -1 AGGREGATE SUM WITHSCORES",
                     "2 c d WITHSCORES", "2 c d WEIGHTS 0 1 WITHSCORES", "2 c c WITHSCORES",
                     "2 a a WEIGHTS 1 2 WITHSCORES", "1 i WITHSCORES", "2 i s WITHSCORES",
                     "2 a b WEIGHTS 1", "2 a b WEIGHTS 1 x", "2 a b AGGREGATE avg",
                     "2 a b AGGREGATE", "0 a", "-1 a", "x a", "3 a b", "2 a b foo",
                     "1 missing WITHSCORES", "2 a b WEIGHTS inf nan WITHSCORES",
                     "2 a b WEIGHTS inf -inf WITHSCORES"]:
            cmds.append("%s %s" % (op, args))
    for args in ["2 a b", "2 a b WITHSCORES", "3 b a s WITHSCORES", "2 a missing WITHSCORES",
                 "1 missing", "2 a b WEIGHTS 1 1", "2 a b AGGREGATE SUM", "2 s a WITHSCORES"]:
        cmds.append("ZDIFF " + args)
    cmds += ["ZINTERCARD 2 a b", "ZINTERCARD 2 a b LIMIT 1", "ZINTERCARD 2 a b LIMIT 0",
             "ZINTERCARD 2 a b LIMIT -1", "ZINTERCARD 2 a s", "ZINTERCARD 1 missing",
             "ZINTERCARD 0 a", "ZINTERCARD 2 a b WITHSCORES", "ZINTERCARD 2 a b LIMIT x",
             "ZINTERCARD 3 a b"]
    cmds += ["SET str v", "ZUNION 2 a str", "ZINTER 2 str a", "ZDIFF 2 a str",
             "ZINTERCARD 2 a str", "ZUNIONSTORE d 2 a str", "HSET h f v", "ZUNION 1 h"]
    compat.check(*cmds)
    compat.check(*cmds, resp3=True)


def test_set_operations_store(compat, zset_config):
    compat.check(
        *SETOPS,
        "ZUNIONSTORE d 2 a b", "ZRANGE d 0 -1 WITHSCORES", "OBJECT ENCODING d",
        "ZINTERSTORE d 2 a b WEIGHTS 2 3", "ZRANGE d 0 -1 WITHSCORES",
        "ZDIFFSTORE d 2 a b", "ZRANGE d 0 -1 WITHSCORES",
        "ZINTERSTORE d 2 a missing", "EXISTS d", "ZDIFFSTORE d 1 missing", "EXISTS d",
        "ZUNIONSTORE a 2 a b", "ZRANGE a 0 -1 WITHSCORES",
        "ZUNIONSTORE d 2 a b WITHSCORES", "ZDIFFSTORE d 2 a b WEIGHTS 1 2",
        "ZUNIONSTORE d 0 a", "SET str v", "ZUNIONSTORE str 1 b", "TYPE str",
        "CONFIG SET zset-max-listpack-entries 2", "ZUNIONSTORE d 2 a b", "OBJECT ENCODING d",
        "ZINTERSTORE d 2 a b", "OBJECT ENCODING d",
        "CONFIG SET zset-max-listpack-entries 0", "ZINTERSTORE d 2 a b", "OBJECT ENCODING d",
        "CONFIG SET zset-max-listpack-entries 128", "CONFIG SET zset-max-listpack-value 1",
        "ZUNIONSTORE d 1 a", "OBJECT ENCODING d", "ZUNIONSTORE d 1 i", "OBJECT ENCODING d",
    )


# --------------------------------------------------------------------------
# ZSCAN
# --------------------------------------------------------------------------

def test_zscan(compat, zset_config):
    compat.check(
        "ZADD z 1 a 2.5 b 0.1 c 1e17 d -inf e -0 f", "ZSCAN z 0", "ZSCAN z 0 MATCH a*",
        "ZSCAN z 0 COUNT 1", "ZSCAN z 0 COUNT 0", "ZSCAN z 0 COUNT x", "ZSCAN z x",
        "ZSCAN z 0 TYPE zset", "ZSCAN z 0 MATCH", "ZSCAN missing 0", "ZSCAN missing x",
        "SET s v", "ZSCAN s 0",
        "CONFIG SET zset-max-listpack-entries 0", "ZADD y 1 a 2.5 b 0.1 c 1e17 d -inf e",
        "OBJECT ENCODING y", Unordered("ZSCAN y 0 COUNT 100"),
        Unordered("ZSCAN y 0 COUNT 100 MATCH [ab]"),
    )
    compat.check("ZADD z 1 a", "ZSCAN z 0", resp3=True)


def test_zscan_full_iteration_of_big_set(r):
    n = 2000
    r.delete("big")
    r.zadd("big", {"m%d" % i: i for i in range(n)})
    cursor, seen = 0, {}
    while True:
        cursor, items = r.zscan("big", cursor, count=50)
        for m, s in items:
            seen[m] = float(s)
        if cursor == 0:
            break
    assert len(seen) == n
    assert all(seen[b"m%d" % i] == i for i in range(n))


# --------------------------------------------------------------------------
# encodings at the exact thresholds
# --------------------------------------------------------------------------

def test_encoding_thresholds(compat, zset_config):
    with compat.session() as s:
        s.check("CONFIG SET zset-max-listpack-entries 4",
                "ZADD z 1 a 2 b 3 c 4 d", "OBJECT ENCODING z",
                "ZADD z 5 e", "OBJECT ENCODING z", "ZRANGE z 0 -1 WITHSCORES",
                "ZREM z a b c d", "OBJECT ENCODING z",       # never converts back
                "ZADD w 1 a 2 b 3 c 4 d 5 e", "OBJECT ENCODING w",
                "CONFIG SET zset-max-listpack-entries 128",
                "CONFIG SET zset-max-listpack-value 4",
                "ZADD v 1 abcd", "OBJECT ENCODING v", "ZADD v 2 abcde", "OBJECT ENCODING v",
                "ZADD u 1 abcde", "OBJECT ENCODING u",
                "CONFIG SET zset-max-ziplist-entries 0", "ZADD t 1 a", "OBJECT ENCODING t",
                "CONFIG GET zset-max-ziplist-entries", "CONFIG SET zset-max-ziplist-entries 128",
                "ZADD x 1 a", "OBJECT ENCODING x", "ZINCRBY x 1 abcdefgh", "OBJECT ENCODING x",
                "ZADD y 1 a", "ZADD y XX 1 abcdefgh", "OBJECT ENCODING y")


# --------------------------------------------------------------------------
# type table: TYPE COPY RENAME MOVE MEMORY USAGE DEBUG OBJECT
# --------------------------------------------------------------------------

def test_type_table(compat, zset_config):
    compat.check(
        "ZADD z 1 a 2 b", "TYPE z", "COPY z c", "ZRANGE c 0 -1 WITHSCORES", "OBJECT ENCODING c",
        "CONFIG SET zset-max-listpack-entries 1", "ZADD s 1 a 2 b 3 c", "COPY s t",
        "OBJECT ENCODING t", "ZRANGE t 0 -1 WITHSCORES", "ZADD t 9 a", "ZSCORE s a",
        "RENAME t r", "ZRANGE r 0 -1", "MOVE r 1", "EXISTS r", "SELECT 1", "ZCARD r", "SELECT 0",
        Unordered("SCAN 0 TYPE zset"), NoCompare("MEMORY USAGE s"), NoCompare("MEMORY USAGE z"),
        NoCompare("DEBUG OBJECT s"),
    )


# --------------------------------------------------------------------------
# keyspace events
# --------------------------------------------------------------------------

def _run(n, *cmds):
    for cmd in cmds:
        word = cmd.split()[0].upper()
        n.c.call(cmd, mode="shape" if word == "ZRANDMEMBER" else None)


def test_events(kn):
    n = kn("KEAn")
    _run(n, "ZADD z 1 a 2 b", "ZADD z 1 a", "ZADD z NX 3 a", "ZADD z CH 3 a", "ZINCRBY z 1 a",
         "ZADD z INCR 1 c", "ZREM z x", "ZREM z a", "ZREM z b c", "EXISTS z",
         "ZADD z 1 a 2 b 3 c 4 d", "ZREMRANGEBYRANK z 0 0", "ZREMRANGEBYSCORE z 2 2",
         "ZREMRANGEBYLEX z [c [c", "ZREMRANGEBYRANK z 5 6", "ZREMRANGEBYSCORE z 0 100",
         "ZADD z 1 a 2 b 3 c", "ZPOPMIN z", "ZPOPMAX z", "ZPOPMIN z 0", "ZPOPMIN z 5",
         "ZADD z 1 a 2 b", "ZMPOP 1 z MAX COUNT 5", "ZADD inf 1 a", "ZADD inf INCR -inf a")
    ev = n.events()
    assert ev[:4] == ["K0 new z", "E0 new z", "K0 zadd z", "E0 zadd z"]
    assert "K0 zincr z" in ev and "K0 zrem z" in ev and "K0 del z" in ev
    assert "K0 zpopmin z" in ev and "K0 zpopmax z" in ev and "K0 zremrangebyrank z" in ev


def test_events_store(kn):
    n = kn("KEAn")
    _run(n, "ZADD a 1 x 2 y", "ZADD b 2 y", "SADD s x",
         "ZUNIONSTORE d 2 a b", "ZINTERSTORE d 2 a b", "ZDIFFSTORE d 2 a b",
         "ZINTERSTORE d 2 a missing", "ZINTERSTORE d 2 a missing", "ZRANGESTORE e a 0 -1",
         "ZRANGESTORE e a 5 6", "ZRANGESTORE e a 5 6", "ZUNIONSTORE f 2 a s",
         "SET str v", "EXPIRE str 100", "ZUNIONSTORE str 1 a", "TTL str",
         "ZDIFFSTORE a 2 a a", "EXISTS a")
    ev = n.events()
    assert "K0 zunionstore d" in ev and "K0 zinterstore d" in ev and "K0 zdiffstore d" in ev
    assert "K0 zrangestore e" in ev


# --------------------------------------------------------------------------
# a randomised model run (both encodings, every command that changes a set)
# --------------------------------------------------------------------------

def test_random_ops_vs_redis(compat, zset_config):
    rnd = random.Random(11)
    cmds = ["CONFIG SET zset-max-listpack-entries 16", "CONFIG SET zset-max-listpack-value 8"]
    members = ["a", "b", "c", "dd", "eee", "ffffffffff", "1", "10", "-3", "x" * 9]
    for _ in range(600):
        k = rnd.choice(["z1", "z2"])
        m = rnd.choice(members) + str(rnd.randrange(3))
        s = rnd.choice(["1", "2", "-1.5", "inf", "-inf", "0", "3.25", str(rnd.randrange(-5, 5))])
        op = rnd.randrange(12)
        if op < 4:
            cmds.append(("ZADD", k, s, m))
        elif op == 4:
            cmds.append(("ZINCRBY", k, s, m))
        elif op == 5:
            cmds.append(("ZREM", k, m))
        elif op == 6:
            cmds.append(("ZRANGE", k, "0", "-1", "WITHSCORES"))
        elif op == 7:
            cmds.append(("ZRANK", k, m))
        elif op == 8:
            cmds.append(("ZRANGEBYSCORE", k, "(-1", "3", "WITHSCORES", "LIMIT", "1", "4"))
        elif op == 9:
            cmds.append(("OBJECT", "ENCODING", k))
        elif op == 10:
            cmds.append(rnd.choice([("ZPOPMIN", k), ("ZPOPMAX", k, "2"),
                                    ("ZREMRANGEBYRANK", k, "0", "1"),
                                    ("ZUNIONSTORE", "z1", "2", "z1", "z2")]))
        else:
            cmds.append(("ZREVRANGE", k, "0", "3", "WITHSCORES"))
    compat.check(*cmds)


# --------------------------------------------------------------------------
# WRONGTYPE everywhere, RESP3 nulls
# --------------------------------------------------------------------------

def test_wrongtype_every_command(compat):
    compat.check(
        "SET s v", "ZADD z 1 a",
        "ZADD s 1 a", "ZINCRBY s 1 a", "ZREM s a", "ZCARD s", "ZSCORE s a", "ZMSCORE s a",
        "ZRANK s a", "ZREVRANK s a", "ZCOUNT s 0 1", "ZLEXCOUNT s - +", "ZRANGE s 0 -1",
        "ZRANGESTORE d s 0 -1", "ZREVRANGE s 0 -1", "ZRANGEBYSCORE s 0 1",
        "ZREVRANGEBYSCORE s 1 0", "ZRANGEBYLEX s - +", "ZREVRANGEBYLEX s + -",
        "ZREMRANGEBYRANK s 0 1", "ZREMRANGEBYSCORE s 0 1", "ZREMRANGEBYLEX s - +",
        "ZPOPMIN s", "ZPOPMAX s 2", "ZMPOP 1 s MIN", "ZRANDMEMBER s", "ZRANDMEMBER s 2",
        "ZUNION 1 s", "ZINTER 2 z s", "ZDIFF 2 z s", "ZUNIONSTORE d 1 s", "ZINTERSTORE d 2 z s",
        "ZDIFFSTORE d 2 z s", "ZINTERCARD 2 z s", "ZSCAN s 0", "BZPOPMIN s 0.01",
        "BZPOPMAX s 0.01", "BZMPOP 0.01 1 s MIN",
        "GET z", "LPUSH z x", "SADD z x", "HSET z f v", "INCR z", "APPEND z x",
    )


def test_resp3_nulls_and_doubles(compat):
    compat.check(
        "ZADD z 1.5 a", "ZSCORE z a", "ZSCORE z x", "ZSCORE missing x", "ZMSCORE z a x",
        "ZRANK z x", "ZINCRBY z 1 a", "ZADD z INCR 1 a", "ZADD z NX INCR 1 a",
        "ZRANDMEMBER missing", "ZPOPMIN missing", "ZMPOP 1 missing MIN", "ZPOPMIN z 1",
        "ZADD z 1 a 2 b", "ZPOPMAX z", "ZRANGE z 0 -1 WITHSCORES", "ZUNION 1 z WITHSCORES",
        "ZADD y -inf a inf b", "ZRANGE y 0 -1 WITHSCORES", "BZPOPMIN missing 0.01",
        resp3=True)



@pytest.mark.parametrize("seed", [1, 2])
def test_random_ranges_vs_redis(compat, zset_config, seed):
    """Random score/rank ranges, LIMITs, removals and stores on sets that
    cross the listpack/skiplist thresholds, compared with redis-server."""
    rnd = random.Random(seed)
    cmds = ["CONFIG SET zset-max-listpack-entries 24"]

    def bound():
        v = rnd.choice(["-inf", "+inf", str(rnd.randrange(-3, 12)), "%.1f" % rnd.uniform(-3, 12)])
        return rnd.choice(["", "("]) + v if "inf" not in v or rnd.random() < 0.5 else v

    for _ in range(500):
        k = rnd.choice(["a", "b"])
        op = rnd.randrange(14)
        if op < 4:
            pairs = []
            for _ in range(rnd.randrange(1, 8)):
                pairs += [str(rnd.randrange(-3, 12) + rnd.choice([0, 0.5])), "m%d" % rnd.randrange(60)]
            cmds.append(("ZADD", k, *pairs))
        elif op == 4:
            cmds.append(("ZRANGEBYSCORE", k, bound(), bound(), "WITHSCORES"))
        elif op == 5:
            cmds.append(("ZREVRANGEBYSCORE", k, bound(), bound(), "LIMIT",
                         rnd.randrange(-1, 5), rnd.randrange(-1, 6)))
        elif op == 6:
            cmds.append(("ZCOUNT", k, bound(), bound()))
        elif op == 7:
            cmds.append(("ZRANGE", k, rnd.randrange(-30, 30), rnd.randrange(-30, 30),
                         *rnd.choice([(), ("REV",), ("WITHSCORES",), ("REV", "WITHSCORES")])))
        elif op == 8:
            cmds.append(("ZREMRANGEBYSCORE", k, bound(), bound()))
        elif op == 9:
            cmds.append(("ZREMRANGEBYRANK", k, rnd.randrange(-10, 10), rnd.randrange(-10, 10)))
        elif op == 10:
            cmds.append(("ZRANK", k, "m%d" % rnd.randrange(60)))
        elif op == 11:
            cmds.append(rnd.choice([("ZINTERSTORE", "c", 2, "a", "b", "AGGREGATE", "MAX"),
                                    ("ZUNIONSTORE", "c", 2, "a", "b", "WEIGHTS", 2, -1),
                                    ("ZDIFFSTORE", "c", 2, "a", "b"),
                                    ("ZRANGESTORE", "c", k, bound(), bound(), "BYSCORE")]))
            cmds += ["ZRANGE c 0 -1 WITHSCORES", "OBJECT ENCODING c"]
        elif op == 12:
            cmds.append(("ZPOPMIN", k, rnd.randrange(0, 4)))
        else:
            cmds += [("OBJECT", "ENCODING", k), ("ZCARD", k)]
    compat.check(*cmds)


@pytest.mark.compat
def test_random_pick_count_limits(compat):
    """The count of ZRANDMEMBER/HRANDFIELD/SRANDMEMBER at the edges of long
    long (LLONG_MIN has no positive counterpart: refused, never looped on)."""
    compat.check(
        "ZADD z 1 a 2 b", "HSET h f v", "SADD s a b",
        "ZRANDMEMBER z -9223372036854775808",
        "ZRANDMEMBER z -9223372036854775808 WITHSCORES",
        "ZRANDMEMBER z 9223372036854775807 WITHSCORES",
        "ZRANDMEMBER z -4611686018427387904 WITHSCORES",
        "ZRANDMEMBER z 0 WITHSCORES",
        "ZRANDMEMBER z 1 WITHSCORE",
        "ZRANDMEMBER z x",
        "HRANDFIELD h -9223372036854775808",
        "HRANDFIELD h -9223372036854775808 WITHVALUES",
        "HRANDFIELD h 9223372036854775807 WITHVALUES",
        "HRANDFIELD h 1 WITHSCORES",
        "SRANDMEMBER s -9223372036854775808",
        "SRANDMEMBER s 1 x",
        "ZRANDMEMBER missing -9223372036854775808",
        "HRANDFIELD missing 5",
    )
