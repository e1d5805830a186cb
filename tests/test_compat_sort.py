"""SORT and SORT_RO compared with redis-server 7.0, byte for byte.

Lists, sets and sorted sets; BY (string keys, hash fields `*->f`, constant
"nosort"), LIMIT, GET (#, keys, hash fields, several, missing), ASC/DESC,
ALPHA, STORE (list created, destination replaced or deleted, GET misses
stored as ""), the strtod rules of numeric sorting and its error, WRONGTYPE,
syntax errors, SORT_RO without STORE, RESP3 nulls, keyspace events.

Sets have no order of their own: their results are compared where the
order is defined (sorted, or STORE, which sorts a `nosort` set ALPHA), or
unordered.  ALPHA sorts with ties only on lists (Redis's qsort is stable
there, as ours)."""
import random

import pytest

from kvtest import Unordered
from test_notify import Notify, TIMEOUT

pytestmark = pytest.mark.compat


def q(*parts):
    return tuple(parts)


@pytest.mark.parametrize("cmd", ["SORT", "SORT_RO"])
def test_numeric_list(compat, cmd):
    compat.check(
        "RPUSH l 3 1 2 10 -5 2.5 1e2 -0 0 007",
        "%s l" % cmd, "%s l ASC" % cmd, "%s l DESC" % cmd,
        "%s l LIMIT 0 3" % cmd, "%s l LIMIT 2 3" % cmd, "%s l LIMIT 8 10" % cmd,
        "%s l LIMIT 10 1" % cmd, "%s l LIMIT 100 1" % cmd, "%s l LIMIT -5 3" % cmd,
        "%s l LIMIT 3 -1" % cmd, "%s l LIMIT 3 0" % cmd, "%s l LIMIT 0 0" % cmd,
        "%s l LIMIT 1 9223372036854775807" % cmd, "%s l LIMIT 9223372036854775807 1" % cmd,
        "%s l LIMIT -9223372036854775808 -9223372036854775808" % cmd,
        "%s l DESC LIMIT 1 4" % cmd, "%s l LIMIT 1 4 DESC" % cmd,
        "%s l ALPHA" % cmd, "%s l ALPHA DESC" % cmd, "%s l ALPHA LIMIT 2 2" % cmd,
        "%s l DESC ASC" % cmd, "%s l limit 0 2 limit 1 2" % cmd,
    )


def test_strtod_rules(compat):
    compat.check(
        q("RPUSH", "l", "", " 5", "0x10", "1e2", "inf", "-inf", "3", "+4", "  -7.5", ".5", "5."),
        "SORT l", "SORT l DESC", "SORT l LIMIT 2 3",
        q("RPUSH", "bad1", "1", "nan"), "SORT bad1",
        q("RPUSH", "bad2", "1", "abc"), "SORT bad2", "SORT bad2 ALPHA",
        q("RPUSH", "bad3", "1", "5 "), "SORT bad3",
        q("RPUSH", "bad4", "1", "1e400"), "SORT bad4",
        q("RPUSH", "bad5", "2", "-1e400"), "SORT bad5",
        q("RPUSH", "bad6", "2", "1e-400"), "SORT bad6",
        q("RPUSH", "bad7", "2", "NaN"), "SORT bad7", "SORT bad7 LIMIT 0 1",
        "SORT bad2 STORE dst", "EXISTS dst",
        "SORT bad2 BY nosort", "SORT bad2 BY nosort STORE dst", "LRANGE dst 0 -1",
    )


def test_ties_numeric_by_element(compat):
    # Equal scores are ordered by the elements' bytes (sortCompare).
    compat.check(
        "RPUSH l b a d c 1 01 1.0 a",
        "SORT l BY w_*", "SORT l BY w_* DESC", "SORT l BY w_* LIMIT 1 3",
        "MSET w_b 1 w_a 1 w_d 0",
        "SORT l BY w_*", "SORT l BY w_* DESC",
        "RPUSH n 1 1.0 01 +1 1e0 2 0x1",
        "SORT n", "SORT n DESC", "SORT n LIMIT 1 3",
    )


def test_alpha(compat):
    compat.check(
        q("RPUSH", "l", "banana", "Apple", "apple", "cherry", "", "10", "9", "b\x00z", "b\x00a", "éclair", "zebra"),
        "SORT l ALPHA", "SORT l ALPHA DESC", "SORT l ALPHA LIMIT 2 4",
        "SORT l ALPHA STORE d", "LRANGE d 0 -1",
        "SORT l ALPHA DESC STORE d", "LRANGE d 0 -1",
        "SORT l ALPHA BY w_*", "SORT l ALPHA BY w_* DESC",
        "MSET w_banana c w_Apple a w_apple b w_10 zz",
        "SORT l ALPHA BY w_*", "SORT l ALPHA BY w_* DESC",
        "SORT l ALPHA BY w_* STORE d", "LRANGE d 0 -1",
    )


def test_by_string_keys(compat):
    compat.check(
        "RPUSH l 1 2 3 4 5",
        "MSET weight_1 50 weight_2 40 weight_3 30 weight_4 20 weight_5 10",
        "SORT l BY weight_*", "SORT l BY weight_* DESC", "SORT l BY weight_* LIMIT 1 2",
        "SORT l BY weight_* LIMIT 1 2 DESC",
        "SORT l BY *_x", "SET 3_x -1", "SORT l BY *_x",
        "SORT l BY pre*post", "MSET pre4post 100 pre2post -100", "SORT l BY pre*post",
        "SET weight_2 notanumber", "SORT l BY weight_*", "SORT l BY weight_* ALPHA",
        "DEL weight_2", "RPUSH weight_2 x", "SORT l BY weight_*",  # a list: missing (score 0)
        "SORT l BY weight_* GET #",
    )


def test_by_hash_fields(compat):
    compat.check(
        "RPUSH l a b c d",
        "HSET h_a w 3 name alice", "HSET h_b w 1 name bob", "HSET h_c w 2",
        "HSET h_d other 9 name dan",
        "SORT l BY h_*->w", "SORT l BY h_*->w DESC", "SORT l BY h_*->w GET h_*->name",
        "SORT l BY h_*->w GET # GET h_*->name GET h_*->w",
        "SORT l BY h_*->name ALPHA", "SORT l BY h_*->name ALPHA DESC",
        "SORT l BY h_*->missing", "SORT l BY h_*->", "SORT l BY h_*->w->x",
        "SET h_c 5", "SORT l BY h_*->w",    # not a hash: missing
        "HSET h_b w x", "SORT l BY h_*->w",  # error
        "SORT l BY h_*->w ALPHA",
        "HSET hh_a f 1", "SORT l BY h*_a->f",
    )


def test_get_patterns(compat):
    compat.check(
        "RPUSH l 3 1 2",
        "MSET obj_1 one obj_2 two",
        "HSET info_1 name n1 age 10", "HSET info_3 name n3",
        "SORT l GET #", "SORT l GET obj_*", "SORT l GET # GET obj_*",
        "SORT l GET obj_* GET info_*->name GET info_*->age GET #",
        "SORT l GET nostar", "SORT l GET info_*->", "SORT l GET #x",
        "SORT l GET obj_* LIMIT 1 1", "SORT l DESC GET obj_* GET #",
        "SORT l BY nosort GET obj_*", "SORT l BY nosort DESC GET # GET obj_*",
        "RPUSH obj_3 list", "SORT l GET obj_*",   # not a string: nil
        "SORT l GET obj_* STORE dst", "LRANGE dst 0 -1",
        "SORT l GET # GET info_*->age STORE dst", "LRANGE dst 0 -1",
        "SORT missing GET obj_*", "SORT missing GET obj_* STORE dst", "EXISTS dst",
    )


def test_get_resp3_nulls(compat):
    compat.check("RPUSH l 1 2", "SET k_1 x", "SORT l GET k_* GET #", "SORT l GET nope",
                 resp3=True)


def test_nosort(compat):
    compat.check(
        "RPUSH l 5 3 9 1 x",
        "SORT l BY nosort", "SORT l BY nosort DESC", "SORT l BY nosort LIMIT 1 2",
        "SORT l BY nosort DESC LIMIT 1 2", "SORT l BY nosort LIMIT 4 10",
        "SORT l BY nosort DESC LIMIT 4 10", "SORT l BY nosort LIMIT 5 1",
        "SORT l BY nosort ALPHA", "SORT l BY # DESC",
        "SORT l BY nosort STORE d", "LRANGE d 0 -1",
        "SORT l BY nosort DESC LIMIT 1 3 STORE d", "LRANGE d 0 -1",
        "ZADD z 3 c 1 a 2 b 5 e 4 d",
        "SORT z BY nosort", "SORT z BY nosort DESC", "SORT z BY nosort LIMIT 1 2",
        "SORT z BY nosort DESC LIMIT 1 2", "SORT z BY nosort LIMIT 3 100",
        "SORT z BY nosort DESC LIMIT 0 0",
        "SORT z BY nosort GET #", "SORT z BY nosort STORE d", "LRANGE d 0 -1",
        # A set with STORE is sorted ALPHA whatever BY says.
        "SADD s 10 9 b a 100",
        "SORT s BY nosort STORE d", "LRANGE d 0 -1",
        "SORT s BY nosort DESC STORE d", "LRANGE d 0 -1",
        "SORT s BY nosort LIMIT 1 2 STORE d", "LRANGE d 0 -1",
    )
    compat.check("SADD s 10 9 b a 100", Unordered("SORT s BY nosort"),
                 Unordered("SORT s BY nosort GET #"))


def test_zsets(compat):
    compat.check(
        "ZADD z 1 30 2 10 3 20 4 5 5 -1",
        "SORT z", "SORT z DESC", "SORT z LIMIT 1 2", "SORT z ALPHA", "SORT z ALPHA DESC",
        "MSET w_30 1 w_10 2", "SORT z BY w_*", "SORT z BY w_* DESC",
        "SORT z STORE d", "LRANGE d 0 -1", "TYPE d",
        "ZADD zs 1 x 2 y", "SORT zs", "SORT zs ALPHA",
        "SORT_RO z", "SORT_RO z BY nosort DESC",
    )


def test_zset_encoding_after_sort(compat):
    # Redis 7.0 converts a listpack sorted set to a skiplist for SORT.
    compat.check("ZADD z 1 a 2 b", "OBJECT ENCODING z", "SORT z ALPHA", "OBJECT ENCODING z")


def test_sets(compat):
    compat.check(
        "SADD s 5 3 100 -2 7",
        "SORT s", "SORT s DESC", "SORT s LIMIT 1 3", "SORT s ALPHA", "SORT s ALPHA DESC",
        "SADD t apple banana cherry", "SORT t ALPHA", "SORT t ALPHA DESC LIMIT 0 2",
        "SORT t", "SORT t STORE d", "EXISTS d",
        "MSET w_apple 3 w_banana 1 w_cherry 2", "SORT t BY w_*", "SORT t BY w_* GET # GET w_*",
        "SORT t BY w_* STORE d", "LRANGE d 0 -1",
        "SADD big " + " ".join(str(i * 7 % 1000) for i in range(600)),
        "SORT big LIMIT 10 20", "SORT big DESC LIMIT 590 20", "SORT big ALPHA LIMIT 0 30",
        "SORT big STORE d", "LLEN d", "LRANGE d 0 9", "OBJECT ENCODING d",
    )


def test_store(compat):
    compat.check(
        "RPUSH l 3 1 2",
        "SORT l STORE dst", "LRANGE dst 0 -1", "TYPE dst", "OBJECT ENCODING dst",
        "SET str v", "SORT l STORE str", "LRANGE str 0 -1",
        "SET ttl v EX 100", "SORT l STORE ttl", "TTL ttl",
        "SADD aset x", "SORT l DESC STORE aset", "LRANGE aset 0 -1",
        "SORT l STORE l", "LRANGE l 0 -1",
        "SORT l LIMIT 5 5 STORE dst", "EXISTS dst",
        "SORT l LIMIT 5 5 STORE dst", "EXISTS dst",
        "SORT missing STORE l", "EXISTS l",
        "RPUSH l2 1", "SORT l2 STORE dst GET a_* GET b_*", "LRANGE dst 0 -1",
        "SORT l2 STORE", "SORT l2 STORE a STORE b", "EXISTS a b", "LRANGE b 0 -1",
    )


def test_errors(compat):
    compat.check(
        "SET s v", "HSET h f v",
        "SORT s", "SORT h", "SORT s STORE d", "SORT_RO s",
        "SORT missing", "SORT missing DESC", "SORT missing STORE d",
        "RPUSH l 1 2",
        "SORT l foo", "SORT l LIMIT", "SORT l LIMIT 1", "SORT l LIMIT a 1", "SORT l LIMIT 1 b",
        "SORT l LIMIT 1 1.5", "SORT l BY", "SORT l GET", "SORT l STORE",
        "SORT_RO l STORE d", "SORT_RO l STORE", "EXISTS d",
        "SORT s foo", "SORT s LIMIT x 1",      # syntax errors come before WRONGTYPE
        "SORT", "SORT_RO",
        "SORT l ASC DESC ALPHA foo",
    )


def test_big_list_and_random(compat):
    rng = random.Random(2024)
    with compat.session() as s:
        vals = rng.sample(range(-100000, 100000), 700)
        s.check(q("RPUSH", "l", *vals))
        ws = rng.sample(range(100000), 700)
        s.check(q("MSET", *[x for v, w in zip(vals, ws) for x in ("w_%d" % v, str(w))]))
        hs = rng.sample(range(100000), 700)
        for v, w in list(zip(vals, hs))[:400]:
            s.check(q("HSET", "h_%d" % v, "f", str(w), "name", "n%d" % w))
        s.check(q("SADD", "s", *vals[:300]), q("ZADD", "z", *[x for i, v in enumerate(vals[:300])
                                                            for x in (str(i % 17), str(v))]))
        for _ in range(150):
            key = rng.choice(["l", "s", "z"])
            cmd = ["SORT", key]
            by = rng.choice([None, None, "w_*", "h_*->f", "nosort"])
            if by and not (key == "s" and by == "nosort"):
                cmd += ["BY", by]
            if rng.random() < 0.5:
                cmd += ["LIMIT", str(rng.randint(-5, 750)), str(rng.randint(-2, 100))]
            for _ in range(rng.choice([0, 0, 1, 2])):
                cmd += ["GET", rng.choice(["#", "w_*", "h_*->name", "h_*->f", "nope_*"])]
            if rng.random() < 0.3:
                cmd.append("DESC")
            if by is None and rng.random() < 0.2:
                cmd.append("ALPHA")
            if rng.random() < 0.3:
                cmd += ["STORE", "dst"]
                s.check(tuple(cmd), "LRANGE dst 0 -1", "EXISTS dst")
            else:
                s.check(tuple(cmd))


def test_sortstore_events(compat):
    n = Notify(compat)
    try:
        n.flags("KEA")
        n.run("RPUSH l 2 1", "SORT l STORE d", "SORT l STORE d", "SORT missing STORE d",
              "SORT missing STORE d", "SET s x", "SORT l DESC STORE s", "SORT l LIMIT 9 1 STORE s",
              "SADD set b a", "SORT set BY nosort STORE d2", "SORT_RO l")
        ev = n.events()
        assert "E0 sortstore d" in ev and "E0 del d" in ev
        n.flags("KEn")
        n.run("SORT l STORE brandnew")
        n.events()
        # BY/GET lookups are lookupKeyRead: misses fire "keymiss".
        n.flags("KEm")
        n.run("SET w_1 5", "SORT l BY w_* GET # GET w_* GET h_*->f", "SORT missing BY w_*",
              "SORT l BY nosort GET w_*", "SORT l GET # GET nostar")
        ev = n.events()
        assert "E0 keymiss w_2" in ev
    finally:
        n.close()
        for srv in (compat.fk_server, compat.rd_server):
            with srv.raw(TIMEOUT) as c:
                c.call_raw("CONFIG", "SET", "notify-keyspace-events", "")


def test_watch_store(compat):
    with compat.session() as s:
        s.check("RPUSH l 1", "SET d x")
        s.check("WATCH d", "MULTI", "PING")
        with compat.session(flush=False) as o:
            o.check("SORT l STORE d")
        s.check("EXEC")
        s.check("WATCH nokey", "MULTI", "PING")
        with compat.session(flush=False) as o:
            o.check("SORT missing STORE nokey")   # nothing deleted: EXEC runs
        s.check("EXEC")


def test_dirty(compat):
    # server.dirty: outputlen for STORE, 1 for a deletion.
    with compat.session() as s:
        s.check("RPUSH l 1 2 3", "SET d x")
        for cmd in ["SORT l STORE d", "SORT l GET # GET # STORE d", "SORT missing STORE d",
                    "SORT missing STORE d"]:
            before = _dirty(compat)
            s.check(cmd)
            after = _dirty(compat)
            assert after[0] - before[0] == after[1] - before[1], cmd


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
