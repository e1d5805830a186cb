/* fk_rax: an ordered map from byte strings to pointers (memcmp order, a
 * shorter key before its extensions), the index structure of streams:
 * stream nodes keyed by their master ID (16 bytes, big endian), consumer
 * groups and consumers keyed by name, pending-entry lists keyed by ID.
 *
 * The API follows Redis's rax.h (raxInsert, raxTryInsert, raxRemove,
 * raxFind, raxSeek/raxNext/raxPrev iterators) so that t_stream.c's logic
 * ports one to one; the structure behind it is ours (a B+tree of sorted
 * key arrays: a stream is appended at its end, pending lists are removed
 * from their start; both are cheap on it).
 *
 * All memory through fk_malloc/fk_free (used_memory stays exact). An
 * iterator is invalidated by a modification of its tree: re-seek after one
 * (as Redis's t_stream.c does). */
#ifndef FK_RAX_H
#define FK_RAX_H
#include <stddef.h>
#include <stdint.h>

typedef struct fk_rax fk_rax;

fk_rax *fk_rax_new(void);
/* Free the tree; free_cb(value) for each value if not NULL. */
void fk_rax_free(fk_rax *r, void (*free_cb)(void *));
uint64_t fk_rax_size(const fk_rax *r);              /* number of keys */
size_t fk_rax_mem_usage(const fk_rax *r);           /* bytes owned (fk_usable) */

/* Insert or overwrite: 1 if the key is new, 0 if it existed (its old
 * value stored in *old when old != NULL). */
int fk_rax_insert(fk_rax *r, const unsigned char *key, size_t len, void *data, void **old);
/* Insert only if absent: 1 inserted, 0 existed (nothing changed; the
 * existing value in *old when old != NULL). */
int fk_rax_try_insert(fk_rax *r, const unsigned char *key, size_t len, void *data, void **old);
/* 1 removed (its value in *old when old != NULL), 0 absent. */
int fk_rax_remove(fk_rax *r, const unsigned char *key, size_t len, void **old);
/* 1 found (value in *value when value != NULL), 0 absent. */
int fk_rax_find(const fk_rax *r, const unsigned char *key, size_t len, void **value);

#define FK_RAX_ITER_KEYBUF 128
typedef struct fk_rax_iter {
    fk_rax *rax;
    unsigned char *key;      /* current key (points to keybuf or a heap copy) */
    size_t key_len;
    void *data;              /* current value */
    /* private */
    void *node;
    int pos;
    int flags;
    size_t key_cap;
    unsigned char keybuf[FK_RAX_ITER_KEYBUF];
} fk_rax_iter;

void fk_rax_start(fk_rax_iter *it, fk_rax *r);
/* Position the iterator as raxSeek: op is one of ">", ">=", "<", "<=",
 * "=", "^" (first key), "$" (last key). Returns 1 (0 only for a bad op).
 * The following fk_rax_next/fk_rax_prev returns the element sought. */
int fk_rax_seek(fk_rax_iter *it, const char *op, const unsigned char *ele, size_t len);
/* Advance and fill key/key_len/data: 1 on success, 0 at the end. */
int fk_rax_next(fk_rax_iter *it);
int fk_rax_prev(fk_rax_iter *it);
int fk_rax_eof(const fk_rax_iter *it);
void fk_rax_stop(fk_rax_iter *it);   /* frees a heap key copy if any */

#endif
