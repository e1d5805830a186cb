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


def test_metadata_is_redis_s():
    for cmd in table.build():
        entry = meta.lookup(cmd.name.decode())
        if entry is None:         # newer than the metadata file (CLIENT NO-TOUCH lives under CLIENT)
            continue
        assert cmd.arity == entry["arity"]
        assert (cmd.first_key, cmd.last_key, cmd.key_step) == (
            entry["first_key"], entry["last_key"], entry["step"])
        for flag in entry["flags"]:
            if flag in FLAG_BITS:
                assert cmd.flags & FLAG_BITS[flag], (cmd.name, flag)


@pytest.mark.parametrize("name", ["get", "set", "incr", "mset", "del", "scan", "expire"])
def test_hot_commands_are_cython_handlers(name):
    """The hot path must not call into Python for these (ARCHITECTURE.md)."""
    from fastkv._core.client import Handler
    row = next(r for r in table.ROWS if r.name == name)
    assert isinstance(row.handler, Handler)
