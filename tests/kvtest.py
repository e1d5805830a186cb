"""Shared helpers for the fastkv test suite.

Contents:
  * RESP encoding and an incremental RESP2/RESP3 parser that keeps the raw
    bytes of every reply (so tests can compare replies byte for byte);
  * ``RawConn``: a raw socket client with timeouts everywhere;
  * ``ServerProcess``: starts/stops a fastkv-server (or redis-server) process
    on a free port, waits until it answers PING, keeps its log;
  * ``Compat``: sends the same raw commands to fastkv and to a real
    redis-server and compares the raw reply bytes, command by command;
    ``Twin``: one such pair of connections driven step by step (pushed
    frames, pipelines, several clients in lockstep).

Commands given to the helpers can be:
  * a ``str``: split like a shell would (``shlex.split``), so
    ``"SET a 'hello world'"`` is 3 arguments.  Note backslashes are escape
    characters outside quotes: use ``r"KEYS 'h\\*llo'"`` or a tuple;
  * a ``tuple``/``list`` of ``str``/``bytes``/``int``/``float`` arguments
    (sent exactly as given).

Per-command compare modes for ``Compat.check`` (wrap a command):
  * ``Unordered(cmd)``  - aggregates compared as multisets (KEYS, SMEMBERS..)
  * ``TypeOnly(cmd)``   - only the top-level reply type (and nil-ness)
  * ``Shape(cmd)``      - reply types recursively, aggregate lengths, and
                          RESP3 map keys exactly (HELLO, TIME, ...)
  * ``NoCompare(cmd)``  - send to both, read both replies, compare nothing
  * ``Sleep(seconds)``  - pause between two commands (sent to both servers)
"""

from __future__ import annotations

import collections
import contextlib
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

#: Template overriding how the server under test is started, e.g.
#: ``redis-server --port {port} --save "" --appendonly no``.
OVERRIDE_CMD = os.environ.get("FASTKV_SERVER_CMD") or None
#: True when the suite runs against something given by FASTKV_SERVER_CMD
#: (typically a real redis-server, to validate the tests themselves).
IS_OVERRIDE = OVERRIDE_CMD is not None
#: The real redis-server used as the reference for compat tests.
REDIS_SERVER_BIN = os.environ.get("REDIS_SERVER_BIN") or shutil.which("redis-server")

DEFAULT_TIMEOUT = 10.0

#: redis-py 8 speaks RESP3 by default (sends HELLO 3 on connect).  Set
#: FASTKV_TEST_PROTOCOL=2 to make the suite's redis-py clients use RESP2.
TEST_PROTOCOL = int(os.environ["FASTKV_TEST_PROTOCOL"]) \
    if os.environ.get("FASTKV_TEST_PROTOCOL") else None


# --------------------------------------------------------------------------
# RESP encoding / parsing
# --------------------------------------------------------------------------

def to_bytes(x) -> bytes:
    if isinstance(x, bytes):
        return x
    if isinstance(x, bytearray):
        return bytes(x)
    if isinstance(x, str):
        return x.encode("utf-8")
    if isinstance(x, bool):
        return b"1" if x else b"0"
    if isinstance(x, int):
        return str(x).encode()
    if isinstance(x, float):
        return repr(x).encode()
    raise TypeError("cannot encode %r" % (x,))


def split_command(cmd):
    """Turn a command spec (str or sequence) into a list of bytes args."""
    if isinstance(cmd, (str, bytes)):
        if isinstance(cmd, bytes):
            cmd = cmd.decode("utf-8", "surrogateescape")
        return [a.encode("utf-8", "surrogateescape") for a in shlex.split(cmd)]
    return [to_bytes(a) for a in cmd]


def encode_command(*args) -> bytes:
    """RESP multibulk encoding of one command.

    ``encode_command("SET", "a", 1)`` or ``encode_command("SET a 1")`` (a
    single str argument is split like a shell would).
    """
    if len(args) == 1 and isinstance(args[0], (str, list, tuple)):
        parts = split_command(args[0])
    else:
        parts = [to_bytes(a) for a in args]
    return encode_args(parts)


def encode_args(parts) -> bytes:
    """RESP multibulk encoding of a list of already-split arguments."""
    parts = [to_bytes(p) for p in parts]
    out = [b"*%d\r\n" % len(parts)]
    for p in parts:
        out.append(b"$%d\r\n" % len(p))
        out.append(p)
        out.append(b"\r\n")
    return b"".join(out)


class Node(collections.namedtuple("Node", "t v")):
    """One parsed RESP reply.

    t: the type byte as a 1-char str ('+', '-', ':', '$', '*', '_', ',',
       '#', '!', '=', '(', '%', '~', '>', '|').
    v: payload: bytes for strings/errors/verbatim/big numbers/doubles, int
       for ':', bool for '#', None for nulls ('_', '$-1', '*-1'), list of
       Nodes for '*' '~' '>', list of (Node, Node) for '%' and '|'.
    """

    __slots__ = ()

    def is_error(self):
        return self.t in "-!"

    def __repr__(self):
        return "Node(%r, %r)" % (self.t, self.v)


class RespError(Exception):
    """An error reply, as returned by ``Node.to_py``."""

    def __init__(self, msg: bytes):
        super().__init__(msg)
        self.msg = msg

    def __eq__(self, other):
        return isinstance(other, RespError) and other.msg == self.msg

    def __hash__(self):
        return hash(self.msg)


def to_py(node: Node):
    """Convert a Node into plain Python values (bytes, int, list, dict...)."""
    t, v = node
    if t in "+$=(,":
        return v
    if t == ":":
        return v
    if t in "-!":
        return RespError(v)
    if t == "_":
        return None
    if t == "#":
        return v
    if t in "*~>":
        return None if v is None else [to_py(x) for x in v]
    if t in "%|":
        out = {}
        for k, val in v:
            kk = to_py(k)
            if isinstance(kk, list):
                kk = tuple(kk)
            out[kk] = to_py(val)
        return out
    raise ValueError("unknown node type %r" % t)


class ProtocolViolation(Exception):
    pass


class ConnectionClosed(Exception):
    pass


class RespReader:
    """Incremental RESP2/RESP3 parser reading from a callable ``recv()``."""

    def __init__(self, recv):
        self._recv = recv
        self.buf = bytearray()
        self.pos = 0

    def _fill(self):
        data = self._recv()
        if not data:
            raise ConnectionClosed("connection closed by server (buffered: %r)"
                                   % bytes(self.buf[self.pos:self.pos + 200]))
        self.buf += data

    def _line(self) -> bytes:
        while True:
            idx = self.buf.find(b"\r\n", self.pos)
            if idx >= 0:
                line = bytes(self.buf[self.pos:idx])
                self.pos = idx + 2
                return line
            self._fill()

    def _exact(self, n) -> bytes:
        while len(self.buf) - self.pos < n + 2:
            self._fill()
        data = bytes(self.buf[self.pos:self.pos + n])
        if self.buf[self.pos + n:self.pos + n + 2] != b"\r\n":
            raise ProtocolViolation("bulk payload not terminated by CRLF")
        self.pos += n + 2
        return data

    def read(self):
        """Read one full reply. Returns (raw_bytes, Node)."""
        start = self.pos
        node = self._parse()
        raw = bytes(self.buf[start:self.pos])
        # compact the buffer
        del self.buf[:self.pos]
        self.pos = 0
        return raw, node

    def _parse(self) -> Node:
        line = self._line()
        if not line:
            raise ProtocolViolation("empty reply line")
        t = chr(line[0])
        rest = line[1:]
        if t in "+-":
            return Node(t, rest)
        if t == ":":
            return Node(t, int(rest))
        if t in "$!=":
            n = int(rest)
            if n < 0:
                return Node(t, None)
            return Node(t, self._exact(n))
        if t in "*~>":
            n = int(rest)
            if n < 0:
                return Node(t, None)
            return Node(t, [self._parse() for _ in range(n)])
        if t in "%|":
            n = int(rest)
            pairs = []
            for _ in range(n):
                k = self._parse()
                pairs.append((k, self._parse()))
            if t == "|":
                # attribute: the real reply follows; keep attributes around
                real = self._parse()
                return Node(real.t, real.v)
            return Node(t, pairs)
        if t == "_":
            return Node(t, None)
        if t == "#":
            return Node(t, rest == b"t")
        if t in ",(":
            return Node(t, rest)
        raise ProtocolViolation("unknown RESP type byte %r in line %r" % (t, line))


# --------------------------------------------------------------------------
# Raw socket connection
# --------------------------------------------------------------------------

class RawConn:
    """A raw RESP connection with a timeout on every operation.

    ``RawConn(port=6379)`` or ``RawConn(unix_path="/tmp/x.sock")``.
    """

    def __init__(self, port=None, host="127.0.0.1", unix_path=None,
                 timeout=DEFAULT_TIMEOUT):
        self.timeout = timeout
        if unix_path:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(unix_path)
        else:
            self.sock = socket.create_connection((host, port), timeout=timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.settimeout(timeout)
        self.reader = RespReader(self._recv)
        self.closed = False

    # -- low level
    def _recv(self):
        return self.sock.recv(65536)

    def send(self, data: bytes):
        self.sock.sendall(data)

    def settimeout(self, t):
        self.timeout = t
        self.sock.settimeout(t)

    # -- commands
    def send_command(self, *args):
        self.send(encode_command(*args))

    def read_reply(self, timeout=None):
        """Read one reply; returns (raw_bytes, Node)."""
        if timeout is not None:
            self.sock.settimeout(timeout)
        try:
            return self.reader.read()
        finally:
            if timeout is not None:
                self.sock.settimeout(self.timeout)

    def read_raw_reply(self, timeout=None) -> bytes:
        return self.read_reply(timeout)[0]

    def call(self, *args):
        """Send one command, return its parsed Python value."""
        self.send_command(*args)
        return to_py(self.read_reply()[1])

    def call_raw(self, *args) -> bytes:
        """Send one command, return the raw bytes of its reply."""
        self.send_command(*args)
        return self.read_reply()[0]

    def recv_some(self, timeout=None) -> bytes:
        """Return buffered-but-unparsed bytes plus one recv() (b'' on EOF)."""
        if self.reader.pos < len(self.reader.buf):
            data = bytes(self.reader.buf[self.reader.pos:])
            self.reader.buf.clear()
            self.reader.pos = 0
            return data
        if timeout is not None:
            self.sock.settimeout(timeout)
        try:
            return self.sock.recv(65536)
        finally:
            if timeout is not None:
                self.sock.settimeout(self.timeout)

    def read_until_closed(self, timeout=5.0, limit=10 * 1024 * 1024) -> bytes:
        """Read everything until the server closes the connection.

        Raises AssertionError if the connection is still open after
        ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        out = bytearray(self.reader.buf[self.reader.pos:])
        self.reader.buf.clear()
        self.reader.pos = 0
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("connection not closed by server within %.1fs "
                                     "(received %r)" % (timeout, bytes(out[:300])))
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except (ConnectionResetError, BrokenPipeError):
                break
            if not data:
                break
            out += data
            if len(out) > limit:
                raise AssertionError("too much data before close")
        self.sock.settimeout(self.timeout)
        return bytes(out)

    def assert_no_data(self, wait=0.2):
        """Assert the server sends nothing within ``wait`` seconds and keeps
        the connection open."""
        self.sock.settimeout(wait)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return
        finally:
            self.sock.settimeout(self.timeout)
        if not data:
            raise AssertionError("server closed the connection unexpectedly")
        raise AssertionError("unexpected data from server: %r" % data[:300])

    def close(self):
        if not self.closed:
            self.closed = True
            with contextlib.suppress(OSError):
                self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --------------------------------------------------------------------------
# Server processes
# --------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fastkv_argv(port, extra=()):
    """argv starting the server under test on ``port`` (+ extra args)."""
    if OVERRIDE_CMD:
        argv = shlex.split(OVERRIDE_CMD.replace("{port}", str(port)))
    else:
        exe = shutil.which("fastkv-server")
        base = [exe] if exe else [sys.executable, "-m", "fastkv"]
        argv = base + ["--port", str(port), "--save", "", "--appendonly", "no"]
    return argv + [str(a) for a in extra]


def fastkv_env():
    env = dict(os.environ)
    if not OVERRIDE_CMD and not shutil.which("fastkv-server"):
        # not installed: run the package from the repository checkout
        env["PYTHONPATH"] = REPO_ROOT + (os.pathsep + env["PYTHONPATH"]
                                         if env.get("PYTHONPATH") else "")
    return env


def redis_argv(port, extra=()):
    """argv starting the reference redis-server on ``port``."""
    return [REDIS_SERVER_BIN, "--port", str(port), "--save", "",
            "--appendonly", "no"] + [str(a) for a in extra]


class ServerDied(Exception):
    pass


class ServerProcess:
    """A server subprocess on a free port, stdout/stderr to a log file."""

    def __init__(self, name, argv_factory, extra=(), env=None, tcp=True,
                 unix_path=None, ready_timeout=30.0):
        self.name = name
        self.argv_factory = argv_factory
        self.extra = list(extra)
        self.env = env
        self.tcp = tcp
        self.unix_path = unix_path
        self.ready_timeout = ready_timeout
        self.proc = None
        self.port = None
        self.workdir = tempfile.mkdtemp(prefix="fastkv-test-%s-" % name)
        self.log_path = os.path.join(self.workdir, "server.log")
        self.argv = None

    # -- lifecycle
    def start(self):
        last_err = None
        for _attempt in range(3):
            self.port = free_port() if self.tcp else 0
            self.argv = self.argv_factory(self.port, self.extra)
            log = open(self.log_path, "ab")
            try:
                self.proc = subprocess.Popen(
                    self.argv, stdout=log, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, cwd=self.workdir, env=self.env)
            finally:
                log.close()
            try:
                self._wait_ready()
                return self
            except ServerDied as e:
                last_err = e
                txt = self.log_text()
                if "in use" in txt.lower() and self.tcp:
                    continue  # port race: retry on another port
                raise
        raise last_err

    def _probe(self):
        if self.tcp:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=1.0)
        else:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(1.0)
            s.connect(self.unix_path)
        try:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            data = s.recv(100)
            # +PONG, or -NOAUTH... (requirepass), or -LOADING: server is up
            return data[:1] in (b"+", b"-")
        finally:
            s.close()

    def _wait_ready(self):
        deadline = time.monotonic() + self.ready_timeout
        while True:
            if self.proc.poll() is not None:
                raise ServerDied("%s exited with code %s during startup.\n"
                                 "command: %s\n--- log ---\n%s"
                                 % (self.name, self.proc.returncode,
                                    shlex.join(self.argv), self.log_text()))
            try:
                if self._probe():
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise ServerDied("%s did not answer PING within %.0fs.\n"
                                 "command: %s\n--- log ---\n%s"
                                 % (self.name, self.ready_timeout,
                                    shlex.join(self.argv), self.log_text()))
            time.sleep(0.02)

    def ensure_running(self):
        """Restart the server (on a new port) if it died, so that one crash
        is reported by the test that caused it and not by every later one."""
        if self.proc is not None and not self.alive():
            with open(self.log_path, "ab") as log:
                log.write(b"\n===== [test harness] server died with code %s; "
                          b"restarting =====\n" % str(self.proc.returncode).encode())
            self.restarts = getattr(self, "restarts", 0) + 1
            self.start()
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def check_alive(self):
        report = self.sanitizer_report()
        if report:
            raise AssertionError("%s: sanitizer report:\n%s" % (self.name, report))
        if not self.alive():
            raise ServerDied("%s is not running (exit code %s).\ncommand: %s\n"
                             "--- log (tail) ---\n%s"
                             % (self.name, self.proc.returncode if self.proc else None,
                                shlex.join(self.argv or []), self.log_text()[-5000:]))

    def stop(self, timeout=5.0):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    self.proc.kill()
                self.proc.wait(timeout)

    def cleanup(self):
        self.stop()
        report = self.sanitizer_report()
        if not os.environ.get("FASTKV_KEEP_LOGS") and not report:
            shutil.rmtree(self.workdir, ignore_errors=True)
        if report:
            raise AssertionError("%s: sanitizer report in %s:\n%s" % (self.name, self.log_path, report))

    #: what AddressSanitizer/UBSan print (FASTKV_SANITIZE=1 builds)
    SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer")

    def sanitizer_report(self):
        text = self.log_text()
        for marker in self.SANITIZER_MARKERS:
            i = text.find(marker)
            if i >= 0:
                return text[max(0, i - 200):i + 3000]
        return ""

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return "<no log>"

    # -- clients
    def raw(self, timeout=DEFAULT_TIMEOUT) -> RawConn:
        if self.tcp:
            return RawConn(port=self.port, timeout=timeout)
        return RawConn(unix_path=self.unix_path, timeout=timeout)

    def client(self, **kw):
        import redis
        kw.setdefault("socket_timeout", DEFAULT_TIMEOUT)
        kw.setdefault("socket_connect_timeout", DEFAULT_TIMEOUT)
        if TEST_PROTOCOL:
            kw.setdefault("protocol", TEST_PROTOCOL)
        if self.tcp:
            return redis.Redis(host="127.0.0.1", port=self.port, **kw)
        return redis.Redis(unix_socket_path=self.unix_path, **kw)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()


def start_fastkv(name="fastkv", extra=(), **kw) -> ServerProcess:
    return ServerProcess(name, fastkv_argv, extra=extra, env=fastkv_env(), **kw).start()


def start_redis(name="redis", extra=(), **kw) -> ServerProcess:
    return ServerProcess(name, redis_argv, extra=extra, **kw).start()


# --------------------------------------------------------------------------
# Compat: compare fastkv with real redis, raw bytes
# --------------------------------------------------------------------------

class _Wrapped:
    mode = None

    def __init__(self, cmd):
        self.cmd = cmd

    def __repr__(self):
        return "%s(%r)" % (type(self).__name__, self.cmd)


class Exact(_Wrapped):
    mode = "exact"


class Unordered(_Wrapped):
    mode = "unordered"


class TypeOnly(_Wrapped):
    mode = "type"


class Shape(_Wrapped):
    mode = "shape"


class NoCompare(_Wrapped):
    mode = "none"


class Sleep:
    def __init__(self, seconds):
        self.seconds = seconds

    def __repr__(self):
        return "Sleep(%r)" % self.seconds


def _norm_unordered(node: Node):
    t, v = node
    if t in "*~>" and v is not None:
        return (t, tuple(sorted((_norm_unordered(x) for x in v), key=repr)))
    if t == "%":
        return (t, tuple(sorted(((_norm_unordered(k), _norm_unordered(x))
                                 for k, x in v), key=repr)))
    return (t, v)


def _type_of(node: Node):
    t, v = node
    return (t, v is None)


def _shape(node: Node):
    t, v = node
    if t in "*~>" and v is not None:
        return (t, tuple(_shape(x) for x in v))
    if t == "%":
        return (t, tuple(sorted(((k.t, k.v), _shape(x)) for k, x in v)))
    return (t, v is None)


def compare_nodes(mode, a: Node, b: Node) -> bool:
    if mode == "unordered":
        return _norm_unordered(a) == _norm_unordered(b)
    if mode == "type":
        return _type_of(a) == _type_of(b)
    if mode == "shape":
        return _shape(a) == _shape(b)
    if mode == "none":
        return True
    raise ValueError(mode)


class CompatMismatch(AssertionError):
    pass


def _short(b: bytes, n=1500):
    return repr(b if len(b) <= n else b[:n] + b"...<%d bytes>" % len(b))


class CompatSession:
    """A pair of connections (fastkv, redis) with the same state."""

    def __init__(self, fk_conn: RawConn, rd_conn: RawConn, default_mode="exact"):
        self.fk = fk_conn
        self.rd = rd_conn
        self.default_mode = default_mode
        self.history = []

    def send_both(self, cmd):
        """Send one command to both, return ((fk_raw, fk_node), (rd_raw, rd_node))."""
        data = encode_args(split_command(cmd))
        self.fk.send(data)
        self.rd.send(data)
        fk = self._read(self.fk, "fastkv", cmd)
        rd = self._read(self.rd, "redis", cmd)
        return fk, rd

    def _read(self, conn, who, cmd):
        try:
            return conn.read_reply()
        except socket.timeout:
            raise CompatMismatch("%s: no reply within %.1fs to %r\nhistory: %r"
                                 % (who, conn.timeout, cmd, self.history[-10:]))
        except ConnectionClosed as e:
            raise CompatMismatch("%s: connection closed on %r: %s\nhistory: %r"
                                 % (who, cmd, e, self.history[-10:]))

    def check(self, *cmds, mode=None):
        """Run commands on both servers; assert replies match. Returns the
        list of fastkv replies converted with ``to_py`` (Sleep -> None)."""
        results = []
        for item in cmds:
            if isinstance(item, Sleep):
                time.sleep(item.seconds)
                results.append(None)
                continue
            m = mode or self.default_mode
            cmd = item
            if isinstance(item, _Wrapped):
                m = item.mode
                cmd = item.cmd
            (fraw, fnode), (rraw, rnode) = self.send_both(cmd)
            self.history.append(cmd)
            ok = fraw == rraw if m == "exact" else compare_nodes(m, fnode, rnode)
            if not ok:
                raise CompatMismatch(
                    "reply mismatch (mode=%s) for command %r\n"
                    "  fastkv: %s\n  redis:  %s\n"
                    "  (commands before it in this session: %r)"
                    % (m, cmd, _short(fraw), _short(rraw), self.history[-15:-1]))
            results.append(to_py(fnode))
        return results

    def close(self):
        self.fk.close()
        self.rd.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


TWIN_TIMEOUT = 5.0


class Twin(CompatSession):
    """One logical client driven in lockstep on both servers: a raw
    connection to fastkv (``fk``) and one to redis-server (``rd``), always
    sent the same bytes.

    Unlike ``check``, sending and reading are separate steps, for pushed
    frames (pub/sub messages, keyspace events) and pipelines.  Replies are
    read from redis first; a read fails at once when one side sends an
    error and the other does not, rather than wait for frames that will not
    come.  ``log`` keeps the commands sent, for the failure messages.

    Compare modes of ``read``/``call``: "exact" (raw bytes) or one of
    ``compare_nodes``'s ("unordered", "shape", "type", "none"); ``call``
    also takes a wrapped command (``Shape(cmd)``, ...) and ``Sleep``.
    """

    def __init__(self, fk_conn: RawConn, rd_conn: RawConn, name="client", resp3=False):
        super().__init__(fk_conn, rd_conn)
        self.name = name
        self.log = self.history
        if resp3:
            try:
                self.call(Shape("HELLO 3"))
            except BaseException:
                self.close()
                raise

    # -- sending
    def send(self, cmd):
        self.log.append(cmd)
        self.send_raw(encode_args(split_command(cmd)), log=False)

    def send_raw(self, data: bytes, label=None, log=True):
        """Send bytes as they are (e.g. a pipeline); ``label`` stands for
        them in the log."""
        if log:
            self.log.append(data if label is None else label)
        self.fk.send(data)
        self.rd.send(data)

    # -- reading
    def _read1(self, conn, who, n=1, i=0):
        try:
            return conn.read_reply()
        except socket.timeout:
            raise AssertionError("%s/%s: no frame %d of %d within %.1fs; last "
                                 "commands: %r" % (self.name, who, i + 1, n,
                                                   conn.timeout, self.log[-8:]))
        except ConnectionClosed as e:
            raise AssertionError("%s/%s: connection closed (frame %d of %d): %s; "
                                 "last commands: %r" % (self.name, who, i + 1, n, e,
                                                        self.log[-8:]))

    def read_nodes(self, n=1):
        """Read n frames from each side, not compared: ([(raw, node)] of
        fastkv, [(raw, node)] of redis)."""
        rd = [self._read1(self.rd, "redis", n, i) for i in range(n)]
        fk = []
        for i in range(n):
            fk.append(self._read1(self.fk, "fastkv", n, i))
            if fk[i][1].is_error() != rd[i][1].is_error():
                raise AssertionError(
                    "%s: frame %d/%d: error on one side only\n  fastkv: %s\n"
                    "  redis:  %s\n  last commands: %r"
                    % (self.name, i + 1, n, _short(fk[i][0]), _short(rd[i][0]),
                       self.log[-8:]))
        return fk, rd

    def read(self, n=1, mode="exact"):
        """Read n frames from both sides and assert they are equal; returns
        them as Python values (fastkv's)."""
        fk, rd = self.read_nodes(n)
        for i, ((fraw, fnode), (rraw, rnode)) in enumerate(zip(fk, rd)):
            ok = fraw == rraw if mode == "exact" else compare_nodes(mode, fnode, rnode)
            if not ok:
                raise AssertionError(
                    "%s: frame %d/%d differs (mode=%s)\n  fastkv: %s\n  redis:  %s\n"
                    "  last command: %r\n  commands before: %r"
                    % (self.name, i + 1, n, mode, _short(fraw), _short(rraw),
                       self.log[-1:], self.log[-12:-1]))
        return [to_py(node) for _raw, node in fk]

    def read_one(self, mode="exact"):
        return self.read(1, mode)[0]

    def read_norm(self, n, norm):
        """Read n frames from both sides; compare norm([nodes]) of each side
        and return fastkv's."""
        fk, rd = self.read_nodes(n)
        a = norm([node for _raw, node in fk])
        b = norm([node for _raw, node in rd])
        assert a == b, ("%s: frames differ after normalisation\n  fastkv: %r\n"
                        "  redis:  %r\n  last commands: %r"
                        % (self.name, a, b, self.log[-8:]))
        return a

    def expect_raw(self, cmd, *frames):
        """Send cmd (None: send nothing), then read len(frames) frames: each
        server must have sent exactly these bytes."""
        if cmd is not None:
            self.send(cmd)
        fk, rd = self.read_nodes(len(frames))
        fraws, rraws = [raw for raw, _ in fk], [raw for raw, _ in rd]
        assert fraws == rraws == list(frames), (
            "%s: after %r\n  fastkv:   %r\n  redis:    %r\n  expected: %r"
            % (self.name, self.log[-1:], fraws, rraws, list(frames)))

    def collect_until(self, stop, limit=5000):
        """Read frames from each side until ``stop(node)`` is true for one
        (included), not compared: ([(raw, node)] fastkv, [...] redis)."""
        out = []
        for conn, who in ((self.rd, "redis"), (self.fk, "fastkv")):
            frames = []
            while True:
                raw, node = self._read1(conn, who, limit, len(frames))
                frames.append((raw, node))
                if stop(node):
                    break
                if len(frames) >= limit:
                    raise AssertionError("%s/%s: no end marker within %d frames"
                                         % (self.name, who, limit))
            out.append(frames)
        rd, fk = out
        return fk, rd

    def quiet(self, wait=0.1):
        """Neither server sends anything more on this client."""
        self.rd.assert_no_data(wait)
        self.fk.assert_no_data(wait)

    # -- commands
    def call(self, cmd, mode=None):
        """Send one command, read and compare the reply of each side
        (``mode``, else the wrapper's, else exact); returns fastkv's as a
        Python value.  ``Sleep(s)``: sleeps, returns None."""
        if isinstance(cmd, Sleep):
            time.sleep(cmd.seconds)
            return None
        if isinstance(cmd, _Wrapped):
            mode, cmd = mode or cmd.mode, cmd.cmd
        self.send(cmd)
        return self.read(1, mode or "exact")[0]

    def calls(self, *cmds):
        return [self.call(c) for c in cmds]


class Twins:
    """``twins(n=1, resp3=False, prefix="c")`` -> n new ``Twin``s of a
    ``Compat`` named c0, c1, ... (numbered across calls); ``close()``
    closes them all.  flush=True: the first one made sends FLUSHALL."""

    def __init__(self, compat: "Compat", flush=False):
        self.compat = compat
        self.flush = flush
        self.made = []

    def __call__(self, n=1, resp3=False, prefix="c"):
        first = not self.made
        out = []
        for _ in range(n):
            out.append(self.compat.twin("%s%d" % (prefix, len(self.made)), resp3=resp3))
            self.made.append(out[-1])
        if first and self.flush and out:
            out[0].call("FLUSHALL")
        return out

    def close(self):
        for t in self.made:
            t.close()


class Compat:
    """Compare fastkv with a real redis-server.

    ``compat.check(*cmds, resp3=False, mode="exact", flush=True)`` opens one
    fresh connection to each server, sends FLUSHALL to both (unless
    flush=False), optionally HELLO 3, then each command to both servers and
    asserts the replies are identical (see module doc for per-command
    modes).  ``mode`` is the default mode for unwrapped commands:
    "exact" (raw bytes), "unordered", "type", "shape".

    ``compat.session(resp3=False, flush=True)`` gives a ``CompatSession`` to
    interleave checks with other test code (e.g. sleeps, side clients).

    ``compat.twin(name, resp3=False)`` gives a ``Twin``: sending and
    reading separately (pushed frames, pipelines, several clients).
    """

    Exact = Exact
    Unordered = Unordered
    TypeOnly = TypeOnly
    Shape = Shape
    NoCompare = NoCompare
    Sleep = Sleep

    def __init__(self, fk_server: ServerProcess, rd_server: ServerProcess,
                 timeout=DEFAULT_TIMEOUT):
        self.fk_server = fk_server
        self.rd_server = rd_server
        self.timeout = timeout

    def session(self, resp3=False, flush=True, mode="exact", auth=None) -> CompatSession:
        s = CompatSession(self.fk_server.raw(self.timeout),
                          self.rd_server.raw(self.timeout), default_mode=mode)
        try:
            if auth is not None:
                s.check(("AUTH",) + tuple(auth) if isinstance(auth, (tuple, list))
                        else ("AUTH", auth))
            if flush:
                s.check("FLUSHALL")
            if resp3:
                s.check(Shape("HELLO 3"))
        except BaseException:
            s.close()
            raise
        return s

    def check(self, *cmds, resp3=False, mode="exact", flush=True, auth=None):
        with self.session(resp3=resp3, flush=flush, mode=mode, auth=auth) as s:
            return s.check(*cmds)

    def twin(self, name="client", resp3=False, timeout=TWIN_TIMEOUT) -> Twin:
        """A ``Twin`` on the two servers (no FLUSHALL)."""
        fk = self.fk_server.raw(timeout)
        try:
            rd = self.rd_server.raw(timeout)
        except BaseException:
            fk.close()
            raise
        return Twin(fk, rd, name, resp3=resp3)
