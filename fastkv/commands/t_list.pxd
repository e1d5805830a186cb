# The list commands' cross-module API (SORT uses it).
from fastkv._core.cdefs cimport fk_entry
from fastkv._core.keyspace cimport Database

# All elements of the list entry e, head to tail, as bytes.
cdef list list_items(fk_entry *e)
# setKey with a new list of these bytes (Database.set_value), or delete the
# key if items is empty.
cdef int list_store(Database db, bytes key, list items) except -1
