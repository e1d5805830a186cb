"""Keyspace notifications: the ``notify-keyspace-events`` value as NOTIFY_*
class bits (Redis's notify.c, keyspaceEventsStringToFlags and
keyspaceEventsFlagsToString) and the word the keyspace runs on.

The letters are parsed and printed by the config parameter's type
(fastkv/config/types.py, what CONFIG SET/GET use); this module names the
conversion for the rest of the server and turns the configured classes into
``Keyspace.notify_flags``, the word the command handlers' inline
``notify_event`` checks test (fastkv/_core/keyspace.pxd).

The NOTIFY_* values are the ones of keyspace.pxd (tests/test_notify_flags.py
checks that they agree):

    K keyspace  E keyevent  g generic  $ string  l list  s set  h hash
    z zset  x expired  e evicted  t stream  m key-miss  d module  n new
    A = g$lshzxetd   ("m" and "n" are not part of A)
"""

from fastkv.config import (  # noqa: F401  (re-exported)
    NOTIFY_ALL, NOTIFY_EVICTED, NOTIFY_EXPIRED, NOTIFY_GENERIC, NOTIFY_HASH, NOTIFY_KEY_MISS,
    NOTIFY_KEYEVENT, NOTIFY_KEYSPACE, NOTIFY_LIST, NOTIFY_LOADED, NOTIFY_MODULE, NOTIFY_NEW,
    NOTIFY_SET, NOTIFY_STREAM, NOTIFY_STRING, NOTIFY_ZSET, PARAMS, ConfigError)

#: CONFIG SET's complaint about a letter that names no class (Redis 7.0.15).
INVALID_CLASS_MSG = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."

_TYPE = next(p.type for p in PARAMS if p.name == "notify-keyspace-events")


def string_to_flags(classes):
    """keyspaceEventsStringToFlags: NOTIFY_* bits of a class string (str or
    bytes), or None if it holds a letter that names no class.  As in C, the
    string ends at the first NUL."""
    if isinstance(classes, (bytes, bytearray)):
        classes = classes.decode("latin-1")
    try:
        return _TYPE.parse([classes])
    except ConfigError:
        return None


def flags_to_string(flags):
    """keyspaceEventsFlagsToString: the canonical letters CONFIG GET shows
    ("A" for all of g$lshzxetd, then the others, then K E m; an "n" next to
    "A" is not shown, as in Redis)."""
    return _TYPE.fmt(flags)


def keyspace_notify_flags(flags):
    """The value for Keyspace.notify_flags.  Without K or E no event can be
    published (notifyKeyspaceEvent sends to neither channel kind), so the
    keyspace gets 0 and the handlers' checks stay a single failing test."""
    return flags if flags & (NOTIFY_KEYSPACE | NOTIFY_KEYEVENT) else 0
