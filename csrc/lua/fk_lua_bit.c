/* bit: LuaBitOp 1.0.2 semantics, as Redis 7.0 loads it.
 *
 * Numbers are converted to 32-bit integers the way LuaBitOp does on a
 * double-number Lua: add 2^52+2^51 and take the low 32 bits of the IEEE
 * representation (round to nearest even, wrap modulo 2^32).  Results are
 * signed 32-bit values.  A non-number argument is refused only when that
 * conversion gives 0 (Lua 5.1 lua_tonumber turns it into 0), exactly like
 * the original. */
#include <stdint.h>
#include <string.h>
#include "fk_lualibs.h"

typedef int32_t SB;
typedef uint32_t UB;

static UB bit_arg(lua_State *L, int idx) {
    union { double n; uint64_t b; } u;
    UB b;
    u.n = lua_tonumber(L, idx);
    u.n += 6755399441055744.0; /* 2^52+2^51 */
    b = (UB)u.b;
    if (b == 0 && !lua_isnumber(L, idx)) luaL_typerror(L, idx, "number");
    return b;
}

static int bit_ret(lua_State *L, UB b) {
    lua_pushnumber(L, (lua_Number)(SB)b);
    return 1;
}

static int f_tobit(lua_State *L) { return bit_ret(L, bit_arg(L, 1)); }
static int f_bnot(lua_State *L) { return bit_ret(L, ~bit_arg(L, 1)); }

static int f_band(lua_State *L) {
    int i;
    UB b = bit_arg(L, 1);
    for (i = lua_gettop(L); i > 1; i--) b &= bit_arg(L, i);
    return bit_ret(L, b);
}
static int f_bor(lua_State *L) {
    int i;
    UB b = bit_arg(L, 1);
    for (i = lua_gettop(L); i > 1; i--) b |= bit_arg(L, i);
    return bit_ret(L, b);
}
static int f_bxor(lua_State *L) {
    int i;
    UB b = bit_arg(L, 1);
    for (i = lua_gettop(L); i > 1; i--) b ^= bit_arg(L, i);
    return bit_ret(L, b);
}

static int f_lshift(lua_State *L) {
    UB b = bit_arg(L, 1), n = bit_arg(L, 2) & 31;
    return bit_ret(L, b << n);
}
static int f_rshift(lua_State *L) {
    UB b = bit_arg(L, 1), n = bit_arg(L, 2) & 31;
    return bit_ret(L, b >> n);
}
static int f_arshift(lua_State *L) {
    UB b = bit_arg(L, 1), n = bit_arg(L, 2) & 31;
    /* arithmetic shift of the signed value, without relying on the
     * implementation-defined >> of negatives */
    UB r = b >> n;
    if ((b & 0x80000000u) && n) r |= ~(0xffffffffu >> n);
    return bit_ret(L, r);
}
static int f_rol(lua_State *L) {
    UB b = bit_arg(L, 1), n = bit_arg(L, 2) & 31;
    return bit_ret(L, n ? (b << n) | (b >> (32 - n)) : b);
}
static int f_ror(lua_State *L) {
    UB b = bit_arg(L, 1), n = bit_arg(L, 2) & 31;
    return bit_ret(L, n ? (b >> n) | (b << (32 - n)) : b);
}
static int f_bswap(lua_State *L) {
    UB b = bit_arg(L, 1);
    b = (b >> 24) | ((b >> 8) & 0xff00u) | ((b & 0xff00u) << 8) | (b << 24);
    return bit_ret(L, b);
}

static int f_tohex(lua_State *L) {
    UB b = bit_arg(L, 1);
    SB n = lua_isnone(L, 2) ? 8 : (SB)bit_arg(L, 2);
    const char *digits = "0123456789abcdef";
    char buf[8];
    int i;
    if (n == INT32_MIN) n = INT32_MIN + 1; /* Redis's fix: -n must not overflow */
    if (n < 0) {
        n = -n;
        digits = "0123456789ABCDEF";
    }
    if (n > 8) n = 8;
    for (i = (int)n; --i >= 0;) {
        buf[i] = digits[b & 15];
        b >>= 4;
    }
    lua_pushlstring(L, buf, (size_t)n);
    return 1;
}

static const luaL_Reg bit_funcs[] = {
    {"tobit", f_tobit},   {"bnot", f_bnot},     {"band", f_band},
    {"bor", f_bor},       {"bxor", f_bxor},     {"lshift", f_lshift},
    {"rshift", f_rshift}, {"arshift", f_arshift}, {"rol", f_rol},
    {"ror", f_ror},       {"bswap", f_bswap},   {"tohex", f_tohex},
    {NULL, NULL},
};

int fk_luaopen_bit(lua_State *L) {
    const luaL_Reg *r;
    lua_createtable(L, 0, 12);
    for (r = bit_funcs; r->name; r++) {
        lua_pushcfunction(L, r->func);
        lua_setfield(L, -2, r->name);
    }
    return 1;
}
