# The connection: RESP parser, command dispatch, reply buffer.
from libc.stdint cimport uint64_t, int64_t
from fastkv._core.cdefs cimport fk_dict
from fastkv._core.keyspace cimport Database, Keyspace, Watcher

cdef struct Arg:
    const char *p       # valid only while the command runs (points into the query buffer)
    Py_ssize_t n
    Py_ssize_t off      # offset in the query buffer while parsing

ctypedef int (*cmd_fn)(Client c) except -1

# command flags (Redis's CMD_*)
cdef enum:
    CMD_WRITE = 1 << 0
    CMD_READONLY = 1 << 1
    CMD_DENYOOM = 1 << 2
    CMD_ADMIN = 1 << 4
    CMD_PUBSUB = 1 << 5
    CMD_NOSCRIPT = 1 << 6
    CMD_BLOCKING = 1 << 8
    CMD_LOADING = 1 << 9
    CMD_STALE = 1 << 10
    CMD_SKIP_MONITOR = 1 << 11
    CMD_SKIP_SLOWLOG = 1 << 12
    CMD_FAST = 1 << 14
    CMD_NO_AUTH = 1 << 15
    CMD_MAY_REPLICATE = 1 << 16
    CMD_SENTINEL = 1 << 17
    CMD_ONLY_SENTINEL = 1 << 18
    CMD_NO_MANDATORY_KEYS = 1 << 19
    CMD_PROTECTED = 1 << 20
    CMD_MODULE_GETKEYS = 1 << 21
    CMD_NO_ASYNC_LOADING = 1 << 23
    CMD_NO_MULTI = 1 << 24
    CMD_MOVABLE_KEYS = 1 << 25
    CMD_ALLOW_BUSY = 1 << 26
    # fastkv's own bits (set by commands/table.py, not in Redis's metadata)
    CMD_PUBSUB_CONTEXT = 1 << 28   # allowed in RESP2 subscribed mode
    CMD_MULTI_CONTROL = 1 << 29    # runs at once inside MULTI (EXEC, DISCARD, WATCH ...)

# client flags
cdef enum:
    CF_CLOSE_AFTER_REPLY = 1 << 0
    CF_REPLY_OFF = 1 << 1
    CF_REPLY_SKIP_NEXT = 1 << 2
    CF_REPLY_SKIP = 1 << 3
    CF_NO_EVICT = 1 << 4
    CF_NO_TOUCH = 1 << 5
    CF_MONITOR = 1 << 6
    CF_CLOSED = 1 << 7
    CF_PAUSED = 1 << 8       # a parsed command waits for CLIENT UNPAUSE
    CF_UNIX = 1 << 9
    CF_READING_PAUSED = 1 << 10  # the transport's buffer is over its high-water mark
    CF_PUBSUB = 1 << 11          # subscribed to something (RESP2: subscribed mode)
    CF_MULTI = 1 << 12           # inside MULTI: commands are queued
    CF_DIRTY_EXEC = 1 << 13      # a queued command was rejected: EXEC aborts
    CF_PENDING_WRITE = 1 << 14   # in srv.pending_writes
    CF_IN_EXEC = 1 << 15         # running EXEC's queue (blocking commands don't block)
    CF_BLOCKED = 1 << 16         # waiting in a blocking command (BLPOP ...): input not processed
    CF_REPROCESSING = 1 << 17    # re-running its blocking command because a key became ready
    CF_SCRIPT = 1 << 18          # the client scripts run their commands with (Redis's CLIENT_SCRIPT)

# what a blocked client waits for (Redis's BLOCKED_* numbers)
cdef enum:
    BLOCKED_NONE = 0
    BLOCKED_LIST = 1
    BLOCKED_STREAM = 4
    BLOCKED_ZSET = 5

# client classes of client-output-buffer-limit
cdef enum:
    OBUF_NORMAL = 0
    OBUF_REPLICA = 1
    OBUF_PUBSUB = 2

cdef class Handler:
    cdef cmd_fn fn

cdef Handler wrap(cmd_fn fn)

cdef class Command:
    cdef readonly bytes name          # full name: b"get", b"config|get"
    cdef cmd_fn fn                    # Cython handler, or NULL
    cdef readonly object pyfn         # Python handler fn(client, argv: list[bytes])
    cdef readonly int arity
    cdef readonly unsigned int flags
    cdef readonly int first_key, last_key, key_step
    cdef readonly object meta         # Redis's metadata (fastkv/commands/redis_commands.json)
    cdef readonly dict subcommands    # lowercase name -> Command, or None
    cdef readonly Command parent
    cdef public long long calls, usec, rejected_calls, failed_calls

cdef class ServerState:
    """What the hot path needs of the server, as C fields."""
    cdef public Keyspace keyspace
    cdef public object server                 # the Python Server (fastkv.server)
    cdef fk_dict *commands                    # lowercase name -> borrowed Command
    cdef public dict command_objects          # owns the Command objects
    cdef public bytes requirepass             # b"" = none
    cdef public long long proto_max_bulk_len
    cdef public long long client_query_buffer_limit
    cdef public long long next_client_id
    cdef public long long total_commands
    cdef public long long total_connections
    cdef public long long rejected_connections
    cdef public long long maxclients
    cdef public long long client_timeout_s
    cdef public long long net_input_bytes
    cdef public long long net_output_bytes
    cdef public long long total_error_replies
    cdef public long long prev_err_count        # total_error_replies when the last call() ended
    cdef public int call_depth                  # call() nesting (EXEC, scripts)
    cdef public long long unexpected_error_replies
    cdef public long long slowlog_threshold_us   # < 0 disables
    cdef public object slowlog                  # callable(client, argv list, duration_us) or None
    cdef public list monitors                   # clients in MONITOR mode
    cdef public long long paused_until_ms       # CLIENT PAUSE
    cdef public bint pause_writes_only
    cdef public list paused_clients
    cdef public dict clients                    # id -> Client
    cdef public dict error_stats                # b"ERR" -> count (INFO errorstats)
    cdef public object pubsub                   # fastkv._core.pubsub.PubSub
    cdef list pending_writes                    # clients given output by others (pub/sub)
    cdef public object call_soon                # the loop's call_soon: defers their writes
    cdef bint flush_scheduled
    cdef long long obuf_hard[3]                 # client-output-buffer-limit per class
    cdef long long obuf_soft[3]
    cdef long long obuf_soft_secs[3]
    cdef public long long blocked_clients       # INFO blocked_clients
    cdef bint serving_ready                     # inside handle_ready_keys

    cdef int handle_ready_keys(self) except -1

    cdef int add_pending_write(self, Client c) except -1
    cdef int flush_pending_writes(self) except -1

cdef class Client:
    cdef public object transport
    cdef public ServerState srv
    cdef public Database db
    cdef readonly long long id
    cdef public object name                # bytes or None
    cdef public object lib_name
    cdef public object lib_ver
    cdef public int resp
    cdef public bint authenticated
    cdef public unsigned int flags
    cdef public object addr, laddr
    cdef public long long ctime_ms
    cdef public long long last_interaction_ms
    cdef public bytes last_cmd
    cdef public object user
    cdef public dict pubsub_channels          # channel -> None (an ordered set)
    cdef public dict pubsub_patterns
    cdef public dict pubsub_shard_channels
    cdef public list multi_queue              # [(Command, argv list)] inside MULTI
    cdef public Watcher watcher               # WATCH state, None when not watching
    cdef public object tracking               # CLIENT TRACKING state (tracking.pyx), None when off
    cdef long long obuf_soft_since_ms         # when the soft limit was first passed, 0 = not over
    # blocking state (Redis's c->bstate)
    cdef public int btype                     # BLOCKED_* while CF_BLOCKED
    cdef public long long bdeadline_ms        # absolute unix ms, 0 = forever
    cdef public list bkeys                    # keys waited on (bytes), in bdb
    cdef public Database bdb
    cdef object btimer                        # the loop's TimerHandle for the timeout
    cdef Command bcmd                         # the blocked command, counted when answered
    cdef public object bstate                 # what the blocked command resolved when it blocked
                                              # (XREAD's '$' IDs), read back on re-execution;
                                              # None once it is answered
    cdef public bytes bready_key              # the key whose readiness re-runs it (CF_REPROCESSING)

    # query buffer and parser state
    cdef char *qb
    cdef Py_ssize_t qlen, qpos, qcap
    cdef Py_ssize_t cmdstart      # where the request being parsed starts in qb
    cdef int reqtype              # 0 unknown, 1 multibulk, 2 inline
    cdef long multibulklen        # args still to read of the current multibulk
    cdef long long bulklen        # length of the bulk being read, -1 = reading its header
    cdef Arg *argv
    cdef public int argc
    cdef int argvcap
    cdef Command cmd              # the command being executed

    # reply buffer
    cdef char *ob
    cdef Py_ssize_t olen, ocap

    cdef int process_input(self) except -1
    cdef int grow_qb(self, Py_ssize_t need) except -1
    cdef int ensure_argv(self, long n) except -1
    cdef bint must_pause(self, Command cmd) except -1
    cdef int reject(self, str msg, Command cmd) except -1
    cdef int reject_unknown(self) except -1
    cdef int feed_monitors(self) except -1
    cdef int parse_multibulk(self) except -1
    cdef int parse_inline(self) except -1
    cdef int protocol_error(self, str msg) except -1
    cdef void reset_request(self) noexcept
    cdef int dispatch(self) except -1
    cdef int call(self, Command cmd) except -1
    cdef int flush(self) except -1
    cdef int discard_multi(self) except -1
    cdef int unwatch_all(self) except -1
    cdef int check_obuf_limits(self) except -1
    cdef int add_push_raw(self, const char *p, Py_ssize_t n) except -1
    cdef int add_push_len(self, long long n) except -1
    cdef list argv_list(self)
    # blocking commands (see client.pyx "Blocking")
    cdef int parse_timeout(self, int i, long long *deadline_ms) except -1
    cdef bint deny_blocking(self) noexcept
    cdef int block_for_keys(self, int first, int nkeys, long long deadline_ms, int btype) except -1
    cdef int unblock(self) except -1
    cdef int reprocess_blocked(self) except -1
    cdef bytes arg(self, int i)

    # replies
    cdef int reserve(self, Py_ssize_t n) except -1
    cdef int add_raw(self, const char *p, Py_ssize_t n) except -1
    cdef int add_bulk(self, const char *p, Py_ssize_t n) except -1
    cdef int add_int(self, long long v) except -1
    cdef int add_prefixed_len(self, char prefix, long long n) except -1
    cdef int add_simple(self, const char *p, Py_ssize_t n) except -1
    cdef int add_error(self, const char *p, Py_ssize_t n) except -1
    cdef int add_error_str(self, str s) except -1
    cdef int add_null(self) except -1
    cdef int add_null_array(self) except -1
    cdef int add_array_len(self, long long n) except -1
    cdef int add_map_len(self, long long n) except -1
    cdef int add_set_len(self, long long n) except -1
    cdef int add_ok(self) except -1
    cdef int add_double(self, double d) except -1
    cdef int add_wrong_arity(self) except -1
    cdef int add_syntax_error(self) except -1
    cdef int add_not_integer(self) except -1
    cdef int add_wrongtype(self) except -1
