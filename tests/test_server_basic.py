"""Using the server like a user would (redis-py sync + asyncio), and the
server process itself: SHUTDOWN, SIGTERM, logging, unix socket, bad
startup arguments."""

import asyncio
import os
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import redis

import kvtest


# --------------------------------------------------------------------------
# redis-py, sync
# --------------------------------------------------------------------------

def test_set_get_incr(r):
    assert r.ping() is True
    assert r.set("name", "fastkv") is True
    assert r.get("name") == b"fastkv"
    assert r.get("missing") is None
    assert r.incr("counter") == 1
    assert r.incr("counter", 10) == 11
    assert r.decr("counter", 3) == 8
    assert r.incrbyfloat("float", 2.5) == 2.5
    assert r.append("name", "!") == 7
    assert r.strlen("name") == 7
    assert r.getrange("name", 0, 3) == b"fast"
    assert r.exists("name", "counter", "missing") == 2
    assert r.delete("name", "missing") == 1
    assert r.type("counter") == b"string"


def test_options_and_ttl(r):
    assert r.set("k", "v", ex=100) is True
    assert r.ttl("k") == 100
    assert r.set("k", "v2", nx=True) is None
    assert r.set("k", "v3", xx=True, get=True) == b"v"
    assert r.ttl("k") == -1
    assert r.execute_command("SETEX", "s", 50, "x") is True
    assert 0 < r.ttl("s") <= 50
    assert r.getex("s", persist=True) == b"x"
    assert r.ttl("s") == -1
    assert r.expire("s", 10) is True
    assert r.persist("s") is True
    assert r.getdel("s") == b"x"
    assert r.exists("s") == 0


def test_mset_mget_keys_scan(r):
    data = {"user:%d" % i: str(i) for i in range(50)}
    assert r.mset(data) is True
    assert r.mget(["user:1", "user:2", "nope"]) == [b"1", b"2", None]
    assert sorted(r.keys("user:*")) == sorted(k.encode() for k in data)
    assert sorted(r.scan_iter(match="user:4*")) == sorted(
        k.encode() for k in data if k.startswith("user:4"))
    assert r.dbsize() == 50
    assert r.msetnx({"user:1": "x", "new": "y"}) is False
    assert r.get("new") is None


def test_decode_responses_client(fastkv_server, r):
    c = fastkv_server.client(decode_responses=True)
    try:
        c.set("greeting", "héllo wörld")
        assert c.get("greeting") == "héllo wörld"
        assert c.strlen("greeting") == len("héllo wörld".encode())
        assert c.info("server")["redis_version"]
    finally:
        c.close()


def test_pipeline_1000(r):
    with r.pipeline(transaction=False) as p:
        for i in range(1000):
            p.set("p:%d" % i, i)
        for i in range(1000):
            p.get("p:%d" % i)
        for i in range(1000):
            p.incr("p:%d" % i)
        res = p.execute()
    assert res[:1000] == [True] * 1000
    assert res[1000:2000] == [str(i).encode() for i in range(1000)]
    assert res[2000:] == [i + 1 for i in range(1000)]
    assert r.dbsize() == 1000


def test_pipeline_with_errors(r):
    r.set("s", "notanumber")
    with r.pipeline(transaction=False) as p:
        p.set("a", 1)
        p.incr("s")
        p.get("a")
        res = p.execute(raise_on_error=False)
    assert res[0] is True
    assert isinstance(res[1], redis.ResponseError)
    assert "not an integer" in str(res[1])
    assert res[2] == b"1"


def test_errors_raised(r):
    r.set("s", "abc")
    with pytest.raises(redis.ResponseError, match="value is not an integer or out of range"):
        r.incr("s")
    with pytest.raises(redis.ResponseError, match="unknown command"):
        r.execute_command("NOSUCHCOMMAND", "x")
    with pytest.raises(redis.ResponseError, match="wrong number of arguments"):
        r.execute_command("GET")


def test_select_db_isolation(fastkv_server, r):
    c1 = fastkv_server.client(db=1)
    try:
        r.set("k", "db0")
        c1.set("k", "db1")
        assert r.get("k") == b"db0"
        assert c1.get("k") == b"db1"
        assert c1.dbsize() == 1
    finally:
        c1.close()


def test_binary_safe_keys_and_values(r):
    key = b"\x00k\r\ney\xff"
    val = bytes(range(256))
    r.set(key, val)
    assert r.get(key) == val
    assert r.keys(b"\x00*") == [key]


def test_connection_pool_many_clients(fastkv_server, r):
    pool = redis.ConnectionPool(host="127.0.0.1", port=fastkv_server.port,
                                max_connections=20, socket_timeout=10)
    c = redis.Redis(connection_pool=pool)
    try:
        for i in range(200):
            c.set("pool:%d" % i, i)
        assert c.dbsize() == 200
    finally:
        pool.disconnect()


# --------------------------------------------------------------------------
# redis-py, asyncio (plain asyncio.run: pytest-asyncio not required)
# --------------------------------------------------------------------------

def test_asyncio_basic(aredis):
    async def main():
        c = aredis()
        try:
            assert await c.ping() is True
            await c.set("ak", "av")
            assert await c.get("ak") == b"av"
            assert await c.incr("acount") == 1
            await c.set("ttl", "x", px=100000)
            assert 0 < await c.pttl("ttl") <= 100000
        finally:
            await c.aclose()
    asyncio.run(main())


def test_asyncio_concurrent_clients(aredis, r):
    async def worker(i):
        c = aredis()
        try:
            for _ in range(50):
                await c.incr("shared")
            await c.set("w:%d" % i, i)
        finally:
            await c.aclose()

    async def main():
        await asyncio.gather(*(worker(i) for i in range(20)))
    asyncio.run(main())
    assert r.get("shared") == b"1000"
    assert len(r.keys("w:*")) == 20


def test_asyncio_gather_on_one_pool(aredis, r):
    async def main():
        import redis.asyncio as aioredis
        pool = aioredis.BlockingConnectionPool(host="127.0.0.1", port=r.connection_pool
                                               .connection_kwargs["port"],
                                               max_connections=10, timeout=10)
        c = aioredis.Redis(connection_pool=pool)
        try:
            await asyncio.gather(*(c.set("g:%d" % i, i) for i in range(300)))
            vals = await asyncio.gather(*(c.get("g:%d" % i) for i in range(300)))
            assert vals == [str(i).encode() for i in range(300)]
        finally:
            await c.aclose()
    asyncio.run(main())


def test_asyncio_pipeline(aredis):
    async def main():
        c = aredis()
        try:
            async with c.pipeline(transaction=False) as p:
                for i in range(1000):
                    p.set("ap:%d" % i, i)
                    p.get("ap:%d" % i)
                res = await p.execute()
            assert res[0::2] == [True] * 1000
            assert res[1::2] == [str(i).encode() for i in range(1000)]
        finally:
            await c.aclose()
    asyncio.run(main())


# --------------------------------------------------------------------------
# the server process
# --------------------------------------------------------------------------

def test_server_log_not_empty(start_server):
    srv = start_server()
    deadline = time.monotonic() + 5
    while not srv.log_text().strip() and time.monotonic() < deadline:
        time.sleep(0.05)
    log = srv.log_text()
    assert log.strip(), "server wrote nothing to stdout/stderr"
    assert str(srv.port) in log, "server log does not mention its port:\n" + log


def test_shutdown_nosave(start_server):
    srv = start_server()
    with srv.raw(timeout=5) as c:
        c.call("SET", "k", "v")
        c.send_command("SHUTDOWN", "NOSAVE")
        # no reply on success: the connection is just closed
        assert c.read_until_closed(timeout=10) == b""
    assert srv.proc.wait(10) == 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", srv.port), timeout=2).close()


def test_shutdown_via_redis_py(start_server):
    from redis.backoff import NoBackoff
    from redis.retry import Retry
    srv = start_server()
    c = srv.client(retry=Retry(NoBackoff(), 0))
    try:
        c.shutdown(nosave=True)
    except redis.ConnectionError:
        pass
    finally:
        c.close()
    assert srv.proc.wait(10) == 0


def test_shutdown_bad_args(start_server):
    srv = start_server()
    with srv.raw(timeout=5) as c:
        assert c.call_raw("SHUTDOWN", "FOO") == b"-ERR syntax error\r\n"
        assert c.call_raw("SHUTDOWN", "NOSAVE", "SAVE") == b"-ERR syntax error\r\n"
        assert c.call_raw("PING") == b"+PONG\r\n"
    assert srv.alive()


def test_sigterm_exits_cleanly(start_server):
    srv = start_server()
    with srv.raw(timeout=5) as c:
        assert c.call_raw("SET", "k", "v") == b"+OK\r\n"
        srv.proc.send_signal(signal.SIGTERM)
        # the connection gets closed
        c.read_until_closed(timeout=10)
    assert srv.proc.wait(10) == 0
    assert srv.log_text().strip()


def test_sigint_exits(start_server):
    srv = start_server()
    srv.proc.send_signal(signal.SIGINT)
    assert srv.proc.wait(10) == 0


def _listening_tcp_inodes():
    inodes = set()
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(path) as f:
                next(f)
                for line in f:
                    parts = line.split()
                    if parts[3] == "0A":  # LISTEN
                        inodes.add(parts[9])
        except OSError:
            pass
    return inodes


def _socket_inodes_of(pid):
    out = set()
    fd_dir = "/proc/%d/fd" % pid
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue
        if target.startswith("socket:["):
            out.add(target[8:-1])
    return out


def test_unix_socket_only(start_server):
    d = tempfile.mkdtemp(prefix="fkv", dir="/tmp")
    path = os.path.join(d, "x.sock")
    try:
        srv = start_server("--unixsocket", path, tcp=False, unix_path=path)
        assert srv.port == 0
        assert os.path.exists(path)
        c = redis.Redis(unix_socket_path=path, socket_timeout=5)
        try:
            assert c.ping() is True
            c.set("u", "1")
            assert c.get("u") == b"1"
            assert c.config_get("port") == {"port": "0"}
        finally:
            c.close()
        with srv.raw(timeout=5) as rc:
            assert rc.call_raw("PING") == b"+PONG\r\n"
        if os.path.isdir("/proc/%d/fd" % srv.proc.pid):
            listening = _socket_inodes_of(srv.proc.pid) & _listening_tcp_inodes()
            assert not listening, "server listens on TCP with --port 0"
        srv.stop()
        assert srv.proc.returncode == 0
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
        os.rmdir(d)


def _run_expect_failure(argv, timeout=15):
    env = kvtest.fastkv_env()
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, cwd=d, env=env)
        try:
            out, _ = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            raise AssertionError("server kept running with bad arguments: %r" % argv)
    return p.returncode, out.decode("utf-8", "replace")


def test_bad_config_option_fails(fastkv_server):
    code, out = _run_expect_failure(kvtest.fastkv_argv(kvtest.free_port(),
                                                       ["--nosuchoption", "1"]))
    assert code != 0
    assert "nosuchoption" in out


def test_port_in_use_fails(fastkv_server):
    # the session server already holds its port
    code, out = _run_expect_failure(kvtest.fastkv_argv(fastkv_server.port))
    assert code != 0
    assert out.strip()
    with kvtest.RawConn(port=fastkv_server.port, timeout=5) as c:
        assert c.call_raw("PING") == b"+PONG\r\n"


def test_extra_server_helper_cleans_up(start_server):
    srv = start_server()
    pid = srv.proc.pid
    srv.cleanup()
    assert srv.proc.poll() is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)



def _pong_on(port):
    with kvtest.RawConn(port, timeout=5) as c:
        return c.call("PING") == b"PONG"


def test_config_set_port_moves_the_listener(start_server):
    """CONFIG SET port listens on the new port, stops listening on the old
    one, and keeps open connections (Redis's changeListenPort)."""
    srv = start_server()
    old, new = srv.port, kvtest.free_port()
    with srv.raw(timeout=5) as c:
        assert c.call("CONFIG", "SET", "port", str(new)) == b"OK"
        assert c.call("PING") == b"PONG"
        assert c.call("CONFIG", "GET", "port") == [b"port", str(new).encode()]
    assert _pong_on(new)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", old), timeout=2).close()


def test_config_set_port_in_use_fails_and_keeps_listening(start_server):
    srv = start_server()
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    try:
        with srv.raw(timeout=5) as c:
            reply = c.call_raw("CONFIG", "SET", "port", str(busy.getsockname()[1]))
            assert reply == (b"-ERR CONFIG SET failed (possibly related to argument 'port') - "
                             b"Unable to listen on this port. Check server logs.\r\n")
            assert c.call("CONFIG", "GET", "port") == [b"port", str(srv.port).encode()]
        assert _pong_on(srv.port)
    finally:
        busy.close()


@pytest.mark.fastkv_only
def test_shutdown_save_refuses_without_persistence(start_server):
    """fastkv has no RDB writer yet: SHUTDOWN SAVE must not pretend it saved.
    It answers Redis's failed-save error and keeps serving (redis-server
    would save and exit)."""
    srv = start_server()
    with srv.raw(timeout=5) as c:
        c.call("SET", "k", "v")
        assert c.call_raw("SHUTDOWN", "SAVE") == b"-ERR Errors trying to SHUTDOWN. Check logs.\r\n"
        assert c.call_raw("GET", "k") == b"$1\r\nv\r\n"
    assert "RDB persistence is not available" in srv.log_text()
