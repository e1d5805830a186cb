# Declarations of csrc/fk_quicklist.h and fk_lzf.h (the list type), for
# t_list.pyx and the quicklist test handle.
from libc.stdint cimport uint8_t, uint16_t, uint32_t

cdef extern from "fk_quicklist.h" nogil:
    enum:
        FK_QL_NODE_RAW
        FK_QL_NODE_LZF
        FK_QL_HEAD
        FK_QL_TAIL
        FK_QL_START_HEAD
        FK_QL_START_TAIL
        FK_QL_BULK_MAX_OVERHEAD
    ctypedef struct fk_qlnode:
        fk_qlnode *prev
        fk_qlnode *next
        unsigned char *entry
        uint32_t sz
        uint16_t count
        uint8_t encoding
    ctypedef struct fk_quicklist:
        fk_qlnode *head
        fk_qlnode *tail
        unsigned long count
        unsigned long len
        int fill
        int compress
    ctypedef struct fk_qliter:
        fk_quicklist *ql
        fk_qlnode *current
        unsigned char *zi
        long offset
        int direction
    ctypedef struct fk_qlentry:
        fk_quicklist *ql
        fk_qlnode *node
        unsigned char *zi
        unsigned char *value
        long long longval
        size_t sz
        int offset

    fk_quicklist *fk_ql_new(int fill, int compress)
    void fk_ql_release(fk_quicklist *ql)
    fk_quicklist *fk_ql_dup(const fk_quicklist *ql)
    unsigned long fk_ql_count(const fk_quicklist *ql)
    int fk_ql_push_head(fk_quicklist *ql, const void *value, size_t sz)
    int fk_ql_push_tail(fk_quicklist *ql, const void *value, size_t sz)
    void fk_ql_push(fk_quicklist *ql, const void *value, size_t sz, int where)
    unsigned char *fk_ql_peek(fk_quicklist *ql, int where)
    int fk_ql_del_end(fk_quicklist *ql, int where)
    void fk_ql_iter_init(fk_qliter *it, fk_quicklist *ql, int direction)
    int fk_ql_iter_init_at(fk_qliter *it, fk_quicklist *ql, int direction, long long idx)
    int fk_ql_next(fk_qliter *it, fk_qlentry *e)
    void fk_ql_iter_release(fk_qliter *it)
    void fk_ql_del_entry(fk_qliter *it, fk_qlentry *e)
    void fk_ql_insert_before(fk_qliter *it, fk_qlentry *e, const void *value, size_t sz)
    void fk_ql_insert_after(fk_qliter *it, fk_qlentry *e, const void *value, size_t sz)
    void fk_ql_replace_entry(fk_qliter *it, fk_qlentry *e, const void *value, size_t sz)
    int fk_ql_replace_at_index(fk_quicklist *ql, long index, const void *value, size_t sz)
    int fk_ql_compare(fk_qlentry *e, const void *s, size_t n)
    int fk_ql_del_range(fk_quicklist *ql, long start, long count)
    size_t fk_ql_mem_usage(const fk_quicklist *ql, size_t samples)
    char *fk_ql_write_bulk(char *w, unsigned char *p)
    size_t fk_ql_node_resp_bound(const fk_qlnode *n, long max_elems)
    unsigned char *fk_ql_node_lp(fk_qlnode *n)
    void fk_ql_node_done(fk_quicklist *ql, fk_qlnode *n)
    int fk_ql_check(fk_quicklist *ql)

cdef extern from "fk_lzf.h" nogil:
    unsigned int fk_lzf_compress(const void *in_data, unsigned int in_len, void *out_data, unsigned int out_len)
    unsigned int fk_lzf_decompress(const void *in_data, unsigned int in_len, void *out_data, unsigned int out_len)

cdef extern from "fk_listpack.h" nogil:
    enum:
        FK_LP_INTBUF_SIZE
    unsigned char *fk_lp_first(unsigned char *lp)
    unsigned char *fk_lp_last(unsigned char *lp)
    unsigned char *fk_lp_next(unsigned char *lp, unsigned char *p)
    unsigned char *fk_lp_prev(unsigned char *lp, unsigned char *p)
    unsigned char *fk_lp_seek(unsigned char *lp, long index)
    unsigned char *fk_lp_get_value(unsigned char *p, unsigned int *slen, long long *lval)
    int fk_lp_compare(unsigned char *p, const unsigned char *s, unsigned int slen)
