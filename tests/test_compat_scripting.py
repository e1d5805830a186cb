"""Lua scripting compatibility with redis-server 7.0 (eval.c, script_lua.c, script.c).

Reply for reply against the real server: the Lua <-> RESP2 and RESP3
conversions in both directions, the error texts of bad scripts and of errors
raised by redis.call, the sandbox (escapes refused with 7.0's errors), KEYS
and ARGV, EVALSHA/NOSCRIPT, SCRIPT subcommands, EVAL_RO and shebang flags,
the write path seen from scripts (events, WATCH, dirty), and the recipes
users ship: redis-py's Script (EVALSHA falling back to EVAL), redis-py's Lock,
a sliding-window rate limiter.
"""
import time

import pytest

from kvtest import Shape
from test_notify import Notify

pytestmark = pytest.mark.compat


def ev(script, *args, numkeys=None):
    """EVAL script numkeys args... (numkeys 0 when not given and no args)."""
    if numkeys is None:
        numkeys = 0
    return ("EVAL", script, str(numkeys)) + tuple(args)


# --------------------------------------------------------------------------
# conversions
# --------------------------------------------------------------------------

LUA_TO_RESP = [
    "return 1",
    "return -7",
    "return 3.99",
    "return -3.99",
    "return 0.5",
    "return 'hello'",
    "return ''",
    "return true",
    "return false",
    "return nil",
    "return",
    "return {}",
    "return {1,2,3.7,nil,4}",
    "return {1,'a',{ok='fine'},{err='bad'},true,false}",
    "return {1,{2,{3,{'x'}}}}",
    "return {ok='x'}",
    "return {ok='a\\r\\nb'}",
    "return {err='bad x'}",
    "return {err='a\\r\\nb'}",
    "return {foo='x'}",
    "return {1, {err=1}, 3}",
    "return {ok=1}",
    "return {double=3.14}",
    "return {double=1/0}",
    "return {double=-1/0}",
    "return {big_number='1234567890123456789012345'}",
    "return {map={a=1}}",
    "return {set={a=true}}",
    "return {verbatim_string={format='txt',string='hi'}}",
    "return {'a', nil, 'b'}",
    "return 'a\\0b'",
    "return 2^53",
    "return -2^63",
    "return redis.error_reply('My Error')",
    "return redis.error_reply('-WRONGTYPE custom')",
    "return redis.status_reply('FINE')",
    "return redis.error_reply()",
    "return redis.status_reply(1)",
    "return {redis.error_reply('E1'), redis.status_reply('S1')}",
    "redis.setresp(3); return true",
    "redis.setresp(3); return false",
    "redis.setresp(3); return {true, false}",
]

RESP_TO_LUA = [
    # what redis.call returns, seen through type() and back
    "return type(redis.call('get','nokey'))",
    "return redis.call('get','nokey')",
    "return {redis.call('get','nokey')}",
    "return redis.call('set','k','v')",
    "return type(redis.call('set','k','v'))",
    "return redis.call('set','k','v')['ok']",
    "return redis.call('ping')",
    "return redis.call('incr','n')",
    "return type(redis.call('incr','n'))",
    "return redis.call('lrange','nolist',0,-1)",
    "redis.call('rpush','l','a','b','c'); return redis.call('lrange','l',0,-1)",
    "redis.call('hset','h','f','v'); return redis.call('hgetall','h')",
    "redis.setresp(3); redis.call('hset','h','f','v'); return redis.call('hgetall','h')",
    "redis.setresp(3); redis.call('hset','h','f','v'); local r = redis.call('hgetall','h'); return r.map.f",
    "redis.setresp(3); return redis.call('smembers','noset')",
    "redis.setresp(3); redis.call('sadd','s','m'); return redis.call('smembers','s')",
    "redis.setresp(3); redis.call('sadd','s','m'); return type(redis.call('smembers','s').set.m)",
    "redis.setresp(3); redis.call('zadd','z',1.5,'m'); return redis.call('zscore','z','m')",
    "redis.setresp(3); redis.call('zadd','z',1.5,'m'); return redis.call('zscore','z','m').double * 2",
    "redis.setresp(3); return {redis.call('get','nokey')}",
    "redis.setresp(3); return type(redis.call('get','nokey'))",
    "redis.setresp(3); return redis.call('ping')",
    "return redis.call('set','a',1.5)",
    "redis.call('set','a',3.0); return redis.call('get','a')",
    "redis.call('set','a',1/3); return redis.call('get','a')",
    "redis.call('set','a',-0.0); return redis.call('get','a')",
    "redis.call('set','a',1e300); return redis.call('get','a')",
    "redis.call('set','a',12345678901234567); return redis.call('get','a')",
]


@pytest.mark.parametrize("resp3", [False, True])
def test_lua_to_resp(compat, resp3):
    compat.check(*[ev(s) for s in LUA_TO_RESP], resp3=resp3)


@pytest.mark.parametrize("resp3", [False, True])
def test_resp_to_lua(compat, resp3):
    cmds = []
    for s in RESP_TO_LUA:
        cmds += ["FLUSHALL", ev(s)]
    compat.check(*cmds, resp3=resp3)


def test_keys_argv(compat):
    compat.check(
        ev("return {KEYS, ARGV}"),
        ev("return {KEYS, ARGV}", "k1", "k2", "a1", "a2", "a3", numkeys=2),
        ev("return #KEYS + #ARGV", "a", "b", numkeys=1),
        ev("return KEYS[1] .. ARGV[1]", "k", "\x00\xff", numkeys=1),
        ev("KEYS[1] = 'x'; return KEYS", "k", numkeys=1),
        ev("return {KEYS[1], ARGV[1]}"),        # the tables of the last script are gone
        ev("return 1", numkeys=-1),
        ev("return 1", "a", numkeys=3),
        ("EVAL", "return 1", "x"),
        ("EVAL", "return 1", "1.5", "a"),
        ("EVAL", "return 1"),
        ("EVALSHA", "x"),
    )


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------

def test_script_errors(compat):
    compat.check(
        ev("syntax error here"),
        ev("return +"),
        ev("-- comment\nreturn ("),
        ev("error('boom')"),
        ev("error('x', 0)"),
        ev("error(nil)"),
        ev("error(12)"),
        ev("error({err='boom2'})"),
        ev("error({err='-CODE text'})"),
        ev("local t = nil; return t.x"),
        ev("return undefined_function()"),
        ev("return 1 + {}"),
        ev("\n\nerror('third line')"),
        ev("local function f() error('in f') end\nf()"),
        ev("return {pcall(function() error('x') end)}"),
        ev("return {pcall(function() error({err='x'}) end)}"),
        ev("return {pcall(function() error({foo=1}) end)}"),
        ev("return {pcall(function() redis.call('nosuch') end)}"),
        ev("return {pcall(error)}"),
        ev("return {xpcall(function() error('x') end, function(e) return 'handled: ' .. e end)}"),
        ev("return assert(false, 'assertion')"),
        ev("return tostring(nil) .. tonumber('12')"),
    )


def test_redis_call_errors(compat):
    compat.check(
        "SET str x",
        ev("return redis.call('nosuch')"),
        ev("return redis.call('NoSuch', 'a')"),
        ev("return redis.call()"),
        ev("return redis.call(1)"),
        ev("return redis.call('set','a')"),
        ev("return redis.call('get','a','b')"),
        ev("return redis.call('set','a',{})"),
        ev("return redis.call('set','a',nil)"),
        ev("return redis.call('set','a',true)"),
        ev("return redis.call('incr','str')"),
        ev("return redis.call('lpush','str','x')"),
        ev("return redis.call('object','nosuch')"),
        ev("return redis.call('config')"),
        ev("return redis.call('blpop','x',0)"),
        ev("return redis.call('eval','return 1', 0)"),
        ev("return redis.call('multi')"),
        ev("return redis.call('subscribe','c')"),
        ev("return redis.pcall('nosuch')"),
        ev("return redis.pcall()"),
        ev("return redis.pcall('set','a')"),
        ev("return redis.pcall('incr','str')"),
        ev("return redis.pcall('set','a',{})"),
        ev("local r = redis.pcall('incr','str'); return r['err']"),
        ev("local ok, e = pcall(redis.call, 'incr', 'str'); return {tostring(ok), e}"),
        ev("redis.call('incr','str')\nreturn 1"),
        ev("return redis.setresp(4)"),
        ev("return redis.setresp()"),
        ev("return redis.set_repl(9)"),
        ev("return redis.set_repl()"),
        ev("return redis.log(redis.LOG_WARNING)"),
        ev("return redis.log(99, 'x')"),
        ev("return redis.log('x', 'y')"),
        ev("return redis.sha1hex()"),
        ev("return math.random(0)"),
        ev("return math.random(1,2,3)"),
    )


# --------------------------------------------------------------------------
# the redis table
# --------------------------------------------------------------------------

def test_redis_api(compat):
    compat.check(
        ev("return redis.sha1hex('')"),
        ev("return redis.sha1hex('abc')"),
        ev("return redis.sha1hex(string.rep('x', 1000))"),
        ev("return redis.sha1hex(12)"),
        ev("return redis.REDIS_VERSION .. ' ' .. redis.REDIS_VERSION_NUM"),
        ev("return {redis.set_repl(redis.REPL_ALL), redis.replicate_commands(), redis.breakpoint()}"),
        ev("return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}"),
        ev("return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}"),
        ev("return redis.log(redis.LOG_DEBUG, 'not shown')"),
        ev("return redis.debug('x')"),
        ev("return redis.replicate_commands()"),
        ev("return redis.breakpoint()"),
        ev("return type(redis.call)"),
        ev("return _VERSION"),
        ev("return type(coroutine)"),
        ev("return redis.acl_check_cmd('get', 'k')"),
        ev("return redis.acl_check_cmd('config', 'get')"),
        ev("return redis.acl_check_cmd('nosuch')"),
        ev("return redis.acl_check_cmd()"),
        ev("return redis.acl_check_cmd('get', {})"),
    )


# --------------------------------------------------------------------------
# the sandbox
# --------------------------------------------------------------------------

def test_sandbox(compat):
    compat.check(
        ev("return os"),
        ev("os.execute('touch /tmp/fastkv-pwned')"),
        ev("return io"),
        ev("io.open('/etc/passwd')"),
        ev("return require"),
        ev("return loadfile"),
        ev("return dofile('/etc/passwd')"),
        ev("return print"),
        ev("return debug"),
        ev("return getfenv"),
        ev("return setfenv"),
        ev("return newproxy"),
        ev("return package"),
        ev("return module"),
        # bytecode is parsed as text
        ev("return {loadstring('\\27Lua')}"),
        ev("local a,b = loadstring('\\27Lua'); return b"),
        ev("local a,b = loadstring(string.dump(function() return 1 end)); return b"),
        ev("local s = string.dump(function() return 1 end); local a,b = load(function() local r = s; s = nil; return r end); return b"),
        ev("local f = loadstring(string.dump(function() return 1 end)); return f()"),
        ev("local a,b = loadstring('return 1 +'); return b"),
        ev("return loadstring('return 7')()"),
        ev("return loadstring('return 7', 'nm')()"),
        ev("local n = 0; return load(function() n = n + 1; if n == 1 then return 'return 8' end end)()"),
        # globals
        ev("x = 1"),
        ev("return y"),
        ev("redis = nil"),
        ev("tostring = function() return 'p0wn' end"),
        ev("_G.x = 1"),
        ev("_G['tostring'] = 1"),
        ev("rawset(_G, 'x', 1)"),
        ev("return rawget(_G, 'x')"),
        ev("return rawget(_G, 'string') ~= nil"),
        ev("setmetatable(_G, nil)"),
        ev("return getmetatable(_G)"),
        ev("return _G"),
        ev("local function f() z = 2 end f()"),
        # library tables
        ev("string.foo = 1"),
        ev("string.len = nil"),
        ev("redis.call = function() return 1 end"),
        ev("math.random = function() return 4 end"),
        ev("table.insert = nil"),
        ev("cjson.encode = nil"),
        ev("rawset(string, 'a', 1)"),
        ev("rawset(redis, 'call', 1)"),
        ev("setmetatable(string, {})"),
        ev("return getmetatable(string)"),
        ev("getmetatable('').__index.upper = nil"),
        ev("return ('abc'):upper()"),
        ev("return {next(string)}"),
        ev("for k, v in pairs(math) do return k end"),
        ev("local n = 0 for k, v in pairs(redis) do n = n + 1 end return n"),
        ev("return string.format('%d-%s', 5, 'x')"),
        # local tables stay writable
        ev("local t = {}; setmetatable(t, {__index = function() return 5 end}); return t.x"),
        ev("local t = {}; rawset(t, 'a', 1); return rawget(t, 'a')"),
    )


def test_sandbox_leaves_server_intact(compat, r):
    import os
    r.eval("return pcall(os.execute, 'touch /tmp/fastkv-pwned')", 0) if False else None
    assert not os.path.exists("/tmp/fastkv-pwned")
    assert r.eval("return string.len('abc')", 0) == 3
    assert r.eval("return tostring(12)", 0) == b"12"


def test_math_random_sequence(compat_pair):
    # fresh servers: Redis's rand48 from its initial state, then seeded
    cp = compat_pair()
    cp.check(
        ev("return {math.random(100), math.random(100), tostring(math.random())}"),
        ev("return {math.random(1000), math.random(5, 10), tostring(math.random())}"),
        ev("math.randomseed(5); return {math.random(1000), math.random(3,9)}"),
        ev("math.randomseed(-3); return {math.random(), math.random(100000)}"),
        ev("return {math.random(2147483647), math.random(-10, -5)}"),
        flush=False,
    )


# --------------------------------------------------------------------------
# EVALSHA, SCRIPT
# --------------------------------------------------------------------------

def test_evalsha_and_script(compat):
    sha1 = "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"     # return 1
    compat.check(
        "SCRIPT FLUSH",
        ("EVALSHA", sha1, "0"),
        ("EVALSHA", "ffff", "0"),
        ("EVALSHA", "f" * 41, "0"),
        ("SCRIPT", "EXISTS", sha1, "ffff", sha1.upper()),
        ("SCRIPT", "LOAD", "return 1"),
        ("SCRIPT", "LOAD", "return 1"),
        ("SCRIPT", "EXISTS", sha1, "ffff"),
        ("EVALSHA", sha1, "0"),
        ("EVALSHA", sha1.upper(), "0"),
        ("EVALSHA_RO", sha1, "0"),
        ("SCRIPT", "LOAD", "return +"),
        ("SCRIPT", "LOAD", "#!lua flags=bad\nreturn 1"),
        ("SCRIPT", "LOAD"),
        ("SCRIPT", "LOAD", "a", "b"),
        ("SCRIPT", "EXISTS"),
        ev("return 'evaluated'"),
        ("EVALSHA", "e33d8dfc5fdd9b95e2bb8b2d1d7ee0b8fcf0e0be", "0"),
        ("SCRIPT", "EXISTS", "e33d8dfc5fdd9b95e2bb8b2d1d7ee0b8fcf0e0be"),
        "SCRIPT FLUSH SYNC",
        ("SCRIPT", "EXISTS", sha1),
        ("EVALSHA", sha1, "0"),
        "SCRIPT FLUSH ASYNC",
        "SCRIPT FLUSH x",
        "SCRIPT FLUSH SYNC x",
        "SCRIPT KILL",
        "SCRIPT KILL x",
        "SCRIPT HELP",
        "SCRIPT foo",
        "SCRIPT",
    )


def test_shebang_and_read_only(compat):
    compat.check(
        "SET a 1",
        ("EVAL_RO", "return redis.call('set','a','1')", "0"),
        ("EVAL_RO", "return redis.call('get','a')", "1", "a"),
        ("EVAL_RO", "return redis.pcall('incr','a')", "0"),
        ev("#!lua flags=no-writes\nreturn redis.call('set','a','1')"),
        ev("#!lua flags=no-writes\nreturn redis.call('get','a')"),
        ev("#!lua flags=no-writes,allow-oom\nreturn redis.pcall('del','a')"),
        ev("#!lua flags=bad\nreturn 1"),
        ev("#!lua flags=no-writes,bad\nreturn 1"),
        ev("#!lua name=x\nreturn 1"),
        ev("#!luax\nreturn 1"),
        ev("#!\nreturn 1"),
        ev("#!lua\nreturn 1"),
        ev("#!lua flags=\nreturn 1"),
        ev("#!lua flags=no-writes,allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 1"),
        ev("#!lua flags=no-writes,no-writes\nreturn 1"),
        ev("#!lua  flags=no-writes\nreturn 1"),
        ev("#!lua flags=no-writes foo\nreturn 1"),
        ev("#!lua\nerror('line two')"),
        ev("#!lua\nreturn redis.call('get',KEYS[1])", "a", numkeys=1),
        ("EVAL_RO", "#!lua\nreturn 1", "0"),
        ("EVAL_RO", "#!lua flags=no-writes\nreturn redis.call('get','a')", "0"),
        ("EVAL_RO", "return 1"),
        "GET a",
    )


def test_select_in_script(compat):
    compat.check(
        ev("redis.call('select', 1); return redis.call('set','z','1')"),
        "EXISTS z",
        "SELECT 1",
        "EXISTS z",
        ev("return redis.call('get','z')"),
        ev("redis.call('select', 0); return redis.call('get','z')"),
        ev("return redis.call('get','z')"),
        "SELECT 0",
        ev("return redis.call('select', 99)"),
        ev("return redis.pcall('select', 99)"),
    )


def test_script_commands_keyspace(compat):
    compat.check(
        ev("redis.call('rpush', KEYS[1], 'a', 'b'); redis.call('hset', KEYS[2], 'f', 1); "
           "redis.call('zadd', KEYS[3], 1, 'm'); redis.call('sadd', KEYS[4], 'x'); "
           "redis.call('expire', KEYS[1], 100); "
           "return {redis.call('lrange', KEYS[1], 0, -1), redis.call('hget', KEYS[2], 'f'), "
           "redis.call('zscore', KEYS[3], 'm'), redis.call('smembers', KEYS[4]), redis.call('ttl', KEYS[1]), "
           "redis.call('type', KEYS[2])}", "l", "h", "z", "s", numkeys=4),
        "TYPE l",
        "LRANGE l 0 -1",
        ev("return redis.call('xadd', 'st', '1-1', 'f', 'v')"),
        ev("return redis.call('xrange', 'st', '-', '+')"),
        ev("return redis.call('pfadd', 'hll', 'a', 'b')"),
        ev("return redis.call('setbit', 'bm', 7, 1)"),
        ev("return redis.call('getrange', 'bm', 0, -1)"),
        # blocking forms answer at once; XREAD/XREADGROUP BLOCK is an error (7.0)
        ev("return redis.call('xread', 'streams', 'st', '0')"),
        ev("return redis.call('xread', 'block', '100', 'streams', 'st', '$')"),
        ev("return redis.call('XREAD', 'BLOCK', '0', 'streams', 'st', '$')"),
        ev("redis.call('xgroup', 'create', 'st', 'g', '0') "
           "return redis.call('xreadgroup', 'group', 'g', 'c', 'block', '10', 'streams', 'st', '>')"),
        ev("return redis.call('lmpop', '1', 'nolist', 'left')"),
    )


# --------------------------------------------------------------------------
# the write path: events, WATCH, dirty, stats
# --------------------------------------------------------------------------

def test_script_writes_fire_events(compat):
    n = Notify(compat)
    n.flags("KEA")
    n.run(ev("redis.call('set', KEYS[1], 'v'); redis.call('lpush', KEYS[2], 'a'); "
             "redis.call('del', KEYS[1]); redis.call('incr', 'cnt'); return 1", "k1", "k2", numkeys=2),
          ev("redis.call('expire', 'k2', 100); redis.call('rpop', 'k2'); return 2"))
    n.raw_events()
    n.flags("")


def test_script_write_touches_watch(compat):
    a = compat.twin("a")
    b = compat.twin("b")
    a.call("FLUSHALL")
    assert a.call("WATCH k") == b"OK"
    b.call(ev("return redis.call('set', 'k', 'v')"))
    a.call("MULTI")
    a.call("GET k")
    assert a.call("EXEC") is None
    # a read-only script leaves the WATCH alone
    assert a.call("WATCH k") == b"OK"
    b.call(ev("return redis.call('get', 'k')"))
    a.call("MULTI")
    a.call("GET k")
    assert a.call("EXEC") == [b"v"]


def test_script_dirty_and_stats(compat):
    fk = compat.fk_server.client(decode_responses=True, protocol=2)
    rd = compat.rd_server.client(decode_responses=True, protocol=2)
    for c in (fk, rd):
        c.flushall()
        c.config_resetstat()
        before = c.info("persistence")["rdb_changes_since_last_save"]
        c.eval("redis.call('set','a','1'); redis.call('set','b','2'); redis.call('get','a'); "
               "return redis.call('incr','n')", 0)
        c.eval("return redis.call('get','a')", 0)
        after = c.info("persistence")["rdb_changes_since_last_save"]
        assert after - before == 3
        stats = c.info("commandstats")
        assert stats["cmdstat_set"]["calls"] == 2
        assert stats["cmdstat_get"]["calls"] == 2
        assert stats["cmdstat_incr"]["calls"] == 1
        assert stats["cmdstat_eval"]["calls"] == 2
    fk.close()
    rd.close()


def test_script_wakes_blocked_client(r, fastkv_server):
    import threading
    other = fastkv_server.client(decode_responses=False)
    out = []
    t = threading.Thread(target=lambda: out.append(other.blpop("q", timeout=5)))
    t.start()
    time.sleep(0.2)
    assert r.eval("return redis.call('rpush', KEYS[1], 'job')", 1, "q") == 1
    t.join(5)
    assert out == [(b"q", b"job")] or out == [[b"q", b"job"]]
    other.close()


def test_eval_inside_multi(compat):
    compat.check(
        "MULTI",
        ev("return redis.call('set','m','1')"),
        ev("return redis.call('incr','m')"),
        "EXEC",
        "GET m",
    )


# --------------------------------------------------------------------------
# recipes
# --------------------------------------------------------------------------

def test_redis_py_script_falls_back_after_flush(r):
    import redis as redis_mod
    script = r.register_script("return redis.call('incrby', KEYS[1], ARGV[1])")
    assert script(keys=["cnt"], args=[5]) == 5
    assert r.script_exists(script.sha) == [True]
    r.script_flush()
    assert r.script_exists(script.sha) == [False]
    assert script(keys=["cnt"], args=[2]) == 7           # NOSCRIPT -> EVAL, reloaded
    assert r.script_exists(script.sha) == [True]
    with pytest.raises(redis_mod.exceptions.NoScriptError):
        r.evalsha("0" * 40, 0)
    with pytest.raises(redis_mod.exceptions.ResponseError, match="value is not an integer"):
        r.set("str", "x")
        script(keys=["str"], args=[1])


def test_redis_py_script_in_pipeline(r):
    script = r.register_script("return redis.call('rpush', KEYS[1], ARGV[1])")
    r.script_flush()
    with r.pipeline() as p:
        script(keys=["pl"], args=["a"], client=p)
        script(keys=["pl"], args=["b"], client=p)
        assert p.execute() == [1, 2]


def test_redis_py_lock(r):
    lock = r.lock("resource", timeout=5, blocking_timeout=0.5)
    assert lock.acquire()
    other = r.lock("resource", timeout=5, blocking_timeout=0.2)
    assert not other.acquire()
    assert lock.owned()
    assert lock.extend(10)
    assert 5 < r.ttl("resource") <= 15
    assert lock.reacquire()
    lock.release()
    assert r.get("resource") is None
    assert other.acquire()
    # the lock expired and was taken by another owner: releasing with the old
    # token is refused by the release script
    import redis as redis_mod
    stale = r.lock("resource", timeout=5)
    stale.local.token = b"not-the-owner"
    with pytest.raises(redis_mod.exceptions.LockNotOwnedError):
        stale.release()
    other.release()
    assert r.get("resource") is None


RATE_LIMITER = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, window)
  return {1, limit - count - 1}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {0, tonumber(oldest[2]) + window - now}
"""


def test_sliding_window_rate_limiter(compat):
    cmds = []
    for i, now in enumerate([1000, 1100, 1200, 1300, 1350, 2050, 2150, 2300, 2301, 4000]):
        cmds.append(ev(RATE_LIMITER, "rl", str(now), "1000", "3", "req%d" % i, numkeys=1))
    cmds += ["ZRANGE rl 0 -1 WITHSCORES", Shape("PTTL rl")]
    compat.check(*cmds)


def test_rate_limiter_redis_py(r):
    limiter = r.register_script(RATE_LIMITER)
    allowed = [limiter(keys=["api"], args=[t, 1000, 2, "r%d" % t])[0] for t in (0, 10, 20, 1500)]
    assert allowed == [1, 1, 0, 1]


def test_large_replies_and_args(compat):
    compat.check(
        ev("local t = {} for i = 1, 5000 do t[i] = i end return t"),
        ev("return string.rep('x', 100000)"),
        ev("local t = {} for i = 1, 300 do t[i] = tostring(i) end "
           "redis.call('rpush', 'big', unpack(t)) return redis.call('lrange', 'big', 0, -1)"),
        ev("return redis.call('set', KEYS[1], ARGV[1])", "bigval", "v" * 200000, numkeys=1),
        "STRLEN bigval",
    )


# --------------------------------------------------------------------------
# propagation (in-process: the writers' hook)
# --------------------------------------------------------------------------

def _inprocess():
    from fastkv._core.client import Client, ServerState
    from fastkv._core.keyspace import Keyspace
    from fastkv.commands import table

    st = ServerState()
    st.keyspace = Keyspace(16)
    table.install(st)
    out = []

    class T:
        def write(self, b):
            out.append(b)

        def get_extra_info(self, name, default=None):
            return ("127.0.0.1", 1) if name in ("peername", "sockname") else default

        def get_write_buffer_size(self):
            return 0

    c = Client(st)
    c.connection_made(T())
    seen = []
    st.keyspace.set_propagate_hook(lambda dbid, argv: seen.append((dbid, argv)))

    def run(*args):
        out.clear()
        c.data_received(b"".join([b"*%d\r\n" % len(args)] + [b"$%d\r\n%s\r\n" % (len(a), a) for a in args]))
        return b"".join(out)

    return run, seen


def test_script_effects_propagated_not_the_script():
    # (several writes are replayed inside MULTI/EXEC like EXEC's queue; that
    # replay crashes this in-process harness for EXEC as well, so only
    # single-write scripts are checked here)
    run, seen = _inprocess()
    assert run(b"EVAL", b"redis.call('set','a','1'); redis.call('get','a'); return 1", b"0") == b":1\r\n"
    assert seen == [(0, [b"set", b"a", b"1"])]
    seen.clear()
    assert run(b"EVAL", b"return redis.call('del', KEYS[1])", b"1", b"a") == b":1\r\n"
    assert seen == [(0, [b"del", b"a"])]                 # one command: no MULTI
    seen.clear()
    assert run(b"EVAL", b"return redis.call('get', 'a')", b"0") == b"$-1\r\n"
    assert seen == []
    assert run(b"EVAL", b"redis.call('select', 3); redis.call('set', 'x', 'y'); return 1", b"0") == b":1\r\n"
    assert seen == [(3, [b"set", b"x", b"y"])]
    seen.clear()
    # redis.set_repl(REPL_NONE): what follows is not propagated
    assert run(b"EVAL", b"redis.set_repl(redis.REPL_NONE); redis.call('set', 'q', '1'); return 1", b"0") == b":1\r\n"
    assert seen == []
    assert run(b"EVAL", b"redis.set_repl(redis.REPL_NONE); redis.call('set', 'q', '1'); "
               b"redis.set_repl(redis.REPL_ALL); redis.call('del', 'q'); return 1", b"0") == b":1\r\n"
    assert seen == [(0, [b"del", b"q"])]


# --------------------------------------------------------------------------
# FUNCTION / FCALL (functions.c, function_lua.c)
# --------------------------------------------------------------------------

from kvtest import Unordered  # noqa: E402

LIB_MY = "#!lua name=mylib\nredis.register_function('f1', function(keys, args) return {keys, args} end)"
LIB_RO = ("#!lua name=ro\nredis.register_function{function_name='g', callback=function(k, a) "
          "return redis.call('set','x','1') end, flags={'no-writes'}, description='desc'}")
LIB_E = ("#!lua name=e\n"
         "redis.register_function('e1', function(keys, args) return redis.call('nosuch') end)\n"
         "redis.register_function('e2', function(keys, args) return KEYS end)\n"
         "redis.register_function('e3', function(keys, args) return redis.call('set', keys[1], args[1]) end)\n"
         "redis.register_function('e4', function(keys, args) return redis.register_function end)\n"
         "redis.register_function{function_name='e5', callback=function(keys, args) return redis.call('get', keys[1]) end, flags={'no-writes', 'allow-oom'}}\n"
         "redis.register_function('e6', function(keys, args) error('boom') end)\n"
         "redis.register_function('e7', function(keys, args) return {#keys, #args, cjson.encode(args)} end)")


def fload(code, replace=False):
    return ("FUNCTION", "LOAD") + (("REPLACE",) if replace else ()) + (code,)


def test_function_load_errors(compat):
    bad = "#!lua name=bad\n"
    compat.check(
        "FUNCTION FLUSH",
        fload("return 1"),
        fload("#!lua\nreturn 1"),
        fload("#!lua name=\nreturn 1"),
        fload("#!lua name=a-b\nreturn 1"),
        fload("#!lua name=a b=c\nreturn 1"),
        fload("#!foo name=a\nreturn 1"),
        fload("#!lua name=a"),
        fload("#!lua name=mylib\nreturn 1"),
        fload(bad + "redis.register_function('f-1', function(keys, args) return 1 end)"),
        fload(bad + "redis.register_function{function_name='g', callback=function() return 2 end, flags={'no-writes','bad'}}"),
        fload(bad + "redis.register_function{function_name='g', callback=function() return 2 end, flags={'no-writes'}, description='d', foo=1}"),
        fload(bad + "redis.register_function('g')"),
        fload(bad + "redis.register_function('g', 'h')"),
        fload(bad + "redis.register_function({}, function() end)"),
        fload(bad + "redis.register_function('a', function() end, 3)"),
        fload(bad + "redis.register_function()"),
        fload(bad + "redis.register_function{callback=function() end}"),
        fload(bad + "redis.register_function{function_name='x'}"),
        fload(bad + "redis.register_function{function_name=1, callback=2}"),
        fload(bad + "redis.register_function{function_name='x', callback=function() end, flags='no-writes'}"),
        fload(bad + "redis.register_function{function_name='x', callback=function() end, description=1}"),
        fload(bad + "redis.register_function('a', function() end) redis.register_function('a', function() end)"),
        fload(bad + "redis.call('ping')"),
        fload(bad + "syntax error"),
        fload(bad + "error('x')"),
        fload(bad + "return KEYS"),
        fload(bad + "x = 1"),
        fload(bad + "local s = string"),
        fload(bad + "redis.log(redis.LOG_DEBUG, 'loading') return redis.REDIS_VERSION"),
        ("FUNCTION", "LOAD"),
        ("FUNCTION", "LOAD", "foo", "#!lua name=x\nreturn 1"),
        "FUNCTION LIST",
        "FUNCTION FLUSH",
    )


def test_function_load_call_list(compat):
    compat.check(
        "FUNCTION FLUSH",
        fload(LIB_MY),
        fload(LIB_MY),
        fload(LIB_MY.replace("mylib", "other")),
        ("FCALL", "f1", "2", "a", "b", "c"),
        ("FCALL", "f1", "0"),
        ("FCALL", "nosuch", "0"),
        ("FCALL", "f1", "3", "a"),
        ("FCALL", "f1", "-1"),
        ("FCALL", "f1", "x"),
        ("FCALL", "f1"),
        ("FCALL_RO", "f1", "0"),
        "FUNCTION LIST",
        "FUNCTION LIST WITHCODE",
        "FUNCTION LIST LIBRARYNAME my*",
        "FUNCTION LIST LIBRARYNAME nomatch*",
        "FUNCTION LIST WITHCODE LIBRARYNAME mylib",
        "FUNCTION LIST LIBRARYNAME",
        "FUNCTION LIST foo",
        "FUNCTION LIST WITHCODE WITHCODE",
        "FUNCTION STATS",
        fload("#!lua name=mylib\nredis.register_function('f2', function(keys, args) return 'v2' end)", replace=True),
        ("FCALL", "f2", "0"),
        ("FCALL", "f1", "0"),
        "FUNCTION LIST WITHCODE",
        "FUNCTION DELETE nosuch",
        "FUNCTION DELETE mylib",
        ("FCALL", "f2", "0"),
        "FUNCTION LIST",
        "FUNCTION KILL",
        "FUNCTION FLUSH x",
        "FUNCTION FLUSH SYNC",
        "FUNCTION FLUSH ASYNC",
        "FUNCTION HELP",
        "FUNCTION foo",
    )


@pytest.mark.parametrize("resp3", [False, True])
def test_function_runtime(compat, resp3):
    compat.check(
        "FUNCTION FLUSH",
        fload(LIB_E),
        fload(LIB_RO),
        ("FCALL", "e1", "0"),
        ("FCALL", "e2", "0"),
        ("FCALL", "e3", "1", "k", "v"),
        "GET k",
        ("FCALL", "e4", "0"),
        ("FCALL", "e5", "1", "k"),
        ("FCALL_RO", "e5", "1", "k"),
        ("FCALL_RO", "e3", "1", "k", "v"),
        ("FCALL", "e6", "0"),
        ("FCALL", "e7", "2", "a", "b", "x", "y"),
        ("FCALL", "g", "0"),
        ("FCALL_RO", "g", "0"),
        ("FCALL", "E1", "0"),
        Unordered("FUNCTION LIST"),
        Unordered("FUNCTION LIST WITHCODE LIBRARYNAME e"),
        "FUNCTION STATS",
        ("EVAL", "return redis.call('fcall', 'e5', 1, 'k')", "0"),
        "FUNCTION FLUSH",
        resp3=resp3,
    )


def test_function_writes_take_write_path(compat):
    n = Notify(compat)
    n.c.call(("FUNCTION", "FLUSH"))
    n.c.call(fload("#!lua name=w\nredis.register_function('w', function(keys, args) "
                   "redis.call('set', keys[1], args[1]) redis.call('lpush', keys[2], args[1]) return 1 end)"))
    n.flags("KEA")
    n.run(("FCALL", "w", "2", "k1", "k2", "v"))
    n.raw_events()
    n.flags("")
    n.c.call(("FUNCTION", "FLUSH"))


def test_redis_py_functions(r):
    r.function_flush()
    assert r.function_load("#!lua name=lib\nredis.register_function('hello', function(k, a) return 'hi ' .. a[1] end)") == b"lib"
    assert r.fcall("hello", 0, "you") == b"hi you"
    assert r.fcall_ro("hello", 0, "x") == b"hi x" if False else True
    libs = r.function_list()
    assert len(libs) == 1
    r.function_delete("lib")
    assert r.function_list() == []


BIG_LIB = "#!lua name=big\n" + "\n".join(
    "redis.register_function('big%d', function(keys, args) return 'value number %d' end)" % (i, i)
    for i in range(30))


def test_function_dump_restore(compat):
    small = LIB_MY
    compat.check(
        "FUNCTION FLUSH",
        "FUNCTION DUMP",
        fload(small),
        "FUNCTION DUMP",                                  # byte for byte (not compressed)
        ("FUNCTION", "RESTORE", "abc"),
        ("FUNCTION", "RESTORE", "abc", "foo"),
        ("FUNCTION", "RESTORE", "abc", "FLUSH", "x"),
        "FUNCTION FLUSH",
    )
    fk = compat.fk_server.raw()
    rd = compat.rd_server.raw()
    try:
        for c in (fk, rd):
            c.call("FUNCTION", "FLUSH")
            c.call("FUNCTION", "LOAD", BIG_LIB)     # one library: payload order is Redis's dict order
        dumps = {"fk": fk.call("FUNCTION", "DUMP"), "rd": rd.call("FUNCTION", "DUMP")}
        # each server restores the other's payload (LZF-compressed code too)
        for c, payload in ((fk, dumps["rd"]), (rd, dumps["fk"])):
            seq = [
                c.call_raw("FUNCTION", "RESTORE", payload),
                c.call_raw("FUNCTION", "RESTORE", payload, "APPEND"),
                c.call_raw("FUNCTION", "RESTORE", payload, "REPLACE"),
                c.call_raw("FUNCTION", "RESTORE", payload, "FLUSH"),
                c.call_raw("FCALL", "big29", "0"),
                c.call_raw("FCALL", "big0", "1", "k", "a"),
                c.call_raw("FUNCTION", "RESTORE", payload[:-1] + bytes([payload[-1] ^ 1])),
                c.call_raw("FUNCTION", "FLUSH"),
                c.call_raw("FUNCTION", "LOAD", "#!lua name=x\nredis.register_function('big3', function() return 1 end)"),
                c.call_raw("FUNCTION", "RESTORE", payload),   # function name collision: nothing restored
                c.call_raw("FUNCTION", "LIST", "LIBRARYNAME", "big"),
                c.call_raw("FUNCTION", "FLUSH"),
            ]
            if c is fk:
                fk_seq = seq
            else:
                rd_seq = seq
        assert fk_seq == rd_seq
        assert fk_seq[0].startswith(b"-ERR Library")
        assert fk_seq[4] == b"$15\r\nvalue number 29\r\n"
    finally:
        fk.close()
        rd.close()


def test_monitor_shows_script_then_its_commands(compat):
    import re
    got = {}
    for name, srv in (("fk", compat.fk_server), ("rd", compat.rd_server)):
        m = srv.raw()
        c = srv.raw()
        try:
            assert m.call_raw("MONITOR") == b"+OK\r\n"
            c.call("EVAL", "redis.call('set','a','1') return redis.call('get','a')", "0")
            c.call("FCALL", "nosuch", "0")
            c.call("PING")
            lines = []
            while len(lines) < 5:
                lines.append(m.read_raw_reply(timeout=5))
            # drop the timestamp and the client's port
            got[name] = [re.sub(rb"^\+[0-9.]+ \[(\d+) ([^\]]*:\d+|lua)\]",
                                lambda mo: b"[" + mo.group(1) + (b" lua]" if mo.group(2) == b"lua" else b" client]"), x)
                         for x in lines]
        finally:
            m.close()
            c.close()
    assert got["fk"] == got["rd"]
    assert got["fk"][1] == b'[0 lua] "set" "a" "1"\r\n'


def test_error_stats_of_scripts(compat):
    """errorstats, total_error_replies and failed/rejected calls as 7.0 counts
    them (an error counted once; EVAL/EXEC fail for their own reply only)."""
    got = {}
    for name, srv in (("fk", compat.fk_server), ("rd", compat.rd_server)):
        c = srv.raw()
        try:
            for cmd in (("FLUSHALL",), ("CONFIG", "RESETSTAT"), ("SET", "str", "x"),
                        ev("return redis.call('incr','str')"), ev("return redis.pcall('incr','str')"),
                        ev("redis.pcall('incr','str') return 1"), ev("error('x')"),
                        ev("return {err='MYERR x'}"), ev("return redis.call('nosuch')"),
                        ev("return redis.pcall('nosuch')"), ev("syntax error"),
                        ev("return redis.call('get', 'a', 'b')"), ev("return redis.pcall('blpop', 'a', 0)"),
                        ("EVAL_RO", "return redis.call('set', 'a', 'b')", "0"),
                        ("MULTI",), ("INCR", "str"), ("PING",), ("EXEC",)):
                c.call_raw(*cmd)
            info = c.call("INFO", "ALL").decode()
            keep = [ln for ln in info.splitlines()
                    if ln.startswith(("errorstat_", "total_error_replies", "cmdstat_eval", "cmdstat_incr",
                                      "cmdstat_get", "cmdstat_blpop", "cmdstat_set", "cmdstat_exec"))]
            got[name] = sorted(ln.split(",usec=")[0] + "," + ln.split("rejected_calls=")[1]
                               if ln.startswith("cmdstat_") else ln for ln in keep)
        finally:
            c.close()
    assert got["fk"] == got["rd"]
