"""The thin event-loop shell around the Cython core.

It listens (TCP on each bind address, and a unix socket), creates one
`Client` protocol object per connection, and runs the cron timer that Redis
calls serverCron: active expiry, incremental rehashing, client timeouts,
CLIENT PAUSE expiry and the instantaneous-ops sampler.  Everything per
command happens inside the Cython Client; nothing here is on the hot path.
"""
import asyncio
import errno
import os
import signal
import socket
import time

from fastkv import REDIS_VERSION, __version__
from fastkv import log as _log
from fastkv._core.client import Client, ServerState
from fastkv._core.pubsub import PubSub
from fastkv.config import ConfigError
from fastkv._core.keyspace import Keyspace, set_lazyfree_config
from fastkv._core.shared import set_encoding_config
from fastkv.services import state as services
from fastkv.services.notify import keyspace_notify_flags
from fastkv.commands import table

try:
    import uvloop
except ImportError:  # pragma: no cover - uvloop is a dependency; keep a plain fallback
    uvloop = None


# CONFIG parameters read by the C types through fk_sh (set_encoding_config's order)
ENCODING_PARAMS = ("list-max-listpack-size", "list-compress-depth", "hash-max-listpack-entries",
                   "hash-max-listpack-value", "set-max-intset-entries",
                   "zset-max-listpack-entries", "zset-max-listpack-value",
                   "stream-node-max-bytes", "stream-node-max-entries", "hll-sparse-max-bytes")


class Server:
    def __init__(self, cfg):
        self.config = cfg
        self.keyspace = Keyspace(cfg["databases"])
        self.state = st = ServerState()
        st.keyspace = self.keyspace
        st.server = self
        table.install(st)
        self.pubsub = PubSub(st)       # also delivers keyspace events
        self.start_time = time.time()
        self.start_monotonic = time.monotonic()
        self.lastsave = int(time.time())
        self.tcp_listeners = []
        self.bound = None              # (bind, port) the TCP listeners serve
        self.unix_listeners = []
        self.loop = None
        self.cron_handle = None
        self.cronloops = 0
        self.shutdown_asked = False
        self.exit_code = 0
        self.run_id = os.urandom(20).hex()
        self.pid = os.getpid()
        self.ops_samples = []          # (ms, total_commands, net_in, net_out) for instantaneous stats
        self.instantaneous = (0, 0.0, 0.0)
        self.tcp_port = 0
        self._apply_config()
        for name in ("requirepass", "proto-max-bulk-len", "client-query-buffer-limit",
                     "maxclients", "timeout", "maxmemory-policy", "client-output-buffer-limit",
                     "lazyfree-lazy-user-del", "lazyfree-lazy-user-flush", *ENCODING_PARAMS):
            cfg.on_change(name, lambda n, v: self._apply_config())
        services.install(self)  # slow log, latency monitor, memory peak state
        cfg.on_change("port", self.rebind)
        cfg.on_change("bind", self.rebind)
        cfg.on_change("notify-keyspace-events", lambda n, v: self._apply_config())

    # ------------------------------------------------------------ config
    def _apply_config(self):
        cfg, st = self.config, self.state
        st.requirepass = (cfg["requirepass"] or "").encode("utf-8", "surrogateescape")
        st.proto_max_bulk_len = cfg["proto-max-bulk-len"]
        st.client_query_buffer_limit = cfg["client-query-buffer-limit"]
        st.maxclients = cfg["maxclients"]
        st.client_timeout_s = cfg["timeout"]
        self.keyspace.lfu = "lfu" in str(cfg["maxmemory-policy"])
        self.keyspace.notify_flags = keyspace_notify_flags(cfg["notify-keyspace-events"])
        set_encoding_config(*(cfg[name] for name in ENCODING_PARAMS))
        set_lazyfree_config(cfg["lazyfree-lazy-user-del"], cfg["lazyfree-lazy-user-flush"])
        limits = dict(cfg["client-output-buffer-limit"])
        for idx, cls in enumerate(("normal", "replica", "pubsub")):
            st.set_obuf_limit(idx, *limits[cls])

    # ------------------------------------------------------------ logging
    def log(self, msg, level=None):
        _log.log(_log.NOTICE if level is None else level, msg)

    def log_warning(self, msg):
        _log.log(_log.WARNING, msg)

    # ------------------------------------------------------------ lifecycle
    def bind_tcp(self, binds, port):
        """Bound, listening TCP sockets for `bind` x `port` (Redis's
        listenToPort).  An address with a leading '-' may fail silently;
        any other failure raises OSError, with nothing left open."""
        socks = []
        try:
            for addr in binds:
                optional = addr.startswith("-")
                host = addr[1:] if optional else addr
                if host == "*":
                    host = "0.0.0.0"
                family = socket.AF_INET6 if ":" in host else socket.AF_INET
                try:
                    sock = socket.socket(family, socket.SOCK_STREAM)
                except OSError:
                    if optional:
                        continue
                    raise
                try:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    if family == socket.AF_INET6:
                        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                    sock.bind((host, port))
                    sock.listen(self.config["tcp-backlog"])
                    sock.setblocking(False)
                except OSError as exc:
                    sock.close()
                    if optional and exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT,
                                                  errno.EPROTONOSUPPORT, errno.ENOPROTOOPT):
                        continue
                    self.log_warning("Warning: Could not create server TCP listening socket %s:%d: %s"
                                     % (host, port, exc.strerror or exc))
                    raise
                socks.append(sock)
        except OSError:
            for sock in socks:
                sock.close()
            raise
        return socks

    async def serve_tcp(self, socks):
        factory = lambda: Client(self.state)
        servers = [await self.loop.create_server(factory, sock=sock) for sock in socks]
        self.tcp_listeners.extend(servers)
        if servers and not self.tcp_port:
            self.tcp_port = servers[0].sockets[0].getsockname()[1]

    def rebind(self, name, value):
        """CONFIG SET port/bind: listen on the new addresses first, then
        close the old listeners (changeListenPort/changeBindAddr).  Open
        connections stay."""
        cfg = self.config
        wanted = (tuple(cfg["bind"]), cfg["port"])
        if wanted == self.bound:
            return           # e.g. the rollback of a failed CONFIG SET
        try:
            socks = self.bind_tcp(cfg["bind"], cfg["port"]) if cfg["port"] else []
        except OSError:
            raise ConfigError("Unable to listen on this port. Check server logs." if name == "port"
                              else "Failed to bind to specified addresses.")
        old, self.tcp_listeners = self.tcp_listeners, []
        for srv in old:
            srv.close()
        self.tcp_port = 0
        self.bound = wanted
        self.loop.create_task(self.serve_tcp(socks))

    # ------------------------------------------------------------ lifecycle
    async def start(self):
        self.loop = asyncio.get_running_loop()
        self.state.call_soon = self.loop.call_soon   # deferred writes to subscribers
        cfg = self.config
        port = cfg["port"]
        factory = lambda: Client(self.state)
        if port:
            self.log("Running mode=standalone, port=%d." % port)
            try:
                await self.serve_tcp(self.bind_tcp(cfg["bind"], port))
            except OSError:
                raise SystemExit(1)
        self.bound = (tuple(cfg["bind"]), port)
        path = cfg["unixsocket"]
        if path:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
            srv = await self.loop.create_unix_server(factory, path=path, backlog=cfg["tcp-backlog"])
            perm = cfg["unixsocketperm"]
            if perm:
                os.chmod(path, perm)
            self.unix_listeners.append(srv)
        if not self.tcp_listeners and not self.unix_listeners:
            self.log_warning("Configured to not listen anywhere, exiting.")
            raise SystemExit(1)
        self.loop.add_signal_handler(signal.SIGTERM, self.signal_shutdown, "SIGTERM")
        self.loop.add_signal_handler(signal.SIGINT, self.signal_shutdown, "SIGINT")
        self.schedule_cron()
        self.log("Server initialized")
        if port:
            self.log("Ready to accept connections tcp")
        if path:
            self.log("Ready to accept connections unix")

    def schedule_cron(self):
        hz = max(1, min(500, self.config["hz"]))
        self.cron_handle = self.loop.call_later(1.0 / hz, self.cron)

    def cron(self):
        """serverCron: bounded housekeeping, hz times per second."""
        try:
            hz = max(1, min(500, self.config["hz"]))
            ks = self.keyspace
            # active expiry: at most 25% of a tick (ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC)
            ks.active_expire_cycle(int(1_000_000 / hz * 0.25))
            if self.config["activerehashing"]:
                ks.rehash_cron(1)
            now_ms = int(time.time() * 1000)
            st = self.state
            if st.paused_until_ms and now_ms >= st.paused_until_ms:
                self.unpause_clients()
            if st.client_timeout_s:
                limit = st.client_timeout_s * 1000
                for c in list(st.clients.values()):
                    if now_ms - c.last_interaction_ms > limit and not c.is_special():
                        self.log("Closing idle client", _log.VERBOSE)
                        c.close()
            self.sample_stats(now_ms)
            services.cron_tick(self)
            self.cronloops += 1
        except Exception as exc:  # the cron must never die
            self.log_warning("cron error: %r" % (exc,))
        finally:
            if not self.shutdown_asked:
                self.schedule_cron()

    def sample_stats(self, now_ms):
        st = self.state
        self.ops_samples.append((now_ms, st.total_commands, st.net_input_bytes, st.net_output_bytes))
        if len(self.ops_samples) > 16:
            self.ops_samples.pop(0)
        if len(self.ops_samples) >= 2:
            t0, c0, i0, o0 = self.ops_samples[0]
            t1, c1, i1, o1 = self.ops_samples[-1]
            dt = max(1, t1 - t0) / 1000.0
            self.instantaneous = (int((c1 - c0) / dt), (i1 - i0) / dt / 1024, (o1 - o0) / dt / 1024)

    def unpause_clients(self):
        st = self.state
        st.paused_until_ms = 0
        paused, st.paused_clients = st.paused_clients, []
        for c in paused:
            c.resume_paused()

    def signal_shutdown(self, name):
        self.log_warning("Received %s scheduling shutdown..." % name)
        self.shutdown()

    def shutdown_command(self, c, argv):
        """SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]."""
        from fastkv._core.client import ReplyError
        opts = [a.lower() for a in argv[1:]]
        nosave = save = abort = False
        for o in opts:
            if o == b"nosave":
                nosave = True
            elif o == b"save":
                save = True
            elif o in (b"now", b"force"):
                pass
            elif o == b"abort":
                abort = True
            else:
                raise ReplyError("ERR syntax error")
        if (abort and len(opts) > 1) or (nosave and save):
            raise ReplyError("ERR syntax error")
        if abort:
            raise ReplyError("ERR No shutdown in progress.")
        if save:
            # RDB persistence is not part of fastkv yet: refuse rather than
            # pretend the data was saved.
            self.log_warning("Error trying to save the DB: RDB persistence is not available in this version")
            raise ReplyError("ERR Errors trying to SHUTDOWN. Check logs.")
        self.log_warning("User requested shutdown...")
        self.shutdown()
        c.close()

    def shutdown(self):
        if self.shutdown_asked:
            return
        self.shutdown_asked = True
        if self.cron_handle:
            self.cron_handle.cancel()
        for srv in self.tcp_listeners + self.unix_listeners:
            srv.close()
        for c in list(self.state.clients.values()):
            c.close()
        path = self.config["unixsocket"]
        if path:
            try:
                os.unlink(path)
            except OSError:
                pass
        self.log_warning("fastkv is now ready to exit, bye bye...")
        self.loop.call_soon(self.loop.stop)

    # ------------------------------------------------------------ misc
    def uptime(self):
        return int(time.monotonic() - self.start_monotonic)


def daemonize():
    """Detach like redis-server's daemonize(): fork, new session, stdio to /dev/null."""
    if os.fork() > 0:
        os._exit(0)
    os.setsid()
    fd = os.open(os.devnull, os.O_RDWR)
    for std in (0, 1, 2):
        os.dup2(fd, std)
    if fd > 2:
        os.close(fd)


def run_server(cfg):
    """Start the server and block until it shuts down (fastkv-server)."""
    if cfg["daemonize"]:
        daemonize()
    _log.setup(cfg)
    if uvloop is not None:
        loop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = Server(cfg)
    _log.log(_log.NOTICE, "oO0OoO0OoO0Oo fastkv is starting oO0OoO0OoO0Oo")
    _log.log(_log.NOTICE, "fastkv version=%s, redis_version=%s, bits=64, pid=%d, just started"
             % (__version__, REDIS_VERSION, os.getpid()))
    pidfile = cfg["pidfile"] or ("/var/run/redis_%d.pid" % cfg["port"] if cfg["daemonize"] else "")
    try:
        loop.run_until_complete(server.start())
        if pidfile:
            with open(pidfile, "w") as f:
                f.write("%d\n" % os.getpid())
        loop.run_forever()
    finally:
        if pidfile:
            try:
                os.unlink(pidfile)
            except OSError:
                pass
        loop.close()
    return server.exit_code
