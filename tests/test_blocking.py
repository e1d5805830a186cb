"""Blocking list commands over real connections (BLPOP BRPOP BLMOVE
BRPOPLPUSH BLMPOP): every scenario runs against fastkv and against a real
redis-server 7.0 (the `srv` fixture is parametrised), so the expected
values are checked on the reference too.

Covered: wake-up order among several waiters (FIFO, per key), fractional
timeouts, a push inside MULTI/EXEC serving a waiter after EXEC, BLPOP
inside MULTI answering at once, a waiter killed (CLIENT KILL, socket
close) leaving nothing behind, BLMOVE into a key another client waits on
(chain wake-up), CLIENT UNBLOCK TIMEOUT/ERROR, commands pipelined behind a
blocking command, the `b` flag of CLIENT LIST and INFO blocked_clients."""
import time

import pytest

from kvtest import RawConn

WAIT = 5.0


@pytest.fixture(params=["fastkv", "redis"])
def srv(request):
    server = request.getfixturevalue("fastkv_server" if request.param == "fastkv" else "real_redis")
    server.ensure_running()
    conns = []

    class S:
        name = request.param

        @staticmethod
        def conn():
            c = RawConn(port=server.port, timeout=WAIT)
            conns.append(c)
            return c

    s = S()
    admin = s.conn()
    admin.call("FLUSHALL")
    s.admin = admin
    yield s
    for c in conns:
        c.close()
    # nothing left blocked for the next test
    with RawConn(port=server.port, timeout=WAIT) as c:
        wait_blocked(c, 0)


def info_field(conn, field):
    for line in conn.call("INFO", "clients").decode().splitlines():
        if line.startswith(field + ":"):
            return int(line.split(":", 1)[1])
    raise AssertionError("no %s in INFO" % field)


def wait_blocked(conn, n, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while True:
        got = info_field(conn, "blocked_clients")
        if got == n:
            return
        assert time.monotonic() < deadline, "blocked_clients is %d, expected %d" % (got, n)
        time.sleep(0.01)


def reply(conn, timeout=WAIT):
    from kvtest import to_py
    return to_py(conn.read_reply(timeout)[1])


def test_fifo_order_among_waiters(srv):
    waiters = []
    for i in range(3):
        c = srv.conn()
        c.send_command("BLPOP", "q", "other", 0)
        wait_blocked(srv.admin, i + 1)
        waiters.append(c)
    assert srv.admin.call("RPUSH", "q", "a", "b", "c", "d") == 4
    assert [reply(c) for c in waiters] == [[b"q", b"a"], [b"q", b"b"], [b"q", b"c"]]
    wait_blocked(srv.admin, 0)
    assert srv.admin.call("LRANGE", "q", 0, -1) == [b"d"]


def test_fifo_order_brpop_and_served_once(srv):
    a, b = srv.conn(), srv.conn()
    a.send_command("BRPOP", "q", 0)
    wait_blocked(srv.admin, 1)
    b.send_command("BRPOP", "q", 0)
    wait_blocked(srv.admin, 2)
    srv.admin.call("RPUSH", "q", "x")
    assert reply(a) == [b"q", b"x"]
    b.assert_no_data(0.2)
    assert srv.admin.call("EXISTS", "q") == 0
    srv.admin.call("LPUSH", "q", "y")
    assert reply(b) == [b"q", b"y"]


def test_waiter_on_several_keys_served_by_first_ready(srv):
    c = srv.conn()
    c.send_command("BLPOP", "k1", "k2", "k3", 0)
    wait_blocked(srv.admin, 1)
    srv.admin.call("RPUSH", "k3", "v3")
    assert reply(c) == [b"k3", b"v3"]


@pytest.mark.parametrize("timeout,low,high", [("0.2", 0.15, 2.0), ("0.05", 0.03, 2.0), ("0.001", 0.0, 2.0)])
def test_fractional_timeout(srv, timeout, low, high):
    c = srv.conn()
    t0 = time.monotonic()
    c.send_command("BLPOP", "nokey", timeout)
    raw = c.read_raw_reply()
    dt = time.monotonic() - t0
    assert raw == b"*-1\r\n"
    assert low <= dt <= high, dt
    wait_blocked(srv.admin, 0)


def test_timeout_shapes(srv):
    c = srv.conn()
    for cmd in (("BRPOP", "n", "0.01"), ("BLMPOP", "0.01", 1, "n", "LEFT"),
                ("BLMOVE", "n", "m", "LEFT", "LEFT", "0.01"), ("BRPOPLPUSH", "n", "m", "0.01")):
        c.send_command(*cmd)
        assert c.read_raw_reply() == b"*-1\r\n", cmd
    c.call("HELLO", 3)
    c.send_command("BLPOP", "n", "0.01")
    assert c.read_raw_reply() == b"_\r\n"


def test_push_inside_multi_wakes_after_exec(srv):
    w = srv.conn()
    w.send_command("BLPOP", "q", 0)
    wait_blocked(srv.admin, 1)
    p = srv.conn()
    assert p.call("MULTI") == b"OK"
    assert p.call("RPUSH", "q", "a") == b"QUEUED"
    assert p.call("LPUSH", "q", "b") == b"QUEUED"
    assert p.call("LLEN", "q") == b"QUEUED"
    w.assert_no_data(0.1)
    assert p.call("EXEC") == [1, 2, 2]
    # served after EXEC as a whole: the list was [b, a] then
    assert reply(w) == [b"q", b"b"]
    assert srv.admin.call("LRANGE", "q", 0, -1) == [b"a"]


def test_blocking_inside_multi_answers_at_once(srv):
    c = srv.conn()
    c.call("MULTI")
    for cmd in (("BLPOP", "n", 0), ("BRPOP", "n", 0), ("BLMOVE", "n", "m", "LEFT", "LEFT", 0),
                ("BRPOPLPUSH", "n", "m", 0), ("BLMPOP", 0, 1, "n", "LEFT")):
        assert c.call(*cmd) == b"QUEUED"
    t0 = time.monotonic()
    c.send_command("EXEC")
    raw = c.read_raw_reply()
    assert time.monotonic() - t0 < 1.0
    assert raw == b"*5\r\n*-1\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n"
    assert info_field(srv.admin, "blocked_clients") == 0


def test_killed_waiter_leaves_nothing(srv):
    a = srv.conn()
    a_id = a.call("CLIENT", "ID")
    a.send_command("BLPOP", "q", 0)
    wait_blocked(srv.admin, 1)
    b = srv.conn()
    b.send_command("BLPOP", "q", 0)
    wait_blocked(srv.admin, 2)
    assert srv.admin.call("CLIENT", "KILL", "ID", a_id) == 1
    wait_blocked(srv.admin, 1)
    srv.admin.call("RPUSH", "q", "x")
    assert reply(b) == [b"q", b"x"]
    wait_blocked(srv.admin, 0)
    assert srv.admin.call("EXISTS", "q") == 0


def test_closed_waiter_leaves_nothing(srv):
    a = srv.conn()
    a.send_command("BLPOP", "q", 0)
    wait_blocked(srv.admin, 1)
    a.close()
    wait_blocked(srv.admin, 0)
    srv.admin.call("RPUSH", "q", "x")
    assert srv.admin.call("LRANGE", "q", 0, -1) == [b"x"]
    b = srv.conn()
    b.send_command("BLPOP", "q", 0)
    assert reply(b) == [b"q", b"x"]


def test_blmove_chain_wakeup(srv):
    a, b = srv.conn(), srv.conn()
    a.send_command("BLMOVE", "src", "dst", "LEFT", "RIGHT", 0)
    wait_blocked(srv.admin, 1)
    b.send_command("BLPOP", "dst", 0)
    wait_blocked(srv.admin, 2)
    srv.admin.call("RPUSH", "src", "x")
    assert reply(a) == b"x"
    assert reply(b) == [b"dst", b"x"]
    wait_blocked(srv.admin, 0)
    assert srv.admin.call("EXISTS", "src", "dst") == 0


def test_brpoplpush_chain_and_blmpop(srv):
    a, b, c = srv.conn(), srv.conn(), srv.conn()
    a.send_command("BRPOPLPUSH", "s1", "s2", 0)
    wait_blocked(srv.admin, 1)
    b.send_command("BRPOPLPUSH", "s2", "s3", 0)
    wait_blocked(srv.admin, 2)
    c.send_command("BLMPOP", 0, 2, "nope", "s3", "RIGHT", "COUNT", 5)
    wait_blocked(srv.admin, 3)
    srv.admin.call("RPUSH", "s1", "v")
    assert reply(a) == b"v"
    assert reply(b) == b"v"
    assert reply(c) == [b"s3", [b"v"]]
    wait_blocked(srv.admin, 0)


def test_client_unblock(srv):
    a = srv.conn()
    a_id = a.call("CLIENT", "ID")
    a.send_command("BLPOP", "q", 0)
    wait_blocked(srv.admin, 1)
    assert srv.admin.call("CLIENT", "UNBLOCK", a_id, "TIMEOUT") == 1
    assert a.read_raw_reply() == b"*-1\r\n"
    wait_blocked(srv.admin, 0)
    a.send_command("BLMOVE", "q", "r", "LEFT", "LEFT", 0)
    wait_blocked(srv.admin, 1)
    assert srv.admin.call("CLIENT", "UNBLOCK", a_id, "ERROR") == 1
    assert a.read_raw_reply().startswith(b"-UNBLOCKED ")
    wait_blocked(srv.admin, 0)
    assert srv.admin.call("CLIENT", "UNBLOCK", a_id) == 0
    a.send_command("BRPOP", "q", 0)
    wait_blocked(srv.admin, 1)
    assert srv.admin.call("CLIENT", "UNBLOCK", a_id) == 1     # default: TIMEOUT
    assert a.read_raw_reply() == b"*-1\r\n"
    assert a.call("PING") == b"PONG"


def test_client_unblock_error_text(srv):
    a = srv.conn()
    a_id = a.call("CLIENT", "ID")
    a.send_command("BLPOP", "q", 0)
    wait_blocked(srv.admin, 1)
    srv.admin.call("CLIENT", "UNBLOCK", a_id, "ERROR")
    assert a.read_raw_reply() == b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"


def test_pipelined_after_blocking_command(srv):
    a = srv.conn()
    a.send(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n"
           b"*2\r\n$4\r\nLLEN\r\n$1\r\nq\r\n")
    wait_blocked(srv.admin, 1)
    a.assert_no_data(0.1)
    srv.admin.call("RPUSH", "q", "x", "y")
    assert reply(a) == [b"q", b"x"]
    assert reply(a) == b"PONG"
    assert reply(a) == 1


def test_pipelined_after_timeout(srv):
    a = srv.conn()
    a.send(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$4\r\n0.05\r\n*1\r\n$4\r\nPING\r\n")
    assert a.read_raw_reply() == b"*-1\r\n"
    assert reply(a) == b"PONG"


def test_client_list_flag_and_info(srv):
    a = srv.conn()
    a.call("CLIENT", "SETNAME", "waiter")
    a.send_command("BLPOP", "q", 0)
    wait_blocked(srv.admin, 1)
    lines = srv.admin.call("CLIENT", "LIST").decode().splitlines()
    mine = [ln for ln in lines if " name=waiter " in ln]
    assert len(mine) == 1
    flags = dict(kv.split("=", 1) for kv in mine[0].split(" ") if "=" in kv)["flags"]
    assert "b" in flags
    assert "cmd=blpop" in mine[0]
    srv.admin.call("RPUSH", "q", "x")
    assert reply(a) == [b"q", b"x"]
    wait_blocked(srv.admin, 0)
    lines = srv.admin.call("CLIENT", "LIST").decode().splitlines()
    mine = [ln for ln in lines if " name=waiter " in ln]
    flags = dict(kv.split("=", 1) for kv in mine[0].split(" ") if "=" in kv)["flags"]
    assert "b" not in flags


def test_wrong_type_after_block(srv):
    # the key a waiter waits on gets a string: it stays blocked
    a = srv.conn()
    a.send_command("BLPOP", "q", 0)
    wait_blocked(srv.admin, 1)
    srv.admin.call("SET", "q", "str")
    a.assert_no_data(0.15)
    srv.admin.call("DEL", "q")
    srv.admin.call("RPUSH", "q", "z")
    assert reply(a) == [b"q", b"z"]


def test_lmove_same_key_served_waiter_events(srv):
    # a pushed element served to a waiter never shows up in the list
    a = srv.conn()
    a.send_command("BLMPOP", 0, 1, "q", "LEFT", "COUNT", 2)
    wait_blocked(srv.admin, 1)
    assert srv.admin.call("RPUSH", "q", "a", "b", "c") == 3
    assert reply(a) == [b"q", [b"a", b"b"]]
    assert srv.admin.call("LRANGE", "q", 0, -1) == [b"c"]


def test_timeout_then_served_others(srv):
    a, b = srv.conn(), srv.conn()
    a.send_command("BLPOP", "q", "0.1")
    wait_blocked(srv.admin, 1)
    b.send_command("BLPOP", "q", 0)
    wait_blocked(srv.admin, 2)
    assert a.read_raw_reply() == b"*-1\r\n"
    srv.admin.call("RPUSH", "q", "x")
    assert reply(b) == [b"q", b"x"]


def test_waiter_served_between_pipelined_commands(srv):
    # the waiter is served right after the push, before the next command
    a = srv.conn()
    a.send_command("BLPOP", "q", 0)
    wait_blocked(srv.admin, 1)
    p = srv.conn()
    p.send(b"*3\r\n$5\r\nRPUSH\r\n$1\r\nq\r\n$1\r\na\r\n*2\r\n$4\r\nLPOP\r\n$1\r\nq\r\n")
    assert reply(p) == 1
    assert reply(p) is None
    assert reply(a) == [b"q", b"a"]


def test_blocked_client_other_db(srv):
    a = srv.conn()
    a.call("SELECT", 1)
    a.send_command("BLPOP", "q", 0)
    wait_blocked(srv.admin, 1)
    srv.admin.call("RPUSH", "q", "db0")
    a.assert_no_data(0.1)
    srv.admin.call("SELECT", 1)
    srv.admin.call("RPUSH", "q", "db1")
    assert reply(a) == [b"q", b"db1"]
    srv.admin.call("SELECT", 0)


def test_many_waiters_every_item_once(srv):
    """Consumers blocking with short timeouts on three keys while a producer
    pushes: every item is received exactly once, nothing stays blocked."""
    import threading
    keys = ["w1", "w2", "w3"]
    total = 600
    got = []
    lock = threading.Lock()
    stop = threading.Event()

    def consumer(i):
        c = srv.conn()
        while not stop.is_set():
            cmd = ("BLPOP", "BRPOP")[i % 2]
            c.send_command(cmd, *keys, "0.05")
            v = reply(c)
            if v is not None:
                with lock:
                    got.append(v[1])

    threads = [threading.Thread(target=consumer, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    p = srv.conn()
    for i in range(total):
        p.send_command(("LPUSH", "RPUSH")[i % 2], keys[i % 3], "item%d" % i)
        assert reply(p) >= 1
        if i % 50 == 0:
            time.sleep(0.01)
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        with lock:
            if len(got) >= total:
                break
        time.sleep(0.02)
    stop.set()
    for t in threads:
        t.join(WAIT)
    assert sorted(got) == sorted(b"item%d" % i for i in range(total))
    assert srv.admin.call("EXISTS", *keys) == 0
    wait_blocked(srv.admin, 0)


def test_blmove_served_into_wrong_type(srv):
    a = srv.conn()
    a.send_command("BLMOVE", "src", "dst", "LEFT", "LEFT", 0)
    wait_blocked(srv.admin, 1)
    srv.admin.call("SET", "dst", "str")
    srv.admin.call("RPUSH", "src", "x")
    assert a.read_raw_reply().startswith(b"-WRONGTYPE ")
    wait_blocked(srv.admin, 0)
    assert srv.admin.call("LRANGE", "src", 0, -1) == [b"x"]


@pytest.mark.compat
def test_blocked_command_counted_once(compat):
    """A BLPOP that blocks is one call in commandstats, whether it times out
    or is served (Redis's updateStatsOnUnblock), not one per attempt."""
    import threading
    import time as _time

    calls = []
    for srv in (compat.fk_server, compat.rd_server):
        r = srv.client()
        r.config_resetstat()
        assert r.blpop(["cnt:q"], timeout=0.05) is None           # times out
        waiter = srv.client()
        t = threading.Thread(target=lambda: waiter.blpop(["cnt:q2"], timeout=5))
        t.start()
        for _ in range(100):
            if r.info("clients")["blocked_clients"]:
                break
            _time.sleep(0.02)
        r.rpush("cnt:q2", "a")                                        # served
        t.join()
        calls.append(r.info("commandstats")["cmdstat_blpop"]["calls"])
        r.delete("cnt:q2")
        waiter.close()
        r.close()
    assert calls == [2, 2]


@pytest.mark.parametrize("timeout,blocks", [
    ("9223372036854775", True),      # ms fit a long long; the deadline overflows: forever
    ("9200000000000000", True),
    ("9223372036854775.807", True),  # exactly LLONG_MAX ms
    ("9223372036854776", False),     # ms past LLONG_MAX: "timeout is negative"
    ("99999999999999999", False),
])
def test_huge_timeouts(srv, timeout, blocks):
    """getTimeoutFromObjectOrReply at the long long edge, as 7.0.15: a
    deadline that overflows waits forever, a timeout past LLONG_MAX ms is
    refused as negative."""
    c = srv.conn()
    c.send_command("BLPOP", "huge:q", timeout)
    if blocks:
        wait_blocked(srv.admin, 1)
        srv.admin.call("RPUSH", "huge:q", "x")
        assert reply(c) == [b"huge:q", b"x"]
    else:
        assert c.read_raw_reply(WAIT) == b"-ERR timeout is negative\r\n"
