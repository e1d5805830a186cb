/* The Lua libraries Redis 7.0 loads into its scripting state, written for
 * fastkv: cjson (lua-cjson 2.1.0 as Redis bundles it), cmsgpack
 * (lua-cmsgpack 0.4.0), struct (Roberto Ierusalimschy's struct with
 * Redis's bounds checks) and bit (LuaBitOp 1.0.2).
 *
 * Each function pushes the module table (and returns 1); the caller makes
 * it a global (cjson, cmsgpack, struct, bit) as Redis does. */
#ifndef FK_LUALIBS_H
#define FK_LUALIBS_H

#include "fk_lua51.h"

int fk_luaopen_cjson(lua_State *L);
int fk_luaopen_cmsgpack(lua_State *L);
int fk_luaopen_struct(lua_State *L);
int fk_luaopen_bit(lua_State *L);

#endif
