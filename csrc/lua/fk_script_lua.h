/* The Lua side of fastkv's scripting engine (Redis 7.0 script_lua.c + eval.c).
 *
 * One Lua 5.1 state per server.  Everything that may raise a Lua error
 * (lua_error longjmps) lives here in C; the Cython module (fastkv/scripting/
 * lua.pyx) provides the callbacks below, which never raise a Lua error and
 * never let a Python exception out, so no longjmp ever crosses a Cython frame.
 */
#ifndef FK_SCRIPT_LUA_H
#define FK_SCRIPT_LUA_H

#include <stddef.h>
#include <stdint.h>
#include "fk_lua51.h"

/* Script flags of the `#!lua flags=` shebang (Redis's SCRIPT_FLAG_*). */
#define FK_SCRIPT_FLAG_NO_WRITES (1ULL << 0)
#define FK_SCRIPT_FLAG_ALLOW_OOM (1ULL << 1)
#define FK_SCRIPT_FLAG_ALLOW_STALE (1ULL << 2)
#define FK_SCRIPT_FLAG_NO_CLUSTER (1ULL << 3)
#define FK_SCRIPT_FLAG_EVAL_COMPAT_MODE (1ULL << 4) /* no shebang */
#define FK_SCRIPT_FLAG_ALLOW_CROSS_SLOT (1ULL << 5)

/* A growable byte buffer (plain malloc: scratch, not keyspace memory). */
typedef struct fk_luabuf {
    char *p;
    size_t len, cap;
} fk_luabuf;

/* Callbacks into the Cython module.
 *  call:      redis.call/pcall with the arguments at stack 1..top.  Pushes
 *             exactly one value (the converted reply or an error table) and
 *             returns 1 if that value is an error table, 0 otherwise.
 *  interrupt: the count hook, every 100000 instructions; returns 1 when the
 *             script must be killed (SCRIPT KILL).
 *  log:       redis.log (level, message).
 *  acl_check: redis.acl_check_cmd with its (string) arguments at 1..top. */
typedef struct fk_script_callbacks {
    int (*call)(lua_State *L);
    int (*interrupt)(lua_State *L);
    void (*log)(int level, const char *msg, size_t len);
    int (*acl_check)(lua_State *L); /* redis.acl_check_cmd: 1 allowed, 0 denied, -1 unknown command */
} fk_script_callbacks;

extern fk_script_callbacks fk_script_cb;
extern int fk_script_running;      /* a script runs: redis.call is allowed */
extern int fk_script_resp;         /* redis.setresp() of the running script */
extern int fk_script_repl;         /* redis.set_repl() flags */
extern int fk_script_verbosity;    /* server verbosity, for redis.log */

/* Create the scripting Lua state with Redis 7.0's libraries and sandbox. */
lua_State *fk_script_lua_create(void);

/* Compile `body` (len bytes, without the shebang line when it has one) as
 * Redis does ("function f_<sha>() <body>\nend", chunk "@user_script") and
 * store the function under `sha` (40 chars).  On a compile error returns -1
 * and leaves the message in *err (malloc'd, to free). */
int fk_script_create(lua_State *L, const char *sha, const char *body, size_t len, long long flags,
                     char **err);
/* The flags of the stored script `sha` (40 chars), -1 if there is none. */
long long fk_script_flags(lua_State *L, const char *sha);
/* Forget every stored script (SCRIPT FLUSH; the Lua state stays). */
/* SCRIPT FLUSH (7.0's scriptingReset): close the state and make a new one,
 * so nothing a script left behind (library settings such as
 * cjson.encode_number_precision, collected garbage) survives. NULL if out
 * of memory. */
lua_State *fk_script_reset(lua_State *L);

/* Run the stored script `sha` with KEYS/ARGV.  The reply (RESP for a client
 * speaking `caller_resp`) is appended to `out`.  Returns 0 for a normal reply,
 * 1 for an error reply to count in the error stats, 2 for an error already
 * counted (an error of a command the script ran).  `hook` enables the
 * busy-script count hook. */
int fk_script_run(lua_State *L, const char *sha, int nkeys, const char **keys, const size_t *keylens,
                  int nargs, const char **args, const size_t *arglens, int caller_resp, int hook,
                  fk_luabuf *out);

/* For the callbacks: push the error table Redis's luaPushErrorBuff makes of
 * `msg` ("-CODE text" or "text", which gets "ERR "). */
void fk_script_push_error(lua_State *L, const char *msg, size_t len, int ignore_stats);
/* Push one reply (RESP2 or RESP3) parsed from p[0:len] as a Lua value.
 * Returns 1 if it is an error reply (pushed as an error table). */
int fk_script_push_reply(lua_State *L, const char *p, size_t len);

/* SHA1 of p[0:len] as 40 lowercase hex characters (no terminator). */
void fk_sha1hex(char *out40, const char *p, size_t len);

/* Redis's rand48 (rand.c), which math.random uses. */
int32_t fk_redis_lrand48(void);
void fk_redis_srand48(int32_t seed);

/* Lua memory in bytes (used_memory_lua). */
size_t fk_script_lua_memory(lua_State *L);

void fk_luabuf_free(fk_luabuf *b);

/* Functions (FUNCTION LOAD / FCALL): their own Lua state. */
lua_State *fk_function_lua_create(void);
/* Run a library's code (without its shebang line) in the load environment:
 * the number of functions it registered, or -1 with the error in *err. */
int fk_function_load(lua_State *L, const char *code, size_t len, fk_luabuf *err);
int fk_function_pending(lua_State *L, int i, const char **name, size_t *nl, long long *flags,
                        const char **desc, size_t *dl);
void fk_function_commit(lua_State *L, int i);
void fk_function_remove(lua_State *L, const char *name, size_t n);
void fk_function_clear_pending(lua_State *L);
int fk_function_run(lua_State *L, const char *name, size_t n, int nkeys, const char **keys,
                    const size_t *keylens, int nargs, const char **args, const size_t *arglens,
                    int caller_resp, int hook, fk_luabuf *out);

#endif
