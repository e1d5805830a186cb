"""Blocking sorted-set commands over real connections (BZPOPMIN BZPOPMAX
BZMPOP), against fastkv and a real redis-server 7.0 alike (the `srv`
fixture of test_blocking.py is parametrised over both).

Covered: wake-up by ZADD from another client, FIFO order among waiters,
timeouts (fractional, reply shapes in RESP2/RESP3), inside MULTI (answers
at once), ZADD inside MULTI/EXEC serving a waiter after EXEC, a wrong-type
key, the key deleted when the waiter empties it, BZMPOP's COUNT."""
import time

import pytest

from kvtest import RawConn
from test_blocking import srv, wait_blocked, reply, WAIT  # noqa: F401  (fixture)


def test_bzpopmin_served_at_once(srv):
    srv.admin.call("ZADD", "z", 1, "a", 2, "b")
    c = srv.conn()
    assert c.call("BZPOPMIN", "missing", "z", 0) == [b"z", b"a", b"1"]
    assert c.call("BZPOPMAX", "z", 0) == [b"z", b"b", b"2"]
    assert srv.admin.call("EXISTS", "z") == 0


def test_wakeup_by_zadd_from_another_client(srv):
    c = srv.conn()
    c.send_command("BZPOPMIN", "z1", "z2", 0)
    wait_blocked(srv.admin, 1)
    assert srv.admin.call("ZADD", "z2", 5, "x", 3, "y") == 2
    assert reply(c) == [b"z2", b"y", b"3"]
    wait_blocked(srv.admin, 0)
    assert srv.admin.call("ZRANGE", "z2", 0, -1) == [b"x"]


def test_fifo_among_waiters_and_bzpopmax(srv):
    waiters = []
    for i, cmd in enumerate(["BZPOPMIN", "BZPOPMAX", "BZPOPMIN"]):
        c = srv.conn()
        c.send_command(cmd, "z", 0)
        wait_blocked(srv.admin, i + 1)
        waiters.append(c)
    assert srv.admin.call("ZADD", "z", 1, "a", 2, "b", 3, "c", 4, "d") == 4
    assert [reply(c) for c in waiters] == [[b"z", b"a", b"1"], [b"z", b"d", b"4"],
                                           [b"z", b"b", b"2"]]
    wait_blocked(srv.admin, 0)
    assert srv.admin.call("ZRANGE", "z", 0, -1) == [b"c"]


def test_bzmpop_count_and_wakeup(srv):
    c = srv.conn()
    c.send_command("BZMPOP", 0, 2, "a", "b", "MAX", "COUNT", 2)
    wait_blocked(srv.admin, 1)
    srv.admin.call("ZADD", "b", 1, "x", 2, "y", 3, "z")
    assert reply(c) == [b"b", [[b"z", b"3"], [b"y", b"2"]]]
    assert c.call("BZMPOP", 0, 1, "b", "MIN", "COUNT", 10) == [b"b", [[b"x", b"1"]]]
    assert c.call("BZMPOP", 0.01, 1, "b", "MIN") is None
    c.send_command("BZMPOP", 0, 0, "b", "MIN")
    assert c.read_reply(WAIT)[0] == b"-ERR numkeys should be greater than 0\r\n"


def test_timeouts(srv):
    c = srv.conn()
    t0 = time.monotonic()
    assert c.call("BZPOPMIN", "z", 0.1) is None
    assert 0.08 <= time.monotonic() - t0 < 2
    c.send_command("BZPOPMAX", "z", 0.05)
    assert c.read_reply(WAIT)[0] == b"*-1\r\n"
    c.send_command("BZMPOP", 0.05, 1, "z", "MIN")
    assert c.read_reply(WAIT)[0] == b"*-1\r\n"
    c.call("HELLO", 3)
    c.send_command("BZPOPMIN", "z", 0.05)
    assert c.read_reply(WAIT)[0] == b"_\r\n"
    for bad in ["-1", "abc", "nan"]:
        c.send_command("BZPOPMIN", "z", bad)
        assert c.read_reply(WAIT)[0].startswith(b"-ERR timeout")


def test_inside_multi_answers_at_once(srv):
    c = srv.conn()
    assert c.call("MULTI") == b"OK"
    c.call("BZPOPMIN", "z", 0)
    c.call("BZMPOP", 0, 1, "z", "MIN")
    c.send_command("EXEC")
    assert c.read_reply(WAIT)[0] == b"*2\r\n*-1\r\n*-1\r\n"
    srv.admin.call("ZADD", "z", 1, "a")
    c.call("MULTI")
    c.call("BZPOPMIN", "z", 0)
    assert c.call("EXEC") == [[b"z", b"a", b"1"]]


def test_zadd_inside_multi_serves_after_exec(srv):
    w = srv.conn()
    w.send_command("BZPOPMIN", "z", 0)
    wait_blocked(srv.admin, 1)
    srv.admin.call("MULTI")
    srv.admin.call("ZADD", "z", 1, "a")
    srv.admin.call("ZADD", "z", 0, "b")
    assert srv.admin.call("EXEC") == [1, 1]
    assert reply(w) == [b"z", b"b", b"0"]
    assert srv.admin.call("ZRANGE", "z", 0, -1) == [b"a"]


def test_wrong_type(srv):
    srv.admin.call("SET", "s", "v")
    c = srv.conn()
    c.send_command("BZPOPMIN", "s", 0)
    assert c.read_reply(WAIT)[0].startswith(b"-WRONGTYPE")
    w = srv.conn()
    w.send_command("BZPOPMIN", "k", 0)
    wait_blocked(srv.admin, 1)
    srv.admin.call("LPUSH", "k", "x")       # a list does not wake a zset waiter
    time.sleep(0.05)
    assert info_blocked(srv) == 1
    srv.admin.call("DEL", "k")
    srv.admin.call("ZADD", "k", 7, "m")
    assert reply(w) == [b"k", b"m", b"7"]


def test_killed_waiter_leaves_nothing(srv):
    c = srv.conn()
    c.send_command("BZPOPMIN", "z", 0)
    wait_blocked(srv.admin, 1)
    c.close()
    wait_blocked(srv.admin, 0)
    srv.admin.call("ZADD", "z", 1, "a")
    assert srv.admin.call("ZCARD", "z") == 1


def info_blocked(srv):
    from test_blocking import info_field
    return info_field(srv.admin, "blocked_clients")
