"""Which warm zygote a submission is forked from.

Forking costs in proportion to the forking process's memory: its page
tables are copied at ``fork`` and torn down again at the child's exit.  A
zygote holding SciPy, SymPy and matplotlib is ~170 MB in ~950 mappings; one
holding NumPy and SciPy ~95 MB; NumPy alone ~25 MB.  So the pool keeps one
zygote per *tier*, each started on first use, and forks every submission
from the smallest tier that preloads every library its code names.

The choice reads the code as text: a library named nowhere in it (say an
import assembled from strings) is not chosen for.  Such an import may then
fail after the sandbox drops privileges, as an import of any library
outside these lists can.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

# NumPy loads these lazily on first attribute access (np.testing, np.ma...,
# and numpy.f2py for `from numpy import *`), which would be an import after
# the uid drop: load them here.
NUMPY_MODULES = ("numpy", "numpy.linalg", "numpy.random", "numpy.fft", "numpy.polynomial", "numpy.testing",
                 "numpy.ma", "numpy.char", "numpy.rec", "numpy.strings", "numpy.ctypeslib", "numpy.typing",
                 "numpy.f2py", "numpy.matlib")
SCIPY_MODULES = ("scipy", "scipy.optimize", "scipy.stats", "scipy.linalg", "scipy.integrate",
                 "scipy.special", "scipy.interpolate", "scipy.signal", "scipy.sparse", "scipy.io")
FULL_MODULES = ("sympy", "mpmath", "matplotlib", "matplotlib.pyplot")

# Tier name -> the third-party modules its zygote imports (smallest first).
TIERS: dict[str, tuple[str, ...]] = {
    "numpy": NUMPY_MODULES,
    "scipy": NUMPY_MODULES + SCIPY_MODULES,
    "full": NUMPY_MODULES + SCIPY_MODULES + FULL_MODULES,
}

# A word in the code that asks for a tier above "numpy".
_NEEDS = {"scipy": "scipy", "sympy": "full", "mpmath": "full", "matplotlib": "full",
          "pylab": "full", "mpl_toolkits": "full"}
_WORDS = re.compile(r"\b(" + "|".join(_NEEDS) + r")\b")
_ORDER = list(TIERS)


def tier_for(sources: Iterable[str]) -> str:
    """The smallest tier preloading every library named in ``sources``."""
    needed = 0
    for source in sources:
        for word in set(_WORDS.findall(source)):
            needed = max(needed, _ORDER.index(_NEEDS[word]))
            if needed == len(_ORDER) - 1:
                return _ORDER[needed]
    return _ORDER[needed]


def tiers_of_files(paths: Iterable[Path]) -> set[str]:
    """The tiers the code files among ``paths`` need (unreadable ones are left out:
    grading reports them)."""
    from ..readers import CODE_SUFFIXES
    from ..readers.code import load_code

    needed = set()
    for path in paths:
        if Path(path).suffix.lower() in CODE_SUFFIXES and not Path(path).is_symlink():
            try:
                needed.add(tier_for(cell.source for cell in load_code(path).normalised_cells()))
            except Exception:  # noqa: BLE001 - e.g. a malformed notebook
                continue
    return needed
