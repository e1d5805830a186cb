"""CLIENT and its subcommands (Redis's networking.c): ID INFO LIST KILL
SETNAME GETNAME PAUSE UNPAUSE REPLY NO-EVICT NO-TOUCH, TRACKING CACHING GETREDIR
TRACKINGINFO (client-side caching, fastkv/_core/tracking.pyx) and HELP; ``client_info_string`` is one CLIENT LIST line.

Handler conventions are in util.py.
"""
from __future__ import annotations

import time

from fastkv import meta
from fastkv._core import tracking
from fastkv._core.client import CLIENT_FLAGS, ReplyError
from fastkv.commands.util import SYNTAX_ERROR, err_subcommand, help_handler, reply_txt, to_ll
from fastkv.services.clients import fmt_addr, peer_id
from fastkv.services.memory import client_memory

LLONG_MAX = (1 << 63) - 1

_F_MONITOR = CLIENT_FLAGS["monitor"]
_F_PUBSUB = CLIENT_FLAGS["pubsub"]
_F_MULTI = CLIENT_FLAGS["multi"]
_F_REPLY_OFF = CLIENT_FLAGS["reply_off"]
_F_REPLY_SKIP_NEXT = CLIENT_FLAGS["reply_skip_next"]
_F_REPLY_SKIP = CLIENT_FLAGS["reply_skip"]
_F_NO_EVICT = CLIENT_FLAGS["no_evict"]
_F_NO_TOUCH = CLIENT_FLAGS["no_touch"]
_F_CLOSE_AFTER_REPLY = CLIENT_FLAGS["close_after_reply"]
_F_CLOSED = CLIENT_FLAGS["closed"]
_F_PAUSED = CLIENT_FLAGS["paused"]
_F_BLOCKED = CLIENT_FLAGS["blocked"]
_F_UNIX = CLIENT_FLAGS["unix"]


CLIENT_HELP = [
    b"CACHING (YES|NO)",
    b"    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    b"GETREDIR",
    b"    Return the client ID we are redirecting to when tracking is enabled.",
    b"GETNAME",
    b"    Return the name of the current connection.",
    b"ID",
    b"    Return the ID of the current connection.",
    b"INFO",
    b"    Return information about the current client connection.",
    b"KILL <ip:port>",
    b"    Kill connection made from <ip:port>.",
    b"KILL <option> <value> [<option> <value> [...]]",
    b"    Kill connections. Options are:",
    b"    * ADDR (<ip:port>|<unixsocket>:0)",
    b"      Kill connections made from the specified address",
    b"    * LADDR (<ip:port>|<unixsocket>:0)",
    b"      Kill connections made to specified local address",
    b"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    b"      Kill connections by type.",
    b"    * USER <username>",
    b"      Kill connections authenticated by <username>.",
    b"    * SKIPME (YES|NO)",
    b"      Skip killing current connection (default: yes).",
    b"LIST [options ...]",
    b"    Return information about client connections. Options:",
    b"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    b"      Return clients of specified type.",
    b"UNPAUSE",
    b"    Stop the current client pause, resuming traffic.",
    b"PAUSE <timeout> [WRITE|ALL]",
    b"    Suspend all, or just write, clients for <timeout> milliseconds.",
    b"REPLY (ON|OFF|SKIP)",
    b"    Control the replies sent to the current connection.",
    b"SETNAME <name>",
    b"    Assign the name <name> to the current connection.",
    b"UNBLOCK <clientid> [TIMEOUT|ERROR]",
    b"    Unblock the specified blocked client.",
    b"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    b"         [OPTIN] [OPTOUT] [NOLOOP]",
    b"    Control server assisted client side caching.",
    b"TRACKINGINFO",
    b"    Report tracking status for the current connection.",
    b"NO-EVICT (ON|OFF)",
    b"    Protect current client connection from eviction.",
]

# getClientTypeByName(); fastkv has only normal clients (MONITOR clients
# count as normal in Redis too).
CLIENT_TYPE_NORMAL, CLIENT_TYPE_SLAVE, CLIENT_TYPE_PUBSUB, CLIENT_TYPE_MASTER = 0, 1, 2, 3
_CLIENT_TYPES = {b"normal": CLIENT_TYPE_NORMAL, b"slave": CLIENT_TYPE_SLAVE,
                 b"replica": CLIENT_TYPE_SLAVE, b"pubsub": CLIENT_TYPE_PUBSUB,
                 b"master": CLIENT_TYPE_MASTER}


def _client_type(c) -> int:
    return CLIENT_TYPE_NORMAL


def _client_type_by_name(name: bytes) -> int:
    t = _CLIENT_TYPES.get(name.lower())
    if t is None:
        raise ReplyError("ERR Unknown client type '%s'" % name.decode("utf-8", "replace"))
    return t


def validate_client_name(name: bytes):
    """clientSetNameOrReply(): printable ASCII without spaces."""
    for ch in name:
        if ch < 0x21 or ch > 0x7E:
            raise ReplyError("ERR Client names cannot contain spaces, newlines or special characters.")


def _sock_name(c) -> str:
    if c.flags & _F_UNIX:
        return "%s:0" % (c.laddr or "")
    return fmt_addr(c.laddr)


def _live_clients(srv):
    return [x for x in list(srv.clients.values()) if not (x.flags & _F_CLOSED)]


def _flags_string(x) -> str:
    f = x.flags
    out = ""
    if f & _F_MONITOR:
        out += "O"
    if f & _F_PUBSUB:
        out += "P"
    if f & _F_MULTI:
        out += "x"
    if f & (_F_PAUSED | _F_BLOCKED):
        out += "b"          # a client held by CLIENT PAUSE is "blocked" in Redis too
    ct = x.tracking
    if ct is not None:
        out += "t"
        if ct.flags & tracking.FLAGS["broken_redir"]:
            out += "R"
        if ct.flags & tracking.FLAGS["bcast"]:
            out += "B"
    if x.watcher is not None and x.watcher.dirty:
        out += "d"
    if f & _F_CLOSE_AFTER_REPLY:
        out += "c"
    if f & _F_CLOSED:
        out += "A"
    if f & _F_UNIX:
        out += "U"
    if f & _F_NO_EVICT:
        out += "e"
    if f & _F_NO_TOUCH:
        out += "T"
    return out or "N"


def _fd(x) -> int:
    t = x.transport
    if t is None:
        return -1
    try:
        sock = t.get_extra_info("socket")
        return sock.fileno() if sock is not None else -1
    except Exception:  # noqa: BLE001 - closing transports
        return -1


def _pending_output(x) -> int:
    t = x.transport
    if t is None:
        return 0
    try:
        return t.get_write_buffer_size()
    except Exception:  # noqa: BLE001
        return 0


def client_info_string(x, current=None) -> str:
    """catClientInfoString(): one CLIENT LIST line (without the newline).

    ``current`` is the client executing the command: its cmd= is the command
    running now, like Redis (which sets lastcmd before calling it)."""
    now = int(time.time())
    if x is current and x.current_command is not None:
        cmd = x.current_command.name
    else:
        cmd = x.last_cmd or b"NULL"
    pending = _pending_output(x)
    qlen, qcap = x.qbuf_len, x.qbuf_cap
    obl = x.obuf_len
    argv_mem = x.argv_len_sum if x is current else 0
    tot = client_memory(x)
    name = x.name.decode("utf-8", "surrogateescape") if x.name else ""
    queue = x.multi_queue
    multi_mem = sum(len(a) for _, argv in queue for a in argv) if queue else 0
    return ("id=%d addr=%s laddr=%s fd=%d name=%s age=%d idle=%d flags=%s db=%d sub=%d psub=%d "
            "ssub=%d multi=%d qbuf=%d qbuf-free=%d argv-mem=%d multi-mem=%d rbs=%d rbp=%d obl=%d "
            "oll=%d omem=%d tot-mem=%d events=%s cmd=%s user=%s redir=%d resp=%d" % (
                x.id, peer_id(x), _sock_name(x), _fd(x), name,
                max(0, now - x.ctime_ms // 1000), max(0, now - x.last_interaction_ms // 1000),
                _flags_string(x), x.db.id, len(x.pubsub_channels), len(x.pubsub_patterns),
                len(x.pubsub_shard_channels), len(queue) if queue is not None else -1,
                qlen, max(0, qcap - qlen), argv_mem, multi_mem,
                max(1024, obl), obl, obl, 1 if pending else 0, pending, tot,
                "rw" if pending else "r", cmd.decode("utf-8", "replace"), x.user or "default",
                x.tracking.redirect if x.tracking is not None else -1, x.resp))


def client_id_cmd(c, argv):
    c.reply_int(c.id)


def client_unblock_cmd(c, argv):
    """CLIENT UNBLOCK <id> [TIMEOUT|ERROR]: a client blocked in BLPOP & co
    is answered as on a timeout, or with the UNBLOCKED error."""
    error = False
    if len(argv) == 4:
        reason = argv[3].lower()
        if reason == b"error":
            error = True
        elif reason != b"timeout":
            raise ReplyError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
    elif len(argv) != 3:
        raise ReplyError("ERR wrong number of arguments for 'client|unblock' command")
    cid = to_ll(argv[2])
    if cid is None:
        raise ReplyError("ERR value is not an integer or out of range")
    target = c.srv.clients.get(cid)
    c.reply_int(1 if target is not None and target.unblock_with(error) else 0)


def client_info_cmd(c, argv):
    reply_txt(c, client_info_string(c, c) + "\n")


def client_list_cmd(c, argv):
    srv = c.srv
    ctype = -1
    ids = None
    if len(argv) == 4 and argv[2].lower() == b"type":
        ctype = _client_type_by_name(argv[3])
    elif len(argv) > 3 and argv[2].lower() == b"id":
        ids = []
        for a in argv[3:]:
            cid = to_ll(a)
            if cid is None:
                raise ReplyError("ERR Invalid client ID")
            ids.append(cid)
    elif len(argv) != 2:
        raise ReplyError(SYNTAX_ERROR)
    lines = []
    if ids is not None:
        for cid in ids:
            x = srv.clients.get(cid)
            if x is not None and not (x.flags & _F_CLOSED):
                lines.append(client_info_string(x, c) + "\n")
    else:
        for x in _live_clients(srv):
            if ctype != -1 and _client_type(x) != ctype:
                continue
            lines.append(client_info_string(x, c) + "\n")
    reply_txt(c, "".join(lines))


def client_kill_cmd(c, argv):
    addr = laddr = user = None
    ctype = -1
    cid = 0
    skipme = True
    if len(argv) == 3:
        addr = argv[2].decode("utf-8", "surrogateescape")      # old form: CLIENT KILL addr
        skipme = False
    else:
        i = 2
        while i < len(argv):
            opt = argv[i].lower()
            more = i + 1 < len(argv)
            if opt == b"id" and more:
                v = to_ll(argv[i + 1])
                if v is None or v < 1:
                    raise ReplyError("ERR client-id should be greater than 0")
                cid = v
            elif opt == b"type" and more:
                ctype = _client_type_by_name(argv[i + 1])
            elif opt == b"addr" and more:
                addr = argv[i + 1].decode("utf-8", "surrogateescape")
            elif opt == b"laddr" and more:
                laddr = argv[i + 1].decode("utf-8", "surrogateescape")
            elif opt == b"user" and more:
                if argv[i + 1] != b"default":
                    raise ReplyError("ERR No such user '%s'" % argv[i + 1].decode("utf-8", "replace"))
                user = "default"
            elif opt == b"skipme" and more:
                v = argv[i + 1].lower()
                if v == b"yes":
                    skipme = True
                elif v == b"no":
                    skipme = False
                else:
                    raise ReplyError(SYNTAX_ERROR)
            else:
                raise ReplyError(SYNTAX_ERROR)
            i += 2
    killed = 0
    close_me = False
    for x in _live_clients(c.srv):
        if addr is not None and peer_id(x) != addr:
            continue
        if laddr is not None and _sock_name(x) != laddr:
            continue
        if ctype != -1 and _client_type(x) != ctype:
            continue
        if cid and x.id != cid:
            continue
        if user is not None and x.user != user:
            continue
        if x is c and skipme:
            continue
        if x is c:
            close_me = True
        else:
            x.close()
        killed += 1
    if close_me:
        c.close_after_reply()
    if len(argv) == 3:
        if not killed:
            raise ReplyError("ERR No such client")
        c.reply_ok()
    else:
        c.reply_int(killed)


def client_setname_cmd(c, argv):
    name = argv[2]
    validate_client_name(name)
    c.name = name or None
    c.reply_ok()


def client_getname_cmd(c, argv):
    if c.name:
        c.reply_bulk(c.name)
    else:
        c.reply_null()


def client_pause_cmd(c, argv):
    if len(argv) not in (3, 4):
        err_subcommand(argv)
    writes_only = False
    if len(argv) == 4:
        mode = argv[3].lower()
        if mode == b"write":
            writes_only = True
        elif mode != b"all":
            raise ReplyError("ERR CLIENT PAUSE mode must be WRITE or ALL")
    ms = to_ll(argv[2])
    if ms is None:
        raise ReplyError("ERR timeout is not an integer or out of range")
    if ms < 0:
        raise ReplyError("ERR timeout is negative")
    now = int(time.time() * 1000)
    end = ms + now if ms > 0 else 0
    if end > LLONG_MAX:
        # Redis 7.0 adds without an overflow check: the end time wraps
        # around into the past, so such a pause changes nothing.
        end -= 1 << 64
    srv = c.srv
    if srv.paused_until_ms > now:
        # pauseClients(): an active pause only gets longer or stricter.
        end = max(end, srv.paused_until_ms)
        writes_only = writes_only and srv.pause_writes_only
    if end > now:
        srv.paused_until_ms = end
        srv.pause_writes_only = writes_only
    c.reply_ok()


def client_unpause_cmd(c, argv):
    server = c.srv.server
    if server is not None:
        server.unpause_clients()
    else:
        srv = c.srv
        srv.paused_until_ms = 0
        paused, srv.paused_clients = srv.paused_clients, []
        for x in paused:
            x.resume_paused()
    c.reply_ok()


def client_reply_cmd(c, argv):
    mode = argv[2].lower()
    if mode == b"on":
        c.flags &= ~(_F_REPLY_SKIP | _F_REPLY_SKIP_NEXT | _F_REPLY_OFF)
        c.reply_ok()
    elif mode == b"off":
        c.flags |= _F_REPLY_OFF
    elif mode == b"skip":
        if not (c.flags & _F_REPLY_OFF):
            c.flags |= _F_REPLY_SKIP_NEXT
    else:
        raise ReplyError(SYNTAX_ERROR)


def _on_off_flag(c, argv, bit):
    v = argv[2].lower()
    if v == b"on":
        c.flags |= bit
    elif v == b"off":
        c.flags &= ~bit
    else:
        raise ReplyError(SYNTAX_ERROR)
    c.reply_ok()


def client_no_evict_cmd(c, argv):
    _on_off_flag(c, argv, _F_NO_EVICT)


def client_no_touch_cmd(c, argv):
    """CLIENT NO-TOUCH ON|OFF (Redis 7.2): reads don't touch the LRU/LFU."""
    _on_off_flag(c, argv, _F_NO_TOUCH)


# -- client-side caching (tracking: fastkv/_core/tracking.pyx) ----------------

def _tracking(c):
    """The server's Tracking state, made (and tied to CONFIG) on first use."""
    t = c.srv.keyspace.tracking_ctx
    if t is None:
        t = tracking.get_tracking(c.srv)
        from fastkv.commands.t_command import get_keys
        t.getkeys = get_keys
        server = c.srv.server
        if server is not None:
            t.max_keys = server.config["tracking-table-max-keys"]
            server.config.on_change("tracking-table-max-keys", lambda n, v: t.set_max_keys(v))
    return t


def _prefix_collision(c, prefixes):
    """checkPrefixCollisionsOrReply(): None if fine; else the index it stopped
    at, after replying the error.  (7.0 returns that index as its result, so
    a clash found after the first prefix is replied AND tracking goes on.)"""
    ct = c.tracking
    existing = sorted(ct.prefixes) if ct is not None and ct.prefixes else []
    for i, p in enumerate(prefixes):
        for e in existing:
            if e.startswith(p) or p.startswith(e):
                c.reply_error(b"ERR Prefix '%s' overlaps with an existing prefix '%s'. "
                              b"Prefixes for a single client must not overlap." % (p, e))
                return 0
        for q in prefixes[i + 1:]:
            if q.startswith(p) or p.startswith(q):
                c.reply_error(b"ERR Prefix '%s' overlaps with another provided prefix '%s'. "
                              b"Prefixes for a single client must not overlap." % (p, q))
                return i
    return None


def client_tracking_cmd(c, argv):
    """CLIENT TRACKING (ON|OFF) [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN]
    [OPTOUT] [NOLOOP], with 7.0's checks in 7.0's order."""
    F = tracking.FLAGS
    redir = 0
    options = 0
    prefixes = []
    j = 3
    while j < len(argv):
        opt = argv[j].lower()
        more = len(argv) - 1 - j
        if opt == b"redirect" and more:
            j += 1
            if redir != 0:
                raise ReplyError("ERR A client can only redirect to a single other client")
            redir = to_ll(argv[j])
            if redir is None:
                raise ReplyError("ERR value is not an integer or out of range")
            target = c.srv.clients.get(redir)
            if target is None or target.flags & _F_CLOSED:
                raise ReplyError("ERR The client ID you want redirect to does not exist")
        elif opt == b"bcast":
            options |= F["bcast"]
        elif opt == b"optin":
            options |= F["optin"]
        elif opt == b"optout":
            options |= F["optout"]
        elif opt == b"noloop":
            options |= F["noloop"]
        elif opt == b"prefix" and more:
            j += 1
            prefixes.append(argv[j])
        else:
            raise ReplyError(SYNTAX_ERROR)
        j += 1
    onoff = argv[2].lower()
    if onoff == b"on":
        ct = c.tracking
        if not (options & F["bcast"]) and prefixes:
            raise ReplyError("ERR PREFIX option requires BCAST mode to be enabled")
        if ct is not None and bool(ct.flags & F["bcast"]) != bool(options & F["bcast"]):
            raise ReplyError("ERR You can't switch BCAST mode on/off before disabling tracking "
                             "for this client, and then re-enabling it with a different mode.")
        if options & F["bcast"] and options & (F["optin"] | F["optout"]):
            raise ReplyError("ERR OPTIN and OPTOUT are not compatible with BCAST")
        if options & F["optin"] and options & F["optout"]:
            raise ReplyError("ERR You can't specify both OPTIN mode and OPTOUT mode")
        if ct is not None and ((options & F["optin"] and ct.flags & F["optout"])
                               or (options & F["optout"] and ct.flags & F["optin"])):
            raise ReplyError("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking "
                             "for this client, and then re-enabling it with a different mode.")
        if options & F["bcast"]:
            stop = _prefix_collision(c, prefixes)
            if stop == 0:
                return
        _tracking(c).enable(c, redir, options, prefixes)
    elif onoff == b"off":
        if c.tracking is not None:
            _tracking(c).disable(c)
    else:
        raise ReplyError(SYNTAX_ERROR)
    c.reply_ok()


def client_caching_cmd(c, argv):
    """CLIENT CACHING YES|NO: the next command's keys are (OPTIN) or are not
    (OPTOUT) remembered."""
    F = tracking.FLAGS
    ct = c.tracking
    if ct is None:
        raise ReplyError("ERR CLIENT CACHING can be called only when the client is in tracking mode "
                         "with OPTIN or OPTOUT mode enabled")
    opt = argv[2].lower()
    if opt == b"yes":
        if not ct.flags & F["optin"]:
            raise ReplyError("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
    elif opt == b"no":
        if not ct.flags & F["optout"]:
            raise ReplyError("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
    else:
        raise ReplyError(SYNTAX_ERROR)
    ct.flags |= F["caching"]
    c.reply_ok()


def client_getredir_cmd(c, argv):
    ct = c.tracking
    c.reply_int(ct.redirect if ct is not None else -1)


def client_trackinginfo_cmd(c, argv):
    F = tracking.FLAGS
    ct = c.tracking
    flags = [b"on" if ct is not None else b"off"]
    f = ct.flags if ct is not None else 0
    if f & F["bcast"]:
        flags.append(b"bcast")
    if f & F["optin"]:
        flags.append(b"optin")
        if f & F["caching"]:
            flags.append(b"caching-yes")
    if f & F["optout"]:
        flags.append(b"optout")
        if f & F["caching"]:
            flags.append(b"caching-no")
    if f & F["noloop"]:
        flags.append(b"noloop")
    if f & F["broken_redir"]:
        flags.append(b"broken_redirect")
    c.reply({b"flags": meta.RSet(flags), b"redirect": ct.redirect if ct is not None else -1,
             b"prefixes": sorted(ct.prefixes) if ct is not None and ct.prefixes else []})


client_help_cmd = help_handler(CLIENT_HELP)


# The metadata of CLIENT NO-TOUCH (added in Redis 7.2, so not in the 7.0.15
# data file); registered only if the command table accepts extra metadata.
CLIENT_NO_TOUCH_META = {
    "arity": 3,
    "flags": ["noscript", "loading", "stale"],
    "first_key": 0, "last_key": 0, "step": 0,
    "acl_categories": ["@slow", "@connection"],
    "tips": [],
    "key_specs": [],
    "subcommands": {},
    "docs": {
        "summary": "Controls whether commands sent by the client affect the LRU/LFU of accessed keys.",
        "since": "7.2.0",
        "group": "connection",
        "complexity": "O(1)",
        "arguments": [{"name": "enabled", "type": "oneof", "arguments": [
            {"name": "on", "type": "pure-token", "token": "ON"},
            {"name": "off", "type": "pure-token", "token": "OFF"}]}],
    },
}
