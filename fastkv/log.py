"""Server log in Redis's format.

    12345:M 26 Nov 2026 14:31:23.123 * Ready to accept connections

``pid:role day month year time.ms marker message``; the marker gives the level
(``.`` debug, ``-`` verbose, ``*`` notice, ``#`` warning) and the role is
``M`` for the server, ``C`` for a forked child or for start-up messages written
before the server is set up (Redis prints ``C`` there too), ``S`` for a replica.

Messages below ``loglevel`` are dropped.  With ``logfile ""`` lines go to
stdout; otherwise the file is opened in append mode for every line, as Redis
does, so external log rotation works without a reopen signal.  With
``syslog-enabled yes`` lines also go to syslog.

``setup(cfg)`` reads loglevel/logfile/syslog-* from a fastkv Config and
follows later CONFIG SET changes through ``cfg.on_change``.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import weakref

__all__ = ["DEBUG", "VERBOSE", "NOTICE", "WARNING", "RAW", "LEVELS", "log", "log_raw",
           "enabled", "setup", "set_role", "set_level", "set_logfile", "format_line"]

DEBUG, VERBOSE, NOTICE, WARNING = 0, 1, 2, 3
#: OR into the level to write the message without the pid/time prefix
#: (Redis's LL_RAW, used e.g. for the ASCII-art logo).
RAW = 1 << 10
#: loglevel names as used in redis.conf.
LEVELS = {"debug": DEBUG, "verbose": VERBOSE, "notice": NOTICE, "warning": WARNING}

_MARKERS = ".-*#"
# %b in strftime depends on the locale; Redis logs under the C locale.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_lock = threading.Lock()
_verbosity = NOTICE
_logfile = ""
_role = "C"          # until setup(): Redis shows 'C' before the server is initialised
_syslog = None       # the syslog module when syslog-enabled, else None


def format_line(level: int, msg: str, *, pid: int | None = None, role: str | None = None,
                now: float | None = None) -> str:
    """One log line without the newline (exposed for tests)."""
    if level & RAW:
        return msg
    now = time.time() if now is None else now
    tm = time.localtime(now)
    ms = int((now - int(now)) * 1000)
    stamp = "%02d %s %d %02d:%02d:%02d.%03d" % (tm.tm_mday, _MONTHS[tm.tm_mon - 1], tm.tm_year,
                                               tm.tm_hour, tm.tm_min, tm.tm_sec, ms)
    return "%d:%s %s %s %s" % (os.getpid() if pid is None else pid,
                               _role if role is None else role, stamp,
                               _MARKERS[level & 0xFF], msg)


def enabled(level: int) -> bool:
    """Whether a message at ``level`` would be written (skip costly formatting)."""
    return (level & 0xFF) >= _verbosity


def log(level: int, msg: str) -> None:
    """Write ``msg`` at ``level`` (DEBUG/VERBOSE/NOTICE/WARNING, optionally | RAW)."""
    if (level & 0xFF) < _verbosity:
        return
    line = format_line(level, msg)
    with _lock:
        if _logfile:
            try:
                with open(_logfile, "a", encoding="utf-8", errors="surrogateescape") as f:
                    f.write(line + "\n")
            except OSError:
                pass              # like Redis: nowhere to report it, drop the line
        else:
            try:
                sys.stdout.write(line + "\n")
                sys.stdout.flush()
            except (OSError, ValueError):
                pass              # stdout closed (daemonized): drop
        if _syslog is not None:
            _syslog.syslog(_SYSLOG_PRIO[level & 0xFF], msg)


def log_raw(level: int, msg: str) -> None:
    """``log`` without the prefix."""
    log(level | RAW, msg)


def set_level(level: int | str) -> None:
    """Set the minimum level (a constant or a loglevel name)."""
    global _verbosity
    _verbosity = LEVELS[level] if isinstance(level, str) else level


def set_logfile(path: str) -> None:
    """Log to ``path`` ("" = stdout)."""
    global _logfile
    _logfile = path


def set_role(role: str) -> None:
    """'M' server, 'S' replica, 'C' child process / before start-up."""
    global _role
    _role = role


_SYSLOG_PRIO: dict[int, int] = {}


def _setup_syslog(ident: str, facility: str) -> None:
    global _syslog
    import syslog
    fac = {"user": syslog.LOG_USER, **{"local%d" % i: getattr(syslog, "LOG_LOCAL%d" % i)
                                       for i in range(8)}}[facility]
    syslog.openlog(ident, syslog.LOG_PID | syslog.LOG_NDELAY | syslog.LOG_NOWAIT, fac)
    _SYSLOG_PRIO.update({DEBUG: syslog.LOG_DEBUG, VERBOSE: syslog.LOG_INFO,
                         NOTICE: syslog.LOG_NOTICE, WARNING: syslog.LOG_WARNING})
    _syslog = syslog


_registered: "weakref.WeakSet" = weakref.WeakSet()   # configs we already follow


def setup(cfg, role: str = "M") -> None:
    """Configure from ``cfg`` and follow its CONFIG SET changes.

    Safe to call more than once (e.g. by the CLI and again by the server).
    """
    set_level(cfg["loglevel"])
    set_logfile(cfg["logfile"])
    set_role(role)
    if cfg["syslog-enabled"] and _syslog is None:
        _setup_syslog(cfg["syslog-ident"], cfg["syslog-facility"])
    if cfg not in _registered:
        _registered.add(cfg)
        cfg.on_change("loglevel", lambda _name, value: set_level(value))
        # logfile is immutable in Redis 7.0, but follow it should that change.
        cfg.on_change("logfile", lambda _name, value: set_logfile(value))
