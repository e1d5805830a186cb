"""Compat tests for the stream commands without groups (XADD XRANGE
XREVRANGE XLEN XDEL XTRIM XSETID): fastkv's replies must equal a real
redis-server 7.0's byte for byte.

Automatic IDs ("*") depend on each server's clock, so they are compared by
shape; everything else uses explicit IDs.  Approximate trimming ("~")
removes whole nodes only, so its results depend on where nodes split: the
tests set small stream-node-max-entries / -bytes to make that visible.
"""
import os
import random

import pytest

from kvtest import Shape
from test_notify import kn  # noqa: F401  (fixture)

pytestmark = pytest.mark.compat

MAX = "18446744073709551615"


@pytest.fixture
def node_config(compat):
    """CONFIG SET stream-node-max-* inside a test; restored after."""
    yield
    for srv in (compat.fk_server, compat.rd_server):
        with srv.raw() as c:
            assert c.call_raw("CONFIG", "SET", "stream-node-max-entries", "100") == b"+OK\r\n"
            assert c.call_raw("CONFIG", "SET", "stream-node-max-bytes", "4096") == b"+OK\r\n"


def nodes(entries=None, nbytes=None):
    out = []
    if entries is not None:
        out.append("CONFIG SET stream-node-max-entries %d" % entries)
    if nbytes is not None:
        out.append("CONFIG SET stream-node-max-bytes %d" % nbytes)
    return out


# --------------------------------------------------------------------------
# XADD: IDs
# --------------------------------------------------------------------------

def test_xadd_id_edge_cases(compat):
    compat.check(
        "XADD s 0-0 f v", "EXISTS s", "XADD s 0 f v", "EXISTS s", "XADD s 0-1 f v",
        "XADD s 0-1 f v", "XADD s 0-0 f v", "XADD s 0-* f v", "XADD s 0-* f v", "XADD s 1 a 1",
        "XADD s 1-* f v", "XADD s 5-* f v", "XADD s 5-* f v", "XADD s 4-* f v", "XADD s 4-100 f v",
        "XADD s 5-2 f v", "XADD s 5-3 f v", "XADD s 6-0 f v",
        "XADD s %s-%s f v" % (MAX, "100"), "XADD s %s-* f v" % MAX,
        "XADD s %s-%s f v" % (MAX, MAX), "XADD s %s-* f v" % MAX, "XADD s * f v",
        "XADD s %s-%s f v" % (MAX, MAX), "XADD s 1-1 f v", "XLEN s",
        "XRANGE s - +", "XREVRANGE s + -", "XRANGE s %s +" % MAX,
        "XADD t %s-%s f v" % (MAX, MAX), "XRANGE t - +", "XADD t * f v",
        # "ms-*" after ms-UINT64_MAX
        "XADD u 7-%s f v" % MAX, "XADD u 7-* f v", "XADD u 8-* f v", "XRANGE u - +",
    )


@pytest.mark.parametrize("bad", ["abc", "1-x", "-1", "1-", "-", "+", "1-2-3", "1--2", "x-1", "",
                                 "18446744073709551616", "1-18446744073709551616", "1.5", "1-*-",
                                 "*-1", "**", "1-**", "0x10", " 5", "+5", "5 ", "-0", "1-+2",
                                 "99999999999999999999999", "1" * 200])
def test_xadd_invalid_ids(compat, bad):
    compat.check(("XADD", "s", bad, "f", "v"), "XRANGE s - +", "EXISTS s")


def test_xadd_auto_ids_shape(compat):
    compat.check(Shape("XADD s * f v"), Shape("XADD s * f v a b"), "XLEN s",
                 Shape("XADD s 1-1 f v"), Shape("XRANGE s - + COUNT 1"))


def test_xadd_arity_and_options(compat):
    compat.check(
        "XADD s", "XADD s 1-1", "XADD s 1-1 f", "XADD s 1-1 f v a", "XADD s * f",
        "XADD s MAXLEN", "XADD s MAXLEN 1", "XADD s MAXLEN 1 f v", "XADD s MAXLEN x 1-1 f v",
        "XADD s MAXLEN -1 1-1 f v", "XADD s MAXLEN ~ 1-1 f v", "XADD s MAXLEN = 1 1-1 f v",
        "XADD s LIMIT 5 1-2 f v", "XADD s MAXLEN 1 LIMIT 5 1-3 f v",
        "XADD s MAXLEN ~ 1 LIMIT -1 1-4 f v", "XADD s MAXLEN ~ 1 LIMIT x 1-4 f v",
        "XADD s MAXLEN 1 MINID 1 1-5 f v", "XADD s MINID 1 MAXLEN 1 1-5 f v",
        "XADD s MINID x 1-5 f v", "XADD s MINID - 1-5 f v", "XADD s MINID + 1-5 f v",
        "XADD s MINID ~ 1 LIMIT 0 1-6 f v", "XADD s maxlen ~ 10 limit 0 1-7 f v",
        "XADD s NOMKSTREAM 1-8 f v", "XADD s NOMKSTREAM NOMKSTREAM 1-9 f v",
        "XADD missing NOMKSTREAM 1-1 f v", "EXISTS missing",
        "XADD missing NOMKSTREAM * f v", "XADD missing NOMKSTREAM MAXLEN 0 * f v",
        "XADD s nomkstream maxlen = 0 2-0 f v", "XLEN s", "XRANGE s - +",
        "XADD s MAXLEN 0 LIMIT", "XADD s FOO 3-0 f v",
    )
    compat.check("XADD missing NOMKSTREAM 1-1 f v", resp3=True)


def test_xadd_fields(compat):
    compat.check(
        "XADD s 1-1 a 1 b 2", "XADD s 1-2 a 3 b 4", "XADD s 1-3 b 3 a 4", "XADD s 1-4 a 1",
        "XADD s 1-5 a 1 b 2 c 3", "XADD s 1-6 a 1 a 2", "XADD s 1-7 1 2 -3 4 100000 x",
        "XADD s 1-8 '' '' x ''", "XRANGE s - +", "XREVRANGE s + -", "XLEN s",
    )


def test_many_fields_and_ids(compat, node_config):
    fv = " ".join("f%d v%d" % (i, i) for i in range(70))
    compat.check(*nodes(entries=5),
                 *["XADD s %d-0 %s" % (i, fv) for i in range(1, 8)],
                 *["XADD s %d-0 f v" % i for i in range(8, 40)],
                 "XDEL s " + " ".join("%d-0" % i for i in range(2, 40, 2)),
                 "XDEL s " + " ".join("%d-0" % i for i in range(1, 12)) + " bad",
                 "XRANGE s - +", "XLEN s", "XREVRANGE s + - COUNT 3")


def test_xadd_big_values_and_node_bytes(compat, node_config):
    big = "x" * 3000
    compat.check(*nodes(nbytes=1024),
                 *["XADD s 1-%d f %s" % (i, big if i % 3 == 0 else "v%d" % i) for i in range(1, 30)],
                 "XLEN s", "XRANGE s - +", "XREVRANGE s + - COUNT 5",
                 "XTRIM s MAXLEN ~ 10", "XLEN s", "XRANGE s - + COUNT 3",
                 "XTRIM s MAXLEN ~ 0", "XLEN s")


# --------------------------------------------------------------------------
# XRANGE XREVRANGE
# --------------------------------------------------------------------------

def _fill(n, ms_step=1, seqs=3):
    out = []
    for i in range(n):
        for s in range(seqs):
            out.append("XADD s %d-%d f %d" % (i * ms_step + 1, s, i * seqs + s))
    return out


def test_xrange_bounds(compat):
    compat.check(
        *_fill(10),
        "XRANGE s - +", "XRANGE s 3 5", "XRANGE s 3-1 5-1", "XRANGE s (3-1 (5-1", "XRANGE s (3 5",
        "XRANGE s 3 (5", "XRANGE s (3-0 +", "XRANGE s - (2-1", "XRANGE s 5 3", "XRANGE s 11 +",
        "XRANGE s - 0", "XRANGE s 0 0-0", "XRANGE s (0-0 +", "XRANGE s - (0-0", "XRANGE s (- +",
        "XRANGE s - (+", "XRANGE s ( +", "XRANGE s (%s-%s +" % (MAX, MAX),
        "XRANGE s - (%s-%s" % (MAX, MAX), "XRANGE s %s +" % MAX, "XRANGE s (5-%s +" % MAX,
        "XREVRANGE s + -", "XREVRANGE s 5 3", "XREVRANGE s (5-1 (3-1", "XREVRANGE s 3 5",
        "XREVRANGE s (5 3", "XREVRANGE s + (10-1", "XREVRANGE s 0 -", "XREVRANGE s - +",
        "XREVRANGE s (0-0 -", "XREVRANGE s + (%s-%s" % (MAX, MAX),
        "XRANGE s - + COUNT 2", "XRANGE s - + COUNT 0", "XRANGE s - + COUNT -1",
        "XRANGE s - + COUNT 1 COUNT 3", "XRANGE s - + COUNT", "XRANGE s - + COUNT x",
        "XRANGE s - + LIMIT 1", "XREVRANGE s + - COUNT 4", "XREVRANGE s + - count 0",
        "XRANGE s x +", "XRANGE s - x", "XRANGE s 1-x +", "XRANGE missing - +",
        "XREVRANGE missing + -", "XRANGE missing - + COUNT 0", "XRANGE missing x +",
        "XRANGE s", "XRANGE s -",
    )


def test_xrange_across_nodes(compat, node_config):
    compat.check(*nodes(entries=4), *_fill(12, seqs=2),
                 "XRANGE s - +", "XRANGE s 3-1 9", "XREVRANGE s 9 3-1", "XREVRANGE s + - COUNT 7",
                 "XRANGE s (4-1 (8-0 COUNT 3", "XREVRANGE s 100 50", "XREVRANGE s 0-5 -")


def test_xrange_resp3(compat):
    compat.check(*_fill(3), "XRANGE s - +", "XREVRANGE s + - COUNT 2", "XRANGE s - + COUNT 0",
                 "XRANGE missing - +", "XLEN s", "XDEL s 1-0", "XTRIM s MAXLEN 1", resp3=True)


# --------------------------------------------------------------------------
# XDEL XLEN
# --------------------------------------------------------------------------

def test_xdel(compat, node_config):
    compat.check(
        *nodes(entries=3), *_fill(4),
        "XDEL s 1-0", "XDEL s 1-0", "XDEL s 1-1 1-2 2-0 99-0", "XRANGE s - +", "XLEN s",
        "XREVRANGE s + -", "XDEL s 2-1 x", "XDEL s 2-1 -", "XDEL s 2-1 +", "XDEL s 2-1 3",
        "XRANGE s - +", "XDEL s 2-2 3-0 3-1 3-2 4-0 4-1", "XRANGE s - +", "XLEN s",
        "XREVRANGE s + -", "XDEL s 4-2", "XLEN s", "EXISTS s", "XRANGE s - +",
        "XADD s 4-2 f v", "XADD s 4-3 f v", "XRANGE s - +", "XDEL missing 1-1", "XDEL missing x",
        "XDEL s",
    )


def test_xdel_then_trim_and_add(compat, node_config):
    compat.check(
        *nodes(entries=5), *_fill(6),
        "XDEL s 1-0 1-2 2-1 3-0 3-1 3-2", "XTRIM s MAXLEN ~ 10", "XLEN s", "XRANGE s - +",
        "XTRIM s MAXLEN 5", "XRANGE s - +", "XTRIM s MINID 5-2", "XRANGE s - +",
        "XADD s 7-0 f v", "XTRIM s MINID ~ 7", "XRANGE s - +",
    )


# --------------------------------------------------------------------------
# trimming
# --------------------------------------------------------------------------

@pytest.mark.parametrize("entries", [1, 2, 3, 7, 100])
def test_trim_maxlen(compat, node_config, entries):
    base = [*nodes(entries=entries), *_fill(10)]
    compat.check(*base, "XTRIM s MAXLEN ~ 25", "XLEN s", "XRANGE s - + COUNT 1",
                 "XTRIM s MAXLEN ~ 13", "XLEN s", "XTRIM s MAXLEN = 12", "XLEN s",
                 "XRANGE s - +", "XTRIM s MAXLEN ~ 0", "XLEN s", "XTRIM s MAXLEN 0", "XLEN s",
                 "EXISTS s", "XADD s 11-0 f v", "XADD s 1-0 f v", "XRANGE s - +")
    compat.check(*base, "XTRIM s MAXLEN ~ 5 LIMIT 6", "XLEN s", "XTRIM s MAXLEN ~ 5 LIMIT 0",
                 "XLEN s", "XTRIM s MAXLEN ~ 5 LIMIT 100", "XLEN s", "XRANGE s - +")


@pytest.mark.parametrize("entries", [1, 2, 4, 100])
def test_trim_minid(compat, node_config, entries):
    base = [*nodes(entries=entries), *_fill(10)]
    compat.check(*base, "XTRIM s MINID ~ 3-1", "XLEN s", "XRANGE s - + COUNT 2",
                 "XTRIM s MINID 3-1", "XRANGE s - + COUNT 2", "XTRIM s MINID = 5",
                 "XRANGE s - + COUNT 2", "XTRIM s MINID 0", "XTRIM s MINID ~ 8-2 LIMIT 3",
                 "XLEN s", "XTRIM s MINID 100", "XLEN s", "EXISTS s", "XRANGE s - +")


def test_xadd_with_trim(compat, node_config):
    cmds = [*nodes(entries=3)]
    for i in range(1, 40):
        opt = ["MAXLEN ~ 5", "MAXLEN 7", "MINID ~ %d" % (i - 6), "MINID %d" % (i - 4),
               "MAXLEN ~ 4 LIMIT 3", "MINID ~ %d LIMIT 6" % (i - 2)][i % 6]
        cmds += ["XADD s %s %d-0 f %d" % (opt, i, i), "XLEN s"]
    compat.check(*cmds, "XRANGE s - +")


def test_xtrim_errors(compat):
    compat.check(
        "XADD s 1-1 f v", "XTRIM s", "XTRIM s MAXLEN", "XTRIM s MAXLEN x", "XTRIM s MAXLEN -1",
        "XTRIM s FOO 1", "XTRIM s MAXLEN 1 MINID 1", "XTRIM s LIMIT 1", "XTRIM s MAXLEN 1 LIMIT 1",
        "XTRIM s MAXLEN ~ 1 LIMIT -1", "XTRIM s MINID x", "XTRIM s MINID 1-*",
        "XTRIM s MINID ~", "XTRIM s MAXLEN ~", "XTRIM s MAXLEN = 0 extra", "XTRIM missing MAXLEN 0",
        "XTRIM missing FOO", "XTRIM s NOMKSTREAM MAXLEN 0", "XTRIM s * MAXLEN 0", "XLEN s",
        "XTRIM s MAXLEN 0", "XLEN s", "EXISTS s", "XTRIM s maxlen = 0", "XTRIM s minid ~ 5",
    )


# --------------------------------------------------------------------------
# XSETID XLEN WRONGTYPE
# --------------------------------------------------------------------------

def test_xsetid(compat):
    compat.check(
        "XSETID missing 1-1", "XADD s 5-5 f v", "XADD s 6-0 f v", "XSETID s 5-5", "XSETID s 6-0",
        "XSETID s 6", "XSETID s 5", "XSETID s 7-7", "XADD s 7-7 f v", "XADD s 7-8 f v",
        "XSETID s 7-8 ENTRIESADDED 1", "XSETID s 7-8 ENTRIESADDED 3", "XSETID s 7-8 ENTRIESADDED -1",
        "XSETID s 7-8 ENTRIESADDED x", "XSETID s 9 ENTRIESADDED 10 MAXDELETEDID 10",
        "XSETID s 9 MAXDELETEDID 8-0", "XSETID s 9 MAXDELETEDID x", "XSETID s 9 FOO 1",
        "XSETID s 9 ENTRIESADDED", "XSETID s x", "XSETID s -", "XSETID s +", "XSETID s 1-*",
        "XSETID s", "XSETID s 10 MAXDELETEDID 0-0", "XDEL s 7-8", "XSETID s 7-7",
        "XSETID s 7-5", "XDEL s 5-5 6-0 7-7", "XLEN s", "XSETID s 1-1", "XADD s 1-2 f v",
        "XSETID s 0-0", "XADD s 0-1 f v", "XLEN s",
        "XSETID missing 1 ENTRIESADDED -1", "SET str v", "XSETID str 1",
    )


def test_wrongtype(compat):
    compat.check(
        "SET str v", "XADD str 1-1 f v", "XADD str NOMKSTREAM 1-1 f v", "XADD str 0-0 f v",
        "XADD str x f v", "XRANGE str - +", "XRANGE str x +", "XREVRANGE str + -", "XLEN str",
        "XDEL str 1-1", "XDEL str x", "XTRIM str MAXLEN 0", "XTRIM str FOO", "XSETID str 1-1",
        "XADD s 1-1 f v", "LPUSH s x", "GET s", "TYPE s", "OBJECT ENCODING s",
    )


def test_type_encoding_copy(compat):
    compat.check(
        "XADD s 1-1 f v", "XADD s 1-2 a b", "TYPE s", "OBJECT ENCODING s", "COPY s d", "XRANGE d - +",
        "XADD d 2-0 x y", "XLEN s", "XLEN d", "XADD s 1-3 q r", "XRANGE s - +", "XRANGE d - +",
        "RENAME d e", "XRANGE e - +", "DEL s e", "EXISTS s e", "SCAN 0 TYPE stream",
    )


# --------------------------------------------------------------------------
# events
# --------------------------------------------------------------------------

def test_events(kn, node_config):
    n = kn("KEAn")
    for cmd in ["CONFIG SET stream-node-max-entries 2", "XADD s 1-1 f v", "XADD s 1-2 f v",
                "XADD s MAXLEN 1 1-3 f v", "XADD s MAXLEN ~ 1 1-4 f v", "XADD s MAXLEN 5 1-5 f v",
                "XDEL s 9-9", "XDEL s 1-5", "XTRIM s MAXLEN 10", "XTRIM s MAXLEN 0",
                "XSETID s 5-5", "XADD s 0-1 f v", "XADD s NOMKSTREAM 6-1 f v",
                "XADD t NOMKSTREAM 6-1 f v", "XADD t 0-0 f v", "XSETID t 1", "DEL s",
                "XADD s MAXLEN 0 1-1 f v", "EXISTS s", "XADD s MINID 9 2-1 f v", "XLEN s"]:
        n.c.call(cmd)
    ev = n.events()
    assert ev[:4] == ["K0 new s", "E0 new s", "K0 xadd s", "E0 xadd s"]
    assert "K0 xtrim s" in ev and "K0 xdel s" in ev and "K0 xsetid s" in ev


# --------------------------------------------------------------------------
# memory
# --------------------------------------------------------------------------

def test_memory_usage_ratio(compat):
    """MEMORY USAGE of the same stream within a reasonable ratio of Redis's."""
    cmds = ["XADD s %d-0 field %d name value%d" % (i + 1, i, i) for i in range(1000)]
    with compat.session() as s:
        s.check(*cmds)
    fk = compat.fk_server.client().memory_usage("s")
    rd = compat.rd_server.client().memory_usage("s")
    assert 0.5 * rd <= fk <= 1.2 * rd, (fk, rd)


# --------------------------------------------------------------------------
# a seeded random run
# --------------------------------------------------------------------------

FUZZ = int(os.environ.get("FASTKV_STREAM_FUZZ", "0"))   # more seeds and ops when set


@pytest.mark.parametrize("seed", range(4 + FUZZ))
def test_random_ops(compat, node_config, seed):
    rng = random.Random(seed)
    cmds = [*nodes(entries=rng.choice([2, 3, 5, 10, 100]), nbytes=rng.choice([0, 60, 200, 4096]))]
    ms = 1
    for _ in range(400 * (1 + FUZZ // 4)):
        op = rng.random()
        if op < 0.45:
            ms += rng.choice([0, 0, 1, 2])
            idarg = rng.choice(["%d-*" % ms, "%d-%d" % (ms, rng.randrange(5)), "%d" % ms])
            nf = rng.choice([1, 1, 2, 3])
            fields = rng.choice([["f"], ["f", "g"], ["a", "b", "c"], ["x%d" % rng.randrange(3)]])
            fv = []
            for k in range(nf):
                fv += [fields[k % len(fields)], "v%d" % rng.randrange(1000)]
            trim = rng.choice(["", "", "", "MAXLEN ~ %d" % rng.randrange(30),
                               "MAXLEN %d" % rng.randrange(30), "MINID ~ %d" % max(0, ms - 10),
                               "MINID %d" % max(0, ms - 12),
                               "MAXLEN ~ %d LIMIT %d" % (rng.randrange(30), rng.randrange(10))])
            cmds.append("XADD s %s %s %s" % (trim, idarg, " ".join(fv)))
        elif op < 0.6:
            ids = ["%d-%d" % (rng.randrange(ms + 1), rng.randrange(5)) for _ in range(rng.randrange(1, 4))]
            cmds.append("XDEL s " + " ".join(ids))
        elif op < 0.7:
            cmds.append(rng.choice(["XTRIM s MAXLEN ~ %d" % rng.randrange(40),
                                    "XTRIM s MAXLEN %d" % rng.randrange(40),
                                    "XTRIM s MINID %d" % rng.randrange(ms + 1),
                                    "XTRIM s MINID ~ %d" % rng.randrange(ms + 1),
                                    "XTRIM s MAXLEN ~ %d LIMIT %d" % (rng.randrange(40), rng.randrange(8))]))
        elif op < 0.9:
            a = "%d-%d" % (rng.randrange(ms + 2), rng.randrange(5))
            b = "%d" % rng.randrange(ms + 2)
            a = rng.choice([a, "(" + a, "-"])
            b = rng.choice([b, "(" + b, "+"])
            cnt = rng.choice(["", "", "COUNT %d" % rng.randrange(6)])
            if rng.random() < 0.5:
                cmds.append("XRANGE s %s %s %s" % (a, b, cnt))
            else:
                cmds.append("XREVRANGE s %s %s %s" % (b, a, cnt))
        else:
            cmds.append(rng.choice(["XLEN s", "XRANGE s - +", "XREVRANGE s + - COUNT 3"]))
    cmds += ["XLEN s", "XRANGE s - +", "XREVRANGE s + -"]
    compat.check(*cmds)


# --------------------------------------------------------------------------
# XADD to an existing stream wakes blocked readers
# --------------------------------------------------------------------------

def test_xadd_wakes_blocked_xread(compat):
    a = compat.twin("reader")
    b = compat.twin("writer")
    try:
        b.call("FLUSHALL")
        b.call("XADD s 1-1 a b")
        a.send("XREAD BLOCK 5000 STREAMS s $")
        a.quiet(0.2)
        b.call("XADD s MAXLEN 1 2-1 c d")     # existing key: signalKeyAsReady
        a.read()
        a.send("XREAD BLOCK 5000 STREAMS s 2-1")
        a.quiet(0.2)
        b.call("XTRIM s MAXLEN 0")            # no new entries: still blocked
        a.quiet(0.2)
        b.call("XADD s 3-1 e f")
        a.read()
        a.send("XREAD BLOCK 5000 STREAMS new $")
        a.quiet(0.2)
        b.call("XADD new 1-1 g h")             # a new key
        a.read()
    finally:
        a.close()
        b.close()


# --------------------------------------------------------------------------
# node bytes: the same listpacks as Redis's (DUMP of redis vs our C layer)
# --------------------------------------------------------------------------

def _rdb_len(b, i):
    t = b[i] >> 6
    if t == 0:
        return b[i] & 0x3F, i + 1
    if t == 1:
        return ((b[i] & 0x3F) << 8) | b[i + 1], i + 2
    if b[i] == 0x80:
        return int.from_bytes(b[i + 1:i + 5], "big"), i + 5
    if b[i] == 0x81:
        return int.from_bytes(b[i + 1:i + 9], "big"), i + 9
    raise AssertionError("encoded string in a stream dump: %r" % b[i])


def _dump_nodes(payload):
    """The (master key, listpack) pairs of a 7.0 stream DUMP (rdbcompression
    off: raw strings)."""
    assert payload[0] == 19, payload[0]          # RDB_TYPE_STREAM_LISTPACKS_2
    n, i = _rdb_len(payload, 1)
    out = []
    for _ in range(n):
        kl, i = _rdb_len(payload, i)
        key = payload[i:i + kl]
        i += kl
        ll, i = _rdb_len(payload, i)
        out.append((key, payload[i:i + ll]))
        i += ll
    return out


@pytest.mark.parametrize("seed", range(6))
def test_node_bytes_equal_redis(compat, node_config, seed):
    ctest = pytest.importorskip("fastkv._core.ctest_stream")
    rng = random.Random(seed)
    entries = rng.choice([0, 1, 3, 10, 100])
    nbytes = rng.choice([0, 100, 300, 4096])
    rd = compat.rd_server.client()
    rd.flushall()
    rd.config_set("rdbcompression", "no")
    rd.config_set("stream-node-max-entries", entries)
    rd.config_set("stream-node-max-bytes", nbytes)
    ctest.set_node_limits(entries, nbytes)
    try:
        s = ctest.Stream()
        ms, seq = 1, 0
        ids = []
        for step in range(300):
            op = rng.random()
            if op < 0.8 or not ids:
                step_ms = rng.choice([0, 1, 1000, 1 << 40])
                ms += step_ms
                seq = (0 if step_ms else seq + 1) + rng.choice([0, 1, 1000003, 1 << 50])
                fields = rng.choice([["f", "v"], ["f", str(step)], ["a", "1", "b", "-2"],
                                     ["x" * rng.randrange(1, 90), "y" * rng.randrange(0, 200)],
                                     ["f", str(rng.randrange(-1 << 62, 1 << 62))]])
                rd.execute_command("XADD", "s", "%d-%d" % (ms, seq), *fields)
                assert s.append([x.encode() for x in fields], (ms, seq)) == (ms, seq)
                ids.append((ms, seq))
            elif op < 0.9:
                i = rng.choice(ids)
                ids.remove(i)
                assert rd.execute_command("XDEL", "s", "%d-%d" % i) == s.delete(i) == 1
            elif rng.random() < 0.5:
                n = rng.randrange(len(ids) + 1)
                approx = rng.random() < 0.5
                d = s.trim(1, maxlen=n, approx=approx)
                assert rd.execute_command("XTRIM", "s", "MAXLEN", "~" if approx else "=", n) == d
                del ids[:d]
            else:
                m = rng.choice(ids)
                approx = rng.random() < 0.5
                d = s.trim(2, minid=m, approx=approx)
                assert rd.execute_command("XTRIM", "s", "MINID", "~" if approx else "=", "%d-%d" % m) == d
                del ids[:d]
        assert _dump_nodes(rd.dump("s")) == s.node_bytes()
    finally:
        ctest.set_node_limits(100, 4096)
        rd.config_set("rdbcompression", "yes")


def test_copy_with_groups(compat):
    compat.check(
        "XADD s 1-1 f v", "XADD s 1-2 f v", "XADD s 1-3 f v", "XGROUP CREATE s g 0",
        "XGROUP CREATE s h $", "XREADGROUP GROUP g alice COUNT 2 STREAMS s >",
        "XREADGROUP GROUP g bob COUNT 1 STREAMS s >", "COPY s d", "XPENDING d g",
        "XPENDING s g", "XINFO GROUPS d", "XACK d g 1-1", "XPENDING d g", "XPENDING s g",
        "XREADGROUP GROUP g alice STREAMS d 0", "XREADGROUP GROUP g bob STREAMS s 0",
        "XGROUP DELCONSUMER d g alice", "XPENDING d g", "XPENDING s g", "XGROUP DESTROY d g",
        "XINFO GROUPS d", "XINFO GROUPS s", "DEL s", "XPENDING d h", "XLEN d",
    )
