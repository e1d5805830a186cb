"""Unit tests of csrc/fk_intset.c (Redis's intset) and the set encodings of
csrc/fk_t_set.c, through the test handles of fastkv._core.ctest_intset.

* random adds/removes/finds against a Python model (a sorted list), with
  the encoding (int16/32/64) checked to be the widest ever needed (intsets
  upgrade, never downgrade);
* the upgrade path (prepend for a negative value, append for a positive);
* the blob layout (u32 LE encoding, u32 LE length, LE contents);
* byte-exactness against Redis: DUMP of an intset-encoded set from a real
  redis-server 7.0 (started with --rdbcompression no) holds
  type 11 (RDB_TYPE_SET_INTSET) + an RDB string with the intset bytes +
  2-byte RDB version + 8-byte CRC; the string must equal our bytes for the
  same SADD/SREM sequence;
* the set value (CSet): intset -> hashtable conversion at the exact
  threshold and on a non-integer member, never back; dup/mem_usage rows.
"""
import random
import struct

import pytest

from fastkv._core import ctest_intset as ct
from kvtest import RawConn, start_redis, to_py

I16 = (-2**15, 2**15 - 1)
I32 = (-2**31, 2**31 - 1)


def width(v):
    if I16[0] <= v <= I16[1]:
        return 2
    if I32[0] <= v <= I32[1]:
        return 4
    return 8


def parse_blob(b):
    enc, length = struct.unpack_from("<II", b, 0)
    fmt = {2: "h", 4: "i", 8: "q"}[enc]
    assert len(b) == 8 + enc * length
    return enc, list(struct.unpack_from("<%d%s" % (length, fmt), b, 8))


def rand_value(rng):
    r = rng.random()
    if r < 0.5:
        return rng.randint(-300, 300)
    if r < 0.75:
        return rng.randint(*I16)
    if r < 0.9:
        return rng.randint(*I32)
    return rng.randint(-2**63, 2**63 - 1)


@pytest.mark.parametrize("seed", range(6))
def test_random_ops_vs_model(seed):
    rng = random.Random(seed)
    s = ct.IntSet()
    model = set()
    enc = 2
    for step in range(3000):
        op = rng.random()
        v = rand_value(rng) if (op < 0.5 or not model) else rng.choice(sorted(model))
        if op < 0.55:
            assert s.add(v) == (v not in model)
            model.add(v)
            enc = max(enc, width(v))
        elif op < 0.85:
            if rng.random() < 0.3:
                v = rand_value(rng)
            assert s.remove(v) == (v in model)
            model.discard(v)
        else:
            assert s.find(v) == (v in model)
        if step % 97 == 0 or step > 2900:
            assert len(s) == len(model)
            assert s.items() == sorted(model)
            assert s.encoding == enc
            e, vals = parse_blob(s.blob())
            assert (e, vals) == (enc, sorted(model))
    for i, v in enumerate(sorted(model)):
        assert s.get(i) == v
    assert s.get(len(model)) is None
    if model:
        for _ in range(50):
            assert s.random() in model


def test_upgrade_path():
    s = ct.IntSet()
    assert s.encoding == 2 and s.blob() == b"\x02\x00\x00\x00\x00\x00\x00\x00"
    for v in (5, 1, 3):
        s.add(v)
    assert s.encoding == 2 and s.items() == [1, 3, 5]
    s.add(40000)                    # int32, positive: appended
    assert s.encoding == 4 and s.items() == [1, 3, 5, 40000]
    s.add(-40000)                   # fits int32: inserted in place
    assert s.encoding == 4 and s.items() == [-40000, 1, 3, 5, 40000]
    s.add(-2**40)                   # int64, negative: prepended
    assert s.encoding == 8 and s.items() == [-2**40, -40000, 1, 3, 5, 40000]
    s.add(2**63 - 1)
    s.add(-2**63)
    assert s.items() == [-2**63, -2**40, -40000, 1, 3, 5, 40000, 2**63 - 1]
    assert not s.add(3)
    # no downgrade after removing the wide values
    for v in (-2**63, -2**40, 2**63 - 1, 40000, -40000):
        assert s.remove(v)
    assert s.encoding == 8 and s.items() == [1, 3, 5]
    assert parse_blob(s.blob()) == (8, [1, 3, 5])
    assert not s.remove(2**40)       # wider than anything there
    assert not s.find(2**40)
    # upgrade from int16 straight to int64 with a positive value
    t = ct.IntSet()
    t.add(-1)
    t.add(2**62)
    assert t.encoding == 8 and t.items() == [-1, 2**62]


def test_validate():
    s = ct.IntSet()
    for v in (1, 2, 300):
        s.add(v)
    b = s.blob()
    assert ct.IntSet.validate(b)
    assert not ct.IntSet.validate(b[:-1])
    assert not ct.IntSet.validate(b"\x03\x00\x00\x00" + b[4:])          # bad encoding
    unsorted = struct.pack("<II3h", 2, 3, 1, 3, 2)
    assert not ct.IntSet.validate(unsorted)
    dup = struct.pack("<II3h", 2, 3, 1, 2, 2)
    assert not ct.IntSet.validate(dup)
    assert not ct.IntSet.validate(struct.pack("<II", 2, 0))             # empty: Redis refuses


def test_memory_is_compact():
    s = ct.IntSet()
    for v in range(10):
        s.add(v)
    assert len(s.blob()) == 8 + 2 * 10
    assert s.usable() < 64


# --------------------------------------------------------------------------
# byte-exactness against Redis
# --------------------------------------------------------------------------

def rdb_string(payload, pos):
    """Reads an RDB length-prefixed raw string at pos -> (bytes, new pos)."""
    b0 = payload[pos]
    kind = b0 >> 6
    if kind == 0:
        n, pos = b0 & 0x3F, pos + 1
    elif kind == 1:
        n, pos = ((b0 & 0x3F) << 8) | payload[pos + 1], pos + 2
    elif b0 == 0x80:
        n, pos = struct.unpack_from(">I", payload, pos + 1)[0], pos + 5
    elif b0 == 0x81:
        n, pos = struct.unpack_from(">Q", payload, pos + 1)[0], pos + 9
    else:
        raise AssertionError("encoded/compressed string in DUMP: %r" % payload[:16])
    return payload[pos:pos + n], pos + n


def intset_from_dump(payload):
    assert payload[0] == 11, "not RDB_TYPE_SET_INTSET: %d" % payload[0]
    blob, pos = rdb_string(payload, 1)
    assert len(payload) == pos + 2 + 8     # RDB version + CRC64
    return blob


@pytest.fixture(scope="module")
def redis_nocompress():
    srv = start_redis("redis-intset", extra=("--rdbcompression", "no"))
    yield srv
    srv.stop()


def _c(conn, *args):
    conn.send_command(*args)
    return to_py(conn.read_reply()[1])


CASES = [
    [1],
    [3, 1, 2],
    list(range(-5, 6)),
    [32767, -32768],
    [40000, 1, 2],
    [-40000, 7],
    [2**40, -3],
    [-2**63, 2**63 - 1, 0],
    list(range(0, 1000, 7)),
    list(range(-70000, 70000, 997)),
]


@pytest.mark.parametrize("members", CASES)
def test_bytes_equal_redis_dump(redis_nocompress, members):
    with RawConn(port=redis_nocompress.port, timeout=10) as c:
        _c(c, "DEL", "s")
        _c(c, "SADD", "s", *[str(m) for m in members])
        assert _c(c, "OBJECT", "ENCODING", "s") == b"intset"
        theirs = intset_from_dump(_c(c, "DUMP", "s"))
    s = ct.IntSet()
    for m in members:
        s.add(m)
    assert s.blob() == theirs


def test_bytes_equal_redis_dump_random_sequences(redis_nocompress):
    rng = random.Random(5)
    with RawConn(port=redis_nocompress.port, timeout=10) as c:
        for round_ in range(30):
            _c(c, "DEL", "s")
            s = ct.IntSet()
            _c(c, "SADD", "s", "0")
            s.add(0)
            for _ in range(rng.randint(1, 60)):
                v = rand_value(rng)
                if rng.random() < 0.7:
                    _c(c, "SADD", "s", str(v))
                    s.add(v)
                else:
                    items = s.items()
                    if len(items) > 1:
                        v = rng.choice(items)
                    _c(c, "SREM", "s", str(v))
                    s.remove(v)
            if len(s) == 0:
                continue
            assert _c(c, "OBJECT", "ENCODING", "s") == b"intset"
            assert s.blob() == intset_from_dump(_c(c, "DUMP", "s")), round_


# --------------------------------------------------------------------------
# the set value: encodings and conversion (fk_t_set.c)
# --------------------------------------------------------------------------

@pytest.fixture
def max_entries():
    old = ct.set_max_intset_entries()
    yield lambda n: ct.set_max_intset_entries(n, True)
    ct.set_max_intset_entries(old, True)


def test_conversion_at_threshold(max_entries):
    max_entries(4)
    s = ct.CSet(b"1")
    assert s.encoding == "intset"
    for m in (b"1", b"2", b"3", b"4"):
        s.add(m)
    assert s.encoding == "intset" and len(s) == 4
    assert not s.add(b"4")
    assert s.encoding == "intset"
    assert s.add(b"5")
    assert s.encoding == "hashtable" and sorted(s.members()) == [b"1", b"2", b"3", b"4", b"5"]
    for m in (b"1", b"2", b"3", b"4"):
        assert s.remove(m)
    assert s.encoding == "hashtable" and s.members() == [b"5"]
    assert s.ismember(b"5") and not s.ismember(b"05")


def test_conversion_on_string_member(max_entries):
    max_entries(512)
    s = ct.CSet(b"10")                 # setTypeCreate: the encoding only
    assert len(s) == 0
    for m in (b"10", b"-3", b"7", b"9223372036854775807"):
        s.add(m)
    assert s.encoding == "intset"
    for m in (b"01", b"+1", b"-0", b" 1", b"1.5", b"x", b""):
        assert not s.ismember(m)
        assert not s.remove(m)
    assert s.encoding == "intset"
    assert s.add(b"01")
    assert s.encoding == "hashtable"
    assert sorted(s.members()) == sorted([b"10", b"-3", b"7", b"9223372036854775807", b"01"])
    assert s.ismember(b"7") and s.ismember(b"01") and not s.ismember(b"1")
    assert ct.CSet(b"abc").encoding == "hashtable"
    assert ct.CSet().encoding == "intset"


@pytest.mark.parametrize("seed", range(3))
def test_cset_random_vs_model(seed, max_entries):
    max_entries(40)
    rng = random.Random(seed)
    s = ct.CSet()
    model = set()
    converted = False
    for _ in range(3000):
        r = rng.random()
        m = str(rng.randint(-60, 60)).encode() if r < 0.9 else b"s%d" % rng.randint(0, 20)
        if rng.random() < 0.55:
            assert s.add(m) == (m not in model)
            model.add(m)
        else:
            assert s.remove(m) == (m in model)
            model.discard(m)
        if len(model) > 40 or any(not x.lstrip(b"-").isdigit() for x in model):
            converted = True
        assert s.encoding == ("hashtable" if converted else "intset")
        assert len(s) == len(model)
    assert sorted(s.members()) == sorted(model)
    if model:
        for _ in range(100):
            assert s.random() in model


def test_rows_dup_mem_effort(max_entries):
    max_entries(512)
    a = ct.CSet()
    for i in range(10):
        a.add(str(i).encode())
    d = a.dup_members()
    assert d.encoding == "intset" and d.members() == a.members()
    d.add(b"99")
    assert len(a) == 10 and len(d) == 11
    assert a.free_effort() == 1
    assert 28 <= a.mem_usage() < 64
    h = ct.CSet()
    for i in range(1000):
        h.add(b"member:%d" % i)
    assert h.encoding == "hashtable"
    hd = h.dup_members()
    assert sorted(hd.members()) == sorted(h.members())
    assert hd.remove(b"member:1") and h.ismember(b"member:1")
    assert h.free_effort() == 1000
    full = h.mem_usage(0)
    est = h.mem_usage(5)
    assert full > 1000 * 32
    assert 0.7 * full < est < 1.3 * full
