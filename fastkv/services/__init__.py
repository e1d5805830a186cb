"""Server services: subsystems that watch the server and keep state between
commands, which the admin commands (commands/introspect.py, t_client.py ...)
only read and reset.

    state.py    the per-server ``Services`` object: created at start-up by
                ``install(server)``, found by handlers with ``state_of(srv)``
    slowlog.py  SLOWLOG entries (fed by the core for slow commands)
    latency.py  the latency monitor's per-event history (LATENCY ...)
    memory.py   used/peak/RSS memory, per-client memory, MEMORY STATS figures
    info.py     the INFO text, section by section
    clients.py  how a client is named in replies and logs (peer id, locality)

Imports point down: commands -> services -> _core.  A service never imports
a command module.
"""
