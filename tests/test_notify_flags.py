"""notify-keyspace-events: the class letters <-> NOTIFY_* bits conversion.

CONFIG SET / CONFIG GET round trips are compared byte for byte with a real
redis-server (normalised letters, "A" folding, the invalid-letter error and
that a refused value leaves the old one in place), plus unit checks of
fastkv.services.notify and of the wiring: the configured classes reach the
keyspace (events are published, or not, as on redis-server).
"""

import random
import re
import time
from pathlib import Path

import pytest

PARAM = "notify-keyspace-events"
LETTERS = "KEg$lshzxetmdnA"

ROUND_TRIPS = [
    "", "K", "E", "KE", "EK", "A", "KEA", "AKE", "EAK", "KA", "EA", "Ag", "gA",
    "An", "nA", "Anm", "Am", "KEAm", "KEAn", "n", "m", "Kn", "Km", "Ex", "Exe",
    "Kg$", "K$g", "E$lshz", "Kxe", "Ked", "Ket", "KEd", "g$lshzxetd", "g$lshzxetdn",
    "dtexzhsl$g", "g$lshzxet", "KElshzx", "KKEEgg", "AAAA", "KEg$lshzxetmdnA",
    "Ag$lshzxeKEtmdn", "mnKE", "$", "$$", "x", "e", "t", "d", "l", "s", "h", "z",
]

INVALID = ["Q", "KEAQ", "KEA ", " KEA", "k", "ke", "a", "KEa", "G", "KE!", "*", "0",
           "KE\xe9", "\xff", "KEA,", "K E"]


def _set_get(value):
    return [("CONFIG", "SET", PARAM, value), ("CONFIG", "GET", PARAM)]


@pytest.fixture
def notify_compat(compat):
    """compat, with notify-keyspace-events put back to "" on both servers
    afterwards (the servers are shared by the whole session)."""
    yield compat
    compat.check(("CONFIG", "SET", PARAM, ""), flush=False)


@pytest.mark.compat
def test_config_set_get_round_trips(notify_compat):
    cmds = []
    for value in ROUND_TRIPS:
        cmds += _set_get(value)
    notify_compat.check(*cmds, flush=False)


@pytest.mark.compat
def test_invalid_letters_keep_old_value(notify_compat):
    cmds = _set_get("Kx")
    for value in INVALID:
        cmds += _set_get(value)         # error, and GET still shows "xK"
    notify_compat.check(*cmds, flush=False)


@pytest.mark.compat
def test_nul_ends_the_class_string(notify_compat):
    # keyspaceEventsStringToFlags reads a C string: letters after a NUL are
    # ignored, valid or not
    notify_compat.check(*(_set_get(b"K\x00x") + _set_get(b"KE\x00Q") + _set_get(b"\x00Q")),
                        flush=False)


@pytest.mark.compat
def test_random_class_strings(notify_compat):
    rnd = random.Random(7015)
    cmds = []
    for _ in range(150):
        n = rnd.randint(0, 8)
        value = "".join(rnd.choice(LETTERS) for _ in range(n))
        if rnd.random() < 0.1:
            value += rnd.choice("QqY1 ")
        cmds += _set_get(value)
    notify_compat.check(*cmds, flush=False)


@pytest.mark.compat
def test_config_get_pattern_and_multi_set(notify_compat):
    notify_compat.check(
        ("CONFIG", "SET", PARAM, "EKx", "maxmemory-samples", "5"),
        ("CONFIG", "GET", "notify-*"),
        ("CONFIG", "SET", PARAM, "Q", "maxmemory-samples", "6"),   # all or nothing
        ("CONFIG", "GET", "notify-keyspace-event?"),
        ("CONFIG", "GET", "maxmemory-samples"),
        ("CONFIG", "SET", "maxmemory-samples", "5"),
        flush=False)


@pytest.mark.compat
def test_startup_argument(compat_pair):
    pair = compat_pair("--notify-keyspace-events", "EKAn")
    pair.check(("CONFIG", "GET", PARAM), flush=False)


# ---------------------------------------------------------------- wiring

def _events(server, flags, commands):
    """CONFIG SET flags, run commands while psubscribed to every keyspace
    channel; the (channel, message) pairs received, in order."""
    r = server.client(decode_responses=True, protocol=2)
    try:
        r.config_set(PARAM, flags)
        r.flushall()
        ps = r.pubsub()
        ps.psubscribe("__key*__:*")
        assert ps.get_message(timeout=5)["type"] == "psubscribe"
        for cmd in commands:
            r.execute_command(*cmd.split())
        r.ping()
        got = []
        deadline = time.monotonic() + 0.3
        while time.monotonic() < deadline:
            m = ps.get_message(timeout=0.05)
            if m is not None and m["type"] == "pmessage":
                got.append((m["channel"], m["data"]))
        ps.close()
        return got
    finally:
        r.config_set(PARAM, "")
        r.close()


@pytest.mark.compat
@pytest.mark.parametrize("flags", ["", "g$", "KEA", "K$", "Eg", "KEn", "AK", "nE"])
def test_configured_classes_drive_events(fastkv_server, real_redis, flags):
    commands = ["SET a 1", "APPEND a x", "EXPIRE a 100", "PERSIST a", "RENAME a b", "DEL b"]
    assert _events(fastkv_server, flags, commands) == _events(real_redis, flags, commands)


# ---------------------------------------------------------------- unit

@pytest.mark.fastkv_only
def test_notify_constants_match_keyspace_pxd():
    """The Python NOTIFY_* values are the C ones the handlers test."""
    from fastkv.services import notify
    pxd = Path(__file__).resolve().parent.parent / "fastkv" / "_core" / "keyspace.pxd"
    found = dict(re.findall(r"^\s*(NOTIFY_[A-Z_]+) = 1 << (\d+)", pxd.read_text(), re.M))
    assert len(found) == 15
    for name, shift in found.items():
        assert getattr(notify, name) == 1 << int(shift), name
    assert notify.NOTIFY_ALL == (notify.NOTIFY_GENERIC | notify.NOTIFY_STRING | notify.NOTIFY_LIST
                                 | notify.NOTIFY_SET | notify.NOTIFY_HASH | notify.NOTIFY_ZSET
                                 | notify.NOTIFY_EXPIRED | notify.NOTIFY_EVICTED
                                 | notify.NOTIFY_STREAM | notify.NOTIFY_MODULE)


@pytest.mark.fastkv_only
def test_string_flags_conversion():
    from fastkv.services import notify as n
    assert n.string_to_flags("") == 0
    assert n.string_to_flags("KEA") == n.NOTIFY_KEYSPACE | n.NOTIFY_KEYEVENT | n.NOTIFY_ALL
    assert n.string_to_flags(b"Kn") == n.NOTIFY_KEYSPACE | n.NOTIFY_NEW
    assert n.string_to_flags("g$lshzxetd") == n.NOTIFY_ALL
    assert n.string_to_flags("K\0Q") == n.NOTIFY_KEYSPACE
    for bad in ("Q", "KEa", "K ", "\xff"):
        assert n.string_to_flags(bad) is None
    assert n.flags_to_string(0) == ""
    assert n.flags_to_string(n.string_to_flags("EKA")) == "AKE"
    assert n.flags_to_string(n.string_to_flags("nA")) == "A"      # as Redis: n hidden by A
    assert n.flags_to_string(n.string_to_flags("mnKEx")) == "xnKEm"
    assert n.flags_to_string(n.NOTIFY_ALL & ~n.NOTIFY_MODULE) == "g$lshzxet"
    # every single letter round-trips
    for ch in "g$lshzxetdnKEm":
        assert n.flags_to_string(n.string_to_flags(ch)) == ch


@pytest.mark.fastkv_only
def test_keyspace_word():
    """Without K or E nothing can be published: the keyspace gets 0."""
    from fastkv.services import notify as n
    assert n.keyspace_notify_flags(n.string_to_flags("g$x")) == 0
    assert n.keyspace_notify_flags(n.string_to_flags("m")) == 0
    assert n.keyspace_notify_flags(n.string_to_flags("K$")) == n.NOTIFY_KEYSPACE | n.NOTIFY_STRING
    assert n.keyspace_notify_flags(n.string_to_flags("EA")) == n.NOTIFY_KEYEVENT | n.NOTIFY_ALL


def test_config_error_text(r, redis_module):
    with pytest.raises(redis_module.ResponseError) as ei:
        r.config_set(PARAM, "KEQ")
    assert str(ei.value) == ("CONFIG SET failed (possibly related to argument "
                             "'notify-keyspace-events') - Invalid event class character. "
                             "Use 'Ag$lshzxeKEtmdn'.")
