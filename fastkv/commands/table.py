"""THE command table: every command fastkv serves, one row each.

A row names the command and its handler.  Arity, flags, key positions and
ACL categories are Redis's own, read from redis_commands.json (generated
from redis-server by tools/gen_command_meta.py), the way Redis builds its
table from src/commands/*.json: COMMAND, COMMAND INFO/DOCS/COUNT/GETKEYS,
the arity errors and the NOAUTH/write checks all read the same metadata, so
they can't disagree with Redis or with each other.

A command whose name is missing here is answered `-ERR unknown command`.
Handlers are Cython functions (`t_string.get_cmd`) on the hot path, or
Python functions `fn(client, argv)` for slow admin commands.
"""
from fastkv._core.client import Command, FLAG_BITS, CONTEXT_BITS
from fastkv import meta
from fastkv.commands.util import help_handler
from fastkv.commands import (conn, debug, introspect, t_client, t_command, t_conn, t_hash, t_keys,
                             t_list, t_multi, t_pubsub, t_set, t_sort, t_string, t_zset)
# bitmaps, HyperLogLog, geo, streams (issue 7): one import line each
from fastkv.commands import t_stream
from fastkv.commands import t_stream_cg
from fastkv.commands import t_hll
from fastkv.commands import t_bitops
from fastkv.commands import t_geo
# Lua scripting, functions (issue 8): one import line each
from fastkv.scripting import lua as t_script


class Row:
    __slots__ = ("name", "handler", "subcommands", "meta")

    def __init__(self, name, handler, subcommands=(), meta=None):
        self.name = name
        self.handler = handler
        self.subcommands = subcommands
        self.meta = meta


def C(name, handler=None, *subcommands, meta=None):
    """A table row.  `meta` is only for commands newer than the Redis
    release the metadata file was generated from (e.g. 7.2's CLIENT
    NO-TOUCH): the same fields as an entry of redis_commands.json."""
    return Row(name, handler, subcommands, meta)


ROWS = [
    # -- strings (t_string.pyx) -------------------------------------------
    C("get", t_string.get_cmd),
    C("set", t_string.set_cmd),
    C("setnx", t_string.setnx_cmd),
    C("setex", t_string.setex_cmd),
    C("psetex", t_string.psetex_cmd),
    C("getset", t_string.getset_cmd),
    C("getdel", t_string.getdel_cmd),
    C("getex", t_string.getex_cmd),
    C("mget", t_string.mget_cmd),
    C("mset", t_string.mset_cmd),
    C("msetnx", t_string.msetnx_cmd),
    C("append", t_string.append_cmd),
    C("strlen", t_string.strlen_cmd),
    C("getrange", t_string.getrange_cmd),
    C("substr", t_string.getrange_cmd),
    C("setrange", t_string.setrange_cmd),
    C("incr", t_string.incr_cmd),
    C("decr", t_string.decr_cmd),
    C("incrby", t_string.incrby_cmd),
    C("decrby", t_string.decrby_cmd),
    C("incrbyfloat", t_string.incrbyfloat_cmd),
    C("lcs", t_string.lcs_cmd),
    # -- keys and databases (t_keys.pyx) ---------------------------------
    C("del", t_keys.del_cmd),
    C("unlink", t_keys.unlink_cmd),
    C("exists", t_keys.exists_cmd),
    C("touch", t_keys.touch_cmd),
    C("type", t_keys.type_cmd),
    C("keys", t_keys.keys_cmd),
    C("scan", t_keys.scan_cmd),
    C("randomkey", t_keys.randomkey_cmd),
    C("rename", t_keys.rename_cmd),
    C("renamenx", t_keys.renamenx_cmd),
    C("copy", t_keys.copy_cmd),
    C("move", t_keys.move_cmd),
    C("expire", t_keys.expire_cmd),
    C("pexpire", t_keys.pexpire_cmd),
    C("expireat", t_keys.expireat_cmd),
    C("pexpireat", t_keys.pexpireat_cmd),
    C("ttl", t_keys.ttl_cmd),
    C("pttl", t_keys.pttl_cmd),
    C("expiretime", t_keys.expiretime_cmd),
    C("pexpiretime", t_keys.pexpiretime_cmd),
    C("persist", t_keys.persist_cmd),
    C("object", None,
      C("object|encoding", t_keys.object_encoding_cmd),
      C("object|refcount", t_keys.object_refcount_cmd),
      C("object|idletime", t_keys.object_idletime_cmd),
      C("object|freq", t_keys.object_freq_cmd),
      C("object|help", help_handler(t_keys.OBJECT_HELP))),
    C("select", t_keys.select_cmd),
    C("swapdb", t_keys.swapdb_cmd),
    C("dbsize", t_keys.dbsize_cmd),
    C("flushdb", t_keys.flushdb_cmd),
    C("flushall", t_keys.flushall_cmd),
    # -- lists (t_list.pyx) ---------------------------------------------
    C("lpush", t_list.lpush_cmd),
    C("rpush", t_list.rpush_cmd),
    C("lpushx", t_list.lpushx_cmd),
    C("rpushx", t_list.rpushx_cmd),
    C("lpop", t_list.lpop_cmd),
    C("rpop", t_list.rpop_cmd),
    C("llen", t_list.llen_cmd),
    C("lrange", t_list.lrange_cmd),
    C("lindex", t_list.lindex_cmd),
    C("lset", t_list.lset_cmd),
    C("linsert", t_list.linsert_cmd),
    C("lrem", t_list.lrem_cmd),
    C("ltrim", t_list.ltrim_cmd),
    C("lpos", t_list.lpos_cmd),
    C("lmove", t_list.lmove_cmd),
    C("rpoplpush", t_list.rpoplpush_cmd),
    C("lmpop", t_list.lmpop_cmd),
    C("blpop", t_list.blpop_cmd),
    C("brpop", t_list.brpop_cmd),
    C("blmove", t_list.blmove_cmd),
    C("brpoplpush", t_list.brpoplpush_cmd),
    C("blmpop", t_list.blmpop_cmd),
    # -- hashes (t_hash.pyx) --------------------------------------------
    C("hset", t_hash.hset_cmd),
    C("hsetnx", t_hash.hsetnx_cmd),
    C("hget", t_hash.hget_cmd),
    C("hmget", t_hash.hmget_cmd),
    C("hmset", t_hash.hmset_cmd),
    C("hdel", t_hash.hdel_cmd),
    C("hlen", t_hash.hlen_cmd),
    C("hstrlen", t_hash.hstrlen_cmd),
    C("hexists", t_hash.hexists_cmd),
    C("hkeys", t_hash.hkeys_cmd),
    C("hvals", t_hash.hvals_cmd),
    C("hgetall", t_hash.hgetall_cmd),
    C("hincrby", t_hash.hincrby_cmd),
    C("hincrbyfloat", t_hash.hincrbyfloat_cmd),
    C("hrandfield", t_hash.hrandfield_cmd),
    C("hscan", t_hash.hscan_cmd),
    # -- sets (t_set.pyx) -----------------------------------------------
    C("sadd", t_set.sadd_cmd),
    C("srem", t_set.srem_cmd),
    C("scard", t_set.scard_cmd),
    C("sismember", t_set.sismember_cmd),
    C("smismember", t_set.smismember_cmd),
    C("smembers", t_set.smembers_cmd),
    C("spop", t_set.spop_cmd),
    C("srandmember", t_set.srandmember_cmd),
    C("smove", t_set.smove_cmd),
    C("sinter", t_set.sinter_cmd),
    C("sintercard", t_set.sintercard_cmd),
    C("sinterstore", t_set.sinterstore_cmd),
    C("sunion", t_set.sunion_cmd),
    C("sunionstore", t_set.sunionstore_cmd),
    C("sdiff", t_set.sdiff_cmd),
    C("sdiffstore", t_set.sdiffstore_cmd),
    C("sscan", t_set.sscan_cmd),
    # -- sorted sets (t_zset.pyx) ---------------------------------------
    C("zadd", t_zset.zadd_cmd),
    C("zincrby", t_zset.zincrby_cmd),
    C("zrem", t_zset.zrem_cmd),
    C("zcard", t_zset.zcard_cmd),
    C("zscore", t_zset.zscore_cmd),
    C("zmscore", t_zset.zmscore_cmd),
    C("zrank", t_zset.zrank_cmd),
    C("zrevrank", t_zset.zrevrank_cmd),
    C("zcount", t_zset.zcount_cmd),
    C("zlexcount", t_zset.zlexcount_cmd),
    C("zrange", t_zset.zrange_cmd),
    C("zrangestore", t_zset.zrangestore_cmd),
    C("zrevrange", t_zset.zrevrange_cmd),
    C("zrangebyscore", t_zset.zrangebyscore_cmd),
    C("zrevrangebyscore", t_zset.zrevrangebyscore_cmd),
    C("zrangebylex", t_zset.zrangebylex_cmd),
    C("zrevrangebylex", t_zset.zrevrangebylex_cmd),
    C("zremrangebyrank", t_zset.zremrangebyrank_cmd),
    C("zremrangebyscore", t_zset.zremrangebyscore_cmd),
    C("zremrangebylex", t_zset.zremrangebylex_cmd),
    C("zpopmin", t_zset.zpopmin_cmd),
    C("zpopmax", t_zset.zpopmax_cmd),
    C("zmpop", t_zset.zmpop_cmd),
    C("bzpopmin", t_zset.bzpopmin_cmd),
    C("bzpopmax", t_zset.bzpopmax_cmd),
    C("bzmpop", t_zset.bzmpop_cmd),
    C("zrandmember", t_zset.zrandmember_cmd),
    C("zunion", t_zset.zunion_cmd),
    C("zinter", t_zset.zinter_cmd),
    C("zdiff", t_zset.zdiff_cmd),
    C("zunionstore", t_zset.zunionstore_cmd),
    C("zinterstore", t_zset.zinterstore_cmd),
    C("zdiffstore", t_zset.zdiffstore_cmd),
    C("zintercard", t_zset.zintercard_cmd),
    C("zscan", t_zset.zscan_cmd),
    # -- SORT (t_sort.pyx) ----------------------------------------------
    C("sort", t_sort.sort_cmd),
    C("sort_ro", t_sort.sort_ro_cmd),
    # -- bitmaps (t_bitops.pyx) -------------------------------------------
    C("setbit", t_bitops.setbit_cmd),
    C("getbit", t_bitops.getbit_cmd),
    C("bitcount", t_bitops.bitcount_cmd),
    C("bitpos", t_bitops.bitpos_cmd),
    C("bitop", t_bitops.bitop_cmd),
    C("bitfield", t_bitops.bitfield_cmd),
    C("bitfield_ro", t_bitops.bitfield_ro_cmd),
    # -- HyperLogLog (t_hll.pyx) ------------------------------------------
    C("pfadd", t_hll.pfadd_cmd),
    C("pfcount", t_hll.pfcount_cmd),
    C("pfmerge", t_hll.pfmerge_cmd),
    C("pfdebug", t_hll.pfdebug_cmd),
    C("pfselftest", t_hll.pfselftest_cmd),
    # -- geo (t_geo.pyx) --------------------------------------------------
    C("geoadd", t_geo.geoadd_cmd),
    C("geodist", t_geo.geodist_cmd),
    C("geohash", t_geo.geohash_cmd),
    C("geopos", t_geo.geopos_cmd),
    C("georadius", t_geo.georadius_cmd),
    C("georadiusbymember", t_geo.georadiusbymember_cmd),
    C("georadius_ro", t_geo.georadius_ro_cmd),
    C("georadiusbymember_ro", t_geo.georadiusbymember_ro_cmd),
    C("geosearch", t_geo.geosearch_cmd),
    C("geosearchstore", t_geo.geosearchstore_cmd),
    # -- streams (t_stream.pyx) -------------------------------------------
    C("xadd", t_stream.xadd_cmd),
    C("xrange", t_stream.xrange_cmd),
    C("xrevrange", t_stream.xrevrange_cmd),
    C("xlen", t_stream.xlen_cmd),
    C("xdel", t_stream.xdel_cmd),
    C("xtrim", t_stream.xtrim_cmd),
    C("xsetid", t_stream.xsetid_cmd),
    # -- stream reads, consumer groups, XINFO (t_stream_cg.pyx) -----------
    C("xread", t_stream_cg.xread_cmd),
    C("xreadgroup", t_stream_cg.xreadgroup_cmd),
    C("xack", t_stream_cg.xack_cmd),
    C("xpending", t_stream_cg.xpending_cmd),
    C("xclaim", t_stream_cg.xclaim_cmd),
    C("xautoclaim", t_stream_cg.xautoclaim_cmd),
    C("xgroup", None,
      C("xgroup|create", t_stream_cg.xgroup_create_cmd),
      C("xgroup|setid", t_stream_cg.xgroup_setid_cmd),
      C("xgroup|destroy", t_stream_cg.xgroup_destroy_cmd),
      C("xgroup|createconsumer", t_stream_cg.xgroup_createconsumer_cmd),
      C("xgroup|delconsumer", t_stream_cg.xgroup_delconsumer_cmd),
      C("xgroup|help", help_handler(t_stream_cg.XGROUP_HELP))),
    C("xinfo", None,
      C("xinfo|stream", t_stream_cg.xinfo_stream_cmd),
      C("xinfo|groups", t_stream_cg.xinfo_groups_cmd),
      C("xinfo|consumers", t_stream_cg.xinfo_consumers_cmd),
      C("xinfo|help", help_handler(t_stream_cg.XINFO_HELP))),
    # -- scripting (fastkv/scripting/lua.pyx) ----------------------------
    C("eval", t_script.eval_cmd),
    C("evalsha", t_script.evalsha_cmd),
    C("eval_ro", t_script.eval_ro_cmd),
    C("evalsha_ro", t_script.evalsha_ro_cmd),
    C("script", None,
      C("script|load", t_script.script_load_cmd),
      C("script|exists", t_script.script_exists_cmd),
      C("script|flush", t_script.script_flush_cmd),
      C("script|kill", t_script.script_kill_cmd),
      C("script|help", t_script.script_help)),
    C("fcall", t_script.fcall_cmd),
    C("fcall_ro", t_script.fcall_ro_cmd),
    C("function", None,
      C("function|load", t_script.function_load_cmd),
      C("function|dump", t_script.function_dump_cmd),
      C("function|restore", t_script.function_restore_cmd),
      C("function|delete", t_script.function_delete_cmd),
      C("function|flush", t_script.function_flush_cmd),
      C("function|list", t_script.function_list_cmd),
      C("function|stats", t_script.function_stats_cmd),
      C("function|kill", t_script.function_kill_cmd),
      C("function|help", t_script.function_help)),
    # -- connection (conn.py) --------------------------------------------
    C("ping", t_conn.ping_cmd),
    C("echo", t_conn.echo_cmd),
    C("quit", conn.quit_cmd),
    C("reset", conn.reset_cmd),
    C("auth", conn.auth_cmd),
    C("hello", conn.hello_cmd),
    C("shutdown", conn.shutdown_cmd),
    # -- pub/sub (t_pubsub.pyx) ------------------------------------------
    C("subscribe", t_pubsub.subscribe_cmd),
    C("unsubscribe", t_pubsub.unsubscribe_cmd),
    C("psubscribe", t_pubsub.psubscribe_cmd),
    C("punsubscribe", t_pubsub.punsubscribe_cmd),
    C("ssubscribe", t_pubsub.ssubscribe_cmd),
    C("sunsubscribe", t_pubsub.sunsubscribe_cmd),
    C("publish", t_pubsub.publish_cmd),
    C("spublish", t_pubsub.spublish_cmd),
    C("pubsub", None,
      C("pubsub|channels", t_pubsub.pubsub_channels_cmd),
      C("pubsub|numsub", t_pubsub.pubsub_numsub_cmd),
      C("pubsub|numpat", t_pubsub.pubsub_numpat_cmd),
      C("pubsub|shardchannels", t_pubsub.pubsub_shardchannels_cmd),
      C("pubsub|shardnumsub", t_pubsub.pubsub_shardnumsub_cmd),
      C("pubsub|help", help_handler(t_pubsub.PUBSUB_HELP))),
    # -- transactions (t_multi.pyx) --------------------------------------
    C("multi", t_multi.multi_cmd),
    C("exec", t_multi.exec_cmd),
    C("discard", t_multi.discard_cmd),
    C("watch", t_multi.watch_cmd),
    C("unwatch", t_multi.unwatch_cmd),
    # -- CLIENT (t_client.py) --------------------------------------------
    C("client", None,
      C("client|id", t_client.client_id_cmd),
      C("client|info", t_client.client_info_cmd),
      C("client|list", t_client.client_list_cmd),
      C("client|kill", t_client.client_kill_cmd),
      C("client|unblock", t_client.client_unblock_cmd),
      C("client|setname", t_client.client_setname_cmd),
      C("client|getname", t_client.client_getname_cmd),
      C("client|pause", t_client.client_pause_cmd),
      C("client|unpause", t_client.client_unpause_cmd),
      C("client|reply", t_client.client_reply_cmd),
      C("client|no-evict", t_client.client_no_evict_cmd),
      C("client|getredir", t_client.client_getredir_cmd),
      C("client|trackinginfo", t_client.client_trackinginfo_cmd),
      C("client|caching", t_client.client_caching_cmd),
      C("client|tracking", t_client.client_tracking_cmd),
      C("client|help", t_client.client_help_cmd),
      # CLIENT NO-TOUCH is Redis 7.2: the 7.0.15 metadata file lacks it.
      C("client|no-touch", t_client.client_no_touch_cmd,
        meta=meta.lookup("client|no-touch") or t_client.CLIENT_NO_TOUCH_META)),
    # -- COMMAND (t_command.py) ------------------------------------------
    C("command", t_command.command_cmd,
      C("command|count", t_command.command_count_cmd),
      C("command|list", t_command.command_list_cmd),
      C("command|info", t_command.command_info_cmd),
      C("command|docs", t_command.command_docs_cmd),
      C("command|getkeys", t_command.command_getkeys_cmd),
      C("command|getkeysandflags", t_command.command_getkeysandflags_cmd),
      C("command|help", t_command.command_help_cmd)),
    # -- introspection (introspect.py) -----------------------------------
    C("info", introspect.info_cmd),
    C("config", None,
      C("config|get", introspect.config_get_cmd),
      C("config|set", introspect.config_set_cmd),
      C("config|resetstat", introspect.config_resetstat_cmd),
      C("config|rewrite", introspect.config_rewrite_cmd),
      C("config|help", introspect.config_help_cmd)),
    C("time", introspect.time_cmd),
    C("lastsave", introspect.lastsave_cmd),
    C("memory", None,
      C("memory|usage", introspect.memory_usage_cmd),
      C("memory|stats", introspect.memory_stats_cmd),
      C("memory|malloc-stats", introspect.memory_malloc_stats_cmd),
      C("memory|purge", introspect.memory_purge_cmd),
      C("memory|help", introspect.memory_help_cmd)),
    C("slowlog", None,
      C("slowlog|get", introspect.slowlog_get_cmd),
      C("slowlog|len", introspect.slowlog_len_cmd),
      C("slowlog|reset", introspect.slowlog_reset_cmd),
      C("slowlog|help", introspect.slowlog_help_cmd)),
    C("latency", None,
      C("latency|latest", introspect.latency_latest_cmd),
      C("latency|history", introspect.latency_history_cmd),
      C("latency|reset", introspect.latency_reset_cmd),
      C("latency|help", introspect.latency_help_cmd)),
    # -- MONITOR (conn.py), DEBUG (debug.py): last, as before, because
    # COMMAND lists commands in row order.
    C("monitor", conn.monitor_cmd),
    C("debug", debug.debug_cmd),
]


# Commands a RESP2 client may run in subscribed mode, and the ones that run
# at once inside MULTI instead of being queued (Redis's processCommand lists).
PUBSUB_CONTEXT = {"ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe",
                  "psubscribe", "punsubscribe", "quit", "reset"}
MULTI_CONTROL = {"exec", "discard", "multi", "watch", "quit", "reset"}


def _flags(entry, name):
    bits = 0
    for f in entry.get("flags", ()):
        bits |= FLAG_BITS.get(f, 0)
    if name in PUBSUB_CONTEXT:
        bits |= CONTEXT_BITS["pubsub_context"]
    if name in MULTI_CONTROL:
        bits |= CONTEXT_BITS["multi_control"]
    return bits


def _command(row, parent=None):
    entry = row.meta or meta.lookup(row.name)
    if entry is None:
        raise KeyError("%s: no Redis metadata for this command" % row.name)
    cmd = Command(row.name.encode(), row.handler, entry["arity"], _flags(entry, row.name),
                  entry["first_key"], entry["last_key"], entry["step"], entry, parent)
    for sub in row.subcommands:
        cmd.add_subcommand(_command(sub, cmd))
    return cmd


def build():
    """Command objects for every row (fresh, so stats are per server)."""
    return [_command(row) for row in ROWS]


def install(state):
    for cmd in build():
        state.register(cmd)
