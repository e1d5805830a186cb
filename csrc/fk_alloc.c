/* See fk_alloc.h.  malloc_usable_size is glibc's; the figure it returns is
 * what the allocator actually reserved, the same notion Redis reports. */
#include "fk_alloc.h"
#include "fk_shared.h"
#include "fk_lazyfree.h"
#include <malloc.h>
#include <stdio.h>
#include <sched.h>
#include <stdlib.h>

static void fk_oom(size_t n) {
    fprintf(stderr, "fastkv: out of memory allocating %zu bytes\n", n);
    abort();
}

void *fk_malloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) fk_oom(n);
    fk_sh->used_memory += malloc_usable_size(p);
    return p;
}

/* Running on the lazy free thread?  Its thread pointer is published once,
 * by that thread, before it frees anything; the event loop's never equals
 * it, so this is a load from %fs and a compare. */
static inline int fk_on_lazyfree_thread(void) {
    void *tp = __atomic_load_n(&fk_sh->lazyfree_tp, __ATOMIC_RELAXED);
    return __builtin_expect(tp != NULL, 0) && tp == __builtin_thread_pointer();
}

void *fk_realloc(void *p, size_t n) {
    size_t old = p ? malloc_usable_size(p) : 0;
    void *q = realloc(p, n ? n : 1);
    if (!q) fk_oom(n);
    if (fk_on_lazyfree_thread()) {
        fk_sh->lazyfree_freed += old;
        fk_sh->lazyfree_freed -= malloc_usable_size(q);
        return q;
    }
    fk_sh->used_memory += malloc_usable_size(q);
    fk_sh->used_memory -= old;
    return q;
}

/* The lazy free thread's free.  glibc puts small chunks freed by another
 * thread into the owning arena's fastbins without taking its lock; the
 * event loop's next large malloc would then consolidate *all* of them under
 * the arena lock: after a 1M-member set, a stall of hundreds of ms on the
 * event loop.  So this thread consolidates the main arena itself every 64KB
 * it frees: mallopt() locks the main arena and runs malloc_consolidate
 * before setting its parameter (M_PERTURB 0 is the default: a no-op
 * setting), which bounds each lock hold to ~1,000 chunks.
 *
 * Measured alternatives (bench/lazyfree.py, 3M and 10M-member sets): fastbins
 * off while a job runs (M_MXFAST 0: every free takes the arena lock), and
 * one arena for both threads with this thread sorting the unsorted bin
 * (a large malloc every 64KB-1MB) both left the event loop slower; glibc
 * has no cheaper hand-off of freed chunks than this. */
static void fk_free_lazyfree_thread(void *p) {
    size_t before = fk_sh->lazyfree_freed;
    size_t after = before + malloc_usable_size(p);
    fk_sh->lazyfree_freed = after;
    free(p);
#ifdef M_PERTURB
    if ((before ^ after) >> 16) {
        mallopt(M_PERTURB, 0);
        sched_yield();      /* an event loop waiting for the arena gets it */
    }
#endif
}

void fk_free(void *p) {
    if (!p) return;
    if (fk_on_lazyfree_thread()) {
        fk_free_lazyfree_thread(p);
        return;
    }
    fk_sh->used_memory -= malloc_usable_size(p);
    free(p);
}

size_t fk_usable(void *p) { return p ? malloc_usable_size(p) : 0; }
size_t fk_used_memory(void) {
    fk_lazyfree_collect();      /* frees finished in the background count now */
    return fk_sh->used_memory;
}
