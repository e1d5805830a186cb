# Attach this extension to the process-wide C state (csrc/fk_shared.h).
# Every extension that runs C code from csrc/ calls attach() at import,
# before anything else: `from fastkv._core.shared cimport attach; attach()`.
from cpython.pycapsule cimport PyCapsule_Import
from fastkv._core.cdefs cimport fk_shared, fk_sh, FK_SHARED_ABI

cdef inline int attach() except -1:
    global fk_sh
    import fastkv._core.shared      # PyCapsule_Import imports only the top-level package
    cdef fk_shared *p = <fk_shared *>PyCapsule_Import(b"fastkv._core.shared._C_STATE", 0)
    if p == NULL:
        return -1
    if p.abi != FK_SHARED_ABI:
        raise ImportError("fastkv: C state ABI mismatch (rebuild all extensions)")
    fk_sh = p
    return 0
