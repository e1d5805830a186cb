"""Unit tests of csrc/fk_listpack.c through fastkv._core.ctest_listpack:
random operations against a Python list model, the exact bytes against a
Python reference encoder of Redis's listpack format, and against the
listpack that redis-server 7.0 itself builds (DUMP of a small hash)."""
import random
import struct

import pytest

clp = pytest.importorskip("fastkv._core.ctest_listpack")

INT64_MAX = 2**63 - 1
INT64_MIN = -2**63


# --------------------------------------------------------------------------
# Python reference
# --------------------------------------------------------------------------

def str_to_int64(s: bytes):
    """lpStringToInt64: strict integer text (no '+', spaces, leading zeros)."""
    if not s or len(s) > 20:
        return None
    if s == b"0":
        return 0
    body = s[1:] if s[:1] == b"-" else s
    if not body or not body.isdigit() or body[:1] == b"0" or not body.isascii():
        return None
    v = int(s)
    if not INT64_MIN <= v <= INT64_MAX:
        return None
    return v


def canon(x):
    """What reading back element x gives: int when stored as an integer."""
    if isinstance(x, int):
        return x
    v = str_to_int64(x)
    return x if v is None else v


def text(x) -> bytes:
    return str(x).encode() if isinstance(x, int) else x


def enc_backlen(n: int) -> bytes:
    if n <= 127:
        size = 1
    elif n < 16383:
        size = 2
    elif n < 2097151:
        size = 3
    elif n < 268435455:
        size = 4
    else:
        size = 5
    out = []
    for i in range(size):
        b = (n >> (7 * (size - 1 - i))) & 127
        if i:
            b |= 128
        out.append(b)
    return bytes(out)


def enc_entry(x) -> bytes:
    x = canon(x)
    if isinstance(x, int):
        v = x
        if 0 <= v <= 127:
            e = bytes([v])
        elif -4096 <= v <= 4095:
            u = v & 0x1FFF
            e = bytes([0xC0 | (u >> 8), u & 0xFF])
        elif -32768 <= v <= 32767:
            e = b"\xf1" + struct.pack("<h", v)
        elif -8388608 <= v <= 8388607:
            e = b"\xf2" + struct.pack("<i", v)[:3]
        elif -2**31 <= v < 2**31:
            e = b"\xf3" + struct.pack("<i", v)
        else:
            e = b"\xf4" + struct.pack("<q", v)
    else:
        n = len(x)
        if n < 64:
            e = bytes([0x80 | n]) + x
        elif n < 4096:
            e = bytes([0xE0 | (n >> 8), n & 0xFF]) + x
        else:
            e = b"\xf0" + struct.pack("<I", n) + x
    return e + enc_backlen(len(e))


def encode(items) -> bytes:
    body = b"".join(enc_entry(x) for x in items)
    total = 6 + len(body) + 1
    return struct.pack("<IH", total, min(len(items), 65535)) + body + b"\xff"


EDGE_INTS = [0, -1, 1, 127, 128, -128, -129, 4095, 4096, -4096, -4097, 32767, 32768,
             -32768, -32769, 2**23 - 1, 2**23, -2**23, -2**23 - 1, 2**31 - 1, 2**31,
             -2**31, -2**31 - 1, 2**63 - 1, -2**63, 12345678901234]
EDGE_STRS = [b"", b"a", b"x" * 63, b"y" * 64, b"z" * 127, b"w" * 128, b"v" * 4095, b"u" * 4096,
             b"t" * 16380, b"s" * 16383, b"-", b"-0", b"00", b"01", b"+1", b" 1", b"1 ",
             b"9223372036854775808", b"-9223372036854775809", b"18446744073709551616",
             b"99999999999999999999999", b"1.5", b"\x00\xff", b"-9223372036854775808"]


def rand_value(rng):
    r = rng.random()
    if r < 0.25:
        return rng.choice(EDGE_INTS)
    if r < 0.4:
        return str(rng.choice(EDGE_INTS)).encode()
    if r < 0.5:
        return rng.choice(EDGE_STRS)
    if r < 0.7:
        return str(rng.randint(-100000, 100000)).encode()
    if r < 0.8:
        return rng.randint(INT64_MIN, INT64_MAX)
    n = rng.choice([0, 1, 5, 20, 63, 64, 100, 300])
    return bytes(rng.randrange(256) for _ in range(n))


def check(lp, model):
    assert len(lp) == len(model)
    assert lp.items() == [canon(x) for x in model]
    assert lp.text() == [text(canon(x)) for x in model]
    assert lp.bytes() == encode(model)
    assert lp.validate()
    assert lp.validate(False)


# --------------------------------------------------------------------------
# tests
# --------------------------------------------------------------------------

@pytest.mark.parametrize("s", [b"0", b"-0", b"1", b"-1", b"01", b"+1", b"", b"-", b" 1",
                               b"9223372036854775807", b"9223372036854775808",
                               b"-9223372036854775808", b"-9223372036854775809",
                               b"123456789012345678901", b"1a", b"a1", b"00"])
def test_string_to_int64(s):
    assert clp.string_to_int64(s) == str_to_int64(s)


def test_empty():
    lp = clp.LP()
    assert len(lp) == 0
    assert lp.bytes() == b"\x07\x00\x00\x00\x00\x00\xff"
    assert lp.items() == [] and lp.items_reversed() == []
    assert not lp.has(0) and not lp.has(-1)
    assert lp.validate()
    big = clp.LP(100)
    assert big.usable() >= 100
    big.shrink()
    assert big.bytes() == lp.bytes()


@pytest.mark.parametrize("x", EDGE_INTS + EDGE_STRS + [str(v).encode() for v in EDGE_INTS])
def test_each_encoding(x):
    lp = clp.LP()
    lp.append(x)
    assert lp.bytes() == encode([x])
    assert lp.get(0) == canon(x)
    assert lp.get_text(0) == text(canon(x))
    assert lp.compare(0, text(canon(x)))
    lp.prepend(x)
    lp.append(b"end")
    check(lp, [x, x, b"end"])
    assert lp.items_reversed() == [b"end", canon(x), canon(x)]


def test_known_bytes():
    # Spot values checked by hand against Redis's encoder.
    assert encode([127]) == b"\x09\x00\x00\x00\x01\x00\x7f\x01\xff"
    assert enc_entry(128) == b"\xc0\x80\x02"
    assert enc_entry(-1) == b"\xdf\xff\x02"
    assert enc_entry(-4096) == b"\xd0\x00\x02"
    assert enc_entry(b"abc") == b"\x83abc\x04"
    assert enc_backlen(16382) == bytes([16382 >> 7, (16382 & 127) | 128])
    assert len(enc_backlen(16383)) == 3


def test_integer_api_matches_string_api():
    rng = random.Random(7)
    a, b = clp.LP(), clp.LP()
    for v in EDGE_INTS + [rng.randint(INT64_MIN, INT64_MAX) for _ in range(200)]:
        a.append(v)
        b.append(str(v).encode())
        a.prepend(v)
        b.prepend(str(v).encode())
    assert a.bytes() == b.bytes()


def test_random_ops_against_model():
    rng = random.Random(12345)
    lp = clp.LP()
    model = []
    for step in range(6000):
        op = rng.random()
        n = len(model)
        if op < 0.2 or n == 0:
            x = rand_value(rng)
            lp.append(x)
            model.append(x)
        elif op < 0.3:
            x = rand_value(rng)
            lp.prepend(x)
            model.insert(0, x)
        elif op < 0.45:
            i = rng.randrange(n)
            x = rand_value(rng)
            where = rng.choice([clp.BEFORE, clp.AFTER])
            idx = i if rng.random() < 0.5 else i - n
            got = lp.insert(idx, x, where)
            pos = i if where == clp.BEFORE else i + 1
            model.insert(pos, x)
            assert got == pos
        elif op < 0.55:
            i = rng.randrange(n)
            x = rand_value(rng)
            if rng.random() < 0.5:
                assert lp.replace(i, x) == i
            else:
                assert lp.insert_replace(i, x) == i
            model[i] = x
        elif op < 0.68:
            i = rng.randrange(n)
            nxt = lp.delete(i if rng.random() < 0.5 else i - n)
            del model[i]
            assert nxt == (i if i < len(model) else -1)
        elif op < 0.72:
            i = rng.randrange(-n - 2, n + 2)
            num = rng.choice([0, 1, 2, 5, n, 2**32 - 1])
            lp.delete_range(i, num)
            if -n <= i < n:
                j = i if i >= 0 else n + i
                del model[j:j + num]
        elif op < 0.76:
            i = rng.randrange(n)
            num = rng.choice([0, 1, 3, n])
            nxt = lp.delete_range_with_entry(i, num)
            del model[i:i + num]
            if num:
                assert nxt == (i if i < len(model) else -1)
        elif op < 0.8:
            k = rng.randint(1, min(n, 6))
            idxs = sorted(rng.sample(range(n), k))
            lp.batch_delete(idxs)
            for j in reversed(idxs):
                del model[j]
        elif op < 0.9:
            i = rng.randrange(-n, n)
            assert lp.get(i) == canon(model[i])
            assert lp.compare(i, text(canon(model[i])))
        else:
            x = model[rng.randrange(n)] if rng.random() < 0.7 else rand_value(rng)
            t = text(canon(x))
            start = rng.randrange(n)
            skip = rng.choice([0, 0, 1, 2])
            exp = -1
            for j in range(start, n, skip + 1):
                if text(canon(model[j])) == t:
                    exp = j
                    break
            assert lp.find(t, start, skip) == exp
        if step % 97 == 0:
            check(lp, model)
        if len(model) > 400:
            lp.delete_range(0, 200)
            del model[:200]
    check(lp, model)
    assert lp.items_reversed() == [canon(x) for x in reversed(model)]


def test_seek_both_directions():
    lp = clp.LP()
    model = list(range(-50, 51))
    for v in model:
        lp.append(v)
    for i in range(-len(model) - 3, len(model) + 3):
        if -len(model) <= i < len(model):
            assert lp.get(i) == model[i]
        else:
            assert not lp.has(i)


def test_count_header_overflow():
    lp = clp.LP()
    n = 70000
    for i in range(n):
        lp.append(i % 200)
    assert lp.header_count() == 65535
    assert len(lp) == n
    assert lp.get(n - 1) == (n - 1) % 200
    assert lp.get(-1) == (n - 1) % 200
    assert lp.get(-n) == 0
    assert not lp.has(n) and not lp.has(-n - 1)
    assert lp.validate()
    # Deleting below the limit: the header stays "unknown" until lpLength counts.
    lp.delete_range_with_entry(0, n - 65000)
    assert lp.header_count() == 65535
    assert len(lp) == 65000
    assert lp.header_count() == 65000
    assert lp.bytes() == encode([i % 200 for i in range(n - 65000, n)])
    lp.delete_range(-10, 10)
    assert len(lp) == 64990
    assert lp.validate()
    # Insert back over the limit, then delete single entries down below it.
    for i in range(600):
        lp.prepend(b"s%d" % i)
    assert lp.header_count() == 65535 and len(lp) == 65590
    for i in range(100):
        lp.delete(0)
    assert lp.header_count() == 65535
    assert len(lp) == 65490 and lp.header_count() == 65490
    assert lp.validate()


def test_large_strings_and_backlens():
    rng = random.Random(3)
    model = []
    lp = clp.LP()
    for size in [126, 127, 128, 16378, 16380, 16381, 16382, 16383, 70000, 2097150, 2097152]:
        x = bytes(rng.randrange(97, 123) for _ in range(64)) * (size // 64) + b"q" * (size % 64)
        lp.append(x)
        model.append(x)
    check(lp, model)
    assert lp.items_reversed() == list(reversed(model))


def test_merge():
    for na, nb in [(3, 2), (2, 3), (0, 4), (4, 0), (5, 5)]:
        a, b = clp.LP(), clp.LP()
        ma = [b"a%d" % i for i in range(na)] + list(range(na))
        mb = [b"b%d" % i for i in range(nb)] + [-i * 1000 for i in range(nb)]
        for x in ma:
            a.append(x)
        for x in mb:
            b.append(x)
        kept = a.merge(b)
        assert kept == ("first" if len(ma) >= len(mb) else "second")
        check(a, ma + mb)
        check(b, [])


def test_dup_is_independent():
    a = clp.LP()
    for x in [b"x", 1, b"yy" * 40]:
        a.append(x)
    b = a.dup()
    b.append(b"more")
    check(a, [b"x", 1, b"yy" * 40])
    check(b, [b"x", 1, b"yy" * 40, b"more"])


def test_delete_range_edges():
    for n in range(0, 6):
        for i in range(-n - 2, n + 2):
            for num in [0, 1, 2, n, n + 1, 2**32 - 1]:
                lp = clp.LP()
                model = [b"e%d" % k for k in range(n)]
                for x in model:
                    lp.append(x)
                lp.delete_range(i, num)
                if -n <= i < n:
                    j = i if i >= 0 else n + i
                    del model[j:j + num]
                check(lp, model)


def test_random_pairs():
    clp.seed(1)
    lp = clp.LP()
    pairs = [(b"f%d" % i, i * 3) for i in range(20)]
    for f, v in pairs:
        lp.append(f)
        lp.append(v)
    d = dict(pairs)
    seen = set()
    for _ in range(300):
        k, v = lp.random_pair()
        assert d[k] == v
        seen.add(k)
    assert len(seen) == 20
    got = lp.random_pairs(50)
    assert len(got) == 50 and all(d[k] == v for k, v in got)
    assert all(k in d for k in lp.random_pairs(10, with_values=False))
    u = lp.random_pairs_unique(7)
    assert len(u) == 7 and len({k for k, _ in u}) == 7 and all(d[k] == v for k, v in u)
    u = lp.random_pairs_unique(100)
    assert sorted(u) == sorted(pairs)
    assert len(lp.random_pairs_unique(0)) == 0


def test_validate_rejects_corruption():
    lp = clp.LP()
    for x in [b"hello", 300, b"w" * 100, -5]:
        lp.append(x)
    good = lp.bytes()
    assert clp.validate_bytes(good)
    assert not clp.validate_bytes(good[:-1])                  # size mismatch
    assert not clp.validate_bytes(good[:-1] + b"\x00")        # no EOF
    bad = bytearray(good)
    bad[6] = 0x84                                             # length 4: backlen lands on "o"
    assert not clp.validate_bytes(bytes(bad))
    bad = bytearray(good)
    bad[4] = 3                                                # wrong count
    assert not clp.validate_bytes(bytes(bad))
    bad = bytearray(good)
    bad[6 + 6] = 0x7F                                         # backlen of "hello" broken
    assert not clp.validate_bytes(bytes(bad))
    assert not clp.validate_bytes(b"\x06\x00\x00\x00\x00\x00")
    assert clp.validate_bytes(b"\x07\x00\x00\x00\x00\x00\xff")
    assert not clp.validate_bytes(b"\x07\x00\x00\x00\x01\x00\xff")
    assert not clp.validate_bytes(struct.pack("<IH", 12, 1) + b"\xf0\xff\xff\xff\x7f\xff")


# --------------------------------------------------------------------------
# the same bytes as redis-server
# --------------------------------------------------------------------------

def _rdb_string(buf: bytes, pos: int):
    b = buf[pos]
    kind = b >> 6
    if kind == 0:
        return buf[pos + 1:pos + 1 + (b & 0x3F)], pos + 1 + (b & 0x3F)
    if kind == 1:
        n = ((b & 0x3F) << 8) | buf[pos + 1]
        return buf[pos + 2:pos + 2 + n], pos + 2 + n
    if b == 0x80:
        n = struct.unpack(">I", buf[pos + 1:pos + 5])[0]
        return buf[pos + 5:pos + 5 + n], pos + 5 + n
    raise AssertionError("unexpected RDB string encoding %#x" % b)


def _dump_listpack(cli, key):
    payload = cli.execute_command("DUMP", key)
    assert payload[0] == 16, "not RDB_TYPE_HASH_LISTPACK: %d" % payload[0]
    lpbytes, end = _rdb_string(payload, 1)
    assert end == len(payload) - 10
    return lpbytes


def test_same_bytes_as_redis_hash(start_real_redis):
    srv = start_real_redis("--rdbcompression", "no", "--hash-max-listpack-entries", "1000",
                           "--hash-max-listpack-value", "5000")
    cli = srv.client()
    rng = random.Random(99)
    cases = {
        "edges": [(b"f%d" % i, text(v)) for i, v in enumerate(EDGE_INTS)]
                 + [(b"s%d" % i, s) for i, s in enumerate(EDGE_STRS) if len(s) <= 4096],
        "ints": [(str(i).encode(), str(-i * 7919).encode()) for i in range(300)],
        "mixed": [(b"k%d" % i, text(rand_value(rng)) if rng.random() < 0.7 else b"v" * rng.randrange(200))
                  for i in range(400)],
        "small": [(b"a", b"1"), (b"b", b"hello")],
    }
    for name, pairs in cases.items():
        pairs = [(f, v) for f, v in pairs if len(v) <= 5000]
        cli.delete(name)
        for f, v in pairs:
            cli.hset(name, f, v)
        assert cli.object("encoding", name) == b"listpack"
        theirs = _dump_listpack(cli, name)
        lp = clp.LP()
        for f, v in pairs:
            lp.append(f)
            lp.append(v)
        assert lp.bytes() == theirs, name
        assert clp.validate_bytes(theirs)
        # Field updates in place (lpReplace): HSET over existing fields.
        for f, v in pairs[::3]:
            nv = v + b"x" if len(v) < 4000 else b"7"
            cli.hset(name, f, nv)
            i = lp.find(f, 0, 1)
            lp.replace(i + 1, nv)
        assert lp.bytes() == _dump_listpack(cli, name), name
        # HDEL (lpDeleteRangeWithEntry of the pair).
        for f, _ in pairs[1::4]:
            cli.hdel(name, f)
            i = lp.find(f, 0, 1)
            lp.delete_range_with_entry(i, 2)
        if cli.exists(name):
            assert lp.bytes() == _dump_listpack(cli, name), name
