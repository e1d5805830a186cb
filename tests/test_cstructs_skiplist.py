"""Unit tests of csrc/fk_zset (skiplist with spans + member table, and the
sorted-set value in both encodings) through fastkv._core.ctest_skiplist,
checked against a sorted Python model."""
import math
import random

import pytest

ctest = pytest.importorskip("fastkv._core.ctest_skiplist")

LISTPACK_ADD_INCR = 1   # FK_ZADD_IN_INCR
NX, XX, GT, LT = 2, 4, 8, 16


def model_sorted(model):
    return sorted(((m, s) for m, s in model.items()), key=lambda p: (p[1], p[0]))


def check_against(sl, model):
    assert sl.check() == 0
    want = model_sorted(model)
    assert sl.items() == want
    assert sl.items_backward() == want[::-1]
    assert len(sl) == len(want)
    for i, (m, s) in enumerate(want):
        assert sl.rank(m) == i
        assert sl.score(m) == s
        assert sl.by_rank(i) == (m, s)
    assert sl.by_rank(len(want)) is None


@pytest.mark.parametrize("seed", range(6))
def test_random_ops_rank_and_span_invariants(seed):
    rnd = random.Random(seed)
    sl = ctest.Skiplist()
    model = {}
    nmembers = rnd.choice([10, 100, 600])
    for step in range(3000):
        op = rnd.random()
        m = b"m%d" % rnd.randrange(nmembers)
        if op < 0.55:
            s = float(rnd.choice([rnd.randrange(20), rnd.uniform(-100, 100), 0.0]))
            new = sl.add(m, s)
            assert new == (m not in model)
            model[m] = s
        elif op < 0.85:
            assert sl.remove(m) == (m in model)
            model.pop(m, None)
        else:
            # score update that may or may not keep the node in place
            if model:
                m = rnd.choice(list(model))
                s = model[m] + rnd.choice([-0.5, 0.0, 0.25, 1000])
                assert sl.add(m, s) is False
                model[m] = s
        if step % 250 == 0:
            check_against(sl, model)
    check_against(sl, model)
    d = sl.dup()
    check_against(d, model)
    while model:
        m = rnd.choice(list(model))
        sl.remove(m)
        del model[m]
    check_against(sl, model)
    assert sl.level() == 1


def test_levels_grow_and_hash_table_resizes():
    sl = ctest.Skiplist()
    for i in range(5000):
        sl.add(b"x%d" % i, i)
    assert sl.check() == 0
    assert sl.level() > 3
    assert sl.ht_size() >= 5000
    for i in range(4990):
        sl.remove(b"x%d" % i)
        if i % 500 == 0:
            assert sl.check() == 0
    assert sl.check() == 0
    for _ in range(3):       # finish the shrinks (one bucket per operation otherwise)
        sl.rehash()
        sl.remove(b"x4999")
        sl.add(b"x4999", 4999)
    assert not sl.rehashing()
    assert sl.ht_size() <= 64
    assert sl.mem() > 0


def test_incremental_rehash_and_scan_cover_every_member():
    rnd = random.Random(5)
    sl = ctest.Skiplist()
    for i in range(3000):
        sl.add(b"k%d" % i, rnd.random())
    # a scan interleaved with growth and rehash steps returns every member
    # that was there for the whole scan
    present = {b"k%d" % i for i in range(3000)}
    seen = set()
    cursor, n = 0, 3000
    while True:
        cursor, got = sl.scan(cursor)
        seen.update(got)
        if n < 9000:          # grow (and rehash) while the scan runs
            for _ in range(7):
                sl.add(b"n%d" % n, 0.5)
                n += 1
        if cursor == 0:
            break
    assert present <= seen
    assert sl.check() == 0
    # and across shrinking
    for i in range(n - 3000):
        sl.remove(b"n%d" % (3000 + i))
    for i in range(2900):
        sl.remove(b"k%d" % i)
    keep = {b"k%d" % i for i in range(2900, 3000)}
    seen = set()
    cursor = 0
    while True:
        cursor, got = sl.scan(cursor)
        seen.update(got)
        if cursor == 0:
            break
    assert keep <= seen
    assert sl.check() == 0


def test_ties_ordered_by_member_bytes():
    sl = ctest.Skiplist()
    for m in [b"b", b"a", b"ab", b"", b"\xff", b"A"]:
        sl.add(m, 1.0)
    assert [m for m, _ in sl.items()] == sorted([b"b", b"a", b"ab", b"", b"\xff", b"A"])
    assert sl.check() == 0


def test_ranges_against_model():
    rnd = random.Random(7)
    sl = ctest.Skiplist()
    model = {}
    for i in range(300):
        m = b"%03d" % rnd.randrange(1000)
        s = float(rnd.randrange(50))
        sl.add(m, s)
        model[m] = s
    items = model_sorted(model)

    def bound(tok):
        ex = tok.startswith("(")
        v = float(tok[1:] if ex else tok)
        return v, ex

    for _ in range(300):
        a, b = sorted(rnd.sample(range(-5, 56), 2))
        mn = rnd.choice(["", "("]) + str(a)
        mx = rnd.choice(["", "("]) + str(b)
        if rnd.random() < 0.1:
            mn = "-inf"
        if rnd.random() < 0.1:
            mx = "+inf"
        lo, loex = bound(mn)
        hi, hiex = bound(mx)
        inr = [m for m, s in items if (s > lo if loex else s >= lo) and (s < hi if hiex else s <= hi)]
        assert sl.first_in_range(mn.encode(), mx.encode()) == (inr[0] if inr else None)
        assert sl.first_in_range(mn.encode(), mx.encode(), True) == (inr[-1] if inr else None)

    # lex ranges need equal scores
    lex = ctest.Skiplist()
    names = sorted({b"%c%c" % (rnd.randrange(97, 103), rnd.randrange(97, 103)) for _ in range(30)})
    for m in names:
        lex.add(m, 0)
    for _ in range(200):
        a, b = sorted(rnd.sample([b"a", b"b", b"bc", b"c", b"d", b"ee", b"f", b"g"], 2))
        pa, pb = rnd.choice([b"[", b"("]), rnd.choice([b"[", b"("])
        mn, mx = pa + a, pb + b
        if rnd.random() < 0.15:
            mn = b"-"
        if rnd.random() < 0.15:
            mx = b"+"

        def ok(m):
            lo = True if mn == b"-" else (m > mn[1:] if mn[:1] == b"(" else m >= mn[1:])
            hi = True if mx == b"+" else (m < mx[1:] if mx[:1] == b"(" else m <= mx[1:])
            return lo and hi
        inr = [m for m in names if ok(m)]
        assert lex.first_in_lex_range(mn, mx) == (inr[0] if inr else None)
        assert lex.first_in_lex_range(mn, mx, True) == (inr[-1] if inr else None)
    assert lex.first_in_lex_range(b"+", b"-") is None
    assert lex.first_in_lex_range(b"-", b"-") is None
    with pytest.raises(ValueError):
        lex.first_in_lex_range(b"a", b"+")


@pytest.mark.parametrize("skiplist", [False, True])
def test_value_api_both_encodings(skiplist):
    rnd = random.Random(3 + skiplist)
    z = ctest.ZValue(skiplist)
    model = {}
    for step in range(2000):
        r = rnd.random()
        m = rnd.choice([b"%d" % rnd.randrange(60), b"m%d" % rnd.randrange(60), b"-0", b"007"])
        if r < 0.5:
            s = rnd.choice([float(rnd.randrange(-10, 10)), rnd.uniform(-5, 5), 1e17, 0.1, -0.0])
            ok, out, new = z.add(m, s)
            assert ok == 1
            model[m] = s
        elif r < 0.6:
            s = rnd.choice([1.0, -2.5])
            ok, out, new = z.add(m, s, LISTPACK_ADD_INCR)
            model[m] = model.get(m, 0.0) + s
            assert new == model[m]
        elif r < 0.8:
            assert z.delete(m) == (m in model)
            model.pop(m, None)
        elif r < 0.85 and len(model) > 3:
            # delete a rank range
            n = len(model)
            a = rnd.randrange(n)
            b = rnd.randrange(a, n)
            gone = model_sorted(model)[a:b + 1]
            assert z.delete_rank(a, b) == len(gone)
            for m2, _ in gone:
                del model[m2]
        if step % 100 == 0:
            assert z.check() == 0
            want = model_sorted(model)
            got = z.items()
            assert [m for m, _ in got] == [m for m, _ in want]
            assert all(a == b for (_, a), (_, b) in zip(got, want))
            assert z.items(True) == got[::-1]
            for i, (m2, s2) in enumerate(want):
                assert z.rank(m2) == i
                assert z.rank(m2, True) == len(want) - 1 - i
                assert z.score(m2) == s2


def test_conversions_roundtrip():
    z = ctest.ZValue(False)
    for i in range(50):
        z.add(b"k%d" % i, i % 7)
    before = z.items()
    z.convert("skiplist")
    assert z.encoding() == "skiplist" and z.check() == 0
    assert z.items() == before
    z.convert("listpack")
    assert z.encoding() == "listpack"
    assert z.items() == before


def test_listpack_converts_past_thresholds():
    # defaults: 128 entries, 64 bytes
    z = ctest.ZValue(False)
    for i in range(128):
        z.add(b"k%d" % i, i)
    assert z.encoding() == "listpack"
    z.add(b"k128", 1)
    assert z.encoding() == "skiplist" and len(z) == 129
    z2 = ctest.ZValue(False)
    z2.add(b"x" * 64, 1)
    assert z2.encoding() == "listpack"
    z2.add(b"x" * 65, 1)
    assert z2.encoding() == "skiplist"


@pytest.mark.parametrize("skiplist", [False, True])
def test_delete_by_score_and_lex(skiplist):
    z = ctest.ZValue(skiplist)
    for i, m in enumerate([b"a", b"b", b"c", b"d", b"e"]):
        z.add(m, float(i))
    assert z.delete_score(b"(1", b"3") == 2
    assert [m for m, _ in z.items()] == [b"a", b"b", b"e"]
    assert z.delete_score(b"-inf", b"(0") == 0
    z2 = ctest.ZValue(skiplist)
    for m in [b"a", b"b", b"c", b"d", b"e"]:
        z2.add(m, 0.0)
    assert z2.delete_lex(b"(a", b"[c") == 2
    assert [m for m, _ in z2.items()] == [b"a", b"d", b"e"]
    assert z2.delete_lex(b"-", b"+") == 3
    assert len(z2) == 0


@pytest.mark.parametrize("skiplist", [False, True])
def test_nan_and_flags(skiplist):
    z = ctest.ZValue(skiplist)
    assert z.add(b"a", math.nan)[0] == 0
    z.add(b"a", math.inf)
    ok, out, _ = z.add(b"a", -math.inf, LISTPACK_ADD_INCR)
    assert ok == 0
    ok, out, _ = z.add(b"a", 1.0, NX)
    assert out & 1   # NOP
    ok, out, _ = z.add(b"b", 1.0, XX)
    assert out & 1 and z.score(b"b") is None
    z.add(b"c", 5.0)
    ok, out, _ = z.add(b"c", 4.0, GT)
    assert out & 1 and z.score(b"c") == 5.0
    ok, out, _ = z.add(b"c", 4.0, LT)
    assert out & 8 and z.score(b"c") == 4.0
