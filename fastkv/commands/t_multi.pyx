# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Transactions (Redis's multi.c): MULTI EXEC DISCARD WATCH UNWATCH.

Inside MULTI the dispatcher (client.pyx) queues every command except the
MULTI-control ones with their arguments copied out of the query buffer, and
answers +QUEUED; a command rejected at queue time (unknown, wrong arity ...)
flags the transaction so that EXEC aborts with EXECABORT.  EXEC runs the
queue through the same call() as any command, so each command's effects
take the ordinary write path; run-time errors are replies like any other and
do not stop the rest.

WATCH state lives in the keyspace (keyspace.pyx: Watcher, WatchedKey, touched
by signal_modified_key, expiry, FLUSH* and SWAPDB); EXEC also fails when a
watched key, alive when WATCHed, has logically expired since.
"""
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE
from fastkv._core.client cimport (Client, Command, Arg, wrap, CF_MULTI, CF_DIRTY_EXEC, CF_IN_EXEC)
from fastkv._core.keyspace cimport Keyspace, Watcher
from fastkv._core.shared cimport attach

attach()


cdef int multi_impl(Client c) except -1:
    if c.flags & CF_MULTI:
        return c.add_error_str("ERR MULTI calls can not be nested")
    c.flags |= CF_MULTI
    c.multi_queue = []
    return c.add_ok()

cdef int discard_impl(Client c) except -1:
    if not (c.flags & CF_MULTI):
        return c.add_error_str("ERR DISCARD without MULTI")
    c.discard_multi()
    return c.add_ok()

cdef int watch_impl(Client c) except -1:
    cdef int i
    if c.flags & CF_MULTI:
        return c.add_error_str("ERR WATCH inside MULTI is not allowed")
    if c.watcher is None:
        c.watcher = Watcher()
    for i in range(1, c.argc):
        c.watcher.watch(c.db, c.arg(i))
    return c.add_ok()

cdef int unwatch_impl(Client c) except -1:
    c.unwatch_all()
    return c.add_ok()


cdef int run_queue(Client c, list queue) except -1:
    cdef Command cmd
    cdef list argv
    cdef bytes a
    cdef int i
    for cmd, argv in queue:
        c.ensure_argv(len(argv))
        for i in range(len(argv)):
            a = argv[i]
            c.argv[i].p = PyBytes_AS_STRING(a)
            c.argv[i].n = PyBytes_GET_SIZE(a)
        c.argc = len(argv)
        c.call(cmd)
    return 0


cdef int exec_impl(Client c) except -1:
    cdef Keyspace ks = c.srv.keyspace
    cdef list queue
    cdef Arg saved0
    cdef int saved_argc
    if not (c.flags & CF_MULTI):
        return c.add_error_str("ERR EXEC without MULTI")
    if c.watcher is not None and not c.watcher.dirty and c.watcher.expired_since_watch():
        c.watcher.dirty = True
    if c.flags & CF_DIRTY_EXEC:
        c.add_error_str("EXECABORT Transaction discarded because of previous errors.")
        c.discard_multi()
        return 0
    if c.watcher is not None and c.watcher.dirty:
        c.add_null_array()
        c.discard_multi()
        return 0
    queue = c.multi_queue
    c.unwatch_all()
    c.flags |= CF_IN_EXEC
    c.add_array_len(len(queue))
    saved0 = c.argv[0]
    saved_argc = c.argc
    if ks.propagating:
        # The queue's writes reach the writers as one MULTI ... EXEC block
        # (and nothing at all if nothing was written).
        writes = []
        hook = ks.propagate_hook
        ks.propagate_hook = lambda dbid, argv: writes.append((dbid, argv))
        try:
            run_queue(c, queue)
        finally:
            ks.propagate_hook = hook
        if writes:
            hook(writes[0][0], [b"MULTI"])
            for dbid, argv in writes:
                hook(dbid, argv)
            hook(writes[-1][0], [b"EXEC"])
    else:
        run_queue(c, queue)
    c.argv[0] = saved0
    c.argc = saved_argc
    c.discard_multi()
    return 0


multi_cmd = wrap(multi_impl)
exec_cmd = wrap(exec_impl)
discard_cmd = wrap(discard_impl)
watch_cmd = wrap(watch_impl)
unwatch_cmd = wrap(unwatch_impl)
