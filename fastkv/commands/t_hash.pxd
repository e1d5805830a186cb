# The hash commands' module (t_hash.pyx): what other modules cimport.
from fastkv._core.cdefs cimport fk_entry

# The value of field f of hash e (bytes), or None: SORT's BY/GET key->field.
cdef object hash_get_field(fk_entry *e, const char *f, Py_ssize_t n)
