# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Client-side caching (Redis 7.0's tracking.c): who may hold which key, and
the invalidation messages when it changes.

Two modes, as in Redis:

- default: after a tracking client ran a read-only command, the command's
  keys are remembered in the tracking table (key -> client ids).  The first
  change of a key (signal_modified_key: every write, expiry, FLUSH*) sends
  `invalidate [key]` to every id listed and forgets the key: a client hears
  about a key once per read.  OPTIN/OPTOUT with CLIENT CACHING decide which
  reads are remembered; NOLOOP skips keys the client changed itself.
- BCAST: no table.  Clients subscribe to key prefixes ("" = all keys); a
  changed key is noted under every matching prefix, and once per event-loop
  iteration (Redis's beforeSleep, here a call_soon) each prefix sends its
  keys, sorted, as one array to its subscribers.

Delivery: a RESP3 client gets a push `>2 invalidate <keys>`; with REDIRECT
the message goes to the other client instead, as a push if it speaks RESP3,
or as a `message` on `__redis__:invalidate` if it is a RESP2 client in
pub/sub mode.  A flush sends a null instead of the key array.  When the
redirection client is gone, a RESP3 tracking client gets
`tracking-redir-broken <id>` (and the R flag).  An invalidation meant for
the client whose command causes it is held until that command (a whole
EXEC) has replied, so the push follows the reply, as Redis's
tracking_pending_keys.

Cost when nobody tracks: the keyspace's `tracking` word is 0 unless a client
tracks or the table still holds keys, so signal_modified_key pays one test;
Client.call pays one pointer test (Client.tracking is None).  The table is
global (not per db), like Redis's, and client ids are removed lazily: a key
lists ids of clients that may have left or turned tracking off; they are
skipped when the key changes.

When the table passes tracking-table-max-keys, random keys are invalidated
(as if changed) right after the command that added them, until it fits
again (trackingLimitUsedSlots; Redis runs it before the next command of any
client, so no command observes the excess either way).  A random pick is
O(1): the keys are also kept in an array, swap-removed on deletion.
"""
from fastkv._core.client cimport (Client, Command, ServerState, CF_PUBSUB, CF_MULTI,
                                  CF_IN_EXEC, CF_CLOSED, CMD_READONLY, CMD_PUBSUB,
                                  CMD_MOVABLE_KEYS)
from fastkv._core.keyspace cimport Keyspace
from fastkv._core.shared cimport attach
from libc.stdlib cimport rand

attach()

# the flags as Python names, for the CLIENT handlers (commands/t_client.py)
FLAGS = {"bcast": TRK_BCAST, "optin": TRK_OPTIN, "optout": TRK_OPTOUT, "caching": TRK_CACHING,
         "noloop": TRK_NOLOOP, "broken_redir": TRK_BROKEN_REDIR}

cdef bytes PUSH_HEAD = b">2\r\n$10\r\ninvalidate\r\n"
cdef bytes PUBSUB_HEAD = b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n"
# commands whose keys are not remembered themselves: their scripts' commands are
cdef frozenset RO_SCRIPTS = frozenset([b"eval_ro", b"evalsha_ro", b"fcall_ro"])
cdef frozenset SCRIPT_CMDS = frozenset([b"eval", b"evalsha", b"eval_ro", b"evalsha_ro", b"fcall",
                                        b"fcall_ro"])


cdef inline bytes key_array(list keys):
    """`*N $len key ...`: the value part of an invalidation message."""
    cdef list parts = [b"*%d\r\n" % len(keys)]
    cdef bytes k
    for k in keys:
        parts.append(b"$%d\r\n%s\r\n" % (len(k), k))
    return b"".join(parts)


cdef inline bytes null_of(Client c):
    """shared.null[c->resp]: the flush message's value."""
    return b"_\r\n" if c.resp == 3 else b"$-1\r\n"


cdef inline bint is_client_cmd(Command cmd):
    return cmd.name == b"client" or (cmd.parent is not None and cmd.parent.name == b"client")


cdef int key_hook(object ctx, const char *k, Py_ssize_t n) except -1:
    """signal_modified_key's tracking half (trackingInvalidateKey)."""
    return (<Tracking>ctx).invalidate(k[:n], True)


cdef int call_hook(object ctx, object obj, object cmdobj, int phase) except -1:
    """Around each command of a tracking client (Client.call): phase 0 before,
    1 after, 2 when it disconnects, 3 when a command of it was rejected."""
    cdef Tracking t = <Tracking>ctx
    cdef Client c = <Client>obj
    cdef Command cmd
    cdef ClientTracking ct
    if phase == 0:
        if t.depth == 0:
            t.current = c
        t.depth += 1
        return 0
    if phase == 2:
        t.disable(c)
        return 0
    ct = c.tracking
    if phase == 3:
        # rejected before running (unknown, arity, NOAUTH ...): resetClient
        # still ends a CLIENT CACHING (outside MULTI; CLIENT's own rejections
        # keep it, as 7.0's prevcmd == clientCommand)
        if not (c.flags & CF_MULTI) and not (cmdobj is not None and is_client_cmd(<Command>cmdobj)):
            ct.flags &= ~TRK_CACHING
        return 0
    cmd = <Command>cmdobj
    if t.depth > 0:
        t.depth -= 1
    if ct is not None and (cmd.flags & CMD_READONLY) and not (ct.flags & TRK_BCAST) \
            and not (cmd.flags & CMD_PUBSUB) and cmd.name not in RO_SCRIPTS:
        t.remember_keys(c, c, cmd)
    if t.depth == 0:
        if t.current is c:
            t.current = None
        if c.flags & CF_IN_EXEC:
            # a command of an EXEC that turned tracking on: its invalidations
            # go after EXEC's whole reply (the next loop turn)
            if t.pending and t.srv.call_soon is not None:
                t.srv.call_soon(t.send_later, c, t.pending)
                t.pending = []
            return 0
        # resetClient: CLIENT CACHING lasts one command (a whole MULTI/EXEC;
        # any CLIENT subcommand keeps it)
        if ct is not None and (ct.flags & TRK_CACHING) and not (c.flags & CF_MULTI) \
                and not is_client_cmd(cmd):
            ct.flags &= ~TRK_CACHING
        if t.pending:
            t.send_pending(c)
        if t.max_keys and len(t.table) > <Py_ssize_t>t.max_keys:
            # (Redis trims before the next command; trimming right after the
            # read that went over keeps every command from seeing the excess)
            t.limit_used_slots()
    return 0


cdef class ClientTracking:
    def __cinit__(self):
        self.flags = 0
        self.redirect = 0
        self.prefixes = None


cdef class BcastState:
    def __cinit__(self):
        self.keys = {}
        self.clients = {}


cdef class Tracking:
    def __cinit__(self, ServerState srv):
        self.srv = srv
        self.ks = srv.keyspace
        self.table = {}
        self.keylist = []
        self.keypos = {}
        self.prefix_table = {}
        self.pending = []
        self.max_keys = 1000000
        self.ks.tracking_hook = key_hook
        self.ks.tracking_call = call_hook
        self.ks.tracking_ctx = self

    cdef int update_flag(self) except -1:
        """The keyspace calls us while someone tracks or the table has keys."""
        self.ks.tracking = 1 if (self.nclients or self.table) else 0
        return 0

    # -- CLIENT TRACKING on/off (enableTracking, disableTracking) ------------
    def enable(self, Client c, long long redirect, int options, list prefixes):
        cdef ClientTracking ct = c.tracking
        cdef BcastState bs
        cdef bytes p
        if ct is None:
            ct = ClientTracking()
            c.tracking = ct
            self.nclients += 1
        ct.flags &= ~(TRK_BROKEN_REDIR | TRK_BCAST | TRK_OPTIN | TRK_OPTOUT | TRK_NOLOOP)
        ct.redirect = redirect
        if options & TRK_BCAST:
            ct.flags |= TRK_BCAST
            for p in (prefixes or [b""]):
                bs = self.prefix_table.get(p)
                if bs is None:
                    bs = self.prefix_table[p] = BcastState()
                if c not in bs.clients:
                    bs.clients[c] = None
                    if ct.prefixes is None:
                        ct.prefixes = {}
                    ct.prefixes[p] = None
        ct.flags |= options & (TRK_OPTIN | TRK_OPTOUT | TRK_NOLOOP)
        self.update_flag()

    def disable(self, Client c):
        cdef ClientTracking ct = c.tracking
        cdef BcastState bs
        if ct is None:
            return
        if ct.prefixes:
            for p in ct.prefixes:
                bs = self.prefix_table.get(p)
                if bs is not None:
                    bs.clients.pop(c, None)
                    if not bs.clients:
                        del self.prefix_table[p]
            ct.prefixes = None
        c.tracking = None
        self.nclients -= 1
        self.update_flag()

    # -- the tracking table ------------------------------------------------
    cdef int remember_keys(self, Client c, Client executing, Command cmd) except -1:
        """trackingRememberKeys: c read the keys of `cmd`, which `executing`
        ran (c itself, or the script client running c's script): the keys
        are in executing's argv now."""
        cdef ClientTracking ct = c.tracking
        cdef int i, first, last, step
        cdef list keys
        cdef dict ids
        cdef bytes key
        cdef bint caching = (ct.flags & TRK_CACHING) != 0
        if ((ct.flags & TRK_OPTIN) and not caching) or ((ct.flags & TRK_OPTOUT) and caching):
            return 0
        if cmd.flags & CMD_MOVABLE_KEYS:
            if self.getkeys is None:
                return 0
            argv = executing.argv_list()
            try:
                keys = [argv[pos] for pos, _ in self.getkeys(cmd, argv)]
            except Exception:       # a command without usable key metadata: no keys
                return 0
        elif cmd.first_key <= 0:
            return 0                # DBSIZE, KEYS, SCAN ...: no key arguments
        else:
            first = cmd.first_key
            last = cmd.last_key
            if last < 0:
                last += executing.argc
            step = cmd.key_step if cmd.key_step > 0 else 1
            keys = []
            i = first
            while i <= last and i < executing.argc:
                keys.append(executing.arg(i))
                i += step
        for key in keys:
            ids = self.table.get(key)
            if ids is None:
                ids = self.table[key] = {}
                self.keypos[key] = len(self.keylist)
                self.keylist.append(key)
            if c.id not in ids:
                ids[c.id] = None
                self.total_items += 1
        if keys:
            self.ks.tracking = 1
        return 0

    cdef int invalidate(self, bytes key, bint bcast) except -1:
        """trackingInvalidateKey: key changed (bcast) or is evicted from the
        table (not bcast): tell the clients that may cache it, forget it."""
        cdef dict ids
        cdef BcastState bs
        cdef bytes p
        cdef Client target
        cdef ClientTracking ct
        cdef dict clients
        if bcast and self.prefix_table:
            noted = False
            # the client that changed it (NOLOOP skips it); inside a script
            # that is the script client, not the caller, as in 7.0
            modifier = self.current
            if modifier is not None and modifier.cmd is not None and modifier.cmd.name in SCRIPT_CMDS:
                modifier = None
            for p, bs in self.prefix_table.items():
                if key.startswith(p):
                    bs.keys[key] = modifier
                    noted = True
            if noted:
                self.schedule_broadcast()
        ids = self.table.pop(key, None)
        if ids is None:
            return 0
        # swap-remove from the key array (for random eviction)
        pos = self.keypos.pop(key)
        last = self.keylist.pop()
        if pos < len(self.keylist):
            self.keylist[pos] = last
            self.keypos[last] = pos
        self.total_items -= len(ids)
        if not self.table and not self.nclients:
            self.ks.tracking = 0
        clients = self.srv.clients
        for cid in ids:
            target = clients.get(cid)
            if target is None or (target.flags & CF_CLOSED):
                continue
            ct = target.tracking
            if ct is None or (ct.flags & TRK_BCAST):
                continue
            if target is self.current:
                if not (ct.flags & TRK_NOLOOP):
                    self.pending.append(key)     # after its reply
                continue
            self.send(target, key_array([key]))
        return 0

    def send_later(self, Client c, list pending):
        for key in pending:
            if c.flags & CF_CLOSED:
                break
            self.send(c, key_array([key]) if key is not None else null_of(c))

    cdef int send_pending(self, Client c) except -1:
        """trackingHandlePendingKeyInvalidations: c's command has replied."""
        cdef list pending = self.pending
        self.pending = []
        for key in pending:
            if c.flags & CF_CLOSED:
                break
            self.send(c, key_array([key]) if key is not None else null_of(c))
        return 0

    cdef int send(self, Client c, bytes payload) except -1:
        """sendTrackingMessage: `payload` (RESP: a key array or a null) to c,
        or to the client it redirects to."""
        cdef ClientTracking ct = c.tracking
        cdef long long redirect = ct.redirect if ct is not None else 0
        cdef Client target = c
        cdef bint redirected = False
        cdef bytes msg
        cdef ServerState srv = self.srv
        if redirect:
            target = srv.clients.get(redirect)
            if target is None or (target.flags & CF_CLOSED):
                if ct is not None:
                    ct.flags |= TRK_BROKEN_REDIR
                if c.resp > 2:
                    msg = b">2\r\n$21\r\ntracking-redir-broken\r\n:%d\r\n" % redirect
                    c.add_push_raw(msg, len(msg))
                    srv.add_pending_write(c)
                return 0
            redirected = True
        if target.resp > 2:
            msg = PUSH_HEAD + payload
        elif redirected and (target.flags & CF_PUBSUB):
            msg = PUBSUB_HEAD + payload
        else:
            return 0        # RESP2 without a redirection: nowhere to send it
        target.add_push_raw(msg, len(msg))
        srv.add_pending_write(target)
        return 0

    def on_flush(self, bint lazy=False):
        """trackingInvalidateKeysOnFlush (FLUSHDB, FLUSHALL): a null to every
        tracking client, and the table starts over."""
        cdef Client c
        if self.nclients:
            for c in list(self.srv.clients.values()):
                if c.tracking is None or (c.flags & CF_CLOSED):
                    continue
                if c is self.current:
                    self.pending.append(None)
                else:
                    self.send(c, null_of(c))
        self.table = {}
        self.keylist = []
        self.keypos = {}
        self.total_items = 0
        self.update_flag()

    cdef int limit_used_slots(self) except -1:
        """trackingLimitUsedSlots: over tracking-table-max-keys, invalidate
        random keys with an effort that grows while it stays over."""
        cdef long long effort
        if not self.max_keys or len(self.table) <= <Py_ssize_t>self.max_keys:
            self.limit_counter = 0
            return 0
        effort = 100 * (self.limit_counter + 1)
        while effort > 0 and self.table:
            effort -= 1
            self.invalidate(self.keylist[rand() % len(self.keylist)], False)
            if len(self.table) <= <Py_ssize_t>self.max_keys:
                self.limit_counter = 0
                return 0
        self.limit_counter += 1
        return 0

    def set_max_keys(self, long long n):
        """tracking-table-max-keys (CONFIG SET applies it at once)."""
        self.max_keys = n
        self.limit_used_slots()

    # -- BCAST -------------------------------------------------------------
    cdef int schedule_broadcast(self) except -1:
        if self.bcast_scheduled:
            return 0
        self.bcast_scheduled = True
        if self.srv.call_soon is not None:
            self.srv.call_soon(self.broadcast)
        else:
            self.broadcast()        # no loop to defer to (embedded use)
        return 0

    def broadcast(self):
        """trackingBroadcastInvalidationMessages: each prefix's changed keys,
        sorted, to its subscribers (once per loop iteration)."""
        cdef BcastState bs
        cdef Client c
        cdef ClientTracking ct
        cdef bytes proto
        cdef list keys, mine
        self.bcast_scheduled = False
        for p in sorted(self.prefix_table):
            bs = self.prefix_table[p]
            if not bs.keys:
                continue
            keys = sorted(bs.keys)
            proto = key_array(keys)
            for c in list(bs.clients):
                ct = c.tracking
                if ct is None or (c.flags & CF_CLOSED):
                    continue
                if ct.flags & TRK_NOLOOP:
                    mine = [k for k in keys if bs.keys[k] is not c]
                    if mine:
                        self.send(c, key_array(mine))
                else:
                    self.send(c, proto)
            bs.keys = {}

    # -- introspection -----------------------------------------------------
    def info(self):
        """(tracking_total_keys, tracking_total_items, tracking_total_prefixes)."""
        return len(self.table), self.total_items, len(self.prefix_table)


cdef int remember_script_keys(Client caller, Client executing, Command cmd) except -1:
    """For scripting: `executing` (the script client) ran `cmd` inside the
    script `caller` runs.  7.0's call() then remembers, for a tracking
    caller, the keys of the caller's own command (EVAL/FCALL's KEYS, from
    its argv) if `cmd` is read-only: `EVAL "return redis.call('get','x')" 1 k`
    tracks k, not x, and a script that only writes tracks nothing (redis-server
    7.0.15 does exactly this)."""
    cdef ClientTracking ct = caller.tracking
    if ct is None or not (cmd.flags & CMD_READONLY) or (ct.flags & TRK_BCAST) \
            or (cmd.flags & CMD_PUBSUB) or caller.cmd is None:
        return 0
    return (<Tracking>caller.srv.keyspace.tracking_ctx).remember_keys(caller, caller, caller.cmd)


def get_tracking(ServerState srv):
    """The server's Tracking state, made on first use."""
    t = srv.keyspace.tracking_ctx
    if t is None:
        t = Tracking(srv)
    return t
