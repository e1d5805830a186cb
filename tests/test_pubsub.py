"""Pub/Sub compatibility: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE
PUBLISH, SSUBSCRIBE SUNSUBSCRIBE SPUBLISH, PUBSUB (CHANNELS NUMSUB NUMPAT
SHARDCHANNELS SHARDNUMSUB HELP), the subscribed-mode rules of RESP2 and the
push frames of RESP3 (Redis 7.0 semantics).

Every logical client is a ``kvtest.Twin``: one raw connection to fastkv and one to
the real redis-server, driven in lockstep.  Each reply and each pushed
message is read from both connections and compared byte for byte.  The only
normalisations are for what is hash order in Redis (the order of the
replies of an argument-less UNSUBSCRIBE, of PUBSUB CHANNELS, and of the
pmessages one PUBLISH produces for one client with several matching
patterns) and the interleaving of messages from *different* publisher
connections.

At the end of the file: redis-py usage (PubSub object, sync and asyncio)
against the server under test.
"""

import asyncio
import threading
import time

import pytest

from kvtest import Node, Twins, encode_args, split_command, to_py

pytestmark = pytest.mark.compat

TIMEOUT = 5.0


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

@pytest.fixture
def twins(compat):
    """twins(n=1, resp3=False, prefix="c") -> list of kvtest.Twin on the
    session servers."""
    made = Twins(compat)
    yield made
    made.close()
    # the next test must not see this test's subscribers: wait until both
    # servers have processed the disconnections (a server that never drops
    # them fails here)
    wait_pubsub_idle(compat.fk_server)
    wait_pubsub_idle(compat.rd_server)


def wait_pubsub_idle(server, timeout=3.0):
    idle = [b":0\r\n", b"*0\r\n", b"*0\r\n"]
    cmds = ["PUBSUB NUMPAT", "PUBSUB CHANNELS", "PUBSUB SHARDCHANNELS"]
    deadline = time.monotonic() + timeout
    with server.raw(TIMEOUT) as c:
        while True:
            got = [c.call_raw(*cmd.split()) for cmd in cmds]
            if got == idle or any(g.startswith(b"-") for g in got):
                return
            assert time.monotonic() < deadline, (
                "%s: subscriptions still there after the test's clients closed: %r"
                % (server.name, got))
            time.sleep(0.02)


@pytest.fixture
def fresh(compat_pair):
    """fresh(n=1, resp3=False, prefix="c") -> Twins on a brand-new
    fastkv/redis pair (for server-global counters such as PUBSUB NUMPAT /
    CHANNELS)."""
    made = Twins(compat_pair())
    yield made
    made.close()


def kind(node: Node):
    """'message', 'pmessage', 'subscribe', ... for a pub/sub frame."""
    if node.t in "*>" and node.v:
        return node.v[0].v
    return None


def frame_kind_is(name):
    return lambda node: kind(node) == name


def msg(channel, payload, resp3=False):
    """Expected raw bytes of a 'message' frame."""
    return (b">3\r\n" if resp3 else b"*3\r\n") + b"$7\r\nmessage\r\n" + \
        b"$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(channel), channel, len(payload), payload)


def unsub_all_norm(nodes):
    """Argument-less (P|S)UNSUBSCRIBE replies come in hash order in Redis:
    keep each frame's type, kind and count in order, compare the channels as
    a sorted list."""
    shape = [(n.t, len(n.v), n.v[0].v, n.v[2].t, n.v[2].v) for n in nodes]
    channels = sorted((n.v[1].t, n.v[1].v) for n in nodes)
    return shape, channels


def settle(twin, cmd, expected, timeout=3.0):
    """Poll ``cmd`` on each server separately until it replies ``expected``
    (raw bytes): a server handles a client's disconnection asynchronously,
    so the two may get there at different times."""
    data = encode_args(split_command(cmd))
    for conn, who in ((twin.fk, "fastkv"), (twin.rd, "redis")):
        deadline = time.monotonic() + timeout
        while True:
            conn.send(data)
            got = conn.read_raw_reply()
            if got == expected:
                break
            assert time.monotonic() < deadline, (
                "%s: %r still answers %r (waiting for %r)" % (who, cmd, got, expected))
            time.sleep(0.02)


def wait_until(pred, timeout=3.0):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(0.02)


# --------------------------------------------------------------------------
# SUBSCRIBE / UNSUBSCRIBE / PUBLISH basics
# --------------------------------------------------------------------------

def test_subscribe_publish_unsubscribe(twins):
    sub, pub = twins(2)
    assert sub.call("SUBSCRIBE t1:a") == [b"subscribe", b"t1:a", 1]
    sub.send("SUBSCRIBE t1:b t1:a t1:c")
    assert sub.read(3) == [[b"subscribe", b"t1:b", 2], [b"subscribe", b"t1:a", 2],
                           [b"subscribe", b"t1:c", 3]]
    assert pub.call("PUBLISH t1:a hello") == 1
    assert pub.call("PUBLISH t1:nobody hello") == 0
    assert pub.call(("PUBLISH", "t1:c", "")) == 1
    assert sub.read(2) == [[b"message", b"t1:a", b"hello"], [b"message", b"t1:c", b""]]
    sub.quiet()
    assert sub.call("UNSUBSCRIBE t1:a") == [b"unsubscribe", b"t1:a", 2]
    assert sub.call("UNSUBSCRIBE t1:a") == [b"unsubscribe", b"t1:a", 2]
    assert sub.call("UNSUBSCRIBE t1:zz") == [b"unsubscribe", b"t1:zz", 2]
    assert pub.call("PUBLISH t1:a again") == 0
    assert pub.call("PUBLISH t1:b again") == 1
    assert sub.read(1) == [[b"message", b"t1:b", b"again"]]
    sub.send("UNSUBSCRIBE t1:b t1:c")
    sub.read(2)
    # out of subscribed mode: ordinary commands work again (RESP2)
    sub.calls("SET t1:k v", "GET t1:k", "PING")
    sub.quiet()


def test_publish_and_subscribe_errors(twins):
    sub, pub = twins(2)
    pub.calls("PUBLISH", "PUBLISH a", "PUBLISH a b c", "SUBSCRIBE", "PSUBSCRIBE",
              "SSUBSCRIBE", "SPUBLISH a", "SPUBLISH", "PUBSUB")
    # the connection is still usable and not subscribed
    pub.calls("PING", "SET x 1")


@pytest.mark.parametrize("resp3", [False, True], ids=["resp2", "resp3"])
@pytest.mark.parametrize("cmd", ["UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE"])
def test_unsubscribe_all_replies(twins, cmd, resp3):
    sub, = twins(1, resp3=resp3)
    subcmd = {"UNSUBSCRIBE": "SUBSCRIBE", "PUNSUBSCRIBE": "PSUBSCRIBE",
              "SUNSUBSCRIBE": "SSUBSCRIBE"}[cmd]
    chans = ["t2:%s:%d" % (cmd, i) for i in range(6)]
    sub.send((subcmd,) + tuple(chans))
    sub.read(6)
    sub.send(cmd)
    shape, channels = sub.read_norm(6, unsub_all_norm)
    assert [s[-1] for s in shape] == [5, 4, 3, 2, 1, 0]
    assert [c[1] for c in channels] == sorted(c.encode() for c in chans)
    # subscribed to nothing: one reply with a null channel and count 0
    null = sub.call(cmd)
    assert null == [cmd.lower().encode(), None, 0]
    sub.quiet()


@pytest.mark.parametrize("resp3", [False, True], ids=["resp2", "resp3"])
def test_unsubscribe_when_never_subscribed(twins, resp3):
    c, = twins(1, resp3=resp3)
    c.calls("UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE")
    c.send("UNSUBSCRIBE a b")
    c.read(2)
    c.send("PUNSUBSCRIBE a* b*")
    c.read(2)
    c.send("SUNSUBSCRIBE a b")
    c.read(2)
    # still not in subscribed mode
    c.calls("SET k v", "GET k", "PING")


def test_unsubscribe_kinds_are_separate(twins):
    """UNSUBSCRIBE does not touch pattern or shard subscriptions; the count
    in a (un)subscribe reply is channels + patterns (shard channels are
    counted separately)."""
    sub, pub = twins(2)
    sub.send("SUBSCRIBE t3:a t3:b")
    sub.read(2)
    sub.send("PSUBSCRIBE t3:* t3:?")
    sub.read(2)
    sub.send("SSUBSCRIBE t3:s1 t3:s2")
    sub.read(2)
    sub.send("UNSUBSCRIBE")
    sub.read_norm(2, unsub_all_norm)
    assert pub.call("PUBLISH t3:a x") == 2  # t3:* and t3:?
    sub.read_norm(2, lambda ns: sorted(to_py(n) for n in ns))
    assert pub.call("SPUBLISH t3:s1 y") == 1
    assert sub.read(1) == [[b"smessage", b"t3:s1", b"y"]]
    sub.send("PUNSUBSCRIBE")
    sub.read_norm(2, unsub_all_norm)
    # still subscribed to shard channels: RESP2 context rules still apply
    sub.call("GET t3:a")
    sub.send("SUNSUBSCRIBE")
    sub.read_norm(2, unsub_all_norm)
    sub.calls("GET t3:a", "PING")


# --------------------------------------------------------------------------
# RESP2 subscribed-mode rules, PING, QUIT, RESET
# --------------------------------------------------------------------------

@pytest.mark.parametrize("subcmd", ["SUBSCRIBE t4:c", "PSUBSCRIBE t4:*",
                                    "SSUBSCRIBE t4:s"])
def test_resp2_subscribed_mode_rejects_commands(twins, subcmd):
    sub, = twins(1)
    sub.call(subcmd)
    r = sub.call("GET x")
    assert r.msg == (b"ERR Can't execute 'get': only (P|S)SUBSCRIBE / "
                     b"(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
    sub.calls("SET a b", "PUBLISH t4:c x", "SPUBLISH t4:s x", "SELECT 1",
              "ECHO hi", "PUBSUB NUMPAT", "CONFIG GET maxmemory", "CLIENT ID",
              "HELLO", "MULTI", "EXEC", "DISCARD", "WATCH a", "UNWATCH",
              "DEL a", "get x", "FLUSHALL",
              # unknown command / wrong arity are reported as such first
              "NOSUCHCOMMAND a", "GET", "SET a")
    # allowed: (un)subscribe commands and PING
    sub.calls("SUBSCRIBE t4:other", "PSUBSCRIBE t4:o*", "SSUBSCRIBE t4:os",
              "UNSUBSCRIBE t4:other", "PUNSUBSCRIBE t4:o*", "SUNSUBSCRIBE t4:os",
              "PING", "PING hello", ("PING", ""), "ping")
    sub.quiet()


@pytest.mark.parametrize("resp3", [False, True], ids=["resp2", "resp3"])
def test_ping_in_subscribed_mode(twins, resp3):
    sub, = twins(1, resp3=resp3)
    sub.call("SUBSCRIBE t5:c")
    pong = sub.call("PING")
    pong_msg = sub.call(("PING", b"hi \x00 there"))
    sub.call("PING a b")  # arity error
    if resp3:
        assert pong == b"PONG" and pong_msg == b"hi \x00 there"
    else:
        assert pong == [b"pong", b""]
        assert pong_msg == [b"pong", b"hi \x00 there"]
    sub.call("UNSUBSCRIBE t5:c")
    # out of subscribed mode: plain PONG again
    assert sub.call("PING") == b"PONG"


def test_reset_leaves_subscribed_mode(twins):
    sub, pub = twins(2)
    sub.call("SUBSCRIBE t6:c")
    sub.call("PSUBSCRIBE t6:*")
    sub.call("SSUBSCRIBE t6:s")
    assert pub.call("PUBLISH t6:c x") == 2
    sub.read(2)
    assert sub.call("RESET") == b"RESET"
    assert pub.call("PUBLISH t6:c x") == 0
    assert pub.call("SPUBLISH t6:s x") == 0
    sub.calls("SET t6:k v", "GET t6:k", "PING", "UNSUBSCRIBE")
    sub.quiet()


def test_reset_from_resp3_subscribed(twins):
    sub, pub = twins(2)
    sub.call("HELLO 3", mode="shape")
    sub.call("SUBSCRIBE t6b:c")
    assert sub.call("RESET") == b"RESET"
    # RESET also goes back to RESP2
    assert sub.call("PING") == b"PONG"
    assert pub.call("PUBLISH t6b:c x") == 0
    sub.call("GET nothing")
    sub.quiet()


def test_quit_in_subscribed_mode(twins):
    sub, pub, = twins(2)
    sub.call("SUBSCRIBE t7:c")
    sub.call("PSUBSCRIBE t7:*")
    assert sub.call("QUIT") == b"OK"
    for conn in (sub.fk, sub.rd):
        assert conn.read_until_closed(timeout=3) == b""
    # the subscriptions are gone once the server has seen the close
    settle(pub, "PUBLISH t7:c x", b":0\r\n")


def test_disconnect_drops_subscriptions(fresh):
    sub, pub = fresh(2)
    sub.send("SUBSCRIBE t8:a t8:b")
    sub.read(2)
    sub.call("PSUBSCRIBE t8:*")
    sub.call("SSUBSCRIBE t8:s")
    pub.call("PUBSUB NUMSUB t8:a t8:b")
    pub.call("PUBSUB NUMPAT")
    pub.call("PUBSUB SHARDNUMSUB t8:s")
    sub.close()
    settle(pub, "PUBSUB NUMPAT", b":0\r\n")
    assert pub.call("PUBSUB NUMSUB t8:a t8:b") == [b"t8:a", 0, b"t8:b", 0]
    assert pub.call("PUBSUB SHARDNUMSUB t8:s") == [b"t8:s", 0]
    assert pub.call("PUBLISH t8:a x") == 0
    assert pub.call("PUBSUB CHANNELS") == []
    assert pub.call("PUBSUB SHARDCHANNELS") == []


# --------------------------------------------------------------------------
# RESP3
# --------------------------------------------------------------------------

def test_resp3_push_frames_and_normal_commands(twins):
    sub, pub = twins(2)
    sub.call("HELLO 3", mode="shape")
    sub.send("SUBSCRIBE t9:a t9:b")
    frames = sub.read(2)
    assert frames == [[b"subscribe", b"t9:a", 1], [b"subscribe", b"t9:b", 2]]
    sub.call("PSUBSCRIBE t9:*")
    sub.call("SSUBSCRIBE t9:s")
    # a subscribed RESP3 client runs ordinary commands
    assert sub.call("SET t9:k v") == b"OK"
    assert sub.call("GET t9:k") == b"v"
    sub.calls("INCR t9:n", "MGET t9:k t9:n nope", "PING", "PING x", "ECHO e",
              "DEL t9:k", "GET t9:k", "SELECT 0")
    # messages arrive as '>' push frames; the reply of a command sent after
    # the PUBLISH completed follows the pushes
    assert pub.call("PUBLISH t9:a m1") == 2
    assert pub.call("SPUBLISH t9:s m2") == 1
    sub.send("GET t9:n")
    fk, rd = sub.read_nodes(4)
    assert [raw for raw, _ in fk][0] == msg(b"t9:a", b"m1", resp3=True)
    assert [raw for raw, _ in rd][0] == msg(b"t9:a", b"m1", resp3=True)
    assert [raw for raw, _ in fk] == [raw for raw, _ in rd]
    assert [n.t for _, n in fk] == [">", ">", ">", "$"]
    # a RESP3 subscribed client can publish itself: its own pushes come
    # before the PUBLISH reply
    sub.send("PUBLISH t9:b self")
    assert sub.read(3) == [[b"message", b"t9:b", b"self"],
                           [b"pmessage", b"t9:*", b"t9:b", b"self"], 2]
    sub.send("UNSUBSCRIBE")
    sub.read_norm(2, unsub_all_norm)
    sub.call("PUNSUBSCRIBE")
    sub.call("SUNSUBSCRIBE")
    sub.call("UNSUBSCRIBE")
    sub.quiet()


def test_resp3_subscribe_frames_exact(twins):
    sub, = twins(1, resp3=True)
    sub.expect_raw("SUBSCRIBE t10:a", b">3\r\n$9\r\nsubscribe\r\n$5\r\nt10:a\r\n:1\r\n")
    sub.expect_raw("UNSUBSCRIBE t10:a",
                   b">3\r\n$11\r\nunsubscribe\r\n$5\r\nt10:a\r\n:0\r\n")
    sub.expect_raw("UNSUBSCRIBE", b">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n")


def test_resp2_frames_exact(twins):
    sub, pub = twins(2)
    sub.expect_raw("SUBSCRIBE t11:a", b"*3\r\n$9\r\nsubscribe\r\n$5\r\nt11:a\r\n:1\r\n")
    sub.expect_raw("PSUBSCRIBE t11:*",
                   b"*3\r\n$10\r\npsubscribe\r\n$5\r\nt11:*\r\n:2\r\n")
    pub.call("PUBLISH t11:a hey")
    sub.expect_raw(None, msg(b"t11:a", b"hey"),
                   b"*4\r\n$8\r\npmessage\r\n$5\r\nt11:*\r\n$5\r\nt11:a\r\n$3\r\nhey\r\n")
    # still one pattern: count 1
    sub.expect_raw("UNSUBSCRIBE", b"*3\r\n$11\r\nunsubscribe\r\n$5\r\nt11:a\r\n:1\r\n")
    sub.expect_raw("PUNSUBSCRIBE",
                   b"*3\r\n$12\r\npunsubscribe\r\n$5\r\nt11:*\r\n:0\r\n")


# --------------------------------------------------------------------------
# patterns
# --------------------------------------------------------------------------

PATTERNS = ["*", "h?llo", "h*llo", "h[ae]llo", "h[^e]llo", "h[a-b]llo",
            "h[a-z]llo", "h\\*llo", "h\\?llo", "h\\[llo", "h\\\\llo", "h[\\]]llo",
            "foo:*", "foo:?", "foo:*:*", "?", "[", "h[a-", "[ab]", "*o*", "H*",
            "\\h*", "*\\", "h[!e]llo"]
CHANNELS = ["hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "h?llo",
            "h[llo", "h\\llo", "h]llo", "foo:1", "foo:bar:3", "foo:", "a", "",
            "Hello", "[", "h[a-", "b", "h!llo"]


def test_pattern_glob_matching(twins):
    pub, = twins(1, prefix="pub")
    subs = twins(len(PATTERNS), prefix="p")
    for s, pat in zip(subs, PATTERNS):
        assert s.call(("PSUBSCRIBE", pat)) == [b"psubscribe", pat.encode(), 1]
    counts = [pub.call(("PUBLISH", ch, "m:" + ch)) for ch in CHANNELS]
    # sanity of the oracle: '*' matches every non-empty channel name (the
    # empty channel name matches no pattern at all, not even '*')
    assert all(c >= 1 for ch, c in zip(CHANNELS, counts) if ch)
    assert counts[CHANNELS.index("")] == 0
    for s in subs:
        # everything published is queued before the PING reply
        s.send("PING")
        fk, rd = s.collect_until(lambda n: kind(n) == b"pong")
        assert [x[0] for x in fk] == [x[0] for x in rd], (
            "pattern %r: fastkv %r / redis %r" % (s.log[0], [x[0] for x in fk],
                                                   [x[0] for x in rd]))
        s.quiet(0.01)


def test_channel_and_patterns_same_client(twins):
    """A client subscribed to a channel and to several matching patterns gets
    one 'message' then one 'pmessage' per pattern (patterns in hash order:
    compared as a set per PUBLISH)."""
    sub, pub = twins(2)
    sub.call("SUBSCRIBE news.tech")
    sub.send("PSUBSCRIBE news.* *tech n?ws.* [m-o]ews.te[c]h nomatch.*")
    sub.read(5)
    for ch, expect in [("news.tech", 5), ("news.art", 2), ("oews.tech", 2),
                       ("other", 0), ("news.tech", 5)]:
        n = pub.call(("PUBLISH", ch, "payload-" + ch))
        assert n == expect

        def norm(nodes):
            msgs = [to_py(x) for x in nodes if kind(x) == b"message"]
            pmsgs = sorted(to_py(x) for x in nodes if kind(x) == b"pmessage")
            return [x.t for x in nodes if kind(x) == b"message"], msgs, pmsgs, \
                [kind(x) for x in nodes][:1]
        got = sub.read_norm(n, norm)
        if ch == "news.tech":
            assert got[3] == [b"message"]  # channel message first
    sub.quiet()


def test_same_pattern_twice_and_overlaps(twins):
    sub, pub = twins(2)
    sub.call("PSUBSCRIBE t13:*")
    sub.call("PSUBSCRIBE t13:*")  # already subscribed: count unchanged
    sub.call("SUBSCRIBE t13:x")
    sub.call("SUBSCRIBE t13:x")
    assert pub.call("PUBLISH t13:x 1") == 2
    assert sub.read(2) == [[b"message", b"t13:x", b"1"],
                           [b"pmessage", b"t13:*", b"t13:x", b"1"]]
    sub.send("PUNSUBSCRIBE t13:* t13:*")
    sub.read(2)
    assert pub.call("PUBLISH t13:x 2") == 1
    sub.read(1)
    sub.quiet()


# --------------------------------------------------------------------------
# fan-out and ordering
# --------------------------------------------------------------------------

def test_fanout_many_subscribers(twins):
    pub, = twins(1, prefix="pub")
    chan_subs = twins(10, prefix="ch")
    pat_subs = twins(6, prefix="pat")
    both_subs = twins(4, prefix="both")
    for s in chan_subs:
        s.call("SUBSCRIBE t14:fan")
    for s in pat_subs:
        s.call("PSUBSCRIBE t14:f*")
    for s in both_subs:
        s.call("SUBSCRIBE t14:fan")
        s.call("PSUBSCRIBE t14:f?n")
    n_msgs = 30
    for i in range(n_msgs):
        assert pub.call(("PUBLISH", "t14:fan", "m%d" % i)) == 10 + 6 + 2 * 4
    assert pub.call("PUBLISH t14:fun u") == 6 + 4
    for s in chan_subs:
        got = s.read(n_msgs)
        assert got == [[b"message", b"t14:fan", b"m%d" % i] for i in range(n_msgs)]
    for s in pat_subs:
        got = s.read(n_msgs + 1)
        assert got[-1] == [b"pmessage", b"t14:f*", b"t14:fun", b"u"]
    for s in both_subs:
        got = s.read(2 * n_msgs + 1)
        assert got[0] == [b"message", b"t14:fan", b"m0"]
        assert got[1] == [b"pmessage", b"t14:f?n", b"t14:fan", b"m0"]
    for s in chan_subs + pat_subs + both_subs:
        s.quiet(0.01)


def test_message_order_1000(twins):
    sub, pub = twins(2)
    sub.call("SUBSCRIBE t15:order")
    n = 1000
    pub.send_raw(b"".join(encode_args([b"PUBLISH", b"t15:order", b"%d" % i])
                          for i in range(n)))
    assert pub.read(n) == [1] * n
    got = sub.read(n)
    assert [m[2] for m in got] == [b"%d" % i for i in range(n)]
    sub.quiet()


def test_message_order_per_publisher(twins):
    sub, p1, p2 = twins(3)
    sub.call("SUBSCRIBE t16:c")
    sub.call("PSUBSCRIBE t16:*")
    n = 300
    p1.send_raw(b"".join(encode_args([b"PUBLISH", b"t16:c", b"A%d" % i]) for i in range(n)))
    p2.send_raw(b"".join(encode_args([b"PUBLISH", b"t16:c", b"B%d" % i]) for i in range(n)))
    assert p1.read(n) == [2] * n
    assert p2.read(n) == [2] * n

    def norm(nodes):
        # interleaving between two publisher connections is timing; per
        # publisher the order is kept, and each message is followed directly
        # by its pmessage
        frames = [to_py(x) for x in nodes]
        pairs = [(frames[i], frames[i + 1]) for i in range(0, len(frames), 2)]
        ok_pairs = all(a[0] == b"message" and b[0] == b"pmessage" and a[2] == b[3]
                       for a, b in pairs)
        a_seq = [a[2] for a, _ in pairs if a[2].startswith(b"A")]
        b_seq = [a[2] for a, _ in pairs if a[2].startswith(b"B")]
        return ok_pairs, a_seq, b_seq

    ok, a_seq, b_seq = sub.read_norm(4 * n, norm)
    assert ok
    assert a_seq == [b"A%d" % i for i in range(n)]
    assert b_seq == [b"B%d" % i for i in range(n)]
    sub.quiet()


# --------------------------------------------------------------------------
# binary channel names
# --------------------------------------------------------------------------

def test_binary_channels_and_messages(twins):
    sub, psub, pub = twins(3)
    chans = [b"", b"\x00", b"a\x00b", b"\r\n", b"sp ace", b"\xff\xfe",
             b"x" * 1000, "ünï".encode()]
    sub.send((b"SUBSCRIBE",) + tuple(chans))
    sub.read(len(chans))
    psub.send((b"PSUBSCRIBE", b"\x00*", b"*\xfe", b"\r?", b"[\x00-\x01]"))
    psub.read(4)
    for i, ch in enumerate(chans):
        pub.call((b"PUBLISH", ch, b"\x00payload\r\n%d\xff" % i))
    pub.call((b"PUBLISH", b"\x01", b"one"))
    sub.read(len(chans))

    def norm(nodes):
        # b"\x00" matches two patterns: their pmessages come in hash order
        return ([(n.v[2].v, n.v[3].v) for n in nodes],
                sorted(to_py(n) for n in nodes))
    order, frames = psub.read_norm(5, norm)
    assert [ch for ch, _ in order] == [b"\x00", b"\x00", b"\r\n", b"\xff\xfe", b"\x01"]
    psub.quiet()
    sub.quiet()
    sub.send((b"UNSUBSCRIBE",) + tuple(chans))
    sub.read(len(chans))


# --------------------------------------------------------------------------
# sharded pub/sub
# --------------------------------------------------------------------------

@pytest.mark.parametrize("resp3", [False, True], ids=["resp2", "resp3"])
def test_sharded_pubsub(twins, resp3):
    ssub, sub, pub = twins(3, resp3=resp3)
    ssub.send("SSUBSCRIBE t17:a t17:b t17:a")
    ssub.read(3)
    sub.call("SUBSCRIBE t17:a")
    sub.call("PSUBSCRIBE t17:*")
    assert pub.call("SPUBLISH t17:a hi") == 1   # patterns/channels don't count
    assert pub.call("PUBLISH t17:a hi") == 2    # shard subscribers don't count
    assert pub.call("SPUBLISH t17:none x") == 0
    assert ssub.read(1) == [[b"smessage", b"t17:a", b"hi"]]
    sub.read(2)
    ssub.quiet(0.05)
    ssub.call("SUNSUBSCRIBE t17:a")
    assert pub.call("SPUBLISH t17:a x") == 0
    assert pub.call("SPUBLISH t17:b y") == 1
    ssub.read(1)
    ssub.call("SUNSUBSCRIBE t17:b")
    ssub.call("SUNSUBSCRIBE")
    sub.quiet()


# --------------------------------------------------------------------------
# PUBSUB introspection (fresh servers: the counters are server-wide)
# --------------------------------------------------------------------------

def test_pubsub_introspection(fresh):
    a, b, c, q = fresh(4)
    q.calls("PUBSUB CHANNELS", "PUBSUB NUMPAT", "PUBSUB NUMSUB", "PUBSUB SHARDCHANNELS",
            "PUBSUB SHARDNUMSUB", "PUBSUB NUMSUB x", "PUBSUB SHARDNUMSUB x")
    a.send("SUBSCRIBE news.1 news.2 sport.1 \x00bin")
    a.read(4)
    b.send("SUBSCRIBE news.1 other")
    b.read(2)
    a.send("PSUBSCRIBE news.* *")
    a.read(2)
    b.send("PSUBSCRIBE news.* x?")
    b.read(2)
    c.send("SSUBSCRIBE shard.1 shard.2")
    c.read(2)
    b.send("SSUBSCRIBE shard.1")
    b.read(1)
    un = lambda cmd: q.call(cmd, mode="unordered")  # noqa: E731 (hash order)
    assert sorted(un("PUBSUB CHANNELS")) == [b"\x00bin", b"news.1", b"news.2",
                                             b"other", b"sport.1"]
    un("PUBSUB CHANNELS news.*")
    un("PUBSUB CHANNELS *.1")
    un("PUBSUB CHANNELS nomatch*")
    un("PUBSUB channels [ns]*")
    assert q.call("PUBSUB NUMPAT") == 3      # distinct patterns
    assert q.call("PUBSUB NUMSUB news.1 news.2 nope news.1") == \
        [b"news.1", 2, b"news.2", 1, b"nope", 0, b"news.1", 2]
    q.call("PUBSUB NUMSUB news.*")           # not a pattern here
    assert sorted(un("PUBSUB SHARDCHANNELS")) == [b"shard.1", b"shard.2"]
    un("PUBSUB SHARDCHANNELS *.2")
    assert q.call("PUBSUB SHARDNUMSUB shard.1 shard.2 news.1") == \
        [b"shard.1", 2, b"shard.2", 1, b"news.1", 0]
    # errors and help
    q.calls("PUBSUB", "PUBSUB FOO", "PUBSUB CHANNELS a b", "PUBSUB NUMPAT x",
            "PUBSUB SHARDCHANNELS a b", "PUBSUB HELP", "pubsub help", "PUBSUB HELP x")
    # after unsubscribing
    a.send("PUNSUBSCRIBE")
    a.read_norm(2, unsub_all_norm)
    assert q.call("PUBSUB NUMPAT") == 2
    b.send("PUNSUBSCRIBE news.*")
    b.read(1)
    assert q.call("PUBSUB NUMPAT") == 1
    a.send("UNSUBSCRIBE")
    a.read_norm(4, unsub_all_norm)
    un("PUBSUB CHANNELS")
    q.call("PUBSUB NUMSUB news.1 news.2")
    c.call("SUNSUBSCRIBE shard.2")
    q.call("PUBSUB SHARDCHANNELS")
    q.call("PUBSUB SHARDNUMSUB shard.1 shard.2")


def test_pubsub_introspection_resp3(fresh):
    a, q = fresh(2, resp3=True)
    a.send("SUBSCRIBE r3.a r3.b")
    a.read(2)
    a.call("PSUBSCRIBE r3.*")
    a.call("SSUBSCRIBE r3.s")
    q.call("PUBSUB CHANNELS", mode="unordered")
    q.calls("PUBSUB NUMSUB r3.a r3.x", "PUBSUB NUMPAT", "PUBSUB SHARDCHANNELS",
            "PUBSUB SHARDNUMSUB r3.s")
    # the subscribed client itself can run PUBSUB in RESP3
    a.calls("PUBSUB NUMPAT", "PUBSUB NUMSUB r3.a")


# --------------------------------------------------------------------------
# redis-py usage against the server under test
# --------------------------------------------------------------------------

def _get(p, timeout=2.0):
    """Next non-None message from a redis-py PubSub (sync)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        m = p.get_message(timeout=0.1)
        if m is not None:
            return m
    raise AssertionError("no pub/sub message within %.1fs" % timeout)


def test_redis_py_pubsub(r):
    p = r.pubsub()
    try:
        p.subscribe("rp:a", "rp:b")
        assert _get(p) == {"type": "subscribe", "pattern": None, "channel": b"rp:a", "data": 1}
        assert _get(p) == {"type": "subscribe", "pattern": None, "channel": b"rp:b", "data": 2}
        p.psubscribe("rp:*")
        assert _get(p)["type"] == "psubscribe"
        assert r.publish("rp:a", "hello") == 2
        assert _get(p) == {"type": "message", "pattern": None, "channel": b"rp:a",
                           "data": b"hello"}
        assert _get(p) == {"type": "pmessage", "pattern": b"rp:*", "channel": b"rp:a",
                           "data": b"hello"}
        assert sorted(x for x in r.pubsub_channels("rp:*")) == [b"rp:a", b"rp:b"]
        assert r.pubsub_numsub("rp:a", "rp:none") == [(b"rp:a", 1), (b"rp:none", 0)]
        assert r.pubsub_numpat() >= 1
        p.unsubscribe("rp:a")
        assert _get(p) == {"type": "unsubscribe", "pattern": None, "channel": b"rp:a",
                           "data": 2}
        assert r.publish("rp:a", "x") == 1     # only the pattern now
        assert _get(p)["type"] == "pmessage"
        p.punsubscribe()
        assert _get(p)["type"] == "punsubscribe"
        assert r.publish("rp:b", "last") == 1
        assert _get(p)["data"] == b"last"
        p.ping()
        assert _get(p)["type"] in ("pong",)
    finally:
        p.close()


def test_redis_py_pubsub_handlers_and_thread(r):
    got = []
    done = threading.Event()

    def handler(m):
        got.append((m["channel"], m["data"]))
        if m["data"] == b"stop":
            done.set()

    p = r.pubsub(ignore_subscribe_messages=True)
    p.subscribe(**{"rph:c": handler})
    p.psubscribe(**{"rph:p*": handler})
    t = p.run_in_thread(sleep_time=0.01, daemon=True)
    try:
        # wait until the subscriptions are registered
        assert wait_until(lambda: dict(r.pubsub_numsub("rph:c"))[b"rph:c"] == 1)
        for i in range(20):
            r.publish("rph:c", "c%d" % i)
            r.publish("rph:px", "p%d" % i)
        r.publish("rph:c", "stop")
        assert done.wait(5)
    finally:
        t.stop()
        t.join(5)
        p.close()
    assert [d for c, d in got if c == b"rph:c"] == [b"c%d" % i for i in range(20)] + [b"stop"]
    assert [d for c, d in got if c == b"rph:px"] == [b"p%d" % i for i in range(20)]


def test_redis_py_sharded_pubsub(r):
    p = r.pubsub()
    try:
        p.ssubscribe("rps:s")
        assert _get(p)["type"] == "ssubscribe"
        assert r.spublish("rps:s", "v") == 1
        m = _get(p)
        assert (m["type"], m["channel"], m["data"]) == ("smessage", b"rps:s", b"v")
        assert r.pubsub_shardnumsub("rps:s") == [(b"rps:s", 1)]
        p.sunsubscribe("rps:s")
        assert _get(p)["type"] == "sunsubscribe"
    finally:
        p.close()


def test_redis_py_asyncio_pubsub(aredis):
    async def main():
        client = aredis()
        try:
            p = client.pubsub()
            await p.subscribe("arp:a")
            await p.psubscribe("arp:*")
            seen = []
            while len(seen) < 2:
                m = await p.get_message(timeout=1.0)
                if m:
                    seen.append(m["type"])
            assert seen == ["subscribe", "psubscribe"]
            assert await client.publish("arp:a", "one") == 2
            msgs = []
            while len(msgs) < 2:
                m = await p.get_message(timeout=1.0)
                if m:
                    msgs.append((m["type"], m["channel"], m["data"]))
            assert msgs == [("message", b"arp:a", b"one"),
                            ("pmessage", b"arp:a", b"one")]
            # listen() generator
            await client.publish("arp:a", "two")
            out = []
            async for m in p.listen():
                out.append(m["data"])
                if len(out) == 2:
                    break
            assert out == [b"two", b"two"]
            await p.unsubscribe()
            await p.punsubscribe()
            await p.aclose()
        finally:
            await client.aclose()

    asyncio.run(asyncio.wait_for(main(), 15))
