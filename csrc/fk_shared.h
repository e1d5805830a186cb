/* fk_shared: the process-wide state of the C layer, in one struct.
 *
 * fastkv is several Python extension modules (the keyspace, the client,
 * each family of command handlers ...).  Every one of them links the plain C
 * code of csrc/ statically with hidden visibility, so any extension calls
 * fk_dict_find or fk_malloc directly, with no re-export and no clash with
 * other libraries.  Code can be copied into each module; *state* must not be:
 * there is one used_memory counter and one hash seed per process, or a dict
 * built by one module would hash differently in another.
 *
 * So all mutable C state lives in this struct.  One instance exists, owned by
 * the extension fastkv._core.shared, which publishes its address in a
 * PyCapsule (as numpy and datetime publish their C APIs).  Every other
 * extension points its own hidden `fk_sh` at it when it is imported
 * (fastkv/_core/shared.pxd: attach()), before it runs any C code.
 *
 *   fastkv._core.shared  --capsule "_C_STATE"-->  &the_state
 *   keyspace.so: fk_sh ----------------------------^
 *   client.so:   fk_sh ----------------------------^
 *   t_string.so: fk_sh ----------------------------^
 *
 * A new piece of process-wide C state is a new field here; nothing else in
 * the build changes. */
#ifndef FK_SHARED_H
#define FK_SHARED_H
#include <stddef.h>
#include <stdint.h>

typedef struct fk_shared {
    size_t used_memory;        /* bytes handed out by fk_malloc & co (INFO used_memory) */
    uint8_t hash_seed[16];     /* SipHash key of every fk_dict; random per process */
    uint32_t abi;              /* FK_SHARED_ABI of the owner, checked by attach() */
    uint64_t tsc_ticks_per_us; /* calibrated invariant-TSC rate; 0 = use clock_gettime */
    uint64_t tsc_us_mult;      /* 2^32 / tsc_ticks_per_us, as fixed point; 0 = unset */
    /* Encoding thresholds of small aggregates (CONFIG, Redis's defaults;
     * set by fastkv._core.shared.set_encoding_config). */
    int list_max_listpack_size;      /* list-max-listpack-size: -2 */
    int list_compress_depth;         /* list-compress-depth: 0 */
    size_t hash_max_listpack_entries;/* 512 */
    size_t hash_max_listpack_value;  /* 64 */
    size_t set_max_intset_entries;   /* 512 */
    size_t zset_max_listpack_entries;/* 128 */
    size_t zset_max_listpack_value;  /* 64 */
    size_t stream_node_max_bytes;    /* stream-node-max-bytes: 4096 (0 = no limit) */
    long long stream_node_max_entries; /* stream-node-max-entries: 100 (0 = no limit) */
    size_t hll_sparse_max_bytes;     /* hll-sparse-max-bytes: 3000 */
    /* Lazy free (csrc/fk_lazyfree.c): the background thread's state, that
     * thread's thread pointer (fk_free counts its frees in lazyfree_freed,
     * which only that thread writes, instead of used_memory), and the
     * lazyfree-lazy-user-del / -user-flush flags. */
    void *lazyfree;
    void *lazyfree_tp;
    int lazyfree_lazy_user_del;
    int lazyfree_lazy_user_flush;
    /* Written by the lazy free thread on every free: on a cache line of
     * its own, so it doesn't evict what every fk_free and dict lookup of
     * the event loop reads (lazyfree_tp, used_memory, the hash seed). */
    _Alignas(64) size_t lazyfree_freed;
    char lazyfree_freed_pad[64 - sizeof(size_t)];
} fk_shared;

#define FK_SHARED_ABI 6u

/* This extension's pointer to the one instance.  Before attach() it points to
 * a private instance, so C unit tests of a single module work unattached. */
extern fk_shared *fk_sh;

#endif
