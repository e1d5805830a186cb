"""Make the Lua 5.1 C API (from lupa's lua51 extension) visible to the
extensions loaded after this import (RTLD_GLOBAL).  Used by the Lua
libraries' test harness (fastkv._core.ctest_lualibs)."""
import ctypes
import os

import lupa.lua51

LUA51 = ctypes.CDLL(lupa.lua51.__file__, mode=os.RTLD_GLOBAL | os.RTLD_NOW)
