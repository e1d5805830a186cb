"""What the Python command handlers share: error texts and small helpers.

The connection and server commands written in Python (cold paths) live in
conn.py, t_client.py, t_command.py, introspect.py and debug.py.  Each
handler is ``fn(client, argv)`` where argv is a list of bytes including the
command name; replies go through the client's reply_* methods, errors are
raised as ReplyError.  The core has already checked the arity (from Redis's
metadata) and authentication, and dispatched container commands (CLIENT,
CONFIG ...) to their subcommand rows, so a handler only deals with what
Redis's own *Command() function checks.  Replies and error texts are Redis
7.0.15's, byte for byte where the values are deterministic.

State that outlives a command (slow log, latency events, memory peak, the
COMMAND reply cache) belongs to the server services: ``state_of(c.srv)``
(fastkv/services/state.py).
"""
from __future__ import annotations

from fastkv._core.client import ReplyError
from fastkv.config import string2ll

SYNTAX_ERROR = "ERR syntax error"


def to_ll(b: bytes):
    """Redis's strict string2ll() on an argument; None if not an integer."""
    try:
        return string2ll(b.decode("ascii"))
    except UnicodeDecodeError:
        return None


def err_subcommand(argv):
    """addReplySubcommandSyntaxError()."""
    raise ReplyError("ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP."
                     % (argv[1][:128].decode("utf-8", "replace"),
                        argv[0].decode("utf-8", "replace").upper()))


def reply_help(c, argv, lines):
    """addReplyHelp(): a header naming the command as typed, the lines, HELP."""
    c.reply_array_len(len(lines) + 3)
    c.reply_status(argv[0].upper() + b" <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
    for line in lines:
        c.reply_status(line)
    c.reply_status(b"HELP")
    c.reply_status(b"    Prints this help.")


def help_handler(lines):
    """A HELP subcommand: replies ``lines`` the way addReplyHelp() does."""
    def help_cmd(c, argv):
        reply_help(c, argv, lines)
    return help_cmd


def reply_txt(c, text: str):
    c.reply_verbatim(text.encode("utf-8", "surrogateescape"), "txt")
