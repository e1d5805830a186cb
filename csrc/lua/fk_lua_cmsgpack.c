/* cmsgpack: MessagePack for Lua with the exact bytes of Redis 7.0's
 * lua_cmsgpack.c (lua-cmsgpack 0.4.0).
 *
 * Encoding: numbers that are whole and fit int64 use the smallest integer
 * form (positive/negative fixnum, uint8..64 / int8..64), other numbers are
 * float32 when the value survives the round trip, else float64; strings
 * are fixstr / str8 / str16 / str32; a table whose keys are exactly 1..N
 * is an array (fixarray / array16 / array32), any other table a map;
 * tables nested 16 deep, functions, userdata, nil... encode as nil.
 * Decoding accepts the same formats (bin/ext are "Bad data format"),
 * checks every length against the input (hostile input can't read past
 * its end) and is bounded in depth by the Lua stack. */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "fk_lualibs.h"
#include "fk_luabuf.h"

#define MP_MAX_NESTING 16

/* ----------------------------------------------------------- encoding */

static void mp_be(unsigned char *out, uint64_t v, int n) {
    int i;
    for (i = n - 1; i >= 0; i--) { out[i] = (unsigned char)(v & 0xff); v >>= 8; }
}

static void mp_put_hdr(lua_State *L, fk_luabuf *B, unsigned char tag, uint64_t v, int n) {
    unsigned char b[9];
    b[0] = tag;
    mp_be(b + 1, v, n);
    fk_luabuf_add(L, B, b, (size_t)n + 1);
}

static void mp_enc_bytes(lua_State *L, fk_luabuf *B, const char *s, size_t len) {
    if (len < 32) {
        unsigned char c = (unsigned char)(0xa0 | len);
        fk_luabuf_add(L, B, &c, 1);
    } else if (len <= 0xff) {
        mp_put_hdr(L, B, 0xd9, len, 1);
    } else if (len <= 0xffff) {
        mp_put_hdr(L, B, 0xda, len, 2);
    } else {
        mp_put_hdr(L, B, 0xdb, len & 0xffffffffu, 4);
    }
    fk_luabuf_add(L, B, s, len);
}

static void mp_enc_double(lua_State *L, fk_luabuf *B, double d) {
    float f = (float)d;
    if (d == (double)f) {
        uint32_t u;
        memcpy(&u, &f, 4);
        mp_put_hdr(L, B, 0xca, u, 4);
    } else {
        uint64_t u;
        memcpy(&u, &d, 8);
        mp_put_hdr(L, B, 0xcb, u, 8);
    }
}

static void mp_enc_int(lua_State *L, fk_luabuf *B, int64_t n) {
    if (n >= 0) {
        if (n <= 127) {
            unsigned char c = (unsigned char)n;
            fk_luabuf_add(L, B, &c, 1);
        } else if (n <= 0xff) {
            mp_put_hdr(L, B, 0xcc, (uint64_t)n, 1);
        } else if (n <= 0xffff) {
            mp_put_hdr(L, B, 0xcd, (uint64_t)n, 2);
        } else if (n <= 0xffffffffLL) {
            mp_put_hdr(L, B, 0xce, (uint64_t)n, 4);
        } else {
            mp_put_hdr(L, B, 0xcf, (uint64_t)n, 8);
        }
    } else {
        if (n >= -32) {
            unsigned char c = (unsigned char)(int8_t)n;
            fk_luabuf_add(L, B, &c, 1);
        } else if (n >= -128) {
            mp_put_hdr(L, B, 0xd0, (uint64_t)n, 1);
        } else if (n >= -32768) {
            mp_put_hdr(L, B, 0xd1, (uint64_t)n, 2);
        } else if (n >= -2147483648LL) {
            mp_put_hdr(L, B, 0xd2, (uint64_t)n, 4);
        } else {
            mp_put_hdr(L, B, 0xd3, (uint64_t)n, 8);
        }
    }
}

static void mp_enc_array_hdr(lua_State *L, fk_luabuf *B, uint64_t n) {
    if (n <= 15) {
        unsigned char c = (unsigned char)(0x90 | n);
        fk_luabuf_add(L, B, &c, 1);
    } else if (n <= 65535) {
        mp_put_hdr(L, B, 0xdc, n, 2);
    } else {
        mp_put_hdr(L, B, 0xdd, n & 0xffffffffu, 4);
    }
}

static void mp_enc_map_hdr(lua_State *L, fk_luabuf *B, uint64_t n) {
    if (n <= 15) {
        unsigned char c = (unsigned char)(0x80 | n);
        fk_luabuf_add(L, B, &c, 1);
    } else if (n <= 65535) {
        mp_put_hdr(L, B, 0xde, n, 2);
    } else {
        mp_put_hdr(L, B, 0xdf, n & 0xffffffffu, 4);
    }
}

static void mp_enc_value(lua_State *L, fk_luabuf *B, int level);

/* Keys exactly 1..N (positive whole numbers that fit an int, max == count). */
static int mp_table_is_array(lua_State *L) {
    int top = lua_gettop(L);
    int count = 0, max = 0;
    luaL_checkstack(L, 2, "in function table_is_an_array");
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_Number n;
        lua_pop(L, 1);
        if (lua_type(L, -1) != LUA_TNUMBER || (n = lua_tonumber(L, -1)) <= 0 ||
            !(n <= (lua_Number)INT_MAX && (lua_Number)(int)n == n)) {
            lua_settop(L, top);
            return 0;
        }
        if (n > max) max = (int)n;
        count++;
    }
    lua_settop(L, top);
    return max == count;
}

static void mp_enc_table(lua_State *L, fk_luabuf *B, int level) {
    if (mp_table_is_array(L)) {
        size_t len = lua_objlen(L, -1), j;
        mp_enc_array_hdr(L, B, len);
        luaL_checkstack(L, 1, "in function mp_encode_lua_table_as_array");
        for (j = 1; j <= len; j++) {
            lua_pushnumber(L, (lua_Number)j);
            lua_gettable(L, -2);
            mp_enc_value(L, B, level + 1);
        }
    } else {
        size_t len = 0;
        luaL_checkstack(L, 3, "in function mp_encode_lua_table_as_map");
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            lua_pop(L, 1);
            len++;
        }
        mp_enc_map_hdr(L, B, len);
        lua_pushnil(L);
        while (lua_next(L, -2)) {
            lua_pushvalue(L, -2);
            mp_enc_value(L, B, level + 1); /* key */
            mp_enc_value(L, B, level + 1); /* value */
        }
    }
}

/* Encode the value on top of the stack and pop it. */
static void mp_enc_value(lua_State *L, fk_luabuf *B, int level) {
    int t = lua_type(L, -1);
    if (t == LUA_TTABLE && level == MP_MAX_NESTING) t = LUA_TNIL;
    switch (t) {
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, -1, &len);
        mp_enc_bytes(L, B, s, len);
        break;
    }
    case LUA_TBOOLEAN: {
        unsigned char c = lua_toboolean(L, -1) ? 0xc3 : 0xc2;
        fk_luabuf_add(L, B, &c, 1);
        break;
    }
    case LUA_TNUMBER: {
        lua_Number n = lua_tonumber(L, -1);
        if (!isinf(n) && n >= -9223372036854775808.0 && n < 9223372036854775808.0 &&
            (lua_Number)(int64_t)n == n)
            mp_enc_int(L, B, (int64_t)n);
        else
            mp_enc_double(L, B, n);
        break;
    }
    case LUA_TTABLE:
        mp_enc_table(L, B, level);
        break;
    default: {
        unsigned char c = 0xc0;
        fk_luabuf_add(L, B, &c, 1);
        break;
    }
    }
    lua_pop(L, 1);
}

/* pack's buffer: a userdata kept as the function's upvalue, off the Lua
 * stack (whose use must match Redis's for the stack limits).  A nested
 * pack (from an __index metamethod) or one after an error left it busy
 * uses a fresh buffer on the stack instead. */
typedef struct {
    fk_luabuf B;
    int busy;
} mp_packbuf;

static int mp_packbuf_gc(lua_State *L) {
    mp_packbuf *pb = (mp_packbuf *)lua_touserdata(L, 1);
    if (pb && lua_type(L, 1) == LUA_TUSERDATA && lua_objlen(L, 1) == sizeof(mp_packbuf))
        fk_luabuf_free(&pb->B);
    return 0;
}

static int mp_pack(lua_State *L) {
    int nargs = lua_gettop(L), i;
    fk_luabuf *B;
    mp_packbuf *pb = (mp_packbuf *)lua_touserdata(L, lua_upvalueindex(1));
    if (pb && (lua_type(L, lua_upvalueindex(1)) != LUA_TUSERDATA ||
               lua_objlen(L, lua_upvalueindex(1)) != sizeof(mp_packbuf)))
        pb = NULL;
    if (nargs == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
    if (!lua_checkstack(L, nargs)) return luaL_argerror(L, 0, "Too many arguments for MessagePack pack.");
    if (pb && !pb->busy) {
        pb->busy = 1;
        B = &pb->B;
        B->len = 0;
    } else {
        pb = NULL;
        B = fk_luabuf_push(L); /* at nargs+1, below the encoded pieces */
    }
    for (i = 1; i <= nargs; i++) {
        luaL_checkstack(L, 1, "in function mp_check");
        lua_pushvalue(L, i);
        mp_enc_value(L, B, 0);
        lua_pushlstring(L, B->b ? B->b : "", B->len);
        B->len = 0;
    }
    if (pb) {
        if (B->cap > 65536) fk_luabuf_free(B); /* keep small buffers only */
        pb->busy = 0;
    } else {
        fk_luabuf_free(B);
    }
    lua_concat(L, nargs);
    return 1;
}

/* ----------------------------------------------------------- decoding */

#define MP_ERR_NONE 0
#define MP_ERR_EOF 1
#define MP_ERR_BADFMT 2

typedef struct {
    const unsigned char *p;
    size_t left;
    int err;
} mp_cur;

#define MP_NEED(c, n) do { if ((c)->left < (size_t)(n)) { (c)->err = MP_ERR_EOF; return; } } while (0)
#define MP_EAT(c, n) do { (c)->p += (n); (c)->left -= (n); } while (0)

static uint64_t mp_rd(const unsigned char *p, int n) {
    uint64_t v = 0;
    int i;
    for (i = 0; i < n; i++) v = (v << 8) | p[i];
    return v;
}

static void mp_dec_value(lua_State *L, mp_cur *c);

static void mp_dec_array(lua_State *L, mp_cur *c, size_t len) {
    int index = 1;
    lua_newtable(L);
    luaL_checkstack(L, 1, "in function mp_decode_to_lua_array");
    while (len--) {
        lua_pushnumber(L, index++);
        mp_dec_value(L, c);
        if (c->err) return;
        lua_settable(L, -3);
    }
}

static void mp_dec_map(lua_State *L, mp_cur *c, size_t len) {
    lua_newtable(L);
    while (len--) {
        mp_dec_value(L, c);
        if (c->err) return;
        mp_dec_value(L, c);
        if (c->err) return;
        lua_settable(L, -3);
    }
}

static void mp_dec_str(lua_State *L, mp_cur *c, int hdr, size_t len) {
    MP_NEED(c, (size_t)hdr + len);
    if ((size_t)hdr + len < len) { c->err = MP_ERR_EOF; return; }
    lua_pushlstring(L, (const char *)c->p + hdr, len);
    MP_EAT(c, (size_t)hdr + len);
}

static void mp_dec_value(lua_State *L, mp_cur *c) {
    unsigned char t;
    MP_NEED(c, 1);
    luaL_checkstack(L, 1, "too many return values at once; use unpack_one or unpack_limit instead.");
    t = c->p[0];
    switch (t) {
    case 0xcc: MP_NEED(c, 2); lua_pushinteger(L, c->p[1]); MP_EAT(c, 2); break;
    case 0xd0: MP_NEED(c, 2); lua_pushinteger(L, (int8_t)c->p[1]); MP_EAT(c, 2); break;
    case 0xcd: MP_NEED(c, 3); lua_pushinteger(L, (lua_Integer)mp_rd(c->p + 1, 2)); MP_EAT(c, 3); break;
    case 0xd1: MP_NEED(c, 3); lua_pushinteger(L, (int16_t)mp_rd(c->p + 1, 2)); MP_EAT(c, 3); break;
    case 0xce: MP_NEED(c, 5); lua_pushinteger(L, (lua_Integer)mp_rd(c->p + 1, 4)); MP_EAT(c, 5); break;
    case 0xd2: MP_NEED(c, 5); lua_pushinteger(L, (int32_t)(uint32_t)mp_rd(c->p + 1, 4)); MP_EAT(c, 5); break;
    case 0xcf: /* uint 64: pushed as a (signed) lua_Integer, as the original */
        MP_NEED(c, 9); lua_pushinteger(L, (lua_Integer)(int64_t)mp_rd(c->p + 1, 8)); MP_EAT(c, 9); break;
    case 0xd3: MP_NEED(c, 9); lua_pushnumber(L, (lua_Number)(int64_t)mp_rd(c->p + 1, 8)); MP_EAT(c, 9); break;
    case 0xc0: lua_pushnil(L); MP_EAT(c, 1); break;
    case 0xc3: lua_pushboolean(L, 1); MP_EAT(c, 1); break;
    case 0xc2: lua_pushboolean(L, 0); MP_EAT(c, 1); break;
    case 0xca: {
        uint32_t u;
        float f;
        MP_NEED(c, 5);
        u = (uint32_t)mp_rd(c->p + 1, 4);
        memcpy(&f, &u, 4);
        lua_pushnumber(L, f);
        MP_EAT(c, 5);
        break;
    }
    case 0xcb: {
        uint64_t u;
        double d;
        MP_NEED(c, 9);
        u = mp_rd(c->p + 1, 8);
        memcpy(&d, &u, 8);
        lua_pushnumber(L, d);
        MP_EAT(c, 9);
        break;
    }
    case 0xd9: MP_NEED(c, 2); mp_dec_str(L, c, 2, (size_t)c->p[1]); break;
    case 0xda: MP_NEED(c, 3); mp_dec_str(L, c, 3, (size_t)mp_rd(c->p + 1, 2)); break;
    case 0xdb: MP_NEED(c, 5); mp_dec_str(L, c, 5, (size_t)mp_rd(c->p + 1, 4)); break;
    case 0xdc: { size_t l; MP_NEED(c, 3); l = (size_t)mp_rd(c->p + 1, 2); MP_EAT(c, 3); mp_dec_array(L, c, l); break; }
    case 0xdd: { size_t l; MP_NEED(c, 5); l = (size_t)mp_rd(c->p + 1, 4); MP_EAT(c, 5); mp_dec_array(L, c, l); break; }
    case 0xde: { size_t l; MP_NEED(c, 3); l = (size_t)mp_rd(c->p + 1, 2); MP_EAT(c, 3); mp_dec_map(L, c, l); break; }
    case 0xdf: { size_t l; MP_NEED(c, 5); l = (size_t)mp_rd(c->p + 1, 4); MP_EAT(c, 5); mp_dec_map(L, c, l); break; }
    default:
        if ((t & 0x80) == 0) {
            lua_pushinteger(L, t);
            MP_EAT(c, 1);
        } else if ((t & 0xe0) == 0xe0) {
            lua_pushinteger(L, (int8_t)t);
            MP_EAT(c, 1);
        } else if ((t & 0xe0) == 0xa0) {
            mp_dec_str(L, c, 1, (size_t)(t & 0x1f));
        } else if ((t & 0xf0) == 0x90) {
            MP_EAT(c, 1);
            mp_dec_array(L, c, (size_t)(t & 0xf));
        } else if ((t & 0xf0) == 0x80) {
            MP_EAT(c, 1);
            mp_dec_map(L, c, (size_t)(t & 0xf));
        } else {
            c->err = MP_ERR_BADFMT;
        }
    }
}

static int mp_unpack_full(lua_State *L, lua_Integer limit, lua_Integer offset) {
    size_t len;
    const char *s;
    mp_cur c;
    int cnt;
    int decode_all = (!limit && !offset);

    s = luaL_checklstring(L, 1, &len);
    if (offset < 0 || limit < 0)
        return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.",
                          (int)offset, (int)len);
    else if ((size_t)offset > len)
        return luaL_error(L, "Start offset %d greater than input length %d.", (int)offset, (int)len);

    if (decode_all) limit = INT_MAX;

    c.p = (const unsigned char *)s + offset;
    c.left = len - (size_t)offset;
    c.err = MP_ERR_NONE;

    for (cnt = 0; c.left > 0 && cnt < limit; cnt++) {
        mp_dec_value(L, &c);
        if (c.err == MP_ERR_EOF)
            return luaL_error(L, "Missing bytes in input.");
        else if (c.err == MP_ERR_BADFMT)
            return luaL_error(L, "Bad data format in input.");
    }

    if (!decode_all) {
        size_t new_offset = len - c.left;
        luaL_checkstack(L, 1, "in function mp_unpack_full");
        lua_pushinteger(L, c.left == 0 ? -1 : (lua_Integer)new_offset);
        lua_insert(L, 2);
        cnt += 1;
    }
    return cnt;
}

static int mp_unpack(lua_State *L) { return mp_unpack_full(L, 0, 0); }

static int mp_unpack_one(lua_State *L) {
    lua_Integer offset = luaL_optinteger(L, 2, 0);
    lua_pop(L, lua_gettop(L) - 1);
    return mp_unpack_full(L, 1, offset);
}

static int mp_unpack_limit(lua_State *L) {
    lua_Integer limit = luaL_checkinteger(L, 2);
    lua_Integer offset = luaL_optinteger(L, 3, 0);
    lua_pop(L, lua_gettop(L) - 1);
    return mp_unpack_full(L, limit, offset);
}

int fk_luaopen_cmsgpack(lua_State *L) {
    mp_packbuf *pb;
    lua_newtable(L);
    pb = (mp_packbuf *)lua_newuserdata(L, sizeof(*pb));
    fk_luabuf_init(L, &pb->B);
    pb->busy = 0;
    lua_newtable(L);
    lua_pushcfunction(L, mp_packbuf_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    lua_pushcclosure(L, mp_pack, 1);
    lua_setfield(L, -2, "pack");
    lua_pushcfunction(L, mp_unpack);
    lua_setfield(L, -2, "unpack");
    lua_pushcfunction(L, mp_unpack_one);
    lua_setfield(L, -2, "unpack_one");
    lua_pushcfunction(L, mp_unpack_limit);
    lua_setfield(L, -2, "unpack_limit");
    lua_pushliteral(L, "cmsgpack");
    lua_setfield(L, -2, "_NAME");
    lua_pushliteral(L, "lua-cmsgpack 0.4.0");
    lua_setfield(L, -2, "_VERSION");
    lua_pushliteral(L, "Copyright (C) 2012, Salvatore Sanfilippo");
    lua_setfield(L, -2, "_COPYRIGHT");
    lua_pushliteral(L, "MessagePack C implementation for Lua");
    lua_setfield(L, -2, "_DESCRIPTION");
    return 1;
}
