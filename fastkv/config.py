"""fastkv configuration: one table of parameters, modelled on Redis 7.0's config.c.

Everything a user can put in redis.conf, pass as ``--name value`` or change with
CONFIG SET lives in the single table ``PARAMS`` below (the equivalent of
Redis's ``standardConfig static_configs[]``).  Each row says the parameter's
name, aliases, type, default and flags; the type knows how to parse a value
(with Redis's exact error texts), how to print it for CONFIG GET (Redis's
canonical form) and how to write it back for CONFIG REWRITE.

Behaviour and messages are copied from redis-server 7.0.15 (checked against the
real binary), because clients, tools and test-suites match on them.

String handling: values are ``str``.  Bytes that come from files, the command
line or the network should be decoded with ``decode_value`` (UTF-8 with
``surrogateescape``), so that any byte sequence round-trips exactly
(``encode_value`` gives the bytes back) while ordinary paths stay usable with
``os`` functions.

Side effect worth knowing: like Redis, setting ``dir`` calls ``os.chdir``.
"""

from __future__ import annotations

import glob as _glob
import os
import tempfile
from dataclasses import dataclass
from typing import Callable

__all__ = [
    "REDIS_VERSION", "ConfigError", "ConfigFileError", "ConfigStartupError",
    "Config", "Param", "PARAMS", "IMMUTABLE", "SENSITIVE", "PROTECTED",
    "DENY_LOADING", "HIDDEN", "split_args", "split_args_bytes", "repr_arg",
    "memtoull", "string2ll", "stringmatch", "decode_value", "encode_value",
    "NOTIFY_KEYSPACE", "NOTIFY_KEYEVENT", "NOTIFY_GENERIC", "NOTIFY_STRING",
    "NOTIFY_LIST", "NOTIFY_SET", "NOTIFY_HASH", "NOTIFY_ZSET", "NOTIFY_EXPIRED",
    "NOTIFY_EVICTED", "NOTIFY_STREAM", "NOTIFY_KEY_MISS", "NOTIFY_LOADED",
    "NOTIFY_MODULE", "NOTIFY_NEW", "NOTIFY_ALL",
]

#: The Redis release whose configuration behaviour and messages we mirror.
REDIS_VERSION = "7.0.15"

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
_C_SPACE = b" \t\n\v\f\r"   # isspace() in the C locale


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


def split_args_bytes(line: bytes) -> list[bytes] | None:
    """Redis's sdssplitargs(): split a config/CLI line into arguments.

    Handles "double quotes" (with \\n \\r \\t \\b \\a \\xHH and \\<any>
    escapes) and 'single quotes' (only \\' is special).  A closing quote must
    be followed by a space or the end.  Returns None on unbalanced quotes.
    """
    nul = line.find(b"\0")               # C strings stop at NUL
    if nul >= 0:
        line = line[:nul]
    n = len(line)

    def at(k: int) -> int:               # C reads the terminating NUL past the end
        return line[k] if k < n else 0

    def ishex(c: int) -> bool:
        return c in b"0123456789abcdefABCDEF" and c != 0

    out: list[bytes] = []
    i = 0
    while True:
        while i < n and line[i] in _C_SPACE:
            i += 1
        if i >= n:
            return out
        cur = bytearray()
        inq = insq = done = False
        while not done:
            c = at(i)
            if inq:
                if c == 0x5C and at(i + 1) == 0x78 and ishex(at(i + 2)) and ishex(at(i + 3)):
                    cur.append(int(bytes((at(i + 2), at(i + 3))), 16))
                    i += 3
                elif c == 0x5C and at(i + 1):
                    i += 1
                    e = at(i)
                    cur.append({0x6E: 10, 0x72: 13, 0x74: 9, 0x62: 8, 0x61: 7}.get(e, e))
                elif c == 0x22:
                    if at(i + 1) and at(i + 1) not in _C_SPACE:
                        return None
                    done = True
                elif c == 0:
                    return None
                else:
                    cur.append(c)
            elif insq:
                if c == 0x5C and at(i + 1) == 0x27:
                    i += 1
                    cur.append(0x27)
                elif c == 0x27:
                    if at(i + 1) and at(i + 1) not in _C_SPACE:
                        return None
                    done = True
                elif c == 0:
                    return None
                else:
                    cur.append(c)
            else:
                if c in (0x20, 0x0A, 0x0D, 0x09, 0):
                    done = True
                elif c == 0x22:
                    inq = True
                elif c == 0x27:
                    insq = True
                else:
                    cur.append(c)
            if at(i):
                i += 1
        out.append(bytes(cur))


def split_args(line: str) -> list[str] | None:
    """``split_args_bytes`` for str (decoded with ``decode_value``)."""
    parts = split_args_bytes(encode_value(line))
    return None if parts is None else [decode_value(p) for p in parts]


def repr_arg(s: str) -> str:
    """Redis's sdscatrepr(): a double-quoted form that split_args reads back."""
    out = ['"']
    for b in encode_value(s):
        if b in (0x5C, 0x22):
            out.append("\\" + chr(b))
        elif b in _REPR_ESC:
            out.append(_REPR_ESC[b])
        elif 0x20 <= b <= 0x7E:
            out.append(chr(b))
        else:
            out.append("\\x%02x" % b)
    out.append('"')
    return "".join(out)


_REPR_ESC = {10: "\\n", 13: "\\r", 9: "\\t", 7: "\\a", 8: "\\b"}


def stringmatch(pattern: str, string: str, nocase: bool = False) -> bool:
    """Redis's glob matcher (util.c stringmatchlen): * ? [abc] [^a-z] \\x."""
    if nocase:
        pattern, string = _ascii_lower(pattern), _ascii_lower(string)
    skip = [False]
    return _stringmatch(pattern, 0, string, 0, skip)


def _stringmatch(p: str, pi: int, s: str, si: int, skip: list) -> bool:
    # Index-based port of stringmatchlen_impl; positions past the end read as
    # "" (the C NUL terminator).  Inputs are already case-folded when nocase.
    plen, slen = len(p), len(s)
    while pi < plen and si < slen:
        c = p[pi]
        if c == "*":
            while pi + 1 < plen and p[pi + 1] == "*":
                pi += 1
            if pi + 1 == plen:
                return True
            while si < slen:
                if _stringmatch(p, pi + 1, s, si, skip):
                    return True
                if skip[0]:
                    return False
                si += 1
            skip[0] = True                # no later start can match either
            return False
        elif c == "?":
            si += 1
        elif c == "[":
            pi += 1
            negate = pi < plen and p[pi] == "^"
            if negate:
                pi += 1
            match = False
            while True:
                if pi < plen and p[pi] == "\\" and plen - pi >= 2:
                    pi += 1
                    if p[pi] == s[si]:
                        match = True
                elif pi < plen and p[pi] == "]":
                    break
                elif pi >= plen:
                    pi -= 1               # unterminated class: treat end as "]"
                    break
                elif plen - pi >= 3 and p[pi + 1] == "-":
                    lo, hi = sorted((p[pi], p[pi + 2]))
                    if lo <= s[si] <= hi:
                        match = True
                    pi += 2
                elif p[pi] == s[si]:
                    match = True
                pi += 1
            if negate:
                match = not match
            if not match:
                return False
            si += 1
        else:
            if c == "\\" and plen - pi >= 2:
                pi += 1
            if p[pi] != s[si]:
                return False
            si += 1
        pi += 1
        if si == slen:
            while pi < plen and p[pi] == "*":
                pi += 1
            break
    return pi >= plen and si == slen


# ---------------------------------------------------------------------------
# CONFIG REWRITE state (config.c rewriteConfig*)
# ---------------------------------------------------------------------------

_REWRITE_SIGNATURE = "# Generated by CONFIG REWRITE"
# Directives that are not parameters but that the loader understands; the
# rewriter keeps their lines instead of commenting them out ("# ??? ...").
_NON_PARAM_DIRECTIVES = ("include", "rename-command", "user", "loadmodule", "sentinel")


class _RewriteState:
    def __init__(self):
        self.lines: list[str] = []
        self.option_to_line: dict[str, list[int]] = {}
        self.rewritten: set[str] = set()
        self.needs_signature = True

    def mark(self, option: str) -> None:
        self.rewritten.add(option)

    def line(self, option: str, line: str, force: bool) -> None:
        """Reuse the option's next old line, else append when forced."""
        self.mark(option)
        old = self.option_to_line.get(option)
        if not old and not force:
            return
        if old:
            self.lines[old.pop(0)] = line
            if not old:
                del self.option_to_line[option]
        else:
            if self.needs_signature:
                self.lines.append(_REWRITE_SIGNATURE)
                self.needs_signature = False
            self.lines.append(line)


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

    def rewrite(self, st: _RewriteState, name: str, value, default) -> None:
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


# --- validators (Redis's is_valid_fn) ---------------------------------------

def _base_name(what: str, kind: str, allow_empty: bool = True) -> Check:
    def check(v):
        if not allow_empty and v == "":
            raise ConfigError("%s can't be empty" % what)
        if "/" in v:   # Redis's pathIsBaseName()
            raise ConfigError("%s can't be a path, just a %s" % (what, kind))
    return check


def _no_activedefrag(v):
    # fastkv has no allocator-level defragmentation, like a Redis build
    # without jemalloc; Redis rejects the option with this text then.
    if v:
        raise ConfigError("Active defragmentation cannot be enabled: it requires a "
                          "Redis server compiled with a modified Jemalloc like the one "
                          "shipped by default with the Redis source distribution")


def _no_cluster(v):
    if v:
        raise ConfigError("fastkv does not support cluster mode")


def _shutdown_flags(names):
    if "save" in names and "nosave" in names:
        raise ConfigError("shutdown options SAVE and NOSAVE can't be used simultaneously")


# ---------------------------------------------------------------------------
# THE table
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Param:
    name: str
    type: _Type
    default: str | None          # in redis.conf syntax; None = computed (dir)
    aliases: tuple[str, ...] = ()
    flags: int = 0

    def default_value(self):
        if isinstance(self.type, _Dir):
            try:
                return os.getcwd()
            except OSError:
                return ""
        args = _split_config_set(self.default) if self.type.multi_arg else [self.default]
        return self.type.parse(args)


def _p(name, type_, default, *aliases, flags=0):
    return Param(name, type_, default, tuple(aliases), flags)


_MEM = dict(memory=True)

PARAMS: tuple[Param, ...] = (
    # --- networking ---
    _p("port", _Num(0, 65535), "6379"),
    # Redis's built-in default is "* -::*"; fastkv listens on loopback only
    # unless told otherwise (the default of the sample redis.conf).
    _p("bind", _Bind(), "127.0.0.1 -::1"),
    _p("bind-source-addr", _String(null_if_empty=True), ""),
    _p("unixsocket", _String(null_if_empty=True), "", flags=IMMUTABLE),
    _p("unixsocketperm", _Num(0, 0o777, unsigned=True, octal=True), "0", flags=IMMUTABLE),
    # fastkv binds to loopback by default, so protected mode is off.
    _p("protected-mode", _Bool(), "no"),
    _p("tcp-backlog", _Num(0, _INT_MAX), "511", flags=IMMUTABLE),
    _p("tcp-keepalive", _Num(0, _INT_MAX), "300"),
    _p("socket-mark-id", _Num(0, _UINT_MAX, unsigned=True), "0", flags=IMMUTABLE),
    _p("timeout", _Num(0, _INT_MAX), "0"),
    _p("maxclients", _Num(1, _UINT_MAX, unsigned=True), "10000"),
    _p("io-threads", _Num(1, 128), "1", flags=IMMUTABLE),
    _p("io-threads-do-reads", _Bool(), "no", flags=IMMUTABLE),
    # --- general ---
    _p("daemonize", _Bool(), "no", flags=IMMUTABLE),
    _p("supervised", _Enum("upstart", "systemd", "auto", "no"), "no", flags=IMMUTABLE),
    _p("pidfile", _String(null_if_empty=True), "", flags=IMMUTABLE),
    _p("loglevel", _Enum("debug", "verbose", "notice", "warning"), "notice"),
    _p("logfile", _String(), "", flags=IMMUTABLE),
    _p("syslog-enabled", _Bool(), "no", flags=IMMUTABLE),
    _p("syslog-ident", _String(), "redis", flags=IMMUTABLE),
    _p("syslog-facility", _Enum("user", "local0", "local1", "local2", "local3", "local4",
                                "local5", "local6", "local7"), "local0", flags=IMMUTABLE),
    _p("crash-log-enabled", _Bool(), "yes"),
    _p("crash-memcheck-enabled", _Bool(), "yes"),
    _p("databases", _Num(1, _INT_MAX), "16", flags=IMMUTABLE),
    _p("always-show-logo", _Bool(), "no", flags=IMMUTABLE),
    _p("set-proc-title", _Bool(), "yes", flags=IMMUTABLE),
    _p("proc-title-template", _String(), "{title} {listen-addr} {server-mode}"),
    _p("hz", _Num(0, _INT_MAX, clamp=(1, 500)), "10"),
    _p("dynamic-hz", _Bool(), "yes"),
    _p("enable-protected-configs", _Enum("no", "yes", "local"), "no", flags=IMMUTABLE),
    _p("enable-debug-command", _Enum("no", "yes", "local"), "no", flags=IMMUTABLE),
    _p("enable-module-command", _Enum("no", "yes", "local"), "no", flags=IMMUTABLE),
    _p("ignore-warnings", _String(), ""),
    _p("disable-thp", _Bool(), "yes", flags=IMMUTABLE),
    _p("oom-score-adj", _Enum(("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)), "no"),
    _p("oom-score-adj-values", _OomScoreAdjValues(), "0 200 800"),
    _p("server_cpulist", _String(null_if_empty=True), "", flags=IMMUTABLE),
    _p("bio_cpulist", _String(null_if_empty=True), "", flags=IMMUTABLE),
    _p("aof_rewrite_cpulist", _String(null_if_empty=True), "", flags=IMMUTABLE),
    _p("bgsave_cpulist", _String(null_if_empty=True), "", flags=IMMUTABLE),
    _p("shutdown-timeout", _Num(0, _INT_MAX), "10"),
    _p("shutdown-on-sigint", _FlagsEnum(("default", 0), ("save", 1), ("nosave", 2), ("now", 4),
                                        ("force", 8), check=_shutdown_flags), "default"),
    _p("shutdown-on-sigterm", _FlagsEnum(("default", 0), ("save", 1), ("nosave", 2), ("now", 4),
                                         ("force", 8), check=_shutdown_flags), "default"),
    # --- snapshotting ---
    _p("save", _Save(), "3600 1 300 100 60 10000"),
    _p("stop-writes-on-bgsave-error", _Bool(), "yes"),
    _p("rdbcompression", _Bool(), "yes"),
    _p("rdbchecksum", _Bool(), "yes", flags=IMMUTABLE),
    _p("sanitize-dump-payload", _Enum("no", "yes", "clients"), "no"),
    _p("dbfilename", _String(check=_base_name("dbfilename", "filename")), "dump.rdb",
       flags=PROTECTED),
    _p("rdb-del-sync-files", _Bool(), "no"),
    _p("rdb-save-incremental-fsync", _Bool(), "yes"),
    _p("dir", _Dir(), None, flags=PROTECTED | DENY_LOADING),
    # --- append only file ---
    _p("appendonly", _Bool(), "no", flags=DENY_LOADING),
    _p("appendfilename", _String(check=_base_name("appendfilename", "filename", False)),
       "appendonly.aof", flags=IMMUTABLE),
    _p("appenddirname", _String(check=_base_name("appenddirname", "dirname", False)),
       "appendonlydir", flags=IMMUTABLE),
    _p("appendfsync", _Enum("everysec", "always", "no"), "everysec"),
    _p("no-appendfsync-on-rewrite", _Bool(), "no"),
    _p("auto-aof-rewrite-percentage", _Num(0, _INT_MAX), "100"),
    _p("auto-aof-rewrite-min-size", _Num(0, _LLONG_MAX, **_MEM), "64mb"),
    _p("aof-load-truncated", _Bool(), "yes"),
    _p("aof-use-rdb-preamble", _Bool(), "yes"),
    _p("aof-timestamp-enabled", _Bool(), "no"),
    _p("aof-rewrite-incremental-fsync", _Bool(), "yes"),
    _p("aof-disable-auto-gc", _Bool(), "no"),
    # --- security ---
    _p("requirepass", _String(null_if_empty=True), "", flags=SENSITIVE),
    _p("aclfile", _String(), "", flags=IMMUTABLE),
    _p("acllog-max-len", _Num(0, _LONG_MAX), "128"),
    _p("acl-pubsub-default", _Enum(("allchannels", 1), ("resetchannels", 0)), "resetchannels"),
    # --- limits / memory management ---
    _p("maxmemory", _Num(0, _MASK64, unsigned=True, **_MEM), "0"),
    _p("maxmemory-policy", _Enum("volatile-lru", "volatile-lfu", "volatile-random",
                                 "volatile-ttl", "allkeys-lru", "allkeys-lfu",
                                 "allkeys-random", "noeviction"), "noeviction"),
    _p("maxmemory-samples", _Num(1, _INT_MAX), "5"),
    _p("maxmemory-eviction-tenacity", _Num(0, 100), "10"),
    # Negative typed value = percentage of maxmemory (Redis stores it so).
    _p("maxmemory-clients", _Num(-100, _LLONG_MAX, memory=True, percent=True), "0"),
    _p("lfu-log-factor", _Num(0, _INT_MAX), "10"),
    _p("lfu-decay-time", _Num(0, _INT_MAX), "1"),
    _p("active-expire-effort", _Num(1, 10), "1"),
    _p("lazyfree-lazy-eviction", _Bool(), "no"),
    _p("lazyfree-lazy-expire", _Bool(), "no"),
    _p("lazyfree-lazy-server-del", _Bool(), "no"),
    _p("lazyfree-lazy-user-del", _Bool(), "no"),
    _p("lazyfree-lazy-user-flush", _Bool(), "no"),
    _p("activerehashing", _Bool(), "yes"),
    _p("activedefrag", _Bool(check=_no_activedefrag), "no"),
    _p("active-defrag-ignore-bytes", _Num(1, _LLONG_MAX, unsigned=True, **_MEM), "100mb"),
    _p("active-defrag-threshold-lower", _Num(0, 1000), "10"),
    _p("active-defrag-threshold-upper", _Num(0, 1000), "100"),
    _p("active-defrag-cycle-min", _Num(1, 99), "1"),
    _p("active-defrag-cycle-max", _Num(1, 99), "25"),
    _p("active-defrag-max-scan-fields", _Num(1, _LONG_MAX), "1000"),
    _p("jemalloc-bg-thread", _Bool(), "yes"),
    _p("client-output-buffer-limit", _ClientOutputBufferLimit(),
       "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"),
    _p("client-query-buffer-limit", _Num(1 << 20, _LONG_MAX, unsigned=True, **_MEM), "1gb"),
    _p("proto-max-bulk-len", _Num(1 << 20, _LONG_MAX, **_MEM), "512mb"),
    _p("busy-reply-threshold", _Num(0, _LONG_MAX), "5000", "lua-time-limit"),
    # --- encodings of small aggregates ---
    _p("hash-max-listpack-entries", _Num(0, _LONG_MAX, unsigned=True), "512",
       "hash-max-ziplist-entries"),
    _p("hash-max-listpack-value", _Num(0, _LONG_MAX, unsigned=True, **_MEM), "64",
       "hash-max-ziplist-value"),
    _p("list-max-listpack-size", _Num(_INT_MIN, _INT_MAX), "-2", "list-max-ziplist-size"),
    _p("list-compress-depth", _Num(0, _INT_MAX), "0"),
    _p("set-max-intset-entries", _Num(0, _LONG_MAX, unsigned=True), "512"),
    _p("zset-max-listpack-entries", _Num(0, _LONG_MAX, unsigned=True), "128",
       "zset-max-ziplist-entries"),
    _p("zset-max-listpack-value", _Num(0, _LONG_MAX, unsigned=True, **_MEM), "64",
       "zset-max-ziplist-value"),
    _p("hll-sparse-max-bytes", _Num(0, _LONG_MAX, unsigned=True, **_MEM), "3000"),
    _p("stream-node-max-bytes", _Num(0, _LONG_MAX, unsigned=True, **_MEM), "4096"),
    _p("stream-node-max-entries", _Num(0, _LLONG_MAX), "100"),
    # --- monitoring ---
    _p("slowlog-log-slower-than", _Num(-1, _LLONG_MAX), "10000"),
    _p("slowlog-max-len", _Num(0, _LONG_MAX), "128"),
    _p("latency-monitor-threshold", _Num(0, _LLONG_MAX), "0"),
    _p("latency-tracking", _Bool(), "yes"),
    _p("latency-tracking-info-percentiles", _Percentiles(), "50 99 99.9"),
    _p("notify-keyspace-events", _NotifyKeyspaceEvents(), ""),
    _p("tracking-table-max-keys", _Num(0, _LONG_MAX, unsigned=True), "1000000"),
    # --- replication (accepted for compatibility with Redis configs) ---
    _p("replicaof", _ReplicaOf(), "no one", "slaveof", flags=IMMUTABLE),
    _p("masterauth", _String(null_if_empty=True), "", flags=SENSITIVE),
    _p("masteruser", _String(null_if_empty=True), "", flags=SENSITIVE),
    _p("replica-serve-stale-data", _Bool(), "yes", "slave-serve-stale-data"),
    _p("replica-read-only", _Bool(), "yes", "slave-read-only"),
    _p("replica-lazy-flush", _Bool(), "no", "slave-lazy-flush"),
    _p("replica-ignore-maxmemory", _Bool(), "yes", "slave-ignore-maxmemory"),
    _p("replica-ignore-disk-write-errors", _Bool(), "no"),
    _p("replica-announced", _Bool(), "yes"),
    _p("replica-announce-ip", _String(null_if_empty=True), "", "slave-announce-ip"),
    _p("replica-announce-port", _Num(0, 65535), "0", "slave-announce-port"),
    _p("replica-priority", _Num(0, _INT_MAX), "100", "slave-priority"),
    _p("repl-diskless-sync", _Bool(), "yes"),
    _p("repl-diskless-sync-delay", _Num(0, _INT_MAX), "5"),
    _p("repl-diskless-sync-max-replicas", _Num(0, _INT_MAX), "0"),
    _p("repl-diskless-load", _Enum("disabled", "on-empty-db", "swapdb"), "disabled",
       flags=DENY_LOADING),
    _p("repl-ping-replica-period", _Num(1, _INT_MAX), "10", "repl-ping-slave-period"),
    _p("repl-timeout", _Num(1, _INT_MAX), "60"),
    _p("repl-disable-tcp-nodelay", _Bool(), "no"),
    _p("repl-backlog-size", _Num(1, _LLONG_MAX, **_MEM), "1mb"),
    _p("repl-backlog-ttl", _Num(0, _LONG_MAX), "3600"),
    _p("min-replicas-to-write", _Num(0, _INT_MAX), "0", "min-slaves-to-write"),
    _p("min-replicas-max-lag", _Num(0, _INT_MAX), "10", "min-slaves-max-lag"),
    _p("propagation-error-behavior", _Enum("ignore", "panic", "panic-on-replicas"), "ignore"),
    # --- cluster: not supported, but clients probe this one ---
    _p("cluster-enabled", _Bool(check=_no_cluster), "no", flags=IMMUTABLE),
)


def _build_index() -> dict[str, tuple[Param, str]]:
    idx: dict[str, tuple[Param, str]] = {}
    for p in PARAMS:
        for n in (p.name, *p.aliases):
            assert n not in idx, n
            idx[n] = (p, n)
    return idx


# lower-case name (primary or alias) -> (param, registered name)
_INDEX = _build_index()
_DEPRECATED = ("list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands")


def _split_config_set(value: str) -> list[str]:
    # CONFIG SET splits multi-arg values on single spaces (sdssplitlen), so
    # "3600  1" has an empty argument and is rejected, like Redis does.
    return value.split(" ") if value else []


class _LoadState:
    """Per-load bookkeeping: the first ``save`` line replaces the defaults and
    later ones append (Redis's reading_config_file special case)."""

    def __init__(self):
        self.save_loaded = False


# ---------------------------------------------------------------------------
# Config
# ---------------------------------------------------------------------------

class Config:
    """Current values of all parameters; see the module docstring.

    Besides parameters, loading collects the non-parameter directives for
    the server to act on: ``rename_commands`` [(old, new)], ``users``
    [[name, rule, ...]], ``loadmodules`` [[path, arg, ...]] and
    ``module_configs`` {"mod.name": value}.
    """

    def __init__(self):
        self._values: dict[str, object] = {p.name: p.default_value() for p in PARAMS}
        self._defaults: dict[str, object] = {p.name: p.default_value() for p in PARAMS
                                             if p.name != "dir"}
        self._callbacks: dict[str, list[Callable]] = {}
        self.config_file: str | None = None
        self.rename_commands: list[tuple[str, str]] = []
        self.users: list[list[str]] = []
        self.loadmodules: list[list[str]] = []
        self.module_configs: dict[str, str] = {}

    # --- lookup / introspection -------------------------------------------
    @staticmethod
    def param(name: str) -> Param:
        """The table row for a name or alias (case-insensitive); KeyError."""
        return Config._entry(name)[0]

    @staticmethod
    def _entry(name: str) -> tuple[Param, str]:
        try:
            return _INDEX[_ascii_lower(name)]
        except KeyError:
            raise KeyError(name) from None

    def __contains__(self, name) -> bool:
        return isinstance(name, str) and _ascii_lower(name) in _INDEX

    def names(self) -> list[str]:
        """Primary names, table order."""
        return [p.name for p in PARAMS]

    def is_sensitive(self, name: str) -> bool:
        """True for parameters whose CONFIG SET value must be redacted."""
        return name in self and bool(self.param(name).flags & SENSITIVE)

    def allows(self, name: str, is_local_client: bool) -> bool:
        """Evaluate a yes/no/local protection parameter such as
        enable-debug-command for a client (Redis's allowProtectedAction)."""
        v = self[name]
        return v == "yes" or (v == "local" and is_local_client)

    # --- reading -----------------------------------------------------------
    def get(self, name: str) -> str:
        """CONFIG GET text of one parameter; KeyError if unknown."""
        p = self.param(name)
        return p.type.fmt(self._values[p.name])

    def __getitem__(self, name: str):
        """Typed value: int, bool, str, list, dict... (see each type)."""
        p = self.param(name)
        return p.type.public(self._values[p.name])

    def config_get(self, patterns: list[str]) -> list[tuple[str, str]]:
        """CONFIG GET: (name, value) pairs for all patterns, without duplicates.

        A pattern without glob characters is an exact, case-insensitive lookup
        answered under the name as the client typed it; a glob is matched
        (case-insensitively) against every primary name and alias.
        """
        matches: dict[str, tuple[str, Param]] = {}   # lower name -> (reply name, param)
        for pat in patterns:
            if not any(c in pat for c in "[*?"):
                key = _ascii_lower(pat)
                if key not in matches and key in _INDEX:
                    matches[key] = (pat, _INDEX[key][0])
                continue
            for reg, (p, _) in _INDEX.items():
                if p.flags & HIDDEN or reg in matches:
                    continue
                if stringmatch(pat, reg, nocase=True):
                    matches[reg] = (reg, p)
        return [(shown, p.type.fmt(self._values[p.name])) for shown, p in matches.values()]

    # --- writing -----------------------------------------------------------
    def on_change(self, name: str, fn: Callable[[str, object], None]) -> None:
        """Call ``fn(primary_name, typed_value)`` after the parameter changed
        through set()/config_set().  ``fn`` may raise ConfigError to veto
        (e.g. the new port can't be bound): the change is then rolled back and
        the message reported the way Redis reports a failing apply function."""
        self._callbacks.setdefault(self.param(name).name, []).append(fn)

    def set(self, name: str, value: str, *, startup: bool = False) -> None:
        """Set one parameter from its CONFIG SET string.

        Raises ConfigError with the bare reason (e.g. "argument must be 'yes'
        or 'no'", "can't set immutable config"); config_set() adds the
        "CONFIG SET failed ..." wrapping.  Immutable parameters need
        ``startup=True``.  Protection (enable-protected-configs) is a client
        matter and only checked by config_set().
        """
        try:
            p, _ = self._entry(name)
        except KeyError:
            raise ConfigError("Unknown option or number of arguments for CONFIG SET - '%s'"
                              % name) from None
        if p.flags & IMMUTABLE and not startup:
            raise ConfigError("can't set immutable config")
        self._apply_all([(p, self._parse(p, value))])

    def set_args(self, name: str, args: list[str], *, startup: bool = True) -> None:
        """Set from an already split argument list (config-file style)."""
        p = self.param(name)
        if p.flags & IMMUTABLE and not startup:
            raise ConfigError("can't set immutable config")
        self._apply_all([(p, self._parse_args(p, args))])

    def config_set(self, pairs: list[tuple[str, str]], *,
                   is_local_client: bool = False) -> None:
        """CONFIG SET name value [name value ...], all-or-nothing.

        Raises ConfigError whose text is Redis 7.0's reply minus "ERR ".  The
        caller checks the argument count (odd -> "syntax error").
        ``is_local_client`` matters only with enable-protected-configs local.
        """
        invalid_name = err_name = errstr = None
        invalid = False
        chosen: list[tuple[Param, str, str]] = []   # (param, registered name, value)
        seen: set[str] = set()
        for name, value in pairs:
            key = _ascii_lower(name)
            entry = _INDEX.get(key)
            if entry is None:
                if not invalid:
                    invalid_name, invalid = name, True
                continue
            if invalid:
                continue
            p, reg = entry
            if p.flags & IMMUTABLE or (p.flags & PROTECTED and not
                                       self.allows("enable-protected-configs", is_local_client)):
                errstr = ("can't set immutable config" if p.flags & IMMUTABLE
                          else "can't set protected config")
                err_name, invalid = name, True
                continue
            # Redis compares table entries, so an alias and its primary name
            # are not duplicates of each other (the later one wins).
            if key in seen:
                errstr, err_name, invalid = "duplicate parameter", name, True
            seen.add(key)
            chosen.append((p, reg, value))
        if invalid:
            if invalid_name is not None:
                raise ConfigError("Unknown option or number of arguments for CONFIG SET - '%s'"
                                  % invalid_name)
            raise ConfigError("CONFIG SET failed (possibly related to argument '%s') - %s"
                              % (err_name, errstr))

        # Parse every value before touching anything; the first failure wins.
        # Values are parsed in order against the *evolving* state so that a
        # repeated alias (or partial client-output-buffer-limit) behaves
        # like Redis's sequential set.
        staged: list[tuple[Param, object]] = []
        shadow = dict(self._values)
        done_dirs: list[str] = []
        try:
            for p, reg, value in chosen:
                try:
                    if isinstance(p.type, _Dir):
                        done_dirs.append(shadow["dir"])
                    new = self._parse(p, value, shadow)
                except ConfigError as e:
                    raise ConfigError("CONFIG SET failed (possibly related to argument '%s') - %s"
                                      % (reg, e)) from None
                shadow[p.name] = new
                staged.append((p, new))
        except ConfigError:
            if done_dirs:                 # undo chdir()s of earlier dir values
                _Dir().restore(done_dirs[0])
            raise
        self._apply_all(staged, names=[reg for _, reg, _ in chosen])

    def _parse(self, p: Param, value: str, values: dict | None = None):
        return self._parse_args(p, _split_config_set(value) if p.type.multi_arg else [value],
                                values)

    def _parse_args(self, p: Param, args: list[str], values: dict | None = None):
        if isinstance(p.type, _ClientOutputBufferLimit):
            # Classes not mentioned keep their current limits.
            cur = (values if values is not None else self._values)[p.name]
            return p.type.parse_with(args, dict(cur))
        if not p.type.multi_arg and len(args) != 1:
            raise ConfigError("wrong number of arguments")
        return p.type.parse(args)

    def _apply_all(self, staged: list[tuple[Param, object]], names: list[str] | None = None):
        """Store new values, then run change callbacks; roll back if one vetoes."""
        old = {}
        for p, new in staged:
            old.setdefault(p.name, self._values[p.name])
            self._values[p.name] = new
        changed = [p for p in dict.fromkeys(p for p, _ in staged)
                   if self._values[p.name] != old[p.name] or isinstance(p.type, _Dir)]
        for i, p in enumerate(changed):
            for fn in self._callbacks.get(p.name, ()):
                try:
                    fn(p.name, p.type.public(self._values[p.name]))
                except ConfigError as e:
                    self._rollback(old, changed[: i + 1])
                    if names is None:         # set(): the bare reason
                        raise
                    shown = next((n for (q, _), n in zip(staged, names) if q is p), p.name)
                    raise ConfigError("CONFIG SET failed (possibly related to argument '%s') - %s"
                                      % (shown, e)) from None

    def _rollback(self, old: dict, applied: list[Param]) -> None:
        for name, v in old.items():
            p = self.param(name)
            self._values[name] = v
            p.type.restore(v)
        # Re-run the callbacks that already saw the new values so that their
        # side effects (listening sockets...) follow the restored state.
        for p in applied:
            for fn in self._callbacks.get(p.name, ()):
                try:
                    fn(p.name, p.type.public(self._values[p.name]))
                except Exception as e:   # noqa: BLE001 - best effort, like Redis
                    _log_warning("Failed applying restored failed CONFIG SET command: %s" % e)

    # --- loading configuration text ----------------------------------------
    def load_file(self, path: str, _state: _LoadState | None = None) -> None:
        """Load a config file; wildcards load every match (none is fine).

        Raises ConfigStartupError if a file can't be opened and
        ConfigFileError for bad content.
        """
        self.load_string(self.read_config_source(path), _state=_state)

    @staticmethod
    def read_config_source(path: str) -> str:
        """Text of a config file, or of all files a wildcard matches."""
        if any(c in path for c in "*?["):
            paths = sorted(_glob.glob(path))
        else:
            paths = [path]
        chunks = []
        for fn in paths:
            try:
                with open(fn, "rb") as f:
                    chunks.append(decode_value(f.read()))
            except OSError as e:
                raise ConfigStartupError("Fatal error, can't open config file '%s': %s"
                                         % (fn, os.strerror(e.errno) if e.errno else e)) from None
        return "".join(chunks)

    def load_string(self, text: str, _state: _LoadState | None = None) -> None:
        """Apply configuration text (redis.conf syntax), like Redis's
        loadServerConfigFromString(); raises ConfigFileError on the first bad
        line.  Immutable parameters are accepted (this is start-up)."""
        state = _state or _LoadState()
        lines = text.split("\n") if text else []
        for i, raw in enumerate(lines):
            line = raw.strip(" \t\r\n")
            if not line or line[0] == "#":
                continue
            argv = split_args(line)
            if argv is None:
                raise ConfigFileError("Unbalanced quotes in configuration line", i + 1, line)
            if not argv:
                continue
            argv[0] = _ascii_lower(argv[0])
            try:
                self._load_directive(argv, state)
            except ConfigFileError:
                raise                     # from an included file: keep its location
            except ConfigError as e:
                raise ConfigFileError(str(e), i + 1, line) from None

        # Checks Redis makes once the text is read (no line number printed).
        logfile = self._values["logfile"]
        if logfile:
            try:
                open(logfile, "a").close()
            except OSError as e:
                raise ConfigFileError("Can't open the log file: %s" % os.strerror(e.errno)) from None

    def _load_directive(self, argv: list[str], state: _LoadState) -> None:
        name, argc = argv[0], len(argv)
        entry = _INDEX.get(name)
        if entry is not None:
            p = entry[0]
            if not p.type.multi_arg and argc != 2:
                raise ConfigError("wrong number of arguments")
            args = argv[1:]
            if p.type.multi_arg and argc == 2 and argv[1]:
                # `--save "3600 1 300 100"` arrives as one argument: split it.
                args = split_args(argv[1]) or []
            new = self._parse_args(p, args)
            if p.name == "save":
                # The first save line replaces the defaults, later ones add
                # to it, and `save ""` clears what was collected so far.
                if state.save_loaded and not (len(args) == 1 and args[0] == ""):
                    new = self._values["save"] + new
                state.save_loaded = True
            self._values[p.name] = new
            return
        if name in _DEPRECATED and argc == 2:
            return                        # silently ignored, as in Redis 7.0
        if name == "include" and argc == 2:
            self.load_file(argv[1], state)
        elif name == "rename-command" and argc == 3:
            self.rename_commands.append((argv[1], argv[2]))
        elif name == "user" and argc >= 2:
            self.users.append(argv[1:])
        elif name == "loadmodule" and argc >= 2:
            self.loadmodules.append(argv[1:])
        elif "." in name:
            if argc != 2:
                raise ConfigError("Module config specified without value")
            self.module_configs[name] = argv[1]
        elif name == "sentinel":
            if argc != 1:
                raise ConfigError("sentinel directive while not in sentinel mode")
        else:
            raise ConfigError("Bad directive or wrong number of arguments")

    # --- CONFIG REWRITE ------------------------------------------------------
    def rewrite(self, path: str | None = None) -> None:
        """CONFIG REWRITE: update ``path`` (default: the loaded config file)
        in place, keeping comments, order and unknown lines, as Redis does.

        Raises ConfigError with Redis's reply text on failure.
        """
        path = path or self.config_file
        if not path:
            raise ConfigError("The server is running without a config file")
        try:
            content = self.rewrite_content(path)
            _atomic_write(path, content)
        except OSError as e:
            raise ConfigError("Rewriting config file: %s"
                              % (os.strerror(e.errno) if e.errno else e)) from None

    def rewrite_content(self, path: str) -> str:
        """The text CONFIG REWRITE would write to ``path``."""
        st = _RewriteState()
        try:
            with open(path, "rb") as f:
                old = decode_value(f.read())
        except FileNotFoundError:
            old = ""
        for linenum, raw in enumerate(old.split("\n") if old else []):
            line = raw.strip("\r\n\t ")
            if not line or line[0] == "#":
                if st.needs_signature and line == _REWRITE_SIGNATURE:
                    st.needs_signature = False
                st.lines.append(line)
                continue
            argv = split_args(line)
            if not argv or (_ascii_lower(argv[0]) not in _INDEX
                            and _ascii_lower(argv[0]) not in _NON_PARAM_DIRECTIVES):
                # Unparsable or unknown: keep it, but commented out.
                st.lines.append("# ??? " + line)
                continue
            st.lines.append(line)
            # Lines using an alias are rewritten under the primary name
            # ("hash-max-ziplist-entries" -> "hash-max-listpack-entries").
            option = _ascii_lower(argv[0])
            if option in _INDEX:
                option = _INDEX[option][0].name
            option = option.replace("slave", "replica", 1)
            st.option_to_line.setdefault(option, []).append(linenum)

        for p in PARAMS:
            default = self._defaults.get(p.name)
            p.type.rewrite(st, p.name, self._values[p.name], default)

        # Blank the leftover old lines of options we rewrote (e.g. a second
        # "save" line that is no longer needed); unknown options stay.
        for option, nums in st.option_to_line.items():
            if option in st.rewritten:
                for n in nums:
                    st.lines[n] = ""

        out, was_empty = [], False
        for line in st.lines:            # squeeze runs of blank lines
            if not line:
                if was_empty:
                    continue
                was_empty = True
            else:
                was_empty = False
            out.append(line + "\n")
        return "".join(out)


def _atomic_write(path: str, content: str) -> None:
    """Write via a temp file + rename so a crash never leaves half a config."""
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(encode_value(content))
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o644 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _log_warning(msg: str) -> None:
    # Imported lazily: log.py must stay usable without config.py and vice versa.
    try:
        from fastkv import log
        log.log(log.WARNING, msg)
    except Exception:  # noqa: BLE001 - logging must never break config handling
        pass
