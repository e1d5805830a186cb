# Declarations of csrc/fk_rax.h and csrc/fk_stream.h (streams) for Cython.
from libc.stdint cimport uint64_t, int64_t
from fastkv._core.cdefs cimport fk_str

cdef extern from "fk_rax.h" nogil:
    enum:
        FK_RAX_ITER_KEYBUF
    ctypedef struct fk_rax:
        pass
    ctypedef struct fk_rax_iter:
        fk_rax *rax
        unsigned char *key
        size_t key_len
        void *data

    fk_rax *fk_rax_new()
    void fk_rax_free(fk_rax *r, void (*free_cb)(void *))
    uint64_t fk_rax_size(const fk_rax *r)
    size_t fk_rax_mem_usage(const fk_rax *r)
    int fk_rax_insert(fk_rax *r, const unsigned char *key, size_t len, void *data, void **old)
    int fk_rax_try_insert(fk_rax *r, const unsigned char *key, size_t len, void *data, void **old)
    int fk_rax_remove(fk_rax *r, const unsigned char *key, size_t len, void **old)
    int fk_rax_find(const fk_rax *r, const unsigned char *key, size_t len, void **value)
    void fk_rax_start(fk_rax_iter *it, fk_rax *r)
    int fk_rax_seek(fk_rax_iter *it, const char *op, const unsigned char *ele, size_t len)
    int fk_rax_next(fk_rax_iter *it)
    int fk_rax_prev(fk_rax_iter *it)
    int fk_rax_eof(const fk_rax_iter *it)
    void fk_rax_stop(fk_rax_iter *it)

cdef extern from "fk_stream.h" nogil:
    ctypedef struct fk_streamid:
        uint64_t ms
        uint64_t seq

    ctypedef struct fk_stream:
        fk_rax *rax
        uint64_t length
        fk_streamid last_id
        fk_streamid first_id
        fk_streamid max_deleted_entry_id
        uint64_t entries_added
        fk_rax *cgroups

    ctypedef struct fk_stream_cg:
        fk_streamid last_id
        long long entries_read
        fk_rax *pel
        fk_rax *consumers

    ctypedef struct fk_stream_consumer:
        long long seen_time
        fk_str *name
        fk_rax *pel

    ctypedef struct fk_stream_nack:
        long long delivery_time
        uint64_t delivery_count
        fk_stream_consumer *consumer

    enum:
        FK_SCG_INVALID_ENTRIES_READ
        FK_TRIM_STRATEGY_NONE
        FK_TRIM_STRATEGY_MAXLEN
        FK_TRIM_STRATEGY_MINID

    ctypedef struct fk_sv:
        const char *p
        size_t n

    ctypedef struct fk_stream_trim_args:
        int strategy
        int approx
        long long limit
        long long maxlen
        fk_streamid minid

    ctypedef struct fk_stream_iter:
        fk_stream *stream
        fk_streamid master_id
        int rev
        int skip_tombstones

    int fk_streamid_cmp(const fk_streamid *a, const fk_streamid *b)
    int fk_streamid_incr(fk_streamid *id)
    int fk_streamid_decr(fk_streamid *id)
    void fk_streamid_encode(unsigned char *buf, const fk_streamid *id)
    void fk_streamid_decode(const unsigned char *buf, fk_streamid *id)
    size_t fk_streamid_format(char *buf, const fk_streamid *id)
    int fk_streamid_parse(const char *p, size_t n, fk_streamid *id, uint64_t missing_seq,
                          int strict, int *seq_given)

    fk_stream *fk_stream_new()
    void fk_stream_free(void *s)
    fk_stream *fk_stream_dup(const fk_stream *s)
    size_t fk_stream_mem_usage(const fk_stream *s, size_t samples)
    size_t fk_stream_free_effort(const fk_stream *s)

    int fk_stream_append(fk_stream *s, const fk_sv *fv, int64_t numfields, fk_streamid *added_id,
                         const fk_streamid *use_id, int seq_given)
    int fk_stream_delete_item(fk_stream *s, const fk_streamid *id)
    int64_t fk_stream_trim(fk_stream *s, const fk_stream_trim_args *args)
    void fk_stream_get_edge_id(fk_stream *s, int first, int skip_tombstones, fk_streamid *edge_id)
    int fk_stream_range_has_tombstones(fk_stream *s, const fk_streamid *start, const fk_streamid *end)
    long long fk_stream_estimate_distance(fk_stream *s, const fk_streamid *id)

    void fk_stream_iter_start(fk_stream_iter *si, fk_stream *s, const fk_streamid *start,
                              const fk_streamid *end, int rev)
    int fk_stream_iter_get_id(fk_stream_iter *si, fk_streamid *id, int64_t *numfields)
    void fk_stream_iter_get_field(fk_stream_iter *si, unsigned char **fieldptr, unsigned char **valueptr,
                                  int64_t *fieldlen, int64_t *valuelen)
    void fk_stream_iter_remove_entry(fk_stream_iter *si, fk_streamid *current)
    void fk_stream_iter_stop(fk_stream_iter *si)

    fk_stream_cg *fk_stream_create_cg(fk_stream *s, const char *name, size_t len,
                                      const fk_streamid *id, long long entries_read)
    fk_stream_cg *fk_stream_lookup_cg(fk_stream *s, const char *name, size_t len)
    int fk_stream_destroy_cg(fk_stream *s, const char *name, size_t len)
    fk_stream_consumer *fk_stream_lookup_consumer(fk_stream_cg *cg, const char *name, size_t len)
    fk_stream_consumer *fk_stream_create_consumer(fk_stream_cg *cg, const char *name, size_t len,
                                                  long long now_ms)
    uint64_t fk_stream_del_consumer(fk_stream_cg *cg, fk_stream_consumer *consumer)
    fk_stream_nack *fk_stream_create_nack(fk_stream_consumer *consumer, long long now_ms)
    void fk_stream_free_nack(fk_stream_nack *na)
