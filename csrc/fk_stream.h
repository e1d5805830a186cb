/* fk_stream: Redis 7.0's stream type (t_stream.c / stream.h), in C.
 *
 * The same layout as Redis: an ordered index (fk_rax) of listpack nodes,
 * each keyed by its master entry ID (16 bytes: ms and seq, big endian),
 * each listpack in Redis's exact stream node format (master entry with
 * count, deleted, master fields; then entries with flags, ms-diff,
 * seq-diff, [fields], values, lp-count; see the big comment at the top of
 * Redis's t_stream.c), so RDB and DUMP can write the nodes as they are.
 * Nodes are bounded by stream-node-max-bytes / stream-node-max-entries
 * (fk_sh->stream_node_max_bytes / fk_sh->stream_node_max_entries).
 *
 * Consumer groups, consumers and pending-entry lists have 7.0's shapes.
 * Everything is allocated through fk_malloc & co.
 *
 * This header is the contract between the C layer (csrc/fk_stream.c,
 * csrc/fk_rax.c) and the command handlers (fastkv/commands/t_stream.pyx,
 * declared for Cython in fastkv/_core/cdefs_stream.pxd). Each function
 * mirrors the Redis function named in its comment, with the same
 * semantics, unless said otherwise. */
#ifndef FK_STREAM_H
#define FK_STREAM_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "fk_rax.h"
#include "fk_str.h"

typedef struct fk_streamid {
    uint64_t ms;        /* unix time in milliseconds */
    uint64_t seq;       /* sequence number */
} fk_streamid;

typedef struct fk_stream {
    fk_rax *rax;                      /* master ID (16 bytes BE) -> listpack node */
    uint64_t length;                  /* live entries */
    fk_streamid last_id;              /* zero if no entry was ever added */
    fk_streamid first_id;             /* first live entry, zero if empty */
    fk_streamid max_deleted_entry_id; /* the largest ID ever deleted */
    uint64_t entries_added;           /* all-time count of entries added */
    fk_rax *cgroups;                  /* name -> fk_stream_cg*, NULL until the first group */
} fk_stream;

typedef struct fk_stream_cg {
    fk_streamid last_id;      /* last delivered ID */
    long long entries_read;   /* FK_SCG_INVALID_ENTRIES_READ when unknown */
    fk_rax *pel;              /* ID (16 bytes BE) -> fk_stream_nack* */
    fk_rax *consumers;        /* name -> fk_stream_consumer* */
} fk_stream_cg;

typedef struct fk_stream_consumer {
    long long seen_time;      /* unix ms of its last read/claim */
    fk_str *name;
    fk_rax *pel;              /* ID -> the same fk_stream_nack* as the group's PEL */
} fk_stream_consumer;

typedef struct fk_stream_nack {
    long long delivery_time;  /* unix ms of the last delivery */
    uint64_t delivery_count;
    fk_stream_consumer *consumer;
} fk_stream_nack;

#define FK_SCG_INVALID_ENTRIES_READ (-1LL)

/* A field or value handed to fk_stream_append (fields and values alternate). */
typedef struct fk_sv {
    const char *p;
    size_t n;
} fk_sv;

/* Trim arguments (streamAddTrimArgs's trim part). */
#define FK_TRIM_STRATEGY_NONE 0
#define FK_TRIM_STRATEGY_MAXLEN 1
#define FK_TRIM_STRATEGY_MINID 2
typedef struct fk_stream_trim_args {
    int strategy;             /* FK_TRIM_STRATEGY_* */
    int approx;               /* '~': only whole nodes are removed */
    long long limit;          /* LIMIT: max entries removed when approx; 0 = unlimited */
    long long maxlen;
    fk_streamid minid;
} fk_stream_trim_args;

/* The iterator (streamIterator). */
typedef struct fk_stream_iter {
    fk_stream *stream;
    fk_streamid master_id;
    uint64_t master_fields_count;
    unsigned char *master_fields_start;
    unsigned char *master_fields_ptr;
    int entry_flags;
    int rev;
    int skip_tombstones;
    uint64_t start_key[2];    /* 128-bit big-endian start key */
    uint64_t end_key[2];
    fk_rax_iter ri;
    unsigned char *lp;
    unsigned char *lp_ele;
    unsigned char *lp_flags;
    unsigned char field_buf[24];  /* LP_INTBUF_SIZE: text of integer-encoded fields */
    unsigned char value_buf[24];
    fk_streamid start_id;     /* start_key / end_key decoded (compared per entry) */
    fk_streamid end_id;
} fk_stream_iter;

/* -- IDs ------------------------------------------------------------------ */
int fk_streamid_cmp(const fk_streamid *a, const fk_streamid *b);   /* streamCompareID: -1 0 1 */
int fk_streamid_incr(fk_streamid *id);     /* streamIncrID: 0 ok, -1 overflow (id left at max) */
int fk_streamid_decr(fk_streamid *id);     /* streamDecrID: 0 ok, -1 underflow (id becomes the maximum) */
void fk_streamid_encode(unsigned char buf[16], const fk_streamid *id);   /* streamEncodeID */
void fk_streamid_decode(const unsigned char buf[16], fk_streamid *id);   /* streamDecodeID */
/* "ms-seq" into buf (at least 42 bytes); returns the length. */
size_t fk_streamid_format(char *buf, const fk_streamid *id);
/* streamGenericParseIDOrReply's parsing (no reply): "ms", "ms-seq",
 * "-"/"+" (when strict == 0), and "ms-*" when seq_given != NULL (sets
 * *seq_given = 0 for "ms-*", 1 otherwise). missing_seq is the seq used
 * when only "ms" is given. Returns 0 ok, -1 invalid. */
int fk_streamid_parse(const char *p, size_t n, fk_streamid *id, uint64_t missing_seq,
                      int strict, int *seq_given);

/* -- the stream ---------------------------------------------------------- */
fk_stream *fk_stream_new(void);                            /* streamNew */
void fk_stream_free(void *s);                              /* freeStream (the type row's free) */
fk_stream *fk_stream_dup(const fk_stream *s);              /* streamDup (COPY), groups included */
size_t fk_stream_mem_usage(const fk_stream *s, size_t samples);  /* objectComputeSize's OBJ_STREAM */
size_t fk_stream_free_effort(const fk_stream *s);          /* lazyfreeGetFreeEffort: nodes + groups */

/* streamAppendItem: fv holds 2*numfields items (field, value, ...).
 * use_id NULL: an automatic ID (ms = now or last_id.ms, seq next);
 * seq_given == 0: "ms-*" (seq generated). Returns 0 and the ID in *added_id;
 * -1 (EDOM) if the ID is not greater than last_id, or 0-0: "equal or smaller
 * than the target stream top item"; -2 (ERANGE) if the fields and values
 * are too large for a node, or "ms-*" can't get a sequence (last_id is
 * ms-UINT64_MAX), as Redis 7.0: "Elements are too large to be stored". Callers check
 * first that last_id is not the maximum ID ("exhausted" error). */
int fk_stream_append(fk_stream *s, const fk_sv *fv, int64_t numfields, fk_streamid *added_id,
                     const fk_streamid *use_id, int seq_given);
/* streamDeleteItem: 1 deleted.  Like Redis, first_id and max_deleted_entry_id
 * are the caller's to update (XDEL does). */
int fk_stream_delete_item(fk_stream *s, const fk_streamid *id);
int64_t fk_stream_trim(fk_stream *s, const fk_stream_trim_args *args);  /* streamTrim: entries deleted */
/* streamGetEdgeID: first (first=1) or last entry's ID; skip_tombstones as Redis.
 * None found (empty): UINT64_MAX-UINT64_MAX for first, 0-0 for last, as Redis. */
void fk_stream_get_edge_id(fk_stream *s, int first, int skip_tombstones, fk_streamid *edge_id);
/* streamRangeHasTombstones */
int fk_stream_range_has_tombstones(fk_stream *s, const fk_streamid *start, const fk_streamid *end);
/* streamEstimateDistanceFromFirstEverEntry */
long long fk_stream_estimate_distance(fk_stream *s, const fk_streamid *id);

/* -- iteration (streamIteratorStart & co) ---------------------------------- */
void fk_stream_iter_start(fk_stream_iter *si, fk_stream *s, const fk_streamid *start,
                          const fk_streamid *end, int rev);
int fk_stream_iter_get_id(fk_stream_iter *si, fk_streamid *id, int64_t *numfields);
void fk_stream_iter_get_field(fk_stream_iter *si, unsigned char **fieldptr, unsigned char **valueptr,
                              int64_t *fieldlen, int64_t *valuelen);
void fk_stream_iter_remove_entry(fk_stream_iter *si, fk_streamid *current);
void fk_stream_iter_stop(fk_stream_iter *si);

/* -- consumer groups ------------------------------------------------------- */
/* streamCreateCG: NULL if a group of that name exists. */
fk_stream_cg *fk_stream_create_cg(fk_stream *s, const char *name, size_t len,
                                  const fk_streamid *id, long long entries_read);
fk_stream_cg *fk_stream_lookup_cg(fk_stream *s, const char *name, size_t len);
/* XGROUP DESTROY: remove and free; 1 if it existed. */
int fk_stream_destroy_cg(fk_stream *s, const char *name, size_t len);
fk_stream_consumer *fk_stream_lookup_consumer(fk_stream_cg *cg, const char *name, size_t len);
/* streamCreateConsumer (no events or dirty: the caller's); NULL if it exists. */
fk_stream_consumer *fk_stream_create_consumer(fk_stream_cg *cg, const char *name, size_t len,
                                              long long now_ms);
/* streamDelConsumer: drops its pending entries from the group PEL too;
 * returns how many pending entries it had. */
uint64_t fk_stream_del_consumer(fk_stream_cg *cg, fk_stream_consumer *consumer);
fk_stream_nack *fk_stream_create_nack(fk_stream_consumer *consumer, long long now_ms);  /* streamCreateNACK */
void fk_stream_free_nack(fk_stream_nack *na);

#endif
