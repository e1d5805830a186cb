/* cjson: JSON for Lua with the behaviour of the lua-cjson 2.1.0 that Redis
 * 7.0 bundles (cjson.encode/decode, encode_sparse_array, encode_max_depth,
 * decode_max_depth, encode_number_precision, encode_keep_buffer,
 * encode_invalid_numbers, decode_invalid_numbers, new, null, _NAME,
 * _VERSION), the same output bytes and the same error texts.
 *
 * Settings live in a userdata shared as upvalue 1 by the module's
 * functions (cjson.new() makes an independent one).  Buffers come from the
 * Lua allocator and are owned by userdata, so errors raised mid-way leak
 * nothing.  Nesting is bounded by the depth settings and by
 * lua_checkstack, numbers print with "%.<precision>g" (14 by default). */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "fk_lualibs.h"
#include "fk_luabuf.h"

enum {
    T_OBJ_BEGIN, T_OBJ_END, T_ARR_BEGIN, T_ARR_END, T_STRING, T_NUMBER, T_BOOLEAN,
    T_NULL, T_COLON, T_COMMA, T_END, T_WHITESPACE, T_ERROR, T_UNKNOWN
};

static const char *const tok_names[] = {
    "T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END", "T_STRING", "T_NUMBER",
    "T_BOOLEAN", "T_NULL", "T_COLON", "T_COMMA", "T_END", "T_WHITESPACE", "T_ERROR",
    "T_UNKNOWN",
};

#define CJ_MAGIC 0x636a736f6e636667ULL /* "cjsoncfg" */

typedef struct {
    unsigned long long magic; /* the upvalue really is our settings */
    unsigned char ch2token[256];
    char escape2char[256];
    fk_luabuf encode_buf; /* kept between calls when encode_keep_buffer */
    fk_luabuf private_buf; /* encode buffer when !encode_keep_buffer */
    fk_luabuf decode_buf; /* decoded-string scratch */
    int encode_sparse_convert;
    int encode_sparse_ratio;
    int encode_sparse_safe;
    int encode_max_depth;
    int encode_invalid_numbers; /* 0 refuse, 1 allow, 2 as null */
    int encode_number_precision;
    int encode_keep_buffer;
    int decode_invalid_numbers;
    int decode_max_depth;
} cj_cfg;

/* ---------------------------------------------------------- settings */

static cj_cfg *cj_config(lua_State *L) {
    cj_cfg *cfg = (cj_cfg *)lua_touserdata(L, lua_upvalueindex(1));
    if (!cfg || lua_type(L, lua_upvalueindex(1)) != LUA_TUSERDATA ||
        lua_objlen(L, lua_upvalueindex(1)) != sizeof(cj_cfg) || cfg->magic != CJ_MAGIC)
        luaL_error(L, "BUG: Unable to fetch CJSON configuration");
    return cfg;
}

static cj_cfg *cj_arg_init(lua_State *L, int args) {
    luaL_argcheck(L, lua_gettop(L) <= args, args + 1, "found too many arguments");
    while (lua_gettop(L) < args) lua_pushnil(L);
    return cj_config(L);
}

static int cj_int_option(lua_State *L, int idx, int *setting, int min, int max) {
    if (!lua_isnil(L, idx)) {
        char msg[64];
        int v = (int)luaL_checkinteger(L, idx);
        snprintf(msg, sizeof(msg), "expected integer between %d and %d", min, max);
        luaL_argcheck(L, min <= v && v <= max, 1, msg); /* sic: always #1 */
        *setting = v;
    }
    lua_pushinteger(L, *setting);
    return 1;
}

static int cj_enum_option(lua_State *L, int idx, int *setting, const char *const *options,
                          int bool_true) {
    static const char *const bool_options[] = {"off", "on", NULL};
    if (!options) {
        options = bool_options;
        bool_true = 1;
    }
    if (!lua_isnil(L, idx)) {
        if (bool_true && lua_isboolean(L, idx))
            *setting = lua_toboolean(L, idx) * bool_true;
        else
            *setting = luaL_checkoption(L, idx, NULL, options);
    }
    if (bool_true && (*setting == 0 || *setting == bool_true))
        lua_pushboolean(L, *setting);
    else
        lua_pushstring(L, options[*setting]);
    return 1;
}

static int cj_cfg_encode_sparse_array(lua_State *L) {
    cj_cfg *cfg = cj_arg_init(L, 3);
    cj_enum_option(L, 1, &cfg->encode_sparse_convert, NULL, 1);
    cj_int_option(L, 2, &cfg->encode_sparse_ratio, 0, INT_MAX);
    cj_int_option(L, 3, &cfg->encode_sparse_safe, 0, INT_MAX);
    return 3;
}

static int cj_cfg_encode_max_depth(lua_State *L) {
    cj_cfg *cfg = cj_arg_init(L, 1);
    return cj_int_option(L, 1, &cfg->encode_max_depth, 1, INT_MAX);
}

static int cj_cfg_decode_max_depth(lua_State *L) {
    cj_cfg *cfg = cj_arg_init(L, 1);
    return cj_int_option(L, 1, &cfg->decode_max_depth, 1, INT_MAX);
}

static int cj_cfg_encode_number_precision(lua_State *L) {
    cj_cfg *cfg = cj_arg_init(L, 1);
    return cj_int_option(L, 1, &cfg->encode_number_precision, 1, 14);
}

static int cj_cfg_encode_keep_buffer(lua_State *L) {
    cj_cfg *cfg = cj_arg_init(L, 1);
    int old = cfg->encode_keep_buffer;
    cj_enum_option(L, 1, &cfg->encode_keep_buffer, NULL, 1);
    if (old != cfg->encode_keep_buffer && !cfg->encode_keep_buffer) fk_luabuf_free(&cfg->encode_buf);
    return 1;
}

static int cj_cfg_encode_invalid_numbers(lua_State *L) {
    static const char *const options[] = {"off", "on", "null", NULL};
    cj_cfg *cfg = cj_arg_init(L, 1);
    return cj_enum_option(L, 1, &cfg->encode_invalid_numbers, options, 1);
}

static int cj_cfg_decode_invalid_numbers(lua_State *L) {
    cj_cfg *cfg = cj_arg_init(L, 1);
    return cj_enum_option(L, 1, &cfg->decode_invalid_numbers, NULL, 1);
}

static int cj_cfg_gc(lua_State *L) {
    cj_cfg *cfg = (cj_cfg *)lua_touserdata(L, 1);
    if (cfg && lua_type(L, 1) == LUA_TUSERDATA && lua_objlen(L, 1) == sizeof(cj_cfg) &&
        cfg->magic == CJ_MAGIC) {
        fk_luabuf_free(&cfg->encode_buf);
        fk_luabuf_free(&cfg->private_buf);
        fk_luabuf_free(&cfg->decode_buf);
    }
    return 0;
}

static void cj_create_config(lua_State *L) {
    cj_cfg *cfg = (cj_cfg *)lua_newuserdata(L, sizeof(*cfg));
    int i;
    memset(cfg, 0, sizeof(*cfg));
    cfg->magic = CJ_MAGIC;
    lua_newtable(L);
    lua_pushcfunction(L, cj_cfg_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);

    fk_luabuf_init(L, &cfg->encode_buf);
    fk_luabuf_init(L, &cfg->private_buf);
    fk_luabuf_init(L, &cfg->decode_buf);
    cfg->encode_sparse_convert = 0;
    cfg->encode_sparse_ratio = 2;
    cfg->encode_sparse_safe = 10;
    cfg->encode_max_depth = 1000;
    cfg->decode_max_depth = 1000;
    cfg->encode_invalid_numbers = 0;
    cfg->decode_invalid_numbers = 1;
    cfg->encode_keep_buffer = 1;
    cfg->encode_number_precision = 14;

    for (i = 0; i < 256; i++) cfg->ch2token[i] = T_ERROR;
    cfg->ch2token['{'] = T_OBJ_BEGIN;
    cfg->ch2token['}'] = T_OBJ_END;
    cfg->ch2token['['] = T_ARR_BEGIN;
    cfg->ch2token[']'] = T_ARR_END;
    cfg->ch2token[','] = T_COMMA;
    cfg->ch2token[':'] = T_COLON;
    cfg->ch2token['\0'] = T_END;
    cfg->ch2token[' '] = T_WHITESPACE;
    cfg->ch2token['\t'] = T_WHITESPACE;
    cfg->ch2token['\n'] = T_WHITESPACE;
    cfg->ch2token['\r'] = T_WHITESPACE;
    /* need a closer look */
    cfg->ch2token['f'] = T_UNKNOWN;
    cfg->ch2token['i'] = T_UNKNOWN;
    cfg->ch2token['I'] = T_UNKNOWN;
    cfg->ch2token['n'] = T_UNKNOWN;
    cfg->ch2token['N'] = T_UNKNOWN;
    cfg->ch2token['t'] = T_UNKNOWN;
    cfg->ch2token['"'] = T_UNKNOWN;
    cfg->ch2token['+'] = T_UNKNOWN;
    cfg->ch2token['-'] = T_UNKNOWN;
    for (i = 0; i < 10; i++) cfg->ch2token['0' + i] = T_UNKNOWN;

    cfg->escape2char['"'] = '"';
    cfg->escape2char['\\'] = '\\';
    cfg->escape2char['/'] = '/';
    cfg->escape2char['b'] = '\b';
    cfg->escape2char['t'] = '\t';
    cfg->escape2char['n'] = '\n';
    cfg->escape2char['f'] = '\f';
    cfg->escape2char['r'] = '\r';
    cfg->escape2char['u'] = 'u';
}

/* ---------------------------------------------------------- encoding */

/* escapes of the bytes that need one: control characters, '"', '\\',
 * '/' and DEL (other bytes, UTF-8 included, pass through) */
static const char *cj_escape(unsigned char c, char tmp[8]) {
    switch (c) {
    case '\b': return "\\b";
    case '\t': return "\\t";
    case '\n': return "\\n";
    case '\f': return "\\f";
    case '\r': return "\\r";
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '/': return "\\/";
    default:
        if (c < 0x20 || c == 0x7f) {
            snprintf(tmp, 8, "\\u%04x", c);
            return tmp;
        }
        return NULL;
    }
}

static void cj_encode_error(lua_State *L, cj_cfg *cfg, fk_luabuf *json, int idx, const char *reason) {
    if (!cfg->encode_keep_buffer) fk_luabuf_free(json);
    luaL_error(L, "Cannot serialise %s: %s", lua_typename(L, lua_type(L, idx)), reason);
}

static void cj_append_string(lua_State *L, fk_luabuf *json, int idx) {
    size_t len, i;
    const char *s = lua_tolstring(L, idx, &len);
    char tmp[8];
    if (len > (((size_t)-1) / 8)) luaL_error(L, "not enough memory");
    fk_luabuf_reserve(L, json, len * 6 + 2);
    json->b[json->len++] = '"';
    for (i = 0; i < len; i++) {
        const char *e = cj_escape((unsigned char)s[i], tmp);
        if (e) {
            size_t el = strlen(e);
            memcpy(json->b + json->len, e, el);
            json->len += el;
        } else {
            json->b[json->len++] = s[i];
        }
    }
    json->b[json->len++] = '"';
}

/* (int)k as x86-64 converts out-of-range doubles */
static int cj_d2int(double k) {
    if (k >= -2147483648.0 && k < 2147483648.0) return (int)k;
    return INT_MIN;
}

/* Array length of the table on top: -1 when it is not an array (or an
 * excessively sparse one converted to an object), else the max index. */
static int cj_array_length(lua_State *L, cj_cfg *cfg, fk_luabuf *json) {
    double k;
    int max = 0, items = 0;
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        if (lua_type(L, -2) == LUA_TNUMBER && (k = lua_tonumber(L, -2)) != 0) {
            if (floor(k) == k && k >= 1) {
                if (k > max) max = cj_d2int(k);
                items++;
                lua_pop(L, 1);
                continue;
            }
        }
        lua_pop(L, 2);
        return -1;
    }
    if (cfg->encode_sparse_ratio > 0 &&
        max > (int)((unsigned)items * (unsigned)cfg->encode_sparse_ratio) &&
        max > cfg->encode_sparse_safe) {
        if (!cfg->encode_sparse_convert) cj_encode_error(L, cfg, json, -1, "excessively sparse array");
        return -1;
    }
    return max;
}

static void cj_check_depth(lua_State *L, cj_cfg *cfg, int depth, fk_luabuf *json) {
    if (depth <= cfg->encode_max_depth && lua_checkstack(L, 3)) return;
    if (!cfg->encode_keep_buffer) fk_luabuf_free(json);
    luaL_error(L, "Cannot serialise, excessive nesting (%d)", depth);
}

static void cj_append_data(lua_State *L, cj_cfg *cfg, int depth, fk_luabuf *json);

static void cj_append_number(lua_State *L, cj_cfg *cfg, fk_luabuf *json, int idx) {
    double num = lua_tonumber(L, idx);
    int len;
    if (cfg->encode_invalid_numbers == 0) {
        if (isinf(num) || isnan(num)) cj_encode_error(L, cfg, json, idx, "must not be NaN or Inf");
    } else if (cfg->encode_invalid_numbers == 1) {
        if (isnan(num)) {
            fk_luabuf_add(L, json, "nan", 3);
            return;
        }
    } else {
        if (isinf(num) || isnan(num)) {
            fk_luabuf_add(L, json, "null", 4);
            return;
        }
    }
    fk_luabuf_reserve(L, json, 32);
    len = snprintf(json->b + json->len, 32, "%.*g", cfg->encode_number_precision, num);
    if (len > 0 && len < 32) json->len += (size_t)len;
}

static void cj_append_array(lua_State *L, cj_cfg *cfg, int depth, fk_luabuf *json, int n) {
    int i;
    fk_luabuf_addc(L, json, '[');
    for (i = 1; i <= n; i++) {
        if (i > 1) fk_luabuf_addc(L, json, ',');
        lua_rawgeti(L, -1, i);
        cj_append_data(L, cfg, depth, json);
        lua_pop(L, 1);
    }
    fk_luabuf_addc(L, json, ']');
}

static void cj_append_object(lua_State *L, cj_cfg *cfg, int depth, fk_luabuf *json) {
    int comma = 0, kt;
    fk_luabuf_addc(L, json, '{');
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        if (comma)
            fk_luabuf_addc(L, json, ',');
        else
            comma = 1;
        kt = lua_type(L, -2);
        if (kt == LUA_TNUMBER) {
            fk_luabuf_addc(L, json, '"');
            cj_append_number(L, cfg, json, -2);
            fk_luabuf_add(L, json, "\":", 2);
        } else if (kt == LUA_TSTRING) {
            cj_append_string(L, json, -2);
            fk_luabuf_addc(L, json, ':');
        } else {
            cj_encode_error(L, cfg, json, -2, "table key must be a number or string");
        }
        cj_append_data(L, cfg, depth, json);
        lua_pop(L, 1);
    }
    fk_luabuf_addc(L, json, '}');
}

static void cj_append_data(lua_State *L, cj_cfg *cfg, int depth, fk_luabuf *json) {
    int len;
    switch (lua_type(L, -1)) {
    case LUA_TSTRING:
        cj_append_string(L, json, -1);
        break;
    case LUA_TNUMBER:
        cj_append_number(L, cfg, json, -1);
        break;
    case LUA_TBOOLEAN:
        if (lua_toboolean(L, -1))
            fk_luabuf_add(L, json, "true", 4);
        else
            fk_luabuf_add(L, json, "false", 5);
        break;
    case LUA_TTABLE:
        depth++;
        cj_check_depth(L, cfg, depth, json);
        len = cj_array_length(L, cfg, json);
        if (len > 0)
            cj_append_array(L, cfg, depth, json, len);
        else
            cj_append_object(L, cfg, depth, json);
        break;
    case LUA_TNIL:
        fk_luabuf_add(L, json, "null", 4);
        break;
    case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L, -1) == NULL) {
            fk_luabuf_add(L, json, "null", 4);
            break;
        }
        /* fall through */
    default:
        cj_encode_error(L, cfg, json, -1, "type not supported");
    }
}

static int cj_encode(lua_State *L) {
    cj_cfg *cfg = cj_config(L);
    fk_luabuf *json;
    luaL_argcheck(L, lua_gettop(L) == 1, 1, "expected 1 argument");
    /* Buffers are owned by the settings userdata (not on the Lua stack,
     * whose depth limits nesting exactly as in Redis): an error raised
     * half-way leaves nothing behind but that buffer, reused next time. */
    json = cfg->encode_keep_buffer ? &cfg->encode_buf : &cfg->private_buf;
    json->len = 0;
    cj_append_data(L, cfg, 0, json);
    lua_pushlstring(L, json->b ? json->b : "", json->len);
    if (!cfg->encode_keep_buffer) fk_luabuf_free(json);
    return 1;
}

/* ---------------------------------------------------------- decoding */

typedef struct {
    const char *data;
    const char *ptr;
    char *tmp;      /* decoded string scratch, as long as the input */
    size_t tmplen;
    cj_cfg *cfg;
    int depth;
} cj_parse;

typedef struct {
    int type;
    int index;
    union {
        const char *string;
        double number;
        int boolean;
    } value;
    int string_len;
} cj_token;

static void cj_process_value(lua_State *L, cj_parse *json, cj_token *tok);

static int cj_hexval(char h) {
    if (h >= '0' && h <= '9') return h - '0';
    h |= 0x20;
    if (h >= 'a' && h <= 'f') return 10 + h - 'a';
    return -1;
}

/* 4 hex digits (stops at the first non-digit, the NUL end included) */
static int cj_hex4(const char *p) {
    int v = 0, i;
    for (i = 0; i < 4; i++) {
        int d = cj_hexval(p[i]);
        if (d < 0) return -1;
        v = (v << 4) | d;
    }
    return v;
}

static int cj_utf8(char *out, int cp) {
    if (cp <= 0x7F) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp <= 0x7FF) {
        out[0] = (char)((cp >> 6) | 0xC0);
        out[1] = (char)((cp & 0x3F) | 0x80);
        return 2;
    }
    if (cp <= 0xFFFF) {
        out[0] = (char)((cp >> 12) | 0xE0);
        out[1] = (char)(((cp >> 6) & 0x3F) | 0x80);
        out[2] = (char)((cp & 0x3F) | 0x80);
        return 3;
    }
    if (cp <= 0x1FFFFF) {
        out[0] = (char)((cp >> 18) | 0xF0);
        out[1] = (char)(((cp >> 12) & 0x3F) | 0x80);
        out[2] = (char)(((cp >> 6) & 0x3F) | 0x80);
        out[3] = (char)((cp & 0x3F) | 0x80);
        return 4;
    }
    return 0;
}

/* json->ptr at "\u": decode one escape (or a surrogate pair) into tmp */
static int cj_unicode_escape(cj_parse *json) {
    char utf8[4];
    int cp, low, len, esc = 6;
    cp = cj_hex4(json->ptr + 2);
    if (cp < 0) return -1;
    if ((cp & 0xF800) == 0xD800) {
        if (cp & 0x400) return -1; /* a low surrogate first */
        if (json->ptr[esc] != '\\' || json->ptr[esc + 1] != 'u') return -1;
        low = cj_hex4(json->ptr + esc + 2);
        if (low < 0) return -1;
        if ((low & 0xFC00) != 0xDC00) return -1;
        cp = (((cp & 0x3FF) << 10) | (low & 0x3FF)) + 0x10000;
        esc = 12;
    }
    len = cj_utf8(utf8, cp);
    if (!len) return -1;
    memcpy(json->tmp + json->tmplen, utf8, (size_t)len);
    json->tmplen += (size_t)len;
    json->ptr += esc;
    return 0;
}

static void cj_token_error(cj_token *tok, cj_parse *json, const char *what) {
    tok->type = T_ERROR;
    tok->index = (int)(json->ptr - json->data);
    tok->value.string = what;
}

static void cj_string_token(cj_parse *json, cj_token *tok) {
    const char *e2c = json->cfg->escape2char;
    char ch;
    json->ptr++; /* the opening quote */
    json->tmplen = 0;
    while ((ch = *json->ptr) != '"') {
        if (!ch) {
            cj_token_error(tok, json, "unexpected end of string");
            return;
        }
        if (ch == '\\') {
            ch = e2c[(unsigned char)json->ptr[1]];
            if (ch == 'u') {
                if (cj_unicode_escape(json) == 0) continue;
                cj_token_error(tok, json, "invalid unicode escape code");
                return;
            }
            if (!ch) {
                cj_token_error(tok, json, "invalid escape code");
                return;
            }
            json->ptr++;
        }
        json->tmp[json->tmplen++] = ch;
        json->ptr++;
    }
    json->ptr++; /* the closing quote */
    json->tmp[json->tmplen] = '\0';
    tok->type = T_STRING;
    tok->value.string = json->tmp;
    tok->string_len = (int)json->tmplen;
}

/* Numbers strict JSON refuses but strtod would take: leading '+', hex,
 * leading zeros, inf, nan. */
static int cj_invalid_number(const cj_parse *json) {
    const char *p = json->ptr;
    if (*p == '+') return 1;
    if (*p == '-') p++;
    if (*p == '0') {
        int c2 = p[1];
        if ((c2 | 0x20) == 'x' || (c2 >= '0' && c2 <= '9')) return 1;
        return 0;
    } else if (*p <= '9') {
        return 0;
    }
    if (!strncasecmp(p, "inf", 3)) return 1;
    if (!strncasecmp(p, "nan", 3)) return 1;
    return 0;
}

static void cj_number_token(cj_parse *json, cj_token *tok) {
    char *end;
    tok->type = T_NUMBER;
    tok->value.number = strtod(json->ptr, &end);
    if (end == json->ptr)
        cj_token_error(tok, json, "invalid number");
    else
        json->ptr = end;
}

static void cj_next_token(cj_parse *json, cj_token *tok) {
    const unsigned char *c2t = json->cfg->ch2token;
    int ch;
    for (;;) {
        ch = (unsigned char)*json->ptr;
        tok->type = c2t[ch];
        if (tok->type != T_WHITESPACE) break;
        json->ptr++;
    }
    tok->index = (int)(json->ptr - json->data);
    if (tok->type == T_ERROR) {
        cj_token_error(tok, json, "invalid token");
        return;
    }
    if (tok->type == T_END) return;
    if (tok->type != T_UNKNOWN) {
        json->ptr++;
        return;
    }
    if (ch == '"') {
        cj_string_token(json, tok);
    } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
        if (!json->cfg->decode_invalid_numbers && cj_invalid_number(json)) {
            cj_token_error(tok, json, "invalid number");
            return;
        }
        cj_number_token(json, tok);
    } else if (!strncmp(json->ptr, "true", 4)) {
        tok->type = T_BOOLEAN;
        tok->value.boolean = 1;
        json->ptr += 4;
    } else if (!strncmp(json->ptr, "false", 5)) {
        tok->type = T_BOOLEAN;
        tok->value.boolean = 0;
        json->ptr += 5;
    } else if (!strncmp(json->ptr, "null", 4)) {
        tok->type = T_NULL;
        json->ptr += 4;
    } else if (json->cfg->decode_invalid_numbers && cj_invalid_number(json)) {
        cj_number_token(json, tok);
    } else {
        cj_token_error(tok, json, "invalid token");
    }
}

static void cj_parse_error(lua_State *L, cj_parse *json, const char *expected, cj_token *tok) {
    const char *found = tok->type == T_ERROR ? tok->value.string : tok_names[tok->type];
    (void)json;
    luaL_error(L, "Expected %s but found %s at character %d", expected, found, tok->index + 1);
}

static void cj_descend(lua_State *L, cj_parse *json, int slots) {
    json->depth++;
    if (json->depth <= json->cfg->decode_max_depth && lua_checkstack(L, slots)) return;
    luaL_error(L, "Found too many nested data structures (%d) at character %d", json->depth,
               (int)(json->ptr - json->data));
}

static void cj_parse_object(lua_State *L, cj_parse *json) {
    cj_token tok;
    cj_descend(L, json, 3);
    lua_newtable(L);
    cj_next_token(json, &tok);
    if (tok.type == T_OBJ_END) {
        json->depth--;
        return;
    }
    for (;;) {
        if (tok.type != T_STRING) cj_parse_error(L, json, "object key string", &tok);
        lua_pushlstring(L, tok.value.string, (size_t)tok.string_len);
        cj_next_token(json, &tok);
        if (tok.type != T_COLON) cj_parse_error(L, json, "colon", &tok);
        cj_next_token(json, &tok);
        cj_process_value(L, json, &tok);
        lua_rawset(L, -3);
        cj_next_token(json, &tok);
        if (tok.type == T_OBJ_END) {
            json->depth--;
            return;
        }
        if (tok.type != T_COMMA) cj_parse_error(L, json, "comma or object end", &tok);
        cj_next_token(json, &tok);
    }
}

static void cj_parse_array(lua_State *L, cj_parse *json) {
    cj_token tok;
    int i;
    cj_descend(L, json, 2);
    lua_newtable(L);
    cj_next_token(json, &tok);
    if (tok.type == T_ARR_END) {
        json->depth--;
        return;
    }
    for (i = 1;; i++) {
        cj_process_value(L, json, &tok);
        lua_rawseti(L, -2, i);
        cj_next_token(json, &tok);
        if (tok.type == T_ARR_END) {
            json->depth--;
            return;
        }
        if (tok.type != T_COMMA) cj_parse_error(L, json, "comma or array end", &tok);
        cj_next_token(json, &tok);
    }
}

static void cj_process_value(lua_State *L, cj_parse *json, cj_token *tok) {
    switch (tok->type) {
    case T_STRING: lua_pushlstring(L, tok->value.string, (size_t)tok->string_len); break;
    case T_NUMBER: lua_pushnumber(L, tok->value.number); break;
    case T_BOOLEAN: lua_pushboolean(L, tok->value.boolean); break;
    case T_OBJ_BEGIN: cj_parse_object(L, json); break;
    case T_ARR_BEGIN: cj_parse_array(L, json); break;
    case T_NULL: lua_pushlightuserdata(L, NULL); break;
    default: cj_parse_error(L, json, "value", tok);
    }
}

/* Keep a small scratch buffer around, give big ones back. */
static void cfg_release_decode(cj_cfg *cfg) {
    cfg->decode_buf.len = 0;
    if (cfg->decode_buf.cap > 65536) fk_luabuf_free(&cfg->decode_buf);
}

static int cj_decode(lua_State *L) {
    cj_parse json;
    cj_token tok;
    size_t len;
    luaL_argcheck(L, lua_gettop(L) == 1, 1, "expected 1 argument");
    json.cfg = cj_config(L);
    json.data = luaL_checklstring(L, 1, &len);
    json.depth = 0;
    json.ptr = json.data;
    if (len >= 2 && (!json.data[0] || !json.data[1]))
        luaL_error(L, "JSON parser does not support UTF-16 or UTF-32");
    /* scratch for decoded strings: never longer than the input; owned by
     * the settings userdata, so an error anywhere leaks nothing */
    if (len + 1 == 0) luaL_error(L, "not enough memory");
    cfg_release_decode(json.cfg);
    fk_luabuf_reserve(L, &json.cfg->decode_buf, len + 1);
    json.tmp = json.cfg->decode_buf.b;
    json.tmplen = 0;
    cj_next_token(&json, &tok);
    cj_process_value(L, &json, &tok);
    cj_next_token(&json, &tok);
    if (tok.type != T_END) cj_parse_error(L, &json, "the end", &tok);
    cfg_release_decode(json.cfg);
    return 1;
}

/* ---------------------------------------------------------- module */

static int cj_new(lua_State *L);

static const luaL_Reg cj_funcs[] = {
    {"encode", cj_encode},
    {"decode", cj_decode},
    {"encode_sparse_array", cj_cfg_encode_sparse_array},
    {"encode_max_depth", cj_cfg_encode_max_depth},
    {"decode_max_depth", cj_cfg_decode_max_depth},
    {"encode_number_precision", cj_cfg_encode_number_precision},
    {"encode_keep_buffer", cj_cfg_encode_keep_buffer},
    {"encode_invalid_numbers", cj_cfg_encode_invalid_numbers},
    {"decode_invalid_numbers", cj_cfg_decode_invalid_numbers},
    {"new", cj_new},
    {NULL, NULL},
};

static int cj_new(lua_State *L) {
    const luaL_Reg *r;
    lua_newtable(L);
    cj_create_config(L);
    for (r = cj_funcs; r->name; r++) {
        lua_pushvalue(L, -1);
        lua_pushcclosure(L, r->func, 1);
        lua_setfield(L, -3, r->name);
    }
    lua_pop(L, 1);
    lua_pushlightuserdata(L, NULL);
    lua_setfield(L, -2, "null");
    lua_pushliteral(L, "cjson");
    lua_setfield(L, -2, "_NAME");
    lua_pushliteral(L, "2.1.0");
    lua_setfield(L, -2, "_VERSION");
    return 1;
}

int fk_luaopen_cjson(lua_State *L) { return cj_new(L); }
