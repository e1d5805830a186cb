"""Compat tests for string commands: raw replies of fastkv must equal the
raw replies of a real redis-server (7.0) byte for byte.

Each ``compat.check`` starts from FLUSHALL on fresh connections to both
servers.
"""

import pytest

from kvtest import Sleep, TypeOnly

pytestmark = pytest.mark.compat


# --------------------------------------------------------------------------
# GET / SET and its options
# --------------------------------------------------------------------------

def test_get_set_basic(compat):
    compat.check(
        "GET missing",
        "SET k v",
        "GET k",
        "SET k ''",
        "GET k",
        "STRLEN k",
        ("SET", "bin", b"\x00\x01\xff\r\n$3\r\n"),
        ("GET", "bin"),
        ("SET", "big", b"x" * 100000),
        "STRLEN big",
        ("GET", "big"),
        ("SET", "k", "ünïcödé"),
        "GET k",
        "SET 123 456",
        "GET 123",
    )


def test_set_overwrites_and_drops_ttl(compat):
    compat.check(
        "SET k v EX 100",
        "TTL k",
        "SET k v2",
        "TTL k",
        "GET k",
    )


@pytest.mark.parametrize("opt", ["EX 100", "PX 100000", "ex 100", "px 100000"])
def test_set_relative_expire(compat, opt):
    compat.check(
        "SET k v " + opt,
        "GET k",
        "TTL k",
        TypeOnly("PTTL k"),
    )


def test_set_absolute_expire(compat):
    compat.check(
        "SET k v EXAT 33177117420",
        "EXPIRETIME k",
        "PEXPIRETIME k",
        "SET k v PXAT 33177117420123",
        "PEXPIRETIME k",
        "EXPIRETIME k",
        # in the past: key is created and deleted at once
        "SET k v EXAT 1",
        "EXISTS k",
        "GET k",
        "SET k v PXAT 1",
        "EXISTS k",
    )


def test_set_nx_xx(compat):
    compat.check(
        "SET k v XX",
        "GET k",
        "SET k v NX",
        "SET k v2 NX",
        "GET k",
        "SET k v3 XX",
        "GET k",
        "SET k v4 nx",
        "SET k v5 xx",
        "GET k",
    )


def test_set_keepttl(compat):
    compat.check(
        "SET k v EX 100",
        "SET k v2 KEEPTTL",
        "TTL k",
        "GET k",
        "SET k v3",
        "TTL k",
        "SET nottl v KEEPTTL",
        "TTL nottl",
    )


def test_set_get_option(compat):
    compat.check(
        "SET k v GET",
        "GET k",
        "SET k v2 GET",
        "SET k v3 GET EX 100",
        "TTL k",
        "SET k v4 GET KEEPTTL",
        "TTL k",
        "SET k v5 NX GET",
        "SET k v6 XX GET",
        "SET nk v NX GET",
        "GET nk",
        "SET other v XX GET",
        "EXISTS other",
    )


@pytest.mark.parametrize("cmd", [
    "SET k v NX XX",
    "SET k v XX NX",
    "SET k v EX 10 PX 100",
    "SET k v PX 100 EX 10",
    "SET k v EX 10 EXAT 33177117420",
    "SET k v EXAT 33177117420 PXAT 33177117420000",
    "SET k v KEEPTTL EX 10",
    "SET k v EX 10 KEEPTTL",
    "SET k v PX 10 KEEPTTL",
    "SET k v FOO",
    "SET k v EX",
    "SET k v PX",
    "SET k v EXAT",
    "SET k v GET GET",
    "SET k v NX NX",
    "SET k v EX 10 EX 20",
])
def test_set_syntax_errors(compat, cmd):
    compat.check("SET k original", cmd, "GET k")


@pytest.mark.parametrize("cmd", [
    "SET k v EX 0",
    "SET k v EX -1",
    "SET k v PX 0",
    "SET k v PX -100",
    "SET k v EXAT 0",
    "SET k v PXAT 0",
    "SET k v EXAT -5",
    "SET k v EX abc",
    "SET k v PX 1.5",
    "SET k v EX 9223372036854775807",
    "SET k v EX 9223372036854775808",
    "SET k v PX 9223372036854775807",
    "SET k v EX 10000000000000000",
    "SET k v EXAT 9223372036854775807",
    "SET k v EX ''",
    "SET k v EX ' 10'",
])
def test_set_invalid_expire(compat, cmd):
    compat.check("SET k original", cmd, "GET k", "TTL k")


@pytest.mark.parametrize("cmd", ["SET", "SET k", "GET", "GET a b", "SETNX k",
                                 "SETEX k 10", "PSETEX k", "GETSET k",
                                 "GETDEL", "GETDEL a b", "GETEX", "MGET",
                                 "MSET", "MSET a", "MSET a 1 b", "MSETNX a 1 b",
                                 "APPEND k", "STRLEN", "STRLEN a b",
                                 "GETRANGE k 0", "SETRANGE k 0", "SUBSTR k 0",
                                 "INCR", "INCR a b", "DECR", "INCRBY k",
                                 "DECRBY k", "INCRBYFLOAT k", "LCS a",
                                 "set", "Get", "mset a"])
def test_wrong_arity(compat, cmd):
    compat.check(cmd)


def test_unknown_command(compat):
    compat.check(
        "FOO a b",
        "foo a b",
        "FOO",
        "FOO " + " ".join("arg%d" % i for i in range(20)),
        ("FOO", "x" * 200, "y" * 200),
        ("FOO", "has space", "quote'd"),
        "GETT k",
        ("",),
    )


# --------------------------------------------------------------------------
# SETNX SETEX PSETEX GETSET GETDEL GETEX
# --------------------------------------------------------------------------

def test_setnx(compat):
    compat.check("SETNX k v", "SETNX k v2", "GET k")


def test_setex_psetex(compat):
    compat.check(
        "SETEX k 100 v",
        "GET k",
        "TTL k",
        "PSETEX p 100000 v",
        "TTL p",
        TypeOnly("PTTL p"),
        "SETEX k 0 v",
        "SETEX k -1 v",
        "SETEX k abc v",
        "PSETEX k 0 v",
        "PSETEX k -5 v",
        "PSETEX k 1.5 v",
        "SETEX k 9223372036854775807 v",
        "GET k",
    )


def test_getset(compat):
    compat.check(
        "GETSET k v",
        "GETSET k v2",
        "GET k",
        "SET t v EX 100",
        "GETSET t v2",
        "TTL t",
    )


def test_getdel(compat):
    compat.check("GETDEL k", "SET k v", "GETDEL k", "EXISTS k", "GETDEL k")


def test_getex(compat):
    compat.check(
        "GETEX missing",
        "GETEX missing EX 10",
        "SET k v",
        "GETEX k",
        "TTL k",
        "GETEX k EX 100",
        "TTL k",
        "GETEX k PX 200000",
        "TTL k",
        "GETEX k EXAT 33177117420",
        "EXPIRETIME k",
        "GETEX k PXAT 33177117420555",
        "PEXPIRETIME k",
        "GETEX k PERSIST",
        "TTL k",
        "GETEX k persist",
        "GETEX k EX 0",
        "GETEX k EX -1",
        "GETEX k PX 0",
        "GETEX k EX abc",
        "GETEX k EX 10 PX 10",
        "GETEX k EX 10 PERSIST",
        "GETEX k PERSIST EX 10",
        "GETEX k FOO",
        "GETEX k EX",
        "GETEX k KEEPTTL",
        "TTL k",
        "GETEX k EXAT 1",
        "EXISTS k",
    )


# --------------------------------------------------------------------------
# MGET MSET MSETNX
# --------------------------------------------------------------------------

def test_mget_mset(compat):
    compat.check(
        "MSET a 1 b 2 c 3",
        "MGET a b c missing",
        "MGET missing",
        "MSET a x a y",
        "GET a",
        "SET t v EX 100",
        "MSET t v2",
        "TTL t",
    )


def test_msetnx(compat):
    compat.check(
        "MSETNX a 1 b 2",
        "MGET a b",
        "MSETNX b 3 c 4",
        "MGET a b c",
        "MSETNX c 5 c 6",
        "GET c",
    )


# --------------------------------------------------------------------------
# APPEND STRLEN GETRANGE SETRANGE SUBSTR
# --------------------------------------------------------------------------

def test_append_strlen(compat):
    compat.check(
        "APPEND k hello",
        "APPEND k ' world'",
        "GET k",
        "STRLEN k",
        "STRLEN missing",
        "APPEND k ''",
        "SET n 10",
        "APPEND n 5",
        "GET n",
        "INCR n",
        "SET t v EX 100",
        "APPEND t x",
        "TTL t",
    )


def test_getrange(compat):
    compat.check(
        "SET k 'This is a string'",
        "GETRANGE k 0 3",
        "GETRANGE k -3 -1",
        "GETRANGE k 0 -1",
        "GETRANGE k 10 100",
        "GETRANGE k 100 200",
        "GETRANGE k 5 3",
        "GETRANGE k -100 -50",
        "GETRANGE k -100 2",
        "GETRANGE k 0 -100",
        "GETRANGE k -1 -2",
        "GETRANGE missing 0 10",
        "GETRANGE k a 1",
        "GETRANGE k 0 b",
        "GETRANGE k 0 9223372036854775807",
        "GETRANGE k -9223372036854775808 9223372036854775807",
        "SUBSTR k 0 3",
        "SUBSTR k -3 -1",
        "SET n 12345",
        "GETRANGE n 1 2",
        "GETRANGE n -2 -1",
        "SET e ''",
        "GETRANGE e 0 -1",
        "GETRANGE e 0 0",
    )


def test_setrange(compat):
    compat.check(
        "SET k 'Hello World'",
        "SETRANGE k 6 Redis",
        "GET k",
        "SETRANGE k 20 x",
        "GET k",
        "STRLEN k",
        "SETRANGE missing 0 ''",
        "EXISTS missing",
        "SETRANGE missing 5 ''",
        "EXISTS missing",
        "SETRANGE new 3 abc",
        "GET new",
        "SETRANGE k 0 ''",
        "GET k",
        "SET n 1234",
        "SETRANGE n 1 9",
        "GET n",
        "SETRANGE k -1 x",
        "SETRANGE k abc x",
        # (a successful SETRANGE at offset 536870911 would allocate 512MB)
        "SETRANGE k 536870912 x",
        "SETRANGE k 536870911 xy",
        "SETRANGE k 4294967296 x",
        "SETRANGE other 536870912 ''",
        "SETRANGE k 536870912 ''",
        "GET k",
        "SET t v EX 100",
        "SETRANGE t 1 x",
        "TTL t",
    )


# --------------------------------------------------------------------------
# INCR DECR INCRBY DECRBY INCRBYFLOAT
# --------------------------------------------------------------------------

def test_incr_decr(compat):
    compat.check(
        "INCR k",
        "INCR k",
        "DECR k",
        "DECR k",
        "DECR k",
        "GET k",
        "INCRBY k 100",
        "INCRBY k -50",
        "DECRBY k 25",
        "DECRBY k -5",
        "GET k",
        "DECR new",
        "INCRBY new2 9223372036854775807",
        "DECRBY new3 9223372036854775807",
        "SET s ' 1'",
        "INCR s",
        "SET s '1 '",
        "INCR s",
        "SET s '+1'",
        "INCR s",
        "SET s '01'",
        "INCR s",
        "SET s '-0'",
        "INCR s",
        "SET s 1.5",
        "INCR s",
        "SET s abc",
        "INCR s",
        "SET s ''",
        "INCR s",
        "SET s 18446744073709551616",
        "INCR s",
        "INCRBY k abc",
        "INCRBY k 1.5",
        "INCRBY k ''",
        "DECRBY k 99999999999999999999",
        "SET t 5 EX 100",
        "INCR t",
        "TTL t",
    )


def test_incr_overflow(compat):
    compat.check(
        "SET k 9223372036854775807",
        "INCR k",
        "INCRBY k 1",
        "DECRBY k -1",
        "INCRBY k 0",
        "GET k",
        "SET k -9223372036854775808",
        "DECR k",
        "DECRBY k 1",
        "INCRBY k -1",
        "INCR k",
        "SET k 0",
        "DECRBY k -9223372036854775808",
        "INCRBY k -9223372036854775808",
        "GET k",
        "SET k 1",
        "INCRBY k 9223372036854775807",
        "SET k 9223372036854775808",
        "INCR k",
    )


@pytest.mark.parametrize("start,incr", [
    ("10.50", "0.1"),
    ("10", "0.5"),
    ("5.0e3", "2.0e2"),
    ("0", "3.0e-3"),
    ("3", "-3"),
    ("0", "1e10"),
    ("1", "-1.5"),
    ("0.1", "0.2"),
    ("100", "1e-20"),
    ("1", "1e17"),
    ("17", "0"),
    ("0", "1.7976931348623157e300"),
    ("-0", "0"),
    ("1.23456789012345678", "0"),
    ("1", "0.1e1"),
    ("0", "  5"),
    ("0", "5  "),
    ("0", "0x10"),
    ("0", "1e5000"),
    ("0", "inf"),
    ("0", "-inf"),
    ("0", "+inf"),
    ("0", "nan"),
    ("0", "abc"),
    ("0", ""),
    ("0", "1.5.5"),
    ("abc", "1"),
    ("1.5x", "1"),
    ("inf", "1"),
    ("' 1'", "1"),
])
def test_incrbyfloat(compat, start, incr):
    compat.check(
        "SET k " + start,
        ("INCRBYFLOAT", "k", incr),
        "GET k",
    )


def test_incrbyfloat_misc(compat):
    compat.check(
        "INCRBYFLOAT new 10.5",
        "INCRBYFLOAT new 0.1",
        "INCRBYFLOAT new -5.0e3",
        "INCRBYFLOAT new 5.0e3",
        "GET new",
        "SET t 1 EX 100",
        "INCRBYFLOAT t 1",
        "TTL t",
        "SET big 1e300",
        "INCRBYFLOAT big 1e300",
        "INCRBYFLOAT big 1e308",
        "SET n 9223372036854775807",
        "INCRBYFLOAT n 1",
        "INCR n",
    )


# --------------------------------------------------------------------------
# LCS
# --------------------------------------------------------------------------

def test_lcs(compat):
    compat.check(
        "MSET key1 ohmytext key2 mynewtext",
        "LCS key1 key2",
        "LCS key1 key2 LEN",
        "LCS key1 key2 IDX",
        "LCS key1 key2 IDX MINMATCHLEN 4",
        "LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN",
        "LCS key1 key2 IDX WITHMATCHLEN",
        "LCS key1 key2 idx minmatchlen 2 withmatchlen",
        "LCS key1 missing",
        "LCS missing1 missing2",
        "LCS missing1 missing2 IDX",
        "LCS missing1 missing2 LEN",
        "LCS key1 key1",
        "LCS key1 key2 LEN IDX",
        "LCS key1 key2 FOO",
        "LCS key1 key2 MINMATCHLEN",
        "LCS key1 key2 MINMATCHLEN abc",
        "LCS key1 key2 IDX MINMATCHLEN -1",
        "LCS key1 key2 IDX MINMATCHLEN 0",
        "MSET a 'The quick brown fox' b 'The lazy dog jumps quickly'",
        "LCS a b",
        "LCS a b IDX WITHMATCHLEN",
        "LCS a b IDX MINMATCHLEN 3 WITHMATCHLEN",
        "MSET e ''",
        "LCS e a",
        "LCS e a IDX",
    )


def test_lcs_resp3(compat):
    compat.check(
        "MSET key1 ohmytext key2 mynewtext",
        "LCS key1 key2 IDX",
        "LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN",
        "LCS key1 missing IDX",
        resp3=True,
    )


# --------------------------------------------------------------------------
# RESP3 encodings of string replies
# --------------------------------------------------------------------------

def test_strings_resp3(compat):
    compat.check(
        "GET missing",
        "SET k v",
        "GET k",
        "SET k v2 GET",
        "MGET k missing",
        "INCRBYFLOAT f 1.5",
        "INCR i",
        "SET k v NX",
        "SET k v XX GET",
        "GETEX missing",
        "FOO",
        "SET k v EX 0",
        resp3=True,
    )


# --------------------------------------------------------------------------
# WRONGTYPE: needs lists on fastkv
# --------------------------------------------------------------------------

def test_wrongtype_errors(compat):
    compat.check(
        "RPUSH l a b",
        "GET l",
        "SET l x GET",
        "GETSET l x",
        "GETDEL l",
        "GETEX l",
        "APPEND l x",
        "STRLEN l",
        "GETRANGE l 0 1",
        "SETRANGE l 0 x",
        "INCR l",
        "DECRBY l 2",
        "INCRBYFLOAT l 1",
        "LCS l l",
        "MGET l",
        "SETNX l x",
        "SET l x NX",
        "TYPE l",
        # SET without GET overwrites any type
        "SET l x",
        "TYPE l",
        "GET l",
    )


def test_lazy_expiry_strings(compat):
    compat.check(
        "SET k v PX 50",
        "SET keep v",
        "PSETEX p 50 v",
        Sleep(0.15),
        "GET k",
        "EXISTS k p keep",
        "TTL k",
        "STRLEN p",
        "APPEND p x",
        "GET p",
        "TTL p",
    )


@pytest.mark.fastkv_only
def test_overwriting_an_embstr_gives_its_inline_bytes_back(r):
    """A short string lives inline in the key's entry; replacing it with an
    integer must shrink the entry, not keep the old bytes allocated."""
    r.set(b"fresh", b"12345")
    r.set(b"was_embstr", b"x" * 44)
    big = r.memory_usage(b"was_embstr")
    r.set(b"was_embstr", b"12345")
    assert r.object("encoding", b"was_embstr") == b"int"
    # same key length, same value: same footprint as a key created as an int
    assert r.memory_usage(b"was_embstr") < big
    assert r.memory_usage(b"was_embstr") <= r.memory_usage(b"fresh") + 16
