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


def set_encoding_config(int list_max_listpack_size=-2, int list_compress_depth=0,
                        size_t hash_max_listpack_entries=512, size_t hash_max_listpack_value=64,
                        size_t set_max_intset_entries=512, size_t zset_max_listpack_entries=128,
                        size_t zset_max_listpack_value=64, size_t stream_node_max_bytes=4096,
                        long long stream_node_max_entries=100, size_t hll_sparse_max_bytes=3000):
    """The encoding thresholds every type reads from fk_sh (CONFIG SET)."""
    fk_sh.list_max_listpack_size = list_max_listpack_size
    fk_sh.list_compress_depth = list_compress_depth
    fk_sh.hash_max_listpack_entries = hash_max_listpack_entries
    fk_sh.hash_max_listpack_value = hash_max_listpack_value
    fk_sh.set_max_intset_entries = set_max_intset_entries
    fk_sh.zset_max_listpack_entries = zset_max_listpack_entries
    fk_sh.zset_max_listpack_value = zset_max_listpack_value
    fk_sh.stream_node_max_bytes = stream_node_max_bytes
    fk_sh.stream_node_max_entries = stream_node_max_entries
    fk_sh.hll_sparse_max_bytes = hll_sparse_max_bytes


set_encoding_config()
