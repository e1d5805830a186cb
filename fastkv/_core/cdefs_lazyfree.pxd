# The lazy free thread's C API (csrc/fk_lazyfree.h).
from fastkv._core.cdefs cimport fk_dict, fk_entry

cdef extern from "fk_lazyfree.h" nogil:
    enum: FK_LAZYFREE_THRESHOLD
    size_t fk_lazyfree_effort(const fk_entry *e)
    int fk_lazyfree_entry(fk_entry *e)
    int fk_lazyfree_dicts(fk_dict *main, fk_dict *expires, size_t nkeys)
    size_t fk_lazyfree_collect()
    size_t fk_lazyfree_pending_objects()
    size_t fk_lazyfree_freed_objects()
    size_t fk_lazyfree_queued_jobs()
    void fk_lazyfree_reset_stats()
    void fk_lazyfree_set_config(int user_del, int user_flush)
    int fk_lazyfree_user_del()
    int fk_lazyfree_user_flush()
