"""Client-side caching (CLIENT TRACKING) over real connections, fastkv beside
redis-server 7.0.

Each scenario is a function of a `Scene` (named raw connections to one
server): it runs on fastkv and on redis-server, and what every connection
received (replies and pushed invalidations, byte for byte, with client ids
replaced by names) must be the same.  A few checks whose outcome Redis leaves
to chance (tracking-table-max-keys picks keys at random) compare shapes.
"""
import re
import time

import pytest
import redis

from kvtest import RawConn

WAIT = 0.12         # time for pushes / BCAST broadcasts to arrive


class Scene:
    """Named connections to one server and a transcript of all they got."""

    def __init__(self, port):
        self.port = port
        self.conns = {}
        self.ids = {}
        self.log = []

    def conn(self, name, resp3=False):
        c = RawConn(port=self.port, timeout=5)
        self.conns[name] = c
        if resp3:
            c.call_raw("HELLO", "3")
        self.ids[name] = c.call("CLIENT", "ID")
        return c

    def id(self, name):
        return str(self.ids[name])

    def norm(self, data):
        for name, cid in sorted(self.ids.items(), key=lambda kv: -len(str(kv[1]))):
            data = data.replace(b":%d\r\n" % cid, b":<%s>\r\n" % name.encode())
            data = data.replace(b"redir=%d " % cid, b"redir=<%s> " % name.encode())
        return data

    def do(self, name, *args):
        """Run a command on connection `name`; log and return its reply."""
        raw = self.conns[name].call_raw(*args)
        ids_inside = [a.upper() for a in args[:2]] in (["CLIENT", "GETREDIR"], ["CLIENT", "TRACKINGINFO"],
                                                       ["CLIENT", "ID"])
        names = {str(v): "<%s>" % k for k, v in self.ids.items()}
        shown = tuple(names.get(a, a) if i and str(args[i - 1]).upper() == "REDIRECT" else a
                      for i, a in enumerate(args))
        self.log.append((name, shown, self.norm(raw) if ids_inside else raw))
        return raw

    def send(self, name, *args):
        self.conns[name].send_command(*args)

    def drain(self, wait=WAIT):
        """Log what each connection received beyond replies (pushes)."""
        time.sleep(wait)
        for name, c in self.conns.items():
            if c.closed:
                continue
            got = b""
            while True:
                try:
                    data = c.recv_some(timeout=0.02)
                except OSError:
                    break
                if not data:
                    break
                got += data
            if got:
                self.log.append((name, "push", self.norm(got)))

    def close(self, name):
        self.conns[name].close()

    def close_all(self):
        for c in self.conns.values():
            c.close()


def run_both(fastkv_server, real_redis, scenario):
    fastkv_server.ensure_running()
    real_redis.ensure_running()
    logs = []
    for srv in (fastkv_server, real_redis):
        s = Scene(srv.port)
        try:
            s.conn("admin")
            s.do("admin", "FLUSHALL")
            scenario(s)
            s.drain()
        finally:
            s.close_all()
        logs.append(s.log)
    fk, rd = logs
    for i, (a, b) in enumerate(zip(fk, rd)):
        assert a == b, "step %d differs:\nfastkv: %r\nredis:  %r\nbefore: %r" % (i, a, b, fk[max(0, i - 5):i])
    assert len(fk) == len(rd), (fk[len(rd):], rd[len(fk):])
    return fk


@pytest.fixture
def both(fastkv_server, real_redis):
    return lambda scenario: run_both(fastkv_server, real_redis, scenario)


def pushes(log, name):
    return b"".join(x[2] for x in log if x[0] == name and x[1] == "push")


# -- the default mode -----------------------------------------------------

def _writes(s, reader):
    """`reader` reads keys of every type, the writer changes them."""
    s.do("w", "RPUSH", "l", "a")
    s.do("w", "HSET", "h", "f", "v")
    s.do("w", "SADD", "s", "m")
    s.do("w", "ZADD", "z", "1", "m")
    s.do("w", "SET", "n", "1")
    for args in (("GET", "k"), ("LRANGE", "l", "0", "-1"), ("HGET", "h", "f"), ("SMEMBERS", "s"),
                 ("ZRANGE", "z", "0", "-1"), ("GET", "n"), ("MGET", "a", "b"), ("STRLEN", "k2"),
                 ("EXISTS", "e1", "e2"), ("TYPE", "t")):
        s.do(reader, *args)
    s.do("w", "SET", "k", "v")
    s.drain()
    s.do("w", "SET", "k", "v2")          # read once, invalidated once
    s.drain()
    s.do("w", "LPUSH", "l", "b")
    s.do("w", "HSET", "h", "f", "w")
    s.do("w", "SREM", "s", "m")
    s.do("w", "ZINCRBY", "z", "1", "m")
    s.do("w", "INCR", "n")
    s.do("w", "MSET", "b", "1", "a", "2")
    s.do("w", "APPEND", "k2", "x")
    s.do("w", "DEL", "e2", "e1")
    s.do("w", "SET", "t", "1")
    s.drain()
    s.do("w", "SET", "untracked", "1")
    s.drain()


def test_resp3_invalidations(both):
    def sc(s):
        s.conn("t", resp3=True)
        s.conn("w")
        s.do("t", "CLIENT", "TRACKING", "on")
        _writes(s, "t")
    log = both(sc)
    assert b">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n" in pushes(log, "t")


def test_resp2_redirect_invalidations(both):
    def sc(s):
        s.conn("r")
        s.conn("t")
        s.conn("w")
        s.do("r", "SUBSCRIBE", "__redis__:invalidate")
        s.do("t", "CLIENT", "TRACKING", "on", "REDIRECT", s.id("r"))
        _writes(s, "t")
    log = both(sc)
    assert (b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$1\r\nk\r\n"
            in pushes(log, "r"))


def test_resp3_redirect_to_resp3_client(both):
    def sc(s):
        s.conn("r", resp3=True)
        s.conn("t")
        s.conn("w")
        s.do("t", "CLIENT", "TRACKING", "on", "REDIRECT", s.id("r"))
        s.do("t", "GET", "k")
        s.do("w", "SET", "k", "1")
        s.drain()
        # a RESP2 redirection target that is not subscribed gets nothing
        s.conn("r2")
        s.do("t", "CLIENT", "TRACKING", "on", "REDIRECT", s.id("r2"))
        s.do("t", "GET", "k")
        s.do("w", "SET", "k", "2")
        s.drain()
    both(sc)


def test_resp2_without_redirect_gets_nothing(both):
    def sc(s):
        s.conn("t")
        s.conn("w")
        s.do("t", "CLIENT", "TRACKING", "on")
        s.do("t", "GET", "k")
        s.do("w", "SET", "k", "1")
        s.drain()
        s.do("t", "CLIENT", "TRACKINGINFO")
        s.do("t", "CLIENT", "GETREDIR")
    both(sc)


def test_own_writes_and_transactions(both):
    """A client changing a key it tracks gets the push after its reply (after
    EXEC's whole reply inside MULTI)."""
    def sc(s):
        s.conn("t", resp3=True)
        s.do("t", "CLIENT", "TRACKING", "on")
        s.do("t", "GET", "k")
        s.do("t", "SET", "k", "1")
        s.drain()
        s.do("t", "MGET", "a", "b", "c")
        s.do("t", "MULTI")
        s.do("t", "SET", "a", "1")
        s.do("t", "GET", "x")
        s.do("t", "SET", "b", "1")
        s.do("t", "EXEC")
        s.drain()
        s.do("t", "GET", "x")
        s.do("t", "DEL", "x")
        s.drain()
    both(sc)


def test_expiry_invalidates(both):
    def sc(s):
        s.conn("t", resp3=True)
        s.conn("w")
        s.do("t", "CLIENT", "TRACKING", "on")
        s.do("w", "SET", "ttl", "1")
        s.do("t", "GET", "ttl")
        s.do("w", "PEXPIRE", "ttl", "100000")      # a TTL change is a change
        s.drain()
        s.do("w", "SET", "lazy", "1", "PX", "20")
        s.do("t", "GET", "lazy")
        time.sleep(0.03)
        s.do("w", "GET", "lazy")                    # expired (lazily, or by the cron before)
        s.drain()
        s.do("w", "SET", "active", "1", "PX", "50")
        s.do("t", "GET", "active")
        time.sleep(1.0)                             # active expiry (cron)
        s.drain()
        s.do("w", "EXISTS", "active")
    both(sc)


def test_flush_invalidates_everything(both):
    def sc(s):
        s.conn("t3", resp3=True)
        s.conn("r")
        s.conn("t2")
        s.conn("b", resp3=True)
        s.conn("w")
        s.do("r", "SUBSCRIBE", "__redis__:invalidate")
        s.do("t3", "CLIENT", "TRACKING", "on")
        s.do("t2", "CLIENT", "TRACKING", "on", "REDIRECT", s.id("r"))
        s.do("b", "CLIENT", "TRACKING", "on", "BCAST")
        s.do("t3", "GET", "k")
        s.do("w", "FLUSHALL")
        s.drain()
        s.do("w", "SELECT", "9")
        s.do("w", "FLUSHDB", "ASYNC")
        s.drain()
        s.do("t3", "GET", "k")
        s.do("w", "SELECT", "0")
        s.do("w", "SET", "k", "1")      # the flush emptied the table: nothing for t3
        s.drain()
        s.do("t3", "FLUSHALL")          # its own flush: after the reply
        s.drain()
        s.do("w", "FLUSHDB", "bad")     # a rejected flush sends nothing
        s.drain()
    both(sc)


def test_swapdb_sends_nothing(both):
    def sc(s):
        s.conn("t", resp3=True)
        s.conn("w")
        s.do("t", "CLIENT", "TRACKING", "on")
        s.do("w", "SET", "k", "1")
        s.do("t", "GET", "k")
        s.do("w", "SWAPDB", "0", "1")
        s.drain()
        s.do("t", "GET", "k")
    both(sc)


# -- BCAST, OPTIN, OPTOUT, NOLOOP -------------------------------------------

def test_bcast_prefixes(both):
    def sc(s):
        s.conn("b", resp3=True)
        s.conn("all", resp3=True)
        s.conn("r")
        s.conn("b2")
        s.conn("w")
        s.do("r", "SUBSCRIBE", "__redis__:invalidate")
        s.do("b", "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "user:", "PREFIX", "obj:")
        s.do("all", "CLIENT", "TRACKING", "on", "BCAST")
        s.do("b2", "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "user:", "REDIRECT", s.id("r"))
        s.do("w", "MSET", "user:2", "a", "user:1", "b", "obj:9", "c", "other", "d")
        s.drain()
        s.do("w", "SET", "user:3", "x")
        s.drain()
        s.do("w", "DEL", "nothing")     # no change: nothing
        s.drain()
        s.do("w", "MULTI")
        s.do("w", "INCR", "obj:1")
        s.do("w", "LPUSH", "user:9", "x")
        s.do("w", "SET", "obj:0", "1")
        s.do("w", "EXEC")
        s.drain()
        s.do("b", "CLIENT", "TRACKINGINFO")
        s.do("b", "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "zz")  # adds a prefix
        s.do("b", "CLIENT", "TRACKINGINFO")
        s.do("w", "SET", "zz1", "1")
        s.drain()
        s.do("b", "CLIENT", "TRACKING", "off")
        s.do("w", "SET", "user:1", "x")
        s.drain()
    both(sc)


def test_bcast_noloop(both):
    def sc(s):
        s.conn("b", resp3=True)
        s.conn("w")
        s.do("b", "CLIENT", "TRACKING", "on", "BCAST", "NOLOOP")
        s.do("b", "SET", "mine", "1")
        s.drain()
        s.do("w", "SET", "theirs", "1")
        s.drain()
        s.do("b", "CLIENT", "TRACKINGINFO")
    both(sc)


def test_noloop_default_mode(both):
    def sc(s):
        s.conn("t", resp3=True)
        s.conn("w")
        s.do("t", "CLIENT", "TRACKING", "on", "NOLOOP")
        s.do("t", "GET", "k")
        s.do("t", "SET", "k", "1")      # no push for its own change
        s.drain()
        s.do("w", "SET", "k", "2")      # and the key left the table
        s.drain()
        s.do("t", "GET", "k")
        s.do("w", "SET", "k", "3")
        s.drain()
    both(sc)


def test_optin(both):
    def sc(s):
        s.conn("t", resp3=True)
        s.conn("w")
        s.do("t", "CLIENT", "TRACKING", "on", "OPTIN")
        s.do("t", "GET", "a")
        s.do("t", "CLIENT", "CACHING", "yes")
        s.do("t", "CLIENT", "TRACKINGINFO")
        s.do("t", "GET", "b")
        s.do("t", "GET", "c")
        s.do("w", "MSET", "a", "1", "b", "1", "c", "1")
        s.drain()
        # CACHING holds across CLIENT subcommands and a whole MULTI/EXEC
        s.do("t", "CLIENT", "CACHING", "yes")
        s.do("t", "CLIENT", "ID")
        s.do("t", "MULTI")
        s.do("t", "GET", "x")
        s.do("t", "GET", "y")
        s.do("t", "EXEC")
        s.do("t", "GET", "z")
        s.do("w", "MSET", "x", "1", "y", "1", "z", "1")
        s.drain()
        s.do("t", "MULTI")
        s.do("t", "CLIENT", "CACHING", "yes")
        s.do("t", "GET", "m")
        s.do("t", "EXEC")
        s.do("t", "GET", "n")
        s.do("w", "MSET", "m", "1", "n", "1")
        s.drain()
        s.do("t", "CLIENT", "CACHING", "no")
        s.do("t", "CLIENT", "TRACKINGINFO")
    both(sc)


def test_optout(both):
    def sc(s):
        s.conn("t", resp3=True)
        s.conn("w")
        s.do("t", "CLIENT", "TRACKING", "on", "OPTOUT")
        s.do("t", "GET", "a")
        s.do("t", "CLIENT", "CACHING", "no")
        s.do("t", "CLIENT", "TRACKINGINFO")
        s.do("t", "GET", "b")
        s.do("t", "GET", "c")
        s.do("w", "MSET", "a", "1", "b", "1", "c", "1")
        s.drain()
        s.do("t", "CLIENT", "CACHING", "yes")
    both(sc)


# -- errors, TRACKINGINFO, GETREDIR, CLIENT LIST ------------------------------

def test_errors(both):
    def sc(s):
        s.conn("t")
        s.conn("o")
        for args in (
                ("CLIENT", "TRACKING"),
                ("CLIENT", "TRACKING", "maybe"),
                ("CLIENT", "TRACKING", "on", "PREFIX", "a"),
                ("CLIENT", "TRACKING", "on", "BCAST", "PREFIX"),
                ("CLIENT", "TRACKING", "on", "FOO"),
                ("CLIENT", "TRACKING", "on", "REDIRECT"),
                ("CLIENT", "TRACKING", "on", "REDIRECT", "x"),
                ("CLIENT", "TRACKING", "on", "REDIRECT", "0"),
                ("CLIENT", "TRACKING", "on", "REDIRECT", "999999"),
                ("CLIENT", "TRACKING", "on", "REDIRECT", s.id("o"), "REDIRECT", s.id("o")),
                ("CLIENT", "TRACKING", "off", "REDIRECT", "999999"),
                ("CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT"),
                ("CLIENT", "TRACKING", "on", "BCAST", "OPTIN"),
                ("CLIENT", "TRACKING", "on", "BCAST", "OPTOUT"),
                ("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a", "PREFIX", "ab"),
                ("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "ab", "PREFIX", "a"),
                ("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "", "PREFIX", "a"),
                ("CLIENT", "CACHING", "yes"),
                ("CLIENT", "CACHING", "no"),
                ("CLIENT", "CACHING"),
                ("CLIENT", "GETREDIR", "x"),
                ("CLIENT", "TRACKINGINFO", "x"),
                ("CLIENT", "TRACKINGINFO"),
                ("CLIENT", "GETREDIR"),
                ("CLIENT", "TRACKING", "off"),
                ("CLIENT", "TRACKING", "on", "OPTIN"),
                ("CLIENT", "CACHING", "no"),
                ("CLIENT", "CACHING", "maybe"),
                ("CLIENT", "TRACKING", "on", "OPTOUT"),
                ("CLIENT", "TRACKING", "on", "BCAST"),
                ("CLIENT", "TRACKING", "on", "OPTIN", "NOLOOP"),
                ("CLIENT", "TRACKINGINFO"),
                ("CLIENT", "TRACKING", "off"),
                ("CLIENT", "TRACKING", "on", "OPTOUT"),
                ("CLIENT", "CACHING", "yes"),
                ("CLIENT", "TRACKING", "off"),
                ("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "ab"),
                ("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a"),
                ("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "abc"),
                ("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "ab"),
                ("CLIENT", "TRACKING", "on"),
                ("CLIENT", "TRACKINGINFO"),
                ("CLIENT", "TRACKING", "off"),
                ("CLIENT", "TRACKINGINFO"),
        ):
            s.do("t", *args)
        s.drain()
    both(sc)


def test_overlap_after_first_prefix_replies_twice(both):
    """7.0's checkPrefixCollisionsOrReply returns the index of the clashing
    prefix: past the first one, the error is followed by +OK and tracking is on."""
    def sc(s):
        s.conn("t")
        s.send("t", "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "x", "PREFIX", "a", "PREFIX", "ab")
        s.drain()
        s.do("t", "CLIENT", "TRACKINGINFO")
    log = both(sc)
    assert b"+OK" in log[-2][2]


def test_trackinginfo_and_getredir(both):
    def sc(s):
        for resp3 in (False, True):
            name = "t3" if resp3 else "t2"
            s.conn(name, resp3=resp3)
            s.conn("r" + name)
            s.do(name, "CLIENT", "TRACKINGINFO")
            s.do(name, "CLIENT", "GETREDIR")
            s.do(name, "CLIENT", "TRACKING", "on", "REDIRECT", s.id("r" + name), "OPTOUT", "NOLOOP")
            s.do(name, "CLIENT", "TRACKINGINFO")
            s.do(name, "CLIENT", "GETREDIR")
            s.do(name, "CLIENT", "CACHING", "no")
            s.do(name, "CLIENT", "TRACKINGINFO")
            s.do(name, "PING")
            s.do(name, "CLIENT", "TRACKINGINFO")
            s.do(name, "CLIENT", "TRACKING", "on", "OPTOUT")   # redirect dropped
            s.do(name, "CLIENT", "GETREDIR")
            s.do(name, "CLIENT", "TRACKING", "off")
            s.do(name, "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "b", "PREFIX", "a")
            s.do(name, "CLIENT", "TRACKINGINFO")
            s.do(name, "RESET")
            s.do(name, "CLIENT", "TRACKINGINFO")
    both(sc)


def _list_fields(raw):
    m = re.search(rb"flags=(\S+) .* redir=(\S+) ", raw)
    return m.group(1), m.group(2)


def test_redirect_client_closing(both):
    def sc(s):
        s.conn("r")
        s.conn("t3", resp3=True)
        s.conn("t2")
        s.conn("w")
        s.do("r", "SUBSCRIBE", "__redis__:invalidate")
        s.do("t3", "CLIENT", "TRACKING", "on", "REDIRECT", s.id("r"))
        s.do("t2", "CLIENT", "TRACKING", "on", "REDIRECT", s.id("r"))
        s.do("t3", "GET", "k")
        s.do("t2", "GET", "k")
        s.log.append(("t3", "list", _list_fields(s.norm(s.conns["t3"].call_raw("CLIENT", "INFO")))))
        s.close("r")
        time.sleep(WAIT)
        s.do("w", "SET", "k", "1")
        s.drain()
        s.do("t3", "CLIENT", "TRACKINGINFO")
        s.do("t2", "CLIENT", "TRACKINGINFO")
        s.log.append(("t3", "list", _list_fields(s.norm(s.conns["t3"].call_raw("CLIENT", "INFO")))))
        s.log.append(("t2", "list", _list_fields(s.norm(s.conns["t2"].call_raw("CLIENT", "INFO")))))
        s.do("t3", "GET", "k")
        s.do("w", "FLUSHALL")
        s.drain()
        # re-enabling clears the broken flag
        s.do("t3", "CLIENT", "TRACKING", "on")
        s.do("t3", "CLIENT", "TRACKINGINFO")
    log = both(sc)
    assert b"tracking-redir-broken" in pushes(log, "t3")


def test_client_list_flags(both):
    def sc(s):
        s.conn("t")
        s.conn("b", resp3=True)
        s.do("t", "CLIENT", "TRACKING", "on", "REDIRECT", s.id("b"))
        s.do("b", "CLIENT", "TRACKING", "on", "BCAST")
        for name in ("t", "b"):
            s.log.append((name, "list", _list_fields(s.norm(s.conns[name].call_raw("CLIENT", "INFO")))))
        s.do("t", "CLIENT", "TRACKING", "off")
        s.log.append(("t", "list", _list_fields(s.norm(s.conns["t"].call_raw("CLIENT", "INFO")))))
    both(sc)


# -- table size, INFO, disconnects ------------------------------------------

def _info(conn, field):
    raw = conn.call_raw("INFO", "everything")
    m = re.search(rb"\r\n" + field.encode() + rb":(\d+)\r\n", raw)
    return int(m.group(1))


def test_info_fields(both):
    def sc(s):
        s.conn("t", resp3=True)
        s.conn("t2", resp3=True)
        s.conn("b", resp3=True)
        s.conn("w")
        base = _info(s.conns["w"], "tracking_clients")
        s.do("t", "CLIENT", "TRACKING", "on")
        s.do("t2", "CLIENT", "TRACKING", "on")
        s.do("b", "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p", "PREFIX", "q")
        s.do("t", "MGET", "a", "b", "c")
        s.do("t2", "MGET", "a", "b")
        fields = ("tracking_clients", "tracking_total_keys", "tracking_total_items",
                  "tracking_total_prefixes")
        s.log.append(("w", "info", [_info(s.conns["w"], f) for f in fields], base))
        s.do("w", "SET", "a", "1")
        s.drain()
        s.log.append(("w", "info", [_info(s.conns["w"], f) for f in fields]))
        s.close("t2")
        s.close("b")
        time.sleep(WAIT)
        s.log.append(("w", "info", [_info(s.conns["w"], f) for f in fields]))
        s.do("t", "CLIENT", "TRACKING", "off")
        s.log.append(("w", "info", [_info(s.conns["w"], f) for f in fields]))
        s.do("w", "FLUSHALL")
        s.log.append(("w", "info", [_info(s.conns["w"], f) for f in fields]))
    log = both(sc)
    assert [x for x in log if x[1] == "info"][0][2] == [3, 3, 5, 2]


def test_disconnected_tracking_client_is_skipped(both):
    def sc(s):
        s.conn("t", resp3=True)
        s.conn("t2", resp3=True)
        s.conn("w")
        s.do("t", "CLIENT", "TRACKING", "on")
        s.do("t2", "CLIENT", "TRACKING", "on")
        s.do("t", "GET", "k")
        s.do("t2", "GET", "k")
        s.close("t")
        time.sleep(WAIT)
        s.do("w", "SET", "k", "1")
        s.drain()
    both(sc)


def test_tracking_table_max_keys(fastkv_server, real_redis):
    """Past tracking-table-max-keys, keys are dropped from the table with an
    invalidation, before the next command (Redis picks them at random)."""
    results = []
    for srv in (fastkv_server, real_redis):
        srv.ensure_running()
        admin = RawConn(port=srv.port, timeout=5)
        t = RawConn(port=srv.port, timeout=5)
        try:
            admin.call("FLUSHALL")
            assert admin.call("CONFIG", "SET", "tracking-table-max-keys", "2") == b"OK"
            t.call_raw("HELLO", "3")
            assert t.call("CLIENT", "TRACKING", "on") == b"OK"
            for k in ("a", "b", "c"):
                t.call_raw("GET", k)
            # (Redis trims before the next command of any client, fastkv right
            # after the read that went over: either way no command sees 3)
            assert _info(admin, "tracking_total_keys") == 2
            t.send_command("PING")
            got = b""
            while not got.endswith(b"+PONG\r\n"):
                got += t.recv_some(timeout=1)
            m = re.match(rb">2\r\n\$10\r\ninvalidate\r\n\*1\r\n\$1\r\n([abc])\r\n\+PONG\r\n$", got)
            assert m, got
            assert _info(admin, "tracking_total_keys") == 2
            results.append(_info(admin, "tracking_total_items"))
            # CONFIG SET 0: no limit
            admin.call("CONFIG", "SET", "tracking-table-max-keys", "0")
            for k in ("d", "e", "f"):
                t.call_raw("GET", k)
            t.call_raw("PING")
            assert _info(admin, "tracking_total_keys") == 5
        finally:
            admin.call("CONFIG", "SET", "tracking-table-max-keys", "1000000")
            admin.close()
            t.close()
    assert results == [2, 2]


# -- redis-py's client-side cache ------------------------------------------------

def test_redis_py_client_side_cache(fastkv_server, real_redis, monkeypatch):
    try:
        from redis.cache import CacheConfig
        from redis.connection import CacheProxyConnection
    except ImportError:
        pytest.skip("redis-py without client-side caching")
    # redis-py refuses servers older than 7.4 by policy ("to maximize
    # compatibility with all Redis products"); the protocol it uses (CLIENT
    # TRACKING on + RESP3 invalidation pushes) is 7.0's, so lift the gate.
    monkeypatch.setattr(CacheProxyConnection, "MIN_ALLOWED_VERSION", "7.0.0")
    for srv in (fastkv_server, real_redis):
        srv.ensure_running()
        cached = redis.Redis(host="127.0.0.1", port=srv.port, protocol=3, cache_config=CacheConfig())
        other = redis.Redis(host="127.0.0.1", port=srv.port, protocol=2)
        try:
            other.flushall()
            other.set("foo", "bar")
            assert cached.get("foo") == b"bar"
            cache = cached.get_cache()
            assert cache.size == 1
            assert cached.get("foo") == b"bar"       # served from the cache
            other.set("foo", "baz")
            time.sleep(WAIT)
            assert cached.get("foo") == b"baz"       # invalidated, fetched again
            other.delete("foo")
            time.sleep(WAIT)
            assert cached.get("foo") is None
            other.flushall()
            cached.set("x", "1")
            assert cached.get("x") == b"1"
            cached.set("x", "2")                     # its own write invalidates too
            assert cached.get("x") == b"2"
        finally:
            cached.close()
            other.close()


def test_readonly_commands_remember_their_keys(both):
    """Keys come from the command's key specs (movable keys too); write
    commands and keyless reads remember nothing."""
    def sc(s):
        s.conn("t", resp3=True)
        s.conn("w")
        s.do("t", "CLIENT", "TRACKING", "on")
        s.do("w", "SADD", "s1", "a")
        s.do("w", "XADD", "x1", "1-1", "f", "v")
        s.do("w", "PFADD", "h1", "a")
        for args in (("OBJECT", "ENCODING", "s1"), ("SINTERCARD", "2", "s1", "s2"),
                     ("ZUNION", "2", "z1", "z2"), ("XREAD", "STREAMS", "x1", "0"),
                     ("SORT_RO", "l1"), ("GETRANGE", "k3", "0", "1"), ("LCS", "k4", "k5"),
                     ("XREVRANGE", "x1", "+", "-"), ("PFCOUNT", "h1", "h2"), ("ZSCORE", "z3", "m"),
                     ("HGETALL", "h9"), ("SMISMEMBER", "s3", "a"), ("BITCOUNT", "b1"),
                     ("KEYS", "x*"), ("DBSIZE",), ("SCAN", "0", "MATCH", "x*"),
                     ("GETDEL", "gd"), ("GETEX", "ge"), ("SET", "st", "1", "GET"), ("INCR", "inc")):
            s.do("t", *args)
        s.drain()
        for key in ("s1", "s2", "z1", "z2", "x1", "l1", "k3", "k4", "k5", "h1", "h2", "z3", "h9",
                    "s3", "b1", "gd", "ge", "st", "inc"):
            s.do("w", "SET", key, "new")
            s.drain(0.03)
    both(sc)


def test_rejected_command_ends_caching(both):
    """CLIENT CACHING lasts one command, even one that is rejected."""
    def sc(s):
        s.conn("t", resp3=True)
        s.conn("w")
        s.do("t", "CLIENT", "TRACKING", "on", "OPTIN")
        s.do("t", "CLIENT", "CACHING", "yes")
        s.do("t", "NOSUCHCOMMAND")
        s.do("t", "GET", "a")
        s.do("t", "CLIENT", "CACHING", "yes")
        s.do("t", "GET")
        s.do("t", "GET", "b")
        s.do("w", "MSET", "a", "1", "b", "1")
        s.drain()
    both(sc)


def _has_eval(srv):
    with RawConn(port=srv.port, timeout=5) as c:
        return not c.call_raw("EVAL", "return 1", "0").startswith(b"-ERR unknown command")


def test_script_writes_invalidate(both, fastkv_server):
    """Writes made by a script invalidate like any command's; the script's
    caller gets its own after EVAL's reply, or none with NOLOOP."""
    if not _has_eval(fastkv_server):
        pytest.skip("EVAL not available")

    def sc(s):
        s.conn("t", resp3=True)
        s.conn("n", resp3=True)
        s.conn("w")
        s.do("t", "CLIENT", "TRACKING", "on")
        s.do("n", "CLIENT", "TRACKING", "on", "NOLOOP")
        s.do("t", "MGET", "a", "b")
        s.do("n", "MGET", "a", "b")
        s.do("w", "EVAL", "redis.call('set', KEYS[1], 1) return redis.call('incr', KEYS[2])", "2", "a", "b")
        s.drain()
        s.do("t", "MGET", "a", "b")
        s.do("n", "MGET", "a", "b")
        s.do("t", "EVAL", "redis.call('del', KEYS[1]) return 1", "1", "a")
        s.do("n", "EVAL", "redis.call('del', KEYS[1]) return 1", "1", "b")
        s.drain()
    both(sc)


def test_script_reads_are_remembered(both, fastkv_server):
    """7.0: when a script's command is read-only, the script command's own
    KEYS are tracked for the caller (not the keys the command read):
    EVAL_RO's KEYS only through its commands, a write-only script nothing."""
    if not _has_eval(fastkv_server):
        pytest.skip("EVAL not available")

    def sc(s):
        s.conn("t", resp3=True)
        s.conn("w")
        s.do("t", "CLIENT", "TRACKING", "on")
        s.do("t", "EVAL", "return redis.call('get', KEYS[1])", "1", "a")
        s.do("t", "EVAL_RO", "return redis.call('get', 'b')", "1", "c")
        s.do("t", "EVAL_RO", "return 1", "1", "d")
        s.do("t", "EVAL", "return redis.call('set', KEYS[1], 1)", "1", "e")
        s.do("t", "EVAL", "return redis.call('dbsize')", "1", "f")
        s.do("t", "EVAL", "return redis.call('get', 'g')", "0")
        s.do("w", "MSET", "a", "1", "b", "1", "c", "1", "d", "1", "e", "1", "f", "1", "g", "1")
        s.drain()
    both(sc)


def test_more_write_paths(both):
    """Commands that move, copy, pop or touch keys in other ways."""
    def sc(s):
        s.conn("t", resp3=True)
        s.conn("w")
        s.do("t", "CLIENT", "TRACKING", "on")
        keys = ["r1", "r2", "m1", "c1", "c2", "l1", "l2", "s1", "s2", "x1", "p1", "e1", "g1",
                "so", "bp", "st", "z1", "h1", "bf", "nx"]
        for k in ("r1", "m1", "c1", "p1", "e1", "g1", "nx"):
            s.do("w", "SET", k, "v")
        s.do("w", "RPUSH", "l1", "a", "b")
        s.do("w", "RPUSH", "bp", "a")
        s.do("w", "SADD", "s1", "a")
        s.do("w", "ZADD", "z1", "1", "a", "2", "b")
        s.do("w", "HSET", "h1", "f", "1")
        s.do("w", "EXPIRE", "e1", "100")
        s.do("t", "MGET", *keys)
        for args in (("RENAME", "r1", "r2"), ("MOVE", "m1", "3"), ("COPY", "c1", "c2"),
                     ("LMOVE", "l1", "l2", "LEFT", "RIGHT"), ("SMOVE", "s1", "s2", "a"),
                     ("SETRANGE", "x1", "3", "x"), ("PERSIST", "p1"), ("PERSIST", "e1"),
                     ("GETEX", "g1", "EX", "100"), ("SORT", "l1", "ALPHA", "STORE", "so"),
                     ("BLPOP", "bp", "0"), ("SET", "st", "1", "NX"), ("ZPOPMIN", "z1"),
                     ("HINCRBY", "h1", "f", "1"), ("SETBIT", "bf", "7", "1"),
                     ("SET", "nx", "1", "NX"), ("EXPIRE", "nx", "-1")):
            s.do("w", *args)
            s.drain(0.03)
    both(sc)


def test_bcast_noloop_script_and_exec(both, fastkv_server):
    def sc(s):
        s.conn("b", resp3=True)
        s.do("b", "CLIENT", "TRACKING", "on", "BCAST", "NOLOOP")
        s.do("b", "MULTI")
        s.do("b", "SET", "inexec", "1")
        s.do("b", "EXEC")
        s.drain()
        if _has_eval(fastkv_server):
            s.do("b", "EVAL", "return redis.call('set', KEYS[1], 1)", "1", "inscript")
            s.drain()
    both(sc)


def test_tracking_turned_on_inside_exec(both):
    def sc(s):
        s.conn("t", resp3=True)
        s.do("t", "MULTI")
        s.do("t", "CLIENT", "TRACKING", "on")
        s.do("t", "GET", "k")
        s.do("t", "SET", "k", "1")
        s.do("t", "GET", "j")
        s.do("t", "EXEC")
        s.drain()
        s.do("t", "SET", "j", "1")
        s.drain()
        s.do("t", "CLIENT", "TRACKINGINFO")
    both(sc)


def test_function_reads_are_remembered(both, fastkv_server):
    with RawConn(port=fastkv_server.port, timeout=5) as c:
        if c.call_raw("FUNCTION", "FLUSH").startswith(b"-ERR unknown"):
            pytest.skip("FUNCTION not available")
    lib = ("#!lua name=trklib\n"
           "redis.register_function('rd', function(keys, args) return redis.call('get', keys[1]) end)\n"
           "redis.register_function{function_name='rdro', callback=function(keys, args) "
           "return redis.call('get', 'y') end, flags={'no-writes'}}\n")

    def sc(s):
        s.conn("t", resp3=True)
        s.conn("w")
        s.do("w", "FUNCTION", "LOAD", "REPLACE", lib)
        s.do("t", "CLIENT", "TRACKING", "on")
        s.do("t", "FCALL", "rd", "1", "a")
        s.do("t", "FCALL_RO", "rdro", "1", "b")
        s.do("w", "MSET", "a", "1", "b", "1", "y", "1")
        s.drain()
        s.do("w", "FUNCTION", "DELETE", "trklib")
    both(sc)


def test_redirect_target_changes_the_key(both):
    """The redirection client's own write: the push lands in its output
    around the reply exactly where Redis puts it."""
    def sc(s):
        s.conn("r", resp3=True)
        s.conn("r2")
        s.conn("t")
        s.conn("t2")
        s.do("r2", "SUBSCRIBE", "__redis__:invalidate")
        s.do("t", "CLIENT", "TRACKING", "on", "REDIRECT", s.id("r"))
        s.do("t2", "CLIENT", "TRACKING", "on", "REDIRECT", s.id("t2"))
        s.do("t", "MGET", "k", "l", "h")
        s.do("r", "SET", "k", "1")
        s.do("r", "RPUSH", "l", "1")
        s.do("r", "HSET", "h", "f", "1")
        s.drain()
        s.do("t2", "GET", "k")          # redirected to itself, RESP2 not subscribed
        s.do("t2", "SET", "k", "2")
        s.drain()
    both(sc)


def test_pushes_ignore_client_reply_off(both):
    def sc(s):
        s.conn("t", resp3=True)
        s.conn("w")
        s.do("t", "CLIENT", "TRACKING", "on")
        s.do("t", "GET", "k")
        s.send("t", "CLIENT", "REPLY", "OFF")
        s.do("w", "SET", "k", "1")
        s.drain()
        s.send("t", "GET", "k")
        s.send("t", "SET", "k", "2")
        s.drain()
        s.send("t", "CLIENT", "REPLY", "ON")
        s.drain()
    both(sc)


def test_max_keys_every_key_invalidated_once(fastkv_server, real_redis):
    """Over tracking-table-max-keys with many reads: each key read is
    invalidated exactly once in all (evicted, or changed later)."""
    for srv in (fastkv_server, real_redis):
        srv.ensure_running()
        admin = RawConn(port=srv.port, timeout=5)
        t = RawConn(port=srv.port, timeout=5)
        try:
            admin.call("FLUSHALL")
            admin.call("CONFIG", "SET", "tracking-table-max-keys", "50")
            t.call_raw("HELLO", "3")
            t.call("CLIENT", "TRACKING", "on")
            keys = ["key:%d" % i for i in range(500)]
            for i in range(0, 500, 10):
                t.send_command("MGET", *keys[i:i + 10])
            t.send_command("PING")
            admin.call("PING")
            assert _info(admin, "tracking_total_keys") <= 50
            admin.call("MSET", *[x for k in keys for x in (k, "v")])
            t.send_command("PING")
            got = b""
            deadline = time.monotonic() + 5
            while got.count(b"+PONG\r\n") < 2 and time.monotonic() < deadline:
                got += t.recv_some(timeout=1)
            time.sleep(WAIT)
            try:
                while True:
                    more = t.recv_some(timeout=0.1)
                    if not more:
                        break
                    got += more
            except OSError:
                pass
            invalidated = re.findall(rb">2\r\n\$10\r\ninvalidate\r\n\*1\r\n\$\d+\r\n(key:\d+)\r\n", got)
            assert sorted(invalidated) == sorted(k.encode() for k in keys), srv.name
            assert _info(admin, "tracking_total_keys") == 0
        finally:
            admin.call("CONFIG", "SET", "tracking-table-max-keys", "1000000")
            admin.close()
            t.close()
