"""HyperLogLog compatibility with redis-server 7.0 (hyperloglog.c).

An HLL is a string whose bytes clients see (GET), so the tests compare
bytes: the same PFADDs must leave the same value in fastkv and in Redis
(sparse, dense, across the promotion, with other hll-sparse-max-bytes);
PFCOUNT of bytes made by Redis (GET there, SET here) must give Redis's
count; PFMERGE results, PFDEBUG output, errors on corrupted values and on
other types, events, WATCH and the dirty counter follow Redis.
"""

import os
import random
import shutil
import subprocess

import pytest

from test_notify import Notify

pytestmark = pytest.mark.compat


def elements(prefix, n, start=0):
    return ["%s:%d" % (prefix, i) for i in range(start, start + n)]


def pfadd_chunks(key, els, chunk):
    return [("PFADD", key, *els[i:i + chunk]) for i in range(0, len(els), chunk)]


@pytest.fixture
def clients(compat):
    """redis-py clients on the session fastkv and redis-server (flushed),
    hll-sparse-max-bytes put back to the default afterwards."""
    fk = compat.fk_server.client(decode_responses=False)
    rd = compat.rd_server.client(decode_responses=False)
    for c in (fk, rd):
        c.flushall()
    yield fk, rd
    for c in (fk, rd):
        c.config_set("hll-sparse-max-bytes", 3000)
        c.close()


@pytest.fixture
def sparse_max(compat):
    """Set hll-sparse-max-bytes on both servers (restored after the test)."""
    def set_both(v):
        compat.check(("CONFIG", "SET", "hll-sparse-max-bytes", v), flush=False)
    yield set_both
    set_both(3000)


# --------------------------------------------------------------------------
# bytes after the same PFADDs
# --------------------------------------------------------------------------

def test_new_key_bytes(compat):
    compat.check(
        "PFADD h",
        "GET h",
        "PFCOUNT h",
        "GET h",
        "PFADD h",
        "PFADD h a",
        "GET h",
        "PFADD h a",
        "GET h",
        "OBJECT ENCODING h",
        "STRLEN h",
        "TYPE h",
    )


def test_bytes_one_element_per_call(compat):
    cmds = []
    for e in elements("one", 400):
        cmds.append(("PFADD", "h", e))
    cmds += ["GET h", "PFCOUNT h", "GET h", "PFDEBUG ENCODING h", "PFDEBUG DECODE h"]
    compat.check(*cmds)


def test_bytes_across_promotion(compat):
    """Sparse grows past hll-sparse-max-bytes (3000) and goes dense; GET
    after every step."""
    cmds = []
    for c in pfadd_chunks("h", elements("p", 4000), 50):
        cmds += [c, "GET h", "PFDEBUG ENCODING h"]
    cmds += ["PFCOUNT h", "GET h"]
    compat.check(*cmds)


def test_bytes_dense_many(compat):
    cmds = pfadd_chunks("h", elements("d", 30000), 1000)
    cmds += ["GET h", "PFCOUNT h", "GET h", "PFADD h d:1 d:2", "GET h"]
    for c in pfadd_chunks("h", elements("d2", 100000), 5000):
        cmds += [c]
    cmds += ["GET h", "PFCOUNT h", "PFCOUNT h", "GET h"]
    compat.check(*cmds)


@pytest.mark.parametrize("maxbytes", [0, 1, 18, 100, 500, 1000, 5000, 20000])
def test_bytes_with_sparse_max(compat, sparse_max, maxbytes):
    sparse_max(maxbytes)
    cmds = []
    for c in pfadd_chunks("h", elements("m%d" % maxbytes, 6000), 40):
        cmds += [c, "GET h"]
    cmds += ["PFDEBUG ENCODING h", "PFCOUNT h", "GET h"]
    compat.check(*cmds)


def test_sparse_max_lowered_later(compat, sparse_max):
    """A sparse value already over a lowered limit goes dense on its next
    growing update, as in Redis."""
    cmds = pfadd_chunks("h", elements("low", 300), 30) + ["GET h"]
    compat.check(*cmds)
    sparse_max(200)
    compat.check("PFDEBUG ENCODING h", "PFADD h low:1", "PFDEBUG ENCODING h",
                 "PFADD h zz1 zz2 zz3", "PFDEBUG ENCODING h", "GET h", flush=False)


def test_bytes_random_elements(compat):
    rnd = random.Random(7)
    cmds = []
    for k in range(6):
        key = "r%d" % k
        n = rnd.choice([3, 30, 300, 1500, 2500, 8000])
        els = [bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 40))) for _ in range(n)]
        for i in range(0, n, 97):
            cmds.append(("PFADD", key, *els[i:i + 97]))
        cmds += [("GET", key), ("PFCOUNT", key), ("GET", key)]
    compat.check(*cmds)


# An element whose run length is 36 (its hash has 35 zeros after the 14
# index bits; found by a brute-force search over 8-byte hex strings).
RUN36 = "86f8de7b"


def test_register_over_32_promotes(compat):
    """A run length over 32 can't be written sparse: the value goes dense
    however small it is."""
    compat.check(
        "PFADD h a b c",
        "PFDEBUG ENCODING h",
        ("PFADD", "h", RUN36),
        "PFDEBUG ENCODING h",
        "GET h",
        "PFCOUNT h",
        ("PFADD", "h2", RUN36),
        "PFDEBUG ENCODING h2",
        "GET h2",
        "PFADD s x",
        "PFMERGE s h2",
        "PFDEBUG ENCODING s",
        "GET s",
        "PFCOUNT s",
        "PFDEBUG GETREG h2",
    )


# --------------------------------------------------------------------------
# PFCOUNT of bytes made by Redis
# --------------------------------------------------------------------------

@pytest.mark.parametrize("n", [0, 1, 2, 5, 10, 50, 100, 300, 1000, 2000, 3000, 5000, 20000,
                               100000, 300000])
def test_pfcount_of_redis_bytes(clients, n):
    fk, rd = clients
    els = elements("rb%d" % n, n)
    rd.pfadd("h")
    for i in range(0, n, 5000):
        rd.pfadd("h", *els[i:i + 5000])
    sparse = rd.get("h")
    rd.copy("h", "hd")
    rd.execute_command("PFDEBUG", "TODENSE", "hd")
    dense = rd.get("hd")
    for val in (sparse, dense):
        fk.set("x", val)
        rd.set("x", val)
        assert fk.pfcount("x") == rd.pfcount("x")
        # the cache written by PFCOUNT, then read back
        assert fk.get("x") == rd.get("x")
        assert fk.pfcount("x") == rd.pfcount("x")
        assert fk.pfcount("x", "nokey") == rd.pfcount("x", "nokey")
    assert fk.pfcount("x") == rd.pfcount("h")


def test_pfcount_uses_valid_cache(compat):
    """A valid cache is returned as is, even if the registers say otherwise."""
    h = b"HYLL\x01\x00\x00\x00" + (12345).to_bytes(8, "little") + b"\x7f\xff"
    compat.check(
        ("SET", "h", h),
        "PFCOUNT h",
        "GET h",
        "PFCOUNT h h2",
        "PFADD h x",
        "PFCOUNT h",
        "GET h",
    )


def test_pfcount_several_keys(compat):
    cmds = []
    for k, n in (("a", 10), ("b", 500), ("c", 3000), ("d", 40000)):
        cmds += pfadd_chunks(k, elements(k, n), 2000)
    cmds += pfadd_chunks("a2", elements("a", 5), 5)      # overlaps a
    for keys in (("a", "b"), ("a", "a2"), ("a", "b", "c"), ("b", "c", "d"), ("a", "missing"),
                 ("missing", "missing2"), ("a", "b", "c", "d", "a2"), ("d", "d")):
        cmds.append(("PFCOUNT", *keys))
    cmds += ["GET a", "GET d"]      # no cache written by a multi-key PFCOUNT
    compat.check(*cmds)


# --------------------------------------------------------------------------
# PFMERGE
# --------------------------------------------------------------------------

def test_pfmerge_bytes(compat):
    cmds = []
    for k, n in (("s1", 20), ("s2", 200), ("s3", 1500), ("d1", 5000), ("d2", 30000)):
        cmds += pfadd_chunks(k, elements(k, n), 1000)
    for dest, srcs in (("m1", ("s1", "s2")), ("m2", ("s1", "s2", "s3")), ("m3", ("s1", "d1")),
                       ("m4", ("d1", "d2")), ("m5", ("missing",)), ("m6", ()),
                       ("s1", ("s2",)), ("s3", ("s3",)), ("d1", ("s1",)), ("m7", ("s3", "s3"))):
        cmds += [("PFMERGE", dest, *srcs), ("GET", dest), ("PFDEBUG", "ENCODING", dest),
                 ("PFCOUNT", dest), ("GET", dest)]
    compat.check(*cmds)


def test_pfmerge_sparse_result_goes_dense(compat):
    """Sparse inputs whose union doesn't fit in hll-sparse-max-bytes."""
    cmds = pfadd_chunks("a", elements("a", 1200), 100) + pfadd_chunks("b", elements("b", 1200), 100)
    cmds += ["PFDEBUG ENCODING a", "PFDEBUG ENCODING b", "PFMERGE m a b", "PFDEBUG ENCODING m",
             "GET m", "PFCOUNT m a b"]
    compat.check(*cmds)


def test_pfmerge_existing_dest(compat):
    compat.check(
        "PFADD dst x y z",
        "PFADD src a b c",
        "PFMERGE dst src",
        "GET dst",
        "PFCOUNT dst",
        "PFMERGE dst",
        "GET dst",
        "SET plain hello",
        "PFMERGE plain src",
        "GET plain",
        "PFMERGE dst plain",
        "GET dst",
        "RPUSH l a",
        "PFMERGE l src",
        "PFMERGE dst l",
    )


# --------------------------------------------------------------------------
# errors: other types, strings that aren't HLLs, corrupted HLLs
# --------------------------------------------------------------------------

def test_wrongtype(compat):
    cmds = ["RPUSH l a", "SADD s a", "HSET hh f v", "ZADD z 1 a", "SET str hello", "SET int 12345",
            ("SET", "long", "x" * 100), ("SET", "hyl", "HYLL")]
    for k in ("l", "s", "hh", "z", "str", "int", "long", "hyl"):
        cmds += [("PFADD", k, "a"), ("PFADD", k), ("PFCOUNT", k), ("PFCOUNT", k, "x"),
                 ("PFCOUNT", "x", k), ("PFMERGE", "dest", k), ("PFMERGE", k, "x"),
                 ("PFDEBUG", "GETREG", k), ("PFDEBUG", "NOSUCH", k), ("EXISTS", "dest")]
    cmds += ["INFO errorstats"]
    compat.check(*cmds)


CORRUPT_HDR = b"HYLL\x01\x00\x00\x00" + b"\x00" * 7 + b"\x80"


@pytest.fixture
def hll_samples(clients):
    fk, rd = clients
    rd.pfadd("s", *elements("s", 300))
    rd.pfadd("d", *elements("d", 5000))
    out = rd.get("s"), rd.get("d")
    rd.delete("s", "d")
    return out


def corrupted_values(good, dgood):
    cases = {
        "truncated": good[:-3],
        "truncated_header": good[:10],
        "header_only": CORRUPT_HDR,
        "bad_encoding": good[:4] + b"\x02" + good[5:],
        "encoding_255": good[:4] + b"\xff" + good[5:],
        "dense_short": dgood[:-1],
        "dense_long": dgood + b"x",
        "sparse_bytes_as_dense": good[:4] + b"\x00" + good[5:],
        "dense_bytes_as_sparse": dgood[:4] + b"\x01" + dgood[5:],
        "runs_past_16384": CORRUPT_HDR + b"\x7f\xff\x7f\xff",
        "many_xzero": CORRUPT_HDR + b"\x7f\xff" * 1000 + b"\x80",
        "val_past_end": CORRUPT_HDR + b"\x7f\xfe\xff\xff",
        "short_of_16384": CORRUPT_HDR + b"\x7f\xf0",
        "bad_magic": b"HYLX" + good[4:],
        # 16384 registers, then a VAL: corrupted for PFCOUNT of one key,
        # accepted by the merge of PFCOUNT of several keys and PFMERGE
        "trailing_val": good + b"\x80",
        "trailing_zero": good + b"\x00",
    }
    rnd = random.Random(5)
    for i in range(30):
        b = bytearray(good)
        for _ in range(3):
            b[rnd.randrange(16, len(b))] = rnd.randrange(256)
        cases["random%d" % i] = bytes(b)
    return cases


def test_corrupted_values(compat, hll_samples):
    good, dgood = hll_samples
    cmdsets = [("PFCOUNT", "K"), ("PFADD", "K", "a", "b", "c"), ("PFCOUNT", "K", "x"),
               ("PFMERGE", "D", "K"), ("PFDEBUG", "DECODE", "K"), ("PFDEBUG", "GETREG", "K"),
               ("PFDEBUG", "TODENSE", "K"), ("PFADD", "K", *map(str, range(200)))]
    cmds = []
    for name, val in corrupted_values(good, dgood).items():
        for cs in cmdsets:
            cmds += [("DEL", "K", "D"), ("SET", "K", val), cs, ("GET", "K"), ("GET", "D")]
    cmds.append("PING")
    compat.check(*cmds)


def test_corrupted_random_fuzz(clients, hll_samples):
    """Random byte flips and truncations: never a crash, same replies."""
    fk, rd = clients
    good, dgood = hll_samples
    rnd = random.Random(11)
    for i in range(300):
        b = bytearray(rnd.choice((good, dgood)))
        for _ in range(rnd.randrange(1, 6)):
            b[rnd.randrange(4, len(b))] = rnd.randrange(256)
        if rnd.random() < 0.3:
            del b[rnd.randrange(16, len(b)):]
        val = bytes(b)
        for cmd in (("PFCOUNT", "K"), ("PFADD", "K", "e%d" % i, "f%d" % i), ("PFCOUNT", "K", "x"),
                    ("PFMERGE", "D", "K")):
            res = []
            for c in (fk, rd):
                c.delete("K", "D")
                c.set("K", val)
                try:
                    r = c.execute_command(*cmd)
                except Exception as e:  # noqa: BLE001 - the error text is compared
                    r = ("error", str(e))
                res.append((r, c.get("K"), c.get("D")))
            assert res[0] == res[1], (i, cmd, val[:40])
    assert fk.ping()


def test_pfadd_on_cut_xzero(compat):
    """A sparse value ending in an XZERO without its second byte: Redis
    reads the sds terminator (0) there, so PFADD of a register it covers
    updates the value, writing its last byte past the new length, where the
    next reads find it; a register it doesn't cover is INVALIDOBJ.  Several
    elements in one PFADD, several PFADDs, the readers after them."""
    hdr = b"HYLL\x01\x00\x00\x00" + b"\x00" * 7 + b"\x80"
    bodies = [b"\x7f", b"\x40", b"\x5f", b"\x7f\x7f", b"\x7f\xff", b"\x80\x7f",
              b"\x3f\x7f", b"\x84\x7f", b"\x60\x00\x5f", b"\x70"]
    cmds = []
    for body in bodies:
        for els in (("a",), ("b",), ("c",), ("a", "b", "c"), tuple(map(str, range(40)))):
            cmds += [("DEL", "K", "D"), ("SET", "K", hdr + body), ("PFADD", "K", *els), ("GET", "K"),
                     ("PFDEBUG", "DECODE", "K"), ("PFCOUNT", "K", "D"), ("PFADD", "K", "z1", "z2"),
                     ("GET", "K"), ("PFMERGE", "D", "K"), ("GET", "D"), ("PFCOUNT", "K")]
    # at the hll-sparse-max-bytes limit: the split would pass it (promotion)
    cmds += [("CONFIG", "SET", "hll-sparse-max-bytes", "19"), ("DEL", "K"),
             ("SET", "K", hdr + b"\x7f"), ("PFADD", "K", "a"), ("GET", "K"),
             ("CONFIG", "SET", "hll-sparse-max-bytes", "20"), ("DEL", "K"),
             ("SET", "K", hdr + b"\x7f"), ("PFADD", "K", "a"), ("GET", "K"),
             ("CONFIG", "SET", "hll-sparse-max-bytes", "3000")]
    compat.check(*cmds)


# --------------------------------------------------------------------------
# PFDEBUG, PFSELFTEST
# --------------------------------------------------------------------------

def test_pfdebug(compat):
    cmds = pfadd_chunks("h", elements("dbg", 200), 50)
    cmds += [
        "PFDEBUG ENCODING h", "PFDEBUG DECODE h", "PFDEBUG decode h", "PFDEBUG GETREG h",
        "PFDEBUG ENCODING h", "PFDEBUG DECODE h", "GET h", "PFDEBUG TODENSE h",
        "PFADD e", "PFDEBUG TODENSE e", "PFDEBUG TODENSE e", "GET e",
        "PFDEBUG ENCODING e", "PFDEBUG GETREG e",
        "PFDEBUG NOSUCH h", "PFDEBUG GETREG missing", "PFDEBUG NOSUCH missing",
        "PFDEBUG GETREG", "PFDEBUG GETREG h extra",
        "PFADD s", "PFDEBUG DECODE s", "OBJECT ENCODING s",
        ("PFDEBUG", "bad\r\nname", "h"),
    ]
    compat.check(*cmds)


def test_pfselftest(compat):
    compat.check("PFSELFTEST", "PFSELFTEST extra")


# --------------------------------------------------------------------------
# a string like any other
# --------------------------------------------------------------------------

def test_string_commands_on_hll(compat):
    compat.check(
        "PFADD h a b c",
        "STRLEN h",
        "GETRANGE h 0 3",
        "APPEND h xyz",
        "PFCOUNT h",
        "SET h2 x",
        ("SET", "h3", b"HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff"),
        "OBJECT ENCODING h3",
        "PFCOUNT h3",
        "OBJECT ENCODING h3",
        "GET h3",
        ("SET", "h4", b"HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff"),
        "PFADD h4 q",
        "OBJECT ENCODING h4",
        "GET h4",
        ("SETRANGE", "h4", "4", b"\x00"),
        "PFCOUNT h4",
        "COPY h4 h5",
        "PFCOUNT h5",
        "GET h5",
        "PFADD h6 a",
        "EXPIRE h6 100",
        "PFADD h6 b",
        "TTL h6",
        "PFMERGE h6 h",
    )


# --------------------------------------------------------------------------
# events, WATCH, dirty
# --------------------------------------------------------------------------

@pytest.fixture
def notify(compat):
    made = []

    def make(flags):
        n = Notify(compat)
        made.append(n)
        n.flags(flags)
        return n

    yield make
    for n in made:
        n.close()
    for srv in (compat.fk_server, compat.rd_server):
        with srv.raw(5.0) as c:
            assert c.call_raw("CONFIG", "SET", "notify-keyspace-events", "") == b"+OK\r\n"


def test_events(notify):
    n = notify("KEA")
    n.run("PFADD h a b", "PFADD h a", "PFADD h", "PFADD h c", "PFCOUNT h", "PFCOUNT h",
          "PFADD e", "PFMERGE m h", "PFMERGE m", "PFMERGE e h", "PFCOUNT h m e",
          "PFDEBUG TODENSE h", "PFDEBUG GETREG m")
    assert n.events() == [
        "K0 pfadd h", "E0 pfadd h", "K0 pfadd h", "E0 pfadd h",
        "K0 pfadd e", "E0 pfadd e",
        "K0 pfadd m", "E0 pfadd m", "K0 pfadd m", "E0 pfadd m", "K0 pfadd e", "E0 pfadd e",
    ]


def test_events_new(notify):
    n = notify("KEn$")
    n.run("PFADD h a", "PFADD h b", "PFMERGE m h", "PFMERGE m h")
    assert n.events() == [
        "K0 new h", "E0 new h", "K0 pfadd h", "E0 pfadd h", "K0 pfadd h", "E0 pfadd h",
        "K0 new m", "E0 new m", "K0 pfadd m", "E0 pfadd m", "K0 pfadd m", "E0 pfadd m",
    ]


def _watch_exec(compat, setup, touch):
    """WATCH h, then another client runs `touch`: EXEC's reply on both."""
    a = compat.twin("a")
    b = compat.twin("b")
    try:
        a.call("FLUSHALL")
        for cmd in setup:
            a.call(cmd)
        a.call("WATCH h")
        b.call(touch)
        a.call("MULTI")
        a.call("PING")
        return a.call("EXEC")
    finally:
        a.close()
        b.close()


def test_watch_pfcount_stale_cache(compat):
    # the cache is stale after PFADD: PFCOUNT writes it and touches the key
    assert _watch_exec(compat, ["PFADD h a b"], "PFCOUNT h") is None


def test_watch_pfcount_valid_cache(compat):
    assert _watch_exec(compat, ["PFADD h a b", "PFCOUNT h"], "PFCOUNT h") == [b"PONG"]


def test_watch_pfadd_no_change(compat):
    assert _watch_exec(compat, ["PFADD h a b"], "PFADD h a") == [b"PONG"]
    assert _watch_exec(compat, ["PFADD h a b"], "PFADD h zz") is None
    assert _watch_exec(compat, ["PFADD x a"], "PFMERGE h x") is None


def test_dirty_counter(clients):
    fk, rd = clients

    def delta(cmd):
        out = []
        for c in (fk, rd):
            before = c.info("persistence")["rdb_changes_since_last_save"]
            c.execute_command(*cmd)
            out.append(c.info("persistence")["rdb_changes_since_last_save"] - before)
        assert out[0] == out[1], (cmd, out)
        return out[0]

    assert delta(("PFADD", "h", "a", "b", "c")) == 4     # created + 3 registers
    assert delta(("PFADD", "h", "a")) == 0
    assert delta(("PFCOUNT", "h")) == 1                  # cache written
    assert delta(("PFCOUNT", "h")) == 0
    assert delta(("PFCOUNT", "h", "x")) == 0
    assert delta(("PFMERGE", "m", "h")) == 1
    assert delta(("PFDEBUG", "TODENSE", "m")) == 1
    assert delta(("PFDEBUG", "TODENSE", "m")) == 0
    assert delta(("PFDEBUG", "GETREG", "h")) == 1
    assert delta(("PFDEBUG", "GETREG", "h")) == 0
    assert delta(("PFADD", "e")) == 1
    assert delta(("PFADD", "e")) == 0


def test_keyspace_stats(clients):
    """PFCOUNT/PFMERGE read their keys like Redis (hits and misses)."""
    fk, rd = clients
    for c in (fk, rd):
        c.pfadd("a", "x")
        c.config_resetstat()
        c.pfcount("a", "nope")
        c.pfcount("nope")
        c.pfmerge("a", "nope", "a")
        c.pfadd("a", "y")
    s = [c.info("stats") for c in (fk, rd)]
    assert (s[0]["keyspace_hits"], s[0]["keyspace_misses"]) == \
        (s[1]["keyspace_hits"], s[1]["keyspace_misses"])


def test_pfadd_in_multi(compat):
    compat.check("MULTI", "PFADD h a", "PFCOUNT h", "PFADD h a", "PFMERGE m h", "EXEC", "GET m")


# --------------------------------------------------------------------------
# accuracy
# --------------------------------------------------------------------------

def test_accuracy_one_million(clients):
    """PFCOUNT of 1,000,000 distinct items ("user:0" .. "user:999999")
    within the standard error, 1.04/sqrt(16384) = 0.81% (this fixed set:
    999,674, -0.03%), and exactly Redis's count and bytes.  A standard
    error is one sigma: about a third of random sets of this size land
    outside it, in Redis as here (0..999999 as plain numbers: +1.0%), which
    is why the set is fixed and the real check is the equality with
    Redis."""
    fk, rd = clients
    counts = []
    for c in (fk, rd):
        pipe = c.pipeline(transaction=False)
        for i in range(0, 1000000, 2000):
            pipe.execute_command("PFADD", "acc", *["user:%d" % j for j in range(i, i + 2000)])
        pipe.execute()
        counts.append(c.pfcount("acc"))
    assert counts[0] == counts[1]
    assert abs(counts[0] - 1000000) / 1000000 < 0.0081
    assert fk.get("acc") == rd.get("acc")


# --------------------------------------------------------------------------
# the C layer alone, under ASan/UBSan
# --------------------------------------------------------------------------

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.fastkv_only
@pytest.mark.parametrize("sanitize", ["", "address,undefined"])
def test_c_model_and_fuzz(tmp_path, sanitize):
    """csrc/ built alone with tests/c/hll_fuzz.c: register updates against
    a plain array model (sparse, dense, random hll-sparse-max-bytes), and
    random/mutated values through every entry point, exact-size buffers so
    that ASan sees any read past the end."""
    cc = shutil.which("gcc") or shutil.which("cc")
    if not cc:
        pytest.skip("no C compiler")
    csrc = os.path.join(ROOT, "csrc")
    srcs = sorted(os.path.join(csrc, f) for f in os.listdir(csrc) if f.endswith(".c"))
    exe = str(tmp_path / "hll_fuzz")
    flags = ["-O2"] if not sanitize else ["-O1", "-g", "-fsanitize=" + sanitize,
                                          "-fno-sanitize-recover=all"]
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)        # the suite may run under a preloaded ASan
    build = subprocess.run([cc, *flags, "-I", csrc, *srcs, os.path.join(ROOT, "tests", "c", "hll_fuzz.c"),
                            "-lpthread", "-lm", "-o", exe], capture_output=True, text=True, env=env)
    if build.returncode != 0 and sanitize:
        pytest.skip("cannot build with -fsanitize=%s: %s" % (sanitize, build.stderr[-300:]))
    assert build.returncode == 0, build.stderr[-3000:]
    args = ["15"] if sanitize else ["40", "selftest"]
    run = subprocess.run([exe, *args], capture_output=True, text=True, timeout=300, env=env)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    assert run.stdout.startswith("ok "), run.stdout
