# Sorted-set commands (t_zset.pyx): what other command modules may cimport.
from fastkv._core.cdefs cimport fk_entry

# All members of the sorted set e (type zset, any encoding), in score order
# (ascending, ties by member), as bytes.  For SORT.
cdef list zset_items(fk_entry *e)
