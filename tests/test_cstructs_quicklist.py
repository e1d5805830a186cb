"""Unit tests of the quicklist (csrc/fk_quicklist.c) and of fk_lzf, through
the thin handle fastkv._core.ctest_quicklist: random operations checked
against a Python list model, at several fill factors and compress depths,
with the structure's invariants (fk_ql_check: links, counts, no empty
node, head/tail never compressed, interior nodes compressed past the
depth) verified after every step."""
import random

import pytest

ctest = pytest.importorskip("fastkv._core.ctest_quicklist")

FILLS = [-5, -2, -1, 1, 2, 3, 16, 128]
DEPTHS = [0, 1, 2, 3]


def rand_value(rng):
    k = rng.random()
    if k < 0.3:
        return str(rng.randint(-10**6, 10**6)).encode()
    if k < 0.35:
        return str(rng.choice([0, -1, 2**63 - 1, -2**63, 127, 128, 4095, 4096, 65535, 2**31])).encode()
    if k < 0.4:
        return rng.choice([b"", b"007", b"+1", b"-0", b"1 ", b"18446744073709551616"])
    if k < 0.5:
        return b"x" * rng.randint(60, 900)       # compressible, bigger than 63 bytes
    n = rng.randint(1, 30)
    return bytes(rng.choice(b"abcdefgh") for _ in range(n))


def check(q, model):
    assert q.check() == 0, (q.check(), q.node_info())
    assert len(q) == len(model)
    assert q.items() == model
    assert q.items(reverse=True) == model[::-1]


@pytest.mark.parametrize("fill", FILLS)
@pytest.mark.parametrize("depth", DEPTHS)
def test_random_ops(fill, depth):
    rng = random.Random(fill * 100 + depth)
    q = ctest.QuickList(fill, depth)
    model = []
    for step in range(1500):
        op = rng.random()
        if op < 0.25:
            v = rand_value(rng)
            q.push_head(v)
            model.insert(0, v)
        elif op < 0.5:
            v = rand_value(rng)
            q.push_tail(v)
            model.append(v)
        elif op < 0.58:
            head = rng.random() < 0.5
            got = q.pop(head)
            want = (model.pop(0) if head else model.pop()) if model else None
            assert got == want
        elif op < 0.66 and model:
            pivot = rng.choice(model)
            v = rand_value(rng)
            after = rng.random() < 0.5
            assert q.insert(pivot, v, after)
            i = model.index(pivot)
            model.insert(i + 1 if after else i, v)
        elif op < 0.72 and model:
            i = rng.randrange(-len(model), len(model))
            v = rand_value(rng)
            assert q.replace(i, v)
            model[i] = v
        elif op < 0.76:
            v = rng.choice(model) if model and rng.random() < 0.8 else rand_value(rng)
            count = rng.choice([0, 1, 2, -1, -2, 5])
            removed = q.remove(v, count)
            idxs = [i for i, x in enumerate(model) if x == v]
            if count < 0:
                idxs = idxs[::-1][:-count]
            elif count > 0:
                idxs = idxs[:count]
            for i in sorted(idxs, reverse=True):
                del model[i]
            assert removed == len(idxs)
        elif op < 0.8 and model:
            start = rng.randrange(-len(model) - 2, len(model) + 2)
            count = rng.randint(-1, len(model) // 3 + 2)
            q.del_range(start, count)
            if count > 0 and -len(model) <= start < len(model):
                s = start if start >= 0 else len(model) + start
                del model[s:s + count]
        elif op < 0.88 and model:
            i = rng.randrange(-len(model) - 3, len(model) + 3)
            want = model[i] if -len(model) <= i < len(model) else None
            assert q.index(i) == want
        elif op < 0.92 and model:
            start = rng.randrange(-len(model), len(model))
            n = rng.randint(1, 50)
            rev = rng.random() < 0.5
            s = start if start >= 0 else len(model) + start
            want = model[s:s + n] if not rev else model[:s + 1][::-1][:n]
            assert q.range(start, n, rev) == want
        elif op < 0.94 and model:
            i = rng.randrange(len(model))
            v = rand_value(rng)
            after = rng.random() < 0.5
            assert q.insert_at(i, v, after)
            model.insert(i + 1 if after else i, v)
        if step % 50 == 0:
            check(q, model)
    check(q, model)
    d = q.dup()
    assert d.check() == 0 and d.items() == model
    resp = q.resp_all()
    assert resp == b"".join(b"$%d\r\n%s\r\n" % (len(x), x) for x in model)


def test_size_classes_and_counts():
    # fill 3: at most 3 per node
    q = ctest.QuickList(3, 0)
    for i in range(10):
        q.push_tail(b"v%d" % i)
    assert [n[0] for n in q.node_info()] == [3, 3, 3, 1]
    # fill -1: 4 KB nodes
    q = ctest.QuickList(-1, 0)
    for i in range(1000):
        q.push_tail(b"x" * 100)
    assert all(sz <= 4096 for _c, sz, _z in q.node_info())
    assert len(q.node_info()) > 20
    # positive fill still bounded by the 8 KB safety limit
    q = ctest.QuickList(1000, 0)
    for i in range(200):
        q.push_tail(b"y" * 500)
    assert all(sz <= 8192 for _c, sz, _z in q.node_info())


def test_compression_depth():
    for depth in (1, 2, 3):
        q = ctest.QuickList(4, depth)
        for i in range(200):
            q.push_tail(b"compressible-%04d-" % i + b"z" * 40)
        info = q.node_info()
        n = len(info)
        for at, (_c, _sz, z) in enumerate(info):
            assert z == (depth <= at < n - depth), (depth, at, info)
        assert q.check() == 0
        # reading does not leave nodes decompressed
        assert len(q.items()) == 200
        assert [z for _c, _s, z in q.node_info()] == [z for _c, _s, z in info]
        # compressed memory is smaller than without compression
        q0 = ctest.QuickList(4, 0)
        for i in range(200):
            q0.push_tail(b"compressible-%04d-" % i + b"z" * 40)
        assert q.mem_usage() < q0.mem_usage()


def test_merge_after_split():
    q = ctest.QuickList(4, 0)
    for i in range(12):
        q.push_tail(b"%d" % i)
    assert [c for c, _s, _z in q.node_info()] == [4, 4, 4]
    q.insert_at(5, b"new", True)     # split the middle node
    assert q.check() == 0
    assert q.items()[:7] == [b"0", b"1", b"2", b"3", b"4", b"5", b"new"]


def test_lzf_roundtrip():
    rng = random.Random(7)
    for _ in range(300):
        n = rng.randint(1, 5000)
        kind = rng.randrange(3)
        if kind == 0:
            data = bytes(rng.randrange(256) for _ in range(n))
        elif kind == 1:
            data = (b"abcabcxyz" * (n // 9 + 1))[:n]
        else:
            data = bytes(rng.choice(b"ab") for _ in range(n))
        c = ctest.lzf_compress(data)
        if c is None:
            continue
        assert ctest.lzf_decompress(c, n) == data
        if n > 1:
            assert ctest.lzf_decompress(c, n - 1) is None    # output too small
    # does not fit: 0
    assert ctest.lzf_compress(bytes(range(256)), 100) is None


def test_lzf_liblzf_stream():
    # Hand-made liblzf stream: literal "abc", back reference len 6 offset 3
    # (ctrl (4<<5)|0, off-1 = 2), literal "Z".
    stream = bytes([2]) + b"abc" + bytes([(4 << 5) | 0, 2]) + bytes([0]) + b"Z"
    assert ctest.lzf_decompress(stream, 100) == b"abcabcabcZ"
    # long back reference (111 form): 1 literal 'a' then 'a' * 20 from offset 1
    stream = bytes([0]) + b"a" + bytes([7 << 5, 20 - 9, 0])
    assert ctest.lzf_decompress(stream, 100) == b"a" * 21
    # corrupt: reference before the start
    assert ctest.lzf_decompress(bytes([1 << 5, 5]), 100) is None


def _rdb_len(buf, i):
    """RDB length: (value, is_encoded, next index)."""
    b = buf[i]
    t = b >> 6
    if t == 0:
        return b & 0x3F, False, i + 1
    if t == 1:
        return ((b & 0x3F) << 8) | buf[i + 1], False, i + 2
    if t == 3:
        return b & 0x3F, True, i + 1
    if b == 0x80:
        return int.from_bytes(buf[i + 1:i + 5], "big"), False, i + 5
    return int.from_bytes(buf[i + 1:i + 9], "big"), False, i + 9


def test_lzf_decodes_liblzf_output_of_redis(real_redis):
    """redis-server compresses quicklist nodes (list-compress-depth) and DUMP
    strings with liblzf: every LZF blob of a DUMP payload must decompress
    with fk_lzf_decompress into a well-formed listpack."""
    import redis as redis_py
    r = redis_py.Redis(port=real_redis.port, protocol=2)
    try:
        r.config_set("list-max-listpack-size", 16)
        r.config_set("list-compress-depth", 1)
        r.delete("lzfl")
        values = [b"element-%05d-" % i + b"abc" * (i % 20) for i in range(400)]
        r.rpush("lzfl", *values)
        payload = r.dump("lzfl")
    finally:
        r.config_set("list-max-listpack-size", -2)
        r.config_set("list-compress-depth", 0)
        r.delete("lzfl")
        r.close()
    assert payload[0] == 18                     # RDB_TYPE_LIST_QUICKLIST_2
    nodes, _, i = _rdb_len(payload, 1)
    got = []
    lzf_blobs = 0
    for _ in range(nodes):
        container, _, i = _rdb_len(payload, i)
        assert container == 2                   # packed (listpack)
        n, enc, i = _rdb_len(payload, i)
        if enc:
            assert n == 3                       # RDB_ENC_LZF
            clen, _, i = _rdb_len(payload, i)
            ulen, _, i = _rdb_len(payload, i)
            lp = ctest.lzf_decompress(bytes(payload[i:i + clen]), ulen)
            assert lp is not None and len(lp) == ulen
            i += clen
            lzf_blobs += 1
        else:
            lp = bytes(payload[i:i + n])
            i += n
        assert int.from_bytes(lp[:4], "little") == len(lp) and lp[-1] == 0xFF
        got.append(int.from_bytes(lp[4:6], "little"))
        # the elements are stored as 6/12-bit strings: find them in order
        pos = 0
        for v in values[sum(got[:-1]):sum(got)]:
            pos = lp.index(v, pos) + len(v)
    assert lzf_blobs > 0
    assert sum(got) == len(values)


def _crc64(data):
    """Redis's crc64 (Jones polynomial, reflected)."""
    crc = 0
    poly = 0x95AC9329AC4BC9B5
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
    return crc


def _rdb_enc_len(n):
    if n < 64:
        return bytes([n])
    if n < 16384:
        return bytes([0x40 | (n >> 8), n & 0xFF])
    return b"\x80" + n.to_bytes(4, "big")


def test_liblzf_decodes_our_output(real_redis):
    """The other way round: listpacks compressed by fk_lzf_compress, put in
    a DUMP payload, are RESTOREd by redis-server (liblzf decompresses
    them) into the same list."""
    import redis as redis_py
    r = redis_py.Redis(port=real_redis.port, protocol=2)
    values = [b"v-%04d-" % i + b"xyz" * (i % 15) for i in range(300)]
    try:
        r.config_set("list-max-listpack-size", 16)
        r.delete("src", "dst")
        r.rpush("src", *values)
        payload = r.dump("src")
        assert _crc64(payload[:-8]) == int.from_bytes(payload[-8:], "little")
        nodes, _, i = _rdb_len(payload, 1)
        out = bytearray([18]) + _rdb_enc_len(nodes)
        ours = 0
        for _ in range(nodes):
            container, _, i = _rdb_len(payload, i)
            n, enc, i = _rdb_len(payload, i)
            if enc:
                clen, _, i = _rdb_len(payload, i)
                ulen, _, i = _rdb_len(payload, i)
                lp = ctest.lzf_decompress(bytes(payload[i:i + clen]), ulen)
                i += clen
            else:
                lp = bytes(payload[i:i + n])
                i += n
            out += _rdb_enc_len(container)
            c = ctest.lzf_compress(lp, len(lp))
            if c is not None:
                out += b"\xc3" + _rdb_enc_len(len(c)) + _rdb_enc_len(len(lp)) + c
                ours += 1
            else:
                out += _rdb_enc_len(len(lp)) + lp
        out += payload[i:i + 2]                 # RDB version
        out += _crc64(bytes(out)).to_bytes(8, "little")
        assert ours > 0
        assert r.restore("dst", 0, bytes(out)) == b"OK"
        assert r.lrange("dst", 0, -1) == values
    finally:
        r.config_set("list-max-listpack-size", -2)
        r.delete("src", "dst")
        r.close()


def _debug_ql(r, key):
    info = r.execute_command("DEBUG", "OBJECT", key).decode()
    fields = dict(kv.split(":", 1) for kv in info.split(" ") if ":" in kv)
    return int(fields["ql_nodes"]), int(fields["ql_uncompressed_size"])


@pytest.mark.parametrize("fill,depth", [(-2, 0), (-1, 1), (4, 0), (3, 2), (16, 1)])
def test_same_nodes_as_redis(start_real_redis, fill, depth):
    """The same commands build the same nodes as in Redis 7.0: after each
    step, the node count and the sum of the node listpack sizes equal what
    redis-server's DEBUG OBJECT reports (ql_nodes, ql_uncompressed_size)."""
    import redis as redis_py
    srv = start_real_redis("--enable-debug-command", "yes")
    r = redis_py.Redis(port=srv.port, protocol=2)
    r.config_set("list-max-listpack-size", fill)
    r.config_set("list-compress-depth", depth)
    q = ctest.QuickList(fill, depth)
    rng = random.Random(fill * 7 + depth)
    values = [b"a", b"bb", b"12", b"-700", b"x" * 70, b"y" * 300, b"hello-world", b"4096"]
    r.rpush("l", b"seed")
    q.push_tail(b"seed")
    for step in range(600):
        op = rng.random()
        v = rng.choice(values)
        if op < 0.3:
            r.rpush("l", v)
            q.push_tail(v)
        elif op < 0.55:
            r.lpush("l", v)
            q.push_head(v)
        elif op < 0.7:
            pivot = rng.choice(values)
            after = rng.random() < 0.5
            r.linsert("l", "AFTER" if after else "BEFORE", pivot, v)
            q.insert(pivot, v, after)
        elif op < 0.78:
            n = len(q)
            i = rng.randrange(-n, n)
            r.lset("l", i, v)
            q.replace(i, v)
        elif op < 0.84:
            count = rng.choice([0, 1, -1, 2])
            r.lrem("l", count, v)
            q.remove(v, count)
        elif op < 0.9 and len(q) > 20:
            r.ltrim("l", 1, -2)
            q.del_range(0, 1)
            q.del_range(-1, 1)
        elif len(q) > 1:
            head = rng.random() < 0.5
            (r.lpop if head else r.rpop)("l")
            q.pop(head)
        if len(q) == 0:
            r.rpush("l", b"seed")
            q.push_tail(b"seed")
        assert q.check() == 0
        want = _debug_ql(r, "l")
        info = q.node_info()
        assert (len(info), sum(sz for _c, sz, _z in info)) == want, (step, info)
    assert r.lrange("l", 0, -1) == q.items()
    r.close()
