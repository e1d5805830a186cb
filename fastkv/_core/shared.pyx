# cython: language_level=3
"""Owner of the process-wide C state (csrc/fk_shared.h).

This module's own `fk_sh` instance *is* the state: its address is published
as the capsule `_C_STATE`, which every other extension attaches to at import
(fastkv/_core/shared.pxd).  The hash seed is drawn and the monotonic clock
calibrated here, once per process.
"""
from cpython.pycapsule cimport PyCapsule_New
from libc.stdint cimport uint8_t
from fastkv._core.cdefs cimport fk_sh, fk_dict_set_seed, fk_monotonic_init

import os

cdef bytes _seed = os.urandom(16)
fk_dict_set_seed(<const uint8_t *><const char *>_seed)
fk_monotonic_init()

_C_STATE = PyCapsule_New(<void *>fk_sh, b"fastkv._core.shared._C_STATE", NULL)
