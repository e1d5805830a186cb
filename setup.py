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

# Every extension links all of csrc/ statically, with hidden visibility, and
# calls it directly.  The C code keeps its process-wide state (used_memory,
# the hash seed) in one struct owned by fastkv._core.shared; each extension
# attaches to it at import (see csrc/fk_shared.h).
CSRC = sorted(os.path.join("csrc", f) for f in os.listdir("csrc") if f.endswith(".c"))

extra_compile = ["-O3", "-fvisibility=hidden", "-Wno-unused-function"]
extra_link = []
if os.environ.get("FASTKV_DEBUG"):
    extra_compile = ["-O0", "-g", "-fvisibility=hidden"]
if os.environ.get("FASTKV_SANITIZE"):
    extra_compile = ["-O1", "-g", "-fno-omit-frame-pointer", "-fsanitize=address,undefined",
                     "-fvisibility=hidden"]
    extra_link = ["-fsanitize=address,undefined"]


def ext(name, sources):
    return Extension(
        name,
        sources=sources + CSRC,
        include_dirs=["csrc"],
        extra_compile_args=extra_compile,
        extra_link_args=extra_link,
    )


extensions = [
    ext("fastkv._core.shared", ["fastkv/_core/shared.pyx"]),
    ext("fastkv._core.keyspace", ["fastkv/_core/keyspace.pyx"]),
    ext("fastkv._core.client", ["fastkv/_core/client.pyx"]),
    ext("fastkv._core.ctest", ["fastkv/_core/ctest.pyx"]),
    ext("fastkv.commands.t_string", ["fastkv/commands/t_string.pyx"]),
    ext("fastkv.commands.t_keys", ["fastkv/commands/t_keys.pyx"]),
    ext("fastkv._core.pubsub", ["fastkv/_core/pubsub.pyx"]),
    ext("fastkv.commands.t_pubsub", ["fastkv/commands/t_pubsub.pyx"]),
    ext("fastkv.commands.t_multi", ["fastkv/commands/t_multi.pyx"]),
    ext("fastkv.commands.t_conn", ["fastkv/commands/t_conn.pyx"]),
]

setup(
    ext_modules=cythonize(
        extensions,
        compiler_directives={"language_level": "3", "embedsignature": True},
        nthreads=0,
    ),
)
