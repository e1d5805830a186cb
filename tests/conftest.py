"""pytest fixtures for the fastkv test suite.

The server under test is started with
    fastkv-server --port N --save "" --appendonly no
(or ``python -m fastkv ...`` when the console script is not installed).
Set ``FASTKV_SERVER_CMD`` to a template to run the suite against something
else, e.g. a real redis-server, to validate the tests themselves:

    FASTKV_SERVER_CMD='redis-server --port {port} --save "" --appendonly no' \
        python -m pytest tests -q -p no:cacheprovider

Compat tests additionally start a real ``redis-server`` (``REDIS_SERVER_BIN``
or the one on PATH) and compare raw replies; they are skipped, with a
message, when no redis-server is available.

Fixtures:
  fastkv_server  session ServerProcess of the server under test
  r              redis.Redis (decode_responses=False), FLUSHALL before each test
                 (redis-py 8 default protocol = RESP3, i.e. HELLO 3 on connect;
                 FASTKV_TEST_PROTOCOL=2 forces RESP2)
  aredis         factory: aredis() -> redis.asyncio.Redis (create it inside
                 the running loop, i.e. inside the coroutine given to asyncio.run)
  raw            factory: raw() -> RawConn to the server under test (closed at teardown)
  real_redis     session ServerProcess of a real redis-server (skips if missing)
  compat         Compat(fastkv_server, real_redis)
  start_server   factory: start_server(*extra_args, tcp=True, unix_path=None)
                 -> a separate fastkv ServerProcess (stopped at teardown)
  start_real_redis  same for a real redis-server (skips if missing)
  compat_pair    factory: compat_pair(*extra_args) -> Compat of a fresh
                 fastkv + redis pair started with the same extra args
  (if the session server died in an earlier test, ``r``/``compat`` restart it
  on a new port; the test during which it died fails with its log tail)
  sentinel       writes a key before the test, asserts the server still
                 answers PING and the key is intact after it
"""

import shlex

import pytest
import redis

import kvtest
from kvtest import (IS_OVERRIDE, REDIS_SERVER_BIN, Compat, RawConn,  # noqa: F401
                    ServerProcess, fastkv_argv, start_fastkv, start_redis)

NO_REDIS_MSG = ("real redis-server not found (set REDIS_SERVER_BIN or install "
                "redis-server): compat tests against the reference server are skipped")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "compat: test compares fastkv with a real redis-server")
    config.addinivalue_line(
        "markers", "fastkv_only: checks fastkv-specific behaviour (skipped in "
        "FASTKV_SERVER_CMD override mode)")


def pytest_report_header(config):
    lines = ["fastkv server command: %s" % shlex.join(fastkv_argv("{port}"))]
    if IS_OVERRIDE:
        lines.append("FASTKV_SERVER_CMD override mode: fastkv-only checks are skipped")
    lines.append("reference redis-server: %s" % (REDIS_SERVER_BIN or "<missing>"))
    return lines


def pytest_collection_modifyitems(config, items):
    if IS_OVERRIDE:
        skip = pytest.mark.skip(reason="fastkv-only check (FASTKV_SERVER_CMD override mode)")
        for item in items:
            if "fastkv_only" in item.keywords:
                item.add_marker(skip)


# --------------------------------------------------------------------------
# servers
# --------------------------------------------------------------------------

@pytest.fixture(scope="session")
def fastkv_server():
    srv = start_fastkv("fastkv")
    yield srv
    srv.cleanup()


@pytest.fixture(scope="session")
def real_redis():
    if not REDIS_SERVER_BIN:
        pytest.skip(NO_REDIS_MSG)
    srv = start_redis("redis")
    yield srv
    srv.cleanup()


@pytest.fixture
def start_server():
    """Start extra fastkv servers with extra redis.conf-style arguments."""
    started = []

    def factory(*extra, tcp=True, unix_path=None, name="fastkv-extra"):
        srv = ServerProcess(name, kvtest.fastkv_argv, extra=extra,
                            env=kvtest.fastkv_env(), tcp=tcp, unix_path=unix_path)
        started.append(srv)
        return srv.start()

    yield factory
    for srv in started:
        srv.cleanup()


@pytest.fixture
def start_real_redis():
    if not REDIS_SERVER_BIN:
        pytest.skip(NO_REDIS_MSG)
    started = []

    def factory(*extra, name="redis-extra"):
        srv = ServerProcess(name, kvtest.redis_argv, extra=extra)
        started.append(srv)
        return srv.start()

    yield factory
    for srv in started:
        srv.cleanup()


@pytest.fixture
def compat_pair(start_server, start_real_redis):
    """compat_pair(*extra) -> Compat between a fresh fastkv and a fresh
    redis-server, both started with the same extra arguments."""

    def factory(*extra):
        return Compat(start_server(*extra), start_real_redis(*extra))

    return factory


# --------------------------------------------------------------------------
# clients
# --------------------------------------------------------------------------

@pytest.fixture
def r(fastkv_server):
    fastkv_server.ensure_running()
    # protocol: redis-py's default (RESP3), or FASTKV_TEST_PROTOCOL
    client = fastkv_server.client(decode_responses=False)
    client.flushall()
    yield client
    client.close()
    fastkv_server.check_alive()


@pytest.fixture
def aredis(fastkv_server, r):
    """Factory for redis.asyncio clients; use inside asyncio.run(...)."""
    import redis.asyncio

    def make(**kw):
        kw.setdefault("socket_timeout", kvtest.DEFAULT_TIMEOUT)
        kw.setdefault("socket_connect_timeout", kvtest.DEFAULT_TIMEOUT)
        if kvtest.TEST_PROTOCOL:
            kw.setdefault("protocol", kvtest.TEST_PROTOCOL)
        return redis.asyncio.Redis(host="127.0.0.1", port=fastkv_server.port, **kw)

    return make


@pytest.fixture
def raw(fastkv_server, r):
    conns = []

    def make(timeout=kvtest.DEFAULT_TIMEOUT):
        c = RawConn(port=fastkv_server.port, timeout=timeout)
        conns.append(c)
        return c

    yield make
    for c in conns:
        c.close()


@pytest.fixture
def compat(fastkv_server, real_redis):
    fastkv_server.ensure_running()
    real_redis.ensure_running()
    yield Compat(fastkv_server, real_redis)
    fastkv_server.check_alive()


@pytest.fixture
def sentinel(fastkv_server, r):
    """Write data before the test; after it, assert a fresh client gets PONG
    and the data is intact (the server survived the bad input)."""
    r.set(b"sentinel:key", b"sentinel-value")
    yield
    fastkv_server.check_alive()
    with RawConn(port=fastkv_server.port, timeout=5) as c:
        assert c.call_raw("PING") == b"+PONG\r\n"
        assert c.call_raw("GET", "sentinel:key") == b"$14\r\nsentinel-value\r\n"


@pytest.fixture
def override_mode():
    return IS_OVERRIDE


@pytest.fixture
def redis_module():
    return redis
