/* The type table (see fk_object.h) and the string rows.
 *
 * Strings have Redis's three encodings:
 *   int     v.i is the number itself ("12345"); nothing owned
 *   embstr  v.u is the length; the bytes are inline after the key, in the
 *           entry's own allocation (short strings, <= 44 bytes)
 *   raw     v.ptr is an fk_str (long strings, or strings changed in place) */
#include <string.h>
#include "fk_object.h"
#include "fk_alloc.h"
#include "fk_str.h"

static void noop_free(fk_entry *e) { (void)e; }
static size_t no_inline(const fk_entry *e) { (void)e; return 0; }
static size_t owns_nothing(const fk_entry *e, size_t samples) { (void)e; (void)samples; return 0; }

/* -- string/int ------------------------------------------------------------ */
static int int_dup(const fk_entry *src, fk_entry *dst) {
    dst->v.i = src->v.i;
    dst->meta = (dst->meta & ~0xFFu) | (src->meta & 0xFFu);
    return 0;
}
static const fk_objtype string_int = {
    "string", "int", noop_free, no_inline, int_dup, owns_nothing, NULL, NULL, NULL};

/* -- string/embstr --------------------------------------------------------- */
static size_t embstr_inline(const fk_entry *e) { return (size_t)e->v.u; }
static int embstr_dup(const fk_entry *src, fk_entry *dst) {
    memcpy(fk_entry_extra(dst), fk_entry_extra((fk_entry *)src), (size_t)src->v.u);
    dst->v.u = src->v.u;
    dst->meta = (dst->meta & ~0xFFu) | (src->meta & 0xFFu);
    return 0;
}
static const fk_objtype string_embstr = {
    "string", "embstr", noop_free, embstr_inline, embstr_dup, owns_nothing, NULL, NULL, NULL};

/* -- string/raw ------------------------------------------------------------ */
static void raw_free(fk_entry *e) { fk_free(e->v.ptr); e->v.ptr = NULL; }
static int raw_dup(const fk_entry *src, fk_entry *dst) {
    const fk_str *s = (const fk_str *)src->v.ptr;
    dst->v.ptr = fk_str_new(s->buf, s->len);
    dst->meta = (dst->meta & ~0xFFu) | (src->meta & 0xFFu);
    return 0;
}
static size_t raw_mem(const fk_entry *e, size_t samples) { (void)samples; return fk_usable(e->v.ptr); }
static const fk_objtype string_raw = {
    "string", "raw", raw_free, no_inline, raw_dup, raw_mem, NULL, NULL, NULL};

/* -- the table ------------------------------------------------------------- */
const fk_objtype *const fk_objtypes[FK_OBJ_NTYPES][FK_ENC_NENCODINGS] = {
    [FK_OBJ_STRING] = {
        [FK_ENC_RAW] = &string_raw,
        [FK_ENC_INT] = &string_int,
        [FK_ENC_EMBSTR] = &string_embstr,
    },
    [FK_OBJ_LIST] = { [FK_ENC_QUICKLIST] = &fk_row_list_quicklist, },
    [FK_OBJ_HASH] = { [FK_ENC_LISTPACK] = &fk_row_hash_listpack, [FK_ENC_HT] = &fk_row_hash_ht, },
    [FK_OBJ_SET] = { [FK_ENC_INTSET] = &fk_row_set_intset, [FK_ENC_HT] = &fk_row_set_ht, },
    [FK_OBJ_ZSET] = { [FK_ENC_LISTPACK] = &fk_row_zset_listpack, [FK_ENC_SKIPLIST] = &fk_row_zset_skiplist, },
    [FK_OBJ_STREAM] = { [FK_ENC_STREAM] = &fk_row_stream_stream, },
};

void fk_object_entry_free(fk_dict *d, fk_entry *e) {
    const fk_objtype *t = fk_objtype_of(e);
    (void)d;
    if (t) t->free(e);
}
