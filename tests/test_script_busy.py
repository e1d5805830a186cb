"""Busy scripts (Redis 7.0 script.c scriptInterrupt, processEventsWhileBlocked).

A script running past busy-reply-threshold leaves the server answering the
other clients: -BUSY for everything but SCRIPT KILL and SHUTDOWN NOSAVE.
SCRIPT KILL stops a script that has not written (its caller gets the
"Script killed by user" error, a pcall in the script can't catch it) and
refuses one that has (UNKILLABLE); SHUTDOWN NOSAVE ends the server then.
Each test runs on servers it starts itself (fastkv and redis-server side by
side for the replies), with busy-reply-threshold 100 ms.
"""
import time

import pytest

from kvtest import RawConn, encode_command

BUSY = b"-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n"
RUNAWAY = "while true do end"


@pytest.fixture
def servers(start_server, start_real_redis):
    fk = start_server("--busy-reply-threshold", "100")
    rd = start_real_redis("--busy-reply-threshold", "100")
    return {"fastkv": fk, "redis": rd}


def start_script(srv, script, *args):
    a = RawConn(port=srv.port, timeout=10)
    a.send(encode_command("EVAL", script, str(len(args)), *args))
    time.sleep(0.4)         # past the threshold
    return a


def scenario_kill(srv):
    out = []
    a = start_script(srv, RUNAWAY)
    b = RawConn(port=srv.port, timeout=5)
    out.append(b.call_raw("PING"))
    out.append(b.call_raw("GET", "x"))
    out.append(b.call_raw("EVAL", "return 1", "0"))
    out.append(b.call_raw("SHUTDOWN"))
    out.append(b.call_raw("SCRIPT", "KILL"))
    out.append(a.read_raw_reply(timeout=5))
    out.append(b.call_raw("SCRIPT", "KILL"))
    out.append(b.call_raw("PING"))
    out.append(a.call_raw("PING"))
    out.append(a.call_raw("EVAL", "return 'after'", "0"))
    a.close()
    b.close()
    return out


def test_runaway_script_busy_and_kill(servers):
    got = {name: scenario_kill(srv) for name, srv in servers.items()}
    assert got["fastkv"] == got["redis"]
    assert got["fastkv"][0] == BUSY
    assert got["fastkv"][5].startswith(b"-ERR Script killed by user with SCRIPT KILL...")


def test_pcall_cannot_swallow_kill(servers):
    script = "while true do pcall(function() while true do end end) end"
    got = {}
    for name, srv in servers.items():
        a = start_script(srv, script)
        b = RawConn(port=srv.port, timeout=5)
        got[name] = [b.call_raw("PING"), b.call_raw("SCRIPT", "KILL"), a.read_raw_reply(timeout=5),
                     b.call_raw("PING")]
        a.close()
        b.close()
    assert got["fastkv"] == got["redis"]


def test_busy_pipelined_commands_and_new_scripts(servers):
    """Several clients, pipelined commands during the busy time."""
    got = {}
    for name, srv in servers.items():
        a = start_script(srv, RUNAWAY)
        bs = [RawConn(port=srv.port, timeout=5) for _ in range(3)]
        for b in bs:
            b.send(encode_command("PING") + encode_command("SET", "k", "v") + encode_command("DBSIZE"))
        res = [[b.read_raw_reply() for _ in range(3)] for b in bs]
        res.append(bs[0].call_raw("SCRIPT", "KILL"))
        res.append(a.read_raw_reply(timeout=5))
        res.append(bs[1].call_raw("GET", "k"))
        got[name] = res
        a.close()
        for b in bs:
            b.close()
    assert got["fastkv"] == got["redis"]


def test_unkillable_after_write_then_shutdown_nosave(servers):
    script = "redis.call('set', KEYS[1], 'v') while true do end"
    got = {}
    for name, srv in servers.items():
        a = start_script(srv, script, "wrote")
        b = RawConn(port=srv.port, timeout=5)
        res = [b.call_raw("PING"), b.call_raw("SCRIPT", "KILL"), b.call_raw("SHUTDOWN")]
        b.send_command("SHUTDOWN", "NOSAVE")
        deadline = time.time() + 10
        while srv.alive() and time.time() < deadline:
            time.sleep(0.05)
        res.append(srv.alive())
        got[name] = res
        a.close()
        b.close()
    assert got["fastkv"] == got["redis"]
    assert got["fastkv"][1].startswith(b"-UNKILLABLE Sorry the script already executed write commands")
    assert got["fastkv"][-1] is False


def test_script_kill_not_busy(servers):
    for srv in servers.values():
        with RawConn(port=srv.port, timeout=5) as c:
            assert c.call_raw("SCRIPT", "KILL") == b"-NOTBUSY No scripts in execution right now.\r\n"


def test_slow_script_below_threshold_not_busy(start_server):
    srv = start_server("--busy-reply-threshold", "0")
    a = RawConn(port=srv.port, timeout=10)
    a.send(encode_command("EVAL", "local t = 0 for i = 1, 3000000 do t = t + i end return t", "0"))
    assert a.read_raw_reply(timeout=30) == b":4500001500000\r\n"
    a.close()


def test_busy_function_and_kill_kinds(servers):
    lib = "#!lua name=spin\nredis.register_function('spin', function(keys, args) while true do end end)"
    got = {}
    for name, srv in servers.items():
        with RawConn(port=srv.port, timeout=5) as c:
            assert c.call_raw("FUNCTION", "LOAD", lib) == b"$4\r\nspin\r\n"
        a = RawConn(port=srv.port, timeout=10)
        a.send(encode_command("FCALL", "spin", "0"))
        time.sleep(0.4)
        b = RawConn(port=srv.port, timeout=5)
        res = [b.call_raw("PING"), b.call_raw("SCRIPT", "KILL")]
        b.send_command("FUNCTION", "STATS")
        stats = b.read_reply()[1]
        res.append(repr(stats)[:40])
        res += [b.call_raw("FUNCTION", "KILL"), a.read_raw_reply(timeout=5), b.call_raw("FUNCTION", "KILL"),
                b.call_raw("PING")]
        # an EVAL can't be killed by FUNCTION KILL
        a.send(encode_command("EVAL", "while true do end", "0"))
        time.sleep(0.4)
        res += [b.call_raw("FUNCTION", "KILL"), b.call_raw("SCRIPT", "KILL"), a.read_raw_reply(timeout=5)]
        got[name] = res
        a.close()
        b.close()
    assert got["fastkv"] == got["redis"]


def test_function_load_then_eval_fresh_server(start_server):
    """The functions' Lua state made before the EVAL one (and the other way)."""
    for order in ("function-first", "eval-first"):
        srv = start_server()
        with RawConn(port=srv.port, timeout=5) as c:
            lib = "#!lua name=l\nredis.register_function('f', function(k, a) return redis.call('incr', k[1]) end)"
            if order == "eval-first":
                assert c.call_raw("EVAL", "return redis.call('incr', KEYS[1])", "1", "n") == b":1\r\n"
            assert c.call_raw("FUNCTION", "LOAD", lib) == b"$1\r\nl\r\n"
            assert c.call_raw("EVAL", "return redis.call('incr', KEYS[1])", "1", "n").startswith(b":")
            assert c.call_raw("FCALL", "f", "1", "n").startswith(b":")
            assert c.call_raw("EVAL", "return KEYS[1]", "1", "z") == b"$1\r\nz\r\n"
            assert c.call_raw("EVAL", "x = 1", "0").startswith(b"-ERR user_script:1: Attempt to modify a readonly table")
