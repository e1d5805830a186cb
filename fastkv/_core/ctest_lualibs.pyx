# cython: language_level=3
"""Test harness for csrc/lua/fk_lua_{cjson,cmsgpack,struct,bit}.c
(tests/test_lualibs.py).  Not used by the server.

The Lua 5.1 API symbols come from lupa's lua51 extension: import
fastkv._core.lualibs_loader (or load lupa.lua51 with RTLD_GLOBAL yourself)
BEFORE importing this module."""

cdef extern from "lua/fk_lualibs.h" nogil:
    ctypedef struct lua_State
    lua_State *luaL_newstate()
    void lua_close(lua_State *L)
    void luaL_openlibs(lua_State *L)
    int luaL_loadbuffer(lua_State *L, const char *buff, size_t sz, const char *name)
    int lua_pcall(lua_State *L, int nargs, int nresults, int errfunc)
    const char *lua_tolstring(lua_State *L, int idx, size_t *len)
    int lua_type(lua_State *L, int idx)
    const char *lua_typename(lua_State *L, int tp)
    void lua_settop(lua_State *L, int idx)
    int lua_gettop(lua_State *L)
    void lua_setfield(lua_State *L, int idx, const char *k)
    int lua_gc(lua_State *L, int what, int data)
    int LUA_GLOBALSINDEX
    int LUA_TSTRING
    int LUA_TNUMBER
    int LUA_GCCOLLECT
    int fk_luaopen_cjson(lua_State *L)
    int fk_luaopen_cmsgpack(lua_State *L)
    int fk_luaopen_struct(lua_State *L)
    int fk_luaopen_bit(lua_State *L)


cdef class State:
    """A Lua state with the standard libraries and cjson, cmsgpack, struct
    and bit as globals (as Redis loads them)."""
    cdef lua_State *L

    def __cinit__(self):
        self.L = luaL_newstate()
        if self.L == NULL:
            raise MemoryError()
        luaL_openlibs(self.L)
        fk_luaopen_cjson(self.L)
        lua_setfield(self.L, LUA_GLOBALSINDEX, "cjson")
        fk_luaopen_cmsgpack(self.L)
        lua_setfield(self.L, LUA_GLOBALSINDEX, "cmsgpack")
        fk_luaopen_struct(self.L)
        lua_setfield(self.L, LUA_GLOBALSINDEX, "struct")
        fk_luaopen_bit(self.L)
        lua_setfield(self.L, LUA_GLOBALSINDEX, "bit")

    def __dealloc__(self):
        if self.L != NULL:
            lua_close(self.L)
            self.L = NULL

    def run(self, bytes code):
        """Run a chunk (named @user_script like Redis's); return (True,
        first result as bytes) or (False, error message bytes).  A non
        string, non number result is returned as its type name."""
        cdef size_t n = 0
        cdef const char *s
        cdef int rc
        lua_settop(self.L, 0)
        rc = luaL_loadbuffer(self.L, code, len(code), "@user_script")
        if rc == 0:
            rc = lua_pcall(self.L, 0, 1, 0)
        t = lua_type(self.L, -1)
        if t == LUA_TSTRING or t == LUA_TNUMBER:
            s = lua_tolstring(self.L, -1, &n)
            out = s[:n]
        else:
            out = lua_typename(self.L, t)
        lua_settop(self.L, 0)
        return (rc == 0, out)

    def gc(self):
        lua_gc(self.L, LUA_GCCOLLECT, 0)
