"""Unit tests of the hash type's C structure (csrc/fk_t_hash.c) through
fastkv._core.ctest_hash: random operations checked against a dict model,
across the listpack -> hashtable conversion, plus the type-table row (dup,
free, memory usage) and the iteration, scan and random-pick helpers."""
import gc
import random

import pytest

ctest = pytest.importorskip("fastkv._core.ctest_hash")


@pytest.fixture
def limits():
    """Set hash-max-listpack-entries/-value for a test; restored after."""
    saved = []

    def set_(entries, value):
        saved.append(ctest.set_limits(entries, value))
    yield set_
    if saved:
        ctest.set_limits(*saved[0])


def check(h, model, ordered=None):
    assert len(h) == len(model)
    items = h.items()
    assert dict(items) == model and len(items) == len(model)
    if ordered is not None:
        assert [f for f, _ in items] == ordered
    for f, v in model.items():
        assert h.get(f) == v and h.exists(f)


VALUES = [b"", b"0", b"1", b"-1", b"007", b"+1", b"12345678901234567890", b"-9223372036854775808",
          b"9223372036854775807", b"9223372036854775808", b"1.5", b" 1", b"abc", b"x" * 20,
          b"\x00\xff", b"127", b"128", b"-4096", b"4095", b"65535", b"-8388608"]


def test_listpack_basics_and_order(limits):
    limits(128, 64)
    h = ctest.Hash()
    assert h.encoding == "listpack" and len(h) == 0
    assert h.get(b"a") is None and not h.exists(b"a") and h.delete(b"a") == 0
    model, order = {}, []
    for i, v in enumerate(VALUES):
        f = VALUES[-1 - i] + b"f"
        assert h.set(f, v) == 0
        model[f] = v
        order.append(f)
    # integers in fields too
    for f in (b"1", b"-5", b"0", b"100000"):
        assert h.set(f, f) == 0
        model[f] = f
        order.append(f)
    check(h, model, order)
    assert h.set(b"1", b"replaced") == 1
    model[b"1"] = b"replaced"
    check(h, model, order)            # a replaced value keeps its place
    assert h.delete(order[0]) == 1
    del model[order.pop(0)]
    check(h, model, order)
    assert h.encoding == "listpack"
    assert h.lru == 12345


def test_conversion_on_entries(limits):
    limits(4, 64)
    h = ctest.Hash()
    for i in range(4):
        h.set(b"f%d" % i, b"%d" % i)
    assert h.encoding == "listpack"
    h.set(b"f0", b"again")             # an update doesn't grow it
    assert h.encoding == "listpack"
    h.set(b"f4", b"4")
    assert h.encoding == "hashtable"
    assert h.lru == 12345              # only the encoding bits change
    check(h, {b"f0": b"again", b"f1": b"1", b"f2": b"2", b"f3": b"3", b"f4": b"4"})
    for i in range(5):
        h.delete(b"f%d" % i)
    assert len(h) == 0 and h.encoding == "hashtable"     # never back


@pytest.mark.parametrize("which", ["field", "value"])
def test_conversion_on_length(limits, which):
    limits(128, 8)
    h = ctest.Hash()
    h.set(b"12345678", b"12345678")     # exactly at the limit
    assert h.encoding == "listpack"
    if which == "field":
        h.set(b"123456789", b"v")
    else:
        h.set(b"f", b"123456789")
    assert h.encoding == "hashtable"
    check(h, {b"12345678": b"12345678", (b"123456789" if which == "field" else b"f"):
              (b"v" if which == "field" else b"123456789")})


def test_try_conversion(limits):
    limits(128, 10)
    h = ctest.Hash()
    h.set(b"a", b"1")
    h.try_conversion(10, 1000)
    assert h.encoding == "listpack"
    h.try_conversion(11, 11)
    assert h.encoding == "hashtable"
    check(h, {b"a": b"1"})
    h2 = ctest.Hash()
    h2.try_conversion(1, 1 << 30)       # past the listpack safety size
    assert h2.encoding == "hashtable"


@pytest.fixture
def no_gc():
    """used_memory is process-wide: a garbage collection in the middle of a
    test may free C structures left by earlier tests (a Keyspace) and move
    the figure.  Collect first, and not during the test."""
    gc.collect()
    gc.disable()
    yield
    gc.enable()


@pytest.mark.parametrize("seed", range(6))
def test_random_ops_against_model(limits, no_gc, seed):
    rnd = random.Random(seed)
    ctest.seed(seed)
    limits(rnd.choice([0, 1, 8, 64, 128]), rnd.choice([0, 4, 16, 64]))
    base = ctest.used_memory()
    h = ctest.Hash()
    model = {}
    order = []
    nfields = rnd.choice([10, 50, 400])

    def rand_bytes():
        r = rnd.random()
        if r < 0.3:
            return b"%d" % rnd.randint(-10 ** rnd.randint(1, 19), 10 ** rnd.randint(1, 19))
        if r < 0.35:
            return rnd.choice(VALUES)
        return bytes(rnd.getrandbits(8) for _ in range(rnd.choice([0, 1, 3, 10, 40, 100])))

    fields = [rand_bytes() for _ in range(nfields)]
    for step in range(3000):
        op = rnd.random()
        f = rnd.choice(fields)
        if op < 0.5:
            v = rand_bytes()
            existed = f in model
            assert h.set(f, v) == (1 if existed else 0)
            if not existed:
                order.append(f)
            model[f] = v
        elif op < 0.75:
            assert h.delete(f) == (1 if f in model else 0)
            if f in model:
                del model[f]
                order.remove(f)
        elif op < 0.95:
            assert h.get(f) == model.get(f)
            assert h.exists(f) == (f in model)
        else:
            check(h, model, order if h.encoding == "listpack" else None)
        assert len(h) == len(model)
    check(h, model, order if h.encoding == "listpack" else None)
    d = h.dup()
    assert d.encoding == h.encoding and dict(d.items()) == model
    d.set(b"only-in-copy", b"1")
    assert h.get(b"only-in-copy") is None
    d.free()
    h.free()
    assert ctest.used_memory() == base


def test_hashtable_update_in_place_and_resize(limits):
    limits(0, 64)
    h = ctest.Hash()
    h.set(b"f", b"v")
    assert h.encoding == "hashtable"
    for n in (0, 1, 5, 100, 3, 1000, 0, 17):
        h.set(b"f", b"z" * n)
        assert h.get(b"f") == b"z" * n
    fields = {b"k%d" % i: b"v%d" % i for i in range(1000)}
    for f, v in fields.items():
        h.set(f, v)
    for i in range(990):
        h.delete(b"k%d" % i)
        del fields[b"k%d" % i]
    fields[b"f"] = b"z" * 17
    check(h, fields)
    size, buckets, rehashing = h.dict_stats()
    # the table shrank on delete (or is still moving into the smaller table:
    # the incremental rehash may not have visited every old bucket yet)
    assert size == 11
    assert buckets < 1024 or (rehashing and buckets - 1024 < 1024), (buckets, rehashing)


def test_scan_covers_everything(limits):
    limits(0, 64)
    h = ctest.Hash()
    model = {b"field%d" % i: b"value%d" % i for i in range(2000)}
    for f, v in model.items():
        h.set(f, v)
    for count in (1, 10, 100, 100000):
        cursor, seen, rounds = 0, {}, 0
        while True:
            cursor, got = h.scan(cursor, count)
            seen.update(got)
            rounds += 1
            if cursor == 0:
                break
        assert seen == model
        if count == 100000:
            assert rounds == 1
    # while the table grows
    cursor, seen, i = 0, set(), 0
    while True:
        cursor, got = h.scan(cursor, 10)
        seen.update(f for f, _ in got)
        for _ in range(30):
            h.set(b"new%d" % i, b"x")
            i += 1
        if cursor == 0:
            break
    assert set(model) <= seen


@pytest.mark.parametrize("size,count", [(10, 3), (10, 4), (10, 9), (100, 5), (100, 40),
                                        (1000, 10), (1000, 700), (50, 50), (50, 80)])
def test_random_unique(limits, size, count):
    limits(0, 64)
    ctest.seed(size * 1000 + count)
    h = ctest.Hash()
    for i in range(size):
        h.set(b"f%d" % i, b"v")
    seen = set()
    for _ in range(30):
        got = h.random_unique(count)
        assert len(got) == min(count, size) and len(set(got)) == len(got)
        assert all(f.startswith(b"f") and int(f[1:]) < size for f in got)
        seen.update(got)
    assert len(seen) > min(size, count)  or count >= size
    for _ in range(20):
        assert h.exists(h.random_field())


def test_row_mem_usage_and_effort(limits):
    limits(128, 64)
    h = ctest.Hash()
    for i in range(10):
        h.set(b"f%d" % i, b"v%d" % i)
    assert h.free_effort() == 1
    assert h.listpack_bytes() <= h.mem_usage() < 200
    limits(0, 64)
    h.set(b"more", b"x")
    assert h.encoding == "hashtable"
    for i in range(1000):
        h.set(b"field%d" % i, b"value%d" % i)
    assert h.free_effort() == len(h)
    exact = h.mem_usage(0)
    est = h.mem_usage(5)
    assert 1000 * 40 < exact < 1000 * 100
    assert abs(est - exact) < exact * 0.3
    before = ctest.used_memory()
    h.free()
    assert before - ctest.used_memory() >= exact * 0.9
