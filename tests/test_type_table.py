"""Every row of the type table (csrc/fk_object.h), exercised over TCP.

For each (type, encoding) row there is a recipe that builds such a value
with commands.  The value is then taken through everything that must go
through the row and nothing else: TYPE, OBJECT ENCODING, SCAN TYPE, COPY
(an independent equal copy), RENAME, MOVE, MEMORY USAGE, DEBUG OBJECT,
DEL, UNLINK; and the same recipe run on redis-server 7.0 must give the same
encoding.  A new row without a recipe here fails
test_every_row_has_a_recipe (string rows are covered in C by
tests/test_cstructs.py)."""
import pytest

ctest = pytest.importorskip("fastkv._core.ctest")

K = "tt:key"
BIG = "v" * 100          # over every *-max-listpack-value default (64)

RECIPES = {
    ("list", "quicklist"): ["RPUSH", K, "a", "b", "1", "-2", BIG],
    ("hash", "listpack"): ["HSET", K, "f", "v", "n", "1"],
    ("hash", "hashtable"): ["HSET", K, "f", BIG, "n", "1"],
    ("set", "intset"): ["SADD", K, "1", "2", "-3", "100000"],
    ("set", "hashtable"): ["SADD", K, "a", "b", "1"],
    ("zset", "listpack"): ["ZADD", K, "1", "a", "2.5", "b", "-1", "c"],
    ("zset", "skiplist"): ["ZADD", K, "1", "a", "2.5", BIG, "-1", "c"],
    ("stream", "stream"): ["XADD", K, "1-1", "f", "v"],
}

READERS = {
    "list": lambda r, k: r.lrange(k, 0, -1),
    "hash": lambda r, k: sorted(r.hgetall(k).items()),
    "set": lambda r, k: sorted(r.smembers(k)),
    "zset": lambda r, k: r.zrange(k, 0, -1, withscores=True),
    "stream": lambda r, k: r.xrange(k),
}

COLLECTION_ROWS = [r for r in ctest.objtype_rows() if r["type_name"] != "string"]


def _id(row):
    return "%s-%s" % (row["type_name"], row["enc_name"])


def test_every_row_has_a_recipe():
    for row in COLLECTION_ROWS:
        assert (row["type_name"], row["enc_name"]) in RECIPES, row


def test_every_recipe_has_a_row():
    rows = {(r["type_name"], r["enc_name"]) for r in ctest.objtype_rows()}
    assert set(RECIPES) <= rows, set(RECIPES) - rows


@pytest.mark.parametrize("row", COLLECTION_ROWS, ids=_id)
def test_row_through_the_keyspace(r, row):
    typ, enc = row["type_name"], row["enc_name"]
    read = READERS[typ]
    r.flushall()
    r.execute_command(*RECIPES[(typ, enc)])
    assert r.type(K) == typ.encode()
    assert r.object("encoding", K) == enc.encode()
    value = read(r, K)
    assert value

    # SCAN TYPE and KEYS see it by its row's type name
    assert r.scan(0, count=100, _type=typ)[1] == [K.encode()]
    assert r.scan(0, count=100, _type="string")[1] == []

    # COPY: an equal, independent value with the same encoding
    assert r.copy(K, K + ":copy") == 1
    assert read(r, K + ":copy") == value
    assert r.object("encoding", K + ":copy") == enc.encode()
    # the same value (the key name of the copy is 5 bytes longer; allocators
    # may or may not round that away, and a buffer grown by realloc, as the
    # original's listpack, may sit in a larger chunk than the copy's exact
    # allocation: one malloc size class either way)
    assert abs(r.memory_usage(K + ":copy") - r.memory_usage(K)) <= 5 + 32
    assert r.memory_usage(K) > 0
    r.delete(K)
    assert read(r, K + ":copy") == value

    # RENAME and MOVE carry the value, not a copy of it
    r.rename(K + ":copy", K)
    assert read(r, K) == value
    assert r.move(K, 1) == 1
    r1 = r.connection_pool.connection_kwargs
    import redis
    other = redis.Redis(host=r1["host"], port=r1["port"], db=1)
    try:
        assert read(other, K) == value
        assert other.object("encoding", K) == enc.encode()
        assert other.unlink(K) == 1
        assert other.exists(K) == 0
    finally:
        other.close()

    # the rest of the server is fine
    assert r.ping()


@pytest.mark.compat
@pytest.mark.parametrize("recipe", sorted(RECIPES), ids=lambda x: "%s-%s" % x)
def test_recipe_encoding_matches_redis(compat, recipe):
    cmd = " ".join(RECIPES[recipe])
    compat.check(cmd, "OBJECT ENCODING " + K, "TYPE " + K)


@pytest.mark.compat
@pytest.mark.parametrize("recipe", sorted(RECIPES), ids=lambda x: "%s-%s" % x)
def test_wrongtype_on_strings_and_back(compat, recipe):
    """A collection key refuses string commands and the other types' commands
    (WRONGTYPE), and a string key refuses the collection's commands."""
    cmd = " ".join(RECIPES[recipe])
    compat.check(cmd, "GET " + K, "INCR " + K, "APPEND %s x" % K, "STRLEN " + K,
                 "LPUSH %s x" % K, "HSET %s f v" % K, "SADD %s m" % K, "ZADD %s 1 m" % K,
                 "SET s v", cmd.replace(K, "s"))


def test_debug_object_on_every_row(start_server):
    srv = start_server("--enable-debug-command", "yes")
    with srv.raw(timeout=5) as c:
        for (typ, enc), recipe in sorted(RECIPES.items()):
            c.call("DEL", K)
            c.call(*recipe)
            reply = c.call_raw("DEBUG", "OBJECT", K)
            assert reply.startswith(b"+Value at:0x"), reply
            assert b" encoding:%s " % enc.encode() in reply, reply
