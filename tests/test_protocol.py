"""Raw-socket protocol tests: inline commands, malformed input, pipelining,
slow clients, vanishing clients, maxclients, timeout.

After every bad-input test the ``sentinel`` fixture checks that another
client still gets PONG and that data written before the test is intact.
"""

import socket
import struct
import time

import pytest

from kvtest import RawConn, encode_command

pytestmark = pytest.mark.usefixtures("sentinel")


def _closed_with(conn, expected, timeout=5):
    data = conn.read_until_closed(timeout=timeout)
    assert data == expected


# --------------------------------------------------------------------------
# inline commands
# --------------------------------------------------------------------------

def test_inline_ping(raw):
    c = raw()
    c.send(b"PING\r\n")
    assert c.read_raw_reply() == b"+PONG\r\n"
    c.send(b"ping\n")  # a bare LF also ends an inline command
    assert c.read_raw_reply() == b"+PONG\r\n"
    c.send(b"PING hello\r\n")
    assert c.read_raw_reply() == b"$5\r\nhello\r\n"


def test_inline_quotes(raw, r):
    c = raw()
    c.send(b'set a "hello world"\r\n')
    assert c.read_raw_reply() == b"+OK\r\n"
    assert r.get(b"a") == b"hello world"
    c.send(b"set b 'single quoted'\r\n")
    assert c.read_raw_reply() == b"+OK\r\n"
    assert r.get(b"b") == b"single quoted"
    c.send(b'set c "esc\\x41\\n\\t\\"q\\\\"\r\n')
    assert c.read_raw_reply() == b"+OK\r\n"
    assert r.get(b"c") == b'escA\n\t"q\\'
    c.send(b"set d 'it\\'s'\r\n")
    assert c.read_raw_reply() == b"+OK\r\n"
    assert r.get(b"d") == b"it's"
    c.send(b'set e ""\r\n')
    assert c.read_raw_reply() == b"+OK\r\n"
    assert r.get(b"e") == b""
    c.send(b"   set    f     spaced   \r\n")
    assert c.read_raw_reply() == b"+OK\r\n"
    assert r.get(b"f") == b"spaced"
    c.send(b"set\tg\ttabbed\r\n")
    assert c.read_raw_reply() == b"+OK\r\n"
    assert r.get(b"g") == b"tabbed"


def test_inline_empty_lines_ignored(raw):
    c = raw()
    c.send(b"\r\n\r\n   \r\n\nPING\r\n")
    assert c.read_raw_reply() == b"+PONG\r\n"
    c.assert_no_data(0.1)


def test_inline_errors_exact(raw):
    c = raw()
    c.send(b"GET\r\n")
    assert c.read_raw_reply() == b"-ERR wrong number of arguments for 'get' command\r\n"
    c.send(b"FOO a b\r\n")
    assert c.read_raw_reply() == \
        b"-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n"
    c.send(b"foo\r\n")
    assert c.read_raw_reply() == b"-ERR unknown command 'foo', with args beginning with: \r\n"
    assert c.call_raw("PING") == b"+PONG\r\n"


@pytest.mark.parametrize("line", [
    b'set a "hello\r\n',
    b"set a 'hello\r\n",
    b'set a "hello"world\r\n',
    b"set a 'x'y\r\n",
])
def test_inline_unbalanced_quotes(raw, line):
    c = raw()
    c.send(line)
    _closed_with(c, b"-ERR Protocol error: unbalanced quotes in request\r\n")


def test_inline_and_multibulk_mixed(raw):
    c = raw()
    c.send(b"PING\r\n" + encode_command("ECHO", "x") + b"ECHO y\r\n")
    assert c.read_raw_reply() == b"+PONG\r\n"
    assert c.read_raw_reply() == b"$1\r\nx\r\n"
    assert c.read_raw_reply() == b"$1\r\ny\r\n"


# --------------------------------------------------------------------------
# malformed multibulk
# --------------------------------------------------------------------------

@pytest.mark.parametrize("data,err", [
    (b"*abc\r\n", b"invalid multibulk length"),
    (b"*1x\r\n", b"invalid multibulk length"),
    (b"*2147483648\r\n", b"invalid multibulk length"),
    (b"*99999999999999999999\r\n", b"invalid multibulk length"),
    (b"*1\r\n$x\r\n", b"invalid bulk length"),
    (b"*1\r\n$-1\r\n", b"invalid bulk length"),
    (b"*1\r\n$-5\r\n", b"invalid bulk length"),
    (b"*1\r\n$2147483648\r\n", b"invalid bulk length"),
    (b"*1\r\n$536870913\r\n", b"invalid bulk length"),
    (b"*1\r\n$\r\n", b"invalid bulk length"),
    (b"*1\r\n+foo\r\n", b"expected '$', got '+'"),
    (b"*1\r\n:1\r\n", b"expected '$', got ':'"),
    (b"*2\r\n$4\r\nECHO\r\n*1\r\n", b"expected '$', got '*'"),
    (b"*1\r\nPING\r\n", b"expected '$', got 'P'"),
])
def test_malformed_multibulk(raw, data, err):
    c = raw()
    c.send(data)
    _closed_with(c, b"-ERR Protocol error: " + err + b"\r\n")


def test_malformed_after_valid_commands(raw, r):
    c = raw()
    c.send(encode_command("SET", "before", "1") + b"*1\r\n$x\r\n" +
           encode_command("SET", "after", "1"))
    _closed_with(c, b"+OK\r\n-ERR Protocol error: invalid bulk length\r\n")
    assert r.get(b"before") == b"1"
    assert r.get(b"after") is None


def test_empty_and_null_multibulk_ignored(raw):
    c = raw()
    c.send(b"*0\r\n*-1\r\n*-5\r\n" + encode_command("PING"))
    assert c.read_raw_reply() == b"+PONG\r\n"
    c.assert_no_data(0.1)


def test_max_bulk_len_is_accepted_and_waits(raw):
    # proto-max-bulk-len defaults to 512MB: the announced size is allowed,
    # the server just waits for the payload.
    c = raw()
    c.send(b"*1\r\n$536870912\r\n")
    c.assert_no_data(0.3)
    c.send(b"partial payload")
    c.assert_no_data(0.1)


def test_large_multibulk_count_is_accepted_and_waits(raw):
    c = raw()
    c.send(b"*1048577\r\n")
    c.assert_no_data(0.3)
    c.send(b"$3\r\nSET\r\n")
    c.assert_no_data(0.1)


def test_too_big_inline_request(raw):
    c = raw()
    try:
        c.send(b"a" * (70 * 1024))
    except (BrokenPipeError, ConnectionResetError):
        pass
    _closed_with(c, b"-ERR Protocol error: too big inline request\r\n")


def test_inline_just_below_limit_is_fine(raw, r):
    c = raw()
    value = b"v" * (60 * 1024)
    c.send(b"SET big " + value + b"\r\n")
    assert c.read_raw_reply() == b"+OK\r\n"
    assert r.strlen(b"big") == len(value)


def test_too_big_mbulk_count_string(raw):
    c = raw()
    try:
        c.send(b"*" + b"1" * (70 * 1024))
    except (BrokenPipeError, ConnectionResetError):
        pass
    _closed_with(c, b"-ERR Protocol error: too big mbulk count string\r\n")


def test_too_big_bulk_count_string(raw):
    c = raw()
    try:
        c.send(b"*1\r\n$" + b"1" * (70 * 1024))
    except (BrokenPipeError, ConnectionResetError):
        pass
    _closed_with(c, b"-ERR Protocol error: too big bulk count string\r\n")


# --------------------------------------------------------------------------
# pipelining, big values, slow readers
# --------------------------------------------------------------------------

def test_pipeline_10000_in_one_write(raw):
    c = raw(timeout=20)
    n = 10000
    c.send(encode_command("INCR", "counter") * n)
    expected = b"".join(b":%d\r\n" % i for i in range(1, n + 1))
    got = bytearray()
    while len(got) < len(expected):
        chunk = c.recv_some()
        assert chunk, "connection closed after %d bytes" % len(got)
        got += chunk
    assert bytes(got) == expected
    assert c.call_raw("GET", "counter") == b"$5\r\n10000\r\n"


def test_pipeline_inline_10000(raw):
    c = raw(timeout=20)
    n = 10000
    c.send(b"PING\r\n" * n)
    expected = b"+PONG\r\n" * n
    got = bytearray()
    while len(got) < len(expected):
        chunk = c.recv_some()
        assert chunk
        got += chunk
    assert bytes(got) == expected


def test_pipeline_mixed_commands_in_order(raw):
    c = raw()
    cmds = []
    expected = []
    for i in range(500):
        cmds.append(encode_command("SET", "k%d" % i, "v%d" % i))
        expected.append(b"+OK\r\n")
        cmds.append(encode_command("GET", "k%d" % i))
        v = b"v%d" % i
        expected.append(b"$%d\r\n%s\r\n" % (len(v), v))
        cmds.append(encode_command("NOSUCHCMD"))
        expected.append(b"-ERR unknown command 'NOSUCHCMD', with args beginning with: \r\n")
    c.send(b"".join(cmds))
    for exp in expected:
        assert c.read_raw_reply() == exp


def test_big_value_roundtrip(raw):
    c = raw(timeout=20)
    value = bytes(range(256)) * 40000  # ~10MB
    c.send(encode_command("SET", "big", value))
    assert c.read_raw_reply() == b"+OK\r\n"
    c.send(encode_command("GET", "big"))
    raw_reply, node = c.read_reply()
    assert node.v == value


def test_client_not_reading_replies(raw):
    """A client that pipelines many commands before reading anything."""
    c = raw(timeout=20)
    c.send(encode_command("SET", "v", b"x" * 1024))
    assert c.read_raw_reply() == b"+OK\r\n"
    n = 5000  # ~5MB of replies
    c.send(encode_command("GET", "v") * n)
    time.sleep(0.2)
    expected = b"$1024\r\n" + b"x" * 1024 + b"\r\n"
    for _ in range(n):
        assert c.read_raw_reply() == expected


# --------------------------------------------------------------------------
# slow and vanishing clients
# --------------------------------------------------------------------------

def test_byte_by_byte_multibulk(raw, r):
    c = raw()
    data = encode_command("SET", "slow", "hello world") + encode_command("GET", "slow")
    for i in range(len(data)):
        c.send(data[i:i + 1])
        if i % 7 == 0:
            time.sleep(0.001)
    assert c.read_raw_reply() == b"+OK\r\n"
    assert c.read_raw_reply() == b"$11\r\nhello world\r\n"
    assert r.get(b"slow") == b"hello world"


def test_byte_by_byte_inline(raw):
    c = raw()
    data = b'ECHO "slow inline"\r\n'
    for i in range(len(data)):
        c.send(data[i:i + 1])
        time.sleep(0.001)
    assert c.read_raw_reply() == b"$11\r\nslow inline\r\n"


def test_bulk_split_across_writes(raw):
    c = raw()
    c.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\n01234")
    c.assert_no_data(0.1)
    c.send(b"56789\r")
    c.assert_no_data(0.05)
    c.send(b"\n")
    assert c.read_raw_reply() == b"+OK\r\n"


def test_client_vanishing_mid_request(fastkv_server, r):
    partials = [
        b"*3\r\n$3\r\nSET\r\n$1\r\nk",
        b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n" + b"x" * 5000,
        b"*2",
        b"SET k half-inline-no-newline",
        b"*1\r\n$536870912\r\n" + b"y" * 100000,
    ]
    for data in partials:
        for rst in (False, True):
            s = socket.create_connection(("127.0.0.1", fastkv_server.port), timeout=5)
            s.sendall(data)
            if rst:
                # abortive close: RST instead of FIN
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
    # the half-written SET never happened
    with RawConn(port=fastkv_server.port, timeout=5) as c:
        assert c.call_raw("PING") == b"+PONG\r\n"
        assert c.call_raw("EXISTS", "k") == b":0\r\n"


def test_client_vanishing_with_pending_replies(fastkv_server, r):
    r.set(b"v", b"x" * 10000)
    for _ in range(5):
        s = socket.create_connection(("127.0.0.1", fastkv_server.port), timeout=5)
        s.sendall(encode_command("GET", "v") * 500)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    with RawConn(port=fastkv_server.port, timeout=5) as c:
        assert c.call_raw("PING") == b"+PONG\r\n"


def test_many_connections(fastkv_server, r):
    conns = [RawConn(port=fastkv_server.port, timeout=5) for _ in range(100)]
    try:
        for i, c in enumerate(conns):
            c.send_command("SET", "c%d" % i, i)
        for c in conns:
            assert c.read_raw_reply() == b"+OK\r\n"
    finally:
        for c in conns:
            c.close()
    assert r.dbsize() == 101  # + sentinel


def test_ipv6_loopback(fastkv_server):
    try:
        s = socket.create_connection(("::1", fastkv_server.port), timeout=5)
    except OSError as e:
        pytest.skip("no IPv6 loopback here: %s" % e)
    try:
        s.sendall(b"PING\r\n")
        assert s.recv(100) == b"+PONG\r\n"
    finally:
        s.close()


# --------------------------------------------------------------------------
# maxclients, timeout (separate servers)
# --------------------------------------------------------------------------

def _connect_and_ping(srv, attempts=50):
    """Connect and PING, retrying while the server has not yet noticed that
    an earlier connection (e.g. the startup probe) was closed."""
    for _ in range(attempts):
        c = srv.raw(timeout=5)
        c.send_command("PING")
        try:
            reply = c.read_raw_reply()
        except Exception:
            reply = b""
        if reply == b"+PONG\r\n":
            return c
        c.close()
        time.sleep(0.05)
    raise AssertionError("could not get a connection slot")


def test_maxclients(start_server):
    srv = start_server("--maxclients", "2")
    c1 = _connect_and_ping(srv)
    c2 = _connect_and_ping(srv)
    try:
        with srv.raw(timeout=5) as c3:
            _closed_with(c3, b"-ERR max number of clients reached\r\n")
        assert c1.call_raw("PING") == b"+PONG\r\n"
        assert c2.call_raw("PING") == b"+PONG\r\n"
        # after one client leaves, a new one gets in
        c1.close()
        c1 = _connect_and_ping(srv)
        info = c1.call("INFO", "stats").decode()
        assert "rejected_connections:" in info
        rejected = int(info.split("rejected_connections:")[1].split("\r\n")[0])
        assert rejected >= 1
    finally:
        c1.close()
        c2.close()


def test_idle_timeout(start_server):
    srv = start_server("--timeout", "1")
    idle = srv.raw(timeout=10)
    busy = srv.raw(timeout=10)
    try:
        assert idle.call_raw("PING") == b"+PONG\r\n"
        assert busy.call_raw("CONFIG", "GET", "timeout") == b"*2\r\n$7\r\ntimeout\r\n$1\r\n1\r\n"
        t0 = time.monotonic()
        closed = False
        while time.monotonic() - t0 < 6:
            assert busy.call_raw("PING") == b"+PONG\r\n"
            try:
                data = idle.recv_some(timeout=0.25)
            except socket.timeout:
                continue
            assert data == b"", "unexpected data %r" % data
            closed = True
            break
        elapsed = time.monotonic() - t0
        assert closed, "idle client was not disconnected"
        assert elapsed >= 0.8, "disconnected too early (%.2fs)" % elapsed
        # the active client survived
        assert busy.call_raw("PING") == b"+PONG\r\n"
    finally:
        idle.close()
        busy.close()


# --------------------------------------------------------------------------
# hostile input
# --------------------------------------------------------------------------

def _mutations(rng, frame):
    """Damaged copies of a valid request: flipped, dropped, inserted bytes,
    truncations, duplicated fragments, random garbage."""
    data = bytearray(frame)
    kind = rng.randrange(6)
    if kind == 0 and data:
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == 1 and data:
        del data[rng.randrange(len(data))]
    elif kind == 2:
        data.insert(rng.randrange(len(data) + 1), rng.choice(b"*$\r\n-:+0123456789\"' \\"))
    elif kind == 3:
        data = data[:rng.randrange(len(data) + 1)]
    elif kind == 4:
        i = rng.randrange(len(data) + 1)
        data = data[:i] + data[rng.randrange(len(data) + 1):] + data[i:]
    else:
        data = bytearray(rng.randbytes(rng.randint(1, 200)))
    return bytes(data)


def test_fuzzed_requests_never_hurt_the_server(fastkv_server, r):
    """Hundreds of damaged requests over short-lived connections: each one
    gets replies or a protocol error and a close, never a dead server, and
    the other clients' data stays intact."""
    import random
    rng = random.Random(20261126)
    r.set(b"keep", b"safe")
    frames = [encode_command(*cmd) for cmd in (
        ("SET", "k", "v"), ("GET", "k"), ("MSET", "a", "1", "b", "2"), ("INCRBY", "n", "5"),
        ("SETRANGE", "s", "10", "xyz"), ("SCAN", "0", "MATCH", "*", "COUNT", "5"),
        ("EXPIRE", "k", "100"), ("LCS", "a", "b", "IDX"), ("CLIENT", "SETNAME", "x"),
        ("OBJECT", "ENCODING", "k"), ("COMMAND", "INFO", "get"), ("HELLO", "3"),
    )] + [b'SET k "a\\x41b"\r\n', b"PING\r\n", b"*0\r\n", b"*-1\r\n"]
    for _ in range(300):
        payload = b"".join(_mutations(rng, rng.choice(frames)) for _ in range(rng.randint(1, 5)))
        s = socket.create_connection(("127.0.0.1", fastkv_server.port), timeout=5)
        try:
            s.sendall(payload)
            s.settimeout(0.05)
            try:
                s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                pass
        finally:
            s.close()
    with RawConn(port=fastkv_server.port, timeout=5) as c:
        assert c.call_raw("PING") == b"+PONG\r\n"
        assert c.call_raw("GET", "keep") == b"$4\r\nsafe\r\n"


def test_query_buffer_limit_closes_only_that_client(fastkv_server, r):
    """client-query-buffer-limit: a client whose pending request grows past
    it is disconnected (Redis closes it too); others keep being served."""
    r.config_set("client-query-buffer-limit", str(1024 * 1024))
    try:
        s = socket.create_connection(("127.0.0.1", fastkv_server.port), timeout=5)
        s.sendall(b"*2\r\n$4\r\nECHO\r\n$100000000\r\n")
        closed = False
        try:
            for _ in range(64):
                s.sendall(b"x" * 65536)
        except (BrokenPipeError, ConnectionResetError):
            closed = True
        if not closed:
            s.settimeout(5)
            try:
                closed = s.recv(100) == b""
            except ConnectionResetError:
                closed = True
        s.close()
        assert closed
        assert r.ping()
    finally:
        r.config_set("client-query-buffer-limit", str(1024 * 1024 * 1024))
