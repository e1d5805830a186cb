"""Unit tests for fastkv.config, fastkv.cli and fastkv.log used as libraries.

Where behaviour is observable on a real redis-server 7.0.15 (start-up error
messages, CONFIG GET/SET replies, CONFIG REWRITE output) the tests run the
real binary side by side and require identical results; those tests are
skipped when redis-server is not installed.  Every redis-server started here
is killed in a finally block.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import time

import pytest

from fastkv import cli, log
from fastkv import config as C
from fastkv.config import Config, ConfigError, ConfigFileError

REDIS = shutil.which("redis-server")
needs_redis = pytest.mark.skipif(REDIS is None, reason="redis-server not installed")


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Resp:
    """Just enough RESP2 to talk to a real redis-server (no redis-py needed)."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.f = self.sock.makefile("rb")

    def close(self):
        self.f.close()
        self.sock.close()

    def __call__(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        return self._read()

    def _read(self):
        line = self.f.readline()[:-2]
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            return ConfigError(rest.decode())      # compared by text
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2]
            return data.decode("utf-8", "surrogateescape")
        if t == b"*":
            return [self._read() for _ in range(int(rest))]
        raise AssertionError("bad reply %r" % line)


def start_redis(args, cwd, port):
    """Start a real redis-server that must come up listening on ``port``."""
    p = subprocess.Popen([REDIS, *args], cwd=cwd, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 10
    while time.time() < deadline:
        if p.poll() is not None:
            raise AssertionError("redis-server exited: %r" % p.stderr.read())
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return p
        except OSError:
            time.sleep(0.05)
    p.kill()
    raise AssertionError("redis-server did not start")


def stop(p):
    if p.poll() is None:
        p.kill()
    p.wait()


def run_redis_expecting_exit(args, cwd, stdin=b""):
    """Run redis-server with a bad configuration: it must exit by itself."""
    p = subprocess.Popen([REDIS, *args], cwd=cwd, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = p.communicate(stdin, timeout=5)
    except subprocess.TimeoutExpired:
        raise AssertionError("redis-server %r started instead of failing" % (args,))
    finally:
        stop(p)
    return p.returncode, out, err


def run_fastkv_parse(args, capfdbinary, stdin=b""):
    """parse_args in-process; returns (exit code or None, stdout, stderr)."""
    code = None
    try:
        cli.parse_args(args, stdin=io.TextIOWrapper(io.BytesIO(stdin)))
    except SystemExit as e:
        code = e.code
    out, err = capfdbinary.readouterr()
    return code, out, err


_LOG_PREFIX = re.compile(rb"^\d+:[CMSX] \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3} ", re.M)


def strip_log_prefix(b: bytes) -> bytes:
    return _LOG_PREFIX.sub(b"", b)


@pytest.fixture(autouse=True)
def _isolate(tmp_path, monkeypatch):
    """Each test runs in its own directory (setting `dir` chdir()s) and with
    the logger reset to its start-up state."""
    monkeypatch.chdir(tmp_path)
    log.set_level(log.NOTICE)
    log.set_logfile("")
    log.set_role("C")
    yield


# ---------------------------------------------------------------------------
# defaults and typed access
# ---------------------------------------------------------------------------

def test_defaults_typed_and_canonical(tmp_path):
    cfg = Config()
    assert cfg["port"] == 6379 and cfg.get("port") == "6379"
    assert cfg["appendonly"] is False and cfg.get("appendonly") == "no"
    assert cfg["bind"] == ["127.0.0.1", "-::1"]
    assert cfg.get("bind") == "127.0.0.1 -::1"
    assert cfg["save"] == [(3600, 1), (300, 100), (60, 10000)]
    assert cfg.get("save") == "3600 1 300 100 60 10000"
    assert cfg["dir"] == str(tmp_path) and os.path.isabs(cfg.get("dir"))
    assert cfg.get("proto-max-bulk-len") == "536870912"
    assert cfg.get("client-query-buffer-limit") == "1073741824"
    assert cfg["databases"] == 16
    assert cfg["requirepass"] == "" and cfg["unixsocket"] == ""
    assert cfg["loglevel"] == "notice" and cfg["appendfsync"] == "everysec"
    assert cfg["protected-mode"] is False
    assert cfg["enable-debug-command"] == "no"
    assert cfg["notify-keyspace-events"] == 0
    assert cfg["replicaof"] is None
    assert cfg["shutdown-on-sigint"] == frozenset()
    assert cfg["client-output-buffer-limit"] == {
        "normal": (0, 0, 0), "replica": (256 << 20, 64 << 20, 60), "pubsub": (32 << 20, 8 << 20, 60)}
    assert cfg["latency-tracking-info-percentiles"] == [50.0, 99.0, 99.9]
    assert cfg.config_file is None
    with pytest.raises(KeyError):
        cfg.get("no-such-param")
    with pytest.raises(KeyError):
        cfg["no-such-param"]


def test_aliases_and_case():
    cfg = Config()
    assert cfg.get("SLAVE-READ-ONLY") == "yes"
    cfg.set("slave-read-only", "no")
    assert cfg["replica-read-only"] is False
    assert "Hash-Max-Ziplist-Entries" in cfg and "nope" not in cfg
    assert Config.param("lua-time-limit").name == "busy-reply-threshold"


def test_table_is_consistent():
    seen = set()
    for p in C.PARAMS:
        for n in (p.name, *p.aliases):
            assert n == n.lower() and n not in seen
            seen.add(n)
        Config()  # every default parses
    assert {"port", "bind", "save", "dir", "requirepass", "maxmemory"} <= seen


# ---------------------------------------------------------------------------
# low-level parsers
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("text,value", [
    ("0", 0), ("1", 1), ("1b", 1), ("1k", 1000), ("1kb", 1024), ("1K", 1000), ("1KB", 1024),
    ("1m", 10 ** 6), ("1mb", 1 << 20), ("1g", 10 ** 9), ("1gb", 1 << 30), ("100mb", 100 << 20),
    ("", 0), ("kb", 0), ("99999999999999999999", (1 << 64) - 1),
    ("-1", None), ("1x", None), ("1.5gb", None), (" 1", None), ("+1", None), ("1 kb", None),
])
def test_memtoull(text, value):
    assert C.memtoull(text) == value


@pytest.mark.parametrize("text,value", [
    ("0", 0), ("-1", -1), ("123", 123), ("9223372036854775807", (1 << 63) - 1),
    ("-9223372036854775808", -(1 << 63)), ("9223372036854775808", None), ("01", None),
    ("+1", None), ("-0", None), (" 1", None), ("1 ", None), ("", None), ("-", None), ("1e3", None),
])
def test_string2ll(text, value):
    assert C.string2ll(text) == value


@pytest.mark.parametrize("line,args", [
    ("port 6379", ["port", "6379"]),
    ("  a   b\tc  ", ["a", "b", "c"]),
    ('requirepass "a b\\n\\x41\\"" x', ["requirepass", 'a b\nA"', "x"]),
    ("'it\\'s' 'a\\nb'", ["it's", "a\\nb"]),
    ('save ""', ["save", ""]),
    ('ab"cd ef"', ["abcd ef"]),
    ('"\\xzz"', ["xzz"]),
    ("", []),
    ('"unbalanced', None),
    ("'unbalanced", None),
    ('"a"b', None),
    ("'a'b", None),
])
def test_split_args(line, args):
    assert C.split_args(line) == args


def test_split_args_bytes_and_repr_roundtrip():
    assert C.split_args_bytes(b'"\\xff\\x00z"') == [b"\xff\x00z"]
    for s in ["plain", "with space", 'q"uote', "back\\slash", "nl\nx", "tab\t", "\x07\x08\r",
              C.decode_value(bytes(range(256))), "ünïcødé", ""]:
        r = C.repr_arg(s)
        assert r.isascii()
        assert C.split_args("x " + r) == ["x", s]
    assert C.repr_arg('se cr"et') == '"se cr\\"et"'


@pytest.mark.parametrize("pattern,string,nocase,result", [
    # Redis quirk (checked with PSUBSCRIBE *): "*" does not match "".
    ("*", "anything", False, True), ("*", "", False, False), ("a*", "abc", False, True),
    ("a*c", "abbbc", False, True), ("a*c", "abbbd", False, False), ("?", "a", False, True),
    ("?", "", False, False), ("a?c", "abc", False, True), ("[abc]x", "bx", False, True),
    ("[^abc]x", "bx", False, False), ("[^abc]x", "dx", False, True), ("[a-c]", "b", False, True),
    ("[c-a]", "b", False, True), ("[a-c]", "d", False, False), ("\\*", "*", False, True),
    ("\\*", "a", False, False), ("a[\\]]b", "a]b", False, True), ("PORT", "port", True, True),
    ("PORT", "port", False, False), ("[A-C]x", "bx", True, True), ("*max*", "maxmemory", True, True),
    ("a**b", "ab", False, True), ("[abc", "a", False, True), ("*a*b*c*", "aXbXc", False, True),
])
def test_stringmatch(pattern, string, nocase, result):
    assert C.stringmatch(pattern, string, nocase) is result


# ---------------------------------------------------------------------------
# set / config_set / config_get
# ---------------------------------------------------------------------------

def test_set_parses_and_canonicalises():
    cfg = Config()
    cfg.set("maxmemory", "1gb")
    assert cfg["maxmemory"] == 1 << 30 and cfg.get("maxmemory") == "1073741824"
    cfg.set("hash-max-listpack-value", "1k")
    assert cfg.get("hash-max-listpack-value") == "1000"
    cfg.set("appendfsync", "ALWAYS")
    assert cfg.get("appendfsync") == "always"
    cfg.set("activerehashing", "NO")
    assert cfg["activerehashing"] is False
    cfg.set("save", "")
    assert cfg["save"] == [] and cfg.get("save") == ""
    cfg.set("save", "010 +5")
    assert cfg.get("save") == "10 5"
    cfg.set("notify-keyspace-events", "KEA")
    assert cfg.get("notify-keyspace-events") == "AKE"
    assert cfg["notify-keyspace-events"] == C.NOTIFY_ALL | C.NOTIFY_KEYSPACE | C.NOTIFY_KEYEVENT
    cfg.set("maxmemory-clients", "10%")
    assert cfg["maxmemory-clients"] == -10 and cfg.get("maxmemory-clients") == "10%"
    cfg.set("shutdown-on-sigint", "now save")
    assert cfg.get("shutdown-on-sigint") == "save now"
    assert cfg["shutdown-on-sigint"] == {"save", "now"}
    cfg.set("oom-score-adj", "relative")
    assert cfg.get("oom-score-adj") == "yes"
    cfg.set("hz", "1000")
    assert cfg["hz"] == 500
    cfg.set("hz", "0")
    assert cfg["hz"] == 1
    cfg.set("client-output-buffer-limit", "pubsub 1mb 2k 3")
    assert cfg["client-output-buffer-limit"]["pubsub"] == (1 << 20, 2000, 3)
    assert cfg["client-output-buffer-limit"]["normal"] == (0, 0, 0)
    cfg.set("bind", "")
    assert cfg["bind"] == []
    cfg.set("latency-tracking-info-percentiles", "50 99.5 100")
    assert cfg.get("latency-tracking-info-percentiles") == "50 99.5 100"


def test_set_errors():
    cfg = Config()
    with pytest.raises(ConfigError, match="^can't set immutable config$"):
        cfg.set("databases", "4")
    cfg.set("databases", "4", startup=True)
    assert cfg["databases"] == 4
    with pytest.raises(ConfigError, match="^Unknown option or number of arguments for "
                                          "CONFIG SET - 'nope'$"):
        cfg.set("nope", "1")
    with pytest.raises(ConfigError, match="^argument must be 'yes' or 'no'$"):
        cfg.set("appendonly", "maybe")
    with pytest.raises(ConfigError, match="^dbfilename can't be a path, just a filename$"):
        cfg.set("dbfilename", "a/b")
    assert cfg.get("appendonly") == "no" and cfg.get("dbfilename") == "dump.rdb"


def test_dir_chdirs(tmp_path):
    cfg = Config()
    (tmp_path / "sub").mkdir()
    cfg.set("dir", "sub")
    assert os.getcwd() == str(tmp_path / "sub") == cfg["dir"]
    with pytest.raises(ConfigError, match="^No such file or directory$"):
        cfg.set("dir", "/nonexistent-fastkv-dir")
    assert os.getcwd() == cfg["dir"]


def test_config_set_messages():
    cfg = Config()

    def err(*flat):
        with pytest.raises(ConfigError) as ei:
            cfg.config_set(list(zip(flat[::2], flat[1::2])))
        return str(ei.value)

    fail = "CONFIG SET failed (possibly related to argument '%s') - %s"
    assert err("foo", "bar") == "Unknown option or number of arguments for CONFIG SET - 'foo'"
    assert err("port", "1", "foo", "2") == \
        "Unknown option or number of arguments for CONFIG SET - 'foo'"
    assert err("DATABASES", "3", "foo", "2") == fail % ("DATABASES", "can't set immutable config")
    assert err("dir", "/tmp") == fail % ("dir", "can't set protected config")
    assert err("port", "1", "PORT", "2") == fail % ("PORT", "duplicate parameter")
    assert err("port", "abc") == fail % ("port", "argument couldn't be parsed into an integer")
    assert err("SLAVE-READ-ONLY", "x") == fail % ("slave-read-only",
                                                  "argument must be 'yes' or 'no'")
    assert err("loglevel", "nothing") == fail % (
        "loglevel", "argument(s) must be one of the following: debug, verbose, notice, warning")
    assert err("save", "3600  1") == fail % ("save", "Invalid save parameters")
    assert err("maxclients", "0") == fail % (
        "maxclients", "argument must be between 1 and 4294967295 inclusive")
    # nothing above changed anything
    assert Config().config_get(["*"]) == cfg.config_get(["*"])


def test_config_set_is_atomic_and_sequential():
    cfg = Config()
    with pytest.raises(ConfigError):
        cfg.config_set([("maxmemory", "1mb"), ("timeout", "-1")])
    assert cfg["maxmemory"] == 0
    # an alias and its primary name are not "duplicates": the later one wins
    cfg.config_set([("slave-read-only", "no"), ("replica-read-only", "yes")])
    assert cfg["replica-read-only"] is True
    cfg.config_set([("maxmemory", "2mb"), ("maxmemory-policy", "allkeys-lru")])
    assert (cfg["maxmemory"], cfg["maxmemory-policy"]) == (2 << 20, "allkeys-lru")


def test_config_set_protected(tmp_path):
    cfg = Config()
    cfg.set("enable-protected-configs", "local", startup=True)
    with pytest.raises(ConfigError, match="can't set protected config"):
        cfg.config_set([("dbfilename", "x.rdb")])
    cfg.config_set([("dbfilename", "x.rdb")], is_local_client=True)
    assert cfg["dbfilename"] == "x.rdb"
    cfg.set("enable-protected-configs", "yes", startup=True)
    (tmp_path / "d").mkdir()
    cfg.config_set([("dir", str(tmp_path / "d"))])
    assert os.getcwd() == str(tmp_path / "d")


def test_on_change_callbacks_and_veto(tmp_path):
    cfg = Config()
    calls = []
    cfg.on_change("port", lambda n, v: calls.append((n, v)))
    cfg.on_change("slave-read-only", lambda n, v: calls.append((n, v)))
    cfg.config_set([("port", "6379")])               # unchanged: no call
    assert calls == []
    cfg.config_set([("port", "7000"), ("slave-read-only", "no")])
    assert calls == [("port", 7000), ("replica-read-only", False)]

    def veto(name, value):
        if value == 7001:
            raise ConfigError("Unable to listen on this port. Check server logs.")
    cfg.on_change("port", veto)
    calls.clear()
    with pytest.raises(ConfigError) as ei:
        cfg.config_set([("hz", "20"), ("port", "7001")])
    assert str(ei.value) == ("CONFIG SET failed (possibly related to argument 'port') - "
                             "Unable to listen on this port. Check server logs.")
    assert cfg["port"] == 7000 and cfg["hz"] == 10
    # the callback saw the new port, then the restored one
    assert calls == [("port", 7001), ("port", 7000)]
    with pytest.raises(ConfigError, match="^Unable to listen"):
        cfg.set("port", "7001")
    assert cfg["port"] == 7000


def test_config_get_semantics():
    cfg = Config()
    assert cfg.config_get(["PORT"]) == [("PORT", "6379")]            # echoed as typed
    assert cfg.config_get(["port", "PORT", "po*"]) == [("port", "6379")]
    assert cfg.config_get(["nope"]) == [] and cfg.config_get(["zzz*"]) == []
    names = dict(cfg.config_get(["slave*"]))
    assert "slave-read-only" in names and "slaveof" in names and "replicaof" not in names
    everything = dict(cfg.config_get(["*"]))
    assert "replica-read-only" in everything and "slave-read-only" in everything
    assert len(everything) == sum(1 + len(p.aliases) for p in C.PARAMS)
    assert set(dict(cfg.config_get(["maxmemory*", "maxmemory"]))) == {
        "maxmemory", "maxmemory-policy", "maxmemory-samples", "maxmemory-eviction-tenacity",
        "maxmemory-clients"}


def test_misc_helpers():
    cfg = Config()
    assert cfg.is_sensitive("requirepass") and cfg.is_sensitive("MASTERAUTH")
    assert not cfg.is_sensitive("port") and not cfg.is_sensitive("nope")
    assert not cfg.allows("enable-debug-command", True)
    cfg.set("enable-debug-command", "local", startup=True)
    assert cfg.allows("enable-debug-command", True)
    assert not cfg.allows("enable-debug-command", False)


# ---------------------------------------------------------------------------
# loading configuration text
# ---------------------------------------------------------------------------

def test_load_string_save_semantics():
    cfg = Config()
    cfg.load_string("save 100 1\nsave 200 2\n")
    assert cfg["save"] == [(100, 1), (200, 2)]
    cfg = Config()
    cfg.load_string('save 100 1\nsave ""\nsave 60 5\n')
    assert cfg["save"] == [(60, 5)]
    cfg = Config()
    cfg.load_string('save "100 1 200 2"\n')           # one quoted argument is split
    assert cfg["save"] == [(100, 1), (200, 2)]


def test_load_string_directives(tmp_path):
    (tmp_path / "inc").mkdir()
    (tmp_path / "inc" / "a.conf").write_text("maxmemory 1mb\n")
    (tmp_path / "inc" / "b.conf").write_text("hz 20\n")
    cfg = Config()
    cfg.load_string("# comment\n\n  port 7777  \r\ninclude inc/*.conf\ninclude none*.conf\n"
                    "list-max-ziplist-entries 5\nrename-command KEYS \"\"\n"
                    "user alice on >pw ~* +@all\nDATABASES 4\n"
                    "client-output-buffer-limit \"replica 1mb 1mb 0\"\n")
    assert (cfg["port"], cfg["maxmemory"], cfg["hz"], cfg["databases"]) == (7777, 1 << 20, 20, 4)
    assert cfg.rename_commands == [("KEYS", "")]
    assert cfg.users == [["alice", "on", ">pw", "~*", "+@all"]]
    assert cfg["client-output-buffer-limit"]["replica"] == (1 << 20, 1 << 20, 0)


@pytest.mark.parametrize("text,linenum,line,msg", [
    ("port 1\nfoo bar\n", 2, "foo bar", "Bad directive or wrong number of arguments"),
    ('port 1\n  "unbalanced\n', 2, '"unbalanced', "Unbalanced quotes in configuration line"),
    ("\n\n   port   1   2  \n", 3, "port   1   2", "wrong number of arguments"),
    ("loglevel\n", 1, "loglevel", "wrong number of arguments"),
    ("sentinel monitor x\n", 1, "sentinel monitor x",
     "sentinel directive while not in sentinel mode"),
    ("mod.opt\n", 1, "mod.opt", "Module config specified without value"),
])
def test_load_string_errors(text, linenum, line, msg):
    with pytest.raises(ConfigFileError) as ei:
        Config().load_string(text)
    assert (ei.value.linenum, ei.value.line, ei.value.msg) == (linenum, line, msg)


def test_include_error_reports_included_line(tmp_path):
    (tmp_path / "a.conf").write_text("hz 5\nbogus 1\n")
    with pytest.raises(ConfigFileError) as ei:
        Config().load_string("port 1\ninclude a.conf\n")
    assert (ei.value.linenum, ei.value.line) == (2, "bogus 1")
    with pytest.raises(C.ConfigStartupError, match="can't open config file 'nope.conf'"):
        Config().load_string("include nope.conf\n")


# ---------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------

def test_build_options():
    bo = cli.build_options
    assert bo(["--port", "7777"]) == (None, False, 'port "7777" ')
    assert bo(["--save", "--port", "1"]) == (None, False, 'save ""\nport "1" ')
    assert bo(["--port", "1", "--save"]) == (None, False, 'port "1" \nsave ""')
    assert bo(["--bind", "a", "b"]) == (None, False, 'bind "a" "b" ')
    assert bo(["--port 7777", "--hz", "5"]) == (None, False, 'port 7777 \nhz "5" ')
    assert bo(["-"]) == (None, True, "")
    assert bo(["--port", "1", "-"]) == (None, True, 'port "1" ')
    assert bo(["--port", "-", "--hz", "1"])[1:] == (False, 'port "-" \nhz "1" ')
    f, stdin, opts = bo(["my.conf", "--hz", "5", "-"])
    assert f == os.path.abspath("my.conf") and stdin and opts == 'hz "5" '


def test_parse_args_precedence(tmp_path, capfdbinary):
    conf = tmp_path / "r.conf"
    conf.write_text("port 1111\nhz 5\nmaxmemory 1mb\nsave 100 1\n")
    cfg = cli.parse_args([str(conf), "--port", "2222", "--port", "3333", "--save", "",
                          "--bind", "127.0.0.1", "::1", "--appendonly", "yes"])
    assert cfg.config_file == str(conf)
    assert (cfg["port"], cfg["hz"], cfg["maxmemory"]) == (3333, 5, 1 << 20)
    assert cfg["save"] == [] and cfg["bind"] == ["127.0.0.1", "::1"] and cfg["appendonly"]
    cfg = cli.parse_args(["r.conf", "-"], stdin=io.TextIOWrapper(io.BytesIO(b"hz 7\n")))
    assert cfg.config_file == str(conf) and (cfg["port"], cfg["hz"]) == (1111, 7)
    assert b"Reading config from stdin" in capfdbinary.readouterr().out
    assert cli.parse_args([]).config_file is None


def test_parse_args_version_and_help(capfdbinary):
    code, out, err = run_fastkv_parse(["--version"], capfdbinary)
    assert code == 0 and out.startswith(b"fastkv server v=") and b"redis_version=7.0.15" in out
    code, out, err = run_fastkv_parse(["-v"], capfdbinary)
    assert code == 0 and b"v=" in out
    code, out, err = run_fastkv_parse(["-h"], capfdbinary)
    assert code == 1 and err.startswith(b"Usage: fastkv-server")
    code, out, err = run_fastkv_parse(["--help"], capfdbinary)
    assert code == 1 and b"Examples:" in err


def test_parse_args_error_format(capfdbinary):
    code, out, err = run_fastkv_parse(["--foo", "bar"], capfdbinary)
    assert code == 1
    assert err == (b"\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
                   b"Reading the configuration file, at line 2\n"
                   b">>> 'foo \"bar\"'\n"
                   b"Bad directive or wrong number of arguments\n")
    code, out, err = run_fastkv_parse(["--loadmodule", "/x.so"], capfdbinary)
    assert code == 1 and b"Can't load module from /x.so: server aborting" in out


# --- side by side with the real redis-server --------------------------------

ARGV_CASES = [
    ["--foo", "bar"], ["--port", "abc"], ["--port"], ["--port", "1", "2"],
    ["--loglevel", "nothing"], ["--maxmemory", "1x"], ["--appendfsync", "foo"],
    ["--save", "1"], ["--save", "0", "1"], ["--databases", "0"], ["--unixsocketperm", "999"],
    ["--unixsocketperm", "-1"], ["--unixsocketperm", "1000"], ["--dbfilename", "a/b"],
    ["--notify-keyspace-events", "Q"], ["--client-output-buffer-limit", "foo 1 2 3"],
    ["--client-output-buffer-limit", "normal 1 2"], ["--activerehashing", "maybe"],
    ["-x"], ["--port", "1", "-", "--hz", "1"], ["--bind"] + [str(i) for i in range(17)],
    ["--dir", "/nonexistent-fastkv-dir"], ["--logfile", "/nonexistent-fastkv-dir/x.log"],
    ["--requirepass", 'a"b\nc\x01', "d"], ["--rename-command", "GET"],
    ["--proto-max-bulk-len", "99999999999999999999"], ["--maxmemory-clients", "200%"],
    ["--shutdown-on-sigint", "save nosave"], ["--replicaof", "host", "port"],
    ["--oom-score-adj-values", "1 2"], ["--latency-tracking-info-percentiles", "101"],
    ["--appendfilename", ""], ["--appenddirname", "a/b"], ["--save", "--port", "1", "--hz", "x"],
    ["--hz", "5", "--version"], ["--port", "1", "-h"], ["--include"], ["--slave-read-only", "x"],
]


@needs_redis
@pytest.mark.parametrize("argv", ARGV_CASES, ids=lambda a: " ".join(a)[:40])
def test_cli_errors_match_redis(argv, tmp_path, capfdbinary):
    rc, _, rerr = run_redis_expecting_exit(argv, tmp_path)
    code, _, ferr = run_fastkv_parse(argv, capfdbinary)
    assert (code, ferr) == (rc, rerr)


FILE_CASES = [
    ("port 1\nfoo bar\n", []),
    ("# comment\n\n   port   1   2  \n", []),
    ('port 1\n  "unbalanced\n', []),
    ("port 1\n", ["--hz", "abc"]),                     # line = file lines + 1
    ("port 1", ["--hz", "abc"]),                       # no trailing newline
    ("include inc/a.conf\n", []),
    ("include nope.conf\n", []),
    ("save 100 1\nloglevel\n", []),
]


@needs_redis
@pytest.mark.parametrize("text,extra", FILE_CASES)
def test_file_errors_match_redis(text, extra, tmp_path, capfdbinary):
    (tmp_path / "inc").mkdir()
    (tmp_path / "inc" / "a.conf").write_text("hz 10\nbogus 1\n")
    (tmp_path / "r.conf").write_text(text)
    argv = ["r.conf", *extra]
    rc, rout, rerr = run_redis_expecting_exit(argv, tmp_path)
    code, fout, ferr = run_fastkv_parse(argv, capfdbinary)
    assert (code, ferr, strip_log_prefix(fout)) == (rc, rerr, strip_log_prefix(rout))


@needs_redis
def test_stdin_errors_match_redis(tmp_path, capfdbinary):
    for argv, data in [(["-"], b"hz 5\nbogus\n"), (["--hz", "5", "-"], b"port x\n")]:
        rc, rout, rerr = run_redis_expecting_exit(argv, tmp_path, stdin=data)
        code, fout, ferr = run_fastkv_parse(argv, capfdbinary, stdin=data)
        assert (code, ferr, strip_log_prefix(fout)) == (rc, rerr, strip_log_prefix(rout))


VALID_ARGV_CASES = [
    (["--save", "--loglevel", "verbose"], ["save", "loglevel"]),
    (["--save"], ["save"]),
    (["--save", "100", "1", "--save", "200", "2"], ["save"]),
    (["--save", "100 1 200 2"], ["save"]),
    (["--hz 42", "--maxmemory", "1gb", "--maxmemory", "2mb"], ["hz", "maxmemory"]),
    (["--client-output-buffer-limit", "pubsub", "1mb", "1mb", "0", "replica", "1k", "2kb", "3"],
     ["client-output-buffer-limit"]),
    (["--client-output-buffer-limit", "pubsub 1mb 1mb 0"], ["client-output-buffer-limit"]),
    (["--notify-keyspace-events", "KEA", "--list-max-ziplist-entries", "5"],
     ["notify-keyspace-events"]),
    (["--requirepass", "a b\"c", "--SLAVE-READ-ONLY", "no"], ["requirepass", "replica-read-only"]),
    (["r.conf", "--hz", "33"], ["save", "hz", "maxmemory", "loglevel"]),
    (["r.conf", "--save", ""], ["save"]),
    (["--bind", "127.0.0.1", "--shutdown-on-sigterm", "now", "force"],
     ["bind", "shutdown-on-sigterm"]),
]


@needs_redis
@pytest.mark.parametrize("argv,names", VALID_ARGV_CASES, ids=lambda a: " ".join(a)[:40])
def test_cli_values_match_redis(argv, names, tmp_path):
    (tmp_path / "r.conf").write_text("save 100 1\nsave 200 2\nhz 5\nmaxmemory 1mb\n"
                                     "include inc.conf\n")
    (tmp_path / "inc.conf").write_text("loglevel warning\n")
    port = free_port()
    full = [*argv, "--port", str(port)]
    if full[0] != "r.conf":
        full = ["--port", str(port), *argv]   # a trailing --save would eat a following --port
    p = start_redis(full, tmp_path, port)
    try:
        conn = Resp(port)
        if "requirepass" in names:
            conn("AUTH", 'a b"c')
        theirs = [tuple(conn("CONFIG", "GET", n)) for n in names]
        conn.close()
    finally:
        stop(p)
    cfg = cli.parse_args(full)
    assert [cfg.config_get([n])[0] for n in names] == theirs


# --- CONFIG GET / SET against a running redis-server -------------------------

@pytest.fixture(scope="module")
def real(tmp_path_factory):
    if REDIS is None:
        pytest.skip("redis-server not installed")
    d = tmp_path_factory.mktemp("redis")
    port = free_port()
    p = start_redis(["--port", str(port), "--save", "", "--appendonly", "no",
                     "--logfile", str(d / "redis.log"), "--dir", str(d)], d, port)
    conn = Resp(port)
    try:
        yield conn
    finally:
        conn.close()
        stop(p)


# Parameters where fastkv deliberately differs, or that the fixture sets.
_DIFFERENT_DEFAULTS = {"bind", "protected-mode", "dir", "port", "save", "logfile"}


def test_defaults_match_redis(real):
    theirs = dict(zip(*[iter(real("CONFIG", "GET", "*"))] * 2))
    ours = dict(Config().config_get(["*"]))
    missing = set(ours) - set(theirs)
    assert not missing, "not in redis 7.0.15: %s" % missing
    diff = {k: (ours[k], theirs[k]) for k in ours
            if k not in _DIFFERENT_DEFAULTS and ours[k] != theirs[k]}
    assert not diff


@pytest.mark.parametrize("pattern", ["*", "slave*", "*max*", "*-read-only", "[ab]*", "?z*",
                                     "MAXMEMORY*", "*[^a-z-]*", "repl*", "*e?s"])
def test_config_get_globs_match_redis(real, pattern):
    ours = set(Config().config_get([pattern]))
    names = {n for n, _ in ours}
    theirs = {n for n in real("CONFIG", "GET", pattern)[::2] if n in Config()}
    assert names == theirs


SET_CASES = [
    ["foo", "bar"], ["port", "abc"], ["databases", "3"], ["port", "1", "port", "2"],
    ["hz", "1", "foo", "2"], ["foo", "1", "databases", "2"], ["databases", "3", "foo", "2"],
    ["maxmemory", "1x"], ["maxmemory", "-1"], ["loglevel", "nothing"], ["save", "1"],
    ["save", "3600  1"], ["save", "0 1"], ["save", "10 -1"], ["save", "10 1x"],
    ["save", " 10 5"], ["appendonly", "maybe"], ["SLAVE-READ-ONLY", "maybe"],
    ["DATABASES", "1"], ["HZ", "x"], ["maxmemory-samples", "0"], ["slowlog-max-len", "-1"],
    ["maxclients", "0"], ["maxclients", "-1"], ["maxmemory-clients", "200%"],
    ["maxmemory-clients", "1x"], ["maxmemory-clients", "-5"], ["shutdown-on-sigint", "save nosave"],
    ["shutdown-on-sigint", "bogus"], ["shutdown-on-sigint", ""], ["notify-keyspace-events", "Q"],
    ["latency-tracking-info-percentiles", "101"], ["latency-tracking-info-percentiles", "abc"],
    ["oom-score-adj-values", "1 2"], ["oom-score-adj-values", "1 2 9999"],
    ["client-output-buffer-limit", "master 1 2 3"], ["client-output-buffer-limit", "normal 1 2 -3"],
    ["client-output-buffer-limit", "normal 1 2"], ["client-output-buffer-limit", "normal 1 1 2147483648"],
    ["list-max-listpack-size", "01"], ["dir", "/tmp"], ["dbfilename", "x"], ["appendfilename", "x"],
    ["logfile", "x"], ["replicaof", "no one"], ["slaveof", "no one"], ["unixsocket", "/tmp/x"],
    ["bind", " ".join(str(i) for i in range(17))], ["proto-max-bulk-len", "1k"],
    ["client-query-buffer-limit", "1k"], ["timeout", "1", "timeout", "x"],
    ["requirepass", "x", "masterauth", "y", "hz", "bad"], ["appendfsync", "sometimes"],
    ["active-expire-effort", "11"], ["unixsocketperm", "777"], ["list-max-listpack-size", "-2147483649"],
]


@pytest.mark.parametrize("flat", SET_CASES, ids=lambda a: " ".join(a)[:40])
def test_config_set_errors_match_redis(real, flat):
    before = real("CONFIG", "GET", "*")
    theirs = real("CONFIG", "SET", *flat)
    cfg = Config()
    try:
        cfg.config_set(list(zip(flat[::2], flat[1::2])))
        ours = "OK"
    except ConfigError as e:
        ours = "ERR " + str(e)
    theirs = theirs if theirs == "OK" else str(theirs)
    assert ours == theirs
    assert theirs != "OK", "case should fail: it would change the shared server"
    assert real("CONFIG", "GET", "*") == before


VALUE_CASES = [
    ("maxmemory", "1gb"), ("maxmemory", "1KB"), ("maxmemory", ""), ("maxmemory", "kb"),
    ("maxmemory", "99999999999999999999"), ("maxmemory", "20000000000gb"),
    ("hash-max-listpack-value", "1k"), ("appendfsync", "ALWAYS"), ("activerehashing", "YES"),
    ("save", "3600 1 300 100"), ("save", ""), ("save", "10 0"), ("save", "010 +5"),
    ("save", "10 "), ("save", "10 4294967297"),
    ("client-output-buffer-limit", "normal 1mb 2k 3"),
    ("client-output-buffer-limit", "replica 1 2 3 pubsub 4 5 6"),
    ("client-output-buffer-limit", "slave 1gb 1 4294967297"), ("client-output-buffer-limit", ""),
    ("notify-keyspace-events", "KEA"), ("notify-keyspace-events", "Exg"),
    ("notify-keyspace-events", "AKEm"), ("notify-keyspace-events", "g$lshzxetd"),
    ("notify-keyspace-events", "n"), ("notify-keyspace-events", "$hx"),
    ("maxmemory-clients", "10%"), ("maxmemory-clients", "0%"), ("maxmemory-clients", "5mb"),
    ("shutdown-on-sigint", "save now force"), ("shutdown-on-sigint", "default save"),
    ("shutdown-on-sigterm", "NOW"), ("oom-score-adj", "relative"), ("oom-score-adj", "absolute"),
    ("latency-tracking-info-percentiles", "50 99.5 100"),
    ("latency-tracking-info-percentiles", ""), ("latency-tracking-info-percentiles", "0.001 1e1"),
    ("hz", "0"), ("hz", "1000"), ("hz", "37"), ("list-max-listpack-size", "-5"),
    ("slowlog-log-slower-than", "-1"), ("maxclients", "4294967295"), ("requirepass", 'a "b'),
    ("acl-pubsub-default", "allchannels"), ("oom-score-adj-values", "-5 0 2000"),
    ("maxmemory-policy", "ALLKEYS-LFU"), ("repl-backlog-size", "1g"),
]


@pytest.mark.parametrize("name,value", VALUE_CASES, ids=lambda v: str(v)[:30])
def test_config_set_values_match_redis(real, name, value):
    orig = real("CONFIG", "GET", name)[1]
    try:
        theirs = real("CONFIG", "SET", name, value)
        assert theirs == "OK", theirs
        theirs = real("CONFIG", "GET", name)
    finally:
        real("CONFIG", "SET", name, orig)
        real("AUTH", "x") if name == "requirepass" else None
    cfg = Config()
    cfg.config_set([(name, value)])
    assert cfg.config_get([name]) == [tuple(theirs)]


# --- CONFIG REWRITE ----------------------------------------------------------

REWRITE_CONF = """\
# my config
port {port}
rename-command KEYS ""
include {inc}
save 100 1
save 200 2
maxmemory 1000000
slave-read-only yes
hash-max-ziplist-entries 100
loglevel notice
logfile {log}



# end
"""


@needs_redis
def test_rewrite_matches_redis(tmp_path):
    port = free_port()
    (tmp_path / "empty.conf").write_text("")
    text = REWRITE_CONF.format(port=port, inc=tmp_path / "empty.conf", log=tmp_path / "r.log")
    (tmp_path / "theirs.conf").write_text(text)
    (tmp_path / "ours.conf").write_text(text)
    sets = [("maxmemory", "2gb"), ("save", "300 5"), ("hz", "20"), ("maxmemory-clients", "5%"),
            ("client-output-buffer-limit", "normal 1mb 1000 5"),
            ("notify-keyspace-events", "Kx"), ("replica-read-only", "no"),
            ("masterauth", 'se cr"et\n'), ("unixsocketperm", "0"), ("timeout", "0")]
    p = start_redis([str(tmp_path / "theirs.conf")], tmp_path, port)
    try:
        conn = Resp(port)
        for name, value in sets:
            if name != "unixsocketperm":
                assert conn("CONFIG", "SET", name, value) == "OK"
        with open(tmp_path / "theirs.conf", "a") as f:
            f.write("bogusline x\n")          # edited after start-up
        assert conn("CONFIG", "REWRITE") == "OK"
        conn.close()
    finally:
        stop(p)

    cfg = cli.parse_args([str(tmp_path / "ours.conf")])
    for name, value in sets:
        if name != "unixsocketperm":
            cfg.config_set([(name, value)])
    with open(tmp_path / "ours.conf", "a") as f:
        f.write("bogusline x\n")
    cfg.rewrite()
    theirs = (tmp_path / "theirs.conf").read_text().split("\n")
    ours = (tmp_path / "ours.conf").read_text().split("\n")
    sig = "# Generated by CONFIG REWRITE"
    # The rewritten old lines must be identical; the appended part may come
    # in another order (Redis walks a hash table) and fastkv has no ACL users.
    assert ours[:ours.index(sig)] == theirs[:theirs.index(sig)]
    tail = lambda lines: sorted(x for x in lines[lines.index(sig):] if not x.startswith("user "))
    assert tail(ours) == tail(theirs)


def test_rewrite_basics(tmp_path):
    cfg = Config()
    with pytest.raises(ConfigError, match="^The server is running without a config file$"):
        cfg.rewrite()
    path = tmp_path / "new.conf"
    cfg.config_file = str(path)
    cfg.set("requirepass", "pw")
    cfg.set("bind", "0.0.0.0")
    cfg.rewrite()                               # file does not exist yet: created
    lines = path.read_text().splitlines()
    assert lines[0] == "# Generated by CONFIG REWRITE"
    assert 'requirepass "pw"' in lines and "bind 0.0.0.0" in lines
    assert 'dir "%s"' % tmp_path in lines
    assert not any(x.startswith("port ") for x in lines)        # defaults are left out
    cfg.set("requirepass", "")
    cfg.set("save", "")
    cfg.rewrite()
    lines = path.read_text().splitlines()
    assert not any(x.startswith("requirepass") for x in lines) and 'save ""' in lines
    assert lines.count("# Generated by CONFIG REWRITE") == 1
    reloaded = Config()
    reloaded.load_file(str(path))
    assert reloaded.config_get(["*"]) == cfg.config_get(["*"])
    os.chmod(tmp_path, 0o500)
    try:
        if os.geteuid() != 0:                   # root ignores directory permissions
            with pytest.raises(ConfigError, match="^Rewriting config file: Permission denied$"):
                cfg.rewrite()
    finally:
        os.chmod(tmp_path, 0o700)


# ---------------------------------------------------------------------------
# log
# ---------------------------------------------------------------------------

def test_log_format():
    t = time.mktime((2026, 11, 26, 14, 31, 23, 0, 0, -1)) + 0.1234
    assert log.format_line(log.NOTICE, "hello", pid=42, role="M", now=t) == \
        "42:M 26 Nov 2026 14:31:23.123 * hello"
    marks = [log.format_line(lv, "x", pid=1, role="M", now=t).split()[5]
             for lv in (log.DEBUG, log.VERBOSE, log.NOTICE, log.WARNING)]
    assert marks == [".", "-", "*", "#"]
    assert log.format_line(log.WARNING | log.RAW, "logo") == "logo"


def test_log_levels_and_logfile(tmp_path, capfdbinary):
    cfg = Config()
    cfg.set("logfile", str(tmp_path / "f.log"), startup=True)
    cfg.set("loglevel", "warning")
    log.setup(cfg)
    log.log(log.NOTICE, "dropped")
    log.log(log.WARNING, "kept")
    cfg.config_set([("loglevel", "debug")])             # followed via on_change
    assert log.enabled(log.DEBUG)
    log.log(log.DEBUG, "debug now")
    lines = (tmp_path / "f.log").read_text().splitlines()
    assert [x.split(" ", 5)[5] for x in lines] == ["# kept", ". debug now"]
    assert re.match(r"^%d:M \d\d \w{3} \d{4} [\d:]{8}\.\d{3} # kept$" % os.getpid(), lines[0])
    assert capfdbinary.readouterr().out == b""
    log.setup(cfg)                                      # idempotent
    log.set_logfile("")
    log.log(log.WARNING, "to stdout")
    assert capfdbinary.readouterr().out.endswith(b" # to stdout\n")
