"""Compat tests for keyspace commands (DEL, KEYS, SCAN, EXPIRE, OBJECT,
SELECT, ...) plus expiry behaviour.

Raw replies of fastkv must equal those of a real redis-server.  A few
tests use the ``r`` redis-py client on the server under test only, for
things that can't be compared byte for byte (SCAN cursors, timing).
"""

import collections
import time

import pytest

from kvtest import NoCompare, Shape, Sleep, TypeOnly, Unordered

PATTERN_KEYS = ["hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo",
                "h?llo", "h[llo", "h\\llo", "h]llo", "h-llo", "foo:1", "foo:2",
                "foo:bar:3", "bar", "", "a", "ab", "abc", "Hello", "HELLO",
                "h^llo", "h!llo"]


def _mset_pattern_keys():
    args = ["MSET"]
    for k in PATTERN_KEYS:
        args += [k, "v:" + k]
    return tuple(args)


# --------------------------------------------------------------------------
# DEL UNLINK EXISTS TYPE TOUCH
# --------------------------------------------------------------------------

@pytest.mark.compat
def test_del_unlink_exists(compat):
    compat.check(
        "MSET a 1 b 2 c 3 d 4",
        "EXISTS a",
        "EXISTS a b missing",
        "EXISTS a a a",
        "EXISTS missing",
        "DEL a",
        "DEL a",
        "DEL b c missing",
        "DEL d d",
        "EXISTS a b c d",
        "MSET a 1 b 2",
        "UNLINK a b missing",
        "UNLINK a",
        "DBSIZE",
        "DEL",
        "UNLINK",
        "EXISTS",
    )


@pytest.mark.compat
def test_type(compat):
    compat.check("TYPE missing", "SET s v", "TYPE s", "SET n 10", "TYPE n",
                 "TYPE", "TYPE a b")


@pytest.mark.compat
def test_type_list(compat):
    compat.check("RPUSH l a", "TYPE l")


@pytest.mark.compat
def test_touch(compat):
    compat.check("MSET a 1 b 2", "TOUCH a", "TOUCH a b missing", "TOUCH missing",
                 "TOUCH a a", "TOUCH")


# --------------------------------------------------------------------------
# KEYS with glob patterns
# --------------------------------------------------------------------------

@pytest.mark.compat
@pytest.mark.parametrize("pattern", [
    "*", "h?llo", "h*llo", "h*", "*llo", "*o*", "h[ae]llo", "h[^e]llo",
    "h[!e]llo", "h[a-b]llo", "h[a-e]llo", "h[e-a]llo", "h[a-z]llo",
    "h\\*llo", "h\\?llo", "h\\[llo", "h\\\\llo", "h\\]llo", "h[\\]]llo",
    "h[*]llo", "h[?]llo", "\\h*", "foo:*", "foo:?", "foo:*:*", "?", "??",
    "???", "", "[", "h[", "h[a-", "h[a-]llo", "[ab]", "a*", "*a*", "*b",
    "**", "*?*", "HELLO", "[Hh]ello", "h[-]llo", "h[a\\-z]llo",
    "h[^]llo", "*\\", "abc\\", "nomatch*", "h[^a-z]llo", "[^h]*",
])
def test_keys_patterns(compat, pattern):
    compat.check(_mset_pattern_keys(), Unordered(("KEYS", pattern)))


@pytest.mark.compat
def test_keys_misc(compat):
    compat.check(
        "KEYS *",
        "SET k v PX 1",
        "MSET a 1 b 2",
        Sleep(0.05),
        Unordered("KEYS *"),
        "KEYS",
        "KEYS a b",
    )


@pytest.mark.compat
def test_keys_resp3(compat):
    compat.check(_mset_pattern_keys(), Unordered("KEYS h*"), "KEYS nomatch",
                 resp3=True)


# --------------------------------------------------------------------------
# SCAN
# --------------------------------------------------------------------------

@pytest.mark.compat
def test_scan_small_keyspace(compat):
    # A tiny keyspace is returned in one call with COUNT 1000 (cursor 0).
    compat.check(
        "SCAN 0",
        _mset_pattern_keys(),
        Unordered("SCAN 0 COUNT 1000"),
        Unordered("SCAN 0 MATCH h*llo COUNT 1000"),
        Unordered("SCAN 0 COUNT 1000 MATCH foo:*"),
        Unordered("SCAN 0 MATCH nomatch* COUNT 1000"),
        Unordered("SCAN 0 TYPE string COUNT 1000"),
        Unordered("SCAN 0 COUNT 1000 TYPE STRING"),
        Unordered("SCAN 0 COUNT 1000 TYPE list"),
        Unordered("SCAN 0 COUNT 1000 TYPE nosuchtype"),
        Unordered("SCAN 0 MATCH h* TYPE string COUNT 1000"),
        Unordered("scan 0 match a* count 1000"),
    )


@pytest.mark.compat
@pytest.mark.parametrize("cmd", [
    "SCAN", "SCAN abc", "SCAN 0 COUNT", "SCAN 0 COUNT 0",
    "SCAN 0 COUNT -1", "SCAN 0 COUNT abc", "SCAN 0 MATCH", "SCAN 0 TYPE",
    "SCAN 0 FOO", "SCAN 0 COUNT 10 FOO bar", "SCAN 1.5",
    "SCAN 18446744073709551616",
])
def test_scan_errors(compat, cmd):
    compat.check("MSET a 1 b 2", cmd)


@pytest.mark.compat
def test_scan_skips_expired(compat):
    compat.check("MSET a 1 b 2", "SET c 3 PX 1", Sleep(0.05),
                 Unordered("SCAN 0 COUNT 100"))


@pytest.mark.compat
def test_scan_type_filter_with_list(compat):
    compat.check("MSET a 1 b 2", "RPUSH l x",
                 Unordered("SCAN 0 COUNT 100 TYPE list"),
                 Unordered("SCAN 0 COUNT 100 TYPE string"))


def _full_scan(r, count=10, match=None, _type=None, on_step=None, max_steps=100000):
    seen = []
    cursor = 0
    steps = 0
    while True:
        cursor, keys = r.scan(cursor=cursor, count=count, match=match, _type=_type)
        seen.extend(keys)
        steps += 1
        if on_step:
            on_step(steps)
        if cursor == 0:
            return seen
        assert steps < max_steps, "SCAN did not terminate"


def test_scan_full_iteration_exactly_once(r):
    keys = [b"key:%d" % i for i in range(2000)]
    with r.pipeline(transaction=False) as p:
        for k in keys:
            p.set(k, b"v")
        p.execute()
    seen = _full_scan(r, count=10)
    counts = collections.Counter(seen)
    assert set(counts) == set(keys)
    dups = [k for k, c in counts.items() if c != 1]
    assert not dups, "keys returned more than once: %r" % dups[:10]


def test_scan_full_iteration_while_adding(r):
    keys = {b"orig:%d" % i for i in range(1000)}
    with r.pipeline(transaction=False) as p:
        for k in keys:
            p.set(k, b"v")
        p.execute()
    added = set()

    def add_more(step):
        with r.pipeline(transaction=False) as p:
            for j in range(5):
                k = b"new:%d:%d" % (step, j)
                added.add(k)
                p.set(k, b"v")
            p.execute()

    seen = _full_scan(r, count=7, on_step=add_more)
    counts = collections.Counter(seen)
    # every key present during the whole iteration is returned exactly once
    missing = keys - set(counts)
    assert not missing, "keys never returned: %r" % sorted(missing)[:10]
    dups = [k for k in keys if counts[k] != 1]
    assert not dups, "original keys returned more than once: %r" % dups[:10]
    # nothing that never existed
    assert set(counts) <= keys | added


def test_scan_full_iteration_while_deleting(r):
    keys = [b"k:%d" % i for i in range(1000)]
    with r.pipeline(transaction=False) as p:
        for k in keys:
            p.set(k, b"v")
        p.execute()
    doomed = set(keys[::3])
    kept = set(keys) - doomed
    doomed_list = sorted(doomed)

    def delete_some(step):
        batch = doomed_list[(step - 1) * 5:step * 5]
        if batch:
            r.delete(*batch)

    seen = set(_full_scan(r, count=10, on_step=delete_some))
    assert kept <= seen
    assert seen <= set(keys)


def test_scan_match_and_type(r):
    with r.pipeline(transaction=False) as p:
        for i in range(500):
            p.set(b"user:%d" % i, b"x")
            p.set(b"item:%d" % i, b"y")
        p.execute()
    seen = _full_scan(r, count=20, match=b"user:*")
    assert sorted(seen) == sorted(b"user:%d" % i for i in range(500))
    seen = _full_scan(r, count=20, match=b"user:1?")
    assert sorted(seen) == sorted(b"user:1%d" % i for i in range(10))
    seen = _full_scan(r, count=50, _type="string")
    assert len(seen) == 1000 and len(set(seen)) == 1000
    assert _full_scan(r, count=50, _type="list") == []
    assert list(r.scan_iter(match=b"item:49?", count=100)).__len__() == 10


# --------------------------------------------------------------------------
# RANDOMKEY
# --------------------------------------------------------------------------

@pytest.mark.compat
def test_randomkey(compat):
    compat.check(
        "RANDOMKEY",
        "SET only v",
        "RANDOMKEY",
        "MSET a 1 b 2 c 3",
        TypeOnly("RANDOMKEY"),
        "FLUSHALL",
        "SET e v PX 1",
        Sleep(0.05),
        "RANDOMKEY",
        "RANDOMKEY extra",
    )


def test_randomkey_returns_existing_keys(r):
    keys = {b"a", b"b", b"c", b"d"}
    for k in keys:
        r.set(k, b"1")
    got = {r.randomkey() for _ in range(200)}
    assert got <= keys
    assert len(got) >= 3  # random enough


# --------------------------------------------------------------------------
# RENAME RENAMENX COPY MOVE
# --------------------------------------------------------------------------

@pytest.mark.compat
def test_rename(compat):
    compat.check(
        "RENAME missing x",
        "SET a 1",
        "RENAME a b",
        "EXISTS a",
        "GET b",
        "RENAME b b",
        "GET b",
        "SET c 3",
        "RENAME b c",
        "GET c",
        "SET t v EX 100",
        "RENAME t t2",
        "TTL t2",
        "SET t3 x",
        "RENAME t3 t2",
        "TTL t2",
        "RENAME",
        "RENAME a",
        "RENAME a b c",
    )


@pytest.mark.compat
def test_renamenx(compat):
    compat.check(
        "RENAMENX missing x",
        "MSET a 1 b 2",
        "RENAMENX a b",
        "MGET a b",
        "RENAMENX a c",
        "MGET a c",
        "RENAMENX c c",
        "SET t v EX 100",
        "RENAMENX t t2",
        "TTL t2",
        "RENAMENX a",
    )


@pytest.mark.compat
def test_copy(compat):
    compat.check(
        "COPY missing x",
        "SET a 1",
        "COPY a b",
        "MGET a b",
        "SET c other",
        "COPY a c",
        "GET c",
        "COPY a c REPLACE",
        "GET c",
        "COPY a a",
        "COPY a a REPLACE",
        "SET t v EX 100",
        "COPY t t2",
        "TTL t2",
        "COPY a a DB 1",
        "COPY a z DB 1",
        "COPY a z DB 1",
        "COPY a z DB 1 REPLACE",
        "COPY a z DB 16",
        "COPY a z DB -1",
        "COPY a z DB abc",
        "COPY a z DB",
        "COPY a z FOO",
        "COPY a z REPLACE REPLACE",
        "COPY a",
        "SELECT 1",
        "GET a",
        "GET z",
        "DBSIZE",
        "SELECT 0",
        "DBSIZE",
    )


@pytest.mark.compat
def test_move(compat):
    compat.check(
        "MOVE missing 1",
        "SET a 1",
        "MOVE a 1",
        "EXISTS a",
        "SET a 2",
        "MOVE a 1",
        "GET a",
        "MOVE a 0",
        "MOVE a 16",
        "MOVE a -1",
        "MOVE a abc",
        "SET t v EX 100",
        "MOVE t 2",
        "SELECT 1",
        "GET a",
        "SELECT 2",
        "TTL t",
        "MOVE t 0",
        "SELECT 0",
        "TTL t",
        "MOVE a",
    )


# --------------------------------------------------------------------------
# EXPIRE family
# --------------------------------------------------------------------------

@pytest.mark.compat
def test_expire_ttl_basic(compat):
    compat.check(
        "TTL missing",
        "PTTL missing",
        "EXPIRETIME missing",
        "PEXPIRETIME missing",
        "SET a v",
        "TTL a",
        "PTTL a",
        "EXPIRETIME a",
        "PEXPIRETIME a",
        "EXPIRE a 100",
        "TTL a",
        TypeOnly("PTTL a"),
        TypeOnly("EXPIRETIME a"),
        "PEXPIRE a 200000",
        "TTL a",
        "EXPIREAT a 33177117420",
        "EXPIRETIME a",
        "PEXPIRETIME a",
        "PEXPIREAT a 33177117420999",
        "EXPIRETIME a",
        "PEXPIRETIME a",
        "PERSIST a",
        "PERSIST a",
        "TTL a",
        "PERSIST missing",
        "EXPIRE missing 100",
        "PEXPIRE missing 100",
        "EXPIREAT missing 100",
        "PEXPIREAT missing 100",
    )


@pytest.mark.compat
def test_expire_in_past_deletes(compat):
    compat.check(
        "MSET a 1 b 2 c 3 d 4 e 5",
        "EXPIRE a 0",
        "EXPIRE b -10",
        "PEXPIRE c 0",
        "EXPIREAT d 1",
        "PEXPIREAT e 1",
        "EXISTS a b c d e",
        "DBSIZE",
    )


@pytest.mark.compat
@pytest.mark.parametrize("cmd", [
    "EXPIRE a abc", "EXPIRE a 1.5", "EXPIRE a ''", "PEXPIRE a abc",
    "EXPIREAT a abc", "PEXPIREAT a 1.5",
    "EXPIRE a 9223372036854775807", "EXPIRE a -9223372036854775808",
    "EXPIRE a 9223372036854775", "EXPIRE a 9223372036854776",
    "PEXPIRE a 9223372036854775807", "PEXPIRE a -9223372036854775808",
    "EXPIREAT a 9223372036854775807", "EXPIREAT a -9223372036854775808",
    "PEXPIREAT a 9223372036854775807", "PEXPIREAT a -9223372036854775808",
    "EXPIRE a 99999999999999999999",
    "EXPIRE a", "EXPIRE", "PEXPIRE a", "TTL", "TTL a b", "PTTL", "PERSIST",
    "EXPIRETIME", "PEXPIRETIME a b",
])
def test_expire_errors(compat, cmd):
    compat.check("SET a v", cmd, "TTL a", "EXISTS a")


@pytest.mark.compat
def test_expire_options(compat):
    compat.check(
        "SET a v",
        "EXPIRE a 100 XX",
        "TTL a",
        "EXPIRE a 100 GT",
        "TTL a",
        "EXPIRE a 100 LT",
        "TTL a",
        "EXPIRE a 200 NX",
        "EXPIRE a 300 NX",
        "TTL a",
        "EXPIRE a 400 XX",
        "TTL a",
        "EXPIRE a 100 GT",
        "EXPIRE a 500 GT",
        "TTL a",
        "EXPIRE a 600 LT",
        "EXPIRE a 50 LT",
        "TTL a",
        "EXPIRE a 50 nx",
        "EXPIRE a 60 xx",
        "EXPIRE a 70 gt",
        "EXPIRE a 10 lt",
        "TTL a",
        "PEXPIRE a 5000000 GT",
        "TTL a",
        "EXPIREAT a 33177117420 GT",
        "EXPIREAT a 33177117421 LT",
        "PEXPIREAT a 33177117419000 LT",
        "EXPIRETIME a",
        "EXPIRE a 100 XX GT",
        "TTL a",
        "PERSIST a",
        "EXPIRE a 100 LT",
        "EXPIRE a 100 GT",
        "TTL a",
        "EXPIRE a 100 XX LT",
        "TTL a",
        "EXPIRE missing 100 NX",
        "EXPIRE missing 100 XX",
    )


@pytest.mark.compat
@pytest.mark.parametrize("cmd", [
    "EXPIRE a 100 NX XX", "EXPIRE a 100 XX NX", "EXPIRE a 100 NX GT",
    "EXPIRE a 100 NX LT", "EXPIRE a 100 GT LT", "EXPIRE a 100 LT GT",
    "EXPIRE a 100 FOO", "EXPIRE a 100 NX FOO", "EXPIRE a 100 NX NX",
    "PEXPIRE a 100 NX XX", "EXPIREAT a 33177117420 GT LT",
    "PEXPIREAT a 33177117420000 NX LT", "EXPIRE a abc NX XX",
    "EXPIRE missing 100 NX XX", "EXPIRE a 0 NX", "EXPIRE a 0 XX",
    "EXPIRE a -1 GT", "EXPIRE a -1 LT",
])
def test_expire_option_errors(compat, cmd):
    compat.check("SET a v", "EXPIRE a 1000", cmd, "TTL a", "EXISTS a")


@pytest.mark.compat
def test_expire_option_on_persistent_key(compat):
    # a key without TTL counts as infinite TTL for GT/LT
    compat.check("SET a v", "EXPIRE a 100 GT", "TTL a", "EXPIRE a 100 LT",
                 "TTL a", "SET b v", "EXPIRE b 0 LT", "EXISTS b")


@pytest.mark.compat
def test_ttl_resp3(compat):
    compat.check("SET a v", "TTL a", "EXPIRE a 100", "TTL a", "TTL missing",
                 "PERSIST a", resp3=True)


# --------------------------------------------------------------------------
# Expiry behaviour
# --------------------------------------------------------------------------

@pytest.mark.compat
def test_lazy_expiry(compat):
    compat.check(
        "SET k v PX 50",
        "SET k2 v",
        "PEXPIRE k2 50",
        "SET keep v",
        Sleep(0.15),
        "GET k",
        "EXISTS k k2 keep",
        "TTL k",
        "PTTL k2",
        "TYPE k",
        "DBSIZE",
        "KEYS *",
    )


def test_lazy_expiry_redis_py(r):
    r.set(b"k", b"v", px=50)
    assert r.get(b"k") == b"v"
    time.sleep(0.12)
    assert r.get(b"k") is None
    assert r.exists(b"k") == 0
    assert r.ttl(b"k") == -2


def _wait_for(pred, timeout, interval=0.02):
    deadline = time.monotonic() + timeout
    while True:
        val = pred()
        if val:
            return val
        if time.monotonic() > deadline:
            return val
        time.sleep(interval)


def test_active_expiry(r):
    """Keys with a short TTL vanish from DBSIZE without ever being accessed."""
    n = 500
    with r.pipeline(transaction=False) as p:
        for i in range(n):
            p.set(b"short:%d" % i, b"v", px=100)
        for i in range(10):
            p.set(b"long:%d" % i, b"v")
        for i in range(10):
            p.set(b"later:%d" % i, b"v", ex=1000)
        p.execute()
    assert r.dbsize() == n + 20
    assert _wait_for(lambda: r.dbsize() == 20, timeout=3.0), \
        "active expiry did not remove keys: dbsize=%d" % r.dbsize()
    info = r.info("keyspace")
    assert info["db0"]["keys"] == 20
    assert info["db0"]["expires"] == 10


def test_active_expiry_other_db(fastkv_server, r):
    c = fastkv_server.client(db=3)
    try:
        with c.pipeline(transaction=False) as p:
            for i in range(200):
                p.set(b"x:%d" % i, b"v", px=50)
            p.execute()
        assert _wait_for(lambda: c.dbsize() == 0, timeout=3.0), \
            "keys in db3 not actively expired: dbsize=%d" % c.dbsize()
    finally:
        c.close()


def test_expired_keys_stat(r):
    r.config_resetstat()
    with r.pipeline(transaction=False) as p:
        for i in range(20):
            p.set(b"e:%d" % i, b"v", px=30)
        p.execute()
    assert _wait_for(lambda: r.info("stats")["expired_keys"] >= 20, timeout=3.0)


def test_overwrite_clears_ttl_and_expire_updates(r):
    r.set(b"k", b"v", ex=100)
    assert r.ttl(b"k") == 100
    r.expire(b"k", 5)
    assert 4 <= r.ttl(b"k") <= 5
    assert 4000 < r.pttl(b"k") <= 5000
    r.set(b"k", b"v2")
    assert r.ttl(b"k") == -1


# --------------------------------------------------------------------------
# OBJECT
# --------------------------------------------------------------------------

@pytest.mark.compat
def test_object_encoding(compat):
    compat.check(
        "OBJECT ENCODING missing",
        "SET i 123",
        "OBJECT ENCODING i",
        "SET i -123",
        "OBJECT ENCODING i",
        "SET i 0",
        "OBJECT ENCODING i",
        "SET i 9223372036854775807",
        "OBJECT ENCODING i",
        "SET i -9223372036854775808",
        "OBJECT ENCODING i",
        "SET i 9223372036854775808",
        "OBJECT ENCODING i",
        "SET i 0123",
        "OBJECT ENCODING i",
        "SET i ' 12'",
        "OBJECT ENCODING i",
        "SET i +12",
        "OBJECT ENCODING i",
        "SET i -0",
        "OBJECT ENCODING i",
        "SET i 1.5",
        "OBJECT ENCODING i",
        "SET s hello",
        "OBJECT ENCODING s",
        "SET s ''",
        "OBJECT ENCODING s",
        ("SET", "s44", "x" * 44),
        "OBJECT ENCODING s44",
        ("SET", "s45", "x" * 45),
        "OBJECT ENCODING s45",
        ("SET", "s1000", "x" * 1000),
        "OBJECT ENCODING s1000",
        "SET a hello",
        "APPEND a x",
        "OBJECT ENCODING a",
        "SET a 12",
        "APPEND a 3",
        "OBJECT ENCODING a",
        "GET a",
        "APPEND new x",
        "OBJECT ENCODING new",
        "SET r hello",
        "SETRANGE r 1 a",
        "OBJECT ENCODING r",
        "SETRANGE r2 0 12",
        "OBJECT ENCODING r2",
        "INCR c",
        "OBJECT ENCODING c",
        "INCRBY c 100000",
        "OBJECT ENCODING c",
        "SET c 12",
        "APPEND c 3",
        "INCR c",
        "OBJECT ENCODING c",
        "INCRBYFLOAT f 1.5",
        "OBJECT ENCODING f",
        "INCRBYFLOAT f 0.5",
        "OBJECT ENCODING f",
        "MSET m1 5 m2 hello",
        "OBJECT ENCODING m1",
        "OBJECT ENCODING m2",
        "SETEX se 100 42",
        "OBJECT ENCODING se",
        "GETSET gs 7",
        "OBJECT ENCODING gs",
        "SETNX nx 8",
        "OBJECT ENCODING nx",
        "SET gx 99 GET",
        "OBJECT ENCODING gx",
        "SET big 12345678901234567890123",
        "OBJECT ENCODING big",
        "COPY i icopy",
        "OBJECT ENCODING icopy",
        "RENAME s45 s45r",
        "OBJECT ENCODING s45r",
    )


@pytest.mark.compat
def test_object_refcount_idletime_freq_help(compat):
    compat.check(
        "OBJECT REFCOUNT missing",
        "OBJECT IDLETIME missing",
        "OBJECT FREQ missing",
        "SET s hello",
        "OBJECT REFCOUNT s",
        "SET i 123",
        "OBJECT REFCOUNT i",
        "SET i 10000",
        "OBJECT REFCOUNT i",
        "SET i 9999",
        "OBJECT REFCOUNT i",
        "SET i -1",
        "OBJECT REFCOUNT i",
        TypeOnly("OBJECT IDLETIME s"),
        "OBJECT FREQ s",
        "OBJECT HELP",
        "object help",
        "OBJECT",
        "OBJECT FOO",
        "OBJECT FOO s",
        "OBJECT ENCODING",
        "OBJECT ENCODING s extra",
        "OBJECT REFCOUNT",
        "OBJECT HELP extra",
    )


def test_object_idletime_grows_and_resets(r):
    # The LRU clock has a resolution of 1s, so "fresh" means <= 1.
    r.set(b"k", b"v")
    assert r.object("idletime", b"k") <= 1
    assert _wait_for(lambda: r.object("idletime", b"k") >= 2, timeout=3.5, interval=0.1)
    # OBJECT itself does not touch the key
    assert r.object("idletime", b"k") >= 2
    r.get(b"k")
    assert r.object("idletime", b"k") <= 1


# --------------------------------------------------------------------------
# SELECT SWAPDB DBSIZE FLUSHDB FLUSHALL
# --------------------------------------------------------------------------

@pytest.mark.compat
def test_select_dbsize(compat):
    compat.check(
        "DBSIZE",
        "MSET a 1 b 2",
        "DBSIZE",
        "SELECT 1",
        "DBSIZE",
        "GET a",
        "SET a one",
        "SELECT 15",
        "SET x 15",
        "SELECT 16",
        "SELECT -1",
        "SELECT abc",
        "SELECT 1.5",
        "SELECT",
        "SELECT 0 1",
        "SELECT 0",
        "GET a",
        "SELECT 1",
        "GET a",
        "DBSIZE extra",
        "select 00",
        "DBSIZE",
    )


@pytest.mark.compat
def test_swapdb(compat):
    compat.check(
        "MSET a 1 b 2",
        "SELECT 1",
        "SET c 3 EX 100",
        "SELECT 0",
        "SWAPDB 0 1",
        "KEYS *",
        "TTL c",
        "SELECT 1",
        Unordered("KEYS *"),
        "SWAPDB 1 1",
        "DBSIZE",
        "SWAPDB 0 16",
        "SWAPDB 16 0",
        "SWAPDB -1 0",
        "SWAPDB a 0",
        "SWAPDB 0 b",
        "SWAPDB 0",
        "SWAPDB",
        "SWAPDB 0 1 2",
        "SWAPDB 0 2",
        "DBSIZE",
    )


@pytest.mark.compat
def test_flushdb_flushall(compat):
    compat.check(
        "MSET a 1 b 2",
        "SELECT 1",
        "MSET c 3 d 4",
        "FLUSHDB",
        "DBSIZE",
        "SELECT 0",
        "DBSIZE",
        "SELECT 1",
        "SET c 3",
        "FLUSHDB ASYNC",
        "DBSIZE",
        "SET c 3",
        "FLUSHDB SYNC",
        "FLUSHDB async",
        "FLUSHDB FOO",
        "FLUSHDB SYNC ASYNC",
        "SET c 3",
        "FLUSHALL",
        "DBSIZE",
        "SELECT 0",
        "DBSIZE",
        "SET a 1",
        "FLUSHALL ASYNC",
        "DBSIZE",
        "SET a 1",
        "FLUSHALL SYNC",
        "DBSIZE",
        "FLUSHALL sync",
        "FLUSHALL FOO",
        "FLUSHALL ASYNC SYNC",
    )


def test_flushall_clears_every_db(fastkv_server, r):
    clients = [fastkv_server.client(db=i) for i in range(16)]
    try:
        for i, c in enumerate(clients):
            c.set(b"k%d" % i, b"v", ex=100)
        assert all(c.dbsize() == 1 for c in clients)
        r.flushall()
        assert all(c.dbsize() == 0 for c in clients)
        assert r.info("keyspace") == {}
    finally:
        for c in clients:
            c.close()


# --------------------------------------------------------------------------
# RESP3 replies of keyspace commands
# --------------------------------------------------------------------------

@pytest.mark.compat
def test_keys_commands_resp3(compat):
    compat.check(
        "MSET a 1 b 2",
        "DEL a",
        "EXISTS b",
        "TYPE b",
        Unordered("SCAN 0 COUNT 100"),
        "RANDOMKEY",
        "DEL b",
        "RANDOMKEY",
        "OBJECT ENCODING missing",
        "SET s hello",
        "OBJECT ENCODING s",
        "OBJECT HELP",
        "RENAME missing x",
        "COPY s s2",
        "EXPIRETIME s",
        NoCompare("OBJECT IDLETIME s"),
        Shape("OBJECT IDLETIME s"),
        resp3=True,
    )
