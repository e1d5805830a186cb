"""The slow log (Redis's slowlog.c): the newest commands that ran longer
than slowlog-log-slower-than, with their (redacted, truncated) arguments."""
from __future__ import annotations

import collections
import time

from fastkv._core.util import redact_argv
from fastkv.services.clients import peer_id

SLOWLOG_ENTRY_MAX_ARGC = 32
SLOWLOG_ENTRY_MAX_STRING = 128


class SlowLog:
    def __init__(self):
        # newest first: (id, unix time, duration us, args, peer id, client name)
        self.entries = collections.deque()
        self.next_id = 0

    def __len__(self):
        return len(self.entries)

    def push(self, c, argv, duration_us, srv, max_len):
        """slowlogPushEntryIfNeeded() once the threshold was passed."""
        argv = redact_argv(argv, srv)
        argc = len(argv)
        n = min(argc, SLOWLOG_ENTRY_MAX_ARGC)
        args = []
        for j in range(n):
            if n != argc and j == n - 1:
                args.append(b"... (%d more arguments)" % (argc - n + 1))
            else:
                a = argv[j]
                if len(a) > SLOWLOG_ENTRY_MAX_STRING:
                    a = a[:SLOWLOG_ENTRY_MAX_STRING] + b"... (%d more bytes)" % (
                        len(a) - SLOWLOG_ENTRY_MAX_STRING)
                args.append(a)
        entry = (self.next_id, int(time.time()), duration_us, args,
                 peer_id(c).encode("utf-8", "surrogateescape"), c.name or b"")
        self.next_id += 1
        self.entries.appendleft(entry)
        while len(self.entries) > max_len:
            self.entries.pop()

    def reset(self):
        self.entries.clear()
