"""Pure-Python helpers of the core that the layers above share, so that each
exists once: Redis's sdssplitargs / sdscatrepr (sds.c), its glob matcher
(util.c stringmatchlen, the C one in csrc/fk_util.c) and the argv redaction
of SLOWLOG and MONITOR.

The core may import only from _core: client.pyx quotes MONITOR lines with
``repr_arg`` and redacts them with ``redact_argv``; config, the CLI, the
slow log and the admin commands use the same functions.
"""
from __future__ import annotations

# Redis's glob matching: the C fk_stringmatchlen, exported by the keyspace.
from fastkv._core.keyspace import stringmatch  # noqa: F401  (bytes, bytes, nocase) -> bool

REDACTED = b"(redacted)"
_C_SPACE = b" \t\n\v\f\r"   # isspace() in the C locale
_REPR_ESC = {10: "\\n", 13: "\\r", 9: "\\t", 7: "\\a", 8: "\\b"}


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


def repr_arg(s) -> str:
    """Redis's sdscatrepr(): a double-quoted form that split_args_bytes reads
    back.  ``s`` is bytes, or str (encoded back with surrogateescape, the
    inverse of config's decode_value)."""
    if isinstance(s, str):
        s = s.encode("utf-8", "surrogateescape")
    out = ['"']
    for b in s:
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


def redact_argv(argv, srv):
    """argv as Redis logs it in SLOWLOG and MONITOR: passwords (AUTH, HELLO
    AUTH, sensitive CONFIG SET values) replaced by "(redacted)".  ``srv`` is
    the ServerState; its server's config says which parameters are
    sensitive."""
    if not argv:
        return argv
    name = argv[0].lower()
    if name == b"auth" and len(argv) <= 3:
        return [argv[0]] + [REDACTED] * (len(argv) - 1)
    if name == b"hello":
        out = list(argv)
        j = 2
        while j < len(out):
            more = len(out) - 1 - j
            opt = out[j].lower()
            if opt == b"auth" and more >= 2:
                out[j + 1] = out[j + 2] = REDACTED
                j += 3
            elif opt == b"setname" and more:
                j += 2
            else:
                break
        return out
    if name == b"config" and len(argv) >= 4 and argv[1].lower() == b"set" and not (len(argv) & 1):
        cfg = srv.server.config
        out = list(argv)
        for j in range(2, len(out) - 1, 2):
            if cfg.is_sensitive(out[j].decode("utf-8", "surrogateescape")):
                out[j + 1] = REDACTED
        return out
    return argv
