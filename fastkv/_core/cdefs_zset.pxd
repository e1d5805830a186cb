# Declarations of csrc/fk_zset.h (sorted sets) for Cython.
from libc.stdint cimport uint8_t, uint32_t, uint64_t
from fastkv._core.cdefs cimport fk_entry

cdef extern from "fk_zset.h" nogil:
    enum:
        FK_ZSKIPLIST_MAXLEVEL
        ZADD_IN_INCR "FK_ZADD_IN_INCR"
        ZADD_IN_NX "FK_ZADD_IN_NX"
        ZADD_IN_XX "FK_ZADD_IN_XX"
        ZADD_IN_GT "FK_ZADD_IN_GT"
        ZADD_IN_LT "FK_ZADD_IN_LT"
        ZADD_OUT_NOP "FK_ZADD_OUT_NOP"
        ZADD_OUT_NAN "FK_ZADD_OUT_NAN"
        ZADD_OUT_ADDED "FK_ZADD_OUT_ADDED"
        ZADD_OUT_UPDATED "FK_ZADD_OUT_UPDATED"

    ctypedef struct fk_zsl_node:
        double score
        fk_zsl_node *backward
        fk_zsl_node *hnext
        uint32_t mlen
        uint8_t level
        fk_zsl_node **forward

    ctypedef struct fk_zset:
        fk_zsl_node *header
        fk_zsl_node *tail
        unsigned long length
        int level
        fk_zsl_node **ht[2]
        unsigned long ht_size[2]
        long rehashidx

    ctypedef struct fk_zrangespec:
        double min, max
        int minex, maxex

    ctypedef struct fk_zlexrangespec:
        const char *min
        size_t minlen
        int minkind
        const char *max
        size_t maxlen
        int maxkind
        int minex, maxex

    ctypedef struct fk_zset_iter:
        int enc

    uint32_t *fk_zsl_span(fk_zsl_node *n)
    char *fk_zsl_member(fk_zsl_node *n)

    fk_zset *fk_zset_new()
    void fk_zset_free(fk_zset *zs)
    fk_zsl_node *fk_zset_find(fk_zset *zs, const char *m, size_t n)
    fk_zsl_node *fk_zset_insert(fk_zset *zs, double score, const char *m, size_t n)
    void fk_zset_update_score(fk_zset *zs, fk_zsl_node *x, double newscore)
    void fk_zset_remove(fk_zset *zs, fk_zsl_node *x)
    fk_zsl_node *fk_zset_detach_end(fk_zset *zs, int last)
    void fk_zset_shrink(fk_zset *zs)
    void fk_zset_rehash(fk_zset *zs, int n)
    unsigned long fk_zsl_get_rank(fk_zset *zs, fk_zsl_node *x)
    fk_zsl_node *fk_zsl_by_rank(fk_zset *zs, unsigned long rank)
    fk_zsl_node *fk_zsl_first_in_range(fk_zset *zs, const fk_zrangespec *r)
    fk_zsl_node *fk_zsl_last_in_range(fk_zset *zs, const fk_zrangespec *r)
    fk_zsl_node *fk_zsl_first_in_lex_range(fk_zset *zs, const fk_zlexrangespec *r)
    fk_zsl_node *fk_zsl_last_in_lex_range(fk_zset *zs, const fk_zlexrangespec *r)
    size_t fk_zset_mem(const fk_zset *zs, size_t samples)
    fk_zset *fk_zset_dup(const fk_zset *zs)
    int fk_zset_check(fk_zset *zs)
    uint64_t fk_zset_rand()

    int fk_zset_parse_range(const char *min, size_t minlen, const char *max, size_t maxlen, fk_zrangespec *spec)
    int fk_zset_parse_lex_range(const char *min, size_t minlen, const char *max, size_t maxlen, fk_zlexrangespec *spec)
    int fk_zset_value_gte_min(double v, const fk_zrangespec *s)
    int fk_zset_value_lte_max(double v, const fk_zrangespec *s)
    int fk_zset_lex_gte_min(const char *m, size_t n, const fk_zlexrangespec *s)
    int fk_zset_lex_lte_max(const char *m, size_t n, const fk_zlexrangespec *s)
    int fk_zset_d2string(char *buf, size_t len, double value)

    unsigned char *fk_zset_new_listpack()
    void *fk_zset_create(size_t size_hint, size_t val_len_hint, int *enc)
    void fk_zset_value_free(void *ptr, int enc)
    unsigned long fk_zset_length(const fk_entry *e)
    int fk_zset_add(fk_entry *e, double score, const char *m, size_t n, int in_flags, int *out_flags, double *newscore)
    int fk_zset_del(fk_entry *e, const char *m, size_t n)
    int fk_zset_score(fk_entry *e, const char *m, size_t n, double *score)
    long fk_zset_rank(fk_entry *e, const char *m, size_t n, int reverse, double *score)
    void fk_zset_convert(fk_entry *e, int encoding)
    void fk_zset_convert_to_listpack_if_needed(fk_entry *e, size_t maxelelen, size_t totelelen)
    unsigned long fk_zset_delete_rank(fk_entry *e, unsigned long start, unsigned long end)
    unsigned long fk_zset_delete_score(fk_entry *e, const fk_zrangespec *r)
    unsigned long fk_zset_delete_lex(fk_entry *e, const fk_zlexrangespec *r)
    void fk_zset_maybe_shrink(fk_entry *e)

    int fk_zset_iter_rank(fk_zset_iter *it, fk_entry *e, unsigned long rank)
    int fk_zset_iter_score(fk_zset_iter *it, fk_entry *e, const fk_zrangespec *r, int last)
    int fk_zset_iter_lex(fk_zset_iter *it, fk_entry *e, const fk_zlexrangespec *r, int last)
    int fk_zset_iter_valid(const fk_zset_iter *it)
    void fk_zset_iter_get(fk_zset_iter *it, const char **m, size_t *n, double *score)
    void fk_zset_iter_next(fk_zset_iter *it)
    void fk_zset_iter_prev(fk_zset_iter *it)

cdef extern from "fk_zset.h":
    # the callback runs with the GIL held
    ctypedef void (*fk_zset_scan_fn)(void *priv, fk_zsl_node *x) noexcept
    unsigned long fk_zset_scan(fk_zset *zs, unsigned long cursor, fk_zset_scan_fn fn, void *priv)
