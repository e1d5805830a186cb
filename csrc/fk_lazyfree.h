/* fk_lazyfree: free big values in a background thread (Redis's lazyfree.c
 * and the BIO_LAZY_FREE thread of bio.c).
 *
 * Freeing a 10-million-member set is ten million free() calls: seconds in
 * which no other client would be served.  UNLINK, FLUSHALL ASYNC and
 * FLUSHDB ASYNC instead take the value out of the keyspace at once (O(1))
 * and hand it to one background thread, which releases it while the event
 * loop keeps serving:
 *
 *   event loop                               lazy free thread
 *   ----------                               ----------------
 *   UNLINK big:   unlink entry, expires  --queue-->  row->free(e); fk_free(e)
 *   FLUSH* ASYNC: new empty dicts        --queue-->  fk_dict_free(old dicts)
 *   fk_lazyfree_collect  <--done list--  job->freed = bytes it released
 *     used_memory -= freed; pending -= n; lazyfreed += n
 *
 * Only values whose row reports a free_effort above LAZYFREE_THRESHOLD (64
 * allocations, Redis's figure) go to the thread; smaller ones are freed at
 * once, which is cheaper than a job.  FLUSH* ASYNC always goes to the thread
 * (emptyDbAsync).
 *
 * Invariants:
 *  - a job owns what it was given: nothing in the keyspace points to it any
 *    more, so the thread touches no memory the event loop can reach.
 *  - the thread calls only the rows' free() and fk_free.  fk_free recognises
 *    the thread (fk_sh->lazyfree_tp) and adds what it frees to
 *    fk_sh->lazyfree_freed, written by this thread only, instead of
 *    used_memory, which stays the event loop's plain counter (fk_alloc.h).
 *    Each finished job carries its byte count back; the event loop applies
 *    it in fk_lazyfree_collect (run by fk_used_memory, so INFO, MEMORY and
 *    the cron always see an up-to-date figure).
 *  - pending/freed object counts (INFO lazyfree_pending_objects and
 *    lazyfreed_objects) are kept by the event loop alone: a job counts as
 *    pending until the event loop has collected it.
 *
 * The state lives behind fk_sh->lazyfree (one per process, whichever
 * extension runs the code), created with the thread on the first job.  At
 * exit nothing is joined: the thread holds no lock the exit path needs and
 * touches only memory nobody else can reach, so a pending job simply dies
 * with the process (as Redis's bio jobs do). */
#ifndef FK_LAZYFREE_H
#define FK_LAZYFREE_H
#include <stddef.h>
#include "fk_dict.h"
#include "fk_object.h"

#define FK_LAZYFREE_THRESHOLD 64     /* LAZYFREE_THRESHOLD */

/* lazyfreeGetFreeEffort: allocations e's value frees (row's free_effort, 1
 * when the row has none). */
size_t fk_lazyfree_effort(const fk_entry *e);

/* Take ownership of an entry already unlinked from its dict (and from the
 * expires dict): the thread frees its value by its row, then the entry.
 * Returns 0, or -1 if no thread could be started (then e was freed here). */
int fk_lazyfree_entry(fk_entry *e);

/* Take ownership of a db's two dicts (emptyDbAsync); `nkeys` objects are
 * counted as pending.  Either may be NULL. */
int fk_lazyfree_dicts(fk_dict *main, fk_dict *expires, size_t nkeys);

/* Event loop: apply finished jobs (used_memory, counters).  Cheap when
 * nothing finished (one atomic load).  Returns the jobs collected. */
size_t fk_lazyfree_collect(void);

size_t fk_lazyfree_pending_objects(void);   /* collects first */
size_t fk_lazyfree_freed_objects(void);     /* collects first */
size_t fk_lazyfree_queued_jobs(void);       /* jobs not yet finished */
void fk_lazyfree_reset_stats(void);         /* CONFIG RESETSTAT: lazyfreed_objects */

/* The lazyfree-lazy-user-del / lazyfree-lazy-user-flush flags. */
void fk_lazyfree_set_config(int user_del, int user_flush);
int fk_lazyfree_user_del(void);
int fk_lazyfree_user_flush(void);

#endif
