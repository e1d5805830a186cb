"""Compat tests for the geo commands (GEOADD GEODIST GEOHASH GEOPOS
GEORADIUS[_RO] GEORADIUSBYMEMBER[_RO] GEOSEARCH GEOSEARCHSTORE): fastkv's
replies must equal a real redis-server 7.0's byte for byte.

Everything is compared exactly, including the order of unsorted search
results (the order the 9 cells of the cover are scanned in), the order of
points at equal distances under ASC/DESC with and without COUNT (qsort /
pqsort), the "%.4f" distances and the coordinates' long-double text.
"""
import random

import pytest

from kvtest import Shape
from test_notify import kn  # noqa: F401  (fixture)

pytestmark = pytest.mark.compat

SICILY = "GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania"


@pytest.fixture
def zset_config(compat):
    """CONFIG SET zset-max-listpack-* inside a test; restored after."""
    yield
    for srv in (compat.fk_server, compat.rd_server):
        with srv.raw() as c:
            assert c.call_raw("CONFIG", "SET", "zset-max-listpack-entries", "128") == b"+OK\r\n"
            assert c.call_raw("CONFIG", "SET", "zset-max-listpack-value", "64") == b"+OK\r\n"


# --------------------------------------------------------------------------
# GEOADD
# --------------------------------------------------------------------------

def test_geoadd_options(compat):
    compat.check(
        "GEOADD g 1 1 a 2 2 b", "GEOADD g 1 1 a", "GEOADD g CH 1 1 a 3 3 b 4 4 c",
        "ZRANGE g 0 -1 WITHSCORES", "GEOADD g NX 5 5 a 6 6 d", "GEOADD g NX CH 5 5 a 6 6 d",
        "GEOADD g XX CH 7 7 a 8 8 e", "GEOADD g XX 9 9 a 8 8 e", "GEOADD g CH XX 9 9 a",
        "GEOADD g ch nx 1 1 z", "GEOADD g xx ch ch 2 2 z", "ZRANGE g 0 -1 WITHSCORES",
        "GEOADD missing XX 1 1 a", "EXISTS missing", "GEOADD missing XX CH 1 1 a",
        "GEOADD g 1 1 a 1 1 a 2 2 a", "GEOPOS g a", "ZCARD g",
        "OBJECT ENCODING g", "TYPE g",
    )


def test_geoadd_errors(compat):
    compat.check(
        "GEOADD k 200 1 x", "GEOADD k 1 86 x", "GEOADD k -180.000001 0 x", "GEOADD k 0 -85.06 x",
        "GEOADD k nan 1 x", "GEOADD k 1 nan x", "GEOADD k abc 1 x", "GEOADD k 1 '' x",
        "GEOADD k inf 1 x", "GEOADD k 1 -inf x", "GEOADD k 1e300 1 x", "GEOADD k -1e-300 1e300 x",
        "GEOADD k 1 1 a 200 1 b", "EXISTS k",
        "GEOADD k XX NX 1 1 x", "GEOADD k NX XX 1 1 x", "GEOADD k 1 1", "GEOADD k NX 1 1",
        "GEOADD k NX XX CH", "GEOADD k CH CH CH", "GEOADD k NX NX NX", "GEOADD k GT 1 1 x",
        "GEOADD k LT 1 1 x", "GEOADD k INCR 1 1 x", "GEOADD k 1 1 x 2", "GEOADD k 1 1 x 2 2",
        "GEOADD k", "GEOADD", "EXISTS k",
        "SET str v", "GEOADD str 1 1 x", "GEOADD str 200 1 x", "GEOADD str XX 1 1 x",
        "GET str",
    )


def test_geoadd_encodings(compat, zset_config):
    compat.check(
        "CONFIG SET zset-max-listpack-entries 4", "CONFIG SET zset-max-listpack-value 5",
        "GEOADD a 1 1 m1 2 2 m2 3 3 m3 4 4 m4", "OBJECT ENCODING a",
        "GEOADD a 5 5 m5", "OBJECT ENCODING a",
        "GEOADD b 1 1 longmember", "OBJECT ENCODING b",
        "GEOADD c 1 1 short 2 2 longmember", "OBJECT ENCODING c",
        "GEOADD d 1 1 1 2 2 -20 3 3 300000", "OBJECT ENCODING d", "ZRANGE d 0 -1 WITHSCORES",
        "GEOSEARCH d FROMMEMBER 1 BYRADIUS 1000 km WITHDIST WITHHASH WITHCOORD",
        "CONFIG SET zset-max-listpack-entries 0", "GEOADD e 1 1 x", "OBJECT ENCODING e",
    )


# --------------------------------------------------------------------------
# GEOPOS GEOHASH GEODIST
# --------------------------------------------------------------------------

def test_pos_hash_dist(compat):
    cmds = [
        SICILY, "GEOPOS Sicily Palermo Catania nx", "GEOHASH Sicily Palermo nx Catania",
        "GEODIST Sicily Palermo Catania", "GEODIST Sicily Palermo Catania m",
        "GEODIST Sicily Palermo Catania km", "GEODIST Sicily Palermo Catania KM",
        "GEODIST Sicily Palermo Catania ft", "GEODIST Sicily Palermo Catania mi",
        "GEODIST Sicily Palermo Catania Mi", "GEODIST Sicily Palermo Palermo",
        "GEODIST Sicily Palermo nx", "GEODIST Sicily nx Palermo km",
        "GEODIST Sicily Palermo Catania x", "GEODIST Sicily Palermo Catania km x",
        "GEODIST nokey a b", "GEODIST nokey a b km", "GEODIST nokey a b x",
        "GEOHASH nokey a b", "GEOPOS nokey a b", "GEOHASH Sicily", "GEOPOS Sicily",
        "SET str v", "GEOPOS str a", "GEOHASH str a", "GEODIST str a b", "GEODIST str a b x",
        "GEODIST str a b km x",
    ]
    compat.check(*cmds)
    compat.check(*cmds, resp3=True)


def test_distance_rounding(compat):
    """Distances are v*10^4 rounded by llrint (Redis's fixedpoint_d2string),
    not snprintf("%.4f"): these pairs are where the two differ."""
    cmds = ["GEOADD r 5.727378 74.868600 a1 102.864901 9.665883 b1 19.470526 61.535026 a2 "
            "14.723754 16.765626 b2 67.978317 48.585042 a3 114.056804 21.412087 b3 "
            "100.753992 75.981343 a4 9.820148 15.153722 b4"]
    for i in range(1, 5):
        cmds += ["GEODIST r a%d b%d" % (i, i), "GEODIST r a%d b%d m" % (i, i),
                 "GEORADIUSBYMEMBER r a%d 20000 km WITHDIST ASC" % i,
                 "GEOSEARCH r FROMMEMBER a%d BYRADIUS 20000000 m WITHDIST DESC" % i]
    # antipodes and near-antipodes (the haversine's asin argument at 1)
    cmds += ["GEOADD r 0 0 o 180 0 o180 -180 0 om180 179.999 0.001 near 90 45 p -90 -45 q "
             "12.5 -30 x -167.5 30 y",
             "GEODIST r o o180", "GEODIST r o om180 km", "GEODIST r o near", "GEODIST r p q mi",
             "GEODIST r x y ft", "GEORADIUSBYMEMBER r o 30000 km WITHDIST ASC"]
    compat.check(*cmds)
    compat.check(*cmds, resp3=True)


def test_limits(compat):
    """Coordinates at the index's limits, and scores no GEOADD makes."""
    cmds = [
        "GEOADD pts 0 0 zero -180 0 w 180 0 e 0 85.05112878 n 0 -85.05112878 s "
        "180 85.05112878 ne -180 -85.05112878 sw 180 -85.05112878 se -180 85.05112878 nw "
        "179.999999 85.051128 a -179.999999 -85.051128 b 0.000001 -0.000001 c",
        "ZRANGE pts 0 -1 WITHSCORES",
        "GEOPOS pts zero w e n s ne sw se nw a b c", "GEOHASH pts zero w e n s ne sw se nw a b c",
        "GEODIST pts w e", "GEODIST pts n s km", "GEODIST pts ne sw mi", "GEODIST pts a b ft",
        "GEOSEARCH pts FROMLONLAT 180 0 BYRADIUS 100 km WITHCOORD",
        "GEOSEARCH pts FROMLONLAT -180 0 BYRADIUS 100 km WITHCOORD",
        "GEOSEARCH pts FROMMEMBER ne BYRADIUS 500 km WITHDIST",
        "GEOSEARCH pts FROMMEMBER sw BYBOX 1000 1000 km WITHDIST",
        "GEORADIUS pts 0 0 20000 km WITHDIST ASC", "GEORADIUS pts 0 0 20000 km DESC",
        "GEORADIUS pts 0 0 20000 km", "GEORADIUS pts 179 85 50000 km",
        "GEORADIUS pts 180.0000001 0 1 km", "GEORADIUS pts 0 85.06 1 km",
        "ZADD pts -1 neg 1e300 huge 0.5 half inf pinf -inf ninf 4503599627370496 big "
        "4503599627370495 top 9007199254740993 past",
        "GEOPOS pts neg huge half pinf ninf big top past",
        "GEOHASH pts neg huge half pinf ninf big top past",
        "GEODIST pts neg huge", "GEODIST pts zero half", "GEODIST pts top past km",
        "GEORADIUSBYMEMBER pts top 100 km WITHHASH", "GEORADIUSBYMEMBER pts ninf 100 km",
    ]
    compat.check(*cmds)
    compat.check(*cmds, resp3=True)


# --------------------------------------------------------------------------
# searches
# --------------------------------------------------------------------------

def test_georadius_options(compat):
    cmds = [
        SICILY,
        "GEOADD Sicily 12.758489 38.788135 edge1 17.241510 38.788135 edge2 13.5 37.9 x 14 37.5 y",
        "GEORADIUS Sicily 15 37 200 km", "GEORADIUS Sicily 15 37 200 km WITHDIST",
        "GEORADIUS Sicily 15 37 200 km WITHCOORD", "GEORADIUS Sicily 15 37 200 km WITHHASH",
        "GEORADIUS Sicily 15 37 200 km WITHDIST WITHCOORD WITHHASH",
        "GEORADIUS Sicily 15 37 200 km withhash withcoord withdist withdist",
        "GEORADIUS Sicily 15 37 200 km ASC", "GEORADIUS Sicily 15 37 200 km DESC",
        "GEORADIUS Sicily 15 37 200 km ASC DESC", "GEORADIUS Sicily 15 37 200 km DESC ASC",
        "GEORADIUS Sicily 15 37 200 km COUNT 1", "GEORADIUS Sicily 15 37 200 km COUNT 2 DESC",
        "GEORADIUS Sicily 15 37 200 km COUNT 100", "GEORADIUS Sicily 15 37 200 km COUNT 1 ANY",
        "GEORADIUS Sicily 15 37 200 km COUNT 2 ANY ASC", "GEORADIUS Sicily 15 37 200 km ANY COUNT 3",
        "GEORADIUS Sicily 15 37 200 km COUNT 1 COUNT 3",
        "GEORADIUS Sicily 15 37 200000 m", "GEORADIUS Sicily 15 37 656168 ft WITHDIST",
        "GEORADIUS Sicily 15 37 124.27 mi WITHDIST", "GEORADIUS Sicily 15 37 0 m",
        "GEORADIUS Sicily 15 37 inf km WITHDIST", "GEORADIUS Sicily 15 37 1e-300 km",
        "GEORADIUS Sicily 15 37 20000 km WITHDIST",
        "GEORADIUSBYMEMBER Sicily Palermo 200 km WITHDIST",
        "GEORADIUSBYMEMBER Sicily Palermo 0 km", "GEORADIUSBYMEMBER Sicily Catania 100 mi ASC",
        "GEORADIUSBYMEMBER Sicily x 50 km WITHCOORD WITHDIST DESC COUNT 2",
        "GEORADIUS_RO Sicily 15 37 200 km WITHDIST ASC",
        "GEORADIUSBYMEMBER_RO Sicily Palermo 200 km WITHHASH COUNT 2",
        "GEORADIUS nokey 15 37 200 km", "GEORADIUSBYMEMBER nokey x 200 km",
        "GEORADIUS_RO nokey 15 37 200 km WITHDIST",
    ]
    compat.check(*cmds)
    compat.check(*cmds, resp3=True)


def test_georadius_errors(compat):
    compat.check(
        SICILY,
        "GEORADIUS Sicily 15 37 -1 km", "GEORADIUS Sicily 15 37 1 kmx", "GEORADIUS Sicily 15 37 x km",
        "GEORADIUS Sicily 15 37 nan km", "GEORADIUS Sicily 15 37 1e400 km",
        "GEORADIUS Sicily 200 37 1 km", "GEORADIUS Sicily 15 90 1 km", "GEORADIUS Sicily x 37 1 km",
        "GEORADIUS Sicily 15 37 1 km COUNT 0", "GEORADIUS Sicily 15 37 1 km COUNT -5",
        "GEORADIUS Sicily 15 37 1 km COUNT x", "GEORADIUS Sicily 15 37 1 km COUNT",
        "GEORADIUS Sicily 15 37 1 km ANY", "GEORADIUS Sicily 15 37 1 km ANY ASC",
        "GEORADIUS Sicily 15 37 1 km foo", "GEORADIUS Sicily 15 37 1 km WITHDIST foo",
        "GEORADIUS Sicily 15 37 1 km STORE", "GEORADIUS Sicily 15 37 1 km STOREDIST",
        "GEORADIUS Sicily 15 37 1 km STORE x WITHDIST", "GEORADIUS Sicily 15 37 1 km WITHHASH STORE x",
        "GEORADIUS Sicily 15 37 1 km STOREDIST x WITHCOORD",
        "GEORADIUS Sicily 15 37 1 km FROMLONLAT 1 1", "GEORADIUS Sicily 15 37 1 km BYRADIUS 1 km",
        "GEORADIUS_RO Sicily 15 37 1 km STORE x", "GEORADIUS_RO Sicily 15 37 1 km STOREDIST x",
        "GEORADIUSBYMEMBER Sicily nx 1 km", "GEORADIUSBYMEMBER Sicily Palermo -1 km",
        "GEORADIUSBYMEMBER Sicily Palermo 1 parsec", "GEORADIUSBYMEMBER Sicily nx 1 parsec",
        "GEORADIUSBYMEMBER nokey nx 1 km", "GEORADIUSBYMEMBER nokey nx 1 parsec",
        "GEORADIUSBYMEMBER nokey nx -1 km", "GEORADIUSBYMEMBER nokey nx 1 km COUNT 0",
        "GEORADIUSBYMEMBER nokey nx 1 km STORE d WITHDIST", "GEORADIUSBYMEMBER nokey nx 1 km ANY",
        "GEORADIUS nokey 15 37 1 parsec", "GEORADIUS nokey 200 37 1 km",
        "GEORADIUSBYMEMBER_RO Sicily Palermo 1 km STORE x",
        "GEORADIUS Sicily 15 37 1", "GEORADIUSBYMEMBER Sicily Palermo 1",
        "SET str v", "GEORADIUS str 15 37 1 km", "GEORADIUS str 1000 37 1 km",
        "GEORADIUSBYMEMBER str x 1 km", "GEORADIUS_RO str 15 37 1 km",
        "GEORADIUSBYMEMBER_RO str x 1 parsec",
    )


def test_geosearch(compat):
    cmds = [
        SICILY, "GEOADD Sicily 12.758489 38.788135 edge1 17.241510 38.788135 edge2",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km ASC WITHCOORD WITHDIST",
        "GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 200 km WITHDIST DESC",
        "GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 300 100 km WITHHASH",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 200 200 km",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 0 0 km",
        "GEOSEARCH Sicily FROMMEMBER Catania BYBOX 0 0 km WITHDIST",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1000 10 mi",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX inf inf km WITHDIST",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS inf km",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT 1",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT 1 ANY",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT 3 ANY DESC WITHDIST",
        "GEOSEARCH Sicily BYRADIUS 200 km FROMLONLAT 15 37 WITHDIST",
        "GEOSEARCH Sicily FROMMEMBER Palermo FROMMEMBER Catania BYRADIUS 1 km",
        "GEOSEARCH Sicily FROMLONLAT 15 37 FROMLONLAT 13 38 BYRADIUS 100 km",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 1 km BYRADIUS 300 km",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 1 km BYBOX 600 600 km",
        "geosearch Sicily fromlonlat 15 37 bybox 600 600 KM withdist desc count 3",
        "GEOSEARCH nokey FROMLONLAT 15 37 BYRADIUS 200 km",
        "GEOSEARCH nokey FROMMEMBER x BYRADIUS 1 m",
    ]
    compat.check(*cmds)
    compat.check(*cmds, resp3=True)


def test_geosearch_errors(compat):
    compat.check(
        SICILY,
        "GEOSEARCH Sicily FROMLONLAT 15 37", "GEOSEARCH Sicily BYRADIUS 200 km",
        "GEOSEARCH Sicily FROMLONLAT 15 37 WITHDIST COUNT 1",
        "GeoSearch Sicily BYRADIUS 1 m WITHDIST COUNT 1",
        "GeoSearch Sicily FROMLONLAT 15 37 WITHDIST COUNT 1",
        "GEOSEARCH Sicily FROMMEMBER Palermo FROMLONLAT 15 37 BYRADIUS 200 km",
        "GEOSEARCH Sicily FROMLONLAT 15 37 FROMMEMBER Palermo BYRADIUS 200 km",
        "GEOSEARCH Sicily BYBOX 400 400 km BYRADIUS 200 km FROMLONLAT 15 37",
        "GEOSEARCH Sicily BYRADIUS 200 km BYBOX 400 400 km FROMLONLAT 15 37",
        "GEOSEARCH Sicily BYBOX 400 -400 km FROMLONLAT 15 37",
        "GEOSEARCH Sicily BYBOX -1 x km FROMLONLAT 15 37",
        "GEOSEARCH Sicily BYBOX x 400 km FROMLONLAT 15 37",
        "GEOSEARCH Sicily BYBOX 400 y km FROMLONLAT 15 37",
        "GEOSEARCH Sicily BYBOX 400 400 parsec FROMLONLAT 15 37",
        "GEOSEARCH Sicily BYBOX 400 400 FROMLONLAT 15 37",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km STORE x",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST x",
        "GEOSEARCH Sicily FROMMEMBER x BYRADIUS 1 m",
        "GEOSEARCH Sicily FROMMEMBER x BYRADIUS -1 m",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ANY",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT -1",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT 0 ANY",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT x",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200",
        "GEOSEARCH Sicily FROMLONLAT 15 BYRADIUS 200 km",
        "GEOSEARCH Sicily FROMLONLAT 200 37 BYRADIUS 200 km",
        "GEOSEARCH Sicily FROMLONLAT 15 -86 BYRADIUS 200 km",
        "GEOSEARCH Sicily FROMLONLAT x 37 BYRADIUS 200 km",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS nan km",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 1e400 km",
        "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 1 km foo",
        "GEOSEARCH nokey FROMMEMBER x", "GEOSEARCH nokey FROMMEMBER x BYRADIUS 1 km ANY",
        "GEOSEARCH nokey FROMMEMBER x BYRADIUS -1 km", "GEOSEARCH nokey FROMLONLAT 500 1 BYRADIUS 1 km",
        "GEOSEARCH nokey FROMMEMBER x FROMLONLAT 1 1 BYRADIUS 1 km",
        "SET str v", "GEOSEARCH str FROMLONLAT 1 1 BYRADIUS 1 km",
        "GEOSEARCH str FROMLONLAT 1000 1 BYRADIUS 1 km", "GEOSEARCH str FROMMEMBER x",
        "GEOSEARCHSTORE d str FROMLONLAT 1 1 BYRADIUS 1 km",
        "GEOSEARCHSTORE d Sicily FROMLONLAT 15 37 BYRADIUS 200 km WITHDIST",
        "geosearchstore d Sicily FROMLONLAT 15 37 BYRADIUS 200 km WITHCOORD",
        "GEOSEARCHSTORE d Sicily FROMLONLAT 15 37 BYRADIUS 200 km WITHHASH STOREDIST",
        "GEOSEARCHSTORE d Sicily FROMLONLAT 15 37 BYRADIUS 200 km STORE x",
        "GEOSEARCHSTORE d Sicily FROMLONLAT 15 37", "GEOSEARCHSTORE d Sicily BYRADIUS 1 km",
        "GEOSEARCHSTORE d Sicily FROMMEMBER nx BYRADIUS 1 km",
        "GEOSEARCHSTORE d Sicily FROMLONLAT 15 37 BYRADIUS 200 km ANY", "EXISTS d",
    )


def test_store(compat, zset_config):
    cmds = [
        SICILY, "GEOADD Sicily 12.758489 38.788135 edge1 17.241510 38.788135 edge2",
        "GEORADIUS Sicily 15 37 200 km STORE d1", "ZRANGE d1 0 -1 WITHSCORES", "OBJECT ENCODING d1",
        "GEORADIUS Sicily 15 37 200 km STOREDIST d2", "ZRANGE d2 0 -1 WITHSCORES",
        "GEORADIUS Sicily 15 37 200 km COUNT 1 STORE d3", "ZRANGE d3 0 -1 WITHSCORES",
        "GEORADIUS Sicily 15 37 200 km DESC COUNT 1 STOREDIST d3", "ZRANGE d3 0 -1 WITHSCORES",
        "GEORADIUS Sicily 15 37 200 km STORE d4 STOREDIST d5", "EXISTS d4", "ZRANGE d5 0 -1 WITHSCORES",
        "GEORADIUS Sicily 15 37 200 mi STOREDIST d6 STORE d7", "EXISTS d6", "ZRANGE d7 0 -1 WITHSCORES",
        "GEORADIUS Sicily 15 37 1 km STORE d1", "EXISTS d1",
        "GEORADIUS Sicily 15 37 1 km STORE d1", "EXISTS d1",
        "GEORADIUSBYMEMBER Sicily Palermo 300 km STOREDIST d8", "ZRANGE d8 0 -1 WITHSCORES",
        "GEORADIUSBYMEMBER Sicily Palermo 300 ft STORE d8", "EXISTS d8",
        "GEORADIUS nokey 15 37 200 km STORE d2", "EXISTS d2",
        "GEORADIUSBYMEMBER nokey x 200 km STORE d3", "EXISTS d3",
        "GEOSEARCHSTORE d9 Sicily FROMLONLAT 15 37 BYRADIUS 200 km", "ZRANGE d9 0 -1 WITHSCORES",
        "GEOSEARCHSTORE d9 Sicily FROMLONLAT 15 37 BYBOX 400 400 km STOREDIST",
        "ZRANGE d9 0 -1 WITHSCORES",
        "GEOSEARCHSTORE d9 Sicily FROMLONLAT 15 37 BYBOX 400 400 km STOREDIST ASC COUNT 2",
        "ZRANGE d9 0 -1 WITHSCORES",
        "GEOSEARCHSTORE d9 Sicily FROMLONLAT 15 37 BYBOX 400 400 km DESC COUNT 2 ANY",
        "ZRANGE d9 0 -1 WITHSCORES",
        "GEOSEARCHSTORE d9 Sicily FROMLONLAT 15 37 BYRADIUS 1 m", "EXISTS d9",
        "GEOSEARCHSTORE d9 nokey FROMLONLAT 15 37 BYRADIUS 1 m", "EXISTS d9",
        "SET str v", "EXPIRE str 1000",
        "GEOSEARCHSTORE str Sicily FROMMEMBER Palermo BYRADIUS 200 km", "TYPE str", "TTL str",
        "SET str2 v", "GEOSEARCHSTORE str2 nokey FROMLONLAT 1 1 BYRADIUS 1 km", "EXISTS str2",
        "SET str3 v", "GEOSEARCHSTORE str3 Sicily FROMLONLAT 1 1 BYRADIUS 1 km", "EXISTS str3",
        "SET str4 v", "GEORADIUS Sicily 15 37 200 km STORE str4", "TYPE str4",
        # the source itself as the destination
        "GEOADD self 1 1 a 2 2 b 50 50 c", "GEORADIUSBYMEMBER self a 500 km STOREDIST self",
        "ZRANGE self 0 -1 WITHSCORES",
        "GEOADD self2 1 1 a 2 2 b 50 50 c", "GEOSEARCHSTORE self2 self2 FROMMEMBER c BYRADIUS 1 km",
        "ZRANGE self2 0 -1 WITHSCORES",
        # encodings of the destination
        "CONFIG SET zset-max-listpack-entries 2", "CONFIG SET zset-max-listpack-value 6",
        "GEORADIUS Sicily 15 37 200 km STORE e1", "OBJECT ENCODING e1",
        "GEORADIUS Sicily 15 37 200 km COUNT 2 STORE e2", "OBJECT ENCODING e2",
        "GEORADIUS Sicily 15 37 200 km COUNT 2 DESC STORE e3", "OBJECT ENCODING e3",
        "GEOADD ints 1 1 1 1.1 1.1 22 1.2 1.2 -3", "OBJECT ENCODING ints",
        "GEORADIUS ints 1 1 100 km COUNT 2 STOREDIST e4", "OBJECT ENCODING e4",
        "ZRANGE e4 0 -1 WITHSCORES",
    ]
    compat.check(*cmds)
    compat.check(*cmds, resp3=True)


def test_integer_members_in_listpack(compat):
    compat.check(
        "GEOADD ints 1 1 1 2 2 22 3 3 -3 1.5 1.5 9223372036854775807 2.5 2.5 007",
        "OBJECT ENCODING ints",
        "GEOSEARCH ints FROMMEMBER 22 BYRADIUS 1000 km WITHDIST ASC",
        "GEOSEARCH ints FROMMEMBER 9223372036854775807 BYBOX 1000 1000 km WITHHASH",
        "GEORADIUS ints 2 2 500 km WITHCOORD", "GEOPOS ints 1 22 -3 007 7",
        "GEOHASH ints 1 22 -3", "GEODIST ints 1 -3 km",
        "GEORADIUSBYMEMBER ints 22 1000 km STORE ints", "ZRANGE ints 0 -1 WITHSCORES",
    )


def test_equal_distances_order(compat):
    """Points at one position: their order under ASC/DESC, with and without
    COUNT (qsort vs pqsort), and unsorted (cell order, then member order)."""
    pts = []
    for i in range(60):
        pts += ["10.5", "20.5", "p%02d" % i]
    for i in range(60):
        pts += ["10.6", "20.6", "q%02d" % i]
    cmds = [("GEOADD", "eq") + tuple(pts), "OBJECT ENCODING eq",
            "GEORADIUS eq 10.55 20.55 100 km", "GEORADIUS eq 10.55 20.55 100 km ASC",
            "GEORADIUS eq 10.55 20.55 100 km DESC WITHDIST"]
    for n in (1, 2, 5, 6, 7, 8, 13, 40, 41, 59, 60, 61, 100, 119, 120, 121):
        cmds += ["GEORADIUS eq 10.5 20.5 100 km COUNT %d" % n,
                 "GEORADIUS eq 10.5 20.5 100 km COUNT %d DESC WITHDIST" % n,
                 "GEOSEARCH eq FROMLONLAT 10.55 20.55 BYBOX 100 100 km COUNT %d ANY" % n]
    compat.check(*cmds)


def test_wrongtype_everywhere(compat):
    compat.check(
        "LPUSH l a", "GEOADD l 1 1 a", "GEOPOS l a", "GEOHASH l a", "GEODIST l a b",
        "GEORADIUS l 1 1 1 km", "GEORADIUSBYMEMBER l a 1 km", "GEORADIUS_RO l 1 1 1 km",
        "GEORADIUSBYMEMBER_RO l a 1 km", "GEOSEARCH l FROMLONLAT 1 1 BYRADIUS 1 km",
        "GEOSEARCHSTORE d l FROMLONLAT 1 1 BYRADIUS 1 km", "EXISTS d",
        "GEOADD g 1 1 a", "GEOSEARCHSTORE l g FROMLONLAT 1 1 BYRADIUS 1 km", "TYPE l",
    )


def test_plain_zset_as_geo(compat):
    """Any sorted set can be read as a geo set (its scores decoded)."""
    compat.check(
        "ZADD z 0 a 1 b 1125899906842624 c 3471579339700058 d 4503599627370495 e 12.5 f",
        "GEOPOS z a b c d e f", "GEOHASH z a b c d e f", "GEODIST z a e", "GEODIST z d f mi",
        "GEORADIUSBYMEMBER z d 20000 km WITHDIST WITHHASH",
        "GEOSEARCH z FROMMEMBER a BYBOX 40000 40000 km WITHCOORD",
    )


# --------------------------------------------------------------------------
# keyspace events
# --------------------------------------------------------------------------

def test_events(kn):
    n = kn("KEAn")
    for cmd in ["GEOADD g 1 1 a 2 2 b", "GEOADD g 1 1 a", "GEOADD g CH 3 3 a", "GEOADD g NX 3 3 a",
                "GEOADD g XX 5 5 zz", "GEOADD g XX 4 4 a", "GEOADD nokey XX 1 1 a",
                "GEOADD g 200 1 c", "GEOPOS g a", "GEOHASH g a", "GEODIST g a b",
                "GEORADIUS g 1 1 1000 km", "GEOSEARCH g FROMMEMBER a BYRADIUS 1000 km"]:
        n.c.call(cmd)
    ev = n.events()
    assert ev[:4] == ["K0 new g", "E0 new g", "K0 zadd g", "E0 zadd g"]
    assert ev.count("K0 zadd g") == 3


def test_events_store(kn):
    n = kn("KEAn")
    for cmd in ["GEOADD g 1 1 a 2 2 b 50 50 c",
                "GEORADIUS g 1 1 500 km STORE d", "GEORADIUS g 1 1 500 km STOREDIST d",
                "GEORADIUSBYMEMBER g a 500 km STORE d2", "GEORADIUS g 100 1 1 m STORE d",
                "GEORADIUS g 100 1 1 m STORE d", "GEORADIUS nokey 1 1 1 m STORE d2",
                "GEORADIUS nokey 1 1 1 m STORE d2",
                "GEOSEARCHSTORE d3 g FROMMEMBER a BYRADIUS 500 km",
                "GEOSEARCHSTORE d3 g FROMMEMBER a BYBOX 500 500 km STOREDIST",
                "GEOSEARCHSTORE d3 g FROMMEMBER c BYRADIUS 1 km",
                "GEOSEARCHSTORE d3 g FROMLONLAT 100 1 BYRADIUS 1 m",
                "GEOSEARCHSTORE d3 g FROMLONLAT 100 1 BYBOX 1 1 m",
                "SET s v", "GEOSEARCHSTORE s nokey FROMLONLAT 1 1 BYRADIUS 1 km",
                "SET s v", "GEOSEARCHSTORE s g FROMLONLAT 1 1 BYRADIUS 1 km",
                "GEORADIUS g 1 1 500 km STORE d WITHDIST", "GEORADIUSBYMEMBER g a 500 km STORE g"]:
        n.c.call(cmd)
    ev = n.events()
    assert "K0 georadiusstore d" in ev and "K0 geosearchstore d3" in ev
    assert "K0 del d" in ev and "K0 del d3" in ev and "K0 del d2" in ev


# --------------------------------------------------------------------------
# randomised: hundreds of points, random searches, reply by reply
# --------------------------------------------------------------------------

LAT_MAX = 85.051128


def _points(rng, n):
    rlon = lambda: rng.uniform(-180, 180)  # noqa: E731
    rlat = lambda: rng.uniform(-LAT_MAX, LAT_MAX)  # noqa: E731
    centers = [(rlon(), rlat()) for _ in range(5)] + [(179.9, 10), (-179.9, -10), (0, 84.9),
                                                       (10, -84.9), (0, 0)]
    pts = []
    for _ in range(n):
        k = rng.random()
        if k < 0.5:
            cx, cy = rng.choice(centers)
            s = rng.choice([0.01, 0.1, 1, 5])
            x, y = cx + rng.gauss(0, s), cy + rng.gauss(0, s)
        elif k < 0.7:
            x, y = rlon(), rlat()
        elif k < 0.8 and pts:
            x, y = rng.choice(pts)             # the same position again
        elif k < 0.9 and pts:
            x, y = rng.choice(pts)[0], rlat()  # the same meridian
        else:
            x = rng.choice([-180, 180, 0, 90, -90])
            y = rng.choice([LAT_MAX, -LAT_MAX, 0, 45, rlat()])
        pts.append((max(-180, min(180, x)), max(-LAT_MAX, min(LAT_MAX, y))))
    return pts


def _random_query(rng, key, pts):
    unit = rng.choice(["m", "km", "ft", "mi"])
    conv = {"m": 1, "km": 1000, "ft": 0.3048, "mi": 1609.34}[unit]
    meters = 10 ** rng.uniform(0, 7.3)
    r = "%g" % (meters / conv)
    opts = [o for o in ("WITHDIST", "WITHCOORD", "WITHHASH") if rng.random() < 0.3]
    srt = rng.choice([[], [], ["ASC"], ["DESC"]])
    cnt = []
    if rng.random() < 0.4:
        cnt = ["COUNT", str(rng.randint(1, 20))] + (["ANY"] if rng.random() < 0.3 else [])
    if rng.random() < 0.5:
        cx, cy = rng.choice(pts)
    else:
        cx, cy = rng.uniform(-180, 180), rng.uniform(-LAT_MAX, LAT_MAX)
    cx, cy = "%.6f" % cx, "%.6f" % cy
    member = "m%d" % rng.randrange(len(pts))
    store = []
    kind = rng.random()
    if kind < 0.25:
        if not opts and rng.random() < 0.3:
            store = [rng.choice(["STORE", "STOREDIST"]), "dst"]
        return ["GEORADIUS", key, cx, cy, r, unit] + opts + srt + cnt + store
    if kind < 0.35:
        return ["GEORADIUSBYMEMBER_RO", key, member, r, unit] + opts + srt + cnt
    frm = ["FROMLONLAT", cx, cy] if rng.random() < 0.8 else ["FROMMEMBER", member]
    if rng.random() < 0.5:
        by = ["BYRADIUS", r, unit]
    else:
        w = meters / conv * rng.uniform(0.2, 3)
        h = meters / conv * rng.uniform(0.2, 3)
        by = ["BYBOX", "%g" % w, "%g" % h, unit]
    if not opts and rng.random() < 0.2:
        return ["GEOSEARCHSTORE", "dst", key] + frm + by + srt + cnt + \
            (["STOREDIST"] if rng.random() < 0.5 else [])
    return ["GEOSEARCH", key] + frm + by + opts + srt + cnt


@pytest.mark.parametrize("seed,npts,nq", [(1, 100, 250), (2, 600, 250), (3, 300, 250)])
def test_random_searches_vs_redis(compat, seed, npts, nq):
    rng = random.Random(seed)
    pts = _points(rng, npts)
    args = ["GEOADD", "g"]
    for i, (x, y) in enumerate(pts):
        args += ["%.6f" % x, "%.6f" % y,
                 ("m%d" % i) if rng.random() < 0.8 else str(rng.randint(-1000, 100000))]
    resp3 = seed == 3
    with compat.session(resp3=resp3) as s:
        s.check(tuple(args), "ZCARD g", "OBJECT ENCODING g")
        for _ in range(nq):
            cmd = _random_query(rng, "g", pts)
            s.check(tuple(cmd))
            if cmd[0] in ("GEOSEARCHSTORE", "GEORADIUS") and "dst" in cmd:
                s.check("ZRANGE dst 0 -1 WITHSCORES", "OBJECT ENCODING dst")
        for i in range(0, npts, 5):
            j = rng.randrange(npts)
            s.check(("GEODIST", "g", "m%d" % i, "m%d" % j, rng.choice(["m", "km", "ft", "mi"])),
                    ("GEOPOS", "g", "m%d" % i, "m%d" % j), ("GEOHASH", "g", "m%d" % i, "m%d" % j))


def test_random_small_sets_both_encodings(compat, zset_config):
    """The same searches on a listpack and on a skiplist of the same points."""
    rng = random.Random(7)
    pts = _points(rng, 40)
    with compat.session() as s:
        s.check("CONFIG SET zset-max-listpack-entries 128")
        for key in ("lp", "sl"):
            args = ["GEOADD", key]
            for i, (x, y) in enumerate(pts):
                args += ["%.6f" % x, "%.6f" % y, "m%d" % i]
            s.check(tuple(args))
            if key == "lp":
                s.check("CONFIG SET zset-max-listpack-entries 0")
        s.check("OBJECT ENCODING lp", "OBJECT ENCODING sl", "CONFIG SET zset-max-listpack-entries 128")
        for _ in range(150):
            cmd = _random_query(rng, "lp", pts)
            if "dst" in cmd:
                continue
            a = s.check(tuple(cmd))
            b = s.check(tuple(cmd[:1] + ["sl"] + cmd[2:]))
            assert a == b
