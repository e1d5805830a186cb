"""Compat tests for stream reads and consumer groups (XREAD XREADGROUP
XGROUP XACK XPENDING XCLAIM XAUTOCLAIM XINFO): fastkv's replies must equal
a real redis-server 7.0's byte for byte.

Time-dependent fields (idle times, delivery and seen times) are compared by
shape, masked, or made deterministic (XCLAIM ... TIME <ms> sets a delivery
time that XINFO STREAM FULL reports as is).  XINFO STREAM's radix-tree-nodes
is Redis's radix tree node count, computed from the node keys: compared
exactly, with small nodes (stream-node-max-entries) to get many.
"""
import random
import time

import pytest

from kvtest import Shape, NoCompare, to_py, encode_args, split_command
from test_notify import kn  # noqa: F401  (fixture)

pytestmark = pytest.mark.compat


def _fill(key="s", n=5, start=1):
    return [("XADD", key, "%d-1" % i, "f", "v%d" % i) for i in range(start, start + n)]


def _mask_info(v):
    """XINFO STREAM [FULL] as a dict (RESP2 flat list) with the FULL form's
    time fields masked."""
    if isinstance(v, dict):
        d = dict(v)
    else:
        d = dict(zip(v[0::2], v[1::2]))
    groups = d.get(b"groups")
    if isinstance(groups, list):
        out = []
        for g in groups:
            g = dict(g) if isinstance(g, dict) else dict(zip(g[0::2], g[1::2]))
            # delivery times set by the clock (not by XCLAIM TIME) differ by a ms
            g[b"pending"] = [p[:2] + ["T" if p[2] > 10 ** 12 else p[2]] + p[3:]
                             for p in g[b"pending"]]
            cons = []
            for c in g[b"consumers"]:
                c = dict(c) if isinstance(c, dict) else dict(zip(c[0::2], c[1::2]))
                c[b"seen-time"] = "T"
                c[b"pending"] = [p[:1] + ["T" if p[1] > 10 ** 12 else p[1]] + p[2:]
                                 for p in c[b"pending"]]
                cons.append(c)
            g[b"consumers"] = cons
            out.append(g)
        d[b"groups"] = out
    return d


def check_info(compat, cmds, info_cmds, resp3=False):
    """Run cmds on both servers (compared exactly), then each XINFO STREAM of
    info_cmds compared with the masks of _mask_info."""
    with compat.session(resp3=resp3) as s:
        s.check(*cmds)
        for cmd in info_cmds:
            (fraw, fnode), (rraw, rnode) = s.send_both(cmd)
            a, b = to_py(fnode), to_py(rnode)
            if isinstance(a, list) and len(a) > 1 or isinstance(a, dict):
                a, b = _mask_info(a), _mask_info(b)
            assert a == b, "XINFO differs for %r\n fastkv %r\n redis  %r" % (cmd, a, b)


# --------------------------------------------------------------------------
# XREAD
# --------------------------------------------------------------------------

def test_xread_basic(compat):
    compat.check(
        *_fill("s", 5), *_fill("t", 2, 3),
        "XREAD STREAMS s 0", "XREAD STREAMS s 0-0", "XREAD STREAMS s 2", "XREAD STREAMS s 2-1",
        "XREAD COUNT 2 STREAMS s 0", "XREAD COUNT 0 STREAMS s 0", "XREAD COUNT -5 STREAMS s 0",
        "XREAD STREAMS s t 0 0", "XREAD COUNT 1 STREAMS s t 4 0", "XREAD STREAMS s t 5-1 4-1",
        "XREAD STREAMS s $", "XREAD STREAMS missing $", "XREAD STREAMS missing 0",
        "XREAD STREAMS s missing 0 0", "XREAD STREAMS missing s 0 0",
        "XREAD count 1 streams s 1", "XREAD STREAMS s 18446744073709551615-18446744073709551615",
        "XREAD STREAMS s s 0 3",
    )
    compat.check(*_fill("s", 3), *_fill("t", 2, 3), "XREAD STREAMS s t 0 0",
                 "XREAD COUNT 1 STREAMS s 0", "XREAD STREAMS missing 0", "XREAD STREAMS s $",
                 resp3=True)


def test_xread_errors(compat):
    compat.check(
        *_fill("s", 2), "SET str v",
        "XREAD STREAMS s", "XREAD STREAMS s t 0", "XREAD STREAMS", "XREAD",
        "XREAD COUNT x STREAMS s 0", "XREAD BLOCK x STREAMS s 0", "XREAD BLOCK -1 STREAMS s 0",
        "XREAD STREAMS s abc", "XREAD STREAMS s 1-x", "XREAD STREAMS s -", "XREAD STREAMS s +",
        "XREAD STREAMS s >", "XREAD GROUP g c STREAMS s 0", "XREAD NOACK STREAMS s 0",
        "XREAD FOO STREAMS s 0", "XREAD COUNT", "XREAD STREAMS str 0", "XREAD STREAMS s str 0 0",
        "XREAD STREAMS str s 0 0", "XREAD STREAMS s 1-", "XREAD STREAMS s ''",
        "XREAD STREAMS s 1-*",
    )


def test_xread_block_served_at_once_and_empty(compat):
    compat.check(
        *_fill("s", 3), "XREAD BLOCK 10 STREAMS s 0", "XREAD BLOCK 0 COUNT 1 STREAMS s 1",
        "XREAD BLOCK 10 STREAMS s $", "XREAD BLOCK 10 STREAMS missing 0",
        # no range check in 7.0.15 (the deadline overflows): served, no error
        "XREAD BLOCK 9223372036854775807 STREAMS s 0",
        "XREAD BLOCK 9223372036854775807 COUNT 1 STREAMS s 1",
        "XREAD BLOCK -1 STREAMS s 0", "XREAD BLOCK 9223372036854775808 STREAMS s 0",
        "MULTI", "XREAD BLOCK 0 STREAMS s $", "XREAD BLOCK 0 STREAMS s 0", "EXEC",
    )
    compat.check("MULTI", "XREAD BLOCK 0 STREAMS s $", "EXEC", resp3=True)


# --------------------------------------------------------------------------
# XGROUP
# --------------------------------------------------------------------------

def test_xgroup_create_and_errors(compat):
    compat.check(
        "XGROUP CREATE s g $", "XGROUP CREATE s g $ MKSTREAM", "XLEN s", "TYPE s",
        "XGROUP CREATE s g $ MKSTREAM", "XGROUP CREATE s g2 0", "XGROUP CREATE s g3 5-5",
        "XGROUP CREATE s g4 7", "XGROUP CREATE s g5 abc", "XGROUP CREATE s g5 -", "XGROUP CREATE s g5 +",
        "XGROUP CREATE s g6 $ ENTRIESREAD 3", "XGROUP CREATE s g7 $ ENTRIESREAD -1",
        "XGROUP CREATE s g8 $ ENTRIESREAD -2", "XGROUP CREATE s g8 $ ENTRIESREAD x",
        "XGROUP CREATE s g8 $ ENTRIESREAD", "XGROUP CREATE s g8 $ FOO", "XGROUP CREATE s g8 $ MKSTREAM FOO",
        "XGROUP CREATE s g9 $ MKSTREAM ENTRIESREAD 0", "XGROUP CREATE s g10 $ ENTRIESREAD 0 MKSTREAM",
        "XGROUP CREATE s2 g $ ENTRIESREAD 3 MKSTREAM", "XINFO GROUPS s2",
        "XINFO GROUPS s",
        "SET str v", "XGROUP CREATE str g $", "XGROUP CREATE str g $ MKSTREAM",
        "XGROUP CREATE", "XGROUP CREATE s", "XGROUP CREATE s g", "XGROUP FOO s g",
        "XGROUP FOO", "XGROUP HELP", "XGROUP help extra", "XGROUP",
        "XGROUP CREATE s g 1-* ", "XGROUP CREATE s gg 18446744073709551615-18446744073709551615",
        "XINFO GROUPS s",
    )


def test_xgroup_setid_destroy_consumers(compat):
    compat.check(
        *_fill("s", 5), "XGROUP CREATE s g 0",
        "XGROUP SETID s g 3", "XINFO GROUPS s", "XGROUP SETID s g $", "XINFO GROUPS s",
        "XGROUP SETID s g 2-1 ENTRIESREAD 2", "XINFO GROUPS s",
        "XGROUP SETID s g 0 ENTRIESREAD 0", "XINFO GROUPS s",
        "XGROUP SETID s g 0 ENTRIESREAD -3", "XGROUP SETID s g 0 ENTRIESREAD x",
        "XGROUP SETID s g 0 MKSTREAM", "XGROUP SETID s g 0 FOO", "XGROUP SETID s g -",
        "XGROUP SETID s g +", "XGROUP SETID s g abc", "XGROUP SETID s nog 0",
        "XGROUP SETID missing g 0", "XGROUP SETID s g 9-9", "XINFO GROUPS s",
        "XGROUP CREATECONSUMER s g alice", "XGROUP CREATECONSUMER s g alice",
        "XGROUP CREATECONSUMER s g bob", "XGROUP CREATECONSUMER s nog alice",
        "XGROUP CREATECONSUMER missing g alice", "XGROUP CREATECONSUMER s g",
        Shape("XINFO CONSUMERS s g"),
        "XGROUP SETID s g 0", "XREADGROUP GROUP g alice COUNT 2 STREAMS s >",
        "XGROUP DELCONSUMER s g alice", "XGROUP DELCONSUMER s g alice", "XGROUP DELCONSUMER s g bob",
        "XGROUP DELCONSUMER s nog alice", "XGROUP DELCONSUMER missing g alice",
        "XPENDING s g", "XINFO GROUPS s",
        "XGROUP DESTROY s g", "XGROUP DESTROY s g", "XGROUP DESTROY missing g",
        "XINFO GROUPS s", "SET str v", "XGROUP DESTROY str g", "XGROUP SETID str g 0",
    )


# --------------------------------------------------------------------------
# XREADGROUP
# --------------------------------------------------------------------------

def test_xreadgroup_delivery(compat):
    compat.check(
        *_fill("s", 6), "XGROUP CREATE s g 0",
        "XREADGROUP GROUP g alice COUNT 2 STREAMS s >",
        "XREADGROUP GROUP g bob COUNT 1 STREAMS s >",
        "XREADGROUP GROUP g alice STREAMS s 0", "XREADGROUP GROUP g bob STREAMS s 0",
        "XREADGROUP GROUP g alice STREAMS s 1-1", "XREADGROUP GROUP g alice COUNT 1 STREAMS s 0",
        "XREADGROUP GROUP g carol STREAMS s 0", "XPENDING s g",
        "XREADGROUP GROUP g carol STREAMS s >", "XREADGROUP GROUP g carol STREAMS s >",
        "XPENDING s g", "XINFO GROUPS s",
        Shape("XPENDING s g - + 10"), Shape("XPENDING s g - + 10 alice"), "XPENDING s g - + 10 nobody",
        "XACK s g 1-1 2-1 99-1", "XACK s g 1-1", "XPENDING s g", "XREADGROUP GROUP g alice STREAMS s 0",
        "XACK s nog 3-1", "XACK missing g 3-1", "XACK s g abc", "XACK s g 3-1 abc", "XPENDING s g",
        "XACK s g 3", "XPENDING s g",
    )


def test_xreadgroup_history_with_deleted_entries(compat):
    compat.check(
        *_fill("s", 5), "XGROUP CREATE s g 0", "XREADGROUP GROUP g c STREAMS s >",
        "XDEL s 2-1 4-1", "XREADGROUP GROUP g c STREAMS s 0", "XREADGROUP GROUP g c COUNT 2 STREAMS s 0",
        "XREADGROUP GROUP g c STREAMS s 3-1", Shape("XPENDING s g - + 10"), "XINFO GROUPS s",
    )
    compat.check(
        *_fill("s", 3), "XGROUP CREATE s g 0", "XREADGROUP GROUP g c STREAMS s >",
        "XDEL s 2-1", "XREADGROUP GROUP g c STREAMS s 0", resp3=True)


def test_xreadgroup_noack_and_several_streams(compat):
    compat.check(
        *_fill("s", 3), *_fill("t", 3, 2), "XGROUP CREATE s g 0", "XGROUP CREATE t g 0",
        "XREADGROUP GROUP g c NOACK COUNT 2 STREAMS s >", "XPENDING s g", "XINFO GROUPS s",
        "XREADGROUP GROUP g c STREAMS s t > >", "XPENDING s g", "XPENDING t g",
        "XREADGROUP GROUP g c STREAMS s t 0 >", "XREADGROUP GROUP g c STREAMS s t > 0",
        "XREADGROUP GROUP g c2 STREAMS s t 0 0", "XINFO GROUPS t",
    )
    compat.check(*_fill("s", 3), *_fill("t", 3, 2), "XGROUP CREATE s g 0", "XGROUP CREATE t g 0",
                 "XREADGROUP GROUP g c COUNT 1 STREAMS s t > >", "XREADGROUP GROUP g c STREAMS s t 0 0",
                 "XREADGROUP GROUP g c STREAMS s >", resp3=True)


def test_xreadgroup_errors(compat):
    compat.check(
        *_fill("s", 2), "XGROUP CREATE s g 0", "SET str v",
        "XREADGROUP GROUP g c STREAMS s $", "XREADGROUP GROUP g c STREAMS nokey >",
        "XREADGROUP GROUP nog c STREAMS s >", "XREADGROUP STREAMS s >",
        "XREADGROUP GROUP g c STREAMS s", "XREADGROUP GROUP g c STREAMS s t >",
        "XREADGROUP GROUP g STREAMS s >", "XREADGROUP GROUP g c STREAMS str >",
        "XREADGROUP GROUP g c STREAMS s abc", "XREADGROUP GROUP g c COUNT x STREAMS s >",
        "XREADGROUP GROUP g c BLOCK x STREAMS s >", "XREADGROUP GROUP g c FOO STREAMS s >",
        "XREADGROUP GROUP g c STREAMS s nokey > >", "XREADGROUP GROUP g c STREAMS s str > >",
        "XREADGROUP GROUP g c NOACK", "XREADGROUP GROUP g c STREAMS s -",
        "XINFO CONSUMERS s g",
    )


def test_xreadgroup_consumer_created_only_when_served(compat):
    compat.check(
        "XGROUP CREATE s g $ MKSTREAM", "XREADGROUP GROUP g c1 STREAMS s >",
        "XREADGROUP GROUP g c1 STREAMS s 0", "XINFO GROUPS s",
        "XADD s 1-1 a 1", "XREADGROUP GROUP g c2 STREAMS s 0",
        "XREADGROUP GROUP g c3 STREAMS s 5", "XREADGROUP GROUP g c4 STREAMS s >",
        "XREADGROUP GROUP g c5 STREAMS s >", "XINFO GROUPS s",
        Shape("XINFO CONSUMERS s g"),
    )


def test_xreadgroup_setid_reassigns_pending(compat):
    compat.check(
        *_fill("s", 4), "XGROUP CREATE s g 0", "XREADGROUP GROUP g a STREAMS s >",
        "XGROUP SETID s g 0", "XREADGROUP GROUP g b COUNT 2 STREAMS s >",
        "XPENDING s g", "XREADGROUP GROUP g a STREAMS s 0", "XREADGROUP GROUP g b STREAMS s 0",
        "XINFO GROUPS s",
    )


# --------------------------------------------------------------------------
# XPENDING
# --------------------------------------------------------------------------

def test_xpending_forms_and_errors(compat):
    compat.check(
        *_fill("s", 6), "XGROUP CREATE s g 0", "XPENDING s g", "XPENDING s g - + 10",
        "XREADGROUP GROUP g a COUNT 3 STREAMS s >", "XREADGROUP GROUP g b STREAMS s >",
        "XPENDING s g", Shape("XPENDING s g - + 10"), Shape("XPENDING s g - + 2"),
        Shape("XPENDING s g (1-1 + 10"), Shape("XPENDING s g - (4-1 10"),
        Shape("XPENDING s g 2 4 10"), Shape("XPENDING s g 2-1 2-1 10"), "XPENDING s g 5 1 10",
        "XPENDING s g - + 0", "XPENDING s g - + -3", Shape("XPENDING s g - + 10 b"),
        "XPENDING s g IDLE 1000000 - + 10", Shape("XPENDING s g IDLE 0 - + 10 a"),
        "XPENDING s g IDLE 1000000 - + 10 a",
        "XPENDING s g - +", "XPENDING s g -", Shape("XPENDING s g - + 10 a b"), "XPENDING s g IDLE 5 - +",
        "XPENDING s g IDLE x - + 10", "XPENDING s g - + x", "XPENDING s g x + 10", "XPENDING s g - x 10",
        "XPENDING s g (18446744073709551615-18446744073709551615 + 10",
        "XPENDING s g - (0-0 10", "XPENDING s g ( + 10", "XPENDING s g (- + 10",
        "XPENDING s nog", "XPENDING missing g", "XPENDING s nog - + 10", "SET str v",
        "XPENDING str g", "XPENDING s", "XPENDING s g - + 10 a b c d",
    )
    compat.check(*_fill("s", 2), "XGROUP CREATE s g 0", "XPENDING s g",
                 "XREADGROUP GROUP g a STREAMS s >", "XPENDING s g", Shape("XPENDING s g - + 10"),
                 resp3=True)


# --------------------------------------------------------------------------
# XCLAIM
# --------------------------------------------------------------------------

def test_xclaim(compat):
    cmds = [*_fill("s", 6), "XGROUP CREATE s g 0", "XREADGROUP GROUP g a STREAMS s >"]
    check_info(compat, cmds + [
        "XCLAIM s g b 0 1-1 2-1", "XPENDING s g",
        "XCLAIM s g b 0 3-1 JUSTID", "XCLAIM s g c 0 4-1 TIME 1000 RETRYCOUNT 7",
        "XCLAIM s g c 0 5-1 IDLE 1000000000000000 JUSTID",
        "XCLAIM s g c 1000000 6-1", "XCLAIM s g c 1000000 6-1 JUSTID",
        "XCLAIM s g d 0 99-1", "XCLAIM s g d 0 99-1 FORCE", "XCLAIM s g d 0 5-1 6-1 FORCE TIME 5 JUSTID",
        "XADD s 7-1 f v7", "XCLAIM s g d 0 7-1 FORCE TIME 6 JUSTID RETRYCOUNT 3",
        "XCLAIM s g d 0 7-1 FORCE TIME 7", "XPENDING s g",
        "XCLAIM s g e 0 1-1 LASTID 100-1 TIME 8", "XINFO GROUPS s",
        "XCLAIM s g e 0 LASTID 200-1", "XINFO GROUPS s",
        "XCLAIM s g e x 1-1", "XCLAIM s g e 0 1-1 IDLE x", "XCLAIM s g e 0 1-1 TIME x",
        "XCLAIM s g e 0 1-1 RETRYCOUNT x", "XCLAIM s g e 0 1-1 LASTID x", "XCLAIM s g e 0 1-1 FOO",
        "XCLAIM s g e 0 1-1 IDLE", "XCLAIM s nog e 0 1-1", "XCLAIM missing g e 0 1-1",
        "XCLAIM s g e 0 abc", "XCLAIM s g e -5 1-1 TIME 9 JUSTID",
        "XCLAIM s g e 0 1-1 TIME -5 JUSTID", "XPENDING s g", "XINFO GROUPS s",
    ], ["XINFO STREAM s FULL"])


def test_xclaim_deleted_entries_leave_the_pel(compat):
    compat.check(
        *_fill("s", 4), "XGROUP CREATE s g 0", "XREADGROUP GROUP g a STREAMS s >",
        "XDEL s 2-1 3-1", "XCLAIM s g b 0 1-1 2-1 3-1 4-1 JUSTID", "XPENDING s g",
        "XCLAIM s g b 0 2-1 FORCE", "XPENDING s g", "XREADGROUP GROUP g a STREAMS s 0",
    )


# --------------------------------------------------------------------------
# XAUTOCLAIM
# --------------------------------------------------------------------------

def test_xautoclaim(compat):
    compat.check(
        *_fill("s", 8), "XGROUP CREATE s g 0", "XREADGROUP GROUP g a STREAMS s >",
        "XAUTOCLAIM s g b 0 0 COUNT 2", "XAUTOCLAIM s g b 0 0 COUNT 2 JUSTID",
        "XAUTOCLAIM s g c 0 3-1 COUNT 3", "XAUTOCLAIM s g c 0 (3-1 COUNT 3 JUSTID",
        "XAUTOCLAIM s g c 0 - JUSTID", "XAUTOCLAIM s g c 0 8-1", "XAUTOCLAIM s g c 0 9-1",
        "XAUTOCLAIM s g c 100000000 0", "XPENDING s g",
        "XDEL s 2-1 5-1", "XAUTOCLAIM s g d 0 0 COUNT 2", "XAUTOCLAIM s g d 0 0 COUNT 3 JUSTID",
        "XPENDING s g", "XAUTOCLAIM s g d 0 0",
        "XAUTOCLAIM s g d 0 0 COUNT 0", "XAUTOCLAIM s g d 0 0 COUNT -1", "XAUTOCLAIM s g d 0 0 COUNT x",
        "XAUTOCLAIM s g d 0 0 COUNT 1000000000000000000", "XAUTOCLAIM s g d 0 0 FOO",
        "XAUTOCLAIM s g d 0 0 COUNT", "XAUTOCLAIM s g d x 0", "XAUTOCLAIM s g d 0 x",
        "XAUTOCLAIM s g d -1 0 JUSTID", "XAUTOCLAIM s nog d 0 0", "XAUTOCLAIM missing g d 0 0",
        "XAUTOCLAIM missing g d 0 x", "XAUTOCLAIM s g d 0 (18446744073709551615-18446744073709551615",
        "SET str v", "XAUTOCLAIM str g d 0 0",
    )
    compat.check(*_fill("s", 3), "XGROUP CREATE s g 0", "XREADGROUP GROUP g a STREAMS s >",
                 "XDEL s 2-1", "XAUTOCLAIM s g b 0 0", resp3=True)


def test_xautoclaim_attempts_limit(compat):
    # Entries not idle enough still cost attempts (COUNT*10 of them).
    cmds = [("XADD", "s", "%d-1" % i, "f", "v") for i in range(1, 31)]
    compat.check(*cmds, "XGROUP CREATE s g 0", "XREADGROUP GROUP g a STREAMS s >",
                 "XAUTOCLAIM s g b 100000000 0 COUNT 1", "XAUTOCLAIM s g b 100000000 0 COUNT 2",
                 "XAUTOCLAIM s g b 100000000 0 COUNT 3", "XAUTOCLAIM s g b 100000000 0 COUNT 4")


# --------------------------------------------------------------------------
# XINFO
# --------------------------------------------------------------------------

def test_xinfo_stream(compat):
    cmds = [*_fill("s", 5), "XGROUP CREATE s g 0", "XGROUP CREATE s h $",
            "XCLAIM s g a 0 1-1 FORCE TIME 1000", "XCLAIM s g b 0 3-1 FORCE TIME 2000 RETRYCOUNT 4",
            "XADD e 1-1 a b", "XDEL e 1-1", "XGROUP CREATE e g 0"]
    infos = ["XINFO STREAM s", "XINFO STREAM s FULL", "XINFO STREAM s FULL COUNT 1",
             "XINFO STREAM s FULL COUNT 0", "XINFO STREAM s FULL COUNT -1", "XINFO STREAM e",
             "XINFO STREAM e FULL"]
    check_info(compat, cmds, infos)
    check_info(compat, cmds, infos, resp3=True)
    compat.check(
        *cmds, "SET str v",
        "XINFO STREAM missing", "XINFO STREAM str", "XINFO STREAM s FOO", "XINFO STREAM s FULL COUNT",
        "XINFO STREAM s FULL COUNT x", "XINFO STREAM s FULL FOO 1", "XINFO STREAM s FULL COUNT 1 x",
        "XINFO GROUPS missing", "XINFO GROUPS str", "XINFO CONSUMERS s nog", "XINFO CONSUMERS missing g",
        "XINFO CONSUMERS str g", "XINFO FOO s", "XINFO HELP", "XINFO help x", "XINFO", "XINFO GROUPS",
        "XINFO GROUPS s x", "XINFO CONSUMERS s", "XINFO GROUPS s", Shape("XINFO CONSUMERS s g"),
    )
    compat.check(*cmds, "XINFO GROUPS s", Shape("XINFO CONSUMERS s g"), "XINFO HELP",
                 "XGROUP HELP", resp3=True)


def test_entries_read_and_lag(compat):
    compat.check(
        "XGROUP CREATE s g $ MKSTREAM", "XINFO GROUPS s",
        *_fill("s", 5), "XGROUP CREATE s g2 0", "XGROUP CREATE s g3 $", "XGROUP CREATE s g4 3-1",
        "XINFO GROUPS s",
        "XREADGROUP GROUP g c COUNT 2 STREAMS s >", "XREADGROUP GROUP g2 c COUNT 2 STREAMS s >",
        "XREADGROUP GROUP g4 c COUNT 1 STREAMS s >", "XINFO GROUPS s",
        # a tombstone ahead of g: the counter is estimated
        "XDEL s 4-1", "XINFO GROUPS s", "XREADGROUP GROUP g c COUNT 1 STREAMS s >", "XINFO GROUPS s",
        "XREADGROUP GROUP g c STREAMS s >", "XINFO GROUPS s",
        # deleting the first entry / the last one
        "XDEL s 1-1", "XINFO GROUPS s", "XDEL s 5-1", "XINFO GROUPS s",
        "XADD s 6-1 f v", "XADD s 7-1 f v", "XINFO GROUPS s",
        "XTRIM s MAXLEN 1", "XINFO GROUPS s", "XREADGROUP GROUP g2 c STREAMS s >", "XINFO GROUPS s",
        "XSETID s 9-1", "XINFO GROUPS s", "XSETID s 10-1 ENTRIESADDED 20 MAXDELETEDID 8-1", "XINFO GROUPS s",
        "XGROUP SETID s g3 0 ENTRIESREAD 5", "XINFO GROUPS s", "XGROUP SETID s g3 7-1", "XINFO GROUPS s",
        "XGROUP CREATE s g5 0 ENTRIESREAD 100", "XINFO GROUPS s",
        "XGROUP CREATE s g6 2-1 ENTRIESREAD 1", "XINFO GROUPS s",
    )


def test_entries_read_with_noack_and_xclaim_lastid(compat):
    compat.check(
        *_fill("s", 4), "XGROUP CREATE s g 0", "XREADGROUP GROUP g c NOACK COUNT 3 STREAMS s >",
        "XINFO GROUPS s", "XCLAIM s g c 0 LASTID 4-1", "XINFO GROUPS s",
        "XREADGROUP GROUP g c STREAMS s >", "XINFO GROUPS s",
        "XADD s 5-1 f v", "XREADGROUP GROUP g c STREAMS s >", "XINFO GROUPS s",
    )


# --------------------------------------------------------------------------
# WRONGTYPE, dirty counter, events
# --------------------------------------------------------------------------

def test_wrongtype_everywhere(compat):
    compat.check(
        "SET k v", "XREAD STREAMS k 0", "XREADGROUP GROUP g c STREAMS k >", "XGROUP CREATE k g $",
        "XGROUP CREATECONSUMER k g c", "XGROUP DELCONSUMER k g c", "XGROUP DESTROY k g",
        "XACK k g 1-1", "XPENDING k g", "XPENDING k g - + 10", "XCLAIM k g c 0 1-1",
        "XAUTOCLAIM k g c 0 0", "XINFO STREAM k", "XINFO GROUPS k", "XINFO CONSUMERS k g",
    )


def test_dirty_counter_deltas(compat):
    """The dirty delta of each command equals redis's."""
    steps = [
        "XGROUP CREATE s g $ MKSTREAM", "XGROUP CREATE s g $", "XADD s 1-1 a 1", "XADD s 2-1 a 1",
        "XREADGROUP GROUP g c STREAMS s >", "XREADGROUP GROUP g c STREAMS s >",
        "XREADGROUP GROUP g c STREAMS s 0", "XREADGROUP GROUP g c2 STREAMS s 0",
        "XACK s g 1-1 1-1 2-1", "XACK s g 1-1", "XGROUP SETID s g 0", "XGROUP CREATECONSUMER s g x",
        "XGROUP CREATECONSUMER s g x", "XGROUP DELCONSUMER s g x", "XGROUP DELCONSUMER s g x",
        "XREADGROUP GROUP g c NOACK STREAMS s >", "XCLAIM s g d 0 1-1 FORCE", "XCLAIM s g d 0 1-1",
        "XCLAIM s g d 0 LASTID 5-1", "XCLAIM s g d 0 9-1", "XAUTOCLAIM s g e 0 0",
        "XDEL s 1-1", "XAUTOCLAIM s g e 0 0", "XREAD STREAMS s 0", "XPENDING s g",
        "XINFO STREAM s", "XGROUP DESTROY s g", "XGROUP DESTROY s g",
    ]

    def dirty(conn):
        conn.send(encode_args(split_command("INFO persistence")))
        info = to_py(conn.read_reply()[1]).decode()
        for line in info.splitlines():
            if line.startswith("rdb_changes_since_last_save:"):
                return int(line.split(":")[1])

    with compat.session() as s:
        for cmd in steps:
            f0, r0 = dirty(s.fk), dirty(s.rd)
            (fraw, _), (rraw, _) = s.send_both(cmd)
            assert fraw == rraw, (cmd, fraw, rraw)
            f1, r1 = dirty(s.fk), dirty(s.rd)
            assert f1 - f0 == r1 - r0, "dirty delta of %r: fastkv %d redis %d" % (cmd, f1 - f0, r1 - r0)


def test_events(kn):
    n = kn("KEAn")
    n.run("XGROUP CREATE s g $ MKSTREAM", "XGROUP CREATE s g $", "XADD s 1-1 a 1",
          "XGROUP CREATECONSUMER s g c", "XGROUP CREATECONSUMER s g c",
          "XREADGROUP GROUP g c STREAMS s >", "XREADGROUP GROUP g d STREAMS s >",
          "XREADGROUP GROUP g e STREAMS s 0", "XGROUP SETID s g 0", "XREADGROUP GROUP g f STREAMS s >",
          "XACK s g 1-1", "XCLAIM s g h 0 1-1 FORCE", "XAUTOCLAIM s g i 0 0",
          "XGROUP DELCONSUMER s g c", "XGROUP DELCONSUMER s g nobody", "XREAD STREAMS s 0",
          "XPENDING s g", "XGROUP DESTROY s g", "XGROUP DESTROY s g",
          "XGROUP CREATE s2 g 0 MKSTREAM ENTRIESREAD 2", "SET str v", "XGROUP CREATE str g $ MKSTREAM",
          "XGROUP CREATE s2 g 0", "XGROUP SETID s2 nog 0", "XGROUP CREATECONSUMER s2 nog c")
    ev = n.events()
    assert "K0 xgroup-create s" in ev and "E0 xgroup-createconsumer s" in ev
    assert "K0 xgroup-setid s" in ev and "K0 xgroup-delconsumer s" in ev
    assert "K0 xgroup-destroy s" in ev


def test_events_flag_t_only(kn):
    n = kn("Kt")
    n.run("XGROUP CREATE s g $ MKSTREAM", "XADD s 1-1 a 1", "XREADGROUP GROUP g c STREAMS s >",
          "XGROUP DESTROY s g")
    n.events()


@pytest.fixture
def node_config(compat):
    yield
    for srv in (compat.fk_server, compat.rd_server):
        with srv.raw() as c:
            assert c.call_raw("CONFIG", "SET", "stream-node-max-entries", "100") == b"+OK\r\n"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_xinfo_radix_tree_nodes(compat, node_config, seed):
    rnd = random.Random(seed)
    cmds = ["CONFIG SET stream-node-max-entries %d" % rnd.choice([1, 2, 3])]
    ms, ids = 0, []
    for _ in range(rnd.randint(50, 200)):
        ms += rnd.choice([1, 2, 255, 256, 65536, 1 << 24, 1 << 40])
        ids.append("%d-%d" % (ms, rnd.randint(0, 2)))
        cmds.append(("XADD", "s", ids[-1], "f", "v"))
    cmds.append("XINFO STREAM s")
    cmds.append(("XDEL", "s") + tuple(rnd.sample(ids, 30)))
    cmds.append("XINFO STREAM s")
    cmds.append("XTRIM s MAXLEN 40")
    cmds.append("XINFO STREAM s")
    cmds.append(("XTRIM", "s", "MINID", ids[-5]))
    cmds.append("XINFO STREAM s")
    compat.check(*cmds)


def _norm_pending(node):
    """XPENDING's extended form with the idle column masked."""
    v = to_py(node)
    if isinstance(v, list):
        return [e[:2] + ["T"] + e[3:] if isinstance(e, list) and len(e) == 4 else e for e in v]
    return v


@pytest.mark.parametrize("seed", [11, 12, 13, 14])
def test_random_group_ops_vs_redis(compat, seed):
    """A seeded random mix of every group command on a few streams, groups
    and consumers; replies compared exactly (XPENDING's idle masked, XINFO
    CONSUMERS by shape, XINFO STREAM FULL through _mask_info)."""
    rnd = random.Random(seed)
    keys, groups, cons = ["s1", "s2"], ["g1", "g2"], ["a", "b", "c"]
    nxt = {k: 0 for k in keys}
    with compat.session(resp3=(seed % 2 == 0)) as s:
        def run(cmd):
            (fraw, fnode), (rraw, rnode) = s.send_both(cmd)
            s.history.append(cmd)
            if cmd[0] == "XPENDING" and len(cmd) > 3:
                a, b = _norm_pending(fnode), _norm_pending(rnode)
            elif cmd[0] == "XINFO" and cmd[1] == "CONSUMERS":
                a, b = Shape(None), Shape(None)
                from kvtest import compare_nodes
                assert compare_nodes("shape", fnode, rnode), (cmd, fraw, rraw)
                return
            elif cmd[0] == "XINFO" and cmd[1] == "STREAM":
                a, b = _mask_info(to_py(fnode)), _mask_info(to_py(rnode))
            else:
                a, b = fraw, rraw
            assert a == b, "reply mismatch for %r\n fastkv %r\n redis  %r\n history %r" % (
                cmd, a, b, s.history[-12:])

        for k in keys:
            for g in groups:
                run(("XGROUP", "CREATE", k, g, "0", "MKSTREAM"))
        for _ in range(400):
            k, g, c = rnd.choice(keys), rnd.choice(groups), rnd.choice(cons)
            op = rnd.randrange(16)
            some = lambda: "%d-1" % rnd.randint(1, max(1, nxt[k] + 1))  # noqa: E731
            if op <= 3:
                for _ in range(rnd.randint(1, 4)):
                    nxt[k] += 1
                    run(("XADD", k, "%d-1" % nxt[k], "f", "v%d" % nxt[k]))
            elif op <= 5:
                args = ["XREADGROUP", "GROUP", g, c]
                if rnd.random() < 0.5:
                    args += ["COUNT", rnd.randint(1, 5)]
                if rnd.random() < 0.2:
                    args.append("NOACK")
                args += ["STREAMS", k, rnd.choice([">", ">", "0", some()])]
                run(tuple(args))
            elif op == 6:
                run(("XACK", k, g) + tuple(some() for _ in range(rnd.randint(1, 4))))
            elif op == 7:
                run(("XCLAIM", k, g, c, 0) + tuple(some() for _ in range(rnd.randint(1, 3)))
                    + tuple(rnd.choice([(), ("JUSTID",), ("FORCE",), ("TIME", 1234),
                                        ("RETRYCOUNT", 3), ("LASTID", some())])))
            elif op == 8:
                run(("XAUTOCLAIM", k, g, c, 0, rnd.choice(["0", some(), "(" + some()]),
                     "COUNT", rnd.randint(1, 4)) + rnd.choice([(), ("JUSTID",)]))
            elif op == 9:
                run(("XDEL", k) + tuple(some() for _ in range(rnd.randint(1, 3))))
            elif op == 10:
                run(rnd.choice([("XTRIM", k, "MAXLEN", rnd.randint(0, 10)),
                                ("XTRIM", k, "MINID", some())]))
            elif op == 11:
                run(("XGROUP", "SETID", k, g, rnd.choice(["0", "$", some()]))
                    + rnd.choice([(), ("ENTRIESREAD", rnd.randint(-1, 5))]))
            elif op == 12:
                run(rnd.choice([("XPENDING", k, g), ("XPENDING", k, g, "-", "+", 10),
                                ("XPENDING", k, g, "-", "+", 10, c),
                                ("XPENDING", k, g, "IDLE", 0, "-", "+", 5)]))
            elif op == 13:
                run(rnd.choice([("XINFO", "GROUPS", k), ("XINFO", "STREAM", k),
                                ("XINFO", "STREAM", k, "FULL"), ("XINFO", "CONSUMERS", k, g)]))
            elif op == 14:
                run(rnd.choice([("XGROUP", "DELCONSUMER", k, g, c),
                                ("XGROUP", "CREATECONSUMER", k, g, c)]))
            else:
                run(("XREAD", "COUNT", 3, "STREAMS", k, rnd.choice(["0", "$", some()])))


def test_watch_touched_as_redis(compat):
    """Which group commands touch a WATCHed key (signalModifiedKey): only
    XGROUP CREATE ... MKSTREAM of these, as in 7.0."""
    cmds = [*_fill("s", 3), "XGROUP CREATE s g0 0"]
    for cmd in ["XGROUP CREATE s g $", "XGROUP CREATE n g $ MKSTREAM", "XGROUP SETID s g0 0",
                "XGROUP CREATECONSUMER s g0 x", "XREADGROUP GROUP g0 c STREAMS s >",
                "XACK s g0 1-1", "XCLAIM s g0 d 0 2-1", "XAUTOCLAIM s g0 e 0 0",
                "XGROUP DELCONSUMER s g0 x", "XREAD STREAMS s 0", "XGROUP DESTROY s g"]:
        cmds += ["WATCH s n", cmd, "MULTI", "PING", "EXEC"]
    compat.check(*cmds)


_FUZZ_TOKENS = ["s", "t", "g", "h", "c", "d", "0", "$", ">", "-", "+", "1-1", "2-1", "3", "(1-1", "(",
                "5-5", "18446744073709551615-18446744073709551615", "18446744073709551616", "-1",
                "1-*", "abc", "", "COUNT", "STREAMS", "GROUP", "NOACK", "IDLE", "TIME",
                "RETRYCOUNT", "FORCE", "JUSTID", "LASTID", "MKSTREAM", "ENTRIESREAD", "FULL",
                "9223372036854775807", "-9223372036854775808", "10", "2"]
_FUZZ_CMDS = ["XREAD", "XREADGROUP", "XGROUP CREATE", "XGROUP SETID", "XGROUP DESTROY",
              "XGROUP CREATECONSUMER", "XGROUP DELCONSUMER", "XACK", "XPENDING", "XCLAIM",
              "XAUTOCLAIM", "XINFO STREAM", "XINFO GROUPS", "XINFO CONSUMERS", "XADD", "XDEL"]


@pytest.mark.parametrize("seed", [1, 2])
def test_argument_fuzz_vs_redis(compat, seed):
    """Random argument lists (mostly malformed) for every command: the same
    reply, error texts and their order included (XPENDING/XINFO successes,
    which hold idle times, are not compared)."""
    rnd = random.Random(seed)
    with compat.session() as s:
        for _ in range(1500):
            base = rnd.choice(_FUZZ_CMDS).split()
            if base[0] == "XADD":
                args = base + [rnd.choice(["s", "t"]), "%d-%d" % (rnd.randint(1, 20), rnd.randint(0, 2)),
                               "f", "v"]
            else:
                args = base + [rnd.choice(_FUZZ_TOKENS) for _ in range(rnd.randint(0, 8))]
            (fraw, fnode), (rraw, rnode) = s.send_both(tuple(args))
            s.history.append(args)
            if fraw != rraw and args[0] in ("XPENDING", "XINFO") \
                    and not fnode.is_error() and not rnode.is_error():
                continue
            assert fraw == rraw, "reply mismatch for %r\n fastkv %r\n redis  %r" % (args, fraw, rraw)


def test_xclaim_idle_and_time_extremes(compat):
    # IDLE subtracts from now with wrap-around (LLONG_MIN included); a delivery
    # time in the future or negative becomes now: XCLAIM's JUSTID reply and
    # the delivery counts are what can be compared
    cmds = [*_fill("s", 3), "XGROUP CREATE s g 0", "XREADGROUP GROUP g a STREAMS s >"]
    for opt in ("IDLE -9223372036854775808", "IDLE 9223372036854775807", "IDLE -1",
                "TIME -9223372036854775808", "TIME 9223372036854775807", "TIME 0",
                "RETRYCOUNT 9223372036854775807", "RETRYCOUNT 0", "RETRYCOUNT -1",
                "IDLE", "TIME x", "RETRYCOUNT 9223372036854775808"):
        cmds.append("XCLAIM s g b 0 1-1 2-1 JUSTID " + opt)
        cmds.append("XPENDING s g - + 10 b")
    compat.check(*cmds[:3])
    for cmd in cmds[3:]:
        if cmd.startswith("XPENDING"):
            compat.check(Shape(cmd))
        else:
            compat.check(cmd)
    compat.check("XPENDING s g", "XINFO CONSUMERS s g" if False else "XLEN s")


def test_trim_limit_default_with_huge_node_entries(compat):
    # the default LIMIT of '~' is 100 * stream-node-max-entries capped at
    # 10000: a huge stream-node-max-entries must not overflow
    with compat.session() as s:
        s.check("CONFIG SET stream-node-max-entries 9223372036854775807")
        try:
            s.check(*_fill("s", 20), "XTRIM s MAXLEN ~ 0", "XLEN s",
                    "XADD s MAXLEN ~ 0 * f v", Shape("XLEN s"))
        finally:
            s.check("CONFIG SET stream-node-max-entries 100")


def test_memory_back_to_baseline_after_del(r):
    """used_memory returns to its value before the streams were made once
    they are deleted (DEL) or unlinked (lazyfree in the background thread):
    nodes, groups, consumers, PELs (NACKs shared by the group and consumer
    PELs), COPYs of all that, and XCLAIM/XAUTOCLAIM/DELCONSUMER/DESTROY
    bookkeeping leak nothing."""
    def used():
        return r.info("memory")["used_memory"]

    # warm-up: the keyspace's own tables stay allocated once grown
    r.xadd("leak0", {"f": "v"})
    r.delete("leak0")
    for rnd, drop in enumerate((r.delete, r.unlink, r.delete)):
        base = used()
        keys = []
        for k in range(3):
            key = "leak%d" % k
            keys += [key, key + "copy"]
            for i in range(3000):
                r.xadd(key, {"f": "v" * (i % 50), "g%d" % (i % 3): i})
            r.xgroup_create(key, "g1", "0")
            r.xgroup_create(key, "g2", "0")
            r.xreadgroup("g1", "c1", {key: ">"}, count=1000)
            r.xreadgroup("g1", "c2", {key: ">"}, count=1000)
            r.xreadgroup("g2", "c1", {key: ">"})
            ids = [e[0] for e in r.xrange(key, count=500)]
            r.xack(key, "g1", *ids[:100])
            r.xclaim(key, "g1", "c3", 0, ids[200:300])
            r.xautoclaim(key, "g2", "c9", 0, "0", count=50)
            r.xdel(key, *ids[::7])
            r.xtrim(key, maxlen=2500)
            r.xgroup_createconsumer(key, "g2", "idle")
            r.xgroup_delconsumer(key, "g1", "c2")
            r.copy(key, key + "copy")
            r.xadd(key + "copy", {"x": "y"})
            r.xgroup_destroy(key + "copy", "g2")
            r.xreadgroup("g1", "c4", {key + "copy": ">"})
        assert used() > base + 100000
        drop(*keys)
        deadline = time.monotonic() + 5
        while used() != base and time.monotonic() < deadline:
            time.sleep(0.05)     # lazyfree runs in the background
        assert used() == base, (rnd, base, used())
