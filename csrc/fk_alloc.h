/* fk_alloc: malloc wrappers that keep Redis's `used_memory` figure.
 *
 * Every allocation made for the keyspace goes through these, so INFO memory's
 * used_memory counts what the allocator really handed out (malloc_usable_size),
 * as Redis's zmalloc does.  The counter is a plain size_t, written only by
 * the event-loop thread.  The one other thread, the lazy free thread
 * (fk_lazyfree.c), frees values the keyspace no longer holds: fk_free
 * recognises it by its thread pointer (fk_sh->lazyfree_tp, one load and a
 * compare) and counts its frees in fk_sh->lazyfree_freed instead; the event
 * loop subtracts them from used_memory when it collects finished jobs
 * (fk_lazyfree_collect, also run by fk_used_memory).  No atomic operation on
 * the hot path.  The lazy free thread calls fk_free (and fk_realloc) only. */
#ifndef FK_ALLOC_H
#define FK_ALLOC_H
#include <stddef.h>

void *fk_malloc(size_t n);      /* aborts on OOM, like Redis's zmalloc */
void *fk_realloc(void *p, size_t n);
void fk_free(void *p);
size_t fk_usable(void *p);
size_t fk_used_memory(void);

#endif
