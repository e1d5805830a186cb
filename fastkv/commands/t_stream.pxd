# Stream commands (t_stream.pyx): what other command modules (t_stream_cg.pyx) cimport.
from libc.stdint cimport uint64_t, int64_t
from fastkv._core.cdefs cimport fk_entry
from fastkv._core.client cimport Client
from fastkv._core.cdefs_stream cimport fk_stream, fk_streamid, fk_stream_iter, fk_stream_trim_args

# The stream at argv[i] (lookupKey + checkType): NULL if absent;
# common.WRONGTYPE_ENTRY after replying WRONGTYPE.  The fk_stream* is
# <fk_stream *>e.v.ptr.  flags: LOOKUP_NONE / LOOKUP_WRITE.
cdef fk_entry *lookup_stream(Client c, int i, int flags) except? NULL

# streamGenericParseIDOrReply on argv[i]: 0 ok; 1 after replying
# "ERR Invalid stream ID specified as stream command argument".
# "-" / "+" accepted unless strict; "ms-*" only when seq_given != NULL
# (*seq_given = 0 for "ms-*", else 1); missing_seq: the seq of a bare "ms".
cdef int parse_id_or_reply(Client c, int i, fk_streamid *id, uint64_t missing_seq,
                           bint strict, int *seq_given) except -1
# streamParseIDOrReply (not strict, no "ms-*").
cdef int parse_id(Client c, int i, fk_streamid *id, uint64_t missing_seq) except -1
# streamParseStrictIDOrReply (no "-" / "+").
cdef int parse_strict_id(Client c, int i, fk_streamid *id, uint64_t missing_seq,
                         int *seq_given) except -1
# XRANGE-style interval bound: "(" exclusive prefix handled (streamParseIntervalIDOrReply):
# 0 ok, 1 after replying an error.
cdef int parse_interval_id(Client c, int i, fk_streamid *id, bint *exclude,
                           uint64_t missing_seq) except -1

# addReplyStreamID: the ID as a bulk "ms-seq".
cdef int reply_stream_id(Client c, const fk_streamid *id) except -1
# One entry as the iterator is positioned after fk_stream_iter_get_id
# returned (id, numfields): *2 id *2N field value ... (consumes the fields).
cdef int reply_entry(Client c, fk_stream_iter *si, const fk_streamid *id, int64_t numfields) except -1
# streamReplyWithRange without a group: writes the whole array (its
# header included) of entries in [start, end] (rev: from end down to start),
# at most count entries (count 0 = all).  Returns the number of entries.
cdef long long reply_range(Client c, fk_stream *s, const fk_streamid *start,
                           const fk_streamid *end, long long count, bint rev) except -1

# A reply length written after its elements (addReplyDeferredLen):
#   off = deferred_len_begin(c); ... elements ...; deferred_len_end(c, off, n, b'*')
cdef Py_ssize_t deferred_len_begin(Client c) noexcept
cdef int deferred_len_end(Client c, Py_ssize_t off, long long n, char prefix) except -1

# streamParseAddOrTrimArgsOrReply's trim part for XTRIM-like args starting
# at argv[i] (MAXLEN/MINID [=|~] threshold [LIMIT n]); 0 ok, 1 after replying.
cdef int parse_trim_args(Client c, int i, fk_stream_trim_args *args, bint xadd,
                         int *next_i) except -1

# An array for n IDs: buf when n <= buf_n, else malloc'd (the caller frees
# it when it is not buf).
cdef fk_streamid *ids_alloc(int n, fk_streamid *buf, int buf_n) except NULL
# streamParseStrictIDOrReply on argv[first:first+n] into ids, all or
# nothing: 0 ok, 1 after replying the error of the first bad one.
cdef int parse_strict_ids(Client c, int first, int n, fk_streamid *ids) except -1
