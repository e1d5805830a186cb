"""The write path's propagation hook, in-process: deletions that no command
asked for (lazy and active expiry) reach the writer as DEL, in the db they
happened in; nothing is built when no writer listens.  (Commands' own
writes are propagated by Client.call(); the AOF and replicas will be the
writers that test it end to end.)"""
import time

import pytest

keyspace = pytest.importorskip("fastkv._core.keyspace")


def past_ms():
    return int(time.time() * 1000) - 1000


def test_lazy_expiry_propagates_del():
    ks = keyspace.Keyspace(2)
    seen = []
    ks.set_propagate_hook(lambda dbid, argv: seen.append((dbid, argv)))
    assert ks.propagating
    db = ks.dbs[1]
    db.set(b"k", b"v")
    db.pexpireat(b"k", past_ms())
    assert db.get(b"k") is None            # the lookup expires it
    assert seen == [(1, [b"DEL", b"k"])]
    assert ks.expired_keys == 1


def test_active_expiry_propagates_del():
    ks = keyspace.Keyspace(1)
    seen = []
    ks.set_propagate_hook(lambda dbid, argv: seen.append((dbid, argv)))
    db = ks.dbs[0]
    for i in range(30):
        db.set(b"k%d" % i, b"v")
        db.pexpireat(b"k%d" % i, past_ms())
    db.set(b"keep", b"v")
    ks.active_expire_cycle(100000)
    assert sorted(a[1] for _, a in seen) == sorted(b"k%d" % i for i in range(30))
    assert all(dbid == 0 and argv[0] == b"DEL" for dbid, argv in seen)
    assert db.dbsize() == 1


def test_no_writer_no_propagation():
    ks = keyspace.Keyspace(1)
    ks.set_propagate_hook(None)
    assert not ks.propagating
    db = ks.dbs[0]
    db.set(b"k", b"v")
    db.pexpireat(b"k", past_ms())
    assert db.get(b"k") is None
    assert ks.expired_keys == 1
