/* struct: pack/unpack/size of binary records, Redis 7.0's lua_struct.c
 * behaviour (Roberto Ierusalimschy's struct library, with Redis's fixes:
 * "integral size overflow", "offset must be 1 or greater", overflow-safe
 * "data string too short" checks, 'c0' needing a previous result).
 *
 * Formats: '>' big endian, '<' little endian, '![n]' alignment (default the
 * native max, 8), 'x' pad byte, b/B h/H l/L T i[n]/I[n] integers, f d
 * floats, c[n] fixed string (n==0: whole string when packing, previous
 * number when unpacking), s zero-terminated string, ' ' ignored.
 *
 * The double <-> integer conversions reproduce what redis-server's x86-64
 * build does, including the out-of-range cases C leaves undefined. */
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include "fk_lualibs.h"
#include "fk_luabuf.h"

#define ST_MAXINTSIZE 32
#define ST_MAXALIGN 8
#define ST_BIG 0
#define ST_LITTLE 1

typedef struct {
    int endian;
    int align;
} st_header;

static int st_native(void) {
    const uint16_t one = 1;
    return *(const unsigned char *)&one ? ST_LITTLE : ST_BIG;
}

/* (int64_t)v as cvttsd2si: out of range and NaN give INT64_MIN */
static int64_t st_d2i64(double v) {
    if (v >= -9223372036854775808.0 && v < 9223372036854775808.0) return (int64_t)v;
    return INT64_MIN;
}

/* (uint64_t)v as gcc emits it on x86-64 */
static uint64_t st_d2u64(double v) {
    if (v >= 9223372036854775808.0)
        return (uint64_t)st_d2i64(v - 9223372036854775808.0) ^ 0x8000000000000000ULL;
    return (uint64_t)st_d2i64(v);
}

static int st_getnum(lua_State *L, const char **fmt, int df) {
    int a = 0;
    if (!isdigit((unsigned char)**fmt)) return df;
    do {
        int d = **fmt - '0';
        if (a > INT_MAX / 10 || a * 10 > INT_MAX - d) luaL_error(L, "integral size overflow");
        a = a * 10 + d;
        (*fmt)++;
    } while (isdigit((unsigned char)**fmt));
    return a;
}

static size_t st_optsize(lua_State *L, int opt, const char **fmt) {
    switch (opt) {
    case 'B': case 'b': return 1;
    case 'H': case 'h': return sizeof(short);
    case 'L': case 'l': return sizeof(long);
    case 'T': return sizeof(size_t);
    case 'f': return sizeof(float);
    case 'd': return sizeof(double);
    case 'x': return 1;
    case 'c': return (size_t)st_getnum(L, fmt, 1);
    case 'i': case 'I': {
        int sz = st_getnum(L, fmt, sizeof(int));
        if (sz > ST_MAXINTSIZE)
            luaL_error(L, "integral size %d is larger than limit of %d", sz, ST_MAXINTSIZE);
        return (size_t)sz;
    }
    default: return 0;
    }
}

static size_t st_toalign(size_t len, const st_header *h, int opt, size_t size) {
    if (size == 0 || opt == 'c') return 0;
    if (size > (size_t)h->align) size = (size_t)h->align;
    return (size - (len & (size - 1))) & (size - 1);
}

static void st_control(lua_State *L, int opt, const char **fmt, st_header *h) {
    switch (opt) {
    case ' ': return;
    case '>': h->endian = ST_BIG; return;
    case '<': h->endian = ST_LITTLE; return;
    case '!': {
        int a = st_getnum(L, fmt, ST_MAXALIGN);
        if (!(a > 0 && (a & (a - 1)) == 0)) luaL_error(L, "alignment %d is not a power of 2", a);
        h->align = a;
        return;
    }
    default: {
        const char *msg = lua_pushfstring(L, "invalid format option '%c'", opt);
        luaL_argerror(L, 1, msg);
    }
    }
}

static void st_swap_if(char *b, int size, int endian) {
    if (endian != st_native()) {
        int i = 0;
        while (i < --size) {
            char t = b[i];
            b[i++] = b[size];
            b[size] = t;
        }
    }
}

static void st_putint(lua_State *L, fk_luabuf *B, int arg, int endian, int size) {
    lua_Number n = luaL_checknumber(L, arg);
    uint64_t v = n < 0 ? (uint64_t)st_d2i64(n) : st_d2u64(n);
    char out[ST_MAXINTSIZE];
    int i;
    if (endian == ST_LITTLE) {
        for (i = 0; i < size; i++) { out[i] = (char)(v & 0xff); v >>= 8; }
    } else {
        for (i = size - 1; i >= 0; i--) { out[i] = (char)(v & 0xff); v >>= 8; }
    }
    fk_luabuf_add(L, B, out, (size_t)size);
}

static int st_pack(lua_State *L) {
    const char *fmt = luaL_checkstring(L, 1);
    st_header h;
    int arg = 2;
    size_t total = 0;
    fk_luabuf *B;
    h.endian = st_native();
    h.align = 1;
    lua_pushnil(L); /* keep the buffer above the arguments */
    B = fk_luabuf_push(L);
    while (*fmt != '\0') {
        int opt = (unsigned char)*fmt++;
        size_t size = st_optsize(L, opt, &fmt);
        size_t pad = st_toalign(total, &h, opt, size);
        total += pad;
        while (pad-- > 0) fk_luabuf_addc(L, B, '\0');
        switch (opt) {
        case 'b': case 'B': case 'h': case 'H':
        case 'l': case 'L': case 'T': case 'i': case 'I':
            st_putint(L, B, arg++, h.endian, (int)size);
            break;
        case 'x':
            fk_luabuf_addc(L, B, '\0');
            break;
        case 'f': {
            float f = (float)luaL_checknumber(L, arg++);
            st_swap_if((char *)&f, (int)size, h.endian);
            fk_luabuf_add(L, B, &f, size);
            break;
        }
        case 'd': {
            double d = luaL_checknumber(L, arg++);
            st_swap_if((char *)&d, (int)size, h.endian);
            fk_luabuf_add(L, B, &d, size);
            break;
        }
        case 'c': case 's': {
            size_t l;
            const char *s = luaL_checklstring(L, arg++, &l);
            if (size == 0) size = l;
            luaL_argcheck(L, l >= size, arg, "string too short");
            fk_luabuf_add(L, B, s, size);
            if (opt == 's') {
                fk_luabuf_addc(L, B, '\0');
                size++;
            }
            break;
        }
        default:
            st_control(L, opt, &fmt, &h);
        }
        total += size;
    }
    lua_pushlstring(L, B->b ? B->b : "", B->len);
    fk_luabuf_free(B);
    return 1;
}

static lua_Number st_getint(const unsigned char *p, int endian, int issigned, int size) {
    uint64_t l = 0;
    int i;
    if (endian == ST_BIG) {
        for (i = 0; i < size; i++) l = (l << 8) | p[i];
    } else {
        for (i = size - 1; i >= 0; i--) l = (l << 8) | p[i];
    }
    if (!issigned) return (lua_Number)l;
    {
        /* the original shifts by size*8-1, which x86 takes modulo 64 */
        uint64_t mask = ~(uint64_t)0 << ((size * 8 - 1) & 63);
        if (l & mask) l |= mask;
        return (lua_Number)(int64_t)l;
    }
}

/* (size_t) of a Lua number as the x86-64 build converts it */
static size_t st_d2size(double v) { return (size_t)st_d2u64(v); }

static int st_unpack(lua_State *L) {
    st_header h;
    const char *fmt = luaL_checkstring(L, 1);
    size_t ld;
    const char *data = luaL_checklstring(L, 2, &ld);
    size_t pos = (size_t)luaL_optinteger(L, 3, 1);
    int n = 0;
    luaL_argcheck(L, pos > 0, 3, "offset must be 1 or greater");
    pos--;
    h.endian = st_native();
    h.align = 1;
    while (*fmt) {
        int opt = (unsigned char)*fmt++;
        size_t size = st_optsize(L, opt, &fmt);
        pos += st_toalign(pos, &h, opt, size);
        luaL_argcheck(L, size <= ld && pos <= ld - size, 2, "data string too short");
        luaL_checkstack(L, 2, "too many results");
        switch (opt) {
        case 'b': case 'B': case 'h': case 'H':
        case 'l': case 'L': case 'T': case 'i': case 'I':
            lua_pushnumber(L, st_getint((const unsigned char *)data + pos, h.endian,
                                        islower(opt), (int)size));
            n++;
            break;
        case 'x':
            break;
        case 'f': {
            float f;
            memcpy(&f, data + pos, size);
            st_swap_if((char *)&f, (int)sizeof(f), h.endian);
            lua_pushnumber(L, f);
            n++;
            break;
        }
        case 'd': {
            double d;
            memcpy(&d, data + pos, size);
            st_swap_if((char *)&d, (int)sizeof(d), h.endian);
            lua_pushnumber(L, d);
            n++;
            break;
        }
        case 'c':
            if (size == 0) {
                if (n == 0 || !lua_isnumber(L, -1)) luaL_error(L, "format 'c0' needs a previous size");
                size = st_d2size(lua_tonumber(L, -1));
                lua_pop(L, 1);
                n--;
                luaL_argcheck(L, size <= ld && pos <= ld - size, 2, "data string too short");
            }
            lua_pushlstring(L, data + pos, size);
            n++;
            break;
        case 's': {
            const char *e = (const char *)memchr(data + pos, '\0', ld - pos);
            if (e == NULL) luaL_error(L, "unfinished string in data");
            size = (size_t)(e - (data + pos)) + 1;
            lua_pushlstring(L, data + pos, size - 1);
            n++;
            break;
        }
        default:
            st_control(L, opt, &fmt, &h);
        }
        pos += size;
    }
    lua_pushinteger(L, (lua_Integer)(pos + 1));
    return n + 1;
}

static int st_size(lua_State *L) {
    st_header h;
    const char *fmt = luaL_checkstring(L, 1);
    size_t pos = 0;
    h.endian = st_native();
    h.align = 1;
    while (*fmt) {
        int opt = (unsigned char)*fmt++;
        size_t size = st_optsize(L, opt, &fmt);
        pos += st_toalign(pos, &h, opt, size);
        if (opt == 's')
            luaL_argerror(L, 1, "option 's' has no fixed size");
        else if (opt == 'c' && size == 0)
            luaL_argerror(L, 1, "option 'c0' has no fixed size");
        if (!isalnum(opt)) st_control(L, opt, &fmt, &h);
        pos += size;
    }
    lua_pushinteger(L, (lua_Integer)pos);
    return 1;
}

int fk_luaopen_struct(lua_State *L) {
    lua_createtable(L, 0, 3);
    lua_pushcfunction(L, st_pack);
    lua_setfield(L, -2, "pack");
    lua_pushcfunction(L, st_unpack);
    lua_setfield(L, -2, "unpack");
    lua_pushcfunction(L, st_size);
    lua_setfield(L, -2, "size");
    return 1;
}
