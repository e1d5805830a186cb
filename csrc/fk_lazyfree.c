/* See fk_lazyfree.h.  One thread, one FIFO of jobs under a mutex, a
 * condition variable to wake the thread, and a list of finished jobs the
 * event loop collects.  Jobs are bookkeeping, allocated with plain malloc:
 * they are not part of the dataset's used_memory. */
#define _GNU_SOURCE
#include "fk_lazyfree.h"
#include "fk_alloc.h"
#include "fk_shared.h"
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

enum { LF_ENTRY = 1, LF_DICTS = 2 };

typedef struct lf_job {
    struct lf_job *next;
    int kind;
    void *a, *b;           /* LF_ENTRY: the entry; LF_DICTS: main, expires */
    size_t nobjs;          /* objects it counts for (INFO) */
    size_t freed;          /* bytes it released; set by the thread */
} lf_job;

typedef struct lf_state {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    lf_job *head, *tail;   /* queued, under lock */
    lf_job *done;          /* finished, under lock */
    size_t ndone;          /* finished and not collected (atomic: read unlocked) */
    size_t queued;         /* queued or running (atomic: read unlocked) */
    pthread_t thread;
    /* event loop only */
    size_t pending_objects;
    size_t freed_objects;
} lf_state;

size_t fk_lazyfree_effort(const fk_entry *e) {
    const fk_objtype *t = fk_objtype_of(e);
    return (t && t->free_effort) ? t->free_effort(e) : 1;
}

static void run_job(lf_job *j) {
    if (j->kind == LF_ENTRY) {
        fk_entry *e = (fk_entry *)j->a;
        const fk_objtype *t = fk_objtype_of(e);
        if (t) t->free(e);
        fk_free(e);
    } else {
        fk_dict_free((fk_dict *)j->b);   /* expires first: owns nothing */
        fk_dict_free((fk_dict *)j->a);
    }
}

static void *lf_main(void *arg) {
    lf_state *s = (lf_state *)arg;
    __atomic_store_n(&fk_sh->lazyfree_tp, __builtin_thread_pointer(), __ATOMIC_SEQ_CST);
#ifdef __GLIBC__
    pthread_setname_np(pthread_self(), "lazyfree");   /* top -H, like Redis's bio_lazy_free */
#endif
    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (!s->head) pthread_cond_wait(&s->wake, &s->lock);
        lf_job *j = s->head;
        s->head = j->next;
        if (!s->head) s->tail = NULL;
        pthread_mutex_unlock(&s->lock);

        size_t before = fk_sh->lazyfree_freed;
        run_job(j);
        j->freed = fk_sh->lazyfree_freed - before;

        pthread_mutex_lock(&s->lock);
        j->next = s->done;
        s->done = j;
        __atomic_add_fetch(&s->ndone, 1, __ATOMIC_RELEASE);
        __atomic_sub_fetch(&s->queued, 1, __ATOMIC_RELEASE);
    }
    return NULL;
}

/* A forked child (a future BGSAVE) has no lazy free thread, and the queue's
 * lock may have been held at fork time: forget the parent's state (its jobs
 * stay unfreed in the child, which is short-lived); a child that needs a lazy
 * free starts its own thread. */
static void lf_atfork_child(void) {
    fk_sh->lazyfree = NULL;
    fk_sh->lazyfree_tp = NULL;
}

/* The state, and its thread, started on first use.  NULL if the thread
 * could not be created. */
static lf_state *lf_get(void) {
    lf_state *s = (lf_state *)fk_sh->lazyfree;
    if (s) return s;
    s = calloc(1, sizeof(*s));
    if (!s) return NULL;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    /* The thread takes no signal: they stay with the event loop. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&s->thread, NULL, lf_main, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }
    pthread_detach(s->thread);
    /* No need to wait for the thread to publish its thread pointer: it does
     * so before it looks at the queue, so before any of its frees. */
    fk_sh->lazyfree = s;
    static int atfork_done;
    if (!atfork_done) {
        atfork_done = 1;
        pthread_atfork(NULL, NULL, lf_atfork_child);
    }
    return s;
}

static int lf_submit(int kind, void *a, void *b, size_t nobjs) {
    lf_state *s = lf_get();
    lf_job *j = s ? malloc(sizeof(*j)) : NULL;
    if (!j) return -1;
    j->next = NULL;
    j->kind = kind;
    j->a = a;
    j->b = b;
    j->nobjs = nobjs;
    j->freed = 0;
    s->pending_objects += nobjs;
    __atomic_add_fetch(&s->queued, 1, __ATOMIC_RELEASE);
    pthread_mutex_lock(&s->lock);
    if (s->tail) s->tail->next = j; else s->head = j;
    s->tail = j;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    return 0;
}

int fk_lazyfree_entry(fk_entry *e) {
    if (lf_submit(LF_ENTRY, e, NULL, 1) == 0) return 0;
    lf_job j = {NULL, LF_ENTRY, e, NULL, 1, 0};
    run_job(&j);            /* no thread: free it here */
    return -1;
}

int fk_lazyfree_dicts(fk_dict *main, fk_dict *expires, size_t nkeys) {
    if (lf_submit(LF_DICTS, main, expires, nkeys) == 0) return 0;
    lf_job j = {NULL, LF_DICTS, main, expires, nkeys, 0};
    run_job(&j);
    return -1;
}

size_t fk_lazyfree_collect(void) {
    lf_state *s = (lf_state *)fk_sh->lazyfree;
    if (!s || __atomic_load_n(&s->ndone, __ATOMIC_ACQUIRE) == 0) return 0;
    pthread_mutex_lock(&s->lock);
    lf_job *j = s->done;
    s->done = NULL;
    s->ndone = 0;
    pthread_mutex_unlock(&s->lock);
    size_t n = 0;
    while (j) {
        lf_job *next = j->next;
        fk_sh->used_memory -= j->freed;
        s->pending_objects -= j->nobjs;
        s->freed_objects += j->nobjs;
        free(j);
        j = next;
        n++;
    }
    return n;
}

size_t fk_lazyfree_pending_objects(void) {
    lf_state *s = (lf_state *)fk_sh->lazyfree;
    fk_lazyfree_collect();
    return s ? s->pending_objects : 0;
}

size_t fk_lazyfree_freed_objects(void) {
    lf_state *s = (lf_state *)fk_sh->lazyfree;
    fk_lazyfree_collect();
    return s ? s->freed_objects : 0;
}

size_t fk_lazyfree_queued_jobs(void) {
    lf_state *s = (lf_state *)fk_sh->lazyfree;
    return s ? __atomic_load_n(&s->queued, __ATOMIC_ACQUIRE) : 0;
}

void fk_lazyfree_reset_stats(void) {
    lf_state *s = (lf_state *)fk_sh->lazyfree;
    fk_lazyfree_collect();
    if (s) s->freed_objects = 0;
}

void fk_lazyfree_set_config(int user_del, int user_flush) {
    fk_sh->lazyfree_lazy_user_del = user_del;
    fk_sh->lazyfree_lazy_user_flush = user_flush;
}
int fk_lazyfree_user_del(void) { return fk_sh->lazyfree_lazy_user_del; }
int fk_lazyfree_user_flush(void) { return fk_sh->lazyfree_lazy_user_flush; }
