"""Pure-Python helpers of the core that the layers above share.

The core may import only from _core; the slow log (services) and the
MONITOR feed (client.pyx) both log argv through ``redact_argv``.
"""
from __future__ import annotations

REDACTED = b"(redacted)"


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
