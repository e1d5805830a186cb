/* A growable byte buffer for the Lua libraries (private to csrc/lua/).
 *
 * The buffer lives in a full userdata whose __gc releases the bytes, so a
 * Lua error raised half-way (luaL_error longjmps) never leaks: the
 * userdata just becomes garbage.  Memory comes from the state's own
 * allocator (lua_getallocf), so it counts as Lua memory as in Redis. */
#ifndef FK_LUABUF_H
#define FK_LUABUF_H

#include <string.h>
#include "fk_lua51.h"

typedef struct fk_luabuf {
    char *b;
    size_t len, cap;
    lua_Alloc af;
    void *ud;
} fk_luabuf;

#define FK_LUABUF_MT "fastkv.luabuf"

static inline int fk_luabuf_gc(lua_State *L) {
    fk_luabuf *B = (fk_luabuf *)lua_touserdata(L, 1);
    if (B && lua_type(L, 1) == LUA_TUSERDATA && lua_objlen(L, 1) == sizeof(fk_luabuf) && B->b) {
        B->af(B->ud, B->b, B->cap, 0);
        B->b = NULL;
        B->len = B->cap = 0;
    }
    return 0;
}

/* Initialise a buffer that lives inside some other userdata (the caller
 * frees it with fk_luabuf_free / its own __gc). */
static inline void fk_luabuf_init(lua_State *L, fk_luabuf *B) {
    B->b = NULL;
    B->len = B->cap = 0;
    B->af = lua_getallocf(L, &B->ud);
}

static inline void fk_luabuf_free(fk_luabuf *B) {
    if (B->b) B->af(B->ud, B->b, B->cap, 0);
    B->b = NULL;
    B->len = B->cap = 0;
}

/* Push a new empty buffer userdata; returns it. */
static inline fk_luabuf *fk_luabuf_push(lua_State *L) {
    fk_luabuf *B = (fk_luabuf *)lua_newuserdata(L, sizeof(*B));
    fk_luabuf_init(L, B);
    if (luaL_newmetatable(L, FK_LUABUF_MT)) {
        lua_pushcfunction(L, fk_luabuf_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return B;
}

/* Make room for n more bytes. */
static inline void fk_luabuf_reserve(lua_State *L, fk_luabuf *B, size_t n) {
    size_t need, ncap;
    char *nb;
    if (B->cap - B->len >= n) return;
    need = B->len + n;
    if (need < B->len || need > ((size_t)-1) / 4) luaL_error(L, "not enough memory");
    ncap = B->cap ? B->cap * 2 : 64;
    while (ncap < need) ncap *= 2;
    nb = (char *)B->af(B->ud, B->b, B->cap, ncap);
    if (!nb) luaL_error(L, "not enough memory");
    B->b = nb;
    B->cap = ncap;
}

static inline void fk_luabuf_add(lua_State *L, fk_luabuf *B, const void *s, size_t n) {
    if (!n) return;
    fk_luabuf_reserve(L, B, n);
    memcpy(B->b + B->len, s, n);
    B->len += n;
}

static inline void fk_luabuf_addc(lua_State *L, fk_luabuf *B, char c) {
    if (B->len == B->cap) fk_luabuf_reserve(L, B, 1);
    B->b[B->len++] = c;
}

#endif
