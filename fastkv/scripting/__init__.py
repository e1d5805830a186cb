"""Lua scripting (Redis 7.0's EVAL family and SCRIPT).

The Lua 5.1 runtime is the one inside the `lupa` package (lupa.lua51 exports
the whole Lua 5.1 C API).  Our extension (fastkv.scripting.lua) leaves the
lua_* symbols undefined; loading lupa's library into the global symbol
namespace first lets the dynamic loader resolve them there, so redis.call is
plain C calling plain C, with no Python object on the way.
"""
import ctypes
import os

import lupa.lua51 as _lua51

_LIB = ctypes.CDLL(_lua51.__file__, mode=os.RTLD_GLOBAL | os.RTLD_NOW)

from fastkv.scripting import lua  # noqa: E402  (needs the symbols above)

__all__ = ["lua"]
