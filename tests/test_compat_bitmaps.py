"""Compat tests for the bitmap commands (SETBIT GETBIT BITCOUNT BITPOS BITOP
BITFIELD BITFIELD_RO): fastkv's replies must equal a real redis-server
7.0's byte for byte, with the same keyspace events, dirty counter and WATCH
behaviour, on every string encoding (int, embstr, raw).

The last test is a seeded random run over every command with small and
hostile arguments, compared reply by reply.
"""
import os
import random

import pytest

from kvtest import Shape
from test_notify import kn  # noqa: F401  (fixture)

pytestmark = pytest.mark.compat

TIMEOUT = 10.0

MAXBIT = 4294967295          # (512 MB << 3) - 1: the last addressable bit


# --------------------------------------------------------------------------
# SETBIT GETBIT
# --------------------------------------------------------------------------

def test_setbit_getbit_basics(compat):
    compat.check(
        "SETBIT b 7 1", "GET b", "SETBIT b 7 1", "SETBIT b 7 0", "GET b", "STRLEN b",
        "SETBIT b 0 1", "GETBIT b 0", "GETBIT b 1", "GETBIT b 7", "GETBIT b 8", "GETBIT b 100000",
        "SETBIT b 100 1", "STRLEN b", "GET b", "OBJECT ENCODING b", "TYPE b",
        "GETBIT missing 0", "GETBIT missing 12345", "EXISTS missing",
        "SETBIT new 0 0", "GET new", "STRLEN new", "OBJECT ENCODING new",
    )


def test_setbit_getbit_errors(compat):
    compat.check(
        "SETBIT b -1 1", "SETBIT b x 1", "SETBIT b 1.5 1", "SETBIT b '' 1", "SETBIT b ' 1' 1",
        "SETBIT b 01 1", "SETBIT b +1 1", "SETBIT b 0 2", "SETBIT b 0 -1", "SETBIT b 0 x",
        "SETBIT b 0 ''", "SETBIT b 0 10", "SETBIT b 0 01", "SETBIT b x y", "EXISTS b",
        "SETBIT b %d 1" % (MAXBIT + 1), "SETBIT b 99999999999999999999 1",
        "SETBIT b 9223372036854775807 1", "SETBIT b -9223372036854775808 1",
        "GETBIT b -1", "GETBIT b x", "GETBIT b %d" % (MAXBIT + 1), "GETBIT b %d" % MAXBIT,
        "GETBIT missing x", "GETBIT b 18446744073709551615",
        "SETBIT b", "SETBIT b 1", "SETBIT b 1 1 1", "GETBIT b", "GETBIT b 1 2",
        "LPUSH l a", "SETBIT l 0 1", "GETBIT l 0", "SETBIT l x 1", "SETBIT l 0 5", "GETBIT l x",
    )


def test_bits_of_every_string_encoding(compat):
    cmds = []
    for v in ["0", "1", "12345", "-42", "9223372036854775807", "-9223372036854775808", "foo",
              "x" * 44, "y" * 45, "", " 1", "3.14"]:
        cmds += [("SET", "s", v), "OBJECT ENCODING s"]
        cmds += [("GETBIT", "s", i) for i in (0, 1, 2, 3, 6, 7, 10, 15, 17, 100, 160)]
        cmds += ["BITCOUNT s", "BITCOUNT s 0 -1", "BITCOUNT s 1 1", "BITCOUNT s 3 17 BIT",
                 "BITPOS s 1", "BITPOS s 0", "BITPOS s 1 1", "BITPOS s 0 2 -1 BIT",
                 "BITFIELD s GET u8 0 GET i5 3 GET u63 1 GET i64 0"]
    compat.check(*cmds)


def test_setbit_on_int_and_embstr_values(compat):
    # a write makes the value raw (dbUnshareStringValue), even when no bit changes
    compat.check(
        "SET n 12345", "SETBIT n 2 1", "GET n", "OBJECT ENCODING n",
        "SET n 12345", "SETBIT n 2 0", "GET n", "OBJECT ENCODING n",
        "SET e hello", "SETBIT e 0 0", "OBJECT ENCODING e", "GET e",
        "SET e hello", "SETBIT e 100 1", "GET e", "OBJECT ENCODING e",
        "SET n 7", "BITFIELD n GET u8 0", "OBJECT ENCODING n", "BITFIELD n SET u8 0 65",
        "GET n", "OBJECT ENCODING n",
        "SET t v EX 100", "SETBIT t 3 1", "TTL t", "GET t",
    )


def test_setbit_at_the_512mb_limit(compat):
    compat.check(
        "SETBIT big %d 1" % MAXBIT, "STRLEN big", "GETBIT big %d" % MAXBIT,
        "GETBIT big %d" % (MAXBIT - 1), "BITCOUNT big", "BITPOS big 1",
        "BITPOS big 1 -1", "BITCOUNT big -1 -1", "BITCOUNT big -1 -1 BIT",
        "BITFIELD big GET u8 536870911 GET i64 4294967232",
        "SETBIT big %d 1" % (MAXBIT + 1), "DEL big",
    )


def test_offsets_follow_proto_max_bulk_len(compat):
    limit = 1024 * 1024
    with compat.session() as s:
        try:
            s.check("CONFIG SET proto-max-bulk-len %d" % limit)
            s.check(
                "SETBIT b %d 1" % (limit * 8 - 1), "STRLEN b", "SETBIT b %d 1" % (limit * 8),
                "GETBIT b %d" % (limit * 8), "GETBIT b %d" % (limit * 8 - 1),
                "BITFIELD b SET u8 %d 255" % (limit * 8 - 1), "STRLEN b",
                "BITFIELD b SET i64 %d -1" % (limit * 8 - 1), "STRLEN b",
                "BITFIELD b SET u8 %d 1" % (limit * 8), "BITFIELD b GET u8 %d" % (limit * 8),
                "BITFIELD b GET u8 #%d" % limit, "BITFIELD b GET u8 #%d" % (limit - 1),
                "BITFIELD b SET u8 #%d 1" % (limit - 1), "STRLEN b",
            )
        finally:
            s.check("CONFIG SET proto-max-bulk-len 536870912")


# --------------------------------------------------------------------------
# BITCOUNT
# --------------------------------------------------------------------------

RANGES = [(0, -1), (0, 0), (1, 1), (0, 2), (-1, -1), (-2, -1), (-3, -2), (-100, -1), (-1, -100),
          (-1, -2), (2, 1), (5, 100), (100, 200), (-100, 100), (0, 9223372036854775807),
          (-9223372036854775808, 9223372036854775807), (3, -3), (-5, 3), (1, 0)]
BIT_RANGES = RANGES + [(3, 17), (0, 7), (1, 6), (7, 8), (8, 15), (5, 5), (9, 9), (0, 39),
                       (-7, -2), (-9, -9), (39, 39), (40, 40), (13, 12), (1, 38), (-33, 30)]


def test_bitcount_ranges(compat):
    cmds = [("SET", "s", b"\xff\xf0\x00\x5a\x81")]
    cmds += ["BITCOUNT s"]
    for a, b in RANGES:
        cmds += [("BITCOUNT", "s", a, b), ("BITCOUNT", "s", a, b, "BYTE")]
    for a, b in BIT_RANGES:
        cmds += [("BITCOUNT", "s", a, b, "BIT"), ("BITCOUNT", "s", a, b, "bit")]
    compat.check(*cmds)


def test_bitcount_errors_and_argument_order(compat):
    compat.check(
        "SET s foobar", "BITCOUNT s", "BITCOUNT s 1", "BITCOUNT s 1 2 3", "BITCOUNT s 1 2 BIT x",
        "BITCOUNT s a b", "BITCOUNT s 0 b", "BITCOUNT s 0 1 foo", "BITCOUNT s -1 -2 foo",
        "BITCOUNT s a -2 foo", "BITCOUNT s 1 a foo", "BITCOUNT s 1.0 2", "BITCOUNT s 0 1 bytes",
        # a missing key is 0 whatever the other arguments (7.0 looks the key up first)
        "BITCOUNT missing", "BITCOUNT missing 1", "BITCOUNT missing a b", "BITCOUNT missing 0 1 x",
        "BITCOUNT missing 1 2 3 4 5",
        "SET empty ''", "BITCOUNT empty", "BITCOUNT empty 0 -1", "BITCOUNT empty 0 -1 BIT",
        "BITCOUNT empty -1 0", "BITCOUNT empty 1",
        "LPUSH l a", "BITCOUNT l", "BITCOUNT l 0 1", "BITCOUNT l a b", "BITCOUNT l 1",
        "BITCOUNT",
    )


def test_bitcount_big_and_unaligned(compat):
    rnd = random.Random(3)
    data = bytes(rnd.randrange(256) for _ in range(5000))
    cmds = [("SET", "s", data), "BITCOUNT s"]
    for _ in range(60):
        a, b = rnd.randrange(-6000, 6000), rnd.randrange(-6000, 6000)
        cmds += [("BITCOUNT", "s", a, b)]
        a, b = rnd.randrange(-42000, 42000), rnd.randrange(-42000, 42000)
        cmds += [("BITCOUNT", "s", a, b, "BIT")]
    for n in range(0, 70):
        cmds += [("BITCOUNT", "s", n, n + 37), ("BITCOUNT", "s", n, 4999 - n),
                 ("BITCOUNT", "s", n, n * 9 + 5, "BIT")]
    compat.check(*cmds)


# --------------------------------------------------------------------------
# BITPOS
# --------------------------------------------------------------------------

def _bitpos_cmds(key):
    cmds = [("BITPOS", key, 0), ("BITPOS", key, 1)]
    for bit in (0, 1):
        for a in (0, 1, 2, -1, -2, -3, 5, 100, -100, 7, 8, 9, 23, 24, 39, 40):
            cmds += [("BITPOS", key, bit, a), ("BITPOS", key, bit, a, -1, "BIT")]
        for a, b in RANGES:
            cmds += [("BITPOS", key, bit, a, b), ("BITPOS", key, bit, a, b, "BYTE")]
        for a, b in BIT_RANGES:
            cmds += [("BITPOS", key, bit, a, b, "BIT")]
    return cmds


@pytest.mark.parametrize("value", [
    b"\xff\xf0\x00\x5a\x81", b"\x00\x00\x00", b"\xff\xff\xff", b"\xff", b"\x00", b"\x01",
    b"\x80", b"\x7f", b"\xfe", b"\x00\x00\x01", b"\xff\xff\xfe", b"\x0f\xf0",
    b"\xff" * 40 + b"\xf7" + b"\xff" * 3, b"\x00" * 70 + b"\x10", b"\xff" * 64, b"\x00" * 64,
])
def test_bitpos_ranges(compat, value):
    compat.check(("SET", "s", value), *_bitpos_cmds("s"))


def test_bitpos_missing_empty_and_errors(compat):
    compat.check(
        "BITPOS missing 0", "BITPOS missing 1", "BITPOS missing 0 5", "BITPOS missing 1 5 10 BIT",
        "BITPOS missing 1 a", "BITPOS missing 0 0 0 bad", "BITPOS missing 2", "BITPOS missing x",
        "SET empty ''", "BITPOS empty 0", "BITPOS empty 1", "BITPOS empty 0 0", "BITPOS empty 0 0 -1",
        "BITPOS empty 1 0 -1 BIT", "BITPOS empty 0 0 -1 BIT",
        "SET s foobar", "BITPOS s 2", "BITPOS s -1", "BITPOS s a", "BITPOS s 1 a", "BITPOS s 1 a b c",
        "BITPOS s 1 0 b c", "BITPOS s 1 a 1 c", "BITPOS s 1 0 b", "BITPOS s 1 0 1 bits",
        "BITPOS s 1 0 1 BIT x", "BITPOS s 1 0 1 BYTE BIT", "BITPOS s 1.0", "BITPOS s 01",
        "LPUSH l a", "BITPOS l 1", "BITPOS l 0 a", "BITPOS l 2", "BITPOS",
    )


def test_bitpos_long_runs(compat):
    # words of all ones/zeros skipped fast, with the answer at every alignment
    cmds = []
    for n in list(range(0, 70)) + [255, 256, 257, 1000]:
        cmds += [("SET", "o", b"\xff" * n + b"\xfb" + b"\xff" * 5), ("BITPOS", "o", 0),
                 ("BITPOS", "o", 0, 1), ("BITPOS", "o", 0, 3, -2), ("BITPOS", "o", 0, 9, -9, "BIT"),
                 ("SET", "z", b"\x00" * n + b"\x04" + b"\x00" * 5), ("BITPOS", "z", 1),
                 ("BITPOS", "z", 1, 1), ("BITPOS", "z", 1, 3, -2), ("BITPOS", "z", 1, 9, -9, "BIT"),
                 ("BITPOS", "z", 0, 0, -1), ("SET", "a", b"\xff" * n), ("BITPOS", "a", 0),
                 ("BITPOS", "a", 0, 0), ("BITPOS", "a", 0, 0, -1), ("BITPOS", "a", 0, 0, -1, "BIT"),
                 ("BITPOS", "a", 0, 3, "BIT"), ("BITPOS", "a", 1, 3, "BIT")]
    compat.check(*cmds)


# --------------------------------------------------------------------------
# BITOP
# --------------------------------------------------------------------------

def test_bitop_operations(compat):
    compat.check(
        ("SET", "a", b"\xff\x0f\xf0\x55"), ("SET", "b", b"\x0f\x0f"), ("SET", "c", b"\x01" * 40),
        "SET n 12345",
        "BITOP AND d a b", "GET d", "BITOP OR d a b", "GET d", "BITOP XOR d a b", "GET d",
        "BITOP NOT d a", "GET d", "OBJECT ENCODING d", "BITOP and d a b c", "GET d",
        "BITOP Or d a b c", "GET d", "BITOP xOr d a b c", "GET d", "BITOP AND d a", "GET d",
        "BITOP OR d a a a", "GET d", "BITOP XOR d a a", "GET d", "STRLEN d",
        "BITOP AND d a missing", "GET d", "BITOP OR d missing a", "GET d",
        "BITOP XOR d missing c", "GET d", "BITOP AND d n a", "GET d", "BITOP NOT d n", "GET d",
        "BITOP OR d c", "GET d", "OBJECT ENCODING d", "BITOP NOT d c", "GET d",
        # source and destination the same key
        "BITOP XOR a a b", "GET a", "BITOP NOT a a", "GET a",
    )


def test_bitop_empty_results_and_errors(compat):
    compat.check(
        "SET d x", "BITOP AND d missing other", "EXISTS d", "BITOP AND d missing other",
        "SET d x", "BITOP NOT d missing", "EXISTS d", "SET e ''", "SET d x", "BITOP OR d e e",
        "EXISTS d", "BITOP OR d e", "EXISTS d",
        "SET a foo", "BITOP NOT d a b", "BITOP NOT d", "BITOP FOO d a", "BITOP ANDX d a",
        "BITOP '' d a", "BITOP", "BITOP AND", "BITOP AND d", "LPUSH l x",
        "BITOP AND d a l", "BITOP OR d l a", "BITOP NOT d l", "BITOP AND l a", "TYPE l", "GET l",
        "BITOP FOO d l", "BITOP NOT d a a",
        "SET t v EX 100", "BITOP OR t a", "TTL t", "GET t",
    )


def test_bitop_lengths_and_words(compat):
    rnd = random.Random(5)
    cmds = []
    for trial in range(40):
        keys = []
        for i in range(rnd.randrange(1, 6)):
            k = "k%d" % i
            n = rnd.choice([0, 1, 3, 7, 8, 9, 31, 32, 33, 63, 64, 65, 100, 257, 1000])
            if n == 0 and rnd.random() < 0.5:
                cmds.append(("DEL", k))
            else:
                cmds.append(("SET", k, bytes(rnd.randrange(256) for _ in range(n))))
            keys.append(k)
        op = rnd.choice(["AND", "OR", "XOR"])
        cmds += [("BITOP", op, "dst") + tuple(keys), ("GET", "dst"), ("EXISTS", "dst")]
        cmds += [("BITOP", "NOT", "dst", keys[0]), ("GET", "dst")]
    compat.check(*cmds)


# --------------------------------------------------------------------------
# BITFIELD BITFIELD_RO
# --------------------------------------------------------------------------

def _limits(sign, bits):
    if sign == "i":
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


WIDTHS = [("i", 1), ("i", 2), ("i", 7), ("i", 8), ("i", 9), ("i", 16), ("i", 31), ("i", 32),
          ("i", 33), ("i", 63), ("i", 64), ("u", 1), ("u", 2), ("u", 7), ("u", 8), ("u", 9),
          ("u", 16), ("u", 31), ("u", 32), ("u", 33), ("u", 62), ("u", 63)]


@pytest.mark.parametrize("sign,bits", WIDTHS)
def test_bitfield_overflow_at_the_boundaries(compat, sign, bits):
    lo, hi = _limits(sign, bits)
    t = "%s%d" % (sign, bits)
    imin, imax = -(1 << 63), (1 << 63) - 1
    values = sorted({lo, hi, lo + 1, hi - 1, 0, 1, -1, lo - 1, hi + 1, imin, imax,
                     max(imin, 2 * lo), min(imax, 2 * hi + 1)})
    values = [v for v in values if imin <= v <= imax]
    cmds = []
    for ow in ("WRAP", "SAT", "FAIL"):
        for off in (0, 3, 13):
            for v in values:
                cmds.append(("BITFIELD", "b", "OVERFLOW", ow, "SET", t, off, v, "GET", t, off))
            for start in (lo, hi, 0, -1 if sign == "i" else 1):
                for incr in (1, -1, hi, -hi, hi - lo, lo - hi, 2, -2, imax, imin, 0):
                    cmds.append(("BITFIELD", "b", "OVERFLOW", "WRAP", "SET", t, off, start,
                                 "OVERFLOW", ow, "INCRBY", t, off, incr, "GET", t, off))
        cmds.append(("GET", "b"))
    compat.check(*cmds)


def test_bitfield_ops_and_replies(compat):
    compat.check(
        "BITFIELD b", "EXISTS b", "BITFIELD b GET u8 0", "EXISTS b",
        "BITFIELD b SET u8 0 255 GET u8 0 GET i8 0 INCRBY u8 0 1 GET u8 0",
        "BITFIELD b SET i5 3 -7 GET i5 3 GET u5 3 GET u16 0 GET i4 4",
        "BITFIELD b INCRBY i16 #1 300 GET i16 #1 GET u8 #2 GET u8 #3 GET u8 #100",
        "GET b", "STRLEN b",
        "BITFIELD b OVERFLOW FAIL INCRBY u2 0 5 OVERFLOW SAT INCRBY u2 0 5 OVERFLOW WRAP INCRBY u2 0 5",
        "BITFIELD b overflow fail set u2 0 5 overflow sat set u2 0 5 overflow wrap set u2 0 5",
        "BITFIELD b OVERFLOW SAT OVERFLOW FAIL INCRBY i8 0 1000",
        "BITFIELD b SET u8 #0 1 SET u8 #0 2 SET u8 #0 3 GET u8 0",
        "BITFIELD b GET i64 0 GET u63 0 GET u63 1 GET i64 1",
        "BITFIELD b OVERFLOW WRAP",
        "BITFIELD n SET u8 1000 1", "STRLEN n", "BITFIELD m INCRBY i64 0 -1", "GET m",
        "BITFIELD x GET u8 100 SET u8 8 1", "GET x",
        "BITFIELD b GET u8 0 SET u8 0 1 GET u8 0",
        "BITFIELD_RO b GET u8 0 GET i16 #1", "BITFIELD_RO missing GET u8 0", "BITFIELD_RO b",
    )
    compat.check(
        "BITFIELD b OVERFLOW FAIL SET u8 0 256 INCRBY i8 0 200 GET u8 0", resp3=True)


def test_bitfield_many_ops_and_bitop_many_keys(compat):
    ops = []
    for i in range(70):
        ops += ["SET" if i % 3 else "INCRBY", "i%d" % (i % 64 + 1), "#%d" % i, i * 7919 - 30000]
        if i % 10 == 0:
            ops += ["OVERFLOW", ["WRAP", "SAT", "FAIL"][i % 3]]
        ops += ["GET", "u%d" % (i % 63 + 1), i * 3]
    keys = ["s%d" % i for i in range(300)]
    cmds = [("BITFIELD", "b") + tuple(ops), "GET b", ("BITFIELD_RO", "b") + tuple(
        x for i in range(50) for x in ("GET", "i%d" % (i + 1), i * 5))]
    cmds += [("SET", k, "%d" % (i * 977)) if i % 2 else ("SETBIT", k, i * 3, 1) for i, k in enumerate(keys)]
    cmds += [("BITOP", op, "d") + tuple(keys) for op in ("AND", "OR", "XOR")]
    cmds += ["GET d", ("BITOP", "OR", "d") + tuple(keys[::2]) + ("missing",), "GET d"]
    compat.check(*cmds)


def test_bitfield_errors(compat):
    compat.check(
        "SET s v", "BITFIELD s GET u64 0", "BITFIELD s GET i65 0", "BITFIELD s GET i0 0",
        "BITFIELD s GET u0 0", "BITFIELD s GET x8 0", "BITFIELD s GET 8 0", "BITFIELD s GET '' 0",
        "BITFIELD s GET i 0", "BITFIELD s GET u-1 0", "BITFIELD s GET I8 0", "BITFIELD s GET U8 0",
        "BITFIELD s GET i08 0", "BITFIELD s GET 'i8 ' 0", "BITFIELD s GET i9223372036854775807 0",
        "BITFIELD s GET u8 -1", "BITFIELD s GET u8 x", "BITFIELD s GET u8 #", "BITFIELD s GET u8 #-1",
        "BITFIELD s GET u8 #x", "BITFIELD s GET u8 ##1", "BITFIELD s GET u8 %d" % (MAXBIT + 1),
        "BITFIELD s GET u8 %d" % MAXBIT, "BITFIELD s GET u8 #536870912", "BITFIELD s GET u8 #536870911",
        "BITFIELD s GET u8 #2305843009213693952", "BITFIELD s GET u8 #1152921504606846976",
        "BITFIELD s GET i64 #9223372036854775807", "BITFIELD s GET u1 #4294967295",
        "BITFIELD s GET u1 #4294967296",
        "BITFIELD s SET u8 0", "BITFIELD s SET u8 0 x", "BITFIELD s INCRBY u8 0 1.5",
        "BITFIELD s INCRBY u8 0 99999999999999999999", "BITFIELD s GET u8", "BITFIELD s GET",
        "BITFIELD s FOO", "BITFIELD s GET u8 0 FOO", "BITFIELD s OVERFLOW", "BITFIELD s OVERFLOW FOO",
        "BITFIELD s OVERFLOW wrapx GET u8 0", "BITFIELD s GET u8 0 SET u64 0 1",
        "BITFIELD s SET u8 0 1 GET u64 0", "GET s", "BITFIELD s INCRBY u8 0 1 SET i8 0 x", "GET s",
        "BITFIELD_RO s SET u8 0 1", "BITFIELD_RO s GET u8 0 INCRBY u8 0 1", "BITFIELD_RO s OVERFLOW SAT",
        "BITFIELD_RO s GET u64 0", "BITFIELD_RO s FOO", "GET s",
        "LPUSH l a", "BITFIELD l GET u8 0", "BITFIELD l SET u8 0 1", "BITFIELD l", "BITFIELD_RO l",
        "BITFIELD_RO l GET u8 0", "BITFIELD_RO l SET u8 0 1", "BITFIELD l GET u64 0",
        "BITFIELD_RO missing SET u8 0 1", "EXISTS missing", "BITFIELD", "BITFIELD_RO",
    )


# --------------------------------------------------------------------------
# events, dirty counter, WATCH
# --------------------------------------------------------------------------

def test_events(kn):
    n = kn("KEAn")
    n.run("SETBIT b 3 1", "SETBIT b 3 1", "SETBIT b 3 0", "SETBIT b 100 0", "GETBIT b 3",
          "BITFIELD b SET u8 0 0", "BITFIELD b SET u8 0 1", "BITFIELD b INCRBY u8 200 0",
          "BITFIELD b OVERFLOW FAIL INCRBY u8 0 1000", "BITFIELD nb OVERFLOW FAIL SET u8 0 1000",
          "BITFIELD nb2 GET u8 0", "BITFIELD_RO b GET u8 0", "BITCOUNT b", "BITPOS b 1",
          "BITOP OR d b", "BITOP OR d b", "BITOP AND d missing", "BITOP AND d missing",
          "SET x v EX 100", "BITOP NOT x b", "TTL x", "SETBIT l 0 1", "LPUSH l2 a", "SETBIT l2 0 1",
          "BITOP AND d b l2")
    ev = n.events()
    assert ev[:6] == ["K0 new b", "E0 new b", "K0 setbit b", "E0 setbit b",
                      "K0 setbit b", "E0 setbit b"]
    assert "K0 set d" in ev and "K0 del d" in ev and "K0 new nb" in ev


def test_keymiss_events(kn):
    n = kn("KEm")
    n.run("GETBIT missing 0", "BITCOUNT missing", "BITPOS missing 1", "BITOP OR d missing m2",
          "BITFIELD missing GET u8 0", "BITFIELD_RO missing GET u8 0", "SETBIT b 0 1",
          "BITFIELD missing SET u8 0 1", "BITCOUNT b", "GETBIT b 0")
    ev = n.events()
    assert "K0 keymiss missing" in ev and "K0 keymiss m2" in ev


def _stats(compat, fields):
    out = []
    for srv in (compat.fk_server, compat.rd_server):
        with srv.raw(TIMEOUT) as c:
            info = c.call("INFO", "stats")
            if isinstance(info, bytes):
                info = info.decode()
            vals = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
            out.append([int(vals[f]) for f in fields])
    return out


def test_keyspace_hits_and_misses(compat):
    fields = ["keyspace_hits", "keyspace_misses"]
    with compat.session() as s:
        s.check("SETBIT b 0 1", "LPUSH l a")
        for cmd in ["GETBIT b 0", "GETBIT missing 0", "BITCOUNT b", "BITCOUNT missing 0 1",
                    "BITPOS b 1", "BITPOS missing 0", "BITOP AND d b missing b", "SETBIT b 1 1",
                    "SETBIT new 1 1", "BITFIELD b GET u8 0", "BITFIELD missing GET u8 0",
                    "BITFIELD b SET u8 0 1", "BITFIELD_RO b GET u8 0", "BITCOUNT l", "BITOP OR d l"]:
            before = _stats(compat, fields)
            s.check(cmd)
            after = _stats(compat, fields)
            assert [a - b for a, b in zip(after[0], before[0])] == \
                [a - b for a, b in zip(after[1], before[1])], cmd


def _dirty(compat):
    out = []
    for srv in (compat.fk_server, compat.rd_server):
        with srv.raw(TIMEOUT) as c:
            info = c.call("INFO", "persistence")
            if isinstance(info, bytes):
                info = info.decode()
            for line in info.splitlines():
                if line.startswith("rdb_changes_since_last_save:"):
                    out.append(int(line.split(":")[1]))
    return out


def test_dirty_counter(compat):
    with compat.session() as s:
        s.check("SET d x")
        for cmd in ["SETBIT b 0 1", "SETBIT b 0 1", "SETBIT b 0 0", "SETBIT b 30 0", "SETBIT b 1 0",
                    "BITFIELD b SET u8 0 0", "BITFIELD b SET u8 0 7 SET u8 8 7 INCRBY u4 0 0",
                    "BITFIELD b SET u8 64 0", "BITFIELD b OVERFLOW FAIL INCRBY u8 0 1000",
                    "BITFIELD c OVERFLOW FAIL INCRBY u8 0 1000", "BITFIELD b GET u8 0",
                    "BITOP OR d b", "BITOP OR d b", "BITOP AND d missing", "BITOP AND d missing",
                    "GETBIT b 0", "BITCOUNT b", "SETBIT b x 1"]:
            before = _dirty(compat)
            s.check(cmd)
            after = _dirty(compat)
            assert after[0] - before[0] == after[1] - before[1], cmd


def test_watch(compat):
    with compat.session() as s:
        s.check("SETBIT b 0 1")
        for change in ["SETBIT b 0 1", "SETBIT b 0 0", "BITFIELD b SET u8 0 0",
                       "BITFIELD b SET u8 0 9", "BITOP AND missing2 missing", "BITOP OR b b",
                       "BITFIELD b OVERFLOW FAIL INCRBY u8 0 1000", "SETBIT b 500 0"]:
            s.check("WATCH b missing2", "MULTI", "GETBIT b 0")
            with compat.session(flush=False) as o:
                o.check(change)
            s.check("EXEC")


def test_multi_exec_and_resp3(compat):
    compat.check("MULTI", "SETBIT b 1 1", "BITCOUNT b", "BITPOS b 1", "BITFIELD b GET u8 0",
                 "BITOP NOT c b", "GETBIT c 1", "EXEC")
    compat.check("SETBIT b 1 1", "BITCOUNT b", "BITPOS b 0", "BITFIELD b GET u8 0 OVERFLOW FAIL INCRBY u8 0 999",
                 "BITFIELD_RO b GET i8 0", "BITOP AND c b", resp3=True)


# --------------------------------------------------------------------------
# a seeded random run, reply by reply
# --------------------------------------------------------------------------

SEEDS = [int(x) for x in os.environ.get("FASTKV_BITMAP_SEEDS", "20260,7,8").split(",")]


@pytest.mark.parametrize("seed", SEEDS)
def test_random_ops_vs_redis(compat, seed):
    rnd = random.Random(seed)
    keys = ["k1", "k2", "k3", "n"]
    cmds = ["SET n 1234567"]

    def off():
        return rnd.choice([rnd.randrange(0, 40), rnd.randrange(0, 600), rnd.randrange(-3, 3),
                           rnd.randrange(0, 70000)])

    def idx():
        return rnd.choice([rnd.randrange(-12, 12), rnd.randrange(-100, 100), rnd.randrange(-900, 900)])

    def btype():
        if rnd.random() < 0.03:
            return rnd.choice(["u64", "i65", "i0", "x3"])
        if rnd.random() < 0.5:
            return "i%d" % rnd.randrange(1, 65)
        return "u%d" % rnd.randrange(1, 64)

    def val():
        return rnd.choice([rnd.randrange(-300, 300), rnd.randrange(-(1 << 63), 1 << 63),
                           rnd.choice([(1 << 63) - 1, -(1 << 63), 0, -1, 1])])

    for _ in range(2500):
        k = rnd.choice(keys)
        r = rnd.randrange(14)
        if r < 3:
            cmds.append(("SETBIT", k, off(), rnd.choice([0, 1, 1])))
        elif r == 3:
            cmds.append(("GETBIT", k, off()))
        elif r == 4:
            cmds.append(("BITCOUNT", k) if rnd.random() < 0.2 else
                        ("BITCOUNT", k, idx(), idx()) + ((rnd.choice(["BIT", "BYTE"]),) if rnd.random() < 0.6 else ()))
        elif r == 5:
            args = ("BITPOS", k, rnd.choice([0, 1]))
            n = rnd.randrange(4)
            if n >= 1:
                args += (idx() * rnd.choice([1, 8]),)
            if n >= 2:
                args += (idx() * rnd.choice([1, 8]),)
            if n >= 3:
                args += (rnd.choice(["BIT", "BYTE"]),)
            cmds.append(args)
        elif r == 6:
            op = rnd.choice(["AND", "OR", "XOR", "NOT"])
            srcs = [rnd.choice(keys + ["missing"])] if op == "NOT" else \
                [rnd.choice(keys + ["missing"]) for _ in range(rnd.randrange(1, 4))]
            cmds.append(("BITOP", op, rnd.choice(keys + ["d"])) + tuple(srcs))
        elif r in (7, 8, 9, 10):
            args = ["BITFIELD" if rnd.random() < 0.9 else "BITFIELD_RO", k]
            for _ in range(rnd.randrange(1, 5)):
                t = rnd.randrange(5)
                o = off() if rnd.random() < 0.8 else "#%d" % rnd.randrange(0, 30)
                if t == 0:
                    args += ["GET", btype(), o]
                elif t == 1:
                    args += ["SET", btype(), o, val()]
                elif t == 2:
                    args += ["INCRBY", btype(), o, val()]
                else:
                    args += ["OVERFLOW", rnd.choice(["WRAP", "SAT", "FAIL"])]
            cmds.append(tuple(args))
        elif r == 11:
            cmds.append(("GET", k))
        elif r == 12:
            cmds.append(("STRLEN", k))
        else:
            cmds.append(rnd.choice([("DEL", k), ("SET", k, rnd.choice(["123", "foo", "-7", "x" * 50])),
                                    ("APPEND", k, "\x00\xff"), ("OBJECT", "ENCODING", k)]))
    compat.check(*cmds)
