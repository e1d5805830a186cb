"""fastkv-server command line, compatible with redis-server's.

    fastkv-server [/path/to/redis.conf] [--name value ...] [-]

Exactly like redis-server: the config file (first argument, if it doesn't
start with "-") is read first, then standard input (a "-" as first or last
argument), then every ``--name value...`` is turned into a ``name value...``
config line appended after them, so arguments win over the file and later
arguments over earlier ones.  Errors are printed in redis-server's format
(the FATAL CONFIG FILE ERROR block, with the line number counted in that
combined text) and exit with status 1.
"""

from __future__ import annotations

import os
import sys

from fastkv import REDIS_VERSION, __version__, log
from fastkv.config import (Config, ConfigFileError, ConfigStartupError, decode_value,
                           encode_value, repr_arg, split_args)

__all__ = ["parse_args", "main", "build_options", "version_line", "USAGE"]

USAGE = """\
Usage: fastkv-server [/path/to/redis.conf] [options] [-]
       fastkv-server - (read config from stdin)
       fastkv-server -v or --version
       fastkv-server -h or --help

Examples:
       fastkv-server (run the server with default conf)
       echo 'maxmemory 128mb' | fastkv-server -
       fastkv-server /etc/redis/6379.conf
       fastkv-server --port 7777
       fastkv-server /etc/myredis.conf --loglevel verbose -
       fastkv-server /etc/myredis.conf --loglevel verbose
"""


def version_line() -> str:
    """What ``--version`` prints (redis-server prints "Redis server v=...")."""
    bits = 64 if sys.maxsize > 2 ** 32 else 32
    return "fastkv server v=%s redis_version=%s bits=%d python=%d.%d.%d" % (
        __version__, REDIS_VERSION, bits, *sys.version_info[:3])


def build_options(argv: list[str]) -> tuple[str | None, bool, str]:
    """Split a command line into (config file, read stdin?, options text).

    A line-by-line port of redis-server's main(): each ``--name`` starts a
    new line, the following words become its (quoted) arguments.  Special
    cases kept for compatibility: a ``--save`` without value means
    ``save ""``, and ``"--name value"`` may come as a single argument.
    """
    configfile = None
    from_stdin = False
    options = ""
    n = len(argv)
    j = 0
    if n and not argv[0].startswith("-"):
        configfile = os.path.abspath(argv[0])
        j = 1
    handled_last_arg = True       # the previous --name already has a value
    while j < n:
        arg = argv[j]
        if arg == "-" and (j == 0 or j == n - 1):
            from_stdin = True
        elif handled_last_arg and arg.startswith("--"):
            if options:
                options += "\n"
            options += arg[2:] + " "
            tokens = split_args(arg)
            if tokens is not None and len(tokens) == 1:
                handled_last_arg = False
                if arg.lower() == "--save":
                    # `--save --port 1` and a trailing `--save` mean save "".
                    if j == n - 1 or argv[j + 1].startswith("--"):
                        options += '""'
                        handled_last_arg = j != n - 1
            else:
                handled_last_arg = True
        else:
            options += repr_arg(arg) + " "
            handled_last_arg = True
        j += 1
    return configfile, from_stdin, options


def _write_stderr(text: str) -> None:
    # Config lines may hold any bytes (see config.decode_value); write them
    # back out unchanged rather than failing on them.
    data = encode_value(text)
    buf = getattr(sys.stderr, "buffer", None)
    if buf is not None:
        sys.stderr.flush()
        buf.write(data)
        buf.flush()
    else:
        sys.stderr.write(data.decode("utf-8", "backslashreplace"))
        sys.stderr.flush()


def _fatal_config_error(e: ConfigFileError) -> None:
    out = "\n*** FATAL CONFIG FILE ERROR (Redis %s) ***\n" % REDIS_VERSION
    if e.linenum is not None:
        out += "Reading the configuration file, at line %d\n" % e.linenum
        out += ">>> '%s'\n" % e.line
    out += "%s\n" % e.msg
    _write_stderr(out)


def _read_stdin(stdin) -> str:
    buf = getattr(stdin, "buffer", None)
    if buf is not None:
        return decode_value(buf.read())
    return stdin.read()


def parse_args(argv: list[str], *, stdin=None) -> Config:
    """Build the Config for a command line (``argv`` without the program name).

    Prints redis-server's messages and raises SystemExit: 0 after
    --version, 1 after --help or any configuration error.  A config file
    that can't be opened is reported as a log line on stdout, as Redis does.
    ``stdin`` (default sys.stdin) is read only when "-" asks for it.
    """
    argv = list(argv)
    if argv:
        if argv[0] in ("-v", "--version"):
            sys.stdout.write(version_line() + "\n")
            sys.stdout.flush()
            raise SystemExit(0)
        if argv[0] in ("--help", "-h"):
            _write_stderr(USAGE)
            raise SystemExit(1)
        if argv[0] in ("--test-memory", "--check-system"):
            _write_stderr("fastkv: %s is not supported\n" % argv[0])
            raise SystemExit(1)
    if "--sentinel" in argv:
        _write_stderr("fastkv: sentinel mode is not supported\n")
        raise SystemExit(1)

    cfg = Config()
    if not argv:
        return cfg                  # redis-server with no arguments: defaults
    configfile, from_stdin, options = build_options(argv)
    cfg.config_file = configfile
    try:
        text = Config.read_config_source(configfile) if configfile else ""
        if from_stdin:
            log.log(log.WARNING, "Reading config from stdin")
            text += _read_stdin(sys.stdin if stdin is None else stdin)
        cfg.load_string(text + "\n" + options)
        _check_modules(cfg)
    except ConfigFileError as e:
        _fatal_config_error(e)
        raise SystemExit(1) from None
    except ConfigStartupError as e:
        for msg in e.messages:
            log.log(log.WARNING, msg)
        raise SystemExit(1) from None
    return cfg


def _check_modules(cfg: Config) -> None:
    """fastkv can't load Redis modules; fail the way redis-server fails when
    a module doesn't load, or when module configs have no module."""
    if cfg.loadmodules:
        path = cfg.loadmodules[0][0]
        raise ConfigStartupError(
            "Module %s failed to load: fastkv does not support modules" % path,
            "Can't load module from %s: server aborting" % path)
    if cfg.module_configs:
        raise ConfigStartupError("Module Configuration detected without loadmodule "
                                 "directive or no ApplyConfig call: aborting")


def main(argv: list[str] | None = None):
    """Entry point of fastkv-server: parse the command line, run the server.

    Returns the server's exit code.
    """
    cfg = parse_args(sys.argv[1:] if argv is None else argv)
    from fastkv.server import run_server   # lazy: needs the compiled core
    return run_server(cfg)
