"""The Lua libraries Redis 7.0 loads (cjson, cmsgpack, struct, bit), in C
(csrc/lua/fk_lua_*.c), compared byte for byte with redis-server 7.0.

Each case is a Lua expression.  The same script -- a prelude that resets
cjson's settings and defines a deterministic serialiser, then
``pcall(function() return <expr> end)`` -- runs through EVAL on the real
redis-server and in our harness (fastkv._core.ctest_lualibs: a Lua 5.1
state from lupa's lua51 with our four libraries as globals).  The
serialised results (values, types, exact numbers, error texts) must be
identical.
"""
import os
import random

import pytest
import redis

import fastkv._core.lualibs_loader  # noqa: F401  (Lua symbols first)
from fastkv._core.ctest_lualibs import State

PRELUDE = r"""
cjson.encode_max_depth(1000) cjson.decode_max_depth(1000)
cjson.encode_invalid_numbers(false) cjson.decode_invalid_numbers(true)
cjson.encode_number_precision(14) cjson.encode_keep_buffer(true)
cjson.encode_sparse_array(false, 2, 10)
local function hex(s) return (s:gsub('.', function(c) return string.format('%02x', c:byte()) end)) end
local ser
ser = function(v, d)
  d = d or 0
  local t = type(v)
  if d > 40 then return '...' end
  if t == 'nil' then return 'nil'
  elseif t == 'boolean' then return tostring(v)
  elseif t == 'number' then
    if v ~= v then return 'nan' end
    if v == 0 and 1/v < 0 then return '-0' end
    return string.format('%.17g', v)
  elseif t == 'string' then return string.format('%q', v)
  elseif t == 'table' then
    local parts = {}
    for k, x in pairs(v) do parts[#parts+1] = ser(k, d+1) .. '=' .. ser(x, d+1) end
    table.sort(parts)
    return '{' .. table.concat(parts, ',') .. '}'
  elseif v == cjson.null then return 'cjson.null'
  else return t end
end
local function pack(...) return {n = select('#', ...), ...} end
local function run(f)
  local r = pack(pcall(f))
  local out = {}
  for i = 1, r.n do out[#out+1] = ser(r[i]) end
  return table.concat(out, ' | ')
end
"""


# FASTKV_LUALIBS_FUZZ=N runs N more random seeds in the fuzz tests
FUZZ_SEEDS = [0] + list(range(1000, 1000 + int(os.environ.get("FASTKV_LUALIBS_FUZZ", "0"))))


def script(expr):
    return PRELUDE + "return run(function() return " + expr + " end)\n"


def body(code):
    return PRELUDE + code


@pytest.fixture(scope="module")
def oracle(real_redis):
    c = redis.Redis(port=real_redis.port, protocol=2)
    yield c
    c.close()


@pytest.fixture(scope="module")
def lua():
    return State()


def ours(lua, code):
    ok, out = lua.run(code.encode() if isinstance(code, str) else code)
    assert ok, out
    return out


def check(oracle, lua, code):
    want = oracle.eval(code, 0)
    got = ours(lua, code)
    assert got == want, code[len(PRELUDE):]
    return got


def check_expr(oracle, lua, expr):
    return check(oracle, lua, script(expr))


# --------------------------------------------------------------------- cjson

CJSON_ENCODE = [
    "cjson.encode({1,2,{a=1}})", "cjson.encode({})", "cjson.encode({{},{{}}})",
    "cjson.encode('')", "cjson.encode('a\"b\\\\c/d')", "cjson.encode('\\0\\1\\31\\127\\128\\255')",
    "cjson.encode('\\b\\f\\n\\r\\t')", "cjson.encode('h\\195\\169llo')",
    "cjson.encode(true)", "cjson.encode(false)", "cjson.encode(nil)", "cjson.encode(cjson.null)",
    "cjson.encode({cjson.null, false})", "cjson.encode(0)", "cjson.encode(-0)", "cjson.encode(-0.0)",
    "cjson.encode(0.1)", "cjson.encode(1/3)", "cjson.encode(-1/3)", "cjson.encode(1e300)",
    "cjson.encode(-1e-300)", "cjson.encode(2^53)", "cjson.encode(2^63)", "cjson.encode(123456789012345)",
    "cjson.encode(12345678901234)", "cjson.encode(100)", "cjson.encode(1e14)", "cjson.encode(1e15)",
    "cjson.encode(5e-324)", "cjson.encode(1.7976931348623157e308)",
    "cjson.encode(math.huge)", "cjson.encode(-math.huge)", "cjson.encode(0/0)",
    "cjson.encode({[1]=1,[2]=2,[4]=4})", "cjson.encode({1,2,nil,4})", "cjson.encode({[1]=1,[20]=2})",
    "cjson.encode({[10]=1})", "cjson.encode({[11]=1})", "cjson.encode({[1]=1,[2]=1,[3]=1,[12]=1})",
    "cjson.encode({[1]=1,[2]=1,[3]=1,[13]=1})", "cjson.encode({[0]=1})", "cjson.encode({[-1]=1})",
    "cjson.encode({[1.5]=1})", "cjson.encode({[-0.0]=1})", "cjson.encode({[1e300]=1})",
    "cjson.encode({[2^31]=1})", "cjson.encode({[2^31-1]=1})", "cjson.encode({[2^40]=1,[1]=2})",
    "cjson.encode({1,2,x=3})", "cjson.encode({a={b={c={}}}})",
    "cjson.encode({[true]=1})", "cjson.encode({[{}]=1})", "cjson.encode(string.len)",
    "cjson.encode({f=string.len})", "cjson.encode(coroutine.create(string.len))",
    "cjson.encode()", "cjson.encode(1, 2)", "cjson.encode({[math.huge]=1})",
    "cjson.encode({a=1,b=2,c=3,d={1,2,3},e='x'})",
    "cjson.encode({'a','b','c','d','e','f','g','h','i','j','k','l'})",
    "cjson.encode(string.rep('x', 5000))", "cjson.encode({string.rep('\\0', 300)})",
]


@pytest.mark.parametrize("expr", CJSON_ENCODE)
def test_cjson_encode(oracle, lua, expr):
    check_expr(oracle, lua, expr)


def test_cjson_object_key_order(oracle, lua):
    # pairs() order depends on Lua's table internals, identical in both Lua 5.1s
    check(oracle, lua, body("""
        local t = {}
        for i = 1, 40 do t['k' .. i] = i; t[i * 1.5] = i end
        return cjson.encode(t)"""))


CJSON_SETTINGS = [
    "cjson.encode_invalid_numbers(true), cjson.encode({math.huge, -math.huge, 0/0, 1})",
    "cjson.encode_invalid_numbers('null'), cjson.encode({math.huge, -math.huge, 0/0, 1})",
    "cjson.encode_invalid_numbers('on'), cjson.encode_invalid_numbers()",
    "cjson.encode_invalid_numbers('off'), cjson.encode(0/0)",
    "cjson.encode_invalid_numbers('bogus')", "cjson.encode_invalid_numbers(1, 2)",
    "cjson.decode_invalid_numbers(false), cjson.decode('[0x10]')",
    "cjson.decode_invalid_numbers(false), cjson.decode('[NaN]')",
    "cjson.decode_invalid_numbers(false), cjson.decode('[inf]')",
    "cjson.decode_invalid_numbers(false), cjson.decode('[+1]')",
    "cjson.decode_invalid_numbers(false), cjson.decode('[01]')",
    "cjson.decode_invalid_numbers(false), cjson.decode('[-0.5e3]')",
    "cjson.decode_invalid_numbers('on')", "cjson.decode_invalid_numbers('null')",
    "cjson.encode_number_precision(3), cjson.encode({1/3, 1234567, 0.1})",
    "cjson.encode_number_precision(1), cjson.encode(15)",
    "cjson.encode_number_precision(0)", "cjson.encode_number_precision(15)",
    "cjson.encode_number_precision('x')", "cjson.encode_number_precision('7')",
    "cjson.encode_number_precision(2^32 + 5)",
    "cjson.encode_max_depth(2), cjson.encode({{1}})", "cjson.encode_max_depth(2), cjson.encode({{{1}}})",
    "cjson.encode_max_depth(0)", "cjson.encode_max_depth(-1)", "cjson.encode_max_depth(nil)",
    "cjson.decode_max_depth(2), cjson.decode('[[1]]')", "cjson.decode_max_depth(2), cjson.decode('[[[1]]]')",
    "cjson.decode_max_depth(2), cjson.decode('{\"a\":{\"b\":{}}}')",
    "cjson.encode_keep_buffer(false), cjson.encode({1,'a'}), cjson.encode_keep_buffer()",
    "cjson.encode_keep_buffer(false), cjson.encode({string.len})",
    "cjson.encode_keep_buffer('on'), cjson.encode_keep_buffer('off'), cjson.encode({1})",
    "cjson.encode_keep_buffer(1)",
    "cjson.encode_sparse_array()", "cjson.encode_sparse_array(true), cjson.encode({[1]=1,[20]=2})",
    "cjson.encode_sparse_array(true, 0), cjson.encode({[1]=1,[20]=2})",
    "cjson.encode_sparse_array(false, 1, 0), cjson.encode({[1]=1,[3]=2})",
    "cjson.encode_sparse_array(false, 3, 1), cjson.encode({[1]=1,[3]=2})",
    "cjson.encode_sparse_array(false, -1)", "cjson.encode_sparse_array('on', 2, 10)",
    "cjson.encode_sparse_array(1)", "cjson.encode_sparse_array(true, 2, 10, 1)",
    "cjson.encode_sparse_array(nil, nil, 3), cjson.encode({[1]=1,[4]=1})",
    "cjson._NAME, cjson._VERSION, cjson.null == nil, type(cjson.null)",
    "cjson.encode_max_depth(), cjson.decode_max_depth(), cjson.encode_number_precision()",
    "cjson.encode_invalid_numbers('null'), cjson.encode({[math.huge]=1})",
    "cjson.encode_invalid_numbers(true), cjson.encode({[-math.huge]=1})",
    "cjson.encode_sparse_array(false, 2147483647, 0), cjson.encode({[1]=1,[2]=1,[100]=1})",
    "cjson.encode_sparse_array(false, 2147483647, 0), cjson.encode({[1]=1,[2]=1,[3]=1,[100]=1})",
    "cjson.encode_sparse_array(false, 1073741824, 0), cjson.encode({[1]=1,[2]=1,[3]=1,[100]=1})",
    "cjson.encode_sparse_array(true, 1, 0), cjson.encode({[1]=1,[3]=1})",
    "cjson.encode_sparse_array(false, 2, 2^32 + 3), cjson.encode({[1]=1,[3]=1,[9]=1})",
]


@pytest.mark.parametrize("expr", CJSON_SETTINGS)
def test_cjson_settings(oracle, lua, expr):
    check_expr(oracle, lua, expr)


def test_cjson_new_is_independent(oracle, lua):
    check(oracle, lua, body("""
        local c2 = cjson.new()
        c2.encode_number_precision(2)
        return cjson.encode(1/3) .. ' ' .. c2.encode(1/3) .. ' ' .. tostring(c2.null == cjson.null)"""))


def test_cjson_depth_limits(oracle, lua):
    check(oracle, lua, body("""
        local out = {}
        local t = {} local cur = t
        for i = 1, 1100 do cur[1] = {} cur = cur[1] end
        out[#out+1] = select(2, pcall(cjson.encode, t))
        local s = string.rep('[', 1100) .. string.rep(']', 1100)
        out[#out+1] = select(2, pcall(cjson.decode, s))
        s = string.rep('{"a":', 1001) .. '1' .. string.rep('}', 1001)
        out[#out+1] = select(2, pcall(cjson.decode, s))
        s = string.rep('[', 1000) .. string.rep(']', 1000)
        out[#out+1] = #cjson.encode(cjson.decode(s))
        local cyc = {} cyc[1] = cyc
        out[#out+1] = select(2, pcall(cjson.encode, cyc))
        local cyc2 = {} cyc2.a = cyc2
        out[#out+1] = select(2, pcall(cjson.encode, cyc2))
        cjson.decode_max_depth(100000)
        s = string.rep('[', 20000) .. string.rep(']', 20000)
        out[#out+1] = select(2, pcall(cjson.decode, s))
        cjson.encode_max_depth(100000)
        out[#out+1] = select(2, pcall(cjson.encode, cyc))
        return run(function() return out end)"""))


CJSON_DECODE = [
    '[1,2,3]', '{"a":1,"b":[true,false,null]}', '"\\u00e9\\u4e2d\\ud83d\\ude00"', '"\\u0000x"',
    '"\\uD834\\uDD1E"', '"\\ud834"', '"\\ud834x"', '"\\ud834\\u0041"', '"\\udd1e"', '"\\u12"',
    '"\\u12g4"', '"\\x"', '"abc', '"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t"', '  [ 1 , 2 ]  ', '[1,]', '[,1]',
    '{"a"}', '{"a":}', '{1:2}', '{"a":1,}', '{"a":1 "b":2}', '', ' ', '[', ']', '}', 'nul', 'tru',
    'truex', 'true false', 'null', '1e400', '-1e400', '0x1F', '-0x10', '0X10', '1.5e-3', '-0',
    '.5', '5.', '1e', '-', '+', '+5', '--1', '01', '00', '-01', 'inf', '-inf', 'Infinity', 'nan',
    '-nan', 'NaN', 'NAN', 'nan(123)', 'infinity', 'Inf', 'abc', '[1 2]', '[1:2]', '{"a":1}}',
    '[[[]]]', '{"":""}', '{"a":1,"a":2}', '123456789012345678901234567890', '0.1', '1E5', '1e+5',
    '[1,2', '{"a":[1,{"b":2}', '\\u0041', '"\\u0041"', '"tab\there"', '"nl\nhere"',
    '[1]\0[2]', '"a\0b"', '\0', 'a\0', '\0\0', '"\\uDBFF\\uDFFF"', '"\\uFFFF"', '"\\u0800"',
    '"\\u07FF"', '"\\u0080"', '"\\u007F"', '[true,false,null,"x",1.25,-3]', '\xef\xbb\xbf[1]',
    '[1e308, 1e-308, 4.9e-324]', '"' + 'x' * 100 + '"', '{"k":"v","n":null}',
    '0x1p3', '0x.8', '-0x1P-2', '1e-400', '\f1', '\v1', '1\f', '[1,\r\n2]', '0x', '-0x', '0xg',
    '1.', '1.e5', '1e5.5', '-.5', '00.5', '0.5.5', 'infinit', 'infinityx', 'nanx', '[nan]', '[-nan]',
    '["\\u00"]', '["\\', '"\\u', '"\\ud800\\', '"\\ud800\\u', '"\\ud800\\udc0"',
]


@pytest.mark.parametrize("text", CJSON_DECODE)
def test_cjson_decode(oracle, lua, text):
    check(oracle, lua, body("local s = " + lua_str(text) + "\nreturn run(function() return cjson.decode(s) end)"))


def lua_str(s):
    return '"' + "".join(c if (32 <= ord(c) < 127 and c not in '"\\') else "\\%03d" % ord(c)
                         for c in s) + '"'


def test_cjson_decode_arg_errors(oracle, lua):
    for expr in ["cjson.decode()", "cjson.decode(1, 2)", "cjson.decode({})", "cjson.decode(12)",
                 "cjson.decode(nil)", "cjson.decode(true)"]:
        check_expr(oracle, lua, expr)


def test_cjson_roundtrips(oracle, lua):
    check(oracle, lua, body("""
        local vals = { {1,2,3}, {a={b={c={d='e'}}}}, {'x', {y=2, z={true, false}}, 0.5},
                       {[1]='a', [2]='b'}, 'plain', 42, -7.25, {k={}} }
        local out = {}
        for i, v in ipairs(vals) do
          local s = cjson.encode(v)
          out[#out+1] = s .. ' => ' .. cjson.encode(cjson.decode(s))
        end
        return table.concat(out, '\\n')"""))


@pytest.mark.parametrize("seed", FUZZ_SEEDS)
def test_cjson_fuzz_decode(oracle, lua, seed):
    """Random JSON-ish byte soup: same results and error texts (positions
    included); nothing crashes or reads past the end."""
    rnd = random.Random(8 + seed)
    alphabet = '[]{}",:\\u0123456789abcdefEe+-.tnrlsx \t\n' + "\x00\x7f\xc3\xa9"
    texts = []
    for _ in range(300):
        n = rnd.randint(0, 24)
        texts.append("".join(rnd.choice(alphabet) for _ in range(n)))
    code = body("local T = {" + ",".join(lua_str(t) for t in texts) + "}\n" + """
        local out = {}
        for i, s in ipairs(T) do
          out[#out+1] = run(function() return cjson.decode(s) end)
        end
        return table.concat(out, '\\n')""")
    check(oracle, lua, code)


# ------------------------------------------------------------------ cmsgpack

CMSGPACK_PACK = [
    "0", "1", "127", "128", "255", "256", "65535", "65536", "4294967295", "4294967296",
    "2^53", "2^62", "2^63 - 1024", "2^63", "2^64", "-1", "-32", "-33", "-128", "-129", "-32768",
    "-32769", "-2147483648", "-2147483649", "-2^53", "-2^63", "-2^63 - 4096", "-2^64",
    "0.5", "-0.5", "1.5", "0.1", "-0.0", "1e300", "3.4028234663852886e38", "3.4028235677973366e38",
    "1/3", "math.huge", "-math.huge", "0/0", "1e-45", "2^-149", "2^-150",
    "''", "'a'", "string.rep('x', 31)", "string.rep('x', 32)", "string.rep('x', 255)",
    "string.rep('x', 256)", "string.rep('x', 65535)", "string.rep('x', 65536)",
    "true", "false", "nil", "string.len", "cjson.null",
    "{}", "{1,2,3}", "{1,nil,3}", "{[1]=1,[3]=3}", "{[2]=2}", "{a=1}", "{1,2,a=3}",
    "{[0]=1}", "{[1.5]=1}", "{[-1]=1}", "{[2^31]=1}", "{[1]=1,[2^31]=2}",
    "(function() local t={} for i=1,15 do t[i]=i end return t end)()",
    "(function() local t={} for i=1,16 do t[i]=i end return t end)()",
    "(function() local t={} for i=1,65535 do t[i]=0 end return t end)()",
    "(function() local t={} for i=1,65536 do t[i]=0 end return t end)()",
    "(function() local t={} for i=1,15 do t['k'..i]=i end return t end)()",
    "(function() local t={} for i=1,16 do t['k'..i]=i end return t end)()",
    "(function() local t={} for i=1,65536 do t['k'..i]=i end return #cmsgpack.pack(t) end)()",
    "{{{{{{{{{{{{{{{{{{{{1}}}}}}}}}}}}}}}}}}}}",
    "(function() local t={} t[1]=t return t end)()",
    "(function() local t={} t.self=t return t end)()",
    "{{a={b={c={1,2,{x='y'}}}}}, 'z', 2.5, -3}",
]


@pytest.mark.parametrize("expr", CMSGPACK_PACK)
def test_cmsgpack_pack(oracle, lua, expr):
    code = body("local v = " + expr + "\nreturn run(function() local s = cmsgpack.pack(v)"
                " if type(s) ~= 'string' then return s end"
                " return #s > 300 and (#s .. ':' .. hex(s:sub(1, 40)) .. '..' .. hex(s:sub(-20)))"
                " or hex(s) end) .. ' || ' .. run(function() return cmsgpack.unpack(cmsgpack.pack(v)) end)")
    check(oracle, lua, code)


def test_cmsgpack_pack_multi_and_errors(oracle, lua):
    for expr in ["hex(cmsgpack.pack(1, 'a', {2}, nil, true))", "cmsgpack.pack()",
                 "cmsgpack.unpack(cmsgpack.pack(1, 'a', {2}, nil, true))",
                 "cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION"]:
        check_expr(oracle, lua, expr)


UNPACK_HEX = [
    "", "00", "7f", "80", "8f", "90", "9f", "a0", "bf", "c0", "c1", "c2", "c3", "c4", "c5", "c6",
    "c7", "c8", "c9", "ca", "cb", "cc", "cd", "ce", "cf", "d0", "d1", "d2", "d3", "d4", "d5", "d6",
    "d7", "d8", "d9", "da", "db", "dc", "dd", "de", "df", "e0", "ff",
    "ccff", "cd0102", "cdffff", "ce01020304", "ceffffffff", "cf0102030405060708",
    "cfffffffffffffffff", "cf8000000000000000", "d0ff", "d080", "d1ff7f", "d18000", "d2ffffffff",
    "d280000000", "d3ffffffffffffffff", "d38000000000000000", "d37fffffffffffffff",
    "ca3fc00000", "ca7f800000", "caff800000", "ca7fc00000", "cb3ff8000000000000",
    "cb7ff0000000000000", "cb8000000000000000", "cb7ff8000000000001",
    "a3616263", "a361", "d903616263", "d9", "d905616263", "da0003616263", "da00", "da0005616263",
    "db00000003616263", "db000000", "dbffffffff61", "db0000000561",
    "920102", "9201", "dc000201", "dc00020102", "dd0000000201", "dd0000000201020304",
    "ddffffffff", "dcffff", "82a16101a16202", "82a16101", "81c001", "81ca7fc0000001", "8101",
    "de0001a161c3", "df00000001a161c3", "dfffffffff", "deffff",
    "0102", "01c1", "9191919191919191919101", "c0c0c0", "c4026162", "c70101ff", "d40101",
]


def test_cmsgpack_unpack_formats(oracle, lua):
    code = body("local H = {" + ",".join('"%s"' % h for h in UNPACK_HEX) + "}\n" + """
        local function unhex(h) return (h:gsub('..', function(x) return string.char(tonumber(x, 16)) end)) end
        local out = {}
        for i, h in ipairs(H) do
          local s = unhex(h)
          out[#out+1] = h .. ' -> ' .. run(function() return cmsgpack.unpack(s) end)
            .. ' / ' .. run(function() return cmsgpack.unpack_one(s) end)
            .. ' / ' .. run(function() return cmsgpack.unpack_limit(s, 2) end)
        end
        return table.concat(out, '\\n')""")
    check(oracle, lua, code)


def test_cmsgpack_unpack_offsets(oracle, lua):
    check(oracle, lua, body("""
        local s = cmsgpack.pack(1, 'two', {3}, 4.5)
        local out = {}
        local function add(f) out[#out+1] = run(f) end
        add(function() return cmsgpack.unpack_one(s) end)
        add(function() return cmsgpack.unpack_one(s, 1) end)
        add(function() return cmsgpack.unpack_one(s, 5) end)
        add(function() return cmsgpack.unpack_one(s, #s) end)
        add(function() return cmsgpack.unpack_one(s, #s + 1) end)
        add(function() return cmsgpack.unpack_one(s, -1) end)
        add(function() return cmsgpack.unpack_one(s, 2) end)
        add(function() return cmsgpack.unpack_limit(s, 0) end)
        add(function() return cmsgpack.unpack_limit(s, 0, 1) end)
        add(function() return cmsgpack.unpack_limit(s, 3) end)
        add(function() return cmsgpack.unpack_limit(s, 10, 1) end)
        add(function() return cmsgpack.unpack_limit(s, -1) end)
        add(function() return cmsgpack.unpack_limit(s) end)
        add(function() return cmsgpack.unpack_limit(s, 'x') end)
        add(function() return cmsgpack.unpack_one(s, 'x') end)
        add(function() return cmsgpack.unpack() end)
        add(function() return cmsgpack.unpack({}) end)
        add(function() return cmsgpack.unpack('') end)
        add(function() return cmsgpack.unpack_one('') end)
        local off, n = 0, 0
        local vals = {}
        while off ~= -1 and n < 10 do
          local r = {cmsgpack.unpack_one(s, off)}
          off = r[1]; vals[#vals+1] = r[2]; n = n + 1
        end
        out[#out+1] = ser(vals)
        return table.concat(out, '\\n')"""))


@pytest.mark.parametrize("seed", FUZZ_SEEDS)
def test_cmsgpack_truncations_and_fuzz(oracle, lua, seed):
    """Every prefix of a rich message, and random byte strings: same
    values / error texts; never a crash or an out-of-bounds read."""
    rnd = random.Random(88 + seed)
    blobs = ["".join("%02x" % rnd.randrange(256) for _ in range(rnd.randint(1, 12)))
             for _ in range(300)]
    code = body("local H = {" + ",".join('"%s"' % h for h in blobs) + "}\n" + """
        local function unhex(h) return (h:gsub('..', function(x) return string.char(tonumber(x, 16)) end)) end
        local out = {}
        local s = cmsgpack.pack({1, -200, 70000, 2^40, 1.5, 0.1, 'str', string.rep('y', 40),
                                 {a = {b = true}}, false, -2^40})
        for i = 0, #s do
          local p = s:sub(1, i)
          out[#out+1] = run(function() return cmsgpack.unpack(p) end)
        end
        for i, h in ipairs(H) do
          local b = unhex(h)
          out[#out+1] = run(function() return cmsgpack.unpack(b) end)
        end
        return table.concat(out, '\\n')""")
    check(oracle, lua, code)


def test_cmsgpack_deep_nesting_input(oracle, lua):
    check(oracle, lua, body("""
        local out = {}
        out[#out+1] = run(function() return #cmsgpack.unpack(string.rep('\\145', 100) .. '\\1') end)
        out[#out+1] = run(function() return cmsgpack.unpack(string.rep('\\145', 20000) .. '\\1') end)
        out[#out+1] = run(function() return cmsgpack.unpack(string.rep('\\129\\1', 20000) .. '\\1') end)
        out[#out+1] = run(function() return select('#', cmsgpack.unpack(string.rep('\\1', 7000))) end)
        out[#out+1] = run(function() return select('#', cmsgpack.unpack(string.rep('\\1', 9000))) end)
        return table.concat(out, '\\n')"""))


# -------------------------------------------------------------------- struct

STRUCT_CASES = [
    "hex(struct.pack('>iH', 1, 2))", "hex(struct.pack('<iH', 1, 2))", "hex(struct.pack('bBhHlLT', -1, 255, -2, 65535, -3, 2^40, 7))",
    "hex(struct.pack('>bBhHlLT', -1, 255, -2, 65535, -3, 2^40, 7))",
    "hex(struct.pack('i1i2i3i5i7i8', -1, -2, -3, -5, -7, -8))", "hex(struct.pack('>I3', 2^24 + 5))",
    "hex(struct.pack('>i16', -1))", "hex(struct.pack('<i16', -1))", "hex(struct.pack('>I9', 2^63))",
    "hex(struct.pack('>i32', 1))", "struct.pack('i33', 1)", "struct.pack('i99999999999', 1)",
    "hex(struct.pack('>I8', 1e20))", "hex(struct.pack('>I8', 2^64))", "hex(struct.pack('>I8', 0/0))",
    "hex(struct.pack('>i8', -1e30))", "hex(struct.pack('>I8', -0.5))", "hex(struct.pack('>I8', 2^63 + 2^62))",
    "hex(struct.pack('>I8', math.huge))", "hex(struct.pack('>I8', -math.huge))", "hex(struct.pack('>i4', 2^32 + 3))",
    "hex(struct.pack('>i4', 2.7))", "hex(struct.pack('>i4', -2.7))", "hex(struct.pack('>I', '12'))",
    "hex(struct.pack('fd', 1.5, -0.1))", "hex(struct.pack('>fd', 1.5, -0.1))", "hex(struct.pack('<f', 0.1))",
    "hex(struct.pack('>f', 1e39))", "hex(struct.pack('>d', 0/0))",
    "hex(struct.pack('c3', 'abcdef'))", "hex(struct.pack('c0', 'abcdef'))", "struct.pack('c3', 'ab')",
    "hex(struct.pack('s', 'abc'))", "hex(struct.pack('s', 'a\\0b'))", "hex(struct.pack('c', 'xyz'))",
    "hex(struct.pack('xbx', 1))", "hex(struct.pack('!4bi', 1, 2))", "hex(struct.pack('!bi', 1, 2))",
    "hex(struct.pack('!2bi', 1, 2))", "hex(struct.pack('!8bd', 1, 2))", "hex(struct.pack('!4 b h b i b d', 1, 2, 3, 4, 5, 6))",
    "hex(struct.pack('!8b i3 b', 1, 2, 3))", "hex(struct.pack('!8 b c2 i', 1, 'xy', 3))",
    "struct.pack('!3i', 1)", "struct.pack('!0i', 1)", "struct.pack('y', 1)", "struct.pack('%', 1)",
    "struct.pack('i', nil)", "struct.pack('i', 'x')", "struct.pack('d')", "struct.pack()", "struct.pack(1)",
    "hex(struct.pack(''))", "hex(struct.pack('   '))", "hex(struct.pack('>i', 1, 2, 3))",
    "struct.unpack('>iH', struct.pack('>iH', -5, 65535))", "struct.unpack('<iH', struct.pack('<iH', -5, 65535))",
    "struct.unpack('bBhHlLT', struct.pack('bBhHlLT', -1, 255, -2, 65535, -3, 2^40, 7))",
    "struct.unpack('>i16', string.rep('\\255', 16))", "struct.unpack('<i9', string.rep('\\255', 9))",
    "struct.unpack('i0 >i9 <I9 >i10', string.rep('\\128', 28))", "struct.unpack('>I8 >i8', string.rep('\\255', 16))",
    "struct.unpack('>I3 <I3 >i3 <i3', '\\128\\0\\1\\1\\0\\128\\255\\255\\254\\254\\255\\255')",
    "struct.unpack('fd', struct.pack('fd', 1.5, -0.1))", "struct.unpack('>f>d', struct.pack('>f>d', 0.1, 1e300))",
    "struct.unpack('c3', 'abcdef')", "struct.unpack('c3c2', 'abcdef')", "struct.unpack('c0', 'abc')",
    "struct.unpack('bc0', '\\3abc')", "struct.unpack('bc0', '\\4abc')", "struct.unpack('bc0', '\\255abc')",
    "struct.unpack('bc0', '\\0abc')", "struct.unpack('c1c0', '3abc')", "struct.unpack('c1c0', 'xabc')",
    "struct.unpack('c0', 'abc', 1)", "struct.unpack('s', 'abc')", "struct.unpack('ss', 'ab\\0cd\\0e')",
    "struct.unpack('s', '\\0')", "struct.unpack('sb', 'a\\0')", "struct.unpack('xb', '\\1\\2')",
    "struct.unpack('b', '')", "struct.unpack('b', 'a', 0)", "struct.unpack('b', 'a', -5)", "struct.unpack('b', 'a', 2)",
    "struct.unpack('b', 'ab', 2)", "struct.unpack('b', 'ab', 3)", "struct.unpack('b', 'ab', 2^53)",
    "struct.unpack('b', 'ab', 'x')", "struct.unpack('c2000000000', 'abc')", "struct.unpack('i4', 'abc')",
    "struct.unpack('!4bi', '\\1\\0\\0\\0\\2\\0\\0\\0', 1)", "struct.unpack('!4bi', '\\1\\0\\0\\0\\2\\0\\0')",
    "struct.unpack('!4bi', '\\9\\1\\0\\0\\0\\2\\0\\0\\0', 2)", "struct.unpack('!4 b d', string.rep('\\0', 12))",
    "struct.unpack('y', 'abc')", "struct.unpack('%', 'abc')", "struct.unpack('i40', string.rep('a', 40))",
    "struct.unpack()", "struct.unpack('b')", "struct.unpack('')", "struct.unpack('', 'abc', 3)",
    "struct.size('>iH')", "struct.size('bBhHlLTfdx')", "struct.size('!bd')", "struct.size('!4bd')",
    "struct.size('!bi3')", "struct.size('c5')", "struct.size('c')", "struct.size('i16')",
    "struct.size('s')", "struct.size('c0')", "struct.size('y')", "struct.size('%')", "struct.size('!5')",
    "struct.size('i33')", "struct.size('c99999999999')", "struct.size('')", "struct.size()",
]


@pytest.mark.parametrize("expr", STRUCT_CASES)
def test_struct(oracle, lua, expr):
    check_expr(oracle, lua, expr)


@pytest.mark.parametrize("seed", FUZZ_SEEDS)
def test_struct_fuzz_unpack(oracle, lua, seed):
    rnd = random.Random(5 + seed)
    fmts = []
    for _ in range(200):
        fmts.append("".join(rnd.choice("<>!248 bBhHlLTiIfdxcs0123") for _ in range(rnd.randint(1, 6))))
    datas = ["".join(rnd.choice("\\0\\1\\3\\127\\128\\255ab".split("\\")[1:] and
                                ["\\0", "\\1", "\\3", "\\127", "\\128", "\\255", "a", "b"])
                     for _ in range(rnd.randint(0, 20))) for _ in range(200)]
    code = body("local F = {" + ",".join(lua_str(f) for f in fmts) + "}\n"
                + "local D = {" + ",".join('"%s"' % d for d in datas) + "}\n" + """
        local out = {}
        for i = 1, #F do
          out[#out+1] = run(function() return struct.unpack(F[i], D[i]) end)
            .. ' / ' .. run(function() return struct.size(F[i]) end)
            .. ' / ' .. run(function() return hex(struct.pack(F[i], 1, 2, 3, 4, 5, 6)) end)
        end
        return table.concat(out, '\\n')""")
    check(oracle, lua, code)


# ----------------------------------------------------------------------- bit

BIT_CASES = [
    "bit.tobit(0)", "bit.tobit(1)", "bit.tobit(-1)", "bit.tobit(2^31)", "bit.tobit(2^32)", "bit.tobit(2^32 + 5)",
    "bit.tobit(0xffffffff)", "bit.tobit(-2^31)", "bit.tobit(-2^31 - 1)", "bit.tobit(1.5)", "bit.tobit(2.5)",
    "bit.tobit(-1.5)", "bit.tobit(0.49999)", "bit.tobit(2^52)", "bit.tobit(2^53 + 2)", "bit.tobit(2^60 + 2^33 + 7)",
    "bit.tobit(1e300)", "bit.tobit(math.huge)", "bit.tobit(-math.huge)", "bit.tobit(0/0)", "bit.tobit('12')",
    "bit.tobit('0x10')", "bit.tobit('x')", "bit.tobit(nil)", "bit.tobit()", "bit.tobit({})",
    "bit.tohex(1)", "bit.tohex(-1)", "bit.tohex(0x12345678, 4)", "bit.tohex(0x12345678, -4)", "bit.tohex(255, 2)",
    "bit.tohex(255, -2)", "bit.tohex(1, 0)", "bit.tohex(1, 9)", "bit.tohex(1, -9)", "bit.tohex(1, -2147483648)",
    "bit.tohex(1, 2147483647)", "bit.tohex(1, 2^32 - 3)", "bit.tohex(1, nil)", "bit.tohex(0xabcdef, -8)",
    "bit.bnot(0)", "bit.bnot(-1)", "bit.bnot(0x12345678)", "bit.bnot(2^32)",
    "bit.band(0xff, 0x0f)", "bit.band(-1, 0x80000000)", "bit.band(1)", "bit.band()", "bit.band('x')",
    "bit.band(1, 2, 3, 'x')", "bit.band(7, 6, 5, 4)", "bit.bor(1, 2, 4, 8, 16)", "bit.bor(-2^31, 1)",
    "bit.bxor(0xff, 0x0f, 0x01)", "bit.bxor(-1, 1)",
    "bit.lshift(1, 0)", "bit.lshift(1, 31)", "bit.lshift(1, 32)", "bit.lshift(1, 33)", "bit.lshift(1, -1)",
    "bit.lshift(-1, 4)", "bit.lshift(0x7fffffff, 1)", "bit.lshift(3, 2^32 + 1)",
    "bit.rshift(-1, 0)", "bit.rshift(-1, 1)", "bit.rshift(-1, 31)", "bit.rshift(-1, 32)", "bit.rshift(-256, 4)",
    "bit.rshift(1, -1)", "bit.arshift(-1, 1)", "bit.arshift(-256, 4)", "bit.arshift(-256, 36)",
    "bit.arshift(0x80000000, 31)", "bit.arshift(0x7fffffff, 30)", "bit.arshift(-1, 31)", "bit.arshift(5, 0)",
    "bit.rol(0x12345678, 4)", "bit.rol(0x12345678, 36)", "bit.rol(-1, 7)", "bit.rol(1, 31)", "bit.rol(1, 0)",
    "bit.ror(0x12345678, 4)", "bit.ror(0x12345678, -4)", "bit.ror(1, 1)", "bit.ror(1, 32)",
    "bit.bswap(0x12345678)", "bit.bswap(-1)", "bit.bswap(0x80)", "bit.bswap(0)",
    "bit.lshift()", "bit.lshift(1)", "bit.rol(1, 'x')", "bit.tohex('x')",
]


@pytest.mark.parametrize("expr", BIT_CASES)
def test_bit(oracle, lua, expr):
    check_expr(oracle, lua, expr)


@pytest.mark.parametrize("seed", FUZZ_SEEDS)
def test_bit_random(oracle, lua, seed):
    rnd = random.Random(3 + seed)
    nums = [rnd.choice([rnd.randint(-2**33, 2**33), rnd.randint(-40, 40), rnd.random() * 2**34 - 2**33])
            for _ in range(300)]
    code = body("local N = {" + ",".join(repr(float(x)) for x in nums) + "}\n" + """
        local out = {}
        for i = 1, #N - 1 do
          local a, b = N[i], N[i+1]
          out[#out+1] = table.concat({bit.tobit(a), bit.bnot(a), bit.band(a, b), bit.bor(a, b), bit.bxor(a, b),
            bit.lshift(a, b), bit.rshift(a, b), bit.arshift(a, b), bit.rol(a, b), bit.ror(a, b),
            bit.bswap(a), bit.tohex(a), bit.tohex(a, b)}, ',')
        end
        return table.concat(out, '\\n')""")
    check(oracle, lua, code)


# ------------------------------------------------------------ harness only

def test_hostile_inputs_do_not_crash(lua):
    """Big and malformed inputs at the limits (run only in our harness, on
    fresh states, then the state must still work)."""
    s = State()
    codes = [
        "return cmsgpack.unpack(string.rep('\\221\\255\\255\\255\\255', 3))",
        "return cmsgpack.unpack('\\219\\255\\255\\255\\255abc')",
        "return struct.unpack('c2147483647', 'abc')",
        "return struct.unpack('i32', string.rep('x', 31))",
        "return struct.pack('c2147483647', 'abc')",
        "return struct.unpack('>!8 bi32', string.rep('x', 33))",
        "return cjson.decode(string.rep('[', 200000))",
        "return cjson.decode(string.rep('{\"a\":', 200000))",
        "return cjson.decode('\"' .. string.rep('\\\\u', 1000))",
        "return cjson.decode('\"\\\\ud800\\\\')",
        "return cjson.decode('\"\\\\ud800\\\\u')",
        "return cjson.decode('\"\\\\ud800\\\\udc0')",
        "return cjson.encode(string.rep('\\1', 1000000))",
    ]
    for code in codes:
        ok, out = s.run(code.encode())
        assert isinstance(out, bytes)
    s.gc()
    assert s.run(b"return cjson.encode({1, 2})") == (True, b"[1,2]")
    assert s.run(b"return bit.tohex(255)") == (True, b"000000ff")


@pytest.mark.parametrize("seed", FUZZ_SEEDS)
def test_random_values_encode(oracle, lua, seed):
    """Random nested Lua values (an LCG in Lua, same on both sides) through
    cjson.encode, cmsgpack.pack and back."""
    check(oracle, lua, body("local seed = %d\n" % (seed + 7) + """
        local function rnd(n)
          seed = (seed * 1103515245 + 12345) % 2147483648
          return seed % n
        end
        local gen
        gen = function(d)
          local k = rnd(d > 3 and 6 or 9)
          if k == 0 then return rnd(1000) - 500
          elseif k == 1 then return (rnd(100000) - 50000) / (rnd(97) + 1)
          elseif k == 2 then return string.rep(string.char(rnd(256)), rnd(4)) .. 'k' .. rnd(50)
          elseif k == 3 then return rnd(2) == 1
          elseif k == 4 then return 2 ^ rnd(70) * (rnd(2) == 1 and -1 or 1)
          elseif k == 5 then return cjson.null
          elseif k == 6 then
            local t = {}
            for i = 1, rnd(20) do t[i] = gen(d + 1) end
            return t
          elseif k == 7 then
            local t = {}
            for i = 1, rnd(12) do t['f' .. rnd(30)] = gen(d + 1) end
            return t
          else
            local t = {}
            for i = 1, rnd(8) do t[rnd(25) + 1] = gen(d + 1) end
            return t
          end
        end
        local out = {}
        for i = 1, 60 do
          local v = gen(0)
          out[#out+1] = run(function() return cjson.encode(v) end)
          out[#out+1] = run(function() return hex(cmsgpack.pack(v)) end)
          out[#out+1] = run(function() return cjson.decode(cjson.encode(v)) end)
          out[#out+1] = run(function() return cmsgpack.unpack(cmsgpack.pack(v)) end)
        end
        return table.concat(out, '\\n')"""))


# Scripts of Redis's own test suite (tests/unit/scripting.tcl) touching the libraries.
REDIS_SUITE = [
    """return table.concat(cjson.decode("[0.0, -5e3, -1, 0.3e-3, 1023.2, 0e10]"), " ")""",
    """local decoded = cjson.decode('{"keya": "a", "keyb": "b"}')
       return {decoded.keya, decoded.keyb}""",
    """local encoded = cmsgpack.pack(0.1)
       local h = ""
       for i = 1, #encoded do h = h .. string.format("%02x", string.byte(encoded, i)) end
       return h""",
    """local encoded = cmsgpack.pack(-1099511627776)
       local h = ""
       for i = 1, #encoded do h = h .. string.format("%02x", string.byte(encoded, i)) end
       return h""",
    """local a = {x=nil,y=5}
       local b = {x=a}
       a['x'] = b
       local encoded = cmsgpack.pack(a)
       local h = ""
       for i = 1, #encoded do h = h .. string.format("%02x", string.byte(encoded, i)) end
       local re = cmsgpack.unpack(encoded)
       assert(re)
       assert(re.x)
       assert(re.x.x.y == re.y)
       assert(re.x.x.x.x.y == re.y)
       assert(re.x.x.x.x.x.x.y == re.y)
       assert(re.x.x.x.x.x.x.x.x.x.x.y == re.y)
       assert(re.x.x.x.x.x.x.x.x.x.x.x.x.x.x.y == re.y)
       assert(re.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x)
       assert(re.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x == nil)
       return {h, re.x.x.x.x.x.x.x.x.y == re.y, re.y == 5}""",
    """assert(bit.tobit(1) == 1); assert(bit.band(1) == 1); assert(bit.bxor(1,2) == 3);
       assert(bit.bor(1,2,4,8,16,32,64,128) == 255) return 'ok'""",
    """return bit.tohex(65535, -2147483648)""",
    """return struct.pack('HH', 1, 2)""",
    """return {struct.unpack('HH', '\\1\\0\\2\\0')}""",
]


@pytest.mark.parametrize("code", REDIS_SUITE)
def test_redis_suite_scripts(oracle, lua, code):
    check(oracle, lua, body("return run(function() " + code + " end)"))
