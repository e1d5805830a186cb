"""fastkv configuration: one table of parameters, modelled on Redis 7.0's config.c.

Everything a user can put in redis.conf, pass as ``--name value`` or change with
CONFIG SET lives in the single table ``PARAMS`` (params.py, the equivalent of
Redis's ``standardConfig static_configs[]``).  Each row says the parameter's
name, aliases, type, default and flags; the type (types.py) knows how to parse
a value (with Redis's exact error texts), how to print it for CONFIG GET
(Redis's canonical form) and how to write it back for CONFIG REWRITE.
``Config`` (store.py) holds the current values; loading redis.conf text and
CONFIG REWRITE are in file.py.

    types.py  <-  params.py  <-  file.py  <-  store.py  <-  this package

Behaviour and messages are copied from redis-server 7.0.15 (checked against the
real binary), because clients, tools and test-suites match on them.

String handling: values are ``str``.  Bytes that come from files, the command
line or the network should be decoded with ``decode_value`` (UTF-8 with
``surrogateescape``), so that any byte sequence round-trips exactly
(``encode_value`` gives the bytes back) while ordinary paths stay usable with
``os`` functions.

Side effect worth knowing: like Redis, setting ``dir`` calls ``os.chdir``.
"""

from fastkv import REDIS_VERSION
from fastkv.config.params import PARAMS, Param
from fastkv.config.store import Config
from fastkv.config.types import (
    DENY_LOADING, HIDDEN, IMMUTABLE, NOTIFY_ALL, NOTIFY_EVICTED, NOTIFY_EXPIRED, NOTIFY_GENERIC,
    NOTIFY_HASH, NOTIFY_KEY_MISS, NOTIFY_KEYEVENT, NOTIFY_KEYSPACE, NOTIFY_LIST, NOTIFY_LOADED,
    NOTIFY_MODULE, NOTIFY_NEW, NOTIFY_SET, NOTIFY_STREAM, NOTIFY_STRING, NOTIFY_ZSET, PROTECTED,
    SENSITIVE, ConfigError, ConfigFileError, ConfigStartupError, decode_value,
    encode_value, memtoull, repr_arg, split_args, split_args_bytes, string2ll, stringmatch)

__all__ = [
    "REDIS_VERSION", "ConfigError", "ConfigFileError", "ConfigStartupError",
    "Config", "Param", "PARAMS", "IMMUTABLE", "SENSITIVE", "PROTECTED",
    "DENY_LOADING", "HIDDEN", "split_args", "split_args_bytes", "repr_arg",
    "memtoull", "string2ll", "stringmatch", "decode_value", "encode_value",
    "NOTIFY_KEYSPACE", "NOTIFY_KEYEVENT", "NOTIFY_GENERIC", "NOTIFY_STRING",
    "NOTIFY_LIST", "NOTIFY_SET", "NOTIFY_HASH", "NOTIFY_ZSET", "NOTIFY_EXPIRED",
    "NOTIFY_EVICTED", "NOTIFY_STREAM", "NOTIFY_KEY_MISS", "NOTIFY_LOADED",
    "NOTIFY_MODULE", "NOTIFY_NEW", "NOTIFY_ALL",
]
