"""DEBUG (Redis's debug.c): the subcommands clients and test suites use,
HELP SLEEP OBJECT PROTOCOL ERROR LOG, gated by enable-debug-command.

Handler conventions are in util.py.
"""
from __future__ import annotations

import time

from fastkv import meta
from fastkv._core.client import ReplyError
from fastkv.commands.util import err_subcommand, reply_help, to_ll
from fastkv.services.clients import is_local
from fastkv.services.state import config_of


# The subcommands fastkv implements, with Redis's help text for them.
DEBUG_HELP = [
    b"ERROR <string>",
    b"    Return a Redis protocol error with <string> as message. Useful for clients",
    b"    unit tests to simulate Redis errors.",
    b"LOG <message>",
    b"    Write <message> to the server log.",
    b"OBJECT <key>",
    b"    Show low level info about `key` and associated value.",
    b"PROTOCOL <type>",
    b"    Reply with a test value of the specified type. <type> can be: string,",
    b"    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
    b"    true, false.",
    b"SLEEP <seconds>",
    b"    Stop the server for <seconds>. Decimals allowed.",
]


def _rdb_len_size(n: int) -> int:
    """Bytes rdbSaveLen() uses for a length."""
    if n < 1 << 6:
        return 1
    if n < 1 << 14:
        return 2
    if n <= 0xFFFFFFFF:
        return 5
    return 9


def _rdb_string_len(s: bytes) -> int:
    """rdbSaveRawString() size without LZF: integer encoding or length + bytes."""
    if len(s) <= 11:
        v = to_ll(s)
        if v is not None and b"%d" % v == s:
            if -(1 << 7) <= v < 1 << 7:
                return 2
            if -(1 << 15) <= v < 1 << 15:
                return 3
            if -(1 << 31) <= v < 1 << 31:
                return 5
    return _rdb_len_size(len(s)) + len(s)


def _strtod_prefix(b: bytes) -> float:
    """C strtod() on the longest numeric prefix (0 if none)."""
    import re
    m = re.match(rb"\s*([+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf(?:inity)?|nan))",
                 b, re.I)
    if not m:
        return 0.0
    try:
        return float(m.group(1))
    except ValueError:
        return 0.0


def _debug_protocol(c, kind: bytes):
    if kind == b"string":
        c.reply_bulk(b"Hello World")
    elif kind == b"integer":
        c.reply_int(12345)
    elif kind == b"double":
        c.reply_double(3.141)
    elif kind == b"bignum":
        n = b"1234567999999999999999999999999999999"
        if c.resp == 3:
            c.reply_raw(b"(" + n + b"\r\n")
        else:
            c.reply_bulk(n)
    elif kind == b"null":
        c.reply_null()
    elif kind == b"array":
        c.reply([0, 1, 2])
    elif kind == b"set":
        c.reply(meta.RSet([0, 1, 2]))
    elif kind == b"map":
        c.reply_map_len(3)
        for j in range(3):
            c.reply_int(j)
            _reply_bool(c, j == 1)
    elif kind == b"attrib":
        if c.resp >= 3:
            c.reply_raw(b"|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n")
        c.reply_bulk(b"Some real reply following the attribute")
    elif kind == b"push":
        if c.resp < 3:
            raise ReplyError("ERR RESP2 is not supported by this command")
        c.reply_raw(b">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n")
        c.reply_bulk(b"Some real reply following the push reply")
    elif kind == b"true":
        _reply_bool(c, True)
    elif kind == b"false":
        _reply_bool(c, False)
    elif kind == b"verbatim":
        c.reply_verbatim(b"This is a verbatim\nstring", "txt")
    else:
        raise ReplyError("ERR Wrong protocol type name. Please use one of the following: "
                         "string|integer|double|bignum|null|array|set|map|attrib|push|"
                         "verbatim|true|false")


def _reply_bool(c, v: bool):
    if c.resp == 3:
        c.reply_raw(b"#t\r\n" if v else b"#f\r\n")
    else:
        c.reply_int(1 if v else 0)


def _debug_object(c, key: bytes):
    from fastkv.commands import t_keys
    d = t_keys.debug_object(c.db, key)
    if d is None:
        raise ReplyError("ERR no such key")
    serlen = d["serializedlength"]
    enc = d["encoding"]
    if isinstance(enc, bytes):
        enc = enc.decode()
    if enc in ("int", "embstr", "raw"):
        try:
            value = c.db.get(key)
        except TypeError:
            value = None
        if value is not None:
            serlen = _rdb_string_len(value)
    extra = ""
    if enc == "quicklist":
        from fastkv.commands import t_list
        extra = t_list.debug_object_extra(c.db, key)
    c.reply_status(("Value at:0x%x refcount:%d encoding:%s serializedlength:%d lru:%d "
                    "lru_seconds_idle:%d%s" % (d["addr"], d["refcount"], enc, serlen, d["lru"],
                                               d["lru_seconds_idle"], extra)).encode())


def debug_cmd(c, argv):
    cfg = config_of(c.srv)
    if not cfg.allows("enable-debug-command", is_local(c)):
        raise ReplyError('ERR DEBUG command not allowed. If the enable-debug-command option is '
                         'set to "local", you can run it from a local connection, otherwise you '
                         'need to set this option in the configuration file, and then restart '
                         'the server.')
    sub = argv[1].lower()
    argc = len(argv)
    if sub == b"help" and argc == 2:
        reply_help(c, argv, DEBUG_HELP)
    elif sub == b"sleep" and argc == 3:
        secs = _strtod_prefix(argv[2])
        # Redis: long long utime = dtime*1000000; an out-of-range double
        # (inf, nan, 1e300) converts to LLONG_MIN on x86-64, and nanosleep()
        # refuses a negative time: it answers OK at once.
        x = secs * 1_000_000
        usecs = int(x) if -9.223372036854776e18 <= x < 9.223372036854776e18 else -1
        if usecs > 0:
            # time.sleep() can't take more than ~292 years: 1e9 s is forever enough
            time.sleep(min(usecs / 1_000_000, 1e9))
        c.reply_ok()
    elif sub == b"object" and argc == 3:
        _debug_object(c, argv[2])
    elif sub == b"protocol" and argc == 3:
        _debug_protocol(c, argv[2].lower())
    elif sub == b"error" and argc == 3:
        c.reply_error(argv[2])
    elif sub == b"log" and argc == 3:
        server = c.srv.server
        if server is not None:
            server.log_warning("DEBUG LOG: %s" % argv[2].decode("utf-8", "replace"))
        c.reply_ok()
    else:
        err_subcommand(argv)
