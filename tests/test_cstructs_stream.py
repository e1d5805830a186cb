"""Unit tests of the stream C layer: fk_rax against a sorted-dict model
(random inserts/removes/finds and iterator seeks in both directions)."""
import bisect
import random

import pytest

ctest = pytest.importorskip("fastkv._core.ctest_stream")


class Model:
    def __init__(self):
        self.keys = []
        self.d = {}

    def insert(self, k, v, overwrite=True):
        if k in self.d:
            old = self.d[k]
            if overwrite:
                self.d[k] = v
            return 0, old
        bisect.insort(self.keys, k)
        self.d[k] = v
        return 1, None

    def remove(self, k):
        if k not in self.d:
            return 0, None
        self.keys.remove(k)
        return 1, self.d.pop(k)

    def seek_index(self, op, k):
        ks = self.keys
        if not ks:
            return None
        if op == b"^":
            return 0
        if op == b"$":
            return len(ks) - 1
        if op == b"=":
            return ks.index(k) if k in self.d else None
        if op == b">=":
            i = bisect.bisect_left(ks, k)
        elif op == b">":
            i = bisect.bisect_right(ks, k)
        elif op == b"<=":
            i = bisect.bisect_right(ks, k) - 1
        else:
            i = bisect.bisect_left(ks, k) - 1
        return i if 0 <= i < len(ks) else None


def rand_key(rng, mode):
    if mode == 0:
        return rng.randrange(2000).to_bytes(16, "big")
    if mode == 1:
        return bytes(rng.choice(b"ab") for _ in range(rng.randrange(0, 5)))
    return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 20)))


@pytest.mark.parametrize("seed,mode", [(s, m) for s in range(3) for m in range(3)])
def test_rax_random_ops(seed, mode):
    rng = random.Random(seed * 7 + mode)
    r = ctest.Rax()
    m = Model()
    for step in range(6000):
        op = rng.random()
        k = rand_key(rng, mode)
        if op < 0.45:
            v = rng.randrange(1 << 40)
            assert r.insert(k, v) == m.insert(k, v)
        elif op < 0.5:
            v = rng.randrange(1 << 40)
            assert r.try_insert(k, v) == m.insert(k, v, overwrite=False)
        elif op < 0.75:
            if m.keys and rng.random() < 0.5:
                k = rng.choice(m.keys)
            assert r.remove(k) == m.remove(k)
        elif op < 0.85:
            assert r.find(k) == m.d.get(k)
        else:
            sop = rng.choice([b">", b">=", b"<", b"<=", b"=", b"^", b"$"])
            if m.keys and rng.random() < 0.3:
                k = rng.choice(m.keys)
            r.seek(sop, k)
            i = m.seek_index(sop, k)
            forward = rng.random() < 0.5
            n = rng.randrange(1, 40)
            got = []
            for _ in range(n):
                x = r.next() if forward else r.prev()
                if x is None:
                    break
                got.append(x)
            if i is None:
                exp = []
                assert r.eof()
            elif forward:
                exp = [(kk, m.d[kk]) for kk in m.keys[i:i + n]]
            else:
                exp = [(kk, m.d[kk]) for kk in m.keys[max(0, i - n + 1):i + 1][::-1]]
            assert got == exp, (sop, k, forward)
        assert r.size() == len(m.keys)
    # full scans both ways
    r.seek(b"^")
    got = []
    while (x := r.next()) is not None:
        got.append(x[0])
    assert got == m.keys
    r.seek(b"$")
    got = []
    while (x := r.prev()) is not None:
        got.append(x[0])
    assert got == m.keys[::-1]


def test_rax_append_and_pop_front():
    r = ctest.Rax()
    n = 20000
    for i in range(n):
        assert r.insert(i.to_bytes(16, "big"), i) == (1, None)
    assert r.size() == n
    for i in range(n // 2):
        r.seek(b"^")
        assert r.next() == (i.to_bytes(16, "big"), i)
        assert r.remove(i.to_bytes(16, "big")) == (1, i)
    assert r.size() == n // 2
    assert r.find((n - 1).to_bytes(16, "big")) == n - 1
    # compact: about one small allocation per key
    assert r.mem_usage() < (n // 2) * 64
    for i in range(n // 2, n):
        r.remove(i.to_bytes(16, "big"))
    assert r.size() == 0
    r.seek(b"^")
    assert r.next() is None and r.eof()


def test_rax_empty_seeks():
    r = ctest.Rax()
    for op in (b">", b">=", b"<", b"<=", b"=", b"^", b"$"):
        r.seek(op, b"x")
        assert r.next() is None
        r.seek(op, b"x")
        assert r.prev() is None
    r.insert(b"", 5)
    r.seek(b"=", b"")
    assert r.next() == (b"", 5)
    r.seek(b"<", b"")
    assert r.prev() is None
    assert r.seek(b"!", b"") == 0


# --------------------------------------------------------------------------
# fk_stream: append / range (both directions) / delete / trim vs a list model
# --------------------------------------------------------------------------

MAXLEN, MINID = 1, 2


@pytest.mark.parametrize("seed", range(4))
def test_stream_random_ops(seed):
    rng = random.Random(seed)
    s = ctest.Stream()
    model = []          # [((ms, seq), [f, v, ...])] in ID order
    ms = 1
    last = None         # the stream's last ID (deletes don't lower it)
    for step in range(3000):
        op = rng.random()
        if op < 0.5:
            ms += rng.choice([0, 1])
            seq = (last[1] + 1) if last and last[0] == ms else 0
            if rng.random() < 0.1:
                seq = rng.randrange(3)
            fields = rng.choice([[b"f", b"v%d" % step], [b"f", b"1", b"g", b"x" * rng.randrange(50)],
                                 [b"a", b"-7"]])
            got = s.append(fields, (ms, seq))
            if last is not None and (ms, seq) <= last:
                assert got == -1
            else:
                assert got == (ms, seq)
                model.append(((ms, seq), fields))
                last = (ms, seq)
        elif op < 0.65 and model:
            k = rng.choice(model)
            assert s.delete(k[0]) == 1
            model.remove(k)
            assert s.delete(k[0]) == 0
        elif op < 0.7:
            if rng.random() < 0.5:
                n = rng.randrange(len(model) + 2)
                d = s.trim(MAXLEN, maxlen=n)
                exp = max(0, len(model) - n)
                assert d == exp
                model = model[exp:]
            else:
                m = (rng.randrange(ms + 1), 0)
                d = s.trim(MINID, minid=m)
                keep = [x for x in model if x[0] >= m]
                assert d == len(model) - len(keep)
                model = keep
        elif op < 0.75:
            n = rng.randrange(len(model) + 2)
            d = s.trim(MAXLEN, maxlen=n, approx=True)
            assert 0 <= d <= max(0, len(model) - n)
            model = model[d:]
        else:
            a = (rng.randrange(ms + 1), rng.randrange(3))
            b = (rng.randrange(ms + 2), rng.randrange(3))
            rev = rng.random() < 0.5
            exp = [x for x in model if a <= x[0] <= b]
            assert s.range(a, b, rev) == (exp[::-1] if rev else exp)
        assert s.length() == len(model)
        if model and 0.65 <= op < 0.75:     # trimming maintains first_id (XDEL does it itself)
            assert s.first_id() == model[0][0]
    assert s.range() == model
    assert s.dup_range() == model
