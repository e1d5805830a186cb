/* The Lua half of fastkv's scripting engine, after Redis 7.0's script_lua.c
 * and eval.c (written anew; Redis's behaviour is the specification).
 *
 * The state
 * ---------
 * One lua_State per server, made by fk_script_lua_create() with the
 * libraries Redis loads (base table string math debug, plus cjson struct
 * cmsgpack bit when their C files are linked in), without dofile, loadfile
 * and print, with Redis's pcall, math.random and the `redis` table.
 *
 * The sandbox (Redis 7.0 patches the Lua VM with read-only tables; we run a
 * stock Lua 5.1, so the same guarantees come from proxies):
 *
 *     thread globals  GP = {}  --metatable-->  { __index = G, __newindex = ro_error,
 *                                                __metatable = <empty read-only table> }
 *     G (the real globals)     --metatable-->  { __index = missing_global_error }
 *     G.string = proxy of the string table, G._G = GP, ... (every library table)
 *
 * A script's environment is GP, which is always empty: every assignment to a
 * global reaches __newindex ("Attempt to modify a readonly table"), every
 * read falls through to G and, when G has nothing, to the missing-global
 * error ("Script attempted to access nonexistent global variable 'x'").
 * Library tables are proxies in the same way.  rawset/rawget/next/pairs/
 * setmetatable/getfenv see through the proxies or refuse to modify them
 * (their originals are kept as upvalues); every C function's environment is
 * GP so getfenv() never hands out G.  KEYS and ARGV are raw-set into G by
 * the runner.
 *
 * Errors
 * ------
 * Errors travel as tables {err="CODE msg", source=..., line=...} like 7.0:
 * redis.call raises the error table of the failed command; the message
 * handler adds the caller's source and line; the runner formats
 * "<err> script: <sha>, on <source>:<line>.".
 *
 * Only this file calls lua_error (longjmp); the Cython callbacks push
 * values and return status codes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fk_script_lua.h"

fk_script_callbacks fk_script_cb;
int fk_script_running = 0;
int fk_script_resp = 2;
int fk_script_repl = 3;
int fk_script_verbosity = 2;

/* Libraries written in csrc/lua/ by their own files (cjson, struct,
 * cmsgpack, bit): weak, so the engine builds and runs before they exist and
 * loads each one as soon as its file is linked in. */
int fk_luaopen_cjson(lua_State *L) __attribute__((weak));
int fk_luaopen_struct(lua_State *L) __attribute__((weak));
int fk_luaopen_cmsgpack(lua_State *L) __attribute__((weak));
int fk_luaopen_bit(lua_State *L) __attribute__((weak));

/* registry references */
static int ref_errh = LUA_NOREF;     /* the message handler */
static int ref_scripts = LUA_NOREF;  /* sha -> function */
static int ref_flags = LUA_NOREF;    /* sha -> flags */
static int ref_g = LUA_NOREF;        /* the real globals G */
static int ref_prot = LUA_NOREF;     /* protected table -> real table (proxies) or true */
static long gc_count = 0;

/* ------------------------------------------------------------------ buffers */

static void buf_reserve(fk_luabuf *b, size_t n) {
    if (b->len + n <= b->cap) return;
    size_t cap = b->cap ? b->cap * 2 : 256;
    while (cap < b->len + n) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) abort();
    b->p = p;
    b->cap = cap;
}

static void buf_add(fk_luabuf *b, const char *p, size_t n) {
    buf_reserve(b, n);
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void buf_addlen(fk_luabuf *b, char prefix, long long n) {
    char tmp[32];
    int k = snprintf(tmp, sizeof(tmp), "%c%lld\r\n", prefix, n);
    buf_add(b, tmp, (size_t)k);
}

static void buf_addbulk(fk_luabuf *b, const char *p, size_t n) {
    buf_addlen(b, '$', (long long)n);
    buf_add(b, p, n);
    buf_add(b, "\r\n", 2);
}

/* A line of a simple or error reply: CR and LF become spaces. */
static void buf_addline(fk_luabuf *b, char prefix, const char *p, size_t n) {
    buf_reserve(b, n + 3);
    b->p[b->len++] = prefix;
    for (size_t i = 0; i < n; i++) b->p[b->len++] = (p[i] == '\r' || p[i] == '\n') ? ' ' : p[i];
    b->p[b->len++] = '\r';
    b->p[b->len++] = '\n';
}

void fk_luabuf_free(fk_luabuf *b) {
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* -------------------------------------------------------------------- SHA1 */

typedef struct { uint32_t h[5]; uint64_t n; unsigned char blk[64]; size_t used; } sha1_ctx;

#define ROL(v, s) (((v) << (s)) | ((v) >> (32 - (s))))

static void sha1_block(sha1_ctx *c, const unsigned char *p) {
    uint32_t w[80], a, b, d, e, f, k, t, cc;
    for (int i = 0; i < 16; i++)
        w[i] = ((uint32_t)p[4 * i] << 24) | ((uint32_t)p[4 * i + 1] << 16) | ((uint32_t)p[4 * i + 2] << 8) | p[4 * i + 3];
    for (int i = 16; i < 80; i++) w[i] = ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    a = c->h[0]; b = c->h[1]; cc = c->h[2]; d = c->h[3]; e = c->h[4];
    for (int i = 0; i < 80; i++) {
        if (i < 20) { f = (b & cc) | (~b & d); k = 0x5A827999; }
        else if (i < 40) { f = b ^ cc ^ d; k = 0x6ED9EBA1; }
        else if (i < 60) { f = (b & cc) | (b & d) | (cc & d); k = 0x8F1BBCDC; }
        else { f = b ^ cc ^ d; k = 0xCA62C1D6; }
        t = ROL(a, 5) + f + e + k + w[i];
        e = d; d = cc; cc = ROL(b, 30); b = a; a = t;
    }
    c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d; c->h[4] += e;
}

void fk_sha1hex(char *out, const char *data, size_t len) {
    static const char hex[] = "0123456789abcdef";
    sha1_ctx c = {{0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0}, 0, {0}, 0};
    const unsigned char *p = (const unsigned char *)data;
    size_t i = 0;
    for (; i + 64 <= len; i += 64) sha1_block(&c, p + i);
    unsigned char tail[128];
    size_t rest = len - i;
    memcpy(tail, p + i, rest);
    tail[rest] = 0x80;
    size_t tl = (rest + 1 + 8 <= 64) ? 64 : 128;
    memset(tail + rest + 1, 0, tl - rest - 1);
    uint64_t bits = (uint64_t)len * 8;
    for (int j = 0; j < 8; j++) tail[tl - 1 - j] = (unsigned char)(bits >> (8 * j));
    sha1_block(&c, tail);
    if (tl == 128) sha1_block(&c, tail + 64);
    for (int j = 0; j < 5; j++)
        for (int k = 0; k < 8; k++) out[j * 8 + k] = hex[(c.h[j] >> (28 - 4 * k)) & 0xf];
}

/* ---------------------------------------------------------------- rand48 */

/* Redis's rand.c: the 48-bit linear congruential generator of drand48 with
 * its default initial state, so scripts draw the numbers Redis's draw. */
static uint64_t rand48_x = 0x1234ABCD330EULL;

int32_t fk_redis_lrand48(void) {
    rand48_x = (0x5DEECE66DULL * rand48_x + 0xB) & 0xFFFFFFFFFFFFULL;
    return (int32_t)(rand48_x >> 17);
}

void fk_redis_srand48(int32_t seed) {
    rand48_x = (((uint64_t)(uint32_t)seed) << 16) | 0x330E;
}

#define REDIS_LRAND48_MAX 2147483647

static int redis_math_random(lua_State *L) {
    lua_Number r = (lua_Number)(fk_redis_lrand48() % REDIS_LRAND48_MAX) / (lua_Number)REDIS_LRAND48_MAX;
    switch (lua_gettop(L)) {
    case 0:
        lua_pushnumber(L, r);
        break;
    case 1: {
        int u = luaL_checkint(L, 1);
        luaL_argcheck(L, 1 <= u, 1, "interval is empty");
        lua_pushnumber(L, floor(r * u) + 1);
        break;
    }
    case 2: {
        int l = luaL_checkint(L, 1);
        int u = luaL_checkint(L, 2);
        luaL_argcheck(L, l <= u, 2, "interval is empty");
        lua_pushnumber(L, floor(r * (u - l + 1)) + l);
        break;
    }
    default:
        return luaL_error(L, "wrong number of arguments");
    }
    return 1;
}

static int redis_math_randomseed(lua_State *L) {
    fk_redis_srand48(luaL_checkint(L, 1));
    return 0;
}

/* ------------------------------------------------------------ error tables */

void fk_script_push_error(lua_State *L, const char *msg, size_t len, int ignore_stats) {
    const char *code = "ERR";
    size_t codelen = 3;
    if (len > 0 && msg[0] == '-') {
        const char *sp = memchr(msg, ' ', len);
        if (sp == NULL) {
            msg++;
            len--;
        } else {
            code = msg + 1;
            codelen = (size_t)(sp - msg - 1);
            len -= (size_t)(sp + 1 - msg);
            msg = sp + 1;
        }
    }
    while (len > 0 && (msg[0] == '\r' || msg[0] == '\n')) { msg++; len--; }
    while (len > 0 && (msg[len - 1] == '\r' || msg[len - 1] == '\n')) len--;
    lua_checkstack(L, 4);
    lua_createtable(L, 0, 2);
    lua_pushlstring(L, code, codelen);
    lua_pushlstring(L, " ", 1);
    lua_pushlstring(L, msg, len);
    lua_concat(L, 3);
    lua_setfield(L, -2, "err");
    if (ignore_stats) {
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, "ignore_error_stats_update");
    }
}

static int raise_error(lua_State *L, const char *msg) {
    fk_script_push_error(L, msg, strlen(msg), 0);
    return lua_error(L);
}

/* ------------------------------------------------------ RESP -> Lua values */

typedef struct { const char *p, *end; } rparser;

static const char *r_line(rparser *r, size_t *n) {
    const char *s = r->p;
    const char *e = memchr(s, '\r', (size_t)(r->end - s));
    if (e == NULL) e = r->end;
    *n = (size_t)(e - s);
    r->p = (e + 2 <= r->end) ? e + 2 : r->end;
    return s;
}

static long long r_ll(const char *s, size_t n) {
    char tmp[32];
    if (n >= sizeof(tmp)) n = sizeof(tmp) - 1;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    return strtoll(tmp, NULL, 10);
}

/* Parse one reply; push it if `push`.  Returns 1 for an error reply. */
static int r_parse(lua_State *L, rparser *r, int push) {
    if (r->p >= r->end) {
        if (push) lua_pushboolean(L, 0);
        return 0;
    }
    char t = *r->p++;
    size_t n;
    const char *s;
    long long len, j;
    if (push) lua_checkstack(L, 6);
    switch (t) {
    case '+':
        s = r_line(r, &n);
        if (push) {
            lua_createtable(L, 0, 1);
            lua_pushlstring(L, s, n);
            lua_setfield(L, -2, "ok");
        }
        return 0;
    case '-':
        s = r_line(r, &n);
        if (push) {
            /* luaPushErrorBuff("-" + text), marked as already counted */
            char *tmp = malloc(n + 1);
            if (!tmp) abort();
            tmp[0] = '-';
            memcpy(tmp + 1, s, n);
            fk_script_push_error(L, tmp, n + 1, 1);
            free(tmp);
        }
        return 1;
    case ':':
        s = r_line(r, &n);
        if (push) lua_pushnumber(L, (lua_Number)r_ll(s, n));
        return 0;
    case '$':
    case '=':
        s = r_line(r, &n);
        len = r_ll(s, n);
        if (len < 0) {
            if (push) lua_pushboolean(L, 0);
            return 0;
        }
        if (len > r->end - r->p) len = r->end - r->p;
        s = r->p;
        r->p += len;
        r->p = (r->p + 2 <= r->end) ? r->p + 2 : r->end;
        if (push) {
            if (t == '$') {
                lua_pushlstring(L, s, (size_t)len);
            } else {
                lua_createtable(L, 0, 1);
                lua_createtable(L, 0, 2);
                lua_pushlstring(L, len >= 4 ? s + 4 : "", len >= 4 ? (size_t)len - 4 : 0);
                lua_setfield(L, -2, "string");
                lua_pushlstring(L, s, len >= 3 ? 3 : (size_t)len);
                lua_setfield(L, -2, "format");
                lua_setfield(L, -2, "verbatim_string");
            }
        }
        return 0;
    case '*':
    case '>':
        s = r_line(r, &n);
        len = r_ll(s, n);
        if (len < 0) {
            if (push) lua_pushboolean(L, 0);
            return 0;
        }
        if (push) lua_createtable(L, len > 1024 ? 1024 : (int)len, 0);
        for (j = 0; j < len; j++) {
            r_parse(L, r, push);
            if (push) lua_rawseti(L, -2, (int)(j + 1));
        }
        return 0;
    case '_':
        r_line(r, &n);
        if (push) lua_pushnil(L);
        return 0;
    case '#':
        s = r_line(r, &n);
        if (push) lua_pushboolean(L, n > 0 && s[0] == 't');
        return 0;
    case ',': {
        char tmp[128];
        s = r_line(r, &n);
        if (n >= sizeof(tmp)) n = sizeof(tmp) - 1;
        memcpy(tmp, s, n);
        tmp[n] = 0;
        if (push) {
            lua_createtable(L, 0, 1);
            lua_pushnumber(L, strtod(tmp, NULL));
            lua_setfield(L, -2, "double");
        }
        return 0;
    }
    case '(':
        s = r_line(r, &n);
        if (push) {
            lua_createtable(L, 0, 1);
            lua_pushlstring(L, s, n);
            lua_setfield(L, -2, "big_number");
        }
        return 0;
    case '%':
    case '~':
        s = r_line(r, &n);
        len = r_ll(s, n);
        if (push) {
            lua_createtable(L, 0, 1);
            lua_createtable(L, 0, len > 1024 ? 1024 : (int)len);
        }
        for (j = 0; j < len; j++) {
            r_parse(L, r, push);
            if (t == '%')
                r_parse(L, r, push);
            else if (push)
                lua_pushboolean(L, 1);
            if (push) {
                if (lua_isnil(L, -2))
                    lua_pop(L, 2); /* a nil key can't be stored */
                else
                    lua_rawset(L, -3);
            }
        }
        if (push) lua_setfield(L, -2, t == '%' ? "map" : "set");
        return 0;
    case '|':
        s = r_line(r, &n);
        len = r_ll(s, n);
        for (j = 0; j < len; j++) {
            r_parse(L, r, 0);
            r_parse(L, r, 0);
        }
        return r_parse(L, r, push);
    default:
        r_line(r, &n);
        if (push) lua_pushboolean(L, 0);
        return 0;
    }
}

int fk_script_push_reply(lua_State *L, const char *p, size_t len) {
    rparser r = {p, p + len};
    return r_parse(L, &r, 1);
}

/* ------------------------------------------------------ Lua value -> RESP */

static void add_null(fk_luabuf *b, int resp) {
    if (resp == 3)
        buf_add(b, "_\r\n", 3);
    else
        buf_add(b, "$-1\r\n", 5);
}

static void add_double(fk_luabuf *b, double d, int resp) {
    char tmp[64];
    int k;
    if (isinf(d))
        k = snprintf(tmp, sizeof(tmp), "%s", d > 0 ? "inf" : "-inf");
    else
        k = snprintf(tmp, sizeof(tmp), "%.17g", d);
    if (resp == 3) {
        buf_add(b, ",", 1);
        buf_add(b, tmp, (size_t)k);
        buf_add(b, "\r\n", 2);
    } else {
        buf_addbulk(b, tmp, (size_t)k);
    }
}

/* Look t[field] up raw (t at -1); leaves it pushed; returns its type. */
static int raw_field(lua_State *L, const char *field) {
    lua_pushstring(L, field);
    lua_rawget(L, -2);
    return lua_type(L, -1);
}

/* luaReplyToRedisReply: consumes the value at the top. */
static void lua_to_resp(lua_State *L, fk_luabuf *b, int resp) {
    int t = lua_type(L, -1);
    if (!lua_checkstack(L, 4)) {
        buf_addline(b, '-', "ERR reached lua stack limit", 27);
        lua_pop(L, 1);
        return;
    }
    switch (t) {
    case LUA_TSTRING: {
        size_t n;
        const char *s = lua_tolstring(L, -1, &n);
        buf_addbulk(b, s, n);
        break;
    }
    case LUA_TBOOLEAN:
        if (fk_script_resp == 2) {
            if (lua_toboolean(L, -1))
                buf_add(b, ":1\r\n", 4);
            else
                add_null(b, resp);
        } else if (resp == 3) {
            buf_add(b, lua_toboolean(L, -1) ? "#t\r\n" : "#f\r\n", 4);
        } else {
            buf_add(b, lua_toboolean(L, -1) ? ":1\r\n" : ":0\r\n", 4);
        }
        break;
    case LUA_TNUMBER:
        buf_addlen(b, ':', (long long)lua_tonumber(L, -1));
        break;
    case LUA_TTABLE: {
        if (raw_field(L, "err") == LUA_TSTRING) {
            size_t n;
            const char *s = lua_tolstring(L, -1, &n);
            while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == '\n')) n--;
            buf_addline(b, '-', s, n);
            lua_pop(L, 2);
            return;
        }
        lua_pop(L, 1);
        if (raw_field(L, "ok") == LUA_TSTRING) {
            const char *s = lua_tostring(L, -1); /* up to a NUL, as sdsnew */
            buf_addline(b, '+', s, strlen(s));
            lua_pop(L, 2);
            return;
        }
        lua_pop(L, 1);
        if (raw_field(L, "double") == LUA_TNUMBER) {
            add_double(b, lua_tonumber(L, -1), resp);
            lua_pop(L, 2);
            return;
        }
        lua_pop(L, 1);
        if (raw_field(L, "big_number") == LUA_TSTRING) {
            size_t n;
            const char *s = lua_tolstring(L, -1, &n);
            if (resp == 3) {
                buf_addline(b, '(', s, n);
            } else {
                char *tmp = malloc(n + 1);
                if (!tmp) abort();
                for (size_t i = 0; i < n; i++) tmp[i] = (s[i] == '\r' || s[i] == '\n') ? ' ' : s[i];
                buf_addbulk(b, tmp, n);
                free(tmp);
            }
            lua_pop(L, 2);
            return;
        }
        lua_pop(L, 1);
        if (raw_field(L, "verbatim_string") == LUA_TTABLE) {
            if (raw_field(L, "format") == LUA_TSTRING) {
                size_t fl;
                const char *fmt = lua_tolstring(L, -1, &fl);
                lua_pushstring(L, "string");
                lua_rawget(L, -3);
                if (lua_type(L, -1) == LUA_TSTRING) {
                    size_t n;
                    const char *s = lua_tolstring(L, -1, &n);
                    if (resp == 3) {
                        char f3[3] = {' ', ' ', ' '};
                        memcpy(f3, fmt, fl < 3 ? fl : 3);
                        buf_addlen(b, '=', (long long)n + 4);
                        buf_add(b, f3, 3);
                        buf_add(b, ":", 1);
                        buf_add(b, s, n);
                        buf_add(b, "\r\n", 2);
                    } else {
                        buf_addbulk(b, s, n);
                    }
                    lua_pop(L, 4);
                    return;
                }
                lua_pop(L, 1);
            }
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        if (raw_field(L, "map") == LUA_TTABLE) {
            long long n = 0;
            lua_pushnil(L);
            while (lua_next(L, -2)) { n++; lua_pop(L, 1); }
            buf_addlen(b, resp == 3 ? '%' : '*', resp == 3 ? n : n * 2);
            lua_pushnil(L);
            while (lua_next(L, -2)) {
                lua_pushvalue(L, -2);
                lua_to_resp(L, b, resp); /* key */
                lua_to_resp(L, b, resp); /* value */
            }
            lua_pop(L, 2);
            return;
        }
        lua_pop(L, 1);
        if (raw_field(L, "set") == LUA_TTABLE) {
            long long n = 0;
            lua_pushnil(L);
            while (lua_next(L, -2)) { n++; lua_pop(L, 1); }
            buf_addlen(b, resp == 3 ? '~' : '*', n);
            lua_pushnil(L);
            while (lua_next(L, -2)) {
                lua_pop(L, 1);
                lua_pushvalue(L, -1);
                lua_to_resp(L, b, resp);
            }
            lua_pop(L, 2);
            return;
        }
        lua_pop(L, 1);
        /* an array: up to the first nil */
        long long n = 0;
        for (;;) {
            lua_rawgeti(L, -1, (int)(n + 1));
            int nil = lua_isnil(L, -1);
            lua_pop(L, 1);
            if (nil) break;
            n++;
        }
        buf_addlen(b, '*', n);
        for (long long j = 1; j <= n; j++) {
            lua_rawgeti(L, -1, (int)j);
            lua_to_resp(L, b, resp);
        }
        break;
    }
    default:
        add_null(b, resp);
    }
    lua_pop(L, 1);
}

/* -------------------------------------------------------- the redis table */

static int redis_generic(lua_State *L, int raise) {
    if (!fk_script_running || fk_script_cb.call == NULL)
        return raise_error(L, "redis.call/pcall can only be called inside a script invocation");
    int iserr = fk_script_cb.call(L);
    if (iserr && raise) return lua_error(L);
    return 1;
}

static int redis_call(lua_State *L) { return redis_generic(L, 1); }
static int redis_pcall(lua_State *L) { return redis_generic(L, 0); }

/* Redis's pcall: an error table caught becomes its message string. */
static int fk_pcall(lua_State *L) {
    int argc = lua_gettop(L);
    lua_pushboolean(L, 1);
    lua_insert(L, 1);
    if (lua_pcall(L, argc - 1, LUA_MULTRET, 0)) {
        lua_remove(L, 1);
        if (lua_istable(L, -1)) {
            lua_getfield(L, -1, "err");
            if (lua_isstring(L, -1))
                lua_replace(L, -2);
            else
                lua_pop(L, 1);
        }
        lua_pushboolean(L, 0);
        lua_insert(L, 1);
    }
    return lua_gettop(L);
}

static int redis_sha1hex(lua_State *L) {
    char digest[41];
    size_t len;
    if (lua_gettop(L) != 1) return raise_error(L, "wrong number of arguments");
    const char *s = lua_tolstring(L, 1, &len);
    if (s == NULL) { s = ""; len = 0; }
    fk_sha1hex(digest, s, len);
    lua_pushlstring(L, digest, 40);
    return 1;
}

static int redis_error_reply(lua_State *L) {
    if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
        fk_script_push_error(L, "wrong number or type of arguments", 33, 0);
        return 1;
    }
    size_t n;
    const char *s = lua_tolstring(L, -1, &n);
    n = strlen(s); /* sds of a C string */
    if (n > 0 && s[0] == '-') {
        fk_script_push_error(L, s, n, 0);
    } else {
        char *tmp = malloc(n + 2);
        if (!tmp) abort();
        tmp[0] = '-';
        memcpy(tmp + 1, s, n);
        fk_script_push_error(L, tmp, n + 1, 0);
        free(tmp);
    }
    return 1;
}

static int redis_status_reply(lua_State *L) {
    if (lua_gettop(L) != 1 || lua_type(L, -1) != LUA_TSTRING) {
        fk_script_push_error(L, "wrong number or type of arguments", 33, 0);
        return 1;
    }
    lua_createtable(L, 0, 1);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "ok");
    return 1;
}

static int redis_log(lua_State *L) {
    int argc = lua_gettop(L);
    if (argc < 2) return raise_error(L, "redis.log() requires two arguments or more.");
    if (!lua_isnumber(L, -argc)) return raise_error(L, "First argument must be a number (log level).");
    int level = (int)lua_tonumber(L, -argc);
    if (level < 0 || level > 3) return raise_error(L, "Invalid debug level.");
    if (level < fk_script_verbosity) return 0;
    fk_luabuf b = {0};
    for (int j = 1; j < argc; j++) {
        size_t n;
        const char *s = lua_tolstring(L, (-argc) + j, &n);
        if (s) {
            if (j != 1) buf_add(&b, " ", 1);
            buf_add(&b, s, n);
        }
    }
    if (fk_script_cb.log) fk_script_cb.log(level, b.p ? b.p : "", b.len);
    fk_luabuf_free(&b);
    return 0;
}

static int redis_setresp(lua_State *L) {
    if (!fk_script_running) return raise_error(L, "redis.setresp can only be called inside a script invocation");
    if (lua_gettop(L) != 1) return raise_error(L, "redis.setresp() requires one argument.");
    int resp = (int)lua_tonumber(L, -1);
    if (resp != 2 && resp != 3) return raise_error(L, "RESP version must be 2 or 3.");
    fk_script_resp = resp;
    return 0;
}

static int redis_set_repl(lua_State *L) {
    if (!fk_script_running) return raise_error(L, "redis.set_repl can only be called inside a script invocation");
    if (lua_gettop(L) != 1) return raise_error(L, "redis.set_repl() requires two arguments.");
    int flags = (int)lua_tonumber(L, -1);
    if ((flags & ~3) != 0)
        return raise_error(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
    fk_script_repl = flags;
    return 0;
}

static int redis_acl_check_cmd(lua_State *L) {
    if (!fk_script_running) return raise_error(L, "redis.acl_check_cmd can only be called inside a script invocation");
    int argc = lua_gettop(L);
    if (argc == 0) return raise_error(L, "Please specify at least one argument for this redis lib call");
    for (int j = 1; j <= argc; j++) {
        if (lua_type(L, j) == LUA_TNUMBER) {
            char tmp[64];
            int k = snprintf(tmp, sizeof(tmp), "%.17g", (double)lua_tonumber(L, j));
            lua_pushlstring(L, tmp, (size_t)k);
            lua_replace(L, j);
        } else if (lua_type(L, j) != LUA_TSTRING) {
            return raise_error(L, "Lua redis lib command arguments must be strings or integers");
        }
    }
    int r = fk_script_cb.acl_check ? fk_script_cb.acl_check(L) : 1;
    if (r < 0) return raise_error(L, "Invalid command passed to redis.acl_check_cmd()");
    lua_pushboolean(L, r);
    return 1;
}

static int redis_replicate_commands(lua_State *L) {
    lua_pushboolean(L, 1);
    return 1;
}

static int redis_breakpoint(lua_State *L) {
    lua_pushboolean(L, 0);
    return 1;
}

static int redis_debug(lua_State *L) {
    (void)L;
    return 0;
}

/* ------------------------------------------------------------- protection */

static int ro_newindex(lua_State *L) {
    return luaL_error(L, "Attempt to modify a readonly table");
}

static int missing_global(lua_State *L) {
    if (lua_gettop(L) != 2) return luaL_error(L, "Wrong number of arguments to luaProtectedTableError");
    if (!lua_isstring(L, -1) && !lua_isnumber(L, -1))
        return luaL_error(L, "Second argument to luaProtectedTableError must be a string or number");
    const char *name = lua_tostring(L, -1);
    return luaL_error(L, "Script attempted to access nonexistent global variable '%s'", name);
}

/* The protection entry of the value at idx: pushes it (nil when the value
 * is not protected). */
static void prot_get(lua_State *L, int idx) {
    lua_pushvalue(L, idx);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref_prot);
    lua_insert(L, -2);
    lua_rawget(L, -2);
    lua_remove(L, -2);
}

/* raised inside the C function, as the patched VM does: no position */
static int ro_error_here(lua_State *L) {
    lua_pushstring(L, "Attempt to modify a readonly table");
    return lua_error(L);
}

/* rawset and setmetatable: refused on a protected table, else the original
 * (upvalue 1) */
static int fk_unless_protected(lua_State *L) {
    if (lua_type(L, 1) == LUA_TTABLE) {
        prot_get(L, 1);
        int p = !lua_isnil(L, -1);
        lua_pop(L, 1);
        if (p) return ro_error_here(L);
    }
    int argc = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, argc, LUA_MULTRET);
    return lua_gettop(L);
}

/* rawget/next: a proxy stands for its real table */
static int fk_see_through(lua_State *L) {
    int argc = lua_gettop(L);
    if (argc >= 1 && lua_type(L, 1) == LUA_TTABLE) {
        prot_get(L, 1);
        if (lua_istable(L, -1))
            lua_replace(L, 1);
        else
            lua_pop(L, 1);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, argc, LUA_MULTRET);
    return lua_gettop(L);
}

static int fk_pairs(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_pushvalue(L, lua_upvalueindex(1)); /* our next */
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* Redis's Lua refuses precompiled chunks: its loader always parses text,
 * so "\27Lua..." fails as text does ("unexpected symbol near 'char(27)'").
 * The original loadstring is upvalue 1; " \27" fails the same way on line 1
 * under the same chunk name. */
static int load_text(lua_State *L, const char *s, size_t n, int has_name, int name_idx, const char *defname) {
    lua_pushvalue(L, lua_upvalueindex(1));
    if (n > 0 && s[0] == 27)
        lua_pushlstring(L, " \033", 2); /* ESC */
    else
        lua_pushlstring(L, s, n);
    if (has_name)
        lua_pushvalue(L, name_idx);
    else if (defname)
        lua_pushstring(L, defname);
    else
        lua_pushlstring(L, s, n); /* loadstring's default name: the chunk */
    lua_call(L, 2, 2);
    return 2;
}

static int fk_loadstring(lua_State *L) {
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    lua_settop(L, 2);
    load_text(L, s, n, !lua_isnil(L, 2), 2, NULL);
    if (lua_isnil(L, -2)) return 2;
    lua_pop(L, 1);
    return 1;
}

static int fk_load(lua_State *L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    luaL_Buffer b;
    lua_settop(L, 2);
    int has_name = !lua_isnil(L, 2);
    luaL_buffinit(L, &b);
    for (;;) {
        lua_pushvalue(L, 1);
        lua_call(L, 0, 1);
        if (lua_isnil(L, -1)) { lua_pop(L, 1); break; }
        if (!lua_isstring(L, -1)) return luaL_error(L, "reader function must return a string");
        if (lua_objlen(L, -1) == 0) { lua_pop(L, 1); break; }
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    size_t n;
    const char *s = lua_tolstring(L, -1, &n);
    load_text(L, s, n, has_name, 2, "=(load)");
    if (lua_isnil(L, -2)) return 2;
    lua_pop(L, 1);
    return 1;
}

/* Make a read-only proxy of the table at the top (replaced by the proxy).
 * Nested tables are proxied too. */
static void make_proxy(lua_State *L, int gp_idx);

static void protect_fields(lua_State *L, int real_idx, int gp_idx) {
    /* collect the table-valued keys first: the table is modified after */
    lua_newtable(L);
    int keys = lua_gettop(L);
    int nk = 0;
    lua_pushnil(L);
    while (lua_next(L, real_idx)) {
        if (lua_type(L, -1) == LUA_TTABLE) {
            lua_pushvalue(L, -2);
            lua_rawseti(L, keys, ++nk);
        } else if (lua_type(L, -1) == LUA_TFUNCTION && lua_iscfunction(L, -1)) {
            lua_pushvalue(L, gp_idx);
            lua_setfenv(L, -2);
        }
        lua_pop(L, 1);
    }
    for (int i = 1; i <= nk; i++) {
        lua_rawgeti(L, keys, i);      /* key */
        lua_pushvalue(L, -1);
        lua_rawget(L, real_idx);      /* key, value */
        prot_get(L, -1);
        int seen = !lua_isnil(L, -1);
        lua_pop(L, 1);
        if (!seen) {
            make_proxy(L, gp_idx);    /* key, proxy */
            lua_rawset(L, real_idx);
        } else {
            lua_pop(L, 2);
        }
    }
    lua_pop(L, 1);
}

static void make_proxy(lua_State *L, int gp_idx) {
    int real = lua_gettop(L);
    lua_newtable(L); /* proxy */
    int proxy = real + 1;
    /* mark both: the proxy maps to its real table, the real one to true */
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref_prot);
    lua_pushvalue(L, proxy);
    lua_pushvalue(L, real);
    lua_rawset(L, -3);
    lua_pushvalue(L, real);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    protect_fields(L, real, gp_idx);
    lua_createtable(L, 0, 3);
    lua_pushvalue(L, real);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, ro_newindex);
    lua_pushvalue(L, gp_idx);
    lua_setfenv(L, -2);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, proxy);
    lua_replace(L, real);
}

static void load_lib(lua_State *L, const char *name, lua_CFunction f) {
    lua_pushcfunction(L, f);
    lua_pushstring(L, name);
    lua_call(L, 1, 0);
}

/* A library whose opener returns its table: it becomes the global `name`
 * (Redis builds cjson/cmsgpack with their global registration on). */
static void load_global_lib(lua_State *L, const char *name, lua_CFunction f) {
    lua_pushcfunction(L, f);
    lua_pushstring(L, name);
    lua_call(L, 1, 1);
    if (lua_istable(L, -1)) {
        lua_getfield(L, LUA_GLOBALSINDEX, name);
        int has = !lua_isnil(L, -1);
        lua_pop(L, 1);
        if (!has) {
            lua_pushvalue(L, -1);
            lua_setfield(L, LUA_GLOBALSINDEX, name);
        }
    }
    lua_pop(L, 1);
}

static void wrap_global(lua_State *L, const char *name, lua_CFunction f) {
    lua_getfield(L, LUA_GLOBALSINDEX, name);
    lua_pushcclosure(L, f, 1);
    lua_setfield(L, LUA_GLOBALSINDEX, name);
}

static const char *ERRH =
    "local dbg = debug\n"
    "local type, tostring = type, tostring\n"
    "return function(err)\n"
    "  local i = dbg.getinfo(2,'nSl')\n"
    "  if i and i.what == 'C' then\n"
    "    i = dbg.getinfo(3,'nSl')\n"
    "  end\n"
    "  if type(err) ~= 'table' then\n"
    "    err = {err='ERR ' .. tostring(err)}\n"
    "  end\n"
    "  if i then\n"
    "    err['source'] = i.source\n"
    "    err['line'] = i.currentline\n"
    "  end\n"
    "  return err\n"
    "end\n";

static void set_num(lua_State *L, const char *k, lua_Number v) {
    lua_pushnumber(L, v);
    lua_setfield(L, -2, k);
}

static void set_fn(lua_State *L, const char *k, lua_CFunction f) {
    lua_pushcfunction(L, f);
    lua_setfield(L, -2, k);
}

lua_State *fk_script_lua_create(void) {
    lua_State *L = luaL_newstate();
    if (L == NULL) return NULL;

    load_lib(L, "", luaopen_base);
    load_lib(L, "table", luaopen_table);
    load_lib(L, "string", luaopen_string);
    load_lib(L, "math", luaopen_math);
    load_lib(L, "debug", luaopen_debug);
    /* The libraries of Redis's deps/lua (their own files in csrc/lua/). */
    if (fk_luaopen_cjson) load_global_lib(L, "cjson", fk_luaopen_cjson);
    if (fk_luaopen_struct) load_global_lib(L, "struct", fk_luaopen_struct);
    if (fk_luaopen_cmsgpack) load_global_lib(L, "cmsgpack", fk_luaopen_cmsgpack);
    if (fk_luaopen_bit) load_global_lib(L, "bit", fk_luaopen_bit);
    lua_settop(L, 0);

    /* Not in Redis's sandbox. */
    lua_pushnil(L);
    lua_setfield(L, LUA_GLOBALSINDEX, "loadfile");
    lua_pushnil(L);
    lua_setfield(L, LUA_GLOBALSINDEX, "dofile");
    lua_pushnil(L);
    lua_setfield(L, LUA_GLOBALSINDEX, "print");
    /* removed by 7.0.15 too (CVE-2024-46981 hardening) */
    lua_pushnil(L);
    lua_setfield(L, LUA_GLOBALSINDEX, "getfenv");
    lua_pushnil(L);
    lua_setfield(L, LUA_GLOBALSINDEX, "setfenv");
    lua_pushnil(L);
    lua_setfield(L, LUA_GLOBALSINDEX, "newproxy");

    /* The registry references are the same numbers in every state made
     * here (same sequence of luaL_ref on a fresh registry): the EVAL state
     * and the functions' state share these statics.  Checked. */
    int old_prot = ref_prot, old_scripts = ref_scripts, old_flags = ref_flags;
    lua_newtable(L);
    ref_prot = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_newtable(L);
    ref_scripts = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_newtable(L);
    ref_flags = luaL_ref(L, LUA_REGISTRYINDEX);
    if ((old_prot != LUA_NOREF && old_prot != ref_prot) || (old_scripts != LUA_NOREF && old_scripts != ref_scripts)
        || (old_flags != LUA_NOREF && old_flags != ref_flags)) {
        lua_close(L);
        return NULL;
    }

    lua_pushcfunction(L, fk_pcall);
    lua_setfield(L, LUA_GLOBALSINDEX, "pcall");

    /* the redis table */
    lua_newtable(L);
    set_fn(L, "call", redis_call);
    set_fn(L, "pcall", redis_pcall);
    set_fn(L, "log", redis_log);
    set_num(L, "LOG_DEBUG", 0);
    set_num(L, "LOG_VERBOSE", 1);
    set_num(L, "LOG_NOTICE", 2);
    set_num(L, "LOG_WARNING", 3);
    set_num(L, "REDIS_VERSION_NUM", 0x07000f);
    lua_pushstring(L, "7.0.15");
    lua_setfield(L, -2, "REDIS_VERSION");
    set_fn(L, "setresp", redis_setresp);
    set_fn(L, "sha1hex", redis_sha1hex);
    set_fn(L, "error_reply", redis_error_reply);
    set_fn(L, "status_reply", redis_status_reply);
    set_fn(L, "set_repl", redis_set_repl);
    set_num(L, "REPL_NONE", 0);
    set_num(L, "REPL_AOF", 1);
    set_num(L, "REPL_SLAVE", 2);
    set_num(L, "REPL_REPLICA", 2);
    set_num(L, "REPL_ALL", 3);
    set_fn(L, "acl_check_cmd", redis_acl_check_cmd);
    set_fn(L, "breakpoint", redis_breakpoint);
    set_fn(L, "debug", redis_debug);
    set_fn(L, "replicate_commands", redis_replicate_commands);
    lua_setfield(L, LUA_GLOBALSINDEX, "redis");

    lua_getfield(L, LUA_GLOBALSINDEX, "math");
    set_fn(L, "random", redis_math_random);
    set_fn(L, "randomseed", redis_math_randomseed);
    lua_pop(L, 1);

    /* the message handler, with the debug library as an upvalue; then no
     * debug global */
    if (luaL_loadbuffer(L, ERRH, strlen(ERRH), "@err_handler_def") || lua_pcall(L, 0, 1, 0)) abort();
    int old_errh = ref_errh;
    ref_errh = luaL_ref(L, LUA_REGISTRYINDEX);
    if (old_errh != LUA_NOREF && old_errh != ref_errh) abort();
    lua_pushnil(L);
    lua_setfield(L, LUA_GLOBALSINDEX, "debug");

    /* see-through and refusing wrappers (before the proxies exist) */
    wrap_global(L, "rawset", fk_unless_protected);
    wrap_global(L, "rawget", fk_see_through);
    wrap_global(L, "next", fk_see_through);
    lua_getfield(L, LUA_GLOBALSINDEX, "next");
    lua_pushcclosure(L, fk_pairs, 1);
    lua_setfield(L, LUA_GLOBALSINDEX, "pairs");
    wrap_global(L, "setmetatable", fk_unless_protected);
    lua_getfield(L, LUA_GLOBALSINDEX, "loadstring");
    lua_pushvalue(L, -1);
    lua_pushcclosure(L, fk_loadstring, 1);
    lua_setfield(L, LUA_GLOBALSINDEX, "loadstring");
    lua_pushcclosure(L, fk_load, 1);
    lua_setfield(L, LUA_GLOBALSINDEX, "load");

    /* G and GP */
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    int g = lua_gettop(L);
    lua_pushvalue(L, g);
    int old_g = ref_g;
    ref_g = luaL_ref(L, LUA_REGISTRYINDEX);
    if (old_g != LUA_NOREF && old_g != ref_g) abort();
    lua_newtable(L);
    int gp = lua_gettop(L);

    lua_rawgeti(L, LUA_REGISTRYINDEX, ref_prot);
    lua_pushvalue(L, gp);
    lua_pushvalue(L, g);
    lua_rawset(L, -3);
    lua_pushvalue(L, g);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    lua_pop(L, 1);

    lua_pushvalue(L, gp);
    lua_setfield(L, g, "_G");
    protect_fields(L, g, gp);
    lua_pushvalue(L, gp);
    lua_setfield(L, g, "_G");

    /* the strings' metatable indexes the string proxy */
    lua_pushstring(L, "");
    if (lua_getmetatable(L, -1)) {
        lua_getfield(L, g, "string");
        lua_setfield(L, -2, "__index");
        lua_pop(L, 1);
    }
    lua_pop(L, 1);

    /* G: nonexistent globals are errors */
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, missing_global);
    lua_pushvalue(L, gp);
    lua_setfenv(L, -2);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, g);

    /* GP: reads fall to G, writes refused; its metatable is an empty
     * read-only table to whoever asks */
    lua_createtable(L, 0, 3);
    lua_pushvalue(L, g);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, ro_newindex);
    lua_pushvalue(L, gp);
    lua_setfenv(L, -2);
    lua_setfield(L, -2, "__newindex");
    lua_newtable(L);
    make_proxy(L, gp);
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, gp);

    /* scripts compiled from now on see GP as their globals */
    lua_pushvalue(L, gp);
    lua_replace(L, LUA_GLOBALSINDEX);
    lua_settop(L, 0);
    return L;
}

/* ---------------------------------------------------------------- scripts */

int fk_script_create(lua_State *L, const char *sha, const char *body, size_t len, long long flags,
                     char **err) {
    /* 7.0 compiles the body itself as the chunk (chunk name "@user_script") */
    *err = NULL;
    if (luaL_loadbuffer(L, body, len, "@user_script")) {
        const char *m = lua_tostring(L, -1);
        if (m == NULL) m = "unknown error";
        size_t ml = strlen(m);
        *err = malloc(ml + 1);
        if (!*err) abort();
        memcpy(*err, m, ml + 1);
        lua_pop(L, 1);
        return -1;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref_scripts);
    lua_pushlstring(L, sha, 40);
    lua_pushvalue(L, -3);
    lua_rawset(L, -3);
    lua_pop(L, 2);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref_flags);
    lua_pushlstring(L, sha, 40);
    lua_pushnumber(L, (lua_Number)flags);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    return 0;
}

long long fk_script_flags(lua_State *L, const char *sha) {
    long long f = -1;
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref_flags);
    lua_pushlstring(L, sha, 40);
    lua_rawget(L, -2);
    if (lua_type(L, -1) == LUA_TNUMBER) f = (long long)lua_tonumber(L, -1);
    lua_pop(L, 2);
    return f;
}

lua_State *fk_script_reset(lua_State *L) {
    lua_close(L);
    return fk_script_lua_create();
}

size_t fk_script_lua_memory(lua_State *L) {
    return (size_t)lua_gc(L, LUA_GCCOUNT, 0) * 1024 + (size_t)lua_gc(L, LUA_GCCOUNTB, 0);
}

static void count_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    if (fk_script_cb.interrupt && fk_script_cb.interrupt(L)) {
        /* every line from now on, so a pcall in the script can't swallow it */
        lua_sethook(L, count_hook, LUA_MASKLINE, 0);
        raise_error(L, "Script killed by user with SCRIPT KILL...");
    }
}

static void set_array(lua_State *L, int g, const char *name, int n, const char **v, const size_t *l) {
    lua_createtable(L, n, 0);
    for (int j = 0; j < n; j++) {
        lua_pushlstring(L, v[j], l[j]);
        lua_rawseti(L, -2, j + 1);
    }
    lua_pushstring(L, name);
    lua_insert(L, -2);
    lua_rawset(L, g);
}

/* The common runner: the function is at the top of the stack, under it
 * the message handler; `label` names it in error messages (the sha of an
 * EVAL script, the name of a function).  In function mode the KEYS and ARGV
 * tables are its two arguments; in EVAL mode they are globals. */
static int run_pushed(lua_State *L, const char *label, size_t labellen, int fmode, int nkeys,
                      const char **keys, const size_t *keylens, int nargs, const char **args,
                      const size_t *arglens, int caller_resp, int hook, fk_luabuf *out);

int fk_script_run(lua_State *L, const char *sha, int nkeys, const char **keys, const size_t *keylens,
                  int nargs, const char **args, const size_t *arglens, int caller_resp, int hook,
                  fk_luabuf *out) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref_errh);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref_scripts);
    lua_pushlstring(L, sha, 40);
    lua_rawget(L, -2);
    lua_remove(L, -2);
    if (!lua_isfunction(L, -1)) {
        lua_pop(L, 2);
        return -1;
    }
    return run_pushed(L, sha, 40, 0, nkeys, keys, keylens, nargs, args, arglens, caller_resp, hook, out);
}

static int run_pushed(lua_State *L, const char *label, size_t labellen, int fmode, int nkeys,
                      const char **keys, const size_t *keylens, int nargs, const char **args,
                      const size_t *arglens, int caller_resp, int hook, fk_luabuf *out) {
    int rc = 0;
    if (fmode) {
        lua_createtable(L, nkeys, 0);
        for (int j = 0; j < nkeys; j++) {
            lua_pushlstring(L, keys[j], keylens[j]);
            lua_rawseti(L, -2, j + 1);
        }
        lua_createtable(L, nargs, 0);
        for (int j = 0; j < nargs; j++) {
            lua_pushlstring(L, args[j], arglens[j]);
            lua_rawseti(L, -2, j + 1);
        }
    } else {
        lua_rawgeti(L, LUA_REGISTRYINDEX, ref_g);
        int g = lua_gettop(L);
        set_array(L, g, "KEYS", nkeys, keys, keylens);
        set_array(L, g, "ARGV", nargs, args, arglens);
        lua_pop(L, 1);
    }

    if (hook) lua_sethook(L, count_hook, LUA_MASKCOUNT, 100000);
    fk_script_running = 1;
    fk_script_resp = 2;
    fk_script_repl = 3;
    int err = fmode ? lua_pcall(L, 2, 1, -4) : lua_pcall(L, 0, 1, -2);
    fk_script_running = 0;
    if (hook) lua_sethook(L, NULL, 0, 0);

    if (++gc_count == 50) {
        lua_gc(L, LUA_GCSTEP, 50);
        gc_count = 0;
    }

    if (err) {
        if (!lua_istable(L, -1)) {
            const char *msg = lua_isstring(L, -1) ? lua_tostring(L, -1) : "execution failure";
            char tmp[256];
            int k = snprintf(tmp, sizeof(tmp), "ERR Error running script %.*s, %.100s", (int)(labellen > 64 ? 64 : labellen), label, msg);
            size_t n = (size_t)k < sizeof(tmp) ? (size_t)k : sizeof(tmp) - 1;
            while (n > 0 && (tmp[n - 1] == '\r' || tmp[n - 1] == '\n')) n--;
            buf_addline(out, '-', tmp, n);
            rc = 1;
        } else {
            fk_luabuf m = {0};
            size_t n;
            lua_getfield(L, -1, "err");
            const char *s = lua_isstring(L, -1) ? lua_tolstring(L, -1, &n) : NULL;
            if (s)
                buf_add(&m, s, strlen(s));
            else
                buf_add(&m, "ERR unknown error", 17);
            lua_pop(L, 1);
            lua_getfield(L, -1, "source");
            lua_getfield(L, -2, "line");
            if (lua_isstring(L, -1) && lua_isstring(L, -2)) {
                const char *src = lua_tostring(L, -2);
                const char *line = lua_tostring(L, -1);
                buf_add(&m, " script: ", 9);
                buf_add(&m, label, labellen);
                buf_add(&m, ", on ", 5);
                buf_add(&m, src, strlen(src));
                buf_add(&m, ":", 1);
                buf_add(&m, line, strlen(line));
                buf_add(&m, ".", 1);
            }
            lua_pop(L, 2);
            lua_getfield(L, -1, "ignore_error_stats_update");
            rc = (lua_isboolean(L, -1) && lua_toboolean(L, -1)) ? 2 : 1;
            lua_pop(L, 1);
            size_t ml = m.len;
            while (ml > 0 && (m.p[ml - 1] == '\r' || m.p[ml - 1] == '\n')) ml--;
            buf_addline(out, '-', m.p, ml);
            fk_luabuf_free(&m);
        }
        lua_pop(L, 1);
    } else {
        /* an error table returned (not raised) is an error reply too */
        if (lua_istable(L, -1)) {
            lua_pushstring(L, "err");
            lua_rawget(L, -2);
            if (lua_type(L, -1) == LUA_TSTRING) {
                lua_pop(L, 1);
                lua_getfield(L, -1, "ignore_error_stats_update");
                rc = (lua_isboolean(L, -1) && lua_toboolean(L, -1)) ? 2 : 1;
            }
            lua_pop(L, 1);
        }
        lua_to_resp(L, out, caller_resp);
    }
    lua_pop(L, 1); /* the message handler */
    return rc;
}

/* -------------------------------------------------------------- functions
 *
 * FUNCTION LOAD runs a library's code in its own Lua state (Redis 7.0
 * function_lua.c keeps functions apart from EVAL's state).  While loading,
 * the code's globals are the "library API" only: a read-only table holding
 * `redis` = {register_function, log, LOG_*, REDIS_VERSION(_NUM)}, every
 * other name an error.  register_function appends to the pending list; the
 * Cython side validates the library as a whole and commits it.
 */

static int ref_loadenv = LUA_NOREF;   /* the load-time environment proxy */
static int ref_pending = LUA_NOREF;   /* {name, fn, flags, desc} ... of the load */
static int ref_funcs = LUA_NOREF;     /* name -> function */
static int fk_loading = 0;

static const char *FN_FLAGS[] = {"no-writes", "allow-oom", "allow-stale", "no-cluster",
                                 "allow-cross-slot-keys", NULL};
static const long long FN_FLAG_BITS[] = {FK_SCRIPT_FLAG_NO_WRITES, FK_SCRIPT_FLAG_ALLOW_OOM,
                                         FK_SCRIPT_FLAG_ALLOW_STALE, FK_SCRIPT_FLAG_NO_CLUSTER,
                                         FK_SCRIPT_FLAG_ALLOW_CROSS_SLOT};

static int valid_name(const char *s, size_t n) {
    if (n == 0) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

static int fn_register(lua_State *L) {
    int argc = lua_gettop(L);
    int name_idx, fn_idx, flags_idx = 0, desc_idx = 0;
    if (!fk_loading) return raise_error(L, "redis.register_function can only be called on FUNCTION LOAD command");
    if (argc == 1) {
        if (!lua_istable(L, 1))
            return raise_error(L, "calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).");
        name_idx = fn_idx = 0;
        lua_pushnil(L);
        while (lua_next(L, 1)) {
            if (lua_type(L, -2) != LUA_TSTRING) return raise_error(L, "named argument key given to redis.register_function is not a string");
            const char *k = lua_tostring(L, -2);
            int slot = lua_gettop(L); /* the value */
            if (!strcmp(k, "function_name")) {
                if (!lua_isstring(L, -1)) return raise_error(L, "function_name argument given to redis.register_function must be a string");
                name_idx = slot;
            } else if (!strcmp(k, "description")) {
                if (!lua_isstring(L, -1)) return raise_error(L, "description argument given to redis.register_function must be a string");
                desc_idx = slot;
            } else if (!strcmp(k, "callback")) {
                if (!lua_isfunction(L, -1)) return raise_error(L, "callback argument given to redis.register_function must be a function");
                fn_idx = slot;
            } else if (!strcmp(k, "flags")) {
                if (!lua_istable(L, -1)) return raise_error(L, "flags argument to redis.register_function must be a table representing function flags");
                flags_idx = slot;
            } else {
                return raise_error(L, "unknown argument given to redis.register_function");
            }
            lua_pushvalue(L, -2); /* keep the value where it is, iterate on a copy of the key */
        }
        if (!name_idx) return raise_error(L, "redis.register_function must get a function name argument");
        if (!fn_idx) return raise_error(L, "redis.register_function must get a callback argument");
    } else if (argc == 2) {
        if (!lua_isstring(L, 1)) return raise_error(L, "first argument to redis.register_function must be a string");
        if (!lua_isfunction(L, 2)) return raise_error(L, "second argument to redis.register_function must be a function");
        name_idx = 1;
        fn_idx = 2;
    } else {
        return raise_error(L, "wrong number of arguments to redis.register_function");
    }
    long long flags = 0;
    if (flags_idx) {
        for (int i = 1;; i++) {
            lua_rawgeti(L, flags_idx, i);
            if (lua_isnil(L, -1)) { lua_pop(L, 1); break; }
            if (lua_type(L, -1) != LUA_TSTRING) return raise_error(L, "unknown flag given");
            const char *f = lua_tostring(L, -1);
            int j;
            for (j = 0; FN_FLAGS[j]; j++)
                if (!strcmp(f, FN_FLAGS[j])) break;
            if (!FN_FLAGS[j]) return raise_error(L, "unknown flag given");
            flags |= FN_FLAG_BITS[j];
            lua_pop(L, 1);
        }
    }
    size_t nl;
    lua_pushvalue(L, name_idx);
    lua_tolstring(L, -1, &nl); /* a number becomes its string (on the copy) */
    lua_replace(L, name_idx);
    const char *name = lua_tolstring(L, name_idx, &nl);
    if (!valid_name(name, nl))
        return raise_error(L, "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long");
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref_pending);
    int pend = lua_gettop(L);
    int n = (int)lua_objlen(L, pend);
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, pend, i);
        lua_rawgeti(L, -1, 1);
        int same = lua_rawequal(L, -1, name_idx);
        lua_pop(L, 2);
        if (same) return raise_error(L, "Function already exists in the library");
    }
    lua_createtable(L, 4, 0);
    lua_pushvalue(L, name_idx);
    lua_rawseti(L, -2, 1);
    lua_pushvalue(L, fn_idx);
    lua_rawseti(L, -2, 2);
    lua_pushnumber(L, (lua_Number)flags);
    lua_rawseti(L, -2, 3);
    if (desc_idx) {
        lua_pushvalue(L, desc_idx);
        lua_rawseti(L, -2, 4);
    }
    lua_rawseti(L, pend, n + 1);
    return 0;
}

/* make `real` (at the top) a read-only table whose missing names are errors;
 * replaced by its proxy */
static void ro_with_missing(lua_State *L, int gp) {
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, missing_global);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    make_proxy(L, gp);
}

lua_State *fk_function_lua_create(void) {
    lua_State *L = fk_script_lua_create();
    if (L == NULL) return NULL;
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    int gp = lua_gettop(L);
    /* the load-time API */
    lua_newtable(L); /* globals */
    lua_newtable(L); /* redis */
    set_fn(L, "register_function", fn_register);
    set_fn(L, "log", redis_log);
    set_num(L, "LOG_DEBUG", 0);
    set_num(L, "LOG_VERBOSE", 1);
    set_num(L, "LOG_NOTICE", 2);
    set_num(L, "LOG_WARNING", 3);
    set_num(L, "REDIS_VERSION_NUM", 0x07000f);
    lua_pushstring(L, "7.0.15");
    lua_setfield(L, -2, "REDIS_VERSION");
    ro_with_missing(L, gp);
    lua_setfield(L, -2, "redis");
    ro_with_missing(L, gp);
    ref_loadenv = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pop(L, 1);
    lua_newtable(L);
    ref_pending = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_newtable(L);
    ref_funcs = luaL_ref(L, LUA_REGISTRYINDEX);
    return L;
}

static void set_globals_index(lua_State *L, int ref) {
    lua_getmetatable(L, LUA_GLOBALSINDEX); /* raw: ignores __metatable */
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
}

/* the load's message handler: the error text as Redis reports it */
static int load_errh(lua_State *L) {
    if (lua_istable(L, 1)) {
        lua_getfield(L, 1, "err");
        if (lua_isstring(L, -1)) return 1;
        lua_pop(L, 1);
    }
    lua_pushstring(L, "ERR ");
    if (lua_isstring(L, 1))
        lua_pushvalue(L, 1);
    else
        lua_pushstring(L, lua_typename(L, lua_type(L, 1)));
    lua_concat(L, 2);
    return 1;
}

int fk_function_load(lua_State *L, const char *code, size_t len, fk_luabuf *err) {
    lua_newtable(L);
    lua_rawseti(L, LUA_REGISTRYINDEX, ref_pending);
    if (luaL_loadbuffer(L, code, len, "@user_function")) {
        const char *m = lua_tostring(L, -1);
        buf_add(err, "ERR Error compiling function: ", 30);
        if (m) buf_add(err, m, strlen(m));
        lua_pop(L, 1);
        return -1;
    }
    /* Like 7.0, the globals stay the same table; while loading they show
     * the library API instead of the runtime globals. */
    lua_pushcfunction(L, load_errh);
    lua_insert(L, -2);
    set_globals_index(L, ref_loadenv);
    fk_loading = 1;
    int e = lua_pcall(L, 0, 0, -2);
    fk_loading = 0;
    set_globals_index(L, ref_g);
    if (e) {
        const char *m = lua_tostring(L, -1);
        buf_add(err, "ERR Error registering functions: ", 33);
        if (m) buf_add(err, m, strlen(m));
        lua_pop(L, 2);
        return -1;
    }
    lua_pop(L, 1);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref_pending);
    int n = (int)lua_objlen(L, -1);
    lua_pop(L, 1);
    return n;
}

/* The i-th (1-based) function of the last load. */
int fk_function_pending(lua_State *L, int i, const char **name, size_t *nl, long long *flags,
                        const char **desc, size_t *dl) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref_pending);
    lua_rawgeti(L, -1, i);
    if (!lua_istable(L, -1)) {
        lua_pop(L, 2);
        return -1;
    }
    lua_rawgeti(L, -1, 1);
    *name = lua_tolstring(L, -1, nl); /* stays referenced by the pending table */
    lua_pop(L, 1);
    lua_rawgeti(L, -1, 3);
    *flags = (long long)lua_tonumber(L, -1);
    lua_pop(L, 1);
    lua_rawgeti(L, -1, 4);
    *desc = lua_isstring(L, -1) ? lua_tolstring(L, -1, dl) : NULL;
    if (*desc == NULL) *dl = 0;
    lua_pop(L, 3);
    return 0;
}

/* Install the i-th pending function under its name. */
void fk_function_commit(lua_State *L, int i) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref_funcs);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref_pending);
    lua_rawgeti(L, -1, i);
    lua_rawgeti(L, -1, 1);
    lua_rawgeti(L, -2, 2);
    lua_rawset(L, -5);
    lua_pop(L, 3);
}

void fk_function_remove(lua_State *L, const char *name, size_t n) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref_funcs);
    lua_pushlstring(L, name, n);
    lua_pushnil(L);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

void fk_function_clear_pending(lua_State *L) {
    lua_newtable(L);
    lua_rawseti(L, LUA_REGISTRYINDEX, ref_pending);
}

int fk_function_run(lua_State *L, const char *name, size_t n, int nkeys, const char **keys,
                    const size_t *keylens, int nargs, const char **args, const size_t *arglens,
                    int caller_resp, int hook, fk_luabuf *out) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref_errh);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref_funcs);
    lua_pushlstring(L, name, n);
    lua_rawget(L, -2);
    lua_remove(L, -2);
    if (!lua_isfunction(L, -1)) {
        lua_pop(L, 2);
        return -1;
    }
    return run_pushed(L, name, n, 1, nkeys, keys, keylens, nargs, args, arglens, caller_resp, hook, out);
}
