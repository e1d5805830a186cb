"""Transactions compatibility: MULTI EXEC DISCARD WATCH UNWATCH (Redis 7.0
semantics).

Queueing (+QUEUED), queue-time errors (EXECABORT), run-time errors inside
EXEC, WATCH races between clients, watched keys that expire / are flushed /
are swapped away with SWAPDB, UNWATCH/EXEC/DISCARD clearing watches, RESP3,
SELECT inside MULTI, commands flagged no-multi.

Each logical client is a ``kvtest.Twin``: one raw connection to fastkv and one to a
real redis-server, sent the same bytes; every reply is compared byte for
byte.  At the end: redis-py usage (pipeline(transaction=True), WATCH with
the transaction helper, sync and asyncio) against the server under test.
"""

import asyncio
import time

import pytest
import redis

from kvtest import Shape, Sleep, Twins, encode_args

pytestmark = pytest.mark.compat

EXECABORT = b"EXECABORT Transaction discarded because of previous errors."


@pytest.fixture
def twins(compat):
    """twins(n=1, resp3=False) -> kvtest.Twin clients on the session
    servers; the first one flushes everything."""
    made = Twins(compat, flush=True)
    yield made
    made.close()


def err(value):
    assert hasattr(value, "msg"), "expected an error reply, got %r" % (value,)
    return value.msg


def _tx(c, *queued):
    """MULTI, the queued commands, EXEC on twin c (every reply compared);
    returns the EXEC reply."""
    c.calls("MULTI", *queued)
    return c.call("EXEC")


# --------------------------------------------------------------------------
# basics
# --------------------------------------------------------------------------

def test_multi_exec_basic(twins):
    c, = twins(1)
    assert c.call("MULTI") == b"OK"
    assert c.call("SET a 1") == b"QUEUED"
    assert c.calls("INCR a", "GET a", "MGET a nope", "APPEND s xy", "DEL a",
                   "EXISTS a", "PING", "ECHO hi") == [b"QUEUED"] * 8
    assert c.call("EXEC") == [b"OK", 2, b"2", [b"2", None], 2, 1, 0, b"PONG", b"hi"]
    # out of the transaction again
    assert c.call("GET s") == b"xy"
    assert err(c.call("EXEC")) == b"ERR EXEC without MULTI"


def test_empty_transaction_and_discard(twins):
    c, = twins(1)
    c.calls("MULTI", "EXEC")
    c.calls("SET a 1", "MULTI", "SET a 2", "INCR a", "DISCARD", "GET a")
    assert c.call("GET a") == b"1"


def test_exec_discard_without_multi(twins):
    c, = twins(1)
    assert err(c.call("EXEC")) == b"ERR EXEC without MULTI"
    assert err(c.call("DISCARD")) == b"ERR DISCARD without MULTI"
    c.calls("exec", "discard", "EXEC x", "DISCARD x", "MULTI x", "UNWATCH", "UNWATCH x",
            "WATCH")


def test_nested_multi(twins):
    c, = twins(1)
    c.call("MULTI")
    assert err(c.call("MULTI")) == b"ERR MULTI calls can not be nested"
    c.call("SET a 1")
    # the nested MULTI does not abort the transaction
    assert c.call("EXEC") == [b"OK"]


def test_watch_inside_multi(twins):
    c, = twins(1)
    c.call("MULTI")
    assert err(c.call("WATCH a")) == b"ERR WATCH inside MULTI is not allowed"
    c.call("SET a 1")
    assert c.call("EXEC") == [b"OK"]


def test_unwatch_inside_multi_is_queued(twins):
    c, d = twins(2)
    c.calls("WATCH k", "MULTI", "UNWATCH", "SET x 1")
    d.call("SET k changed")
    # UNWATCH inside MULTI is queued: the watch still applies
    c.call("EXEC")


@pytest.mark.parametrize("bad", ["NOSUCHCOMMAND", "NOSUCHCOMMAND a b", "GET", "SET a",
                                 "GET a b", "CONFIG GET", "CONFIG NOSUCHSUB",
                                 "CLIENT NOSUCHSUB", "DISCARD x",
                                 "OBJECT", "SELECT"])
def test_queue_time_error_aborts(twins, bad):
    c, = twins(1)
    c.calls("SET a old", "MULTI", "SET a new", bad, "INCR n")
    r = c.call("EXEC")
    assert err(r) == EXECABORT
    # the transaction is gone and nothing ran
    c.calls("GET a", "GET n", "EXEC", "DISCARD")


def test_exec_with_args_inside_multi(twins):
    """EXEC with a wrong arity inside MULTI aborts the transaction right
    away (Redis answers EXECABORT naming the error); what follows runs
    outside a transaction."""
    c, = twins(1)
    c.calls("SET a old", "MULTI", "SET a new")
    r = c.call("EXEC x")
    assert err(r).startswith(b"EXECABORT")
    c.calls("INCR n", "EXEC", "GET a", "GET n")


def test_queue_time_error_then_discard(twins):
    c, = twins(1)
    c.calls("MULTI", "NOSUCHCMD", "SET a 1")
    assert c.call("DISCARD") == b"OK"
    c.calls("GET a", "EXEC")


def test_exec_abort_exact_text(twins):
    c, = twins(1)
    c.calls("MULTI", "GET")
    c.expect_raw("EXEC", b"-" + EXECABORT + b"\r\n")


def test_runtime_errors_do_not_abort(twins):
    c, = twins(1)
    c.calls("SET s abc", "SET f 1.5", "MULTI", "INCR s", "SET t 1", "INCRBY t x",
            "INCRBYFLOAT s 1", "INCR f", "SETEX a -1 v", "EXPIRE t abc",
            "SET big 9223372036854775807", "INCR big", "RENAME nope x", "SETRANGE t -1 x",
            "GETEX t EX 0", "SET t 2 EX 0", "APPEND t x", "SELECT 99", "MOVE t 0",
            "COPY t t", "GET t")
    res = c.call("EXEC")
    assert err(res[0]) == b"ERR value is not an integer or out of range"
    assert res[1] == b"OK"
    assert res[-1] == b"1x"


def test_wrongtype_inside_exec(twins):
    c, = twins(1)
    c.calls("RPUSH l a", "MULTI", "GET l", "SET k v", "INCR l", "APPEND l x",
            "STRLEN l", "GETRANGE l 0 1", "GET k")
    res = c.call("EXEC")
    assert err(res[0]).startswith(b"WRONGTYPE")
    assert res[1] == b"OK" and res[-1] == b"v"


def test_watch_list_key(twins):
    c, d = twins(2)
    c.calls("RPUSH l a", "WATCH l")
    d.call("RPUSH l b")
    assert _tx(c, "SET x 1") is None


def test_big_transaction_pipelined(twins):
    c, = twins(1)
    n = 1000
    data = encode_args([b"MULTI"]) + b"".join(
        encode_args([b"INCR", b"ctr"]) for _ in range(n)) + encode_args([b"EXEC"])
    c.send_raw(data, label="MULTI + %d INCR + EXEC (pipelined)" % n)
    assert c.read_one() == b"OK"
    for _ in range(n):
        assert c.read_one() == b"QUEUED"
    assert c.read_one() == list(range(1, n + 1))


def test_multi_replies_raw_exact(twins):
    c, = twins(1)
    c.calls("MULTI", "SET a 1", "GET nope")
    c.expect_raw("EXEC", b"*2\r\n+OK\r\n$-1\r\n")


def test_select_inside_multi(twins):
    c, = twins(1)
    c.calls("SET k db0", "MULTI", "SELECT 1", "SET k db1", "GET k", "SELECT 2",
            "GET k", "EXEC")
    # the connection stays in the db selected by the transaction
    assert c.call("GET k") is None
    c.calls("SELECT 1", "GET k", "SELECT 0", "GET k")


def test_select_error_inside_multi_keeps_db(twins):
    c, = twins(1)
    c.calls("MULTI", "SELECT 1", "SELECT 100", "SET k v", "EXEC", "GET k", "SELECT 1",
            "GET k")


def test_multi_resp3(twins):
    c, d = twins(2, resp3=True)
    c.calls("SET a 1", "MULTI", "GET a", "GET nope", "MGET a nope", "INCRBYFLOAT f 1.5",
            "CONFIG GET maxmemory", "EXISTS a", "TTL a", "PING", "INCR a", "SET a x",
            "INCR a", "EXEC")
    # failed WATCH in RESP3: null
    c.calls("WATCH a", "MULTI", "GET a")
    d.call("SET a changed")
    assert c.call("EXEC") is None
    c.calls("MULTI", "GET")
    assert err(c.call("EXEC")) == EXECABORT
    # HELLO's map holds the client id: compared by shape
    c.calls("MULTI", "HELLO 3", Shape("EXEC"))


def test_null_exec_reply_bytes(twins):
    for resp3, expected in ((False, b"*-1\r\n"), (True, b"_\r\n")):
        c, d = twins(2, resp3=resp3)
        c.calls("WATCH k", "MULTI", "SET k 1")
        d.call("SET k other")
        c.expect_raw("EXEC", expected)


def test_reset_and_quit_inside_multi(twins):
    c, = twins(1)
    c.calls("MULTI", "SET a 1")
    assert c.call("RESET") == b"RESET"
    c.calls("EXEC", "GET a")
    c.calls("WATCH a", "RESET")
    d, = twins(1)
    d.call("SET a 2")
    c.calls("MULTI", "SET b 1", "EXEC")   # RESET dropped the watch
    c.calls("MULTI", "SET c 1")
    assert c.call("QUIT") == b"OK"
    for conn in (c.fk, c.rd):
        assert conn.read_until_closed(timeout=3) == b""
    d.call("EXISTS c")


def test_commands_that_run_immediately_or_are_refused(twins):
    c, = twins(1)
    c.calls("MULTI", "SET a 1", "MULTI", "WATCH a", "PING", "EXEC")


def test_no_multi_commands(compat_pair):
    """SHUTDOWN has the no-multi flag: refused while queueing (and the
    transaction aborts).  Fresh servers: a server that wrongly queued and
    ran it would shut down."""
    pair = compat_pair()
    c = pair.twin("c")
    try:
        c.call("MULTI")
        assert err(c.call("SHUTDOWN")) == b"ERR Command not allowed inside a transaction"
        c.call("SHUTDOWN NOSAVE")
        c.call("SET a 1")
        assert err(c.call("EXEC")) == EXECABORT
        c.calls("GET a", "PING")
    finally:
        c.close()


def test_subscribe_and_publish_inside_multi(twins):
    c, sub = twins(2)
    sub.call("SUBSCRIBE tx:ch")
    c.calls("MULTI", "PUBLISH tx:ch one", "SET a 1", "PUBLISH tx:ch two", "EXEC")
    assert sub.read(2) == [[b"message", b"tx:ch", b"one"], [b"message", b"tx:ch", b"two"]]
    # SUBSCRIBE is accepted inside MULTI in RESP2; afterwards the client is
    # in subscribed mode
    c.calls("MULTI", "SUBSCRIBE tx:x", "EXEC", "GET a", "UNSUBSCRIBE", "GET a")


def test_keyspace_events_from_exec(twins):
    c, sub = twins(2)
    c.call(("CONFIG", "SET", "notify-keyspace-events", "KEA"))
    try:
        sub.call(("PSUBSCRIBE", "__keyevent@*__:*"))
        c.calls("MULTI", "SET a 1", "INCR a", "EXPIRE a 100", "DEL a", "EXEC")
        sub.send("PING")
        got = []
        while True:
            v = sub.read_one()
            if v == [b"pong", b""]:
                break
            got.append((v[2], v[3]))
        assert got == [(b"__keyevent@0__:set", b"a"), (b"__keyevent@0__:incrby", b"a"),
                       (b"__keyevent@0__:expire", b"a"), (b"__keyevent@0__:del", b"a")]
    finally:
        c.call(("CONFIG", "SET", "notify-keyspace-events", ""))


# --------------------------------------------------------------------------
# WATCH
# --------------------------------------------------------------------------

def _watch_then(c, d, setup, other_cmds, key="k"):
    """c: setup, WATCH key; d runs other_cmds; c: MULTI SET key mine EXEC.
    Returns the EXEC reply (compared)."""
    c.calls(*setup)
    c.call(("WATCH", key))
    d.calls(*other_cmds)
    return _tx(c, ("SET", key, "mine"))


@pytest.mark.parametrize("other", [
    ["SET k other"], ["SET k v"], ["DEL k"], ["UNLINK k"], ["INCR k"], ["APPEND k x"],
    ["EXPIRE k 100"], ["PEXPIRE k 0"], ["SETRANGE k 0 x"], ["GETSET k v"], ["GETDEL k"],
    ["GETEX k EX 100"], ["MSET z 1 k 2"], ["RENAME k z"], ["RENAME z k"],
    ["COPY z k REPLACE"], ["MOVE k 1"], ["FLUSHDB"], ["FLUSHALL"], ["INCRBYFLOAT k 1"],
    ["SET k v KEEPTTL"], ["PSETEX k 100000 v"], ["SELECT 1", "SWAPDB 0 1"],
])
def test_watch_modified_by_other_client(twins, other):
    c, d = twins(2)
    res = _watch_then(c, d, ["SET k 5", "SET z 1"], other)
    assert res is None
    c.call("GET k")


@pytest.mark.parametrize("other", [
    ["GET k"], ["EXISTS k"], ["TTL k"], ["STRLEN k"], ["SET k x NX"], ["SETNX k x"],
    ["MSETNX k 1 y 2"], ["RENAMENX z k"], ["PERSIST k"], ["DEL nope"], ["SET other 1"],
    ["EXPIRE k 100 XX"], ["GETEX k"], ["COPY z k"], ["MOVE k 0"], ["SELECT 1", "SET k x"],
    ["SELECT 1", "FLUSHDB"], ["SWAPDB 1 2"], ["TOUCH k"], ["OBJECT ENCODING k"],
    ["INCR nope"], ["INCRBY k x"],
])
def test_watch_untouched_key_execs(twins, other):
    c, d = twins(2)
    res = _watch_then(c, d, ["SET k 5", "SET z 1"], other)
    assert res == [b"OK"]


def test_watch_missing_key(twins):
    c, d = twins(2)
    # created by the other client -> fails
    assert _watch_then(c, d, [], ["SET k 1"]) is None
    # deleting a missing key changes nothing -> succeeds
    assert _watch_then(c, d, ["DEL k"], ["DEL k"]) == [b"OK"]
    # FLUSHDB when the watched key does not exist -> succeeds (7.0)
    assert _watch_then(c, d, ["DEL k", "SET other 1"], ["FLUSHDB"]) == [b"OK"]
    assert _watch_then(c, d, ["DEL k"], ["FLUSHALL"]) == [b"OK"]


def test_watch_modified_by_self(twins):
    c, d = twins(2)
    c.calls("SET k 1", "WATCH k", "SET k 2", "MULTI", "GET k")
    assert c.call("EXEC") is None
    c.calls("WATCH k", "GET k", "MULTI", "GET k")
    assert c.call("EXEC") == [b"2"]


def test_watch_several_keys(twins):
    c, d = twins(2)
    c.calls("MSET a 1 b 2", "WATCH a b c", "WATCH d")
    d.call("SET d 1")
    assert _tx(c, "SET a x") is None
    c.calls("WATCH a b", "WATCH a")   # repeated WATCH of a key is fine
    d.call("SET z 1")
    assert _tx(c, "SET a y") == [b"OK"]


def test_unwatch_clears(twins):
    c, d = twins(2)
    c.calls("SET k 1", "WATCH k", "UNWATCH")
    d.call("SET k 2")
    assert _tx(c, "INCR k") == [3]


def test_exec_clears_watches(twins):
    c, d = twins(2)
    c.calls("SET k 1", "WATCH k", "MULTI", "GET k", "EXEC")
    d.call("SET k 2")
    assert _tx(c, "GET k") == [b"2"]
    # a failed EXEC clears them too
    c.call("WATCH k")
    d.call("SET k 3")
    assert _tx(c, "GET k") is None
    d.call("SET k 4")
    assert _tx(c, "GET k") == [b"4"]


def test_discard_clears_watches(twins):
    c, d = twins(2)
    c.calls("SET k 1", "WATCH k", "MULTI", "SET k 9", "DISCARD")
    d.call("SET k 2")
    assert _tx(c, "GET k") == [b"2"]


def test_execabort_clears_watches(twins):
    c, d = twins(2)
    c.calls("SET k 1", "WATCH k", "MULTI", "NOSUCHCMD", "EXEC")
    d.call("SET k 2")
    assert _tx(c, "GET k") == [b"2"]


def test_watch_is_per_db(twins):
    c, d = twins(2)
    c.calls("SET k 1", "WATCH k")
    d.calls("SELECT 1", "SET k other")       # same name, other db
    assert _tx(c, "GET k") == [b"1"]
    # watching in db 0, then SELECT 1: the watch still refers to db 0
    c.calls("WATCH k", "SELECT 1")
    d.calls("SELECT 0", "SET k changed")
    assert _tx(c, "GET k") is None


def test_watch_expiring_key(twins):
    c, d = twins(2)
    c.calls("SET k v PX 40", "WATCH k", Sleep(0.1), "MULTI", "SET x 1")
    assert c.call("EXEC") is None
    c.call("EXISTS x")


def test_watch_expiring_key_touched_by_other(twins):
    c, d = twins(2)
    c.calls("SET k v PX 40", "WATCH k")
    time.sleep(0.1)
    d.call("GET k")
    assert _tx(c, "SET x 1") is None


def test_watch_key_with_ttl_not_expired(twins):
    c, d = twins(2)
    c.calls("SET k v EX 100", "WATCH k", Sleep(0.05), "MULTI", "SET x 1")
    assert c.call("EXEC") == [b"OK"]


def test_watch_already_expired_key(twins):
    c, d = twins(2)
    # logically expired (or already removed) when WATCHed: its deletion by
    # expiry afterwards is not a modification
    c.calls("SET k v PX 5", Sleep(0.05), "WATCH k", Sleep(0.15), "MULTI", "SET x 1")
    assert c.call("EXEC") == [b"OK"]


def test_watch_expired_then_recreated(twins):
    c, d = twins(2)
    c.calls("SET k v PX 5", Sleep(0.05), "WATCH k")
    d.call("SET k new")
    assert _tx(c, "SET x 1") is None


@pytest.mark.parametrize("where", ["watched_db_has_key", "other_db_has_key", "neither",
                                   "other_dbs"])
def test_watch_swapdb(twins, where):
    c, d = twins(2)
    setup = {"watched_db_has_key": ["SET k 1"],
             "other_db_has_key": ["SELECT 1", "SET k 1", "SELECT 0"],
             "neither": ["SET x 1"],
             "other_dbs": ["SET k 1", "SELECT 2", "SET k 1", "SELECT 0"]}[where]
    swap = "SWAPDB 2 3" if where == "other_dbs" else "SWAPDB 0 1"
    c.calls(*setup)
    c.call("WATCH k")
    d.call(swap)
    res = _tx(c, "GET k")
    if where in ("watched_db_has_key", "other_db_has_key"):
        assert res is None
    else:
        assert res is not None


@pytest.mark.parametrize("flush", ["FLUSHDB", "FLUSHALL", "FLUSHDB ASYNC", "FLUSHALL SYNC"])
def test_watch_flushed(twins, flush):
    c, d = twins(2)
    c.calls("SET k 1", "WATCH k")
    d.call(flush)
    assert _tx(c, "GET k") is None


def test_watch_flushall_from_other_db(twins):
    c, d = twins(2)
    c.calls("SET k 1", "WATCH k")
    d.calls("SELECT 3", "FLUSHDB")
    assert _tx(c, "GET k") == [b"1"]
    c.call("WATCH k")
    d.calls("FLUSHALL")
    assert _tx(c, "GET k") is None


def test_watch_touched_by_other_transaction(twins):
    c, d = twins(2)
    c.calls("SET k 1", "WATCH k")
    d.calls("MULTI", "INCR k", "EXEC")
    assert _tx(c, "GET k") is None


def test_watch_race_many_clients(twins):
    """Optimistic locking with WATCH: N clients try to increment a counter
    from the value they read; exactly one EXEC per round succeeds."""
    clients = twins(5)
    clients[0].call("SET ctr 0")
    for rnd in range(5):
        for c in clients:
            c.call("WATCH ctr")
            c.call("GET ctr")
        for c in clients:
            c.call("MULTI")
            c.call("SET ctr %d" % (rnd + 1))
        results = [c.call("EXEC") for c in clients]
        assert results[0] == [b"OK"] and all(r is None for r in results[1:])
    assert clients[0].call("GET ctr") == b"5"


def test_watch_arity(twins):
    c, = twins(1)
    c.calls("WATCH", "UNWATCH", "UNWATCH", "WATCH a b c", "UNWATCH")


# --------------------------------------------------------------------------
# redis-py usage against the server under test
# --------------------------------------------------------------------------

def test_redis_py_pipeline_transaction(r):
    with r.pipeline(transaction=True) as p:
        p.set("t:a", 1).incr("t:a").incrby("t:a", 5).get("t:a").mget("t:a", "t:none")
        assert p.execute() == [True, 2, 7, b"7", [b"7", None]]
    # runtime error inside: raised by default, or returned in place
    r.set("t:s", "abc")
    with r.pipeline(transaction=True) as p:
        p.set("t:b", 1).incr("t:s").get("t:b")
        res = p.execute(raise_on_error=False)
        assert res[0] is True and isinstance(res[1], redis.ResponseError) and res[2] == b"1"
    with r.pipeline(transaction=True) as p:
        p.incr("t:s").set("t:c", 1)
        with pytest.raises(redis.ResponseError):
            p.execute()
    assert r.get("t:c") == b"1"      # the rest of the transaction ran
    # queue-time error: the whole transaction is discarded
    with r.pipeline(transaction=True) as p:
        p.set("t:d", 1)
        p.execute_command("NOSUCHCOMMAND")
        with pytest.raises(redis.ResponseError):
            p.execute()
    assert r.get("t:d") is None


def test_redis_py_watch_and_transaction_helper(r, fastkv_server):
    other = fastkv_server.client()
    try:
        r.set("t:ctr", 10)
        calls = []

        def incr_twice(pipe):
            calls.append(1)
            val = int(pipe.get("t:ctr"))
            if len(calls) == 1:
                other.set("t:ctr", 100)      # a concurrent writer: retry
            pipe.multi()
            pipe.set("t:ctr", val * 2)

        res = r.transaction(incr_twice, "t:ctr")
        assert res == [True]
        assert len(calls) == 2
        assert r.get("t:ctr") == b"200"

        # explicit WATCH / MULTI / EXEC raising WatchError
        with r.pipeline() as p:
            p.watch("t:ctr")
            assert p.get("t:ctr") == b"200"
            other.incr("t:ctr")
            p.multi()
            p.set("t:ctr", 0)
            with pytest.raises(redis.WatchError):
                p.execute()
        assert r.get("t:ctr") == b"201"

        # UNWATCH via reset: no error afterwards
        with r.pipeline() as p:
            p.watch("t:ctr")
            p.unwatch()
            other.incr("t:ctr")
            p.multi()
            p.incr("t:ctr")
            assert p.execute() == [203]
    finally:
        other.close()


def test_redis_py_asyncio_transactions(aredis):
    async def main():
        a = aredis()
        b = aredis()
        try:
            await a.delete("at:k")
            async with a.pipeline(transaction=True) as p:
                p.set("at:k", 1)
                p.incr("at:k")
                p.get("at:k")
                assert await p.execute() == [True, 2, b"2"]

            async with a.pipeline() as p:
                await p.watch("at:k")
                v = int(await p.get("at:k"))
                await b.set("at:k", 50)
                p.multi()
                p.set("at:k", v + 1)
                with pytest.raises(redis.WatchError):
                    await p.execute()
            assert await a.get("at:k") == b"50"

            async def work(pipe):
                v = int(await pipe.get("at:k"))
                pipe.multi()
                pipe.set("at:k", v + 1)

            assert await a.transaction(work, "at:k") == [True]
            assert await a.get("at:k") == b"51"

            # concurrent optimistic increments all land
            async def incr_with_watch(client):
                for _ in range(10):
                    while True:
                        async with client.pipeline() as p:
                            try:
                                await p.watch("at:c")
                                v = int(await p.get("at:c") or 0)
                                p.multi()
                                p.set("at:c", v + 1)
                                await p.execute()
                                break
                            except redis.WatchError:
                                continue

            await asyncio.gather(incr_with_watch(a), incr_with_watch(b))
            assert await a.get("at:c") == b"20"
        finally:
            await a.aclose()
            await b.aclose()

    asyncio.run(asyncio.wait_for(main(), 20))
