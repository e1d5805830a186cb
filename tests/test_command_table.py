"""The command table (fastkv/commands/table.py) is THE list of commands:
names unique, every row has a handler (or is a container whose
subcommands all have one), metadata comes from Redis's data and agrees
with what the dispatcher enforces."""
import pytest

from fastkv._core.client import FLAG_BITS
from fastkv import meta
from fastkv.commands import table


def all_rows():
    for row in table.ROWS:
        yield row
        yield from row.subcommands


def test_names_are_unique_and_lowercase():
    names = [row.name for row in all_rows()]
    assert len(names) == len(set(names))
    assert all(n == n.lower() for n in names)


def test_every_row_has_a_handler():
    for row in table.ROWS:
        if row.subcommands:
            # a container's own handler runs when no subcommand is given
            # (COMMAND alone); otherwise its arity (-2) rejects that case
            if row.handler is None:
                assert meta.lookup(row.name)["arity"] <= -2, row.name
            for sub in row.subcommands:
                assert sub.handler is not None, sub.name
                assert sub.name.startswith(row.name + "|"), sub.name
        else:
            assert row.handler is not None, row.name


def _redis_command_info(real_redis):
    """COMMAND INFO of every command, as the real redis-server reports it."""
    conn = real_redis.raw(timeout=10)
    try:
        reply = conn.call("COMMAND")
    finally:
        conn.close()
    out = {}

    def add(entry):
        out[entry[0].decode()] = entry
        for sub in entry[9] if len(entry) > 9 else ():
            add(sub)

    for entry in reply:
        add(entry)
    return out


@pytest.mark.compat
def test_table_agrees_with_the_real_redis_server(real_redis):
    """Each command's arity, key positions and flags, as the dispatcher holds
    them, are what a running redis-server 7.0 reports: checks both the
    generated metadata file and how the table reads it."""
    theirs = _redis_command_info(real_redis)
    checked = 0

    def check(cmd):
        nonlocal checked
        name = cmd.name.decode()
        entry = theirs.get(name)
        if entry is None:          # newer than 7.0 (CLIENT NO-TOUCH)
            assert name in ("client|no-touch",), name
            return
        arity, flags, first, last, step = entry[1], entry[2], entry[3], entry[4], entry[5]
        assert cmd.arity == arity, name
        assert (cmd.first_key, cmd.last_key, cmd.key_step) == (first, last, step), name
        theirs_bits = 0
        for flag in flags:
            theirs_bits |= FLAG_BITS.get(flag.decode(), 0)
        ours_bits = cmd.flags & sum(FLAG_BITS.values())
        assert ours_bits == theirs_bits, (name, flags)
        checked += 1

    for cmd in table.build():
        check(cmd)
        for sub in (cmd.subcommands or {}).values():
            check(sub)
    assert checked > 100


@pytest.mark.parametrize("name", ["get", "set", "incr", "mset", "del", "scan", "expire"])
def test_hot_commands_are_cython_handlers(name):
    """The hot path must not call into Python for these (ARCHITECTURE.md)."""
    from fastkv._core.client import Handler
    row = next(r for r in table.ROWS if r.name == name)
    assert isinstance(row.handler, Handler)
