"""Unit tests of csrc/fk_bitops.c through fastkv._core.ctest_bitops, each
against a plain Python model on random buffers:

* popcount: every implementation the CPU has (generic SWAR, POPCNT,
  AVX-512 VPOPCNTDQ) on unaligned slices of every small length and some
  big ones;
* bit search (fk_bitpos) and the BITCOUNT/BITPOS range semantics
  (negative indexes, clamping, BIT vs BYTE, explicit end or not);
* BITOP over sources of different lengths and missing ones;
* bitfield read/write at every bit offset and width, and the overflow
  rules (WRAP, SAT, FAIL) against exact integer arithmetic.
"""
import random

import pytest

from fastkv._core import ctest_bitops as cb

IMPLS = [i for i in range(3) if cb.popcount_supported(i)]


def bits_of(data):
    return [(b >> (7 - i)) & 1 for b in data for i in range(8)]


# --------------------------------------------------------------------------
# popcount, bitpos
# --------------------------------------------------------------------------

@pytest.mark.parametrize("impl", IMPLS)
def test_popcount_every_length_and_alignment(impl):
    rnd = random.Random(impl)
    buf = bytes(rnd.randrange(256) for _ in range(600))
    for start in range(0, 17):
        for n in list(range(0, 300)) + [511, 512, 513, 583 - start]:
            assert cb.popcount_with(impl, buf, start, n) == \
                sum(bin(b).count("1") for b in buf[start:start + n]), (start, n)


@pytest.mark.parametrize("impl", IMPLS)
def test_popcount_big(impl):
    rnd = random.Random(7)
    buf = rnd.randbytes(1 << 20) + b"\xff" * 4099
    expect = sum(bin(b).count("1") for b in buf)
    assert cb.popcount_with(impl, buf) == expect
    assert cb.popcount_with(impl, buf, 3, len(buf) - 5) == \
        expect - sum(bin(b).count("1") for b in buf[:3] + buf[-2:])
    assert cb.popcount(buf) == expect


def test_popcount_picks_the_best_available():
    expect = "avx512" if cb.popcount_supported(2) else "popcnt" if cb.popcount_supported(1) else "generic"
    assert cb.popcount_impl() == expect


def model_bitpos(data, bit):
    for i, b in enumerate(bits_of(data)):
        if b == bit:
            return i
    return -1 if bit else len(data) * 8


def test_bitpos_random_runs():
    rnd = random.Random(11)
    for _ in range(3000):
        fill = rnd.choice([0, 0xff])
        n = rnd.randrange(0, 300)
        data = bytearray([fill] * n)
        for _ in range(rnd.randrange(0, 3)):
            if n:
                data[rnd.randrange(n)] = rnd.randrange(256)
        data = bytes(data)
        start = rnd.randrange(0, 9)
        buf = bytes(rnd.randrange(256) for _ in range(start)) + data
        for bit in (0, 1):
            assert cb.bitpos(buf, bit, start, len(data)) == model_bitpos(data, bit), (data, bit)


BITPOS_IMPLS = [i for i in range(2) if cb.bitpos_supported(i)]


@pytest.mark.parametrize("impl", BITPOS_IMPLS)
def test_bitpos_long_runs_every_position(impl):
    # the 64-byte (AVX2) or 32-byte (generic, what a CPU without AVX2 runs)
    # skips, then the word and byte steps
    for fill, bit in ((0, 1), (0xff, 0)):
        for n in (63, 64, 65, 127, 128, 129, 200, 1000):
            base = bytes([fill]) * n
            assert cb.bitpos_with(impl, base, bit) == (-1 if bit else n * 8)
            for i in range(n):
                for v in (0x01, 0x80, 0x5a):
                    data = bytearray(base)
                    data[i] = v if bit else v ^ 0xff
                    want = i * 8 + 8 - v.bit_length()
                    for start in (0, 3):
                        buf = bytes(start) + bytes(data)
                        assert cb.bitpos_with(impl, buf, bit, start) == want, (fill, n, i, v)
    assert cb.bitpos(bytes(100) + b"\x01", 1) == cb.bitpos_with(impl, bytes(100) + b"\x01", 1) == 807


# --------------------------------------------------------------------------
# BITCOUNT / BITPOS ranges (Redis 7.0 semantics)
# --------------------------------------------------------------------------

def normalize(totlen, start, end):
    if start < 0:
        start += totlen
    if end < 0:
        end += totlen
    start = max(start, 0)
    end = max(end, 0)
    if end >= totlen:
        end = totlen - 1
    return start, end


def model_bitcount(data, has_range, start, end, isbit):
    if not has_range:
        return sum(bits_of(data))
    if start < 0 and end < 0 and start > end:
        return 0
    bits = bits_of(data)
    start, end = normalize(len(data) * 8 if isbit else len(data), start, end)
    if start > end:
        return 0
    if not isbit:
        start, end = start * 8, end * 8 + 7
    return sum(bits[start:end + 1])


def model_bitpos_range(data, bit, has_start, start, has_end, end, isbit):
    if not has_start:
        start, end, isbit = 0, len(data) - 1, False
    else:
        if not has_end:
            end = len(data) * 8 + 7 if isbit else len(data) - 1
        start, end = normalize(len(data) * 8 if isbit else len(data), start, end)
    if start > end:
        return -1
    if not isbit:
        start, end = start * 8, end * 8 + 7
    bits = bits_of(data)
    for i in range(start, end + 1):
        if bits[i] == bit:
            return i
    if bit == 1 or has_end:
        return -1
    return (end // 8 + 1) * 8


def test_ranges_random():
    rnd = random.Random(5)
    for _ in range(6000):
        n = rnd.randrange(0, 12)
        kind = rnd.randrange(3)
        data = bytes(rnd.choice([0, 0xff]) if kind else rnd.randrange(256) for _ in range(n))
        lim = rnd.choice([3, 20, 120])
        start, end = rnd.randrange(-lim, lim), rnd.randrange(-lim, lim)
        isbit = rnd.random() < 0.5
        has_range = rnd.random() < 0.9
        assert cb.bitcount_range(data, has_range, start, end, isbit) == \
            model_bitcount(data, has_range, start, end, isbit), (data, has_range, start, end, isbit)
        for bit in (0, 1):
            hs = rnd.random() < 0.9
            he = hs and rnd.random() < 0.7
            ib = isbit and he or (isbit and hs and rnd.random() < 0.5)
            assert cb.bitpos_range(data, bit, hs, start, he, end, ib) == \
                model_bitpos_range(data, bit, hs, start, he, end, ib), (data, bit, hs, start, he, end, ib)


def test_range_extremes():
    data = b"\xff\x00\x81"
    big, small = 2**63 - 1, -2**63
    for isbit in (0, 1):
        for s, e in [(small, big), (big, small), (small, small), (big, big), (0, big), (small, 0)]:
            assert cb.bitcount_range(data, 1, s, e, isbit) == model_bitcount(data, 1, s, e, isbit)
            for bit in (0, 1):
                for he in (0, 1):
                    assert cb.bitpos_range(data, bit, 1, s, he, e, isbit) == \
                        model_bitpos_range(data, bit, 1, s, he, e, isbit)


# --------------------------------------------------------------------------
# BITOP
# --------------------------------------------------------------------------

def model_bitop(op, srcs):
    maxlen = max((len(s) for s in srcs if s), default=0)
    out = bytearray(maxlen)
    for j in range(maxlen):
        vals = [(s[j] if s is not None and j < len(s) else 0) for s in srcs]
        if op == 3:
            out[j] = ~vals[0] & 0xff
            continue
        v = vals[0]
        for x in vals[1:]:
            v = v & x if op == 0 else v | x if op == 1 else v ^ x
        out[j] = v
    return bytes(out)


def test_bitop_random():
    rnd = random.Random(9)
    for _ in range(800):
        op = rnd.randrange(4)
        n = 1 if op == 3 else rnd.randrange(1, 6)
        srcs = []
        for _ in range(n):
            if rnd.random() < 0.15:
                srcs.append(None)
            else:
                srcs.append(rnd.randbytes(rnd.choice([0, 1, 7, 8, 9, 31, 32, 33, 64, 100, 1000])))
        assert cb.bitop(op, srcs) == model_bitop(op, srcs), (op, srcs)


# --------------------------------------------------------------------------
# bitfields
# --------------------------------------------------------------------------

def model_get(data, offset, bits, signed):
    allbits = bits_of(data)
    v = 0
    for i in range(offset, offset + bits):
        v = (v << 1) | (allbits[i] if i < len(allbits) else 0)
    if signed and v >> (bits - 1):
        v -= 1 << bits
    return v


def test_bitfield_get_set_random():
    rnd = random.Random(3)
    for _ in range(5000):
        bits = rnd.randrange(1, 65)
        offset = rnd.randrange(0, 80)
        data = bytearray(rnd.randbytes(rnd.randrange(0, 20)))
        for signed in (False, True):
            assert cb.bf_get(bytes(data), offset, bits, signed) == model_get(data, offset, bits, signed)
        need = (offset + bits - 1) // 8 + 1
        if len(data) < need:
            data += bytes(need - len(data))
        before = bits_of(data)
        value = rnd.randrange(0, 1 << 64)
        cb.bf_set(data, offset, bits, value)
        after = bits_of(data)
        want = [(value >> (bits - 1 - i)) & 1 for i in range(bits)]
        assert after[offset:offset + bits] == want
        assert after[:offset] == before[:offset] and after[offset + bits:] == before[offset + bits:]
        assert cb.bf_get(bytes(data), offset, bits, False) == value & ((1 << bits) - 1)


def wrap64(x):
    x &= (1 << 64) - 1
    return x - (1 << 64) if x >> 63 else x


def model_signed(value, incr, bits, ow):
    """Redis's checkSignedBitfieldOverflow.  Its headroom values are int64
    and wrap for a value outside the field's range (only a SET of such a
    value gets there, with incr 0): SET i8 0 -9223372036854775808 counts as
    an overflow (SAT stores 127) in Redis, so here too."""
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    res = value + incr
    maxincr, minincr = wrap64(hi - value), wrap64(lo - value)
    if value > hi or (bits != 64 and incr > maxincr) or (value >= 0 and incr > 0 and incr > maxincr):
        r = 1
    elif value < lo or (bits != 64 and incr < minincr) or (value < 0 and incr < 0 and incr < minincr):
        r = -1
    else:
        assert lo <= res <= hi
        return 0, None
    if ow == 0:
        w = (res - lo) % (1 << bits) + lo
        return 1, w
    if ow == 1:
        return r, hi if r == 1 else lo
    return r, None


def model_unsigned(value, incr, bits, ow):
    hi = (1 << bits) - 1
    if value > hi:
        r = 1
    else:
        res = value + incr
        if res > hi:
            r = 1
        elif res < 0:
            r = -1
        else:
            return 0, None
    if ow == 0:
        return 1, ((value + incr) % (1 << 64)) & hi
    if ow == 1:
        return r, hi if r == 1 else 0
    return r, None


def test_bitfield_overflow_rules():
    rnd = random.Random(1)
    i64 = [-(1 << 63), (1 << 63) - 1, 0, 1, -1]
    for _ in range(40000):
        bits = rnd.choice([1, 2, 3, 7, 8, 9, 16, 31, 32, 33, 62, 63, 64, rnd.randrange(1, 65)])
        lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
        value = rnd.choice([lo, hi, 0, -1, 1, lo + 1, hi - 1, rnd.randrange(lo, hi + 1)] + i64)
        incr = rnd.choice(i64 + [hi, lo, hi - lo, lo - hi, 2, -2, rnd.randrange(-(1 << 63), 1 << 63)])
        incr = max(-(1 << 63), min((1 << 63) - 1, incr))
        for ow in (0, 1, 2):
            r, lim = cb.bf_overflow_signed(value, incr, bits, ow)
            mr, mlim = model_signed(value, incr, bits, ow)
            assert r == mr, (value, incr, bits, ow)
            if mlim is not None:
                assert lim == mlim, (value, incr, bits, ow)
        ubits = min(bits, 63)
        uvalue = rnd.choice([0, 1, (1 << ubits) - 1, (1 << ubits) - 2, rnd.randrange(0, 1 << ubits),
                             (1 << 64) - 1, 1 << 63, rnd.randrange(0, 1 << 64)])
        for ow in (0, 1, 2):
            r, lim = cb.bf_overflow_unsigned(uvalue, incr, ubits, ow)
            mr, mlim = model_unsigned(uvalue, incr, ubits, ow)
            assert r == mr, (uvalue, incr, ubits, ow)
            if mlim is not None:
                assert lim == mlim, (uvalue, incr, ubits, ow)
