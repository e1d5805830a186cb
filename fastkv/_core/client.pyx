# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""One client connection: the whole hot path of fastkv.

    uvloop --data_received(bytes)--> query buffer (C) --parse--> argv (C array)
        --> command lookup (C dict) --> handler (C function pointer)
        --> reply buffer (C) --> one transport.write() per read batch

Nothing on that path creates a Python object per command except the final
bytes handed to the transport once per batch (and the argv list for the few
commands implemented in Python).

Parser
------
Redis's processMultibulkBuffer / processInlineBuffer, with its limits and
error texts.  The parser is resumable: `multibulklen` and `bulklen` remember
where it stopped, and argv entries store *offsets* into the query buffer
(the buffer may be reallocated while a large request arrives); they become
pointers just before the command runs.  A return of NEED_MORE (0) means
"incomplete frame: wait for more bytes"; 1 means a command is ready; 2 a
protocol error was replied (PROTO_ERROR) and the connection closes after the reply.

Inline commands are split with redis-cli/sdssplitargs quoting rules; the
unescaped arguments are written back *in place* into the query buffer (an
unescaped argument is never longer than its source), so inline and
multibulk commands reach handlers in the same shape.
"""
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE, PyBytes_FromStringAndSize
from cpython.ref cimport PyObject, Py_INCREF
from libc.stdlib cimport malloc, realloc, free
from libc.string cimport memcpy, memmove, memchr
from libc.stdint cimport uint64_t
from libc.limits cimport LLONG_MAX
from fastkv._core.cdefs cimport *
from fastkv._core.keyspace cimport Database, Keyspace, LOOKUP_NOSTATS, LOOKUP_NOTOUCH
from fastkv._core.shared cimport attach

attach()

import asyncio
import sys
import time
import traceback

from fastkv._core.reply import RSet, RStatus

cdef enum:
    NEED_MORE = 0
    READY = 1
    PROTO_ERROR = 2        # not -1: that is the "exception raised" return of these cdef functions
    PROTO_INLINE_MAX_SIZE = 64 * 1024
    PROTO_MBULK_BIG_ARG = 32 * 1024
    QB_INITIAL = 1024
    OB_INITIAL = 1024
    MAX_NAME = 64
    PUSH_FLUSH_BYTES = 64 * 1024


# Scripting (fastkv/scripting/lua.pyx): while a script runs past
# busy-reply-threshold, only allow-busy commands run; and the commands that
# run scripts propagate the scripts' effects, not themselves.
cdef bint script_busy = False
SCRIPT_COMMANDS = frozenset((b"eval", b"evalsha", b"eval_ro", b"evalsha_ro", b"fcall", b"fcall_ro"))

script_busy_error = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."

def set_script_busy(bint busy, str error=None):
    global script_busy, script_busy_error
    script_busy = busy
    if error is not None:
        script_busy_error = error


class ReplyError(Exception):
    """Raise from a Python handler to answer with an error reply.  The text
    is the whole error line without the leading '-', e.g. "ERR syntax error"."""


cdef class Handler:
    """A Cython command handler (a C function pointer) as a Python object,
    so the command table (commands/table.py) can list it."""
    pass

cdef Handler wrap(cmd_fn fn):
    cdef Handler h = Handler.__new__(Handler)
    h.fn = fn
    return h




cdef class Command:
    def __init__(self, bytes name, handler, int arity, unsigned int flags,
                 int first_key=0, int last_key=0, int key_step=0, meta=None,
                 Command parent=None):
        self.name = name
        if isinstance(handler, Handler):
            self.fn = (<Handler>handler).fn
            self.pyfn = None
        else:
            self.fn = NULL
            self.pyfn = handler
        self.arity = arity
        self.flags = flags
        self.first_key = first_key
        self.last_key = last_key
        self.key_step = key_step
        self.meta = meta
        self.parent = parent
        self.subcommands = None

    def add_subcommand(self, Command sub):
        if self.subcommands is None:
            self.subcommands = {}
        self.subcommands[sub.name.split(b"|", 1)[1]] = sub

    def reset_stats(self):
        self.calls = self.usec = self.rejected_calls = self.failed_calls = 0

    @property
    def has_handler(self):
        return self.fn != NULL or self.pyfn is not None

    def __repr__(self):
        return f"<Command {self.name.decode()} arity={self.arity}>"


cdef fk_dict_type PLAIN_TYPE     # a dict whose values own nothing
PLAIN_TYPE.entry_free = NULL


cdef class ServerState:
    def __cinit__(self):
        self.commands = fk_dict_new(&PLAIN_TYPE)   # values: borrowed Command pointers
        self.command_objects = {}
        self.requirepass = b""
        self.proto_max_bulk_len = 512 * 1024 * 1024
        self.client_query_buffer_limit = 1024 * 1024 * 1024
        self.next_client_id = 1
        self.slowlog_threshold_us = 10000
        self.slowlog = None
        self.monitors = []
        self.paused_clients = []
        self.clients = {}
        self.error_stats = {}
        self.maxclients = 10000
        self.pending_writes = []
        # Redis's defaults: normal 0 0 0, replica 256mb 64mb 60, pubsub 32mb 8mb 60
        self.obuf_hard[OBUF_REPLICA] = 256 * 1024 * 1024
        self.obuf_soft[OBUF_REPLICA] = 64 * 1024 * 1024
        self.obuf_soft_secs[OBUF_REPLICA] = 60
        self.obuf_hard[OBUF_PUBSUB] = 32 * 1024 * 1024
        self.obuf_soft[OBUF_PUBSUB] = 8 * 1024 * 1024
        self.obuf_soft_secs[OBUF_PUBSUB] = 60

    def set_obuf_limit(self, int cls, long long hard, long long soft, long long soft_seconds):
        """client-output-buffer-limit for one class (0 normal, 1 replica, 2 pubsub)."""
        if not 0 <= cls <= 2:
            raise ValueError(cls)
        self.obuf_hard[cls] = hard
        self.obuf_soft[cls] = soft
        self.obuf_soft_secs[cls] = soft_seconds

    cdef int handle_ready_keys(self) except -1:
        """handleClientsBlockedOnKeys: serve the clients waiting on keys that
        were given a list/zset/stream, in arrival order per key, until the
        key runs out (a re-run that finds nothing blocks again)."""
        cdef Keyspace ks = self.keyspace
        cdef Database db
        cdef Client c
        cdef fk_entry *e
        cdef bytes key
        cdef uint32_t typ
        self.serving_ready = True
        try:
            while ks.ready_keys:
                batch = ks.ready_keys
                ks.ready_keys = []
                ks.ready_set = set()
                for db, key in batch:
                    waiters = db.blocking_keys.get(key)
                    if not waiters:
                        continue
                    for c in list(waiters):
                        if not (c.flags & CF_BLOCKED) or c.bdb is not db or (c.flags & CF_CLOSED):
                            continue
                        e = db.lookup(key, len(key), LOOKUP_NOSTATS | LOOKUP_NOTOUCH)
                        typ = (e.meta & 0xF) if e != NULL else 0xFF
                        if not ((c.btype == BLOCKED_LIST and typ == OBJ_LIST)
                                or (c.btype == BLOCKED_ZSET and typ == OBJ_ZSET)
                                or c.btype == BLOCKED_STREAM):
                            # (a stream key deleted or overwritten is signalled too,
                            # 7.0's signalDeletedKeyAsReady: XREADGROUP answers
                            # -UNBLOCKED, XREAD blocks again)
                            continue
                        c.bready_key = key      # XREAD/XREADGROUP serve this one stream (7.0)
                        c.reprocess_blocked()
        finally:
            self.serving_ready = False
        return 0

    cdef int add_pending_write(self, Client c) except -1:
        """c got output outside its own request (a published message): it is
        written once, after the running batch (handleClientsWithPendingWrites),
        however many messages it got meanwhile."""
        if not (c.flags & CF_PENDING_WRITE):
            c.flags |= CF_PENDING_WRITE
            self.pending_writes.append(c)
            if not self.flush_scheduled and self.call_soon is not None:
                # Once per loop iteration, after every ready client's batch
                # (Redis's beforeSleep): one write per subscriber however
                # many publishers sent to it meanwhile.
                self.flush_scheduled = True
                self.call_soon(self.flush_pending)
        return 0

    cdef int flush_pending_writes(self) except -1:
        cdef Client c
        cdef list pending = self.pending_writes
        self.pending_writes = []
        for c in pending:
            c.flags &= ~CF_PENDING_WRITE
            c.flush()
        return 0

    def flush_pending(self):
        """Write what other clients' commands queued for them."""
        self.flush_scheduled = False
        if self.pending_writes:
            self.flush_pending_writes()

    def __dealloc__(self):
        fk_dict_free(self.commands)

    def register(self, Command cmd):
        """Add a top-level command to the dispatch table."""
        cdef fk_entry *e = fk_dict_find(self.commands, cmd.name, len(cmd.name))
        if e == NULL:
            e = fk_dict_add(self.commands, cmd.name, len(cmd.name), 0)
        self.command_objects[cmd.name] = cmd
        e.v.ptr = <PyObject *>cmd

    def lookup(self, name):
        if isinstance(name, str):
            name = name.encode()
        name = name.lower()
        parts = name.split(b"|", 1)
        cmd = self.command_objects.get(parts[0])
        if cmd is not None and len(parts) == 2:
            subs = cmd.subcommands or {}
            return subs.get(parts[1])
        return cmd

    def count_error(self, bytes text):
        cdef bytes prefix = text.split(b" ", 1)[0]
        self.total_error_replies += 1
        if len(self.error_stats) < 128 or prefix in self.error_stats:
            self.error_stats[prefix] = self.error_stats.get(prefix, 0) + 1


# --------------------------------------------------------------- formatting

cdef inline Py_ssize_t fmt_ll(char *dst, long long v) noexcept nogil:
    """Decimal digits of v into dst (>= 21 bytes); returns the length."""
    return fk_ll2digits(dst, v) - dst


cdef inline bint is_space(char ch) noexcept nogil:
    return ch == c' ' or ch == c'\n' or ch == c'\r' or ch == c'\t' or ch == c'\v' or ch == c'\f'

cdef inline int hexval(char ch) noexcept nogil:
    if c'0' <= ch <= c'9':
        return ch - c'0'
    if c'a' <= ch <= c'f':
        return ch - c'a' + 10
    if c'A' <= ch <= c'F':
        return ch - c'A' + 10
    return -1


cdef class Client:
    def __cinit__(self, ServerState srv):
        self.srv = srv
        self.db = srv.keyspace.dbs[0]
        self.resp = 2
        self.bulklen = -1
        self.qcap = QB_INITIAL
        self.qb = <char *>malloc(self.qcap)
        self.ocap = OB_INITIAL
        self.ob = <char *>malloc(self.ocap)
        self.argvcap = 8
        self.argv = <Arg *>malloc(sizeof(Arg) * self.argvcap)
        if self.qb == NULL or self.ob == NULL or self.argv == NULL:
            raise MemoryError()
        self.id = srv.next_client_id
        srv.next_client_id += 1
        self.ctime_ms = fk_mstime()
        self.last_interaction_ms = self.ctime_ms
        self.authenticated = len(srv.requirepass) == 0
        self.last_cmd = b"NULL"
        self.user = "default"
        self.pubsub_channels = {}
        self.pubsub_patterns = {}
        self.pubsub_shard_channels = {}

    def __dealloc__(self):
        free(self.qb)
        free(self.ob)
        free(self.argv)

    # ------------------------------------------------------------ asyncio
    def connection_made(self, transport):
        self.transport = transport
        srv = self.srv
        try:
            self.addr = transport.get_extra_info("peername")
            self.laddr = transport.get_extra_info("sockname")
        except Exception:
            pass
        if isinstance(self.laddr, str) or self.laddr is None:
            self.flags |= CF_UNIX
        if len(srv.clients) >= srv.maxclients:
            srv.rejected_connections += 1
            transport.write(b"-ERR max number of clients reached\r\n")
            srv.count_error(b"ERR max number of clients reached")
            self.flags |= CF_CLOSED
            transport.close()
            return
        srv.clients[self.id] = self
        srv.total_connections += 1

    def connection_lost(self, exc):
        self.flags |= CF_CLOSED
        srv = self.srv
        srv.clients.pop(self.id, None)
        if self.flags & CF_MONITOR:
            try:
                srv.monitors.remove(self)
            except ValueError:
                pass
        if self.flags & CF_PAUSED:
            try:
                srv.paused_clients.remove(self)
            except ValueError:
                pass
        self.discard_multi()
        if self.flags & CF_BLOCKED:
            self.unblock()
        if self.flags & CF_PUBSUB and srv.pubsub is not None:
            srv.pubsub.unsubscribe_all(self)
        if self.tracking is not None:
            srv.keyspace.tracking_call(srv.keyspace.tracking_ctx, self, None, 2)
        self.transport = None

    def eof_received(self):
        return False

    def pause_writing(self):
        # Backpressure: the client doesn't read its replies, so stop reading
        # its requests until the kernel takes our output.
        if self.transport is not None and not (self.flags & CF_READING_PAUSED):
            self.flags |= CF_READING_PAUSED
            self.transport.pause_reading()

    def resume_writing(self):
        if self.transport is not None and (self.flags & CF_READING_PAUSED):
            self.flags &= ~CF_READING_PAUSED
            self.transport.resume_reading()

    def data_received(self, bytes data):
        cdef Py_ssize_t n = PyBytes_GET_SIZE(data)
        cdef Py_ssize_t need
        cdef ServerState srv = self.srv
        if self.flags & (CF_CLOSED | CF_CLOSE_AFTER_REPLY):
            return
        need = self.qlen + n
        if need > self.qcap:
            self.grow_qb(need)
        memcpy(self.qb + self.qlen, PyBytes_AS_STRING(data), n)
        self.qlen += n
        srv.net_input_bytes += n
        self.last_interaction_ms = fk_mstime()
        if self.qlen > srv.client_query_buffer_limit:
            self.log_warning("Closing client that reached max query buffer length: id=%d (qbuf initial bytes: %r)"
                             % (self.id, self.qb[:min(self.qlen, 64)]))
            self.close()
            return
        if not (self.flags & CF_PAUSED):
            self.process_input()
        self.flush()
        if srv.pending_writes and srv.call_soon is None:
            srv.flush_pending_writes()      # no loop to defer to (embedded use)

    cdef int grow_qb(self, Py_ssize_t need) except -1:
        cdef Py_ssize_t cap = self.qcap
        cdef char *p
        while cap < need:
            cap = cap * 2 if cap < 64 * 1024 * 1024 else cap + 64 * 1024 * 1024
        p = <char *>realloc(self.qb, cap)
        if p == NULL:
            raise MemoryError()
        self.qb = p
        self.qcap = cap
        return 0

    def close(self):
        """Close the connection now (CLIENT KILL, timeouts, limits)."""
        self.flags |= CF_CLOSED
        if self.transport is not None:
            self.transport.close()

    def is_special(self):
        """Clients the idle timeout must spare (MONITOR, pub/sub; later replicas, blocked)."""
        return (self.flags & (CF_MONITOR | CF_PUBSUB)) != 0

    def close_after_reply(self):
        self.flags |= CF_CLOSE_AFTER_REPLY

    def log_warning(self, msg):
        server = self.srv.server
        if server is not None and hasattr(server, "log_warning"):
            server.log_warning(msg)
        else:
            print(msg, file=sys.stderr)

    # ------------------------------------------------------------ parsing
    cdef void reset_request(self) noexcept:
        self.reqtype = 0
        self.multibulklen = 0
        self.bulklen = -1
        self.argc = 0

    cdef int process_input(self) except -1:
        cdef int r, i
        while self.qpos < self.qlen:
            if self.flags & (CF_CLOSE_AFTER_REPLY | CF_CLOSED | CF_BLOCKED):
                break
            if self.reqtype == 0:
                self.cmdstart = self.qpos
                self.reqtype = 1 if self.qb[self.qpos] == b'*' else 2
            if self.reqtype == 1:
                r = self.parse_multibulk()
            else:
                r = self.parse_inline()
            if r != READY:
                break
            if self.argc == 0:
                self.reset_request()
                continue
            if self.dispatch() == 0 or (self.flags & CF_BLOCKED):
                # paused or blocked: keep the parsed command for later
                break
            self.reset_request()
        # Compact the query buffer.  Bytes of a request still being parsed
        # (from cmdstart) stay: its argv offsets point into them.
        cdef Py_ssize_t keep = self.cmdstart if self.reqtype != 0 else self.qpos
        if keep > 0 and not (self.flags & CF_PAUSED):
            self.qlen -= keep
            if self.qlen > 0:
                memmove(self.qb, self.qb + keep, self.qlen)
            for i in range(self.argc):
                self.argv[i].off -= keep
            self.qpos -= keep
            self.cmdstart = 0
            if self.qlen == 0 and self.qcap > 64 * 1024:
                free(self.qb)
                self.qcap = QB_INITIAL
                self.qb = <char *>malloc(self.qcap)
                if self.qb == NULL:
                    raise MemoryError()
        return 0

    cdef int protocol_error(self, str msg) except -1:
        self.add_error_str("ERR Protocol error: " + msg)
        self.flags |= CF_CLOSE_AFTER_REPLY
        self.qpos = self.qlen
        self.reset_request()
        return PROTO_ERROR

    cdef int ensure_argv(self, long n) except -1:
        cdef Arg *p
        cdef long cap
        if n <= self.argvcap:
            return 0
        cap = self.argvcap
        while cap < n:
            cap *= 2
        p = <Arg *>realloc(self.argv, sizeof(Arg) * cap)
        if p == NULL:
            raise MemoryError()
        self.argv = p
        self.argvcap = cap
        return 0

    cdef int parse_multibulk(self) except -1:
        cdef char *start
        cdef char *nl
        cdef long long ll
        cdef Py_ssize_t avail
        if self.multibulklen == 0:
            start = self.qb + self.qpos
            avail = self.qlen - self.qpos
            nl = <char *>memchr(start, b'\r', avail)
            if nl == NULL:
                if avail > PROTO_INLINE_MAX_SIZE:
                    return self.protocol_error("too big mbulk count string")
                return NEED_MORE
            if nl - start > avail - 2:     # need the \n too
                return NEED_MORE
            if not fk_string2ll(start + 1, nl - start - 1, &ll) or ll > 2147483647:
                return self.protocol_error("invalid multibulk length")
            if ll > 10 and not self.authenticated:
                return self.protocol_error("unauthenticated multibulk length")
            self.qpos = (nl - self.qb) + 2
            if ll <= 0:
                return READY         # argc == 0: an empty request, skipped
            self.multibulklen = <long>ll
            self.argc = 0
            self.ensure_argv(ll if ll < 1024 else 1024)
        while self.multibulklen:
            if self.bulklen == -1:
                start = self.qb + self.qpos
                avail = self.qlen - self.qpos
                nl = <char *>memchr(start, b'\r', avail)
                if nl == NULL:
                    if avail > PROTO_INLINE_MAX_SIZE:
                        return self.protocol_error("too big bulk count string")
                    return NEED_MORE
                if nl - start > avail - 2:
                    return NEED_MORE
                if start[0] != b'$':
                    return self.protocol_error("expected '$', got '%s'" % chr(<unsigned char>start[0]))
                if (not fk_string2ll(start + 1, nl - start - 1, &ll) or ll < 0
                        or ll > self.srv.proto_max_bulk_len):
                    return self.protocol_error("invalid bulk length")
                if ll > 16384 and not self.authenticated:
                    return self.protocol_error("unauthenticated bulk length")
                self.qpos = (nl - self.qb) + 2
                self.bulklen = ll
                # (ll may be near LLONG_MAX when proto-max-bulk-len is set so high:
                # compare without computing ll + 2, and never reserve more than
                # the query buffer limit, which closes the client anyway)
                if (ll >= PROTO_MBULK_BIG_ARG and self.qcap - self.qpos - 2 < ll
                        and ll < self.srv.client_query_buffer_limit):
                    # a big argument: make room for all of it at once
                    self.grow_qb(self.qpos + ll + 2)
            if self.qlen - self.qpos - 2 < self.bulklen:
                return NEED_MORE
            self.ensure_argv(self.argc + 1)
            self.argv[self.argc].off = self.qpos
            self.argv[self.argc].n = <Py_ssize_t>self.bulklen
            self.argc += 1
            self.qpos += self.bulklen + 2
            self.bulklen = -1
            self.multibulklen -= 1
        return READY

    cdef int parse_inline(self) except -1:
        cdef char *start = self.qb + self.qpos
        cdef Py_ssize_t avail = self.qlen - self.qpos
        cdef char *nl = <char *>memchr(start, b'\n', avail)
        cdef Py_ssize_t linelen, i, w, argstart
        cdef bint inq, insq, done
        cdef char ch, nx
        cdef int h1, h2
        if nl == NULL:
            if avail > PROTO_INLINE_MAX_SIZE:
                return self.protocol_error("too big inline request")
            return NEED_MORE
        linelen = nl - start
        if linelen > 0 and start[linelen - 1] == b'\r':
            linelen -= 1
        # sdssplitargs, writing the unescaped args back into the line.
        self.argc = 0
        i = 0
        w = 0
        while True:
            while i < linelen and is_space(start[i]):
                i += 1
            if i >= linelen:
                break
            inq = insq = done = False
            argstart = w
            while not done:
                ch = start[i] if i < linelen else 0
                nx = start[i + 1] if i + 1 < linelen else 0
                if inq:
                    if ch == b'\\' and nx == b'x' and i + 3 < linelen and hexval(start[i + 2]) >= 0 and hexval(start[i + 3]) >= 0:
                        h1 = hexval(start[i + 2])
                        h2 = hexval(start[i + 3])
                        start[w] = <char>(h1 * 16 + h2)
                        w += 1
                        i += 3
                    elif ch == b'\\' and nx != 0:
                        i += 1
                        if nx == b'n': start[w] = b'\n'
                        elif nx == b'r': start[w] = b'\r'
                        elif nx == b't': start[w] = b'\t'
                        elif nx == b'b': start[w] = b'\b'
                        elif nx == b'a': start[w] = b'\a'
                        else: start[w] = nx
                        w += 1
                    elif ch == b'"':
                        if nx != 0 and not is_space(nx):
                            return self.protocol_error("unbalanced quotes in request")
                        done = True
                    elif i >= linelen:
                        return self.protocol_error("unbalanced quotes in request")
                    else:
                        start[w] = ch
                        w += 1
                elif insq:
                    if ch == b'\\' and nx == b"'":
                        i += 1
                        start[w] = b"'"
                        w += 1
                    elif ch == b"'":
                        if nx != 0 and not is_space(nx):
                            return self.protocol_error("unbalanced quotes in request")
                        done = True
                    elif i >= linelen:
                        return self.protocol_error("unbalanced quotes in request")
                    else:
                        start[w] = ch
                        w += 1
                else:
                    if i >= linelen or is_space(ch):
                        done = True
                    elif ch == b'"':
                        inq = True
                    elif ch == b"'":
                        insq = True
                    else:
                        start[w] = ch
                        w += 1
                if i < linelen:
                    i += 1
            self.ensure_argv(self.argc + 1)
            self.argv[self.argc].off = self.qpos + argstart
            self.argv[self.argc].n = w - argstart
            self.argc += 1
        self.qpos += (nl - start) + 1
        return READY

    # ------------------------------------------------------------ dispatch
    cdef int dispatch(self) except -1:
        """Look the command up and run it.  Returns 0 if the client is paused
        (the command stays parsed and runs on unpause), 1 otherwise."""
        cdef char name[MAX_NAME]
        cdef Py_ssize_t i, n
        cdef fk_entry *e
        cdef Command cmd
        cdef Command sub
        cdef ServerState srv = self.srv
        cdef const char *p
        for i in range(self.argc):
            self.argv[i].p = self.qb + self.argv[i].off
        n = self.argv[0].n
        e = NULL
        if n < MAX_NAME:
            p = self.argv[0].p
            for i in range(n):
                name[i] = p[i] + 32 if c'A' <= p[i] <= c'Z' else p[i]
            e = fk_dict_find(srv.commands, name, n)
        if e == NULL:
            self.reject_unknown()
            return 1
        cmd = <Command>e.v.ptr
        if cmd.subcommands is not None and self.argc >= 2:
            sub = cmd.subcommands.get(self.arg(1).lower())
            if sub is None:
                self.reject("ERR unknown subcommand '%s'. Try %s HELP." % (
                    self.arg(1)[:128].decode("utf-8", "replace"), cmd.name.decode().upper()), cmd)
                return 1
            cmd = sub
        if (cmd.arity > 0 and self.argc != cmd.arity) or self.argc < -cmd.arity:
            self.reject("ERR wrong number of arguments for '%s' command" % cmd.name.decode(), cmd)
            return 1
        if not self.authenticated and not (cmd.flags & CMD_NO_AUTH):
            self.reject("NOAUTH Authentication required.", cmd)
            return 1
        if script_busy and not (cmd.flags & CMD_ALLOW_BUSY):
            # a script runs past busy-reply-threshold (fastkv/scripting/lua.pyx)
            self.reject(script_busy_error, cmd)
            return 1
        if self.flags & (CF_MULTI | CF_PUBSUB):
            if (self.flags & CF_MULTI) and (cmd.flags & CMD_NO_MULTI):
                self.reject("ERR Command not allowed inside a transaction", cmd)
                return 1
            if (self.flags & CF_PUBSUB) and self.resp == 2 and not (cmd.flags & CMD_PUBSUB_CONTEXT):
                self.reject("ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
                            % cmd.name.decode("utf-8", "replace"), cmd)
                return 1
        if srv.paused_until_ms and not (self.flags & CF_PAUSED):
            if self.must_pause(cmd):
                return 0
        if (self.flags & CF_MULTI) and not (cmd.flags & CMD_MULTI_CONTROL):
            # queueMultiCommand: the arguments are copied out of the query buffer
            self.multi_queue.append((cmd, self.argv_list()))
            return self.add_raw(b"+QUEUED\r\n", 9) + 1
        self.call(cmd)
        if srv.keyspace.ready_keys and not srv.serving_ready:
            srv.handle_ready_keys()
        return 1

    cdef bint must_pause(self, Command cmd) except -1:
        cdef ServerState srv = self.srv
        if fk_mstime() >= srv.paused_until_ms:
            # The pause ran out before cron noticed: release the held
            # clients first (checkClientPauseTimeoutAndReturnIfPaused).
            if srv.server is not None:
                srv.server.unpause_clients()
            else:
                srv.paused_until_ms = 0
            return False
        if srv.pause_writes_only and not (cmd.flags & CMD_WRITE) and cmd.name not in (b"eval", b"evalsha", b"fcall", b"publish", b"spublish"):
            return False
        self.flags |= CF_PAUSED
        srv.paused_clients.append(self)
        return True

    def resume_paused(self):
        """Run the command held by CLIENT PAUSE, then the rest of the input."""
        if not (self.flags & CF_PAUSED) or (self.flags & CF_CLOSED):
            return
        self.flags &= ~CF_PAUSED
        if self.argc > 0 and self.multibulklen == 0:
            self.dispatch()
            if self.flags & CF_PAUSED:
                return
            self.reset_request()
        self.process_input()
        self.flush()

    cdef int reject(self, str msg, Command cmd) except -1:
        if cmd is not None:
            cmd.rejected_calls += 1
        if self.tracking is not None:   # a rejected command ends CLIENT CACHING too
            self.srv.keyspace.tracking_call(self.srv.keyspace.tracking_ctx, self, cmd, 3)
        if self.flags & CF_MULTI:
            self.flags |= CF_DIRTY_EXEC     # flagTransaction: EXEC will abort
        if cmd is not None and cmd.name == b"exec":
            # execCommandAbort: EXEC itself was rejected (in MULTI or not)
            self.discard_multi()
            if msg.startswith("ERR "):
                msg = msg[4:]
            msg = "EXECABORT Transaction discarded because of: " + msg
        self.add_error_str(msg)
        return 0

    def discard_transaction(self):
        self.discard_multi()

    cdef int discard_multi(self) except -1:
        """discardTransaction: leave MULTI, forget the queue and the WATCHes."""
        self.multi_queue = None
        self.flags &= ~(CF_MULTI | CF_DIRTY_EXEC | CF_IN_EXEC)
        return self.unwatch_all()

    cdef int unwatch_all(self) except -1:
        """unwatchAllKeys, and forget the dirty flag with the watcher."""
        if self.watcher is not None:
            self.watcher.unwatch_all(self.srv.keyspace)
            self.watcher = None
        return 0

    cdef int reject_unknown(self) except -1:
        cdef str args = ""
        cdef int i
        for i in range(1, self.argc):
            if len(args) >= 128:
                break
            args += "'%s' " % self.arg(i)[:128 - len(args)].decode("utf-8", "replace")
        msg = "ERR unknown command '%s', with args beginning with: %s" % (
            self.arg(0)[:128].decode("utf-8", "replace"), args)
        if self.flags & CF_MULTI:
            self.flags |= CF_DIRTY_EXEC
        if self.tracking is not None:   # a rejected command ends CLIENT CACHING too
            self.srv.keyspace.tracking_call(self.srv.keyspace.tracking_ctx, self, None, 3)
        self.add_error_str(msg.replace("\r", " ").replace("\n", " "))
        return 0

    cdef int call(self, Command cmd) except -1:
        cdef ServerState srv = self.srv
        cdef long long start, dur
        cdef Keyspace ks = srv.keyspace
        cdef long long dirty = ks.dirty
        cdef Database db = self.db
        cdef bint tracking = self.tracking is not None
        if self.flags & CF_REPLY_SKIP_NEXT:
            self.flags = (self.flags & ~CF_REPLY_SKIP_NEXT) | CF_REPLY_SKIP
        self.cmd = cmd
        srv.keyspace.lookup_notouch = (self.flags & CF_NO_TOUCH) != 0 and cmd.name != b"touch"
        if tracking:
            ks.tracking_call(ks.tracking_ctx, self, cmd, 0)
        if srv.call_depth == 0:
            # errors replied outside call() (rejections) are no command's
            srv.prev_err_count = srv.total_error_replies
        srv.call_depth += 1
        start = fk_monotonic_us()
        try:
            if cmd.fn != NULL:
                cmd.fn(self)
            else:
                cmd.pyfn(self, self.argv_list())
        except ReplyError as exc:
            self.add_error_str(str(exc))
        except MemoryError:
            self.add_error_str("ERR out of memory")
        except Exception as exc:
            self.log_warning("Internal error in %s: %s" % (cmd.name.decode(), traceback.format_exc()))
            self.add_error_str("ERR internal error in '%s': %s" % (cmd.name.decode(), exc))
        dur = fk_monotonic_us() - start
        srv.call_depth -= 1
        if tracking:    # remember the keys it read, send what it invalidated itself
            ks.tracking_call(ks.tracking_ctx, self, cmd, 1)
        self.cmd = None
        if ks.propagating and ks.dirty != dirty and not (cmd.flags & CMD_MULTI_CONTROL) \
                and cmd.name not in SCRIPT_COMMANDS:
            # The write path's last stage: writers (AOF, replicas) get the
            # command as it ran, in the db it ran in.
            ks.propagate(db.id, self.argv_list())
        if self.flags & CF_BLOCKED:
            # A command that blocked is counted once, when it is finally
            # answered (served, timed out, unblocked), as Redis does.
            self.bcmd = cmd
            self.last_cmd = cmd.name
            if srv.monitors and not (self.flags & CF_REPROCESSING):
                self.feed_monitors()
            return 0
        cmd.calls += 1
        cmd.usec += dur
        # Redis's incrCommandStatsOnError: failed if an error was counted
        # since the last call() ended, nested ones included (the commands of
        # EXEC and of scripts), so EXEC/EVAL fail for their own reply only.
        if srv.total_error_replies != srv.prev_err_count:
            cmd.failed_calls += 1
        srv.prev_err_count = srv.total_error_replies
        srv.total_commands += 1
        self.last_cmd = cmd.name
        if self.flags & CF_REPLY_SKIP:
            self.flags &= ~CF_REPLY_SKIP
        if srv.monitors and not (cmd.flags & (CMD_SKIP_MONITOR | CMD_ADMIN)) \
                and not (self.flags & CF_REPROCESSING):
            self.feed_monitors()
        if srv.slowlog_threshold_us >= 0 and dur >= srv.slowlog_threshold_us and srv.slowlog is not None \
                and not (cmd.flags & CMD_SKIP_SLOWLOG):
            srv.slowlog(self, self.argv_list(), dur)
        return 0

    cdef int feed_monitors(self) except -1:
        cdef ServerState srv = self.srv
        now = time.time()
        if self.flags & CF_UNIX:
            where = "unix:%s" % (self.laddr or "")
        else:
            where = "%s:%s" % (self.addr[0], self.addr[1]) if self.addr else \
                ("lua" if self.transport is None else "?")    # the scripts' client
        from fastkv._core.util import redact_argv, repr_arg
        args = " ".join(repr_arg(a) for a in redact_argv(self.argv_list(), srv))
        line = ("+%.6f [%d %s] %s\r\n" % (now, self.db.id, where, args)).encode("utf-8", "surrogateescape")
        for m in list(srv.monitors):
            m.write_now(line)
        return 0

    def write_now(self, bytes data):
        """Send bytes to this client outside its own request cycle (MONITOR)."""
        if self.transport is not None and not (self.flags & CF_CLOSED):
            self.srv.net_output_bytes += len(data)
            self.transport.write(data)

    # ------------------------------------------------------------ blocking
    # Blocking commands (Redis's blocked.c, with Redis 7.2's re-execution
    # model, built once for lists, sorted sets and streams):
    #
    # - A handler that finds nothing to serve calls block_for_keys() instead
    #   of replying (or, when deny_blocking(), replies as on a timeout).  The
    #   client stops processing input; its parsed command stays in the query
    #   buffer (like a CLIENT PAUSEd one) and it waits in
    #   db.blocking_keys[key], in arrival order.
    # - A key that gets a list/zset/stream (Database.add_value, set_value,
    #   RENAME/MOVE/COPY ...) is signalled (signal_key_as_ready) into
    #   ks.ready_keys; after the running command (after EXEC as a whole),
    #   dispatch() calls ServerState.handle_ready_keys, which re-runs the
    #   command of each client waiting on the key, first come first served,
    #   while the key holds the right type.  A re-run that still finds
    #   nothing blocks again with its original deadline (CF_REPROCESSING).
    # - Timeout (a loop timer), CLIENT UNBLOCK and disconnection unblock.
    cdef int parse_timeout(self, int i, long long *deadline_ms) except -1:
        """getTimeoutFromObjectOrReply (seconds, fractional): the absolute
        deadline in unix ms, 0 = forever.  Returns 1 after replying an error."""
        cdef long double ld
        cdef long long tval, now
        if self.flags & CF_REPROCESSING:
            deadline_ms[0] = self.bdeadline_ms
            return 0
        if not fk_string2ld(self.argv[i].p, self.argv[i].n, &ld) or ld != ld:
            self.add_error_str("ERR timeout is not a float or out of range")
            return 1
        ld *= 1000.0
        if ld < 0:
            self.add_error_str("ERR timeout is negative")
            return 1
        if ld > <long double>LLONG_MAX:
            # Redis casts ceill(ms) to long long: past LLONG_MAX it turns negative
            self.add_error_str("ERR timeout is negative")
            return 1
        tval = <long long>ld
        if <long double>tval < ld:
            tval += 1       # ceill(), as Redis: 0.0001 s waits 1 ms, not forever
        if tval > 0:
            now = fk_mstime()
            # 7.0.15 adds the time unchecked: past LLONG_MAX the deadline
            # wraps negative and the client waits forever
            tval = tval + now if tval <= LLONG_MAX - now else 0
        deadline_ms[0] = tval
        return 0

    cdef bint deny_blocking(self) noexcept:
        """CLIENT_DENY_BLOCKING: inside EXEC (and scripts) a blocking command
        must answer at once as if it timed out."""
        return (self.flags & CF_IN_EXEC) != 0

    cdef int block_for_keys(self, int first, int nkeys, long long deadline_ms, int btype) except -1:
        """blockForKeys: wait on argv[first:first+nkeys] of the running command."""
        cdef Database db = self.db
        cdef Keyspace ks = db.ks
        cdef list keys = []
        cdef list lst
        cdef bytes key
        cdef int j
        if self.flags & CF_REPROCESSING:
            deadline_ms = self.bdeadline_ms
        for j in range(first, first + nkeys):
            key = self.arg(j)
            if key in keys:
                continue
            keys.append(key)
            lst = db.blocking_keys.get(key)
            if lst is None:
                lst = db.blocking_keys[key] = []
            lst.append(self)
            ks.blocking_registrations += 1
        self.flags |= CF_BLOCKED
        self.btype = btype
        self.bdeadline_ms = deadline_ms
        self.bkeys = keys
        self.bdb = db
        self.srv.blocked_clients += 1
        if deadline_ms:
            self.btimer = asyncio.get_event_loop().call_later(
                max(0.0, (deadline_ms - fk_mstime()) / 1000.0), self.block_timed_out)
        return 0

    cdef int unblock(self) except -1:
        """Forget the waits (unblockClient); the reply is the caller's."""
        cdef Database db = self.bdb
        cdef list lst
        if not (self.flags & CF_BLOCKED):
            return 0
        self.flags &= ~CF_BLOCKED
        for key in self.bkeys:
            lst = db.blocking_keys.get(key)
            if lst is not None:
                try:
                    lst.remove(self)
                    db.ks.blocking_registrations -= 1
                except ValueError:
                    pass
                if not lst:
                    del db.blocking_keys[key]
        self.bkeys = None
        self.bdb = None
        self.btype = BLOCKED_NONE
        self.srv.blocked_clients -= 1
        if self.btimer is not None:
            self.btimer.cancel()
            self.btimer = None
        return 0

    cdef int reprocess_blocked(self) except -1:
        """A key it waits on is ready: run the blocked command again."""
        self.unblock()
        self.flags |= CF_REPROCESSING
        try:
            self.dispatch()
        finally:
            self.flags &= ~CF_REPROCESSING
        if not (self.flags & CF_BLOCKED):
            self.bstate = None
            self.reset_request()
            self.srv.add_pending_write(self)
            if self.qpos < self.qlen and self.srv.call_soon is not None:
                self.srv.call_soon(self.resume_input)
        return 0

    def resume_input(self):
        """Process what a client pipelined behind a blocking command."""
        if self.flags & (CF_CLOSED | CF_BLOCKED | CF_PAUSED):
            return
        self.process_input()
        self.flush()

    def block_timed_out(self):
        self.btimer = None
        if not (self.flags & CF_BLOCKED) or (self.flags & CF_CLOSED):
            return
        self.unblock_with(False)

    def unblock_with(self, bint error):
        """Timeout or CLIENT UNBLOCK: reply as on a timeout (a null array)
        or with the UNBLOCKED error, then go on with the client's input.
        Returns False if the client was not blocked."""
        if not (self.flags & CF_BLOCKED):
            return False
        self.unblock()
        self.bstate = None
        if error:
            self.add_error_str("UNBLOCKED client unblocked via CLIENT UNBLOCK")
        else:
            self.add_null_array()
        if self.bcmd is not None:       # updateStatsOnUnblock
            self.bcmd.calls += 1
            if error:
                self.bcmd.failed_calls += 1
            self.srv.total_commands += 1
            self.bcmd = None
        self.reset_request()
        self.process_input()
        self.flush()
        return True

    cdef list argv_list(self):
        cdef int i
        return [PyBytes_FromStringAndSize(self.argv[i].p, self.argv[i].n) for i in range(self.argc)]

    cdef bytes arg(self, int i):
        return PyBytes_FromStringAndSize(self.argv[i].p, self.argv[i].n)

    cdef int flush(self) except -1:
        cdef bytes out
        if self.olen > 0:
            if self.transport is not None and not (self.flags & CF_CLOSED):
                out = PyBytes_FromStringAndSize(self.ob, self.olen)
                self.srv.net_output_bytes += self.olen
                self.transport.write(out)
                if self.flags & CF_READING_PAUSED:
                    # the peer doesn't keep up: enforce client-output-buffer-limit
                    self.check_obuf_limits()
            self.olen = 0
            if self.ocap > 64 * 1024:
                free(self.ob)
                self.ocap = OB_INITIAL
                self.ob = <char *>malloc(self.ocap)
                if self.ob == NULL:
                    raise MemoryError()
        if (self.flags & CF_CLOSE_AFTER_REPLY) and self.transport is not None:
            self.flags |= CF_CLOSED
            self.transport.close()
        return 0

    cdef int check_obuf_limits(self) except -1:
        """checkClientOutputBufferLimits + closeClientOnOutputBufferLimitReached:
        the output the kernel hasn't taken (the transport's buffer) against
        the hard limit and, for soft-seconds, the soft limit of the class."""
        cdef ServerState srv = self.srv
        cdef int cls = OBUF_PUBSUB if (self.flags & CF_PUBSUB) else OBUF_NORMAL
        cdef long long hard = srv.obuf_hard[cls], soft = srv.obuf_soft[cls]
        cdef long long used, now
        cdef bint over = False
        if (hard == 0 and soft == 0) or self.transport is None or (self.flags & CF_CLOSED):
            return 0
        used = self.transport.get_write_buffer_size() + self.olen
        if hard and used >= hard:
            over = True
        elif soft and used >= soft:
            now = fk_mstime()
            if self.obuf_soft_since_ms == 0:
                self.obuf_soft_since_ms = now
            elif now - self.obuf_soft_since_ms >= srv.obuf_soft_secs[cls] * 1000:
                over = True
        else:
            self.obuf_soft_since_ms = 0
        if over:
            self.log_warning("Client %s scheduled to be closed ASAP for overcoming of output buffer limits."
                             % self.describe())
            self.flags |= CF_CLOSED
            self.olen = 0
            self.transport.abort()     # drops the buffered output now
        return 0

    def describe(self):
        """catClientInfoString, for log lines."""
        server = self.srv.server
        if server is not None and hasattr(server, "client_info_string"):
            return server.client_info_string(self)
        return "id=%d" % self.id

    @property
    def obuf_mem(self):
        """Output not yet taken by the kernel (CLIENT LIST omem)."""
        cdef long long n = self.olen
        if self.transport is not None and not (self.flags & CF_CLOSED):
            n += self.transport.get_write_buffer_size()
        return n

    # ------------------------------------------------------------ replies
    cdef int add_push_raw(self, const char *p, Py_ssize_t n) except -1:
        """Output that is not a reply to this client's command (a pub/sub
        message): CLIENT REPLY OFF/SKIP don't silence it (CLIENT_PUSHING)."""
        if self.flags & CF_CLOSED:
            return 0
        if self.olen + n > self.ocap:
            self.reserve(n)
        memcpy(self.ob + self.olen, p, n)
        self.olen += n
        if self.olen >= PUSH_FLUSH_BYTES:
            # Hand a big backlog to the transport now, where the output
            # buffer limits see it, rather than after the publisher's batch.
            self.flush()
        return 0

    cdef int add_push_len(self, long long n) except -1:
        """A push frame header: '>' in RESP3, an array in RESP2."""
        return self.add_prefixed_len(b'>' if self.resp == 3 else b'*', n)

    cdef int reserve(self, Py_ssize_t n) except -1:
        cdef Py_ssize_t cap
        cdef char *p
        if self.olen + n <= self.ocap:
            return 0
        cap = self.ocap * 2
        while cap < self.olen + n:
            cap *= 2
        p = <char *>realloc(self.ob, cap)
        if p == NULL:
            raise MemoryError()
        self.ob = p
        self.ocap = cap
        return 0

    cdef int add_raw(self, const char *p, Py_ssize_t n) except -1:
        if self.flags & (CF_REPLY_OFF | CF_REPLY_SKIP):
            return 0
        if self.olen + n > self.ocap:
            self.reserve(n)
        memcpy(self.ob + self.olen, p, n)
        self.olen += n
        return 0

    cdef int add_prefixed_len(self, char prefix, long long n) except -1:
        cdef char *w
        if self.flags & (CF_REPLY_OFF | CF_REPLY_SKIP):
            return 0
        if self.olen + 32 > self.ocap:
            self.reserve(32)
        w = self.ob + self.olen
        w[0] = prefix
        w += 1
        w += fmt_ll(w, n)
        w[0] = b'\r'
        w[1] = b'\n'
        self.olen = (w + 2) - self.ob
        return 0

    cdef int add_bulk(self, const char *p, Py_ssize_t n) except -1:
        cdef char *w
        if self.flags & (CF_REPLY_OFF | CF_REPLY_SKIP):
            return 0
        if self.olen + n + 32 > self.ocap:
            self.reserve(n + 32)
        w = self.ob + self.olen
        w[0] = b'$'
        w += 1
        w += fmt_ll(w, n)
        w[0] = b'\r'
        w[1] = b'\n'
        w += 2
        memcpy(w, p, n)
        w += n
        w[0] = b'\r'
        w[1] = b'\n'
        self.olen = (w + 2) - self.ob
        return 0

    cdef int add_int(self, long long v) except -1:
        return self.add_prefixed_len(b':', v)

    cdef int add_simple(self, const char *p, Py_ssize_t n) except -1:
        self.add_raw(b"+", 1)
        self.add_raw(p, n)
        return self.add_raw(b"\r\n", 2)

    cdef int add_error(self, const char *p, Py_ssize_t n) except -1:
        cdef bytes clean
        if memchr(p, b'\r', n) != NULL or memchr(p, b'\n', n) != NULL:
            # As Redis: CR/LF in an error (an echoed argument) become spaces,
            # or the line would end early and the rest break the protocol.
            clean = p[:n].replace(b"\r", b" ").replace(b"\n", b" ")
            p = clean
        self.srv.count_error(p[:n])
        self.add_raw(b"-", 1)
        self.add_raw(p, n)
        return self.add_raw(b"\r\n", 2)

    cdef int add_error_str(self, str s) except -1:
        cdef bytes b = s.encode("utf-8", "replace")
        return self.add_error(b, len(b))

    cdef int add_null(self) except -1:
        if self.resp == 3:
            return self.add_raw(b"_\r\n", 3)
        return self.add_raw(b"$-1\r\n", 5)

    cdef int add_null_array(self) except -1:
        if self.resp == 3:
            return self.add_raw(b"_\r\n", 3)
        return self.add_raw(b"*-1\r\n", 5)

    cdef int add_array_len(self, long long n) except -1:
        return self.add_prefixed_len(b'*', n)

    cdef int add_map_len(self, long long n) except -1:
        if self.resp == 3:
            return self.add_prefixed_len(b'%', n)
        return self.add_prefixed_len(b'*', n * 2)

    cdef int add_set_len(self, long long n) except -1:
        if self.resp == 3:
            return self.add_prefixed_len(b'~', n)
        return self.add_prefixed_len(b'*', n)

    cdef int add_ok(self) except -1:
        return self.add_raw(b"+OK\r\n", 5)

    cdef int add_double(self, double d) except -1:
        cdef char buf[128]
        cdef int n = fk_d2string(buf, sizeof(buf), d)
        if self.resp == 3:
            self.add_raw(b",", 1)
            self.add_raw(buf, n)
            return self.add_raw(b"\r\n", 2)
        return self.add_bulk(buf, n)

    cdef int add_wrong_arity(self) except -1:
        return self.add_error_str("ERR wrong number of arguments for '%s' command" % self.cmd.name.decode())

    cdef int add_syntax_error(self) except -1:
        return self.add_error_str("ERR syntax error")

    cdef int add_not_integer(self) except -1:
        return self.add_error_str("ERR value is not an integer or out of range")

    cdef int add_wrongtype(self) except -1:
        return self.add_error_str("WRONGTYPE Operation against a key holding the wrong kind of value")

    # Python-facing reply API (handlers written in Python use these)
    def reply_ok(self):
        self.add_ok()

    def reply_status(self, s):
        if isinstance(s, str):
            s = s.encode()
        self.add_simple(s, len(s))

    def reply_error(self, s):
        if isinstance(s, str):
            s = s.encode("utf-8", "replace")
        self.add_error(s, len(s))

    def reply_int(self, long long v):
        self.add_int(v)

    def reply_bulk(self, s):
        if isinstance(s, str):
            s = s.encode("utf-8", "surrogateescape")
        self.add_bulk(s, len(s))

    def reply_null(self):
        self.add_null()

    def reply_null_array(self):
        self.add_null_array()

    def reply_array_len(self, long long n):
        self.add_array_len(n)

    def reply_map_len(self, long long n):
        self.add_map_len(n)

    def reply_set_len(self, long long n):
        self.add_set_len(n)

    def reply_double(self, double d):
        self.add_double(d)

    def reply_verbatim(self, s, str fmt="txt"):
        """RESP3 verbatim string (=), a bulk string in RESP2 (INFO, CLIENT INFO)."""
        if isinstance(s, str):
            s = s.encode("utf-8", "surrogateescape")
        if self.resp == 3:
            self.add_prefixed_len(b'=', len(s) + 4)
            b = fmt.encode() + b":" + s + b"\r\n"
            self.add_raw(b, len(b))
        else:
            self.add_bulk(s, len(s))

    def reply_raw(self, bytes b):
        self.add_raw(b, len(b))

    def reply(self, obj):
        """Encode a nested Python value (see fastkv.commands.meta for the
        shapes: list, RSet, dict, RStatus, str/bytes, int, float, None)."""
        if obj is None:
            self.add_null()
        elif isinstance(obj, RStatus):
            self.reply_status(obj)
        elif isinstance(obj, (bytes, str)):
            self.reply_bulk(obj)
        elif isinstance(obj, bool):
            self.add_int(1 if obj else 0)
        elif isinstance(obj, int):
            self.add_int(obj)
        elif isinstance(obj, float):
            self.add_double(obj)
        elif isinstance(obj, RSet):
            self.add_set_len(len(obj))
            for x in obj:
                self.reply(x)
        elif isinstance(obj, dict):
            self.add_map_len(len(obj))
            for k, v in obj.items():
                self.reply(k)
                self.reply(v)
        elif isinstance(obj, (list, tuple)):
            self.add_array_len(len(obj))
            for x in obj:
                self.reply(x)
        else:
            raise TypeError("cannot encode %r" % (obj,))

    @property
    def qbuf_len(self):
        return self.qlen - self.qpos

    @property
    def qbuf_cap(self):
        return self.qcap

    @property
    def obuf_len(self):
        return self.olen

    @property
    def argv_len_sum(self):
        cdef int i
        cdef long long s = 0
        for i in range(self.argc):
            s += self.argv[i].n
        return s

    @property
    def current_command(self):
        return self.cmd


# Redis flag names (as in COMMAND INFO) -> the CMD_* bits above; the command
# table converts Redis's metadata with it.
FLAG_BITS = {
    "write": CMD_WRITE, "readonly": CMD_READONLY, "denyoom": CMD_DENYOOM, "admin": CMD_ADMIN,
    "pubsub": CMD_PUBSUB, "noscript": CMD_NOSCRIPT, "blocking": CMD_BLOCKING, "loading": CMD_LOADING,
    "stale": CMD_STALE, "skip_monitor": CMD_SKIP_MONITOR, "skip_slowlog": CMD_SKIP_SLOWLOG,
    "fast": CMD_FAST, "no_auth": CMD_NO_AUTH, "may_replicate": CMD_MAY_REPLICATE,
    "sentinel": CMD_SENTINEL, "only_sentinel": CMD_ONLY_SENTINEL,
    "no_mandatory_keys": CMD_NO_MANDATORY_KEYS, "protected": CMD_PROTECTED,
    "no_async_loading": CMD_NO_ASYNC_LOADING, "no_multi": CMD_NO_MULTI,
    "movablekeys": CMD_MOVABLE_KEYS, "allow_busy": CMD_ALLOW_BUSY,
}

# fastkv's own command bits, applied by the command table
CONTEXT_BITS = {"pubsub_context": CMD_PUBSUB_CONTEXT, "multi_control": CMD_MULTI_CONTROL}

# client flags, for CLIENT LIST/INFO and CLIENT REPLY in Python
CLIENT_FLAGS = {
    "close_after_reply": CF_CLOSE_AFTER_REPLY, "reply_off": CF_REPLY_OFF,
    "reply_skip_next": CF_REPLY_SKIP_NEXT, "reply_skip": CF_REPLY_SKIP, "no_evict": CF_NO_EVICT,
    "no_touch": CF_NO_TOUCH, "monitor": CF_MONITOR, "closed": CF_CLOSED, "paused": CF_PAUSED,
    "blocked": CF_BLOCKED,
    "unix": CF_UNIX, "pubsub": CF_PUBSUB, "multi": CF_MULTI, "dirty_exec": CF_DIRTY_EXEC,
}
