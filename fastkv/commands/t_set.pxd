# The set commands (t_set.pyx); what other modules (SORT) use of them.
from fastkv._core.cdefs cimport fk_entry

# All members of the set held by e, as bytes (any order).
cdef list set_items(fk_entry *e)
