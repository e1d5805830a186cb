"""Unit tests of the C structures under the keyspace (csrc/), through the
thin handles in fastkv._core.ctest: the dict's incremental rehash and SCAN
guarantee, the growable string, the strict integer parser, glob matching."""
import random

import pytest

ctest = pytest.importorskip("fastkv._core.ctest")


def keys(n, prefix=b"k"):
    return [prefix + b"%d" % i for i in range(n)]


def test_dict_set_get_delete():
    d = ctest.CDict()
    for i, k in enumerate(keys(1000)):
        d.set(k, i)
    assert len(d) == 1000
    assert d.get(b"k10") == 10
    assert d.get(b"nope") is None
    assert d.delete(b"k10") is True
    assert d.delete(b"k10") is False
    assert len(d) == 999
    assert d.get(b"k10") is None


def test_dict_binary_keys_and_empty_key():
    d = ctest.CDict()
    d.set(b"", 1)
    d.set(b"\x00\xff\r\n", 2)
    assert d.get(b"") == 1
    assert d.get(b"\x00\xff\r\n") == 2
    assert d.get(b"\x00") is None


def test_dict_grows_incrementally():
    d = ctest.CDict()
    for i, k in enumerate(keys(4)):
        d.set(k, i)
    assert d.sizes == (4, 0)
    d.set(b"k4", 4)              # load factor 1 reached: second table appears
    assert d.rehashing
    assert d.sizes == (4, 8)
    # every key stays reachable in the middle of a rehash
    for i, k in enumerate(keys(5)):
        assert d.get(k) == i
    while d.rehash(1):
        pass
    assert not d.rehashing and d.sizes == (8, 0)


def test_dict_lookups_during_rehash_with_inserts_and_deletes():
    d = ctest.CDict()
    model = {}
    rng = random.Random(7)
    for step in range(20000):
        k = b"key:%d" % rng.randrange(5000)
        op = rng.random()
        if op < 0.6:
            d.set(k, step)
            model[k] = step
        elif op < 0.9:
            assert d.delete(k) == (k in model)
            model.pop(k, None)
        else:
            assert d.get(k) == model.get(k)
    assert len(d) == len(model)
    for k, v in model.items():
        assert d.get(k) == v


def test_dict_shrinks_when_sparse():
    d = ctest.CDict()
    for i, k in enumerate(keys(1000)):
        d.set(k, i)
    for k in keys(1000)[10:]:
        d.delete(k)
    while d.rehash(100):
        pass
    assert d.sizes[0] == 1024
    assert d.shrink_if_needed()
    while d.rehash(100):
        pass
    assert d.sizes == (16, 0)
    for i, k in enumerate(keys(10)):
        assert d.get(k) == i


def full_scan(d, between=None):
    seen = []
    cursor = 0
    while True:
        cursor, batch = d.scan(cursor)
        seen.extend(batch)
        if between:
            between()
        if cursor == 0:
            return seen


def test_scan_returns_every_key_once_without_changes():
    d = ctest.CDict()
    for i, k in enumerate(keys(3000)):
        d.set(k, i)
    seen = full_scan(d)
    assert sorted(seen) == sorted(keys(3000))


def test_scan_survives_growth_and_rehash():
    """SCAN's guarantee: keys present for the whole scan come back at least
    once, even when the table doubles in the middle."""
    d = ctest.CDict()
    base = keys(200)
    for i, k in enumerate(base):
        d.set(k, i)
    extra = iter(keys(5000, b"new"))

    def grow():
        for _ in range(50):
            k = next(extra, None)
            if k is not None:
                d.set(k, 0)
        d.rehash(3)

    seen = set(full_scan(d, grow))
    assert set(base) <= seen


def test_scan_survives_shrinking():
    d = ctest.CDict()
    for i, k in enumerate(keys(4000)):
        d.set(k, i)
    keep = set(keys(4000)[:100])
    doomed = iter(keys(4000)[100:])

    def shrink():
        for _ in range(400):
            k = next(doomed, None)
            if k is not None:
                d.delete(k)
        d.shrink_if_needed()
        d.rehash(5)

    seen = set(full_scan(d, shrink))
    assert keep <= seen


def test_inline_extra_bytes_follow_resizes():
    d = ctest.CDict()
    d.set_extra(b"a", b"hello")
    assert d.get_extra(b"a") == b"hello"
    for i in range(100):                   # force a rehash in between
        d.set(b"x%d" % i, i)
    d.set_extra(b"a", b"a much longer value than before" * 3)
    assert d.get_extra(b"a") == b"a much longer value than before" * 3
    d.set_extra(b"a", b"")
    assert d.get_extra(b"a") == b""


def test_random_key_is_a_member():
    d = ctest.CDict()
    assert d.random_key() is None
    ks = set(keys(100))
    for k in ks:
        d.set(k, 1)
    for _ in range(200):
        assert d.random_key() in ks


def test_str_growth_is_greedy_and_keeps_content():
    s = ctest.CStr(b"abc")
    for i in range(1000):
        s.append(b"%d," % i)
    assert s.value() == b"abc" + b"".join(b"%d," % i for i in range(1000))
    assert s.alloc >= len(s.value())
    assert s.alloc < 2 * len(s.value()) + 64


@pytest.mark.parametrize("text,value", [
    (b"0", 0), (b"-1", -1), (b"123", 123), (b"9223372036854775807", 2**63 - 1),
    (b"-9223372036854775808", -2**63),
    (b"9223372036854775808", None), (b"-9223372036854775809", None),
    (b"", None), (b" 1", None), (b"1 ", None), (b"+1", None), (b"01", None),
    (b"-0", None), (b"1.0", None), (b"0x10", None),
])
def test_string2ll_is_strict(text, value):
    assert ctest.string2ll(text) == value


@pytest.mark.parametrize("value,text", [
    (10.5, b"10.5"), (3.0, b"3"), (0.1, b"0.10000000000000001"), (-0.0, b"0"), (5000.0, b"5000"),
])
def test_ld2string_human_form(value, text):
    assert ctest.ld2string(value) == text


@pytest.mark.parametrize("pattern,string,match", [
    (b"*", b"anything", True), (b"h?llo", b"hello", True), (b"h?llo", b"hllo", False),
    (b"h*llo", b"heeeello", True), (b"h[ae]llo", b"hallo", True), (b"h[ae]llo", b"hillo", False),
    (b"h[^e]llo", b"hallo", True), (b"h[^e]llo", b"hello", False), (b"h[a-b]llo", b"hbllo", True),
    (b"h\\*llo", b"h*llo", True), (b"h\\*llo", b"hello", False), (b"", b"", True), (b"a*", b"", False),
    (b"*a*a*a*a*a*a*a*a*a*a*b", b"a" * 60, False),
])
def test_glob(pattern, string, match):
    assert ctest.stringmatch(pattern, string) is match


def test_glob_nocase():
    assert ctest.stringmatch(b"HeLLo", b"hello", True)
    assert not ctest.stringmatch(b"HeLLo", b"hello", False)


# -- the type table ----------------------------------------------------------

def test_type_table_has_the_string_rows():
    rows = {(r["type_name"], r["enc_name"]) for r in ctest.objtype_rows()}
    assert {("string", "int"), ("string", "embstr"), ("string", "raw")} <= rows


def test_every_row_answers_every_operation():
    for row in ctest.objtype_rows():
        assert row["free"] and row["inline_size"] and row["dup"] and row["mem_usage"], row


STRING_ROWS = [r for r in ctest.objtype_rows() if r["type_name"] == "string"]


def test_every_string_row_has_a_sample():
    # Collection rows are exercised over TCP by tests/test_type_table.py.
    for row in STRING_ROWS:
        assert ctest.has_sample(row["type"], row["encoding"]), row


@pytest.mark.parametrize("row", STRING_ROWS, ids=lambda r: "%s-%s" % (r["type_name"], r["enc_name"]))
def test_row_roundtrip(row):
    res = ctest.row_roundtrip(row["type"], row["encoding"])
    assert res["type_name"] == row["type_name"]
    assert res["enc_name"] == row["enc_name"]
    assert res["copy_enc_name"] == row["enc_name"]     # COPY keeps the encoding
    assert res["equal"] and res["independent"]
    assert res["leaked"] == 0                          # free() released what dup() made
    if row["enc_name"] == "raw":
        assert res["mem_usage"] >= 100 and res["inline_size"] == 0
    elif row["enc_name"] == "embstr":
        assert res["mem_usage"] == 0 and res["inline_size"] == len(b"short value")
    else:
        assert res["mem_usage"] == 0 and res["inline_size"] == 0


def test_monotonic_clock_runs_at_real_time():
    """fk_monotonic_us (TSC-based where the CPU has an invariant TSC)
    advances like the OS monotonic clock."""
    import time
    t0, m0 = time.monotonic(), ctest.monotonic_us()
    time.sleep(0.3)
    t1, m1 = time.monotonic(), ctest.monotonic_us()
    elapsed_us = (t1 - t0) * 1e6
    assert abs((m1 - m0) - elapsed_us) < 0.03 * elapsed_us + 2000, (m1 - m0, elapsed_us)
