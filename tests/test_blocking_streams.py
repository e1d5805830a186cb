"""Blocking XREAD and XREADGROUP over real connections, against fastkv and
a real redis-server 7.0 alike (the `srv` fixture of test_blocking.py is
parametrised over both).

Covered: XREAD BLOCK woken by XADD from another client, timeouts (RESP2 and
RESP3 nulls), `$` meaning the last ID when the client blocked, several
readers on one stream all served by one XADD, several streams, XREADGROUP
BLOCK with `>` (delivery to one consumer per entry, the PEL), BLOCK 0,
NOACK, inside MULTI (answers at once), XADD inside MULTI/EXEC, a waiter
killed while blocked, the key deleted / the group destroyed while an
XREADGROUP waits, CLIENT UNBLOCK, commands pipelined behind a blocked one."""
import time

import pytest

from kvtest import RawConn, to_py
from test_blocking import srv, wait_blocked, reply, WAIT  # noqa: F401  (fixture)


def test_xread_block_woken_by_xadd(srv):
    c = srv.conn()
    c.send_command("XREAD", "BLOCK", 0, "STREAMS", "s", "0")
    wait_blocked(srv.admin, 1)
    srv.admin.call("XADD", "s", "1-1", "f", "v")
    assert reply(c) == [[b"s", [[b"1-1", [b"f", b"v"]]]]]
    wait_blocked(srv.admin, 0)


def test_xread_block_dollar_is_the_id_at_block_time(srv):
    srv.admin.call("XADD", "s", "1-1", "f", "v1")
    c = srv.conn()
    c.send_command("XREAD", "BLOCK", 0, "STREAMS", "s", "$")
    wait_blocked(srv.admin, 1)
    srv.admin.call("XADD", "s", "2-1", "f", "v2")
    assert reply(c) == [[b"s", [[b"2-1", [b"f", b"v2"]]]]]
    # an entry appended and deleted at once: still '$' of block time
    c.send_command("XREAD", "BLOCK", 0, "STREAMS", "s", "$")
    wait_blocked(srv.admin, 1)
    srv.admin.call("XADD", "s", "3-1", "f", "v3")
    srv.admin.call("XADD", "s", "4-1", "f", "v4")
    assert reply(c) == [[b"s", [[b"3-1", [b"f", b"v3"]]]]]


def test_xread_block_dollar_on_missing_key(srv):
    c = srv.conn()
    c.send_command("XREAD", "BLOCK", 0, "STREAMS", "s", "$")
    wait_blocked(srv.admin, 1)
    srv.admin.call("XADD", "s", "1-1", "f", "v")
    assert reply(c) == [[b"s", [[b"1-1", [b"f", b"v"]]]]]


def test_several_readers_on_one_stream_all_served(srv):
    readers = []
    for i in range(4):
        c = srv.conn()
        if i == 3:
            c.call("HELLO", 3)
        c.send_command("XREAD", "BLOCK", 0, "STREAMS", "s", "$")
        wait_blocked(srv.admin, i + 1)
        readers.append(c)
    srv.admin.call("XADD", "s", "5-1", "f", "v")
    for c in readers[:3]:
        assert reply(c) == [[b"s", [[b"5-1", [b"f", b"v"]]]]]
    raw = readers[3].read_reply(WAIT)[0]
    assert raw == b"%1\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n5-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
    wait_blocked(srv.admin, 0)


def test_xread_block_several_streams(srv):
    c = srv.conn()
    c.send_command("XREAD", "BLOCK", 0, "STREAMS", "a", "b", "$", "$")
    wait_blocked(srv.admin, 1)
    srv.admin.call("XADD", "b", "1-1", "f", "v")
    assert reply(c) == [[b"b", [[b"1-1", [b"f", b"v"]]]]]


def test_xread_block_count(srv):
    c = srv.conn()
    c.send_command("XREAD", "COUNT", 2, "BLOCK", 0, "STREAMS", "s", "0")
    wait_blocked(srv.admin, 1)
    srv.admin.call("MULTI")
    for i in range(1, 5):
        srv.admin.call("XADD", "s", "%d-1" % i, "f", "v")
    srv.admin.call("EXEC")
    assert reply(c) == [[b"s", [[b"1-1", [b"f", b"v"]], [b"2-1", [b"f", b"v"]]]]]


def test_xread_timeout(srv):
    c = srv.conn()
    t0 = time.monotonic()
    c.send_command("XREAD", "BLOCK", 100, "STREAMS", "s", "$")
    assert c.read_reply(WAIT)[0] == b"*-1\r\n"
    assert 0.08 <= time.monotonic() - t0 < 2
    c.call("HELLO", 3)
    c.send_command("XREAD", "BLOCK", 50, "STREAMS", "s", "$")
    assert c.read_reply(WAIT)[0] == b"_\r\n"
    c.send_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", 50, "STREAMS", "s", ">")
    assert c.read_reply(WAIT)[0].startswith(b"-NOGROUP")
    srv.admin.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    c.send_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", 50, "STREAMS", "s", ">")
    assert c.read_reply(WAIT)[0] == b"_\r\n"
    c.call("HELLO", 2)
    c.send_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", 50, "STREAMS", "s", ">")
    assert c.read_reply(WAIT)[0] == b"*-1\r\n"


def test_xread_block_timeout_past_llong_max_waits_forever(srv):
    # 7.0.15 has no range check on BLOCK: now + ms overflows and the
    # client waits until served (no error, no timeout)
    srv.admin.call("XADD", "s", "1-1", "f", "v")
    c = srv.conn()
    c.send_command("XREAD", "BLOCK", 9223372036854775807, "STREAMS", "s", "0")
    assert reply(c) == [[b"s", [[b"1-1", [b"f", b"v"]]]]]
    for block in (9223372036854775807, 9223372036854000000):
        c.send_command("XREAD", "BLOCK", block, "STREAMS", "s", "$")
        wait_blocked(srv.admin, 1)
        time.sleep(0.2)
        srv.admin.call("XADD", "s", "*", "f", "v2")
        got = reply(c)
        assert got[0][0] == b"s" and got[0][1][0][1] == [b"f", b"v2"]
        wait_blocked(srv.admin, 0)
    srv.admin.call("XGROUP", "CREATE", "s", "g", "$")
    c.send_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", 9223372036854775807,
                   "STREAMS", "s", ">")
    wait_blocked(srv.admin, 1)
    srv.admin.call("XADD", "s", "*", "f", "v3")
    assert reply(c)[0][1][0][1] == [b"f", b"v3"]


def test_xread_block_xadd_with_lower_id_does_not_wake(srv):
    srv.admin.call("XADD", "s", "5-1", "f", "v")
    c = srv.conn()
    c.send_command("XREAD", "BLOCK", 0, "STREAMS", "s", "9-0")
    wait_blocked(srv.admin, 1)
    srv.admin.call("XADD", "s", "6-1", "f", "v")
    time.sleep(0.1)
    wait_blocked(srv.admin, 1)
    srv.admin.call("XADD", "s", "9-1", "f", "v")
    assert reply(c) == [[b"s", [[b"9-1", [b"f", b"v"]]]]]


def test_xreadgroup_block_gt(srv):
    srv.admin.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    c1, c2 = srv.conn(), srv.conn()
    c1.send_command("XREADGROUP", "GROUP", "g", "alice", "BLOCK", 0, "STREAMS", "s", ">")
    wait_blocked(srv.admin, 1)
    c2.send_command("XREADGROUP", "GROUP", "g", "bob", "BLOCK", 0, "STREAMS", "s", ">")
    wait_blocked(srv.admin, 2)
    srv.admin.call("XADD", "s", "1-1", "f", "v1")
    assert reply(c1) == [[b"s", [[b"1-1", [b"f", b"v1"]]]]]
    wait_blocked(srv.admin, 1)
    srv.admin.call("XADD", "s", "2-1", "f", "v2")
    assert reply(c2) == [[b"s", [[b"2-1", [b"f", b"v2"]]]]]
    p = srv.admin.call("XPENDING", "s", "g")
    assert p == [2, b"1-1", b"2-1", [[b"alice", b"1"], [b"bob", b"1"]]]
    g = srv.admin.call("XINFO", "GROUPS", "s")[0]
    assert g[g.index(b"entries-read") + 1] == 2 and g[g.index(b"lag") + 1] == 0


def test_xreadgroup_block_noack_and_consumer_created(srv):
    srv.admin.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    c = srv.conn()
    c.send_command("XREADGROUP", "GROUP", "g", "new", "NOACK", "BLOCK", 0, "STREAMS", "s", ">")
    wait_blocked(srv.admin, 1)
    assert srv.admin.call("XINFO", "CONSUMERS", "s", "g") == []
    srv.admin.call("XADD", "s", "1-1", "f", "v1")
    assert reply(c) == [[b"s", [[b"1-1", [b"f", b"v1"]]]]]
    assert srv.admin.call("XPENDING", "s", "g")[0] == 0
    cons = srv.admin.call("XINFO", "CONSUMERS", "s", "g")
    assert len(cons) == 1 and cons[0][1] == b"new"


def test_xreadgroup_history_never_blocks(srv):
    srv.admin.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    c = srv.conn()
    c.send_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", 0, "STREAMS", "s", "0")
    assert reply(c) == [[b"s", []]]


def test_xreadgroup_block_key_deleted(srv):
    srv.admin.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    c = srv.conn()
    c.send_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", 0, "STREAMS", "s", ">")
    wait_blocked(srv.admin, 1)
    srv.admin.call("DEL", "s")
    assert c.read_reply(WAIT)[0] == b"-UNBLOCKED the stream key no longer exists\r\n"
    wait_blocked(srv.admin, 0)


@pytest.mark.parametrize("how", ["RENAME", "MOVE"])
def test_xreadgroup_block_key_renamed_or_moved_away(srv, how):
    # RENAME/MOVE delete the source key (dbDelete): a blocked XREADGROUP
    # on it is answered -UNBLOCKED, as for DEL
    srv.admin.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    c = srv.conn()
    c.send_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", 0, "STREAMS", "s", ">")
    wait_blocked(srv.admin, 1)
    if how == "RENAME":
        srv.admin.call("RENAME", "s", "t")
    else:
        srv.admin.call("MOVE", "s", 9)
    assert c.read_reply(WAIT)[0] == b"-UNBLOCKED the stream key no longer exists\r\n"
    wait_blocked(srv.admin, 0)
    srv.admin.call("SELECT", 9)
    srv.admin.call("FLUSHDB")
    srv.admin.call("SELECT", 0)


def test_several_keys_ready_at_once_served_from_the_first_signalled(srv):
    # keys made ready in one EXEC: the waiter is served from the first key
    # signalled (s2 here), not the first of its STREAMS list
    for k in ("s1", "s2"):
        srv.admin.call("XGROUP", "CREATE", k, "g", "$", "MKSTREAM")
    a = srv.conn()
    a.send_command("XREAD", "BLOCK", 0, "STREAMS", "s1", "s2", "$", "$")
    b = srv.conn()
    b.send_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", 0, "STREAMS", "s1", "s2", ">", ">")
    wait_blocked(srv.admin, 2)
    m = srv.conn()
    m.call("MULTI")
    m.call("XADD", "s2", "1-1", "f", "v2")
    m.call("XADD", "s1", "1-1", "f", "v1")
    m.call("EXEC")
    assert reply(a) == [[b"s2", [[b"1-1", [b"f", b"v2"]]]]]
    assert reply(b) == [[b"s2", [[b"1-1", [b"f", b"v2"]]]]]
    assert srv.admin.call("XPENDING", "s1", "g")[0] == 0
    assert b.call("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s1", "s2", ">", ">") == \
        [[b"s1", [[b"1-1", [b"f", b"v1"]]]]]
    # the ready key's group destroyed in the same EXEC as another key's
    # XADD: what counts is the first signalled key
    b.send_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", 0, "STREAMS", "s1", "s2", ">", ">")
    wait_blocked(srv.admin, 1)
    m.call("MULTI")
    m.call("XADD", "s2", "2-1", "f", "v")
    m.call("XGROUP", "DESTROY", "s1", "g")
    m.call("EXEC")
    assert reply(b) == [[b"s2", [[b"2-1", [b"f", b"v"]]]]]
    srv.admin.call("XGROUP", "CREATE", "s1", "g", "$")
    b.send_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", 0, "STREAMS", "s1", "s2", ">", ">")
    wait_blocked(srv.admin, 1)
    m.call("MULTI")
    m.call("XGROUP", "DESTROY", "s1", "g")
    m.call("XADD", "s2", "3-1", "f", "v")
    m.call("EXEC")
    assert b.read_reply(WAIT)[0].startswith(b"-NOGROUP")


def test_xreadgroup_block_key_overwritten(srv):
    srv.admin.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    c = srv.conn()
    c.send_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", 0, "STREAMS", "s", ">")
    wait_blocked(srv.admin, 1)
    srv.admin.call("SET", "s", "x")
    assert c.read_reply(WAIT)[0] == b"-UNBLOCKED the stream key no longer exists\r\n"


def test_xreadgroup_block_group_destroyed(srv):
    srv.admin.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    c = srv.conn()
    c.send_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", 0, "STREAMS", "s", ">")
    wait_blocked(srv.admin, 1)
    srv.admin.call("XGROUP", "DESTROY", "s", "g")
    assert c.read_reply(WAIT)[0] == (b"-NOGROUP the consumer group this client was blocked on "
                                     b"no longer exists\r\n")
    wait_blocked(srv.admin, 0)


def test_xread_block_key_deleted_stays_blocked(srv):
    srv.admin.call("XADD", "s", "3-1", "f", "v")
    c = srv.conn()
    c.send_command("XREAD", "BLOCK", 0, "STREAMS", "s", "$")
    wait_blocked(srv.admin, 1)
    srv.admin.call("DEL", "s")
    srv.admin.call("XADD", "s", "2-1", "f", "v")
    time.sleep(0.1)
    wait_blocked(srv.admin, 1)
    srv.admin.call("XADD", "s", "4-1", "f", "v")
    assert reply(c) == [[b"s", [[b"4-1", [b"f", b"v"]]]]]


def test_inside_multi_answers_at_once(srv):
    c = srv.conn()
    srv.admin.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    c.call("MULTI")
    c.call("XREAD", "BLOCK", 0, "STREAMS", "s", "$")
    c.call("XREADGROUP", "GROUP", "g", "c", "BLOCK", 0, "STREAMS", "s", ">")
    c.send_command("EXEC")
    assert c.read_reply(WAIT)[0] == b"*2\r\n*-1\r\n*-1\r\n"


def test_xadd_inside_multi_serves_after_exec(srv):
    w = srv.conn()
    w.send_command("XREAD", "BLOCK", 0, "STREAMS", "s", "$")
    wait_blocked(srv.admin, 1)
    srv.admin.call("MULTI")
    srv.admin.call("XADD", "s", "1-1", "f", "a")
    srv.admin.call("XADD", "s", "2-1", "f", "b")
    srv.admin.call("EXEC")
    assert reply(w) == [[b"s", [[b"1-1", [b"f", b"a"]], [b"2-1", [b"f", b"b"]]]]]


def test_waiter_killed_while_blocked(srv):
    c = srv.conn()
    c.call("CLIENT", "SETNAME", "victim")
    cid = c.call("CLIENT", "ID")
    c.send_command("XREAD", "BLOCK", 0, "STREAMS", "s", "$")
    wait_blocked(srv.admin, 1)
    assert srv.admin.call("CLIENT", "KILL", "ID", cid) == 1
    wait_blocked(srv.admin, 0)
    srv.admin.call("XADD", "s", "1-1", "f", "v")
    c2 = srv.conn()
    c2.send_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", 0, "STREAMS", "s", ">")
    assert c2.read_reply(WAIT)[0].startswith(b"-NOGROUP")
    srv.admin.call("XGROUP", "CREATE", "s", "g", "$")
    c2.send_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", 0, "STREAMS", "s", ">")
    wait_blocked(srv.admin, 1)
    c2.close()
    wait_blocked(srv.admin, 0)
    srv.admin.call("XADD", "s", "2-1", "f", "v")
    assert srv.admin.call("XPENDING", "s", "g")[0] == 0


def test_client_unblock(srv):
    c = srv.conn()
    cid = c.call("CLIENT", "ID")
    c.send_command("XREAD", "BLOCK", 0, "STREAMS", "s", "$")
    wait_blocked(srv.admin, 1)
    assert srv.admin.call("CLIENT", "UNBLOCK", cid) == 1
    assert c.read_reply(WAIT)[0] == b"*-1\r\n"
    c.send_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", 0, "STREAMS", "s", ">")
    assert c.read_reply(WAIT)[0].startswith(b"-NOGROUP")
    srv.admin.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    c.send_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", 0, "STREAMS", "s", ">")
    wait_blocked(srv.admin, 1)
    assert srv.admin.call("CLIENT", "UNBLOCK", cid, "ERROR") == 1
    assert c.read_reply(WAIT)[0] == b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"


def test_pipelined_behind_blocked(srv):
    c = srv.conn()
    c.send(b"*6\r\n$5\r\nXREAD\r\n$5\r\nBLOCK\r\n$1\r\n0\r\n$7\r\nSTREAMS\r\n$1\r\ns\r\n$1\r\n$\r\n"
           b"*2\r\n$4\r\nXLEN\r\n$1\r\ns\r\n")
    wait_blocked(srv.admin, 1)
    srv.admin.call("XADD", "s", "1-1", "f", "v")
    assert reply(c) == [[b"s", [[b"1-1", [b"f", b"v"]]]]]
    assert reply(c) == 1


def test_xreadgroup_block_blocked_count_default(srv):
    # Served after blocking without COUNT: at most 1000 entries (7.0's
    # XREAD_BLOCKED_DEFAULT_COUNT) ... or all of them once re-run.
    srv.admin.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    c = srv.conn()
    c.send_command("XREADGROUP", "GROUP", "g", "c", "COUNT", 3, "BLOCK", 0, "STREAMS", "s", ">")
    wait_blocked(srv.admin, 1)
    srv.admin.call("MULTI")
    for i in range(1, 6):
        srv.admin.call("XADD", "s", "%d-1" % i, "f", "v")
    srv.admin.call("EXEC")
    got = reply(c)
    assert [e[0] for e in got[0][1]] == [b"1-1", b"2-1", b"3-1"]
    assert srv.admin.call("XPENDING", "s", "g")[0] == 3


@pytest.mark.parametrize("how", ["FLUSHALL", "FLUSHDB", "FLUSHALL ASYNC", "SWAPDB"])
def test_xreadgroup_block_db_emptied(srv, how):
    srv.admin.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    c, r = srv.conn(), srv.conn()
    c.send_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", 0, "STREAMS", "s", ">")
    r.send_command("XREAD", "BLOCK", 0, "STREAMS", "s", "$")
    wait_blocked(srv.admin, 2)
    srv.admin.call(*(how.split() if how != "SWAPDB" else ["SWAPDB", 0, 1]))
    assert c.read_reply(WAIT)[0] == b"-UNBLOCKED the stream key no longer exists\r\n"
    wait_blocked(srv.admin, 1)      # XREAD still waits
    if how == "SWAPDB":
        srv.admin.call("SWAPDB", 0, 1)
        srv.admin.call("FLUSHALL")
    srv.admin.call("XADD", "s", "1-1", "f", "v")
    assert reply(r) == [[b"s", [[b"1-1", [b"f", b"v"]]]]]


def test_xreadgroup_block_swapdb_stream_to_stream(srv):
    srv.admin.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    srv.admin.call("SELECT", 1)
    srv.admin.call("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    srv.admin.call("XADD", "s", "1-1", "f", "v")
    srv.admin.call("SELECT", 0)
    c = srv.conn()
    c.send_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", 0, "STREAMS", "s", ">")
    wait_blocked(srv.admin, 1)
    srv.admin.call("SWAPDB", 0, 1)
    assert reply(c) == [[b"s", [[b"1-1", [b"f", b"v"]]]]]
    srv.admin.call("FLUSHALL")


def test_served_empty_when_new_entries_deleted_before_wakeup(srv):
    """7.0 serves a blocked reader when the stream's last ID passed the one
    it waits for, even if those entries were deleted in the same
    transaction: an empty array (and XREADGROUP creates its consumer)."""
    a = srv.admin
    a.call("XADD", "s", "1-1", "f", "v")
    a.call("XGROUP", "CREATE", "s", "g", "$")
    c = srv.conn()
    c.send_command("XREAD", "BLOCK", 0, "STREAMS", "s", "$")
    wait_blocked(a, 1)
    a.call("MULTI")
    a.call("XADD", "s", "2-1", "f", "v")
    a.call("XDEL", "s", "2-1")
    a.call("EXEC")
    assert c.read_reply(WAIT)[0] == b"*1\r\n*2\r\n$1\r\ns\r\n*0\r\n"
    c.send_command("XREADGROUP", "GROUP", "g", "c", "BLOCK", 0, "STREAMS", "s", ">")
    wait_blocked(a, 1)
    a.call("MULTI")
    a.call("XADD", "s", "3-1", "f", "v")
    a.call("XDEL", "s", "3-1")
    a.call("EXEC")
    assert c.read_reply(WAIT)[0] == b"*1\r\n*2\r\n$1\r\ns\r\n*0\r\n"
    g = a.call("XINFO", "GROUPS", "s")[0]
    assert g[g.index(b"consumers") + 1] == 1 and g[g.index(b"last-delivered-id") + 1] == b"1-1"


def test_blocked_reader_served_one_stream(srv):
    c = srv.conn()
    c.send_command("XREAD", "BLOCK", 0, "STREAMS", "a", "b", "$", "$")
    wait_blocked(srv.admin, 1)
    srv.admin.call("MULTI")
    srv.admin.call("XADD", "a", "1-1", "f", "v")
    srv.admin.call("XADD", "b", "1-1", "f", "v")
    srv.admin.call("EXEC")
    assert reply(c) == [[b"a", [[b"1-1", [b"f", b"v"]]]]]
