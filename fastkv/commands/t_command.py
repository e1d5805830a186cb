"""COMMAND and its subcommands: the replies built from the command table's
Redis metadata (COUNT LIST INFO DOCS HELP), and key extraction
(``get_keys``: key specs, then Redis's getkeys procs) for GETKEYS and
GETKEYSANDFLAGS.  Only commands fastkv really serves are listed.

Handler conventions are in util.py.
"""
from __future__ import annotations

from fastkv import meta
from fastkv._core.client import ReplyError
from fastkv._core.util import stringmatch
from fastkv.commands.util import SYNTAX_ERROR, help_handler, to_ll
from fastkv.services.state import state_of


# --------------------------------------------------------------------------
# COMMAND
# --------------------------------------------------------------------------

COMMAND_HELP = [
    b"(no subcommand)",
    b"    Return details about all Redis commands.",
    b"COUNT",
    b"    Return the total number of commands in this Redis server.",
    b"LIST",
    b"    Return a list of all commands in this Redis server.",
    b"INFO [<command-name> ...]",
    b"    Return details about multiple Redis commands.",
    b"    If no command names are given, documentation details for all",
    b"    commands are returned.",
    b"DOCS [<command-name> ...]",
    b"    Return documentation details about multiple Redis commands.",
    b"    If no command names are given, documentation details for all",
    b"    commands are returned.",
    b"GETKEYS <full-command>",
    b"    Return the keys from a full Redis command.",
    b"GETKEYSANDFLAGS <full-command>",
    b"    Return the keys and the access flags from a full Redis command.",
]


def _served(cmd) -> bool:
    """A command fastkv really serves: a handler, or a served subcommand."""
    if cmd.has_handler:
        return True
    return bool(cmd.subcommands) and any(s.has_handler for s in cmd.subcommands.values())


def _commands(srv):
    return [cmd for cmd in srv.command_objects.values() if _served(cmd)]


def _subcommands(cmd):
    if not cmd.subcommands:
        return []
    return sorted((s for s in cmd.subcommands.values() if s.has_handler), key=lambda s: s.name)


def _entry(cmd) -> dict:
    """The command's metadata with only the subcommands fastkv serves."""
    entry = cmd.meta
    subs = _subcommands(cmd)
    if not subs and not entry["subcommands"]:
        return entry
    e = dict(entry)
    e["subcommands"] = {s.name.decode(): _entry(s) for s in subs}
    return e


def _cmd_info(st, cmd):
    key = ("info", cmd.name)
    v = st.cmd_cache.get(key)
    if v is None:
        v = st.cmd_cache[key] = meta.command_info(cmd.name.decode(), _entry(cmd))
    return v


def _cmd_docs(st, cmd):
    key = ("docs", cmd.name)
    v = st.cmd_cache.get(key)
    if v is None:
        v = st.cmd_cache[key] = meta.command_docs(_entry(cmd))
    return v


def _lookup_by_name(srv, name: bytes):
    """lookupCommandBySds(): "get" or "config|get" (strict), served commands only."""
    parts = name.lower().split(b"|")
    if len(parts) > 2:
        return None
    cmd = srv.command_objects.get(parts[0])
    if cmd is None or not _served(cmd):
        return None
    if len(parts) == 1:
        return cmd
    sub = (cmd.subcommands or {}).get(parts[1])
    return sub if sub is not None and sub.has_handler else None


def _lookup_argv(srv, args):
    """lookupCommand() on a command line (not strict): the subcommand when
    the command is a container and a second argument is given."""
    cmd = srv.command_objects.get(args[0].lower())
    if cmd is None or not _served(cmd):
        return None
    if len(args) == 1 or not cmd.subcommands:
        return cmd
    sub = cmd.subcommands.get(args[1].lower())
    return sub if sub is not None and sub.has_handler else None


def command_cmd(c, argv):
    st = state_of(c.srv)
    cmds = _commands(c.srv)
    c.reply_array_len(len(cmds))
    for cmd in cmds:
        c.reply(_cmd_info(st, cmd))


def command_count_cmd(c, argv):
    c.reply_int(len(_commands(c.srv)))


def _acl_category_matches(cmd, cat: str) -> bool:
    return ("@" + cat.lower()) in cmd.meta["acl_categories"]


def command_list_cmd(c, argv):
    ftype = farg = None
    i = 2
    while i < len(argv):
        more = len(argv) - 1 - i
        if argv[i].lower() == b"filterby" and more == 2:
            ftype = argv[i + 1].lower()
            if ftype not in (b"module", b"aclcat", b"pattern"):
                raise ReplyError(SYNTAX_ERROR)
            farg = argv[i + 2]
            i += 3
        else:
            raise ReplyError(SYNTAX_ERROR)
    names = []

    def keep(cmd):
        if ftype is None:
            return True
        if ftype == b"module":
            return False                       # no module commands in fastkv
        if ftype == b"aclcat":
            return _acl_category_matches(cmd, farg.decode("latin-1"))
        return stringmatch(farg, cmd.name, True)

    for cmd in _commands(c.srv):
        if keep(cmd):
            names.append(cmd.name)
        for sub in _subcommands(cmd):
            if keep(sub):
                names.append(sub.name)
    c.reply_array_len(len(names))
    for n in names:
        c.reply_bulk(n)


def command_info_cmd(c, argv):
    st = state_of(c.srv)
    if len(argv) == 2:
        return command_cmd(c, argv)
    c.reply_array_len(len(argv) - 2)
    for name in argv[2:]:
        cmd = _lookup_by_name(c.srv, name)
        if cmd is None:
            c.reply_null()
        else:
            c.reply(_cmd_info(st, cmd))


def command_docs_cmd(c, argv):
    st = state_of(c.srv)
    if len(argv) == 2:
        cmds = _commands(c.srv)
    else:
        cmds = [x for x in (_lookup_by_name(c.srv, n) for n in argv[2:]) if x is not None]
    c.reply_map_len(len(cmds))
    for cmd in cmds:
        c.reply_bulk(cmd.name)
        c.reply(_cmd_docs(st, cmd))


# --------------------------------------------------------------------------
# key extraction (getKeysFromCommandWithSpecs and the getkeys procs)
# --------------------------------------------------------------------------

# key flags of the native getkeys functions (Redis's CMD_KEY_* names, in
# the order addReplyFlagsForKeyArgs prints them)
_KF_RW_ACCESS_UPDATE = ["RW", "access", "update"]
_KF_OW_UPDATE = ["OW", "update"]
_KF_RO_ACCESS = ["RO", "access"]
_KF_RW_ACCESS_DELETE = ["RW", "access", "delete"]


def _generic_getkeys(store_ofs, count_ofs, first_ofs, step):
    def fn(argv):
        num = _atoi(argv[count_ofs]) if count_ofs < len(argv) else 0
        if num < 1 or num > (len(argv) - first_ofs) // step:
            return []
        keys = [(first_ofs + i * step, []) for i in range(num)]
        if store_ofs:
            keys.append((store_ofs, []))
        return keys
    return fn


def _atoi(b: bytes) -> int:
    """C atoi(): leading spaces, optional sign, digits; 0 if none."""
    s = b.lstrip(b" \t\n\v\f\r")
    sign = 1
    if s[:1] in (b"+", b"-"):
        sign = -1 if s[:1] == b"-" else 1
        s = s[1:]
    n = 0
    for ch in s:
        if 48 <= ch <= 57:
            n = n * 10 + ch - 48
        else:
            break
    n *= sign
    return ((n + (1 << 31)) % (1 << 32)) - (1 << 31)


def _set_getkeys(argv):
    for a in argv[3:]:
        if a.lower() == b"get":
            return [(1, _KF_RW_ACCESS_UPDATE)]
    return [(1, _KF_OW_UPDATE)]


def _bitfield_getkeys(argv):
    readonly = True
    i = 2
    while i < len(argv):
        rem = len(argv) - i - 1
        a = argv[i].lower()
        if a == b"get" and rem >= 2:
            i += 3
        elif a in (b"set", b"incrby") and rem >= 3:
            readonly = False
            break
        elif a == b"overflow" and rem >= 1:
            i += 2
        else:
            readonly = False
            break
    return [(1, _KF_RO_ACCESS if readonly else _KF_RW_ACCESS_UPDATE)]


def _sort_getkeys(argv):
    keys = [(1, _KF_RO_ACCESS)]
    store = None
    skips = {b"limit": 2, b"get": 1, b"by": 1}
    i = 2
    while i < len(argv):
        a = argv[i].lower()
        if a in skips:
            i += skips[a]
        elif a == b"store" and i + 1 < len(argv):
            store = (i + 1, _KF_OW_UPDATE)
        i += 1
    return keys + ([store] if store else [])


def _sort_ro_getkeys(argv):
    return [(1, _KF_RO_ACCESS)]


def _xread_getkeys(argv):
    streams = -1
    i = 1
    while i < len(argv):
        a = argv[i].lower()
        if a in (b"block", b"count"):
            i += 1
        elif a == b"group":
            i += 2
        elif a == b"noack":
            pass
        elif a == b"streams":
            streams = i
            break
        else:
            break
        i += 1
    num = len(argv) - streams - 1 if streams != -1 else 0
    if streams == -1 or num == 0 or num % 2:
        return []
    return [(i, []) for i in range(streams + 1, len(argv) - num // 2)]


def _georadius_getkeys(argv):
    stored = -1
    i = 5
    while i < len(argv):
        if argv[i].lower() in (b"store", b"storedist") and i + 1 < len(argv):
            stored = i + 1
            i += 1
        i += 1
    return [(1, [])] + ([(stored, [])] if stored != -1 else [])


def _migrate_getkeys(argv):
    first, num = 3, 1
    if len(argv) > 6:
        skips = {b"copy": 0, b"replace": 0, b"auth": 1, b"auth2": 2}
        i = 6
        while i < len(argv):
            a = argv[i].lower()
            if a == b"keys":
                if argv[3]:
                    num = 0
                else:
                    first, num = i + 1, len(argv) - i - 1
                break
            i += skips.get(a, 0) + 1
    return [(first + i, _KF_RW_ACCESS_DELETE) for i in range(num)]


# Redis's getkeys_proc functions (used when the key specs can't answer).
NATIVE_GETKEYS = {
    b"set": _set_getkeys,
    b"bitfield": _bitfield_getkeys,
    b"sort": _sort_getkeys,
    b"sort_ro": _sort_ro_getkeys,
    b"migrate": _migrate_getkeys,
    b"georadius": _georadius_getkeys,
    b"georadiusbymember": _georadius_getkeys,
    b"xread": _xread_getkeys,
    b"xreadgroup": _xread_getkeys,
    b"zunion": _generic_getkeys(0, 1, 2, 1),
    b"zinter": _generic_getkeys(0, 1, 2, 1),
    b"zdiff": _generic_getkeys(0, 1, 2, 1),
    b"zintercard": _generic_getkeys(0, 1, 2, 1),
    b"zunionstore": _generic_getkeys(1, 2, 3, 1),
    b"zinterstore": _generic_getkeys(1, 2, 3, 1),
    b"zdiffstore": _generic_getkeys(1, 2, 3, 1),
    b"sintercard": _generic_getkeys(0, 1, 2, 1),
    b"eval": _generic_getkeys(0, 2, 3, 1),
    b"evalsha": _generic_getkeys(0, 2, 3, 1),
    b"eval_ro": _generic_getkeys(0, 2, 3, 1),
    b"evalsha_ro": _generic_getkeys(0, 2, 3, 1),
    b"fcall": _generic_getkeys(0, 2, 3, 1),
    b"fcall_ro": _generic_getkeys(0, 2, 3, 1),
    b"lmpop": _generic_getkeys(0, 1, 2, 1),
    b"blmpop": _generic_getkeys(0, 2, 3, 1),
    b"zmpop": _generic_getkeys(0, 1, 2, 1),
    b"bzmpop": _generic_getkeys(0, 2, 3, 1),
}


def _keys_from_specs(cmd, argv):
    """getKeysUsingKeySpecs(): [(pos, flags)] or None for an invalid spec."""
    argc = len(argv)
    keys = []
    for spec in cmd.meta["key_specs"]:
        flags = spec["flags"]
        if "not_key" in flags:
            continue
        bs, fk = spec["begin_search"], spec["find_keys"]
        if bs["type"] == "index":
            first = bs["spec"]["index"]
        elif bs["type"] == "keyword":
            kw = bs["spec"]["keyword"].lower().encode()
            startfrom = bs["spec"]["startfrom"]
            start = startfrom if startfrom > 0 else argc + startfrom
            end = argc - 1 if startfrom > 0 else 1
            first = 0
            i = start
            while i != end:
                if i >= argc or i < 1:
                    break
                if argv[i].lower() == kw:
                    first = i + 1
                    break
                i = i + 1 if start <= end else i - 1
            if not first:
                continue
        else:
            return None
        if fk["type"] == "range":
            step = fk["spec"]["keystep"]
            lastkey, limit = fk["spec"]["lastkey"], fk["spec"]["limit"]
            if lastkey >= 0:
                last = first + lastkey
            elif not limit:
                last = argc + lastkey
            else:
                last = first + ((argc - first) // limit + lastkey)
        elif fk["type"] == "keynum":
            step = fk["spec"]["keystep"]
            idx = first + fk["spec"]["keynumidx"]
            if idx >= argc:
                return None
            numkeys = to_ll(argv[idx])
            if numkeys is None or numkeys < 0:
                return None
            first += fk["spec"]["firstkey"]
            last = first + numkeys - 1
        else:
            return None
        if last >= argc or last < first or first >= argc:
            return None
        i = first
        while i <= last:
            keys.append((i, flags))
            i += step
        if "incomplete" in flags:
            return None
    return keys


def get_keys(cmd, argv):
    """getKeysFromCommandWithSpecs(): [(position, key flags)] of a command line."""
    specs = cmd.meta["key_specs"]
    has_keyspec = any("not_key" not in s["flags"] for s in specs)
    has_varflags = any("variable_flags" in s["flags"] for s in specs)
    if has_keyspec and not has_varflags:
        keys = _keys_from_specs(cmd, argv)
        if keys is not None:
            return keys
    native = NATIVE_GETKEYS.get(cmd.name)
    return native(argv) if native is not None else []


def _getkeys(c, argv, with_flags):
    args = argv[2:]
    cmd = _lookup_argv(c.srv, args)
    if cmd is None:
        raise ReplyError("ERR Invalid command specified")
    specs = cmd.meta["key_specs"]
    if cmd.name not in NATIVE_GETKEYS and not any("not_key" not in s["flags"] for s in specs):
        raise ReplyError("ERR The command has no key arguments")
    if (cmd.arity > 0 and cmd.arity != len(args)) or len(args) < -cmd.arity:
        raise ReplyError("ERR Invalid number of arguments specified for command")
    keys = get_keys(cmd, args)
    if not keys:
        if "no_mandatory_keys" in cmd.meta["flags"]:
            c.reply_array_len(0)
            return
        raise ReplyError("ERR Invalid arguments specified for command")
    c.reply_array_len(len(keys))
    for pos, flags in keys:
        if with_flags:
            c.reply_array_len(2)
            c.reply_bulk(args[pos])
            c.reply(meta.RSet(meta.RStatus(f) for f in flags))
        else:
            c.reply_bulk(args[pos])


def command_getkeys_cmd(c, argv):
    _getkeys(c, argv, False)


def command_getkeysandflags_cmd(c, argv):
    _getkeys(c, argv, True)


command_help_cmd = help_handler(COMMAND_HELP)
