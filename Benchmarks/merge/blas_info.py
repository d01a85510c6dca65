#!/usr/bin/env python3
"""Prints the OpenBLAS kernel (core name) that numpy's bundled OpenBLAS and the
system OpenBLAS (which lorad links) select on this machine, e.g.
"numpy: SkylakeX, system: Cooperlake". Run it in the same environment as the
benchmark: OPENBLAS_CORETYPE changes the answer."""
import ctypes
import glob
import os

import numpy


def core_name(path, symbols):
    try:
        lib = ctypes.CDLL(path)
    except OSError:
        return "?"
    for symbol in symbols:
        function = getattr(lib, symbol, None)
        if function is not None:
            function.restype = ctypes.c_char_p
            return function().decode()
    return "?"


here = os.path.dirname(numpy.__file__)
bundled = glob.glob(os.path.join(here, "..", "numpy.libs", "*openblas*"))
numpy_core = core_name(bundled[0], ["scipy_openblas_get_corename64_", "scipy_openblas_get_corename",
                                    "openblas_get_corename64_", "openblas_get_corename"]) if bundled else "?"
system_core = core_name("libopenblas.so.0", ["openblas_get_corename"])
print(f"numpy: {numpy_core}, system: {system_core}")
