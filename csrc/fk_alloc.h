/* fk_alloc: malloc wrappers that keep Redis's `used_memory` figure.
 *
 * Every allocation made for the keyspace goes through these, so INFO memory's
 * used_memory counts what the allocator really handed out (malloc_usable_size),
 * as Redis's zmalloc does.  The counter is a plain size_t: fastkv's data is
 * only touched by the event-loop thread. */
#ifndef FK_ALLOC_H
#define FK_ALLOC_H
#include <stddef.h>

void *fk_malloc(size_t n);      /* aborts on OOM, like Redis's zmalloc */
void *fk_realloc(void *p, size_t n);
void fk_free(void *p);
size_t fk_usable(void *p);
size_t fk_used_memory(void);

#endif
