"""Build fastkv's Cython extensions (cythonized at build time, nothing
generated is committed).

Options (environment variables):
  FASTKV_SANITIZE=1   build with AddressSanitizer + UBSan (run tests with
                      LD_PRELOAD=$(gcc -print-file-name=libasan.so))
  FASTKV_DEBUG=1      -O0 -g, Cython line tracing off
"""
import os
import sys

from Cython.Build import cythonize
from setuptools import Extension, setup

# fk_alloc.c (the used_memory counter) and fk_dict.c (the hash seed) hold
# process-wide state: they are linked into keyspace (and the C unit-test
# module) only; the other extensions call them through keyspace's exported
# cdef functions.  fk_util.c is stateless and linked where used.
STATEFUL = ["csrc/fk_alloc.c", "csrc/fk_dict.c"]
UTIL = ["csrc/fk_util.c"]

extra_compile = ["-O3", "-fvisibility=hidden", "-Wno-unused-function"]
extra_link = []
if os.environ.get("FASTKV_DEBUG"):
    extra_compile = ["-O0", "-g", "-fvisibility=hidden"]
if os.environ.get("FASTKV_SANITIZE"):
    extra_compile = ["-O1", "-g", "-fno-omit-frame-pointer", "-fsanitize=address,undefined",
                     "-fvisibility=hidden"]
    extra_link = ["-fsanitize=address,undefined"]


def ext(name, sources, stateful=False):
    return Extension(
        name,
        sources=sources + UTIL + (STATEFUL if stateful else []),
        include_dirs=["csrc"],
        extra_compile_args=extra_compile,
        extra_link_args=extra_link,
    )


extensions = [
    ext("fastkv._core.keyspace", ["fastkv/_core/keyspace.pyx"], stateful=True),
    ext("fastkv._core.client", ["fastkv/_core/client.pyx"]),
    ext("fastkv._core.ctest", ["fastkv/_core/ctest.pyx"], stateful=True),
    ext("fastkv.commands.t_string", ["fastkv/commands/t_string.pyx"]),
    ext("fastkv.commands.t_keys", ["fastkv/commands/t_keys.pyx"]),
]

setup(
    ext_modules=cythonize(
        extensions,
        compiler_directives={"language_level": "3", "embedsignature": True},
        nthreads=0,
    ),
)
