# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""EVAL EVALSHA EVAL_RO EVALSHA_RO and SCRIPT, as Redis 7.0 runs them
(eval.c, script.c; the Lua side is csrc/lua/fk_script_lua.c).

    EVAL --> sha1 --> stored function (compiled once, kept in the Lua registry)
         --> fk_script_run: KEYS/ARGV, pcall with the message handler
               redis.call (C) --> script_call (here) --> the lua client's call()
                   argv: pointers to the Lua strings on the Lua stack
                   reply: the lua client's reply buffer parsed into Lua values (C)
         --> the Lua result converted to RESP (C) --> the caller's reply buffer

The lua client is Redis's lctx.lua_client: one Client without a connection,
in the caller's db when a script starts (SELECT in a script moves only it),
running commands through the same call() as every client, so their writes
take the ordinary write path (dirty, keyspace events, WATCH, command stats).

Busy scripts (script.c scriptInterrupt): the Lua count hook calls
script_interrupt every 100000 instructions.  Past busy-reply-threshold the
server answers the other clients by hand, as processEventsWhileBlocked does:
their sockets are polled and read here, their input runs with the dispatcher
in busy mode (only allow-busy commands run; the rest get -BUSY), and replies
are written straight to the sockets.  SCRIPT KILL sets kill_requested, which
the hook turns into the script's error; SHUTDOWN NOSAVE exits the process.
"""
from libc.stdio cimport snprintf
from libc.stdlib cimport malloc, realloc, free
from libc.string cimport memcpy
from cpython.bytes cimport PyBytes_FromStringAndSize
from fastkv._core.cdefs cimport fk_dict_find, fk_entry, fk_mstime, fk_stringmatchlen
from fastkv._core.client cimport (Client, Command, ServerState, wrap, CMD_WRITE, CMD_NOSCRIPT,
                                  CF_IN_EXEC, CF_SCRIPT)
from fastkv._core.keyspace cimport Keyspace
from fastkv._core.shared cimport attach
from fastkv._core.tracking cimport remember_script_keys
from fastkv.commands.common cimport arg_eq, arg_ll

attach()

import os
import select

from fastkv import log as _log
from fastkv._core import client as _client_mod


cdef extern from "lua/fk_script_lua.h":
    ctypedef struct lua_State:
        pass
    ctypedef struct fk_luabuf:
        char *p
        size_t len
        size_t cap
    ctypedef struct fk_script_callbacks:
        int (*call)(lua_State *L) noexcept
        int (*interrupt)(lua_State *L) noexcept
        void (*log)(int level, const char *msg, size_t n) noexcept
        int (*acl_check)(lua_State *L) noexcept
    fk_script_callbacks fk_script_cb
    int fk_script_resp
    int fk_script_repl
    int fk_script_verbosity
    long long FK_SCRIPT_FLAG_NO_WRITES
    long long FK_SCRIPT_FLAG_ALLOW_OOM
    long long FK_SCRIPT_FLAG_ALLOW_STALE
    long long FK_SCRIPT_FLAG_NO_CLUSTER
    long long FK_SCRIPT_FLAG_EVAL_COMPAT_MODE
    long long FK_SCRIPT_FLAG_ALLOW_CROSS_SLOT

    lua_State *fk_script_lua_create()
    int fk_script_create(lua_State *L, const char *sha, const char *body, size_t n, long long flags,
                         char **err)
    long long fk_script_flags(lua_State *L, const char *sha)
    lua_State *fk_script_reset(lua_State *L)
    int fk_script_run(lua_State *L, const char *sha, int nkeys, const char **keys,
                      const size_t *keylens, int nargs, const char **args, const size_t *arglens,
                      int caller_resp, int hook, fk_luabuf *out)
    void fk_script_push_error(lua_State *L, const char *msg, size_t n, int ignore_stats)
    int fk_script_push_reply(lua_State *L, const char *p, size_t n)
    void fk_sha1hex(char *out40, const char *p, size_t n)
    size_t fk_script_lua_memory(lua_State *L)
    lua_State *fk_function_lua_create()
    int fk_function_load(lua_State *L, const char *code, size_t n, fk_luabuf *err)
    int fk_function_pending(lua_State *L, int i, const char **name, size_t *nl, long long *flags,
                            const char **desc, size_t *dl)
    void fk_function_commit(lua_State *L, int i)
    void fk_function_remove(lua_State *L, const char *name, size_t n)
    void fk_function_clear_pending(lua_State *L)
    int fk_function_run(lua_State *L, const char *name, size_t n, int nkeys, const char **keys,
                        const size_t *keylens, int nargs, const char **args, const size_t *arglens,
                        int caller_resp, int hook, fk_luabuf *out)

cdef extern from "lua/fk_lua51.h":
    enum:
        LUA_TNUMBER
        LUA_TSTRING
    int lua_gettop(lua_State *L)
    void lua_settop(lua_State *L, int idx)
    int lua_type(lua_State *L, int idx)
    double lua_tonumber(lua_State *L, int idx)
    const char *lua_tolstring(lua_State *L, int idx, size_t *n)
    void lua_pushlstring(lua_State *L, const char *s, size_t n)
    void lua_replace(lua_State *L, int idx)


cdef enum:
    MAX_NAME = 64

NOSCRIPT_ERR = "NOSCRIPT No matching script. Please use EVAL."
BUSY_ERR = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
BUSY_FUNCTION_ERR = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."

SCRIPT_HELP = [
    "DEBUG (YES|SYNC|NO)",
    "    Set the debug mode for subsequent scripts executed.",
    "EXISTS <sha1> [<sha1> ...]",
    "    Return information about the existence of the scripts in the script cache.",
    "FLUSH [ASYNC|SYNC]",
    "    Flush the Lua scripts cache. Very dangerous on replicas.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the scripts cache.",
    "    * SYNC: Synchronously flush the scripts cache.",
    "KILL",
    "    Kill the currently executing Lua script.",
    "LOAD <script>",
    "    Load a script into the scripts cache without executing it.",
]

# Redis's scripts_flags_def: shebang flag name -> bit
SHEBANG_FLAGS = {
    b"no-writes": FK_SCRIPT_FLAG_NO_WRITES,
    b"allow-oom": FK_SCRIPT_FLAG_ALLOW_OOM,
    b"allow-stale": FK_SCRIPT_FLAG_ALLOW_STALE,
    b"no-cluster": FK_SCRIPT_FLAG_NO_CLUSTER,
    b"allow-cross-slot-keys": FK_SCRIPT_FLAG_ALLOW_CROSS_SLOT,
}


# ------------------------------------------------------------------ state
cdef lua_State *L = NULL
cdef ServerState g_srv = None
cdef Client lua_client = None
cdef Client cur_caller = None      # the client running a script, None between scripts
cdef bint cur_readonly = False     # EVAL_RO or a no-writes script
cdef bint cur_wrote = False        # a write command ran (SCRIPT KILL refuses then)
cdef bint timed_out = False        # past busy-reply-threshold: the server is busy
cdef bint kill_requested = False
cdef long long run_start_ms = 0
cdef char cur_label[128]            # the running script's sha or function name
cdef Py_ssize_t cur_label_len = 0
cdef dict scripts = {}             # sha (bytes) -> body (bytes): the script cache
cdef long long scripts_mem = 0
cdef fk_luabuf outbuf
cdef const char **vptr = NULL      # KEYS/ARGV pointers and lengths, reused
cdef size_t *vlen = NULL
cdef int vcap = 0
cdef char numbuf[64]
cdef object poller = None
cdef bint cur_is_eval = True       # the running script is an EVAL (else a function)
cdef lua_State *FL = NULL          # the functions' Lua state
cdef dict libraries = {}           # name -> {"code": bytes, "functions": {fname: (flags, desc)}}
cdef dict functions = {}           # fname -> (library name, flags)


cdef int ensure_init(ServerState srv) except -1:
    global L, g_srv, lua_client
    if L != NULL:
        return 0
    L = fk_script_lua_create()
    if L == NULL:
        raise MemoryError()
    g_srv = srv
    lua_client = Client(srv)
    lua_client.flags |= CF_IN_EXEC | CF_SCRIPT     # CLIENT_DENY_BLOCKING, CLIENT_SCRIPT
    lua_client.name = None
    fk_script_cb.call = script_call
    fk_script_cb.interrupt = script_interrupt
    fk_script_cb.log = script_log
    fk_script_cb.acl_check = script_acl_check
    fk_script_verbosity = 0             # fastkv.log filters by loglevel
    return 0


# ------------------------------------------------------- redis.call / pcall
cdef int push_err(lua_State *L, str msg, Command cmd=None) except -1:
    """An error of scriptCall's checks: counted once now (and the command's
    rejected_calls), pushed as an error table the script's reply won't count."""
    cdef bytes b = msg.encode()
    g_srv.count_error(b"ERR " + b)
    g_srv.prev_err_count = g_srv.total_error_replies
    if cmd is not None:
        cmd.rejected_calls += 1
    fk_script_push_error(L, b, len(b), 1)
    return 1

cdef int script_call(lua_State *L) noexcept:
    try:
        return script_call_impl(L)
    except BaseException as exc:
        try:
            lua_settop(L, 0)
            push_err(L, "internal error in redis.call: %s" % (exc,))
        except BaseException:
            pass
        return 1

cdef int script_call_impl(lua_State *L) except -1:
    global cur_wrote
    cdef int argc = lua_gettop(L), j, t, k
    cdef Client lc = lua_client
    cdef size_t n
    cdef const char *p
    cdef char name[MAX_NAME]
    cdef fk_entry *e
    cdef Command cmd
    cdef Command sub
    if argc == 0:
        fk_script_push_error(L, b"Please specify at least one argument for this redis lib call", 60, 0)
        return 1
    lc.ensure_argv(argc)
    for j in range(argc):
        t = lua_type(L, j + 1)
        if t == LUA_TNUMBER:
            # not lua_tolstring: Lua's "%.14g" loses precision
            k = snprintf(numbuf, sizeof(numbuf), "%.17g", lua_tonumber(L, j + 1))
            lua_pushlstring(L, numbuf, k)
            lua_replace(L, j + 1)
        elif t != LUA_TSTRING:
            lua_settop(L, 0)
            fk_script_push_error(L, b"Lua redis lib command arguments must be strings or integers", 59, 0)
            return 1
        p = lua_tolstring(L, j + 1, &n)
        lc.argv[j].p = p            # valid while the strings stay on the Lua stack
        lc.argv[j].n = <Py_ssize_t>n
    lc.argc = argc
    # scriptCall: lookup, arity, noscript, read-only
    e = NULL
    n = <size_t>lc.argv[0].n
    if n < MAX_NAME:
        p = lc.argv[0].p
        for j in range(<int>n):
            name[j] = p[j] + 32 if c'A' <= p[j] <= c'Z' else p[j]
        e = fk_dict_find(g_srv.commands, name, n)
    if e == NULL:
        return push_err(L, "Unknown Redis command called from script")
    cmd = <Command>e.v.ptr
    if cmd.subcommands is not None and argc >= 2:
        sub = cmd.subcommands.get(lc.arg(1).lower())
        if sub is None:
            return push_err(L, "Unknown Redis command called from script")
        cmd = sub
    if (cmd.arity > 0 and argc != cmd.arity) or argc < -cmd.arity:
        return push_err(L, "Wrong number of args calling Redis command from script", cmd)
    if cmd.flags & CMD_NOSCRIPT:
        return push_err(L, "This Redis command is not allowed from script", cmd)
    if cmd.flags & CMD_WRITE:
        if cur_readonly:
            return push_err(L, "Write commands are not allowed from read-only scripts.", cmd)
        cur_wrote = True
    lc.resp = fk_script_resp
    lc.olen = 0
    lc.call(cmd)
    if cur_caller is not None and cur_caller.tracking is not None:
        remember_script_keys(cur_caller, lc, cmd)     # client tracking, as 7.0's call()
    k = fk_script_push_reply(L, lc.ob, <size_t>lc.olen)
    lc.olen = 0
    return k


cdef int script_acl_check(lua_State *L) noexcept:
    """redis.acl_check_cmd: the command must exist; every user may run
    everything (fastkv has the default user only)."""
    cdef int argc = lua_gettop(L)
    cdef size_t n
    cdef const char *p
    try:
        p = lua_tolstring(L, 1, &n)
        cmd = g_srv.command_objects.get(p[:n].lower())
        if cmd is None:
            return -1
        if (<Command>cmd).subcommands is not None and argc >= 2:
            p = lua_tolstring(L, 2, &n)
            if (<Command>cmd).subcommands.get(p[:n].lower()) is None:
                return -1
        return 1
    except BaseException:
        return -1


cdef void script_log(int level, const char *msg, size_t n) noexcept:
    try:
        _log.log(level, msg[:n].decode("utf-8", "replace"))
    except BaseException:
        pass


# ------------------------------------------------------------ busy scripts
cdef long long busy_threshold():
    server = g_srv.server if g_srv is not None else None
    if server is None:
        return 5000
    try:
        return server.config["busy-reply-threshold"]
    except Exception:
        return 5000


cdef int script_interrupt(lua_State *L) noexcept:
    global timed_out
    cdef long long thr, elapsed
    try:
        if kill_requested:
            return 1
        thr = busy_threshold()
        if thr <= 0:
            return 0
        elapsed = fk_mstime() - run_start_ms
        if elapsed < thr:
            return 0
        if not timed_out:
            timed_out = True
            _log.log(_log.WARNING, "Slow script detected: still in execution after %d milliseconds. "
                     "You can try killing the script using the %s command. Script name is: %s."
                     % (elapsed, "SCRIPT KILL" if cur_is_eval else "FUNCTION KILL",
                        cur_label[:cur_label_len].decode("utf-8", "replace")))
            _client_mod.set_script_busy(True, BUSY_ERR if cur_is_eval else BUSY_FUNCTION_ERR)
        process_events_while_blocked()
        return 1 if kill_requested else 0
    except BaseException:
        return 1 if kill_requested else 0


class _DirectWriter:
    """Stands in for a client's transport while the loop is blocked in a
    script: replies go straight to the socket (the loop would only send them
    after the script), unless the transport still holds earlier output."""

    def __init__(self, tr, fd):
        self.tr = tr
        self.fd = fd

    def write(self, data):
        n = 0
        if self.tr.get_write_buffer_size() == 0:
            try:
                n = os.write(self.fd, data)
            except (BlockingIOError, InterruptedError):
                n = 0
            except OSError:
                return
        if n < len(data):
            self.tr.write(data[n:])

    def __getattr__(self, name):
        return getattr(self.tr, name)


class _BusyTransport:
    """The transport of a connection accepted while the loop is blocked in a
    script: writes go to the socket; the loop takes the socket over after
    the script (connect_accepted_socket)."""

    def __init__(self, sock, addr, laddr):
        self.sock = sock
        self.addr = addr
        self.laddr = laddr

    def write(self, data):
        try:
            self.sock.sendall(data)
        except OSError:
            pass

    def get_write_buffer_size(self):
        return 0

    def get_extra_info(self, name, default=None):
        if name == "peername":
            return self.addr
        if name == "sockname":
            return self.laddr
        if name == "socket":
            return self.sock
        return default

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    abort = close

    def pause_reading(self):
        pass

    def resume_reading(self):
        pass


busy_accepted = []      # [(Client, socket)] accepted during the current busy time


cdef int accept_while_blocked() except -1:
    """New connections are accepted while busy too (Redis's event loop keeps
    accepting); they get a Client now and a real transport after."""
    cdef Client cl
    server = g_srv.server
    if server is None:
        return 0
    import socket as _socket
    for lst in list(getattr(server, "tcp_listeners", [])) + list(getattr(server, "unix_listeners", [])):
        for ls in getattr(lst, "sockets", None) or ():
            try:
                dup = _socket.socket(fileno=os.dup(ls.fileno()))
            except OSError:
                continue
            try:
                dup.setblocking(False)
                while True:
                    try:
                        conn, addr = dup.accept()
                    except (BlockingIOError, InterruptedError, OSError):
                        break
                    conn.setblocking(True)
                    conn.settimeout(1.0)
                    cl = Client(g_srv)
                    try:
                        laddr = conn.getsockname()
                    except OSError:
                        laddr = None
                    cl.transport = _BusyTransport(conn, addr, laddr)
                    cl.addr = addr
                    cl.laddr = laddr
                    busy_accepted.append((cl, conn))
            finally:
                try:
                    os.close(dup.detach())      # the dup only; the listener stays
                except OSError:
                    pass
    return 0


cdef int hand_over_accepted() except -1:
    """After the busy time: the loop takes the connections accepted meanwhile."""
    import asyncio
    global busy_accepted
    items, busy_accepted = busy_accepted, []
    if not items:
        return 0
    loop = asyncio.get_event_loop()
    for cl, conn in items:
        cl.transport = None
        conn.settimeout(None)
        conn.setblocking(False)
        loop.create_task(loop.connect_accepted_socket(lambda cl=cl: cl, conn))
    return 0


cdef int process_events_while_blocked() except -1:
    """Read what the other clients sent and answer it (busy mode)."""
    cdef Client cl
    global poller
    accept_while_blocked()
    fds = {}
    for cl, conn in busy_accepted:
        if cl.transport is not None:
            fds[conn.fileno()] = cl
    for cl in list(g_srv.clients.values()):
        if cl is cur_caller or cl.transport is None or (cl.flags & 0x80):   # CF_CLOSED
            continue
        try:
            sock = cl.transport.get_extra_info("socket")
            fd = sock.fileno()
        except Exception:
            continue
        if fd >= 0:
            fds[fd] = cl
    if not fds:
        return 0
    poller = select.poll()
    for fd in fds:
        poller.register(fd, select.POLLIN)
    for fd, ev in poller.poll(0):
        cl = fds.get(fd)
        if cl is None:
            continue
        try:
            data = os.read(fd, 65536)
        except (BlockingIOError, InterruptedError):
            continue
        except OSError:
            continue
        if not data:
            continue        # EOF: the loop sees it after the script
        tr = cl.transport
        if not isinstance(tr, _BusyTransport):
            cl.transport = _DirectWriter(tr, fd)
        try:
            cl.data_received(data)
        finally:
            if cl.transport is not None:
                cl.transport = tr
        server = g_srv.server
        if server is not None and getattr(server, "shutdown_asked", False):
            # SHUTDOWN NOSAVE while a script runs: there is no way back to
            # the loop, exit here as Redis does.
            _log.log(_log.WARNING, "fastkv is now ready to exit, bye bye...")
            os._exit(0)
    return 0


# ------------------------------------------------------------------ EVAL
cdef int grow_vec(int n) except -1:
    global vptr, vlen, vcap
    cdef int cap
    if n <= vcap:
        return 0
    cap = vcap * 2 if vcap else 16
    while cap < n:
        cap *= 2
    vptr = <const char **>realloc(vptr, sizeof(char *) * cap)
    vlen = <size_t *>realloc(vlen, sizeof(size_t) * cap)
    if vptr == NULL or vlen == NULL:
        raise MemoryError()
    vcap = cap
    return 0


cdef long long parse_shebang(Client c, const char *body, Py_ssize_t n, Py_ssize_t *skip) except -2:
    """luaCreateFunction's shebang handling: the flags, or -1 after replying
    an error.  *skip = length of the shebang line (the body runs without it,
    its newline kept so that line numbers stay right)."""
    cdef bytes b
    cdef long long flags = 0
    skip[0] = 0
    if n < 2 or body[0] != b'#' or body[1] != b'!':
        return FK_SCRIPT_FLAG_EVAL_COMPAT_MODE
    b = body[:n]
    nl = b.find(b"\n")
    if nl < 0:
        nl = len(b)     # (Redis would read past the end: take the whole body)
    skip[0] = nl
    parts = [x for x in b[:nl].split(b" ") if x]
    if not parts:
        c.add_error_str("ERR Invalid engine in script shebang")
        return -1
    if parts[0] != b"#!lua":
        c.add_error_str("ERR Unexpected engine in script shebang: %s" % parts[0].decode("utf-8", "replace"))
        return -1
    for part in parts[1:]:
        if part.startswith(b"flags="):
            for f in part[6:].split(b","):
                if not f:
                    continue
                bit = SHEBANG_FLAGS.get(f)
                if bit is None:
                    c.add_error_str("ERR Unexpected flag in script shebang: %s" % f.decode("utf-8", "replace"))
                    return -1
                flags |= bit
        else:
            c.add_error_str("ERR Unknown lua shebang option: %s" % part.decode("utf-8", "replace"))
            return -1
    return flags


cdef long long create_script(Client c, const char *sha, const char *body, Py_ssize_t n) except -2:
    """luaCreateFunction: compile and store; the flags, or -1 after replying."""
    global scripts_mem
    cdef Py_ssize_t skip
    cdef char *err = NULL
    cdef long long flags = parse_shebang(c, body, n, &skip)
    cdef bytes msg
    if flags < 0:
        return -1
    if fk_script_create(L, sha, body + skip, <size_t>(n - skip), flags, &err) != 0:
        msg = <bytes>err
        free(err)
        c.add_error_str("ERR Error compiling script (new function): " + msg.decode("utf-8", "replace").rstrip("\r\n"))
        return -1
    key = PyBytes_FromStringAndSize(sha, 40)
    scripts[key] = body[:n]
    scripts_mem += 40 + n
    return flags


def _repl_flags():
    return fk_script_repl


class _Collector:
    """Collects a script's propagated writes; replays them to the writers,
    in MULTI/EXEC when there is more than one."""

    def __init__(self):
        self.items = []

    def __call__(self, dbid, argv):
        if _repl_flags():           # redis.set_repl(redis.REPL_NONE) stops it
            self.items.append((dbid, argv))

    def replay(self, hook):
        items = self.items
        if hook is None or not items:
            return
        if len(items) > 1:
            hook(items[0][0], [b"MULTI"])
        for dbid, argv in items:
            hook(dbid, argv)
        if len(items) > 1:
            hook(items[-1][0], [b"EXEC"])


cdef int eval_generic(Client c, bint evalsha, bint ro) except -1:
    cdef long long numkeys, flags
    cdef char sha[41]
    cdef const char *p
    cdef int i
    if c.srv.monitors:
        # fed before the commands the script runs (EVAL is skip_monitor)
        c.feed_monitors()
    if not arg_ll(c, 2, &numkeys):
        return c.add_not_integer()
    if numkeys > c.argc - 3:
        return c.add_error_str("ERR Number of keys can't be greater than number of args")
    if numkeys < 0:
        return c.add_error_str("ERR Number of keys can't be negative")
    ensure_init(c.srv)
    if evalsha:
        if c.argv[1].n != 40:
            return c.add_error_str(NOSCRIPT_ERR)
        p = c.argv[1].p
        for i in range(40):
            sha[i] = p[i] + 32 if c'A' <= p[i] <= c'Z' else p[i]
    else:
        fk_sha1hex(sha, c.argv[1].p, <size_t>c.argv[1].n)
    sha[40] = 0
    flags = fk_script_flags(L, sha)
    if flags < 0:
        if evalsha:
            return c.add_error_str(NOSCRIPT_ERR)
        flags = create_script(c, sha, c.argv[1].p, c.argv[1].n)
        if flags < 0:
            return 0
    # scriptPrepareForRun
    if not (flags & FK_SCRIPT_FLAG_EVAL_COMPAT_MODE):
        if not (flags & FK_SCRIPT_FLAG_NO_WRITES) and ro:
            return c.add_error_str("ERR Can not execute a script with write flag using *_ro command.")
    return run_and_reply(c, True, sha, 40, numkeys, ro or (flags & FK_SCRIPT_FLAG_NO_WRITES) != 0)


cdef int run_and_reply(Client c, bint is_eval, const char *label, Py_ssize_t labellen,
                       long long numkeys, bint readonly) except -1:
    """Run the EVAL script (label = its sha) or the function (label = its
    name) with c's argv[3:] as keys and args; reply to c."""
    global cur_caller, cur_is_eval, cur_readonly, cur_wrote, timed_out, kill_requested, run_start_ms
    global cur_label_len
    cdef int i, nargs, rc
    cdef Keyspace ks = c.srv.keyspace
    if cur_caller is not None:
        # (cannot happen: EVAL/FCALL are noscript and other clients get BUSY)
        return c.add_error_str(BUSY_ERR)
    nargs = c.argc - 3 - <int>numkeys
    grow_vec(c.argc)
    for i in range(3, c.argc):
        vptr[i - 3] = c.argv[i].p
        vlen[i - 3] = <size_t>c.argv[i].n
    lua_client.db = c.db
    lua_client.resp = 2
    cur_caller = c
    cur_is_eval = is_eval
    cur_readonly = readonly
    cur_wrote = False
    timed_out = False
    kill_requested = False
    run_start_ms = fk_mstime()
    outbuf.len = 0
    writes = None
    if ks.propagating and not (c.flags & CF_IN_EXEC):
        # The script's effects reach the writers, wrapped in MULTI/EXEC when
        # there is more than one (7.0 propagatePendingCommands); the EVAL
        # itself is not propagated (client.pyx SCRIPT_COMMANDS).
        writes = _Collector()
        hook = ks.propagate_hook
        ks.propagate_hook = writes
    try:
        cur_label_len = labellen if labellen < 128 else 128
        memcpy(cur_label, label, cur_label_len)
        if is_eval:
            rc = fk_script_run(L, label, <int>numkeys, vptr, vlen, nargs, vptr + numkeys,
                               vlen + numkeys, c.resp, 1, &outbuf)
        else:
            rc = fk_function_run(FL, label, <size_t>labellen, <int>numkeys, vptr, vlen, nargs,
                                 vptr + numkeys, vlen + numkeys, c.resp, 1, &outbuf)
    finally:
        if writes is not None:
            ks.propagate_hook = hook
            writes.replay(hook)
        cur_caller = None
        if timed_out:
            timed_out = False
            _client_mod.set_script_busy(False)
            hand_over_accepted()
    if rc == 1:
        # an error reply: counted in the error stats (add_error)
        c.add_error(outbuf.p + 1, <Py_ssize_t>outbuf.len - 3)
    elif rc == 2:
        # an error some command already counted: the script still failed
        # (afterErrorReply with ERR_REPLY_FLAG_NO_STATS_UPDATE)
        c.add_raw(outbuf.p, <Py_ssize_t>outbuf.len)
        if c.cmd is not None:
            c.cmd.failed_calls += 1
    elif rc == 0:
        c.add_raw(outbuf.p, <Py_ssize_t>outbuf.len)
    else:
        c.add_error_str(NOSCRIPT_ERR if is_eval else "ERR Function not found")
    if outbuf.cap > 1024 * 1024:
        free(outbuf.p)
        outbuf.p = NULL
        outbuf.cap = 0
    outbuf.len = 0
    return 0


cdef int eval_impl(Client c) except -1:
    return eval_generic(c, False, False)

cdef int evalsha_impl(Client c) except -1:
    return eval_generic(c, True, False)

cdef int eval_ro_impl(Client c) except -1:
    return eval_generic(c, False, True)

cdef int evalsha_ro_impl(Client c) except -1:
    return eval_generic(c, True, True)


# ---------------------------------------------------------------- SCRIPT
cdef int script_load_impl(Client c) except -1:
    cdef char sha[41]
    cdef long long flags
    ensure_init(c.srv)
    fk_sha1hex(sha, c.argv[2].p, <size_t>c.argv[2].n)
    sha[40] = 0
    if fk_script_flags(L, sha) < 0:
        flags = create_script(c, sha, c.argv[2].p, c.argv[2].n)
        if flags < 0:
            return 0
    return c.add_bulk(sha, 40)


cdef int script_exists_impl(Client c) except -1:
    cdef int i
    ensure_init(c.srv)
    c.add_array_len(c.argc - 2)
    for i in range(2, c.argc):
        if c.argv[i].n == 40 and fk_script_flags(L, c.argv[i].p) >= 0:
            c.add_int(1)
        else:
            c.add_int(0)
    return 0


cdef int script_flush_impl(Client c) except -1:
    global scripts, scripts_mem, L
    if c.argc == 3 and (arg_eq(c, 2, b"sync", 4) or arg_eq(c, 2, b"async", 5)):
        pass
    elif c.argc != 2:
        return c.add_error_str("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
    ensure_init(c.srv)
    L = fk_script_reset(L)
    if L == NULL:
        raise MemoryError()
    scripts = {}
    scripts_mem = 0
    return c.add_ok()


cdef int script_kill(Client c, bint is_eval) except -1:
    """scriptKill(c, is_eval): SCRIPT KILL kills EVAL scripts, FUNCTION KILL functions."""
    global kill_requested
    if cur_caller is None:
        return c.add_error_str("NOTBUSY No scripts in execution right now.")
    if cur_wrote:
        return c.add_error_str("UNKILLABLE Sorry the script already executed write commands against "
                               "the dataset. You can either wait the script termination or kill the "
                               "server in a hard way using the SHUTDOWN NOSAVE command.")
    if is_eval and not cur_is_eval:
        return c.add_error_str(BUSY_FUNCTION_ERR)
    if not is_eval and cur_is_eval:
        return c.add_error_str(BUSY_ERR)
    kill_requested = True
    return c.add_ok()


cdef int script_kill_impl(Client c) except -1:
    return script_kill(c, True)


def script_help(c, argv):
    from fastkv.commands.util import reply_help
    reply_help(c, argv, SCRIPT_HELP)


# -------------------------------------------------------------- FUNCTION
FUNCTION_HELP = [
    "LOAD [REPLACE] <FUNCTION CODE>",
    "    Create a new library with the given library name and code.",
    "DELETE <LIBRARY NAME>",
    "    Delete the given library.",
    "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
    "    Return general information on all the libraries:",
    "    * Library name",
    "    * The engine used to run the Library",
    "    * Library description",
    "    * Functions list",
    "    * Library code (if WITHCODE is given)",
    "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
    "STATS",
    "    Return information about the current function running:",
    "    * Function name",
    "    * Command used to run the function",
    "    * Duration in MS that the function is running",
    "    If no function is running, return nil",
    "    In addition, returns a list of available engines.",
    "KILL",
    "    Kill the current running function.",
    "FLUSH [ASYNC|SYNC]",
    "    Delete all the libraries.",
    "    When called without the optional mode argument, the behavior is determined by the",
    "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
    "    * ASYNC: Asynchronously flush the libraries.",
    "    * SYNC: Synchronously flush the libraries.",
    "DUMP",
    "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
    "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
    "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
    "    control how to handle existing libraries (default APPEND):",
    "    * FLUSH: delete all existing libraries.",
    "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
    "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
    "      libraries with the new libraries (notice that even on this option there is a chance of failure",
    "      in case of functions name collision with another library).",
]

FLAG_NAMES = [(FK_SCRIPT_FLAG_NO_WRITES, b"no-writes"), (FK_SCRIPT_FLAG_ALLOW_OOM, b"allow-oom"),
              (FK_SCRIPT_FLAG_ALLOW_STALE, b"allow-stale"), (FK_SCRIPT_FLAG_NO_CLUSTER, b"no-cluster"),
              (FK_SCRIPT_FLAG_ALLOW_CROSS_SLOT, b"allow-cross-slot-keys")]


cdef int ensure_functions(ServerState srv) except -1:
    global FL
    ensure_init(srv)
    if FL == NULL:
        FL = fk_function_lua_create()
        if FL == NULL:
            raise MemoryError()
    return 0


def _valid_name(bytes b):
    if not b:
        return False
    for ch in b:
        if not (48 <= ch <= 57 or 65 <= ch <= 90 or 97 <= ch <= 122 or ch == 95):
            return False
    return True


def function_load_cmd(c, argv):
    """FUNCTION LOAD [REPLACE] code."""
    from fastkv._core.client import ReplyError
    replace = False
    pos = 2
    while pos < len(argv) - 1:
        if argv[pos].lower() == b"replace":
            replace = True
        else:
            raise ReplyError("ERR Unknown option given: %s" % argv[pos].decode("utf-8", "replace"))
        pos += 1
    if pos >= len(argv):
        raise ReplyError("ERR Function code was not given")
    ensure_functions((<Client>c).srv)
    c.reply_bulk(load_library(argv[pos], replace))


def load_library(bytes code, bint replace):
    """functionsCreateWithLibraryCtx: the library's name, or ReplyError."""
    from fastkv._core.client import ReplyError
    cdef fk_luabuf err
    cdef int n, i
    cdef const char *name
    cdef const char *desc
    cdef size_t nl, dl
    cdef long long flags
    if not code.startswith(b"#!"):
        raise ReplyError("ERR Missing library metadata")
    nl_pos = code.find(b"\n")
    if nl_pos < 0:
        raise ReplyError("ERR Invalid library metadata")
    parts = [x for x in code[:nl_pos].split(b" ") if x]
    engine = parts[0][2:]
    libname = None
    for part in parts[1:]:
        if part.startswith(b"name="):
            libname = part[5:]
        else:
            raise ReplyError("ERR Invalid metadata value given: %s" % part.decode("utf-8", "replace"))
    if libname is None:
        raise ReplyError("ERR Library name was not given")
    if engine.upper() != b"LUA":
        raise ReplyError("ERR Engine '%s' not found" % engine.decode("utf-8", "replace"))
    if not _valid_name(libname):
        raise ReplyError("ERR Library names can only contain letters, numbers, or underscores(_) "
                         "and must be at least one character long")
    old = libraries.get(libname)
    if old is not None and not replace:
        raise ReplyError("ERR Library '%s' already exists" % libname.decode("utf-8", "replace"))
    err.p = NULL
    err.len = err.cap = 0
    body = code[nl_pos:]
    n = fk_function_load(FL, body, len(body), &err)
    if n < 0:
        msg = err.p[:err.len].decode("utf-8", "replace")
        free(err.p)
        fk_function_clear_pending(FL)
        raise ReplyError(msg)
    if n == 0:
        fk_function_clear_pending(FL)
        raise ReplyError("ERR No functions registered")
    new_funcs = {}
    for i in range(1, n + 1):
        fk_function_pending(FL, i, &name, &nl, &flags, &desc, &dl)
        fname = name[:nl]
        owner = functions.get(fname.lower())
        if owner is not None and owner[0] != libname:
            fk_function_clear_pending(FL)
            raise ReplyError("ERR Function %s already exists" % fname.decode("utf-8", "replace"))
        new_funcs[fname] = (flags, desc[:dl] if desc != NULL else None)
    if old is not None:
        for fname in old["functions"]:
            fk_function_remove(FL, fname, len(fname))
            functions.pop(fname.lower(), None)
    for i in range(1, n + 1):
        fk_function_commit(FL, i)
    fk_function_clear_pending(FL)
    for fname, (flags, d) in new_funcs.items():
        functions[fname.lower()] = (libname, flags, fname)     # names are case-insensitive
    libraries[libname] = {"code": code, "functions": new_funcs}
    return libname


# FUNCTION DUMP / RESTORE: Redis's payload (rdb.c): per library the
# RDB_OPCODE_FUNCTION2 byte and the code as an RDB string (LZF-compressed
# past 20 bytes when that saves room, as rdbSaveRawString does), then the
# RDB version (2 bytes LE) and the CRC64 (Jones, 8 bytes LE) of it all.
RDB_OPCODE_FUNCTION2 = 245
RDB_OPCODE_FUNCTION_PRE_GA = 246
RDB_VERSION = 10

cdef list _crc_table():
    cdef unsigned long long c, poly = 0x95AC9329AC4BC9B5ULL
    cdef int i, k
    t = []
    for i in range(256):
        c = i
        for k in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        t.append(c)
    return t

cdef list CRC_TABLE = _crc_table()

cdef unsigned long long crc64(bytes data):
    cdef unsigned long long crc = 0
    cdef const unsigned char *p = data
    cdef Py_ssize_t i, n = len(data)
    cdef list t = CRC_TABLE
    for i in range(n):
        crc = (<unsigned long long>t[(crc ^ p[i]) & 0xff]) ^ (crc >> 8)
    return crc


cdef extern from "fk_lzf.h":
    unsigned int fk_lzf_compress(const void *in_data, unsigned int in_len, void *out_data, unsigned int out_len)
    unsigned int fk_lzf_decompress(const void *in_data, unsigned int in_len, void *out_data, unsigned int out_len)


def _rdb_len(n):
    if n < 64:
        return bytes([n])
    if n < 16384:
        return bytes([0x40 | (n >> 8), n & 0xff])
    if n <= 0xffffffff:
        return b"\x80" + n.to_bytes(4, "big")
    return b"\x81" + n.to_bytes(8, "big")


def _rdb_string(bytes s):
    cdef unsigned int comprlen
    cdef char *out
    n = len(s)
    if n > 20:
        out = <char *>malloc(n)
        if out == NULL:
            raise MemoryError()
        try:
            comprlen = fk_lzf_compress(<const char *>s, n, out, n - 4)
            if comprlen > 0:
                return b"\xc3" + _rdb_len(comprlen) + _rdb_len(n) + out[:comprlen]
        finally:
            free(out)
    return _rdb_len(n) + s


def _read_len(bytes p, Py_ssize_t pos):
    """(length, is_encoded, new pos) or raises ValueError."""
    b = p[pos]
    t = b >> 6
    if t == 0:
        return b & 0x3f, False, pos + 1
    if t == 1:
        return ((b & 0x3f) << 8) | p[pos + 1], False, pos + 2
    if t == 3:
        return b & 0x3f, True, pos + 1
    if b == 0x80:
        return int.from_bytes(p[pos + 1:pos + 5], "big"), False, pos + 5
    if b == 0x81:
        return int.from_bytes(p[pos + 1:pos + 9], "big"), False, pos + 9
    raise ValueError("bad length")


def _read_string(bytes p, Py_ssize_t pos):
    cdef char *out
    cdef unsigned int got
    n, enc, pos = _read_len(p, pos)
    if not enc:
        if pos + n > len(p):
            raise ValueError("short")
        return p[pos:pos + n], pos + n
    if n == 0:
        return str(int.from_bytes(p[pos:pos + 1], "little", signed=True)).encode(), pos + 1
    if n == 1:
        return str(int.from_bytes(p[pos:pos + 2], "little", signed=True)).encode(), pos + 2
    if n == 2:
        return str(int.from_bytes(p[pos:pos + 4], "little", signed=True)).encode(), pos + 4
    if n == 3:
        clen, _, pos = _read_len(p, pos)
        ulen, _, pos = _read_len(p, pos)
        if pos + clen > len(p) or ulen > 512 * 1024 * 1024:
            raise ValueError("short")
        comp = p[pos:pos + clen]
        out = <char *>malloc(ulen if ulen else 1)
        if out == NULL:
            raise MemoryError()
        try:
            got = fk_lzf_decompress(<const char *>comp, clen, out, ulen)
            if got != ulen:
                raise ValueError("lzf")
            return out[:ulen], pos + clen
        finally:
            free(out)
    raise ValueError("bad encoding")


def function_dump_cmd(c, argv):
    payload = b"".join(bytes([RDB_OPCODE_FUNCTION2]) + _rdb_string(lib["code"]) for lib in libraries.values())
    payload += RDB_VERSION.to_bytes(2, "little")
    payload += crc64(payload).to_bytes(8, "little")
    c.reply_bulk(payload)


def function_restore_cmd(c, argv):
    """FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE]."""
    from fastkv._core.client import ReplyError
    policy = b"append"
    if len(argv) > 4:
        raise ReplyError("ERR unknown subcommand or wrong number of arguments for '%s'. Try FUNCTION HELP."
                         % argv[1][:128].decode("utf-8", "replace"))
    if len(argv) == 4:
        policy = argv[3].lower()
        if policy not in (b"flush", b"append", b"replace"):
            raise ReplyError("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
    data = argv[2]
    if len(data) < 10 or int.from_bytes(data[-10:-8], "little") > RDB_VERSION \
            or crc64(data[:-8]) != int.from_bytes(data[-8:], "little"):
        raise ReplyError("ERR DUMP payload version or checksum are wrong")
    ensure_functions((<Client>c).srv)
    codes = []
    pos = 0
    end = len(data) - 10
    try:
        while pos < end:
            t = data[pos]
            pos += 1
            if t == RDB_OPCODE_FUNCTION_PRE_GA:
                raise ReplyError("ERR Pre-GA function format not supported")
            if t != RDB_OPCODE_FUNCTION2:
                raise ReplyError("ERR given type is not a function")
            code, pos = _read_string(data, pos)
            codes.append(code)
    except (ValueError, IndexError):
        raise ReplyError("ERR failed loading the given functions payload")
    snapshot = [lib["code"] for lib in libraries.values()]
    names = []
    for code in codes:
        nl_pos = code.find(b"\n")
        for part in code[:nl_pos if nl_pos >= 0 else len(code)].split(b" "):
            if part.startswith(b"name="):
                names.append(part[5:])
    if policy == b"append":
        for nm in names:
            if nm in libraries:
                raise ReplyError("ERR Library %s already exists" % nm.decode("utf-8", "replace"))
    try:
        if policy == b"flush":
            _flush_functions()
        for code in codes:
            load_library(code, policy == b"replace")
    except ReplyError:
        _flush_functions()
        for code in snapshot:
            load_library(code, False)
        raise
    c.reply_ok()


def _flush_functions():
    for entry in list(functions.values()):
        fk_function_remove(FL, entry[2], len(entry[2]))
    functions.clear()
    libraries.clear()


def function_delete_cmd(c, argv):
    from fastkv._core.client import ReplyError
    lib = libraries.get(argv[2])
    if lib is None:
        raise ReplyError("ERR Library not found")
    ensure_functions((<Client>c).srv)
    for fname in lib["functions"]:
        fk_function_remove(FL, fname, len(fname))
        functions.pop(fname.lower(), None)
    del libraries[argv[2]]
    c.reply_ok()


def function_flush_cmd(c, argv):
    from fastkv._core.client import ReplyError
    if len(argv) == 3 and argv[2].lower() in (b"sync", b"async"):
        pass
    elif len(argv) != 2:
        raise ReplyError("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
    ensure_functions((<Client>c).srv)
    for entry in list(functions.values()):
        fk_function_remove(FL, entry[2], len(entry[2]))
    functions.clear()
    libraries.clear()
    c.reply_ok()


def function_list_cmd(c, argv):
    from fastkv._core.client import ReplyError
    with_code = False
    pattern = None
    i = 2
    while i < len(argv):
        a = argv[i].lower()
        if not with_code and a == b"withcode":
            with_code = True
        elif pattern is None and a == b"libraryname":
            if i >= len(argv) - 1:
                raise ReplyError("ERR library name argument was not given")
            i += 1
            pattern = argv[i]
        else:
            raise ReplyError("ERR Unknown argument %s" % argv[i].decode("utf-8", "replace"))
        i += 1
    libs = [(name, lib) for name, lib in libraries.items()
            if pattern is None or fk_stringmatchlen(pattern, len(pattern), name, len(name), 0)]
    c.reply_array_len(len(libs))
    for name, lib in libs:
        c.reply_map_len(3 if not with_code else 4)
        c.reply_bulk(b"library_name")
        c.reply_bulk(name)
        c.reply_bulk(b"engine")
        c.reply_bulk(b"LUA")
        c.reply_bulk(b"functions")
        c.reply_array_len(len(lib["functions"]))
        for fname, (flags, desc) in lib["functions"].items():
            c.reply_map_len(3)
            c.reply_bulk(b"name")
            c.reply_bulk(fname)
            c.reply_bulk(b"description")
            if desc is None:
                c.reply_null()
            else:
                c.reply_bulk(desc)
            c.reply_bulk(b"flags")
            names = [n for bit, n in FLAG_NAMES if flags & bit]
            c.reply_set_len(len(names))
            for n in names:
                c.reply_status(n)
        if with_code:
            c.reply_bulk(b"library_code")
            c.reply_bulk(lib["code"])


def function_stats_cmd(c, argv):
    c.reply_map_len(2)
    c.reply_bulk(b"running_script")
    if cur_caller is None or cur_is_eval:
        c.reply_null()
    else:
        c.reply_map_len(3)
        c.reply_bulk(b"name")
        c.reply_bulk(cur_label[:cur_label_len])
        c.reply_bulk(b"command")
        argv = cur_caller.argv_list()      # its query buffer stays put while busy
        c.reply_array_len(len(argv))
        for a in argv:
            c.reply_bulk(a)
        c.reply_bulk(b"duration_ms")
        c.reply_int(fk_mstime() - run_start_ms)
    c.reply_bulk(b"engines")
    c.reply_map_len(1)
    c.reply_bulk(b"LUA")
    c.reply_map_len(2)
    c.reply_bulk(b"libraries_count")
    c.reply_int(len(libraries))
    c.reply_bulk(b"functions_count")
    c.reply_int(len(functions))


cdef int function_kill_impl(Client c) except -1:
    return script_kill(c, False)


def function_help(c, argv):
    from fastkv.commands.util import reply_help
    reply_help(c, argv, FUNCTION_HELP)


cdef int fcall_generic(Client c, bint ro) except -1:
    """fcallCommandGeneric."""
    cdef long long numkeys
    cdef object entry
    if c.srv.monitors:
        c.feed_monitors()
    entry = functions.get(c.arg(1).lower())
    if entry is None:
        return c.add_error_str("ERR Function not found")
    if not arg_ll(c, 2, &numkeys):
        return c.add_error_str("ERR Bad number of keys provided")
    if numkeys > c.argc - 3:
        return c.add_error_str("ERR Number of keys can't be greater than number of args")
    if numkeys < 0:
        return c.add_error_str("ERR Number of keys can't be negative")
    flags = entry[1]
    if ro and not (flags & FK_SCRIPT_FLAG_NO_WRITES):
        return c.add_error_str("ERR Can not execute a script with write flag using *_ro command.")
    ensure_functions(c.srv)
    key = entry[2]
    return run_and_reply(c, False, key, len(key), numkeys, ro or (flags & FK_SCRIPT_FLAG_NO_WRITES) != 0)


cdef int fcall_impl(Client c) except -1:
    return fcall_generic(c, False)

cdef int fcall_ro_impl(Client c) except -1:
    return fcall_generic(c, True)


# ------------------------------------------------------------ introspection
def info_rows(human):
    """INFO memory's scripting rows, in 7.0's order (human: bytes -> "1.5K")."""
    vm_eval = fk_script_lua_memory(L) if L != NULL else 0
    vm_fn = fk_script_lua_memory(FL) if FL != NULL else 0
    fn_mem = sum(len(lib["code"]) + 64 * (1 + len(lib["functions"])) for lib in libraries.values())
    return [
        ("used_memory_lua", vm_eval),
        ("used_memory_vm_eval", vm_eval),
        ("used_memory_lua_human", human(vm_eval)),
        ("used_memory_scripts_eval", scripts_mem),
        ("number_of_cached_scripts", len(scripts)),
        ("number_of_functions", len(functions)),
        ("number_of_libraries", len(libraries)),
        ("used_memory_vm_functions", vm_fn),
        ("used_memory_vm_total", vm_eval + vm_fn),
        ("used_memory_vm_total_human", human(vm_eval + vm_fn)),
        ("used_memory_functions", fn_mem),
        ("used_memory_scripts", scripts_mem + fn_mem),
        ("used_memory_scripts_human", human(scripts_mem + fn_mem)),
    ]


def is_busy():
    """A script runs past busy-reply-threshold (Redis's scriptIsTimedout)."""
    return timed_out


def busy_error():
    return BUSY_ERR if cur_is_eval else BUSY_FUNCTION_ERR


def script_bodies():
    """sha -> body of every cached script."""
    return dict(scripts)


eval_cmd = wrap(eval_impl)
evalsha_cmd = wrap(evalsha_impl)
eval_ro_cmd = wrap(eval_ro_impl)
evalsha_ro_cmd = wrap(evalsha_ro_impl)
script_load_cmd = wrap(script_load_impl)
script_exists_cmd = wrap(script_exists_impl)
script_flush_cmd = wrap(script_flush_impl)
script_kill_cmd = wrap(script_kill_impl)
function_kill_cmd = wrap(function_kill_impl)
fcall_cmd = wrap(fcall_impl)
fcall_ro_cmd = wrap(fcall_ro_impl)
