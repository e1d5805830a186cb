"""Value types of the configuration: flags, errors, Redis's string parsers
(util.c / sds.c) and one class per kind of parameter value.

A type parses the already-split arguments of a parameter (with Redis's exact
error texts), prints the value for CONFIG GET (Redis's canonical form) and
writes it back for CONFIG REWRITE.  Behaviour and messages are copied from
redis-server 7.0.15 (checked against the real binary), because clients,
tools and test-suites match on them.

String handling: values are ``str``.  Bytes that come from files, the command
line or the network should be decoded with ``decode_value`` (UTF-8 with
``surrogateescape``), so that any byte sequence round-trips exactly
(``encode_value`` gives the bytes back) while ordinary paths stay usable with
``os`` functions.

Side effect worth knowing: like Redis, the ``dir`` type calls ``os.chdir``.
"""

from __future__ import annotations

import os
from typing import Callable

from fastkv._core.util import repr_arg, split_args_bytes  # noqa: F401  (re-exported)
from fastkv._core.util import stringmatch as _stringmatch

# --- parameter flags (same meaning as Redis's *_CONFIG flags) ---------------
IMMUTABLE = 1 << 0     # only settable at start-up, CONFIG SET refuses it
SENSITIVE = 1 << 1     # value must be redacted from SLOWLOG / MONITOR
PROTECTED = 1 << 2     # CONFIG SET only when enable-protected-configs allows it
DENY_LOADING = 1 << 3  # CONFIG SET must be refused while loading a dataset
HIDDEN = 1 << 4        # CONFIG GET globs skip it (exact name still works)

_MASK64 = (1 << 64) - 1
_LLONG_MAX = (1 << 63) - 1
_LLONG_MIN = -(1 << 63)
_INT_MAX = (1 << 31) - 1
_INT_MIN = -(1 << 31)
_UINT_MAX = (1 << 32) - 1
_LONG_MAX = _LLONG_MAX  # LP64, like the Linux build we compare against


class ConfigError(Exception):
    """A rejected value or name.  ``str(e)`` is Redis's text without "ERR "."""


class ConfigFileError(ConfigError):
    """An error while loading configuration text (file, stdin or --args).

    ``linenum``/``line`` locate the offending line; they are None for checks
    Redis makes after the whole text was read (e.g. an unopenable logfile),
    where it prints no location either.
    """

    def __init__(self, msg: str, linenum: int | None = None, line: str | None = None):
        super().__init__(msg)
        self.msg = msg
        self.linenum = linenum
        self.line = line


class ConfigStartupError(Exception):
    """A start-up failure that Redis reports as a log line (``# msg``), not as
    the FATAL CONFIG FILE ERROR block, e.g. a config file that can't be opened.
    ``messages`` are logged at WARNING level in order, then the process exits."""

    def __init__(self, *messages: str):
        super().__init__(messages[0] if messages else "")
        self.messages = list(messages)


# ---------------------------------------------------------------------------
# Low-level parsers, faithful to Redis's C helpers (util.c / sds.c)
# ---------------------------------------------------------------------------

def decode_value(b: bytes) -> str:
    """Bytes -> str so that every byte sequence survives (see module doc)."""
    return b.decode("utf-8", "surrogateescape")


def encode_value(s: str) -> bytes:
    """Inverse of ``decode_value``."""
    return s.encode("utf-8", "surrogateescape")


def _ascii_lower(s: str) -> str:
    # str.lower() folds non-ASCII too (e.g. KELVIN SIGN -> 'k'); C's tolower()
    # in the C locale does not, so names like that must stay unknown.
    return s.translate(_LOWER_TABLE)


_LOWER_TABLE = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}
_DIGITS = "0123456789"


def string2ll(s: str) -> int | None:
    """Redis's strict string2ll(): no spaces, no '+', no leading zeros."""
    if not s or len(s) >= 21:            # LONG_STR_SIZE
        return None
    if s == "0":
        return 0
    neg = s[0] == "-"
    body = s[1:] if neg else s
    if not body or body[0] not in "123456789" or any(c not in _DIGITS for c in body):
        return None
    v = int(body)
    if v > _MASK64:
        return None
    if neg:
        return -v if v <= (1 << 63) else None
    return v if v <= _LLONG_MAX else None


def _strtoll(s: str, base: int = 10) -> tuple[int, bool]:
    """C strtoll(); returns (value, fully_consumed) where fully_consumed means
    ``*endptr == '\\0'`` and no ERANGE.  Like C, a string without digits
    leaves endptr at its start (so "" counts as consumed, "  " does not)."""
    i, n = 0, len(s)
    while i < n and s[i] in " \t\n\v\f\r":
        i += 1
    neg = False
    if i < n and s[i] in "+-":
        neg = s[i] == "-"
        i += 1
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"[:base]
    start = i
    while i < n and s[i].lower() in digits and s[i].isascii():
        i += 1
    if i == start:                       # no conversion: endptr = nptr
        return 0, s == ""
    v = int(s[start:i], base)
    v = -v if neg else v
    erange = v > _LLONG_MAX or v < _LLONG_MIN
    v = max(_LLONG_MIN, min(_LLONG_MAX, v))
    return v, (i == n and not erange)


def _to_int32(v: int) -> int:
    """What C does when a long long is stored into an int."""
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >= (1 << 31) else v


def _to_signed64(v: int) -> int:
    v &= _MASK64
    return v - (1 << 64) if v > _LLONG_MAX else v


_MEM_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1000 ** 2,
              "mb": 1024 ** 2, "g": 1000 ** 3, "gb": 1024 ** 3}


def memtoull(s: str) -> int | None:
    """Redis's memtoull(): "1gb" -> 1073741824, "1k" -> 1000; None if invalid.

    Quirks kept on purpose: "" and a bare unit ("kb") give 0, digits that
    overflow saturate, and the final multiplication wraps modulo 2**64.
    """
    if s.startswith("-"):
        return None
    i = 0
    while i < len(s) and s[i] in _DIGITS:
        i += 1
    mul = _MEM_UNITS.get(_ascii_lower(s[i:]))
    if mul is None or i >= 128:
        return None
    val = min(int(s[:i]) if i else 0, _MASK64)
    return (val * mul) & _MASK64


def _string2d(s: str) -> float | None:
    """Redis's string2d(): whole string must be a finite-or-inf, non-NaN double."""
    if not s or s[0] in " \t\n\v\f\r" or "_" in s or s != s.strip():
        return None
    try:
        d = float(s)
    except ValueError:
        return None
    return None if d != d else d


def _fmt_double(d: float) -> str:
    """printf("%f") followed by Redis's trimDoubleString()."""
    out = "%f" % d
    if "." in out:
        out = out.rstrip("0").rstrip(".")
    return out


def split_args(line: str) -> list[str] | None:
    """``split_args_bytes`` for str (decoded with ``decode_value``)."""
    parts = split_args_bytes(encode_value(line))
    return None if parts is None else [decode_value(p) for p in parts]


def stringmatch(pattern: str, string: str, nocase: bool = False) -> bool:
    """Redis's glob matcher (util.c stringmatchlen) on the encoded bytes."""
    return _stringmatch(encode_value(pattern), encode_value(string), nocase)


def _fmt_memory(v: int) -> str:
    """rewriteConfigFormatMemory(): prefer the gb/mb/kb suffixes."""
    for unit, size in (("gb", 1 << 30), ("mb", 1 << 20), ("kb", 1 << 10)):
        if v and v % size == 0:
            return "%d%s" % (v // size, unit)
    return str(v)


# ---------------------------------------------------------------------------
# Parameter types.  parse() gets the already-split argument list and returns
# the typed value or raises ConfigError; fmt() is the CONFIG GET text.
# Typed values are immutable (tuples/frozensets) so old values can be kept for
# rollback without copying; public() converts to what cfg[name] returns.
# ---------------------------------------------------------------------------

class _Type:
    multi_arg = False       # takes any number of args (Redis MULTI_ARG_CONFIG)

    def parse(self, args: list[str]):
        raise NotImplementedError

    def fmt(self, value) -> str:
        return str(value)

    def public(self, value):
        return value

    def rewrite(self, st, name: str, value, default) -> None:
        # ``st`` is file.py's _RewriteState: line() reuses or appends a line.
        st.line(name, "%s %s" % (name, self.fmt(value)), value != default)

    def restore(self, value) -> None:
        """Undo side effects when a failed CONFIG SET rolls back to ``value``."""


Check = Callable[[object], None]   # optional validator; raises ConfigError


class _Bool(_Type):
    def __init__(self, check: Check | None = None):
        self.check = check

    def parse(self, args):
        v = _ascii_lower(args[0])
        if v not in ("yes", "no"):
            raise ConfigError("argument must be 'yes' or 'no'")
        b = v == "yes"
        if self.check:
            self.check(b)
        return b

    def fmt(self, value):
        return "yes" if value else "no"


class _Num(_Type):
    """Integer parameters, with Redis's numeric flavours.

    ``unsigned`` mirrors the C storage type (UINT/ULONG_LONG/SIZE_T), which
    changes how out-of-range negative input is reported.  ``memory`` accepts
    "1gb"-style sizes, ``percent`` also "10%" (stored negated, as Redis does),
    ``octal`` is for unixsocketperm.  ``clamp`` adjusts accepted values the
    way Redis's apply hooks do (hz is capped to 1..500).
    """

    def __init__(self, lo, hi, *, unsigned=False, memory=False, percent=False,
                 octal=False, clamp: tuple[int, int] | None = None):
        self.lo, self.hi, self.unsigned = lo, hi, unsigned
        self.memory, self.percent, self.octal = memory, percent, octal
        self.clamp = clamp

    def _parse_number(self, s: str) -> int:
        if self.memory:
            v = memtoull(s)
            if v is not None:
                return _to_signed64(v)
        if self.percent and len(s) > 1 and s.endswith("%"):
            v = string2ll(s[:-1])
            if v is not None and v >= 0:
                return -v
        if self.octal:
            v, ok = _strtoll(s, 8)
            if ok:
                return v
        if not (self.memory or self.percent or self.octal):
            v = string2ll(s)
            if v is not None:
                return v
        if self.memory and self.percent:
            raise ConfigError("argument must be a memory or percent value")
        if self.memory:
            raise ConfigError("argument must be a memory value")
        if self.octal:
            raise ConfigError("argument couldn't be parsed as an octal number")
        raise ConfigError("argument couldn't be parsed into an integer")

    def parse(self, args):
        ll = self._parse_number(args[0])
        if self.unsigned:
            u = ll & _MASK64
            if u > self.hi or u < self.lo:
                f = "%o" if self.octal else "%d"
                raise ConfigError(("argument must be between " + f + " and " + f + " inclusive")
                                  % (self.lo, self.hi))
            ll = u
        elif self.percent and ll < 0:
            if ll < self.lo:
                raise ConfigError("percentage argument must be less or equal to %d" % -self.lo)
        elif ll > self.hi or ll < self.lo:
            raise ConfigError("argument must be between %d and %d inclusive" % (self.lo, self.hi))
        if self.clamp:
            ll = max(self.clamp[0], min(self.clamp[1], ll))
        return ll

    def fmt(self, value):
        if self.percent and value < 0:
            return "%d%%" % -value
        if self.octal:
            return "%o" % value
        return str(value)

    def rewrite(self, st, name, value, default):
        if self.percent and value < 0:
            line = "%s %d%%" % (name, -value)
        elif self.memory:
            line = "%s %s" % (name, _fmt_memory(value))
        else:
            line = "%s %s" % (name, self.fmt(value))
        st.line(name, line, value != default)


class _Enum(_Type):
    """One of fixed names (case-insensitive).  ``choices`` are (name, code)
    pairs; names sharing a code are synonyms and CONFIG GET shows the first
    (oom-score-adj "relative" reads back as "yes", like Redis)."""

    def __init__(self, *choices: str | tuple[str, int]):
        self.choices = [(c, i) if isinstance(c, str) else c for i, c in enumerate(choices)]
        self._by_name = {n: code for n, code in self.choices}
        self._canon = {}
        for n, code in self.choices:
            self._canon.setdefault(code, n)

    def error(self) -> ConfigError:
        return ConfigError("argument(s) must be one of the following: "
                           + ", ".join(n for n, _ in self.choices))

    def parse(self, args):
        code = self._by_name.get(_ascii_lower(args[0]))
        if code is None:
            raise self.error()
        return self._canon[code]

    def fmt(self, value):
        return value


class _FlagsEnum(_Enum):
    """Several enum names OR-ed together (shutdown-on-sigint "save now").
    Typed value: frozenset of names, empty for "default"."""
    multi_arg = True

    def __init__(self, *choices, check: Check | None = None):
        super().__init__(*choices)
        self.check = check

    def parse(self, args):
        if not args:
            raise self.error()
        bits = 0
        for a in args:
            code = self._by_name.get(_ascii_lower(a))
            if code is None:
                raise self.error()
            bits |= code
        names = frozenset(n for n, code in self.choices if code and (bits & code) == code)
        if self.check:
            self.check(names)
        return names

    def fmt(self, value):
        if not value:
            return self._canon[0]
        return " ".join(n for n, code in self.choices if n in value)


class _String(_Type):
    """Free-form string.  ``null_if_empty`` mirrors Redis's EMPTY_STRING_IS_NULL:
    an empty value means "unset" and CONFIG REWRITE then drops the line."""

    def __init__(self, *, null_if_empty=False, check: Check | None = None):
        self.null_if_empty = null_if_empty
        self.check = check

    def parse(self, args):
        if self.check:
            self.check(args[0])
        return args[0]

    def rewrite(self, st, name, value, default):
        if self.null_if_empty and value == "":
            st.mark(name)
            return
        force = self.null_if_empty or value != default
        st.line(name, "%s %s" % (name, repr_arg(value)), force)


class _Save(_Type):
    """``save <seconds> <changes> ...``; typed value: tuple of (seconds, changes)."""
    multi_arg = True

    def parse(self, args):
        if len(args) == 1 and args[0] == "":
            args = []
        if len(args) % 2:
            raise ConfigError("Invalid save parameters")
        vals = []
        for j, a in enumerate(args):
            # Redis uses strtoll() and only checks *endptr: "+5", "010" and ""
            # (as a change count: 0) pass, out-of-range values saturate.
            if not _endptr_at_end(a):
                raise ConfigError("Invalid save parameters")
            v, _ = _strtoll(a)
            if (j % 2 == 0 and v < 1) or (j % 2 == 1 and v < 0):
                raise ConfigError("Invalid save parameters")
            vals.append(v)
        # seconds is a time_t, changes an int in Redis: keep C's truncation.
        return tuple((vals[j], _to_int32(vals[j + 1])) for j in range(0, len(vals), 2))

    def fmt(self, value):
        return " ".join("%d %d" % p for p in value)

    def public(self, value):
        return list(value)

    def rewrite(self, st, name, value, default):
        if not value:
            st.line(name, 'save ""', True)
        for secs, changes in value:
            st.line(name, "save %d %d" % (secs, changes), True)
        st.mark(name)


def _endptr_at_end(s: str) -> bool:
    """True when strtoll(s, &end, 10) leaves *end == '\\0' (ignoring ERANGE)."""
    t = s.lstrip(" \t\n\v\f\r")
    if t[:1] in ("+", "-"):
        t = t[1:]
    if not t or not t[0] in _DIGITS:
        return s == ""
    return all(c in _DIGITS for c in t)


class _Bind(_Type):
    """``bind addr ...`` (max 16, a single "" means none); typed: list of str."""
    multi_arg = True

    def parse(self, args):
        if len(args) > 16:
            raise ConfigError("Too many bind addresses specified.")
        if len(args) == 1 and args[0] == "":
            args = []
        return tuple(args)

    def fmt(self, value):
        return " ".join(value)

    def public(self, value):
        return list(value)

    def rewrite(self, st, name, value, default):
        if value == default:
            st.mark(name)
            return
        st.line(name, "%s %s" % (name, " ".join(value) if value else '""'), True)


_OBUF_CLASSES = ("normal", "replica", "pubsub")
_OBUF_NAMES = {"normal": "normal", "slave": "replica", "replica": "replica", "pubsub": "pubsub"}


class _ClientOutputBufferLimit(_Type):
    """``client-output-buffer-limit <class> <hard> <soft> <soft-seconds> ...``.
    Typed value: {"normal"|"replica"|"pubsub": (hard_bytes, soft_bytes, soft_seconds)}.
    Classes not mentioned keep their current limits, so parse() needs them."""
    multi_arg = True

    def parse_with(self, args, current):
        if len(args) % 4:
            raise ConfigError("Wrong number of arguments in buffer limit configuration.")
        new = dict(current)
        for j in range(0, len(args), 4):
            cls = _OBUF_NAMES.get(_ascii_lower(args[j]))
            if cls is None:
                raise ConfigError("Invalid client class specified in buffer limit configuration.")
            hard, soft = memtoull(args[j + 1]), memtoull(args[j + 2])
            secs = _to_int32(_strtoll(args[j + 3])[0])     # stored in an int
            if hard is None or soft is None or secs < 0 or not _endptr_at_end(args[j + 3]):
                raise ConfigError("Error in hard, soft or soft_seconds setting in "
                                  "buffer limit configuration.")
            new[cls] = (hard, soft, secs)
        return tuple((c, new[c]) for c in _OBUF_CLASSES)

    def parse(self, args):
        return self.parse_with(args, dict(_OBUF_DEFAULTS))

    def fmt(self, value):
        out = []
        for cls, (hard, soft, secs) in value:
            out.append("%s %d %d %d" % ("slave" if cls == "replica" else cls, hard, soft, secs))
        return " ".join(out)

    def public(self, value):
        return dict(value)

    def rewrite(self, st, name, value, default):
        defaults = dict(default)
        for cls, (hard, soft, secs) in value:
            line = "%s %s %s %s %d" % (name, cls, _fmt_memory(hard), _fmt_memory(soft), secs)
            st.line(name, line, (hard, soft, secs) != defaults[cls])


_OBUF_DEFAULTS = (("normal", (0, 0, 0)),
                  ("replica", (256 << 20, 64 << 20, 60)),
                  ("pubsub", (32 << 20, 8 << 20, 60)))


class _OomScoreAdjValues(_Type):
    multi_arg = True

    def parse(self, args):
        if len(args) != 3:
            raise ConfigError("wrong number of arguments")
        vals = []
        for a in args:
            v = _strtoll(a)[0]
            if not _endptr_at_end(a) or v < -2000 or v > 2000:
                raise ConfigError("Invalid oom-score-adj-values, elements must be "
                                  "between -2000 and 2000.")
            vals.append(v)
        return tuple(vals)

    def fmt(self, value):
        return " ".join(map(str, value))

    def public(self, value):
        return list(value)


# Keyspace notification classes (bit values as in Redis's server.h).
NOTIFY_KEYSPACE = 1 << 0
NOTIFY_KEYEVENT = 1 << 1
NOTIFY_GENERIC = 1 << 2
NOTIFY_STRING = 1 << 3
NOTIFY_LIST = 1 << 4
NOTIFY_SET = 1 << 5
NOTIFY_HASH = 1 << 6
NOTIFY_ZSET = 1 << 7
NOTIFY_EXPIRED = 1 << 8
NOTIFY_EVICTED = 1 << 9
NOTIFY_STREAM = 1 << 10
NOTIFY_KEY_MISS = 1 << 11
NOTIFY_LOADED = 1 << 12
NOTIFY_MODULE = 1 << 13
NOTIFY_NEW = 1 << 14
NOTIFY_ALL = (NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH
              | NOTIFY_ZSET | NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE)

_NOTIFY_CHARS = {"A": NOTIFY_ALL, "g": NOTIFY_GENERIC, "$": NOTIFY_STRING, "l": NOTIFY_LIST,
                 "s": NOTIFY_SET, "h": NOTIFY_HASH, "z": NOTIFY_ZSET, "x": NOTIFY_EXPIRED,
                 "e": NOTIFY_EVICTED, "K": NOTIFY_KEYSPACE, "E": NOTIFY_KEYEVENT,
                 "t": NOTIFY_STREAM, "m": NOTIFY_KEY_MISS, "d": NOTIFY_MODULE, "n": NOTIFY_NEW}


class _NotifyKeyspaceEvents(_Type):
    """Typed value: int of NOTIFY_* bits.  CONFIG GET prints Redis's canonical
    letters ("KEA" reads back as "AKE")."""

    def parse(self, args):
        flags = 0
        for ch in args[0].split("\0")[0]:
            if ch not in _NOTIFY_CHARS:
                raise ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
            flags |= _NOTIFY_CHARS[ch]
        return flags

    def fmt(self, value):
        out = []
        if value & NOTIFY_ALL == NOTIFY_ALL:
            out.append("A")
        else:
            for ch in "g$lshzxetdn":
                if value & _NOTIFY_CHARS[ch]:
                    out.append(ch)
        for ch in "KEm":
            if value & _NOTIFY_CHARS[ch]:
                out.append(ch)
        return "".join(out)

    def rewrite(self, st, name, value, default):
        st.line(name, "%s %s" % (name, repr_arg(self.fmt(value))), value != 0)


class _Dir(_Type):
    """The working directory.  Setting it chdir()s, exactly like Redis, so
    relative dbfilename/appenddirname/logfile paths resolve against it.
    Typed value: the absolute path."""

    def parse(self, args):
        try:
            os.chdir(args[0])
            return os.getcwd()
        except OSError as e:
            raise ConfigError(os.strerror(e.errno) if e.errno else str(e)) from None

    def restore(self, value):
        try:
            os.chdir(value)
        except OSError:
            pass

    def rewrite(self, st, name, value, default):
        st.line(name, "%s %s" % (name, repr_arg(value)), True)


class _ReplicaOf(_Type):
    """``replicaof <host> <port>`` or ``replicaof no one``; typed: None | (host, port)."""
    multi_arg = True

    def parse(self, args):
        if len(args) != 2:
            raise ConfigError("wrong number of arguments")
        if _ascii_lower(args[0]) == "no" and _ascii_lower(args[1]) == "one":
            return None
        port = _to_int32(_strtoll(args[1])[0])      # strtol() into an int
        if port < 0 or port > 65535 or not _endptr_at_end(args[1]):
            raise ConfigError("Invalid master port")
        return (args[0], port)

    def fmt(self, value):
        return "" if value is None else "%s %d" % value

    def rewrite(self, st, name, value, default):
        if value is None:
            st.mark(name)
        else:
            st.line(name, "%s %s %d" % (name, value[0], value[1]), True)


class _Percentiles(_Type):
    """latency-tracking-info-percentiles; typed: list of floats."""
    multi_arg = True

    def parse(self, args):
        if len(args) == 1 and args[0] == "":
            args = []
        vals = []
        for a in args:
            d = _string2d(a)
            if d is None:
                raise ConfigError("Invalid latency-tracking-info-percentiles parameters")
            if d > 100.0 or d < 0.0:
                raise ConfigError("latency-tracking-info-percentiles parameters "
                                  "should sit between [0.0,100.0]")
            vals.append(d)
        return tuple(vals)

    def fmt(self, value):
        return " ".join(_fmt_double(d) for d in value)

    def public(self, value):
        return list(value)

    def rewrite(self, st, name, value, default):
        line = name + (" " + self.fmt(value) if value else ' ""')
        st.line(name, line, True)
