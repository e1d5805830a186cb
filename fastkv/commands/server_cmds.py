"""Connection and server commands written in Python (cold paths): PING,
ECHO, QUIT, SHUTDOWN, ...  Each handler is fn(client, argv) where argv is a
list of bytes including the command name; replies go through the client's
reply_* methods, errors via ReplyError."""
from fastkv._core.client import ReplyError


def ping_cmd(c, argv):
    if len(argv) > 2:
        raise ReplyError("ERR wrong number of arguments for 'ping' command")
    if len(argv) == 2:
        c.reply_bulk(argv[1])
    else:
        c.reply_status(b"PONG")


def echo_cmd(c, argv):
    c.reply_bulk(argv[1])


def quit_cmd(c, argv):
    c.reply_ok()
    c.close_after_reply()


def shutdown_cmd(c, argv):
    c.srv.server.shutdown_command(c, argv)


def ROWS(C):
    return [
        C("ping", ping_cmd),
        C("echo", echo_cmd),
        C("quit", quit_cmd),
        C("shutdown", shutdown_cmd),
    ]
