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
from setuptools.command.build_ext import build_ext

# Every extension links all of csrc/ (compiled once) statically, with hidden visibility, and
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


# Headers of csrc/ and its subfolders (csrc/lua/): a change recompiles every C source
CHDR = sorted(os.path.join(d, f) for d, _, fs in os.walk("csrc") for f in fs if f.endswith(".h"))


def ext(name, sources):
    return Extension(
        name,
        sources=sources,
        include_dirs=["csrc"],
        extra_compile_args=extra_compile,
        extra_link_args=extra_link,
    )


def _newer(src, dst):
    return not os.path.exists(dst) or os.path.getmtime(src) > os.path.getmtime(dst)


class incremental_build_ext(build_ext):
    """Compile csrc/ once (not once per extension) and every source only
    when it changed: a csrc/*.c edit recompiles that file and relinks; a
    csrc/*.h edit recompiles everything (the Cython C includes them)."""

    def build_extensions(self):
        newest_h = max((os.path.getmtime(h) for h in CHDR), default=0)
        self._core_objs = self._compile_changed(CSRC, newest_h)
        super().build_extensions()

    def _compile_changed(self, sources, newest_h):
        objs = []
        for src in sources:
            obj = os.path.join(self.build_temp, os.path.splitext(src)[0] + self.compiler.obj_extension)
            if self.force or _newer(src, obj) or newest_h > os.path.getmtime(obj):
                self.compiler.compile([src], output_dir=self.build_temp, include_dirs=["csrc"],
                                      extra_postargs=extra_compile, debug=self.debug)
            objs.append(obj)
        return objs

    def build_extension(self, ext):
        newest_h = max((os.path.getmtime(h) for h in CHDR), default=0)
        objs = self._compile_changed(ext.sources, newest_h)
        path = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        if self.force or any(_newer(o, path) for o in objs + self._core_objs):
            self.compiler.link_shared_object(
                objs + self._core_objs, path, libraries=self.get_libraries(ext),
                extra_postargs=extra_link, export_symbols=self.get_export_symbols(ext),
                debug=self.debug, build_temp=self.build_temp, target_lang="c")


extensions = [
    ext("fastkv._core.shared", ["fastkv/_core/shared.pyx"]),
    ext("fastkv._core.keyspace", ["fastkv/_core/keyspace.pyx"]),
    ext("fastkv._core.client", ["fastkv/_core/client.pyx"]),
    ext("fastkv._core.ctest", ["fastkv/_core/ctest.pyx"]),
    ext("fastkv.commands.t_string", ["fastkv/commands/t_string.pyx"]),
    ext("fastkv.commands.t_keys", ["fastkv/commands/t_keys.pyx"]),
    ext("fastkv._core.pubsub", ["fastkv/_core/pubsub.pyx"]),
    ext("fastkv._core.tracking", ["fastkv/_core/tracking.pyx"]),   # client-side caching (issue 8)
    ext("fastkv.commands.t_pubsub", ["fastkv/commands/t_pubsub.pyx"]),
    ext("fastkv.commands.t_multi", ["fastkv/commands/t_multi.pyx"]),
    ext("fastkv.commands.t_conn", ["fastkv/commands/t_conn.pyx"]),
    # collection types (issue 6)
    ext("fastkv.commands.t_list", ["fastkv/commands/t_list.pyx"]),
    ext("fastkv.commands.t_hash", ["fastkv/commands/t_hash.pyx"]),
    ext("fastkv.commands.t_set", ["fastkv/commands/t_set.pyx"]),
    ext("fastkv.commands.t_zset", ["fastkv/commands/t_zset.pyx"]),
    ext("fastkv.commands.t_sort", ["fastkv/commands/t_sort.pyx"]),
    # bitmaps, HyperLogLog, geo, streams (issue 7): one line each
    ext("fastkv.commands.t_stream", ["fastkv/commands/t_stream.pyx"]),
    ext("fastkv.commands.t_bitops", ["fastkv/commands/t_bitops.pyx"]),
    ext("fastkv.commands.t_hll", ["fastkv/commands/t_hll.pyx"]),
    ext("fastkv.commands.t_geo", ["fastkv/commands/t_geo.pyx"]),
    ext("fastkv.commands.t_stream_cg", ["fastkv/commands/t_stream_cg.pyx"]),
    # Lua scripting (issue 8): the Lua 5.1 symbols come from lupa at run time (fastkv/scripting)
    ext("fastkv.scripting.lua", ["fastkv/scripting/lua.pyx"]
        + sorted(os.path.join("csrc", "lua", f) for f in os.listdir(os.path.join("csrc", "lua")) if f.endswith(".c"))),
    # thin handles on the C structures for the unit tests (tests/test_cstructs_*.py)
    ext("fastkv._core.ctest_listpack", ["fastkv/_core/ctest_listpack.pyx"]),
    ext("fastkv._core.ctest_quicklist", ["fastkv/_core/ctest_quicklist.pyx"]),
    ext("fastkv._core.ctest_hash", ["fastkv/_core/ctest_hash.pyx"]),
    ext("fastkv._core.ctest_intset", ["fastkv/_core/ctest_intset.pyx"]),
    ext("fastkv._core.ctest_skiplist", ["fastkv/_core/ctest_skiplist.pyx"]),
    ext("fastkv._core.ctest_bitops", ["fastkv/_core/ctest_bitops.pyx"]),
    ext("fastkv._core.ctest_stream", ["fastkv/_core/ctest_stream.pyx"]),
    ext("fastkv._core.ctest_lualibs", ["fastkv/_core/ctest_lualibs.pyx", "csrc/lua/fk_lua_cjson.c",
                                       "csrc/lua/fk_lua_cmsgpack.c", "csrc/lua/fk_lua_struct.c",
                                       "csrc/lua/fk_lua_bit.c"]),
]

setup(
    cmdclass={"build_ext": incremental_build_ext},
    ext_modules=cythonize(
        extensions,
        compiler_directives={"language_level": "3", "embedsignature": True},
        nthreads=0,
    ),
)
